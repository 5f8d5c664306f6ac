"""Documents as JSON: a Plan (exactly ``Plan.to_dict()``, docs/plan-format.md) and the error document
every command prints on stdout under ``--output json`` when it fails (docs/json-output.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from humectl.plan import Plan
from humectl.render.escape import json_text

FORMAT_VERSION = 1


def render_json(plan: Plan) -> str:
    return json_text(plan.to_dict(), indent=2, sort_keys=True) + "\n"


def dumps(document: dict[str, Any]) -> str:
    """One document, in the key order it was built in."""
    return json_text(document, indent=2) + "\n"


def error_document(
    error_type: str,
    message: str,
    hint: str | None,
    exit_code: int,
    *,
    problems: Sequence[dict[str, Any]] = (),
    http: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``{"format_version", "error": {type, message, hint, exit_code[, http]}, "problems", ...context}``."""
    error: dict[str, Any] = {"type": error_type, "message": message, "hint": hint, "exit_code": exit_code}
    if http is not None:
        error["http"] = http
    return {"format_version": FORMAT_VERSION, **(context or {}), "error": error, "problems": list(problems)}
