"""The prompt kind: the system prompt text (inline, or in a ``text_file``) and its expansion switch."""

from __future__ import annotations

from humectl.core.kinds.base import Kind, RiskRule, TextFile

TEXT_FILE = TextFile(field="text", key="text_file", directory="prompts")


KIND = Kind(
    name="prompt",
    plural="prompts",
    checks=("prompt_text",),
    api_path="/v0/evi/prompts",
    page_key="prompts_page",
    content_fields=("text", "prompt_expansion"),
    text_file=TEXT_FILE,
    detail_fields=("prompt_expansion",),
    reserved_name="humectl-lock",
    defaults={"prompt_expansion": {"enabled": True}},  # the spec: "Defaults to `true`"
    risk_rules=(
        RiskRule(
            "prompt.text.rewrite",
            "high",
            "the prompt text is rewritten: more than half its lines change",
            ("text",),
            "rewrite",
        ),
        RiskRule("prompt.text", "medium", "the prompt text is edited", ("text",)),
        RiskRule("prompt.prompt_expansion", "medium", "prompt expansion is switched", ("prompt_expansion",)),
    ),
)
