"""The prompt kind: the system prompt text (inline, or in a ``text_file``) and its expansion switch."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from humectl.kinds.base import Kind, RiskRule, TextFile

if TYPE_CHECKING:
    from humectl.errors import Problem
    from humectl.manifest import EntryPositions
    from humectl.rules import Allowances, ManifestEntry

TEXT_FILE = TextFile(field="text", key="text_file", directory="prompts")


def build_spec(
    entry: ManifestEntry, root_real: Path, positions: EntryPositions
) -> tuple[dict[str, Any], list[Problem]]:
    """``text`` (read from ``text_file`` when given that way) and ``prompt_expansion``."""
    from humectl.manifest import read_text_file

    data, spec = entry.data, {}
    problems: list[Problem] = []
    if TEXT_FILE.field in data:
        spec[TEXT_FILE.field] = data[TEXT_FILE.field]
    elif TEXT_FILE.key in data:
        text, problems = read_text_file(entry, root_real, TEXT_FILE.key)
        if text is not None:
            spec[TEXT_FILE.field] = text
        positions.alias(f"/{TEXT_FILE.field}", f"/{TEXT_FILE.key}")
    if "prompt_expansion" in data:
        spec["prompt_expansion"] = data["prompt_expansion"]
    return spec, problems


def checks(entry: ManifestEntry, allowed: Allowances) -> list[Problem]:
    from humectl import rules

    return rules.check_prompt_text(entry)


KIND = Kind(
    name="prompt",
    plural="prompts",
    api_path="/v0/evi/prompts",
    page_key="prompts_page",
    content_fields=("text", "prompt_expansion"),
    build_spec=build_spec,
    checks=checks,
    text_file=TEXT_FILE,
    detail_fields=("prompt_expansion",),
    reserved_name="humectl-lock",
    defaults={"prompt_expansion": {"enabled": True}},  # the spec: "Defaults to `true`"
    risk_rules=(
        RiskRule("prompt.text.rewrite", "high", "the prompt text is rewritten: more than half its lines change",
                 ("text",), "rewrite"),
        RiskRule("prompt.text", "medium", "the prompt text is edited", ("text",)),
        RiskRule("prompt.prompt_expansion", "medium", "prompt expansion is switched", ("prompt_expansion",)),
    ),
)  # fmt: skip
