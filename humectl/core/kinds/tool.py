"""The tool kind: a function the language model can call (JSON Schema ``parameters``)."""

from __future__ import annotations

from humectl.core.kinds.base import SERVER_FIELDS, Kind, RiskRule

KIND = Kind(
    name="tool",
    plural="tools",
    checks=("tool_name",),
    api_path="/v0/evi/tools",
    page_key="tools_page",
    content_fields=("parameters", "description", "fallback_content"),
    server_fields=(*SERVER_FIELDS, "tool_type"),  # "FUNCTION" for every user-defined tool
    json_schema_fields=("parameters",),
    export_order=("description", "fallback_content", "parameters"),
    risk_rules=(
        RiskRule("tool.parameters", "medium", "the tool's parameters change", ("parameters",)),
        RiskRule(
            "tool.description", "medium", "the tool's description changes (the model decides by it)", ("description",)
        ),
        RiskRule("tool.fallback_content", "medium", "the tool's fallback content changes", ("fallback_content",)),
    ),
)
