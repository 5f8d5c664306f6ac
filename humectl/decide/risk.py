"""How much each planned change matters to callers: the risk rules (plain data) and their assessment.

A reviewer cares most about what callers will hear: a new voice, another language model, a tool the
agent can no longer call. Every change of a plan gets a level (``high`` | ``medium`` | ``low``) and
the reasons that decided it, one per rule that fired, in words ("voice ITO → KORA").

The rules are data (:data:`RULES`, documented in docs/review.md): an id, a level, the kind it applies
to, and either the field paths it covers or the name of a predicate (:data:`PREDICATES`) that decides
when it fires. Each kind's own rules are in the registry (``Kind.risk_rules``); the rules about whole
changes (delete, create, rename, describe) and about any field are here. ``policy.risk`` in
humectl.yaml overrides the level of a rule id or of a field path
(``config.language_model.temperature: high``); the longest matching key wins.

:func:`assess` returns the changes of a plan with ``risk``/``risk_reasons`` set, in plan order, so a
config that only follows a prompt's new version (the cascade) takes the risk of that prompt's change.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from humectl.core.kinds import KINDS, KindName
from humectl.core.text import split_lines
from humectl.model.fields import FieldChange
from humectl.model.plan import DELETE_VERSION, UNMANAGE, VERSION, Change, Operation
from humectl.model.review import (
    RULES,
    RULES_BY_ID,
    RiskReason,
    Rule,
    field_root,
    rank,
    risk_level,
    worst,
)

# A prompt text edit touching more than this share of its lines is a rewrite.
REWRITE_SHARE = 0.5


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = text.replace("\n", "\\n")
    return text if len(text) <= 60 else text[:59] + "…"


def _arrow(label: str, before: Any, after: Any) -> str:
    old = _short(before) if before is not None else "none"
    new = _short(after) if after is not None else "none"
    return f"{label} {old} → {new}"


def _label(path: str) -> str:
    # "voice.name" reads as "voice": a section's name is what identifies it.
    return path[: -len(".name")] if path.endswith(".name") else path


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def covers(rule_field: str, change: FieldChange) -> bool:
    """Whether ``change`` (at its path) changes what ``rule_field`` names: at it, inside it, or around
    it (a whole section set or cleared, whose member at ``rule_field`` differs)."""
    path = change.path
    if path == rule_field or path.startswith((rule_field + ".", rule_field + "[")):
        return True
    if rule_field.startswith(path + "."):
        rest = tuple(rule_field[len(path) + 1 :].split("."))
        return bool(_at(change.before, rest) != _at(change.after, rest))
    return False


def _item_name(item: Any) -> str | None:
    """The name of a list item: a reference ``name@version``, or an object with a ``name``."""
    if isinstance(item, str):
        return item.rpartition("@")[0] or item
    if isinstance(item, dict) and item.get("name") is not None:
        return str(item["name"])
    return None


def _by_name(items: Any) -> dict[str, Any]:
    return {n: item for item in items or [] if (n := _item_name(item)) is not None}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _references(kind_name: KindName) -> dict[str, Any]:
    return {r.field: r for r in KINDS[kind_name].references}


def _singular(kind_name: KindName, field: str) -> str:
    """How one item of a list field is called: a reference's target kind, else the field's own words."""
    reference = _references(kind_name).get(field)
    return reference.target if reference is not None else field.replace("_", " ").removesuffix("s")


@dataclass
class _Context:
    """What the predicates of one change see."""

    change: Change
    risk_of: Mapping[str, str]  # address -> risk, of the changes assessed before this one
    # (address, from version, to version) -> (level, words): what a moved reference changes for the
    # agent, rated from the two versions' content (humectl.decide.pins), when known
    moves: Mapping[tuple[str, int, int], tuple[str, str]] = dataclasses.field(default_factory=dict)

    def field(self, path: str) -> FieldChange | None:
        return next((f for f in self.change.fields if f.path == path), None)


# (message, field path, level) of each firing; the level None: the rule's own (or policy's).
Found = list[tuple[str, str | None, str | None]]
Predicate = Callable[[_Context, Rule], Found]


def _whole(op: Operation, words: Callable[[Change], str]) -> Predicate:
    def predicate(ctx: _Context, rule: Rule) -> Found:
        return [(words(ctx.change), None, None)] if ctx.change.does(op) else []

    return predicate


def _first_reason(change: Change) -> str:
    return change.reasons[0] if change.reasons else change.action


def _own_reasons(change: Change) -> list[str]:
    """The change's reasons but its rename's (the ``rename`` rule words that one)."""
    renamed = f"renamed from {change.rename_from}" if change.rename_from else None
    return [r for r in change.reasons if r != renamed]


def _versions(versions: tuple[int, ...]) -> str:
    shown = ", ".join(f"v{v}" for v in versions[:8])
    return shown + (f" and {len(versions) - 8} more" if len(versions) > 8 else "")


def _listed(removed: bool) -> Predicate:
    """Items of the list ``rule.fields[0]`` (references or named objects) removed, or added, by name."""

    def predicate(ctx: _Context, rule: Rule) -> Found:
        f = ctx.field(rule.fields[0])
        if f is None:
            return []
        before, after = _by_name(f.before), _by_name(f.after)
        names = [n for n in before if n not in after] if removed else [n for n in after if n not in before]
        verb = "removed from" if removed else "attached to"
        what = _singular(ctx.change.kind, f.path)
        return [(f"{what} {n} {verb} the {ctx.change.kind}", f.path, None) for n in names]

    return predicate


def _switched(ctx: _Context, rule: Rule) -> Found:
    """The single reference ``rule.fields[0]`` points at another resource (not another version)."""
    f = ctx.field(rule.fields[0])
    if f is None:
        return []
    before, after = _item_name(f.before), _item_name(f.after)
    return [(_arrow(f.path, before, after), f.path, None)] if before != after else []


def _cascade(ctx: _Context, rule: Rule) -> Found:
    """Each reference that stays on the same name and moves to another version (the cascade): it
    takes the risk of that change in this plan."""
    out: Found = []
    for field, reference in _references(ctx.change.kind).items():
        f = ctx.field(field)
        if f is None:
            continue
        before, after = _by_name(_as_list(f.before)), _by_name(_as_list(f.after))
        for name in [n for n in after if n in before and before[n] != after[n]]:
            old, new = str(before[name]).rpartition("@")[2], str(after[name]).rpartition("@")[2]
            address = f"{reference.target}/{name}"
            moved = ctx.moves.get((address, int(old), int(new))) if old.isdigit() and new.isdigit() else None
            if moved is not None:  # rated by what v-old and v-new say, not by what this plan changes
                moved_level, words = moved
                message = f"moves from {address} v{old} to v{new}: {words} (its risk: {moved_level})"
                out.append((message, field, moved_level))
                continue
            level = ctx.risk_of.get(address)  # None when that change is not in this plan: the rule's low
            tail = f" (its risk: {level})" if level else ""
            out.append((f"follows {address} v{old} → v{new}{tail}", field, level))
    return out


def changed_share(before: str, after: str) -> float:
    """The share of lines an edit touches: 1 - matched lines / lines of the longer side."""
    old, new = split_lines(before), split_lines(after)
    longest = max(len(old), len(new))
    if longest == 0:
        return 0.0
    matched = sum(block.size for block in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks())
    return 1 - matched / longest


def _text_counts(before: str, after: str) -> str:
    old, new = split_lines(before), split_lines(after)
    matched = sum(b.size for b in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks())
    return f"{max(len(old), len(new)) - matched} of {max(len(old), len(new))} lines changed"


def _rewrite(ctx: _Context, rule: Rule) -> Found:
    """The text ``rule.fields[0]`` changes more than :data:`REWRITE_SHARE` of its lines (visibly)."""
    f = ctx.field(rule.fields[0])
    if f is None or not ctx.change.does(VERSION) or not isinstance(f.before, str) or not isinstance(f.after, str):
        return []
    if f.note or changed_share(f.before, f.after) <= REWRITE_SHARE:
        return []
    return [(f"{ctx.change.kind} {f.path} rewritten: {_text_counts(f.before, f.after)}", f.path, None)]


PREDICATES: dict[str, Predicate] = {
    "delete": _whole("delete", lambda c: f"deleted: {_first_reason(c)}"),
    "create": _whole("create", lambda c: f"new {c.kind}"),
    "rename": lambda ctx, rule: (
        [(f"renamed from {ctx.change.rename_from}", None, None)] if ctx.change.rename_from else []
    ),
    "describe": _whole("describe", lambda c: "; ".join(_own_reasons(c)) or "version description"),
    "delete_version": _whole(DELETE_VERSION, lambda c: f"old versions deleted: {_versions(c.versions)}"),
    "unmanage": _whole(UNMANAGE, lambda c: "no longer managed; left live"),
    "refused": lambda ctx, rule: [(f"refused: {ctx.change.blocked_by}", None, None)] if ctx.change.blocked_by else [],
    "removed": _listed(removed=True),
    "added": _listed(removed=False),
    "switched": _switched,
    "cascade": _cascade,
    "rewrite": _rewrite,
    "content": lambda ctx, rule: [],  # judged field by field in _field_reasons
}


def _field_reasons(change: Change, fired: set[str]) -> list[tuple[Rule, str, str]]:
    """(rule, message, path) for each field change, by the most specific field rule that covers it.

    References are judged by their predicates only (switched, removed, added, cascade); a field a
    predicate rule already judged (a rewrite, a builtin tool removed) is not judged again."""
    rules = [r for r in RULES if r.fields and r.predicate is None and r.kind in (None, change.kind)]
    judged = {r.fields[0] for r in RULES if r.id in fired and r.fields}
    text = KINDS[change.kind].text_file
    out: list[tuple[Rule, str, str]] = []
    for f in change.fields:
        root = field_root(f.path)
        if root in _references(change.kind):
            continue
        if f.note:  # reads the same: whatever the field, nobody hears a difference
            out.append((RULES_BY_ID["invisible"], f"{_label(f.path)}: {f.note}", f.path))
            continue
        if root in judged:
            continue
        matches = [(len(field), r) for r in rules for field in r.fields if covers(field, f)]
        rule = max(matches, key=lambda m: m[0])[1] if matches else RULES_BY_ID["content"]
        if text is not None and root == text.field and isinstance(f.before, str) and isinstance(f.after, str):
            message = f"{change.kind} {root} edited: {_text_counts(f.before, f.after)}"
        elif isinstance(f.before, list) or isinstance(f.after, list):
            message = f"{f.path} changed"  # lists of objects: the field diff shows them
        else:
            message = _arrow(_label(f.path), f.before, f.after)
        out.append((rule, message, f.path))
    return out


def _override(rule: Rule, path: str | None, kind: KindName, overrides: Mapping[str, str]) -> str | None:
    """The level ``policy.risk`` gives this firing: of the longest key that is its rule id or a field
    path (``kind.path``) covering its path; None when no key does."""
    full = f"{kind}.{path}" if path is not None else None
    keys = [
        k
        for k in overrides
        if k == rule.id or (full is not None and (full == k or full.startswith((k + ".", k + "["))))
    ]
    return overrides[max(keys, key=len)] if keys else None


def assess_change(
    change: Change,
    risk_of: Mapping[str, str],
    overrides: Mapping[str, str],
    moves: Mapping[tuple[str, int, int], tuple[str, str]] | None = None,
) -> list[RiskReason]:
    """Every rule that fires on ``change``, with its level after ``overrides`` (``moves``: see :func:`assess`)."""
    ctx = _Context(change, risk_of, dict(moves or {}))
    found: list[tuple[Rule, str, str | None, str | None]] = []
    fired: set[str] = set()
    for rule in RULES:
        if rule.predicate is None or rule.kind not in (None, change.kind):
            continue
        if rule.kind is not None and not change.does(VERSION):
            continue  # a kind's rules judge what a new version changes; a create changes nothing live
        for message, path, level in PREDICATES[rule.predicate](ctx, rule):
            found.append((rule, message, path, level))
            fired.add(rule.id)
    if change.does(VERSION):
        found.extend((rule, message, path, None) for rule, message, path in _field_reasons(change, fired))
    reasons = []
    for rule, message, path, given in found:
        # The policy's level wins; else the level the predicate gave (a cascade: what it follows),
        # else the rule's own.
        level = _override(rule, path, change.kind, overrides) or given or rule.level
        reasons.append(RiskReason(rule.id, risk_level(level), message, path))
    return sorted(reasons, key=lambda r: -rank(r.level))  # the deciding ones first


def assess(
    changes: Iterable[Change],
    overrides: Mapping[str, str] | None = None,
    moves: Mapping[tuple[str, int, int], tuple[str, str]] | None = None,
) -> list[Change]:
    """``changes`` with ``risk`` and ``risk_reasons`` set, assessed in order (prompts and tools before
    the configs that follow them, so a cascade takes the risk of what it follows).

    ``moves`` (``(address, from, to) -> (level, words)``, :mod:`humectl.decide.pins`): a config whose
    reference moves between two versions whose content is known takes the risk of that content's
    difference (v1 → v4 of a rewritten prompt is a rewrite, whatever this plan does to the prompt)."""
    overrides = dict(overrides or {})
    risk_of: dict[str, str] = {}
    out = []
    for change in changes:
        reasons = assess_change(change, risk_of, overrides, moves)
        level = worst(r.level for r in reasons)
        risk_of[change.address] = level
        out.append(replace(change, risk=level, risk_reasons=tuple(reasons)))
    return out


def ordered(changes: Iterable[Change]) -> list[Change]:
    """``changes`` highest risk first (apply order within a level): how a reviewer reads them."""
    return sorted(changes, key=lambda c: -rank(c.risk))


def deciding(change: Change) -> list[RiskReason]:
    """The reasons at the change's own level: the ones that decided it."""
    return [r for r in change.risk_reasons if r.level == change.risk]
