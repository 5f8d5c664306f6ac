"""Colour and symbols shared by the renderers: Terraform's plan symbols, NO_COLOR, CI detection."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

from humectl.model.review import LEVELS

# How each plan action is shown, in one place for every renderer (``.`` for unmanage is Terraform's
# symbol for a resource it forgets and leaves in place).
SYMBOLS = {
    "create": "+",
    "version": "~",
    "rename": "~",
    "describe": "~",
    "unmanage": ".",
    "delete_version": "~",  # the resource stays: an update in place, never read as its destruction
    "delete": "-",
}
COLOURS = {
    "create": "green",
    "version": "yellow",
    "rename": "cyan",
    "describe": "yellow",
    "unmanage": "magenta",
    "delete_version": "red",
    "delete": "red",
}
EMOJI = {
    "create": "🟢",
    "version": "🟡",
    "rename": "🔵",
    "describe": "🟡",
    "unmanage": "⚪",
    "delete_version": "🟠",
    "delete": "🔴",
}
LABELS = {
    "create": "create",
    "version": "new version",
    "rename": "rename",
    "describe": "update description",
    "unmanage": "stop managing",
    "delete_version": "delete old versions",
    "delete": "delete",
}
VERBS = {
    "create": "will be created",
    "version": "will get a new version",
    "rename": "will be renamed",
    "describe": "will get a new version description",
    "unmanage": "will no longer be managed by humectl, and will not be deleted",
    "delete_version": "will have old versions deleted",
    "delete": "will be deleted",
}


def operation_labels(operations: Sequence[str]) -> str:
    """A change's operations as a reader names them, in apply order: ``rename + update description``."""
    return " + ".join(LABELS.get(op, op) for op in operations)


def operation_verbs(operations: Sequence[str], details: Mapping[str, str] | None = None) -> str:
    """``will be renamed … and get a new version description``: every operation of a change, in apply
    order; ``details`` adds words after an operation's verb (``from greeter``, ``(v0 → v1)``)."""
    details = details or {}
    parts = []
    for i, op in enumerate(operations):
        verb = VERBS.get(op, f"will {op}")
        part = verb if i == 0 else verb.removeprefix("will ")
        parts.append(f"{part} {details[op]}" if details.get(op) else part)
    return " and ".join(parts)


def use_colour(stream: IO[Any] | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Colour unless NO_COLOR is set or output is not a terminal; FORCE_COLOR wins; CI logs stay plain."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR") or env.get("CLICOLOR_FORCE"):
        return True
    if env.get("GITHUB_ACTIONS") == "true":
        return False
    target: Any = stream if stream is not None else sys.stdout
    try:
        return bool(target.isatty())
    except (AttributeError, ValueError):
        return False


def summary_line(summary: Mapping[str, int]) -> str:
    """``Plan: 2 to create, 3 to version, 1 to rename, 0 unchanged`` (+ describe, unmanage, old versions
    and delete when any)."""
    parts = [
        f"{summary['create']} to create",
        f"{summary['version']} to version",
        f"{summary['rename']} to rename",
    ]
    if summary.get("describe"):
        parts.append(f"{summary['describe']} to update description")
    if summary.get("unmanage"):
        parts.append(f"{summary['unmanage']} to stop managing")
    if summary.get("delete_version"):
        parts.append(f"{summary['delete_version']} with old versions to delete")
    if summary.get("delete"):
        parts.append(f"{summary['delete']} to delete")
    parts.append(f"{summary['unchanged']} unchanged")
    return "Plan: " + ", ".join(parts)


DELETES_ALL_NOTE = "deletes every resource humectl manages"


def plan_summary_line(plan: Any) -> str:
    """:func:`summary_line` of a Plan, saying so when its prune deletes everything humectl manages."""
    line = summary_line(plan.summary())
    if getattr(plan, "deletes_all_managed", False):
        allowed = "allowed by --allow-empty" if plan.allow_empty else "refused without --allow-empty"
        line += f" ({DELETES_ALL_NOTE}: {allowed})"
    return line


def no_changes_line(plan: Any) -> str:
    """What a plan without changes says (a destroy's: nothing of this environment is left)."""
    if getattr(plan, "destroy", False):
        scope = f"name prefix {plan.name_prefix!r}" if plan.name_prefix else "the account"
        return f"Nothing to destroy: no live resource humectl created for {scope} is left."
    if getattr(plan, "kept", None):
        return "No changes to apply. What this plan leaves as it is, and why, is listed below."
    return "No changes. The live EVI account matches the manifests."


def kept_title(plan: Any) -> str:
    """The heading of a plan's ``kept`` list: what it leaves as it is (address -> why)."""
    if getattr(plan, "destroy", False):
        return "Kept (destroy does not delete these)"
    return "Not changed by this plan (and why)"


def risk_line(counts: Mapping[str, int]) -> str:
    """``Risk: 1 high, 3 medium, 5 low``."""
    return "Risk: " + ", ".join(f"{counts.get(level, 0)} {level}" for level in reversed(LEVELS))
