"""Wire shapes: stored prompt and tool versions rendered as Hume's ReturnPrompt / ReturnUserDefinedTool.

Key order follows Hume's official examples so that raw responses read like the real service's.
"""

from __future__ import annotations

from typing import Any

from humectl.emulator.store import VersionRow


def _version_fields(row: VersionRow, version_type: str) -> dict[str, Any]:
    """The fields every versioned resource returns, in the order of Hume's examples."""
    return {
        "id": row.id,
        "version": row.version,
        "version_type": version_type,
        "version_description": row.version_description,
        "name": row.name,
        "created_on": row.created_on,
        "modified_on": row.modified_on,
    }


def render_prompt(row: VersionRow, version_type: str = "FIXED", *, with_expansion: bool = True) -> dict[str, Any]:
    """ReturnPrompt; ``with_expansion=False`` gives the spec's ``return_prompt`` (list pages) and
    ``ReturnConfigPrompt`` (embedded in configs), which have no ``prompt_expansion``."""
    out: dict[str, Any] = {**_version_fields(row, version_type), "text": row.content["text"]}
    if with_expansion and row.content.get("prompt_expansion") is not None:
        out["prompt_expansion"] = row.content["prompt_expansion"]
    return out


def render_tool(row: VersionRow, version_type: str = "FIXED") -> dict[str, Any]:
    return {
        "tool_type": "FUNCTION",
        **_version_fields(row, version_type),
        "fallback_content": row.content.get("fallback_content"),
        "description": row.content.get("description"),
        "parameters": row.content["parameters"],
    }
