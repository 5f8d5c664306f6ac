"""Documents as JSON: a Plan (exactly ``Plan.to_dict()``, docs/plan-format.md) and the error document
every command prints on stdout under ``--output json`` when it fails (docs/json-output.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from humectl.core.escape import json_text
from humectl.model.plan import Plan

if TYPE_CHECKING:
    from humectl.core.errors import ApplyReport
    from humectl.decide.export import ExportResult
    from humectl.model.lock import LockRecord
    from humectl.model.rollback import ManifestUpdate, Rollback

FORMAT_VERSION = 1


def render_json(plan: Plan) -> str:
    return json_text(plan.to_dict(), indent=2, sort_keys=True) + "\n"


def dumps(document: dict[str, Any]) -> str:
    """One document, in the key order it was built in."""
    return json_text(document, indent=2) + "\n"


# --- the success documents of the commands (docs/json-output.md) ----------------------------------


def apply_document(
    plan: Plan, report: ApplyReport, *, applied: bool, resources: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """apply's (``resources``: the configs' ids and versions) and destroy's (``None``) document."""
    document: dict[str, Any] = {"format_version": FORMAT_VERSION, "applied": applied, "report": report.to_dict()}
    # What the server stored otherwise than sent (the report's list, on top where a reader looks first).
    document["readback"] = document["report"]["readback"]
    if resources is not None:
        document["resources"] = resources
    document.update(plan=plan.to_dict(), error=None)
    return document


def export_document(
    directory: str, result: ExportResult, differences: Sequence[str], other_scopes: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "directory": directory,
        "counts": result.counts(),
        "files": [f.path for f in result.files],
        "notes": list(result.notes),
        "round_trip": {"exact": not differences, "differences": list(differences), "other_scopes": list(other_scopes)},
    }


def rollback_document(
    address: str,
    to_version: int,
    planned: Rollback,
    update: ManifestUpdate,
    report: ApplyReport | None,
    *,
    written: bool,
) -> dict[str, Any]:
    """rollback's: the plan, the report (None when nothing was rolled back) and the manifest change."""
    return {
        "format_version": FORMAT_VERSION,
        "address": address,
        "to_version": to_version,
        "rolled_back": report is not None,
        "notes": [*planned.notes, *update.notes],
        "report": report.to_dict() if report is not None else None,
        "plan": planned.plan.to_dict(),
        "manifest_update": {
            "diff": update.diff,
            "files": [str(path) for path in update.writes],
            "written": written,
        },
        "error": None,
    }


def unlock_document(record: LockRecord, scope: str) -> dict[str, Any]:
    """force-unlock's: the lock that was removed."""
    holder = record.lease
    return {
        "format_version": FORMAT_VERSION,
        "lock": {
            "id": record.id,
            "name": record.name,
            "scope": scope,
            "run_id": holder.run_id if holder else None,
            "created_on": record.created_on,
        },
        "removed": True,
        "error": None,
    }


def snapshot_line(file: str, counts: Mapping[str, int]) -> str:
    """emulator snapshot --out FILE's one line."""
    return json.dumps({"format_version": FORMAT_VERSION, "file": file, "counts": dict(counts)})


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
