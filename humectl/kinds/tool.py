"""The tool kind: a function the language model can call (JSON Schema ``parameters``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from humectl.kinds.base import Kind, RiskRule

if TYPE_CHECKING:
    from humectl.errors import Problem
    from humectl.manifest import EntryPositions
    from humectl.rules import Allowances, ManifestEntry


def build_spec(
    entry: ManifestEntry, root_real: Path, positions: EntryPositions
) -> tuple[dict[str, Any], list[Problem]]:
    """``parameters`` as canonical JSON, ``description``, ``fallback_content``."""
    from humectl import rules

    spec: dict[str, Any] = {}
    canonical, problems = rules.parse_parameters(entry)
    if canonical is not None:
        spec["parameters"] = canonical
    for key in ("description", "fallback_content"):
        if key in entry.data:
            spec[key] = entry.data[key]
    return spec, problems


def checks(entry: ManifestEntry, allowed: Allowances) -> list[Problem]:
    from humectl import rules

    return rules.check_tool_name(entry)


def write_entry(name: str, content: Mapping[str, Any], data: Mapping[str, Any], notes: list[str]) -> dict[str, Any]:
    """Description and fallback first, then ``parameters`` as YAML data (the JSON text when it is not an object)."""
    from humectl.export import parameters_as_yaml

    entry: dict[str, Any] = {"name": name}
    for key in ("description", "fallback_content"):
        if key in content:
            entry[key] = content[key]
    entry["parameters"] = parameters_as_yaml(data.get("parameters"), f"{KIND.name}/{name}", notes)
    return entry


KIND = Kind(
    name="tool",
    plural="tools",
    api_path="/v0/evi/tools",
    page_key="tools_page",
    content_fields=("parameters", "description", "fallback_content"),
    build_spec=build_spec,
    checks=checks,
    write_entry=write_entry,
    risk_rules=(
        RiskRule("tool.parameters", "medium", "the tool's parameters change", ("parameters",)),
        RiskRule("tool.description", "medium", "the tool's description changes (the model decides by it)",
                 ("description",)),
        RiskRule("tool.fallback_content", "medium", "the tool's fallback content changes", ("fallback_content",)),
    ),
)  # fmt: skip
