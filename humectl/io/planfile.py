"""A saved plan's files: the plan as JSON (no sensitive value in it: salted fingerprints instead) and
its Markdown beside it; reading one back, and putting its sensitive values back from the environment.

The Markdown ends with :data:`MARKDOWN_MARK`, so a later ``plan --out`` overwrites only Markdown it
wrote, never a ``NAME.md`` of the user's. The mark is a link reference definition, which renders as
nothing (an HTML comment would too, but humectl's Markdown never opens one: a hostile name could hide
what follows it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from humectl.core import sensitive
from humectl.core.errors import PlanError, UsageError
from humectl.decide import risk
from humectl.io.files import check_writable, write_file
from humectl.load.variables import ENV_PREFIX, variables_from_environ
from humectl.model.plan import Plan, markdown_sibling

MARKDOWN_MARK = '[humectl-plan]: # "written by humectl plan --out: the next plan saved here rewrites this file"'
_LEGACY_HEADING = "### humectl plan"  # how the Markdown of humectl before the mark began


def is_plan_markdown(text: str) -> bool:
    """Whether ``text`` is a plan's Markdown that humectl wrote (its mark, or an older humectl's heading)."""
    lines = text.strip().splitlines()
    return bool(lines) and (lines[-1] == MARKDOWN_MARK or lines[0] == _LEGACY_HEADING)


def _refuse_foreign_markdown(sibling: Path, plan_file: Path) -> None:
    """A ``NAME.md`` beside ``--out NAME.json`` that humectl did not write is the user's: never overwritten."""
    if not sibling.exists():
        return
    try:
        text = sibling.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if not is_plan_markdown(text):
        raise UsageError(
            f"refusing to overwrite {sibling}: humectl writes the plan's Markdown beside {plan_file.name} there, "
            "and that file is not one it wrote",
            hint=f"move {sibling.name} away, or save the plan under another name (--out other.json)",
        )


def check_plan_out(path: str | Path, *, markdown: bool = True) -> Path:
    """Refuse (UsageError) a ``plan --out`` path where the plan, or its Markdown beside it, cannot be
    written: a missing directory, a directory in the way, a ``NAME.md`` humectl did not write."""
    target = check_writable(path, "the plan")
    if markdown:
        sibling = check_writable(markdown_sibling(target), "the plan's Markdown")
        _refuse_foreign_markdown(sibling, target)
    return target


def save_plan(plan: Plan, path: str | Path, *, markdown: str | None = None) -> Path | None:
    """Write the plan file: no sensitive value in it (``Plan.to_dict`` keeps salted fingerprints instead).

    ``markdown`` (the plan rendered for a PR comment) is written beside it (``plan.markdown_sibling``),
    masked like everything printed, ending with :data:`MARKDOWN_MARK`; its path is returned. Nothing is
    written when either file cannot be (a missing directory) or the Markdown's path holds a file
    humectl did not write (UsageError).
    """
    target = check_plan_out(path, markdown=markdown is not None)
    sibling = markdown_sibling(target) if markdown is not None else None
    data = plan.to_dict()
    guard = sensitive.current()  # values the plan does not know (the API key): masked as everywhere else
    data = {
        **guard.mask_data({k: v for k, v in data.items() if k != "changes"}),
        "changes": [
            {**guard.mask_data({k: v for k, v in c.items() if k != "content"}), "content": c["content"]}
            for c in data["changes"]
        ],
    }
    write_file(target, json.dumps(data, indent=2, sort_keys=True) + "\n", what="the plan")
    if markdown is None or sibling is None:
        return None
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    # After a blank line: a link reference definition cannot continue a paragraph.
    write_file(sibling, sensitive.current().mask(f"{text}\n{MARKDOWN_MARK}\n"), what="the plan's Markdown")
    return sibling


def restore_sensitive(plan: Plan, environ: Mapping[str, str]) -> Plan:
    """The saved plan with its sensitive values back in its content, read again from ``environ``
    (``HUMECTL_SECRET_<NAME>``, ``HUMECTL_SECRETS``, ``HUMECTL_VAR_<NAME>``); refuse when one is
    missing, or is not the value the plan was made with (its salted fingerprint differs)."""
    saved = plan.saved_sensitive
    if not saved:
        return plan
    available = {**variables_from_environ(environ), **sensitive.secrets_from_environ(environ)}
    salt = str(saved.get("salt") or "")
    values: dict[str, str] = {}
    for name, expected in sorted((saved.get("fingerprints") or {}).items()):
        value = available.get(name)
        if value is None:
            raise PlanError(
                f"the saved plan needs the sensitive value of {name}, which it does not hold",
                hint=f"set {sensitive.SECRET_PREFIX}{name} (or {ENV_PREFIX}{name}) to the value the plan was made with",
            )
        try:
            matches = sensitive.same(value, salt, str(expected))
        except ValueError:
            matches = False
        if not matches:
            raise PlanError(
                f"the sensitive value of {name} in the environment is not the one this plan was made with",
                hint="plan again with the current value, review the plan, then apply it",
            )
        values[name] = value
        sensitive.current().add(name, value)
    places = saved.get("places") or {}
    try:
        changes = [
            replace(c, content=sensitive.unmask_content(c.content, places[c.address], values))
            if c.address in places
            else c
            for c in plan.changes
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise PlanError(f"the saved plan's sensitive values cannot be put back: {exc}") from None
    return replace(plan, changes=tuple(changes), sensitive=values, saved_sensitive=None)


def load_plan(path: str | Path) -> Plan:
    hint = "save one with: humectl plan DIR --out plan.json"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read saved plan {path}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"{path} is not a humectl plan file (not JSON: {exc})", hint=hint) from None
    except RecursionError:
        raise PlanError(f"{path} is not a humectl plan file (JSON nested too deeply)", hint=hint) from None
    if not isinstance(data, dict):
        raise PlanError(f"{path} is not a humectl plan file", hint=hint)
    try:
        plan = Plan.from_dict(data)
        if any("risk" not in c for c in data.get("changes") or [] if isinstance(c, dict)):
            plan = plan.with_changes(risk.assess(plan.changes, plan.policy.risk))  # saved before risk: now
        return plan
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:  # hand-edited or truncated
        # The type of the failure only: its text can quote the file's content.
        raise PlanError(f"{path} is not a valid humectl plan file ({type(exc).__name__})", hint=hint) from None
