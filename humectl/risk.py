"""How much each planned change matters to callers: the risk rules (plain data) and their assessment.

A reviewer cares most about what callers will hear: a new voice, another language model, a tool the
agent can no longer call. Every change of a plan gets a level (``high`` | ``medium`` | ``low``) and
the reasons that decided it, one per rule that fired, in words ("voice ITO → KORA").

The rules are data (:data:`RULES`, documented in docs/review.md): an id, a level, the kind it applies
to, and either the field paths it covers or the name of a predicate (:data:`PREDICATES`) that decides
when it fires. ``policy.risk`` in humectl.yaml overrides the level of a rule id or of a field path
(``config.language_model.temperature: high``); the longest matching key wins.

:func:`assess` sets ``risk``/``risk_reasons`` on every change of a Plan in place, in plan order, so a
config that only follows a prompt's new version (the cascade) takes the risk of that prompt's change.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from humectl.diff import FieldChange, split_lines

if TYPE_CHECKING:
    from humectl.plan import Change, Plan

LOW, MEDIUM, HIGH = "low", "medium", "high"
LEVELS: tuple[str, ...] = (LOW, MEDIUM, HIGH)  # mildest first: max() by index picks the worst
_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Rule:
    """One default risk rule: ``fields`` (dotted paths of the kind's canonical content) or a
    ``predicate`` (a name in :data:`PREDICATES`) decides when it fires; ``words`` say what it means."""

    id: str
    level: str
    words: str
    kind: str | None = None  # None: any kind
    fields: tuple[str, ...] = ()
    predicate: str | None = None


@dataclass(frozen=True)
class RiskReason:
    """A rule that fired on one change: its id, the level it gave (after policy), and what it saw."""

    rule: str
    level: str
    message: str
    path: str | None = None  # the field path, for a rule about a field (a manifest position exists)
    source: str | None = None  # "file:line:col" of that field in the manifests (relative to their root)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "level": self.level, "message": self.message, "path": self.path,
                "source": self.source}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RiskReason:
        level = str(data["level"])
        if level not in _RANK:
            raise ValueError(f"unknown risk level {level!r}")
        path, source = data.get("path"), data.get("source")
        return cls(
            str(data["rule"]), level, str(data["message"]), None if path is None else str(path),
            None if source is None else str(source),
        )  # fmt: skip


# --- the default rules ---------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    # Whole changes.
    Rule("delete", HIGH, "a resource is deleted", predicate="delete"),
    Rule("create", LOW, "a new resource (nothing uses it until a config does)", predicate="create"),
    Rule("rename", LOW, "a resource is renamed", predicate="rename"),
    Rule("describe", LOW, "only the version description (or protect) changes", predicate="describe"),
    # Configs: what callers hear and what the agent can do.
    Rule("config.voice", HIGH, "the voice changes", "config", ("voice",)),
    Rule("config.language_model", HIGH, "the language model's provider or model changes", "config",
         ("language_model.model_provider", "language_model.model_resource")),
    Rule("config.evi_version", HIGH, "the EVI version changes", "config", ("evi_version",)),
    Rule("config.webhooks", HIGH, "webhooks change (events may stop reaching a system)", "config", ("webhooks",)),
    Rule("config.tools.removed", HIGH, "a tool is removed from the config", "config", predicate="tools_removed"),
    Rule("config.builtin_tools.removed", HIGH, "a builtin tool is removed from the config", "config",
         predicate="builtin_tools_removed"),
    Rule("config.prompt.switched", HIGH, "the config points at another prompt", "config", predicate="prompt_switched"),
    Rule("config.tools.added", MEDIUM, "a tool is attached to the config", "config", predicate="tools_added"),
    Rule("config.builtin_tools.added", MEDIUM, "a builtin tool is attached to the config", "config",
         predicate="builtin_tools_added"),
    Rule("config.builtin_tools", MEDIUM, "a builtin tool's settings change", "config", ("builtin_tools",)),
    Rule("config.language_model.settings", MEDIUM, "other language model settings change (temperature)", "config",
         ("language_model",)),
    Rule("config.timeouts", MEDIUM, "timeouts change", "config", ("timeouts",)),
    Rule("config.nudges", MEDIUM, "nudges change", "config", ("nudges",)),
    Rule("config.turn_detection", MEDIUM, "turn detection changes", "config", ("turn_detection",)),
    Rule("config.interruption", MEDIUM, "interruption settings change", "config", ("interruption",)),
    Rule("config.event_messages", MEDIUM, "event messages change", "config", ("event_messages",)),
    Rule("config.ellm_model", MEDIUM, "the eLLM settings change", "config", ("ellm_model",)),
    Rule("config.cascade", LOW, "the config follows a new version of its prompt or tool: it takes that change's "
         "risk", "config", predicate="cascade"),
    # Prompts.
    Rule("prompt.text.rewrite", HIGH, "the prompt text is rewritten: more than half its lines change", "prompt",
         predicate="text_rewrite"),
    Rule("prompt.text", MEDIUM, "the prompt text is edited", "prompt", ("text",)),
    Rule("prompt.prompt_expansion", MEDIUM, "prompt expansion is switched", "prompt", ("prompt_expansion",)),
    # Tools.
    Rule("tool.parameters", MEDIUM, "the tool's parameters change", "tool", ("parameters",)),
    Rule("tool.description", MEDIUM, "the tool's description changes (the model decides by it)", "tool",
         ("description",)),
    Rule("tool.fallback_content", MEDIUM, "the tool's fallback content changes", "tool", ("fallback_content",)),
    # Any kind.
    Rule("invisible", LOW, "text that reads the same: whitespace, line endings, Unicode normalisation or invisible "
         "characters only", predicate="content"),
    Rule("content", MEDIUM, "another content field changes (a field a later Hume API adds)", predicate="content"),
)  # fmt: skip

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

# A prompt text edit touching more than this share of its lines is a rewrite.
REWRITE_SHARE = 0.5


def rule_ids() -> list[str]:
    return [r.id for r in RULES]


# --- assessment ----------------------------------------------------------------------------------


def worst(levels: Iterable[str]) -> str:
    """The highest of ``levels`` (``low`` when there are none)."""
    return max(levels, key=_RANK.__getitem__, default=LOW)


def at_least(level: str, threshold: str) -> bool:
    return _RANK[level] >= _RANK[threshold]


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
        return _at(change.before, rest) != _at(change.after, rest)
    return False


def _root(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _names(refs: Any) -> dict[str, str]:
    """name -> ref of a list of ``name@version`` references."""
    return {str(r).rpartition("@")[0]: str(r) for r in refs or [] if isinstance(r, str)}


def _builtin_names(items: Any) -> list[str]:
    return [str(i.get("name")) for i in items or [] if isinstance(i, dict)]


@dataclass
class _Context:
    """What the predicates of one change see."""

    change: Change
    risk_of: Mapping[str, str]  # address -> risk, of the changes assessed before this one

    def field(self, path: str) -> FieldChange | None:
        return next((f for f in self.change.fields if f.path == path), None)


# (message, field path, level) of each firing; the level None: the rule's own (or policy's).
Found = list[tuple[str, str | None, str | None]]


def _whole(action: str, words: Callable[[Change], str]) -> Callable[[_Context], Found]:
    def predicate(ctx: _Context) -> Found:
        return [(words(ctx.change), None, None)] if ctx.change.action == action else []

    return predicate


def _first_reason(change: Change) -> str:
    return change.reasons[0] if change.reasons else change.action


def _tools_diff(ctx: _Context, removed: bool) -> Found:
    f = ctx.field("tools")
    if f is None:
        return []
    before, after = _names(f.before), _names(f.after)
    names = sorted(set(before) - set(after)) if removed else sorted(set(after) - set(before))
    return [(f"tool {n} {'removed from' if removed else 'attached to'} the config", "tools", None) for n in names]


def _builtin_diff(ctx: _Context, removed: bool) -> Found:
    f = ctx.field("builtin_tools")
    if f is None:
        return []
    before, after = _builtin_names(f.before), _builtin_names(f.after)
    names = [n for n in before if n not in after] if removed else [n for n in after if n not in before]
    verb = "removed from" if removed else "attached to"
    return [(f"builtin tool {n} {verb} the config", "builtin_tools", None) for n in names]


def _prompt_refs(ctx: _Context) -> tuple[str, str, str, str] | None:
    f = ctx.field("prompt")
    if f is None or not isinstance(f.before, str) or not isinstance(f.after, str):
        return None
    (b_name, _, b_version), (a_name, _, a_version) = f.before.rpartition("@"), f.after.rpartition("@")
    return b_name, b_version, a_name, a_version


def _prompt_switched(ctx: _Context) -> Found:
    refs = _prompt_refs(ctx)
    f = ctx.field("prompt")
    if f is not None and (refs is None or refs[0] != refs[2]):
        before = refs[0] if refs else f.before
        after = refs[2] if refs else f.after
        return [(_arrow("prompt", before, after), "prompt", None)]
    return []


def _cascade(ctx: _Context) -> Found:
    """Each reference that stays on the same name and moves to another version (the cascade)."""
    followed: list[tuple[str, str, str]] = []  # (address, from, to)
    refs = _prompt_refs(ctx)
    if refs is not None and refs[0] == refs[2] and refs[1] != refs[3]:
        followed.append((f"prompt/{refs[0]}", refs[1], refs[3]))
    f = ctx.field("tools")
    if f is not None:
        before, after = _names(f.before), _names(f.after)
        for name in sorted(set(before) & set(after)):
            if before[name] != after[name]:
                followed.append((f"tool/{name}", before[name].rpartition("@")[2], after[name].rpartition("@")[2]))
    out: Found = []
    for address, old, new in followed:
        level = ctx.risk_of.get(address)  # None when that change is not in this plan: the rule's low
        tail = f" (its risk: {level})" if level else ""
        path = "prompt" if address.startswith("prompt/") else "tools"
        out.append((f"follows {address} v{old} → v{new}{tail}", path, level))
    return out


def changed_share(before: str, after: str) -> float:
    """The share of lines an edit touches: 1 - matched lines / lines of the longer side."""
    old, new = split_lines(before), split_lines(after)
    longest = max(len(old), len(new))
    if longest == 0:
        return 0.0
    matched = sum(block.size for block in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks())
    return 1 - matched / longest


def _text(ctx: _Context) -> tuple[FieldChange, str, str] | None:
    f = ctx.field("text")
    if f is None or not isinstance(f.before, str) or not isinstance(f.after, str) or ctx.change.action != "version":
        return None
    return f, f.before, f.after


def _text_counts(before: str, after: str) -> str:
    old, new = split_lines(before), split_lines(after)
    matched = sum(b.size for b in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks())
    return f"{max(len(old), len(new)) - matched} of {max(len(old), len(new))} lines changed"


def _text_rewrite(ctx: _Context) -> Found:
    found = _text(ctx)
    if found is None or found[0].note or changed_share(found[1], found[2]) <= REWRITE_SHARE:
        return []
    return [(f"prompt text rewritten: {_text_counts(found[1], found[2])}", "text", None)]


PREDICATES: dict[str, Callable[[_Context], Found]] = {
    "delete": _whole("delete", lambda c: f"deleted: {_first_reason(c)}"),
    "create": _whole("create", lambda c: f"new {c.kind}"),
    "rename": lambda ctx: [(f"renamed from {ctx.change.rename_from}", None, None)] if ctx.change.rename_from else [],
    "describe": _whole("describe", lambda c: "; ".join(c.reasons) or "version description"),
    "tools_removed": lambda ctx: _tools_diff(ctx, removed=True),
    "tools_added": lambda ctx: _tools_diff(ctx, removed=False),
    "builtin_tools_removed": lambda ctx: _builtin_diff(ctx, removed=True),
    "builtin_tools_added": lambda ctx: _builtin_diff(ctx, removed=False),
    "prompt_switched": _prompt_switched,
    "cascade": _cascade,
    "text_rewrite": _text_rewrite,
    "content": lambda ctx: [],  # judged field by field in _field_reasons
}

# Fields whose changes only the predicates above judge: the references.
_JUDGED_BY_PREDICATE = {("config", "prompt"), ("config", "tools")}


def _field_reasons(change: Change, fired: set[str]) -> list[tuple[Rule, str, str]]:
    """(rule, message, path) for each field change, by the most specific field rule that covers it."""
    rules = [r for r in RULES if r.fields and r.kind in (None, change.kind)]
    out: list[tuple[Rule, str, str]] = []
    for f in change.fields:
        root = _root(f.path)
        if (change.kind, root) in _JUDGED_BY_PREDICATE:
            continue
        if f.note:  # reads the same: whatever the field, nobody hears a difference
            out.append((RULES_BY_ID["invisible"], f"{_label(f.path)}: {f.note}", f.path))
            continue
        if (change.kind, root) == ("prompt", "text"):
            if "prompt.text.rewrite" not in fired:
                counts = _text_counts(str(f.before or ""), str(f.after or ""))
                out.append((RULES_BY_ID["prompt.text"], f"prompt text edited: {counts}", "text"))
            continue
        if root == "builtin_tools" and fired & {"config.builtin_tools.removed", "config.builtin_tools.added"}:
            continue
        matches = [(len(field), r) for r in rules for field in r.fields if covers(field, f)]
        rule = max(matches, key=lambda m: m[0])[1] if matches else RULES_BY_ID["content"]
        if rule.fields and rule.fields[0] in ("webhooks", "builtin_tools"):
            message = f"{rule.fields[0]} changed"  # lists of objects: the field diff shows them
        else:
            message = _arrow(_label(f.path), f.before, f.after)
        out.append((rule, message, f.path))
    return out


def _override(rule: Rule, path: str | None, kind: str, overrides: Mapping[str, str]) -> str | None:
    """The level ``policy.risk`` gives this firing: of the longest key that is its rule id or a field
    path (``kind.path``) covering its path; None when no key does."""
    full = f"{kind}.{path}" if path is not None else None
    keys = [
        k for k in overrides
        if k == rule.id or (full is not None and (full == k or full.startswith((k + ".", k + "["))))
    ]  # fmt: skip
    return overrides[max(keys, key=len)] if keys else None


def assess_change(change: Change, risk_of: Mapping[str, str], overrides: Mapping[str, str]) -> list[RiskReason]:
    """Every rule that fires on ``change``, with its level after ``overrides``."""
    ctx = _Context(change, risk_of)
    found: list[tuple[Rule, str, str | None, str | None]] = []
    fired: set[str] = set()
    for rule in RULES:
        if rule.predicate is None or rule.kind not in (None, change.kind):
            continue
        for message, path, level in PREDICATES[rule.predicate](ctx):
            found.append((rule, message, path, level))
            fired.add(rule.id)
    if change.action == "version":
        found.extend((rule, message, path, None) for rule, message, path in _field_reasons(change, fired))
    reasons = []
    for rule, message, path, given in found:
        # The policy's level wins; else the level the predicate gave (a cascade: what it follows),
        # else the rule's own.
        level = _override(rule, path, change.kind, overrides) or given or rule.level
        reasons.append(RiskReason(rule.id, level, message, path))
    return sorted(reasons, key=lambda r: -_RANK[r.level])  # the deciding ones first


def assess(plan: Plan, overrides: Mapping[str, str] | None = None) -> None:
    """Set ``risk`` and ``risk_reasons`` on every change of ``plan``, in plan order (prompts and tools
    before the configs that follow them)."""
    overrides = dict(overrides or {})
    risk_of: dict[str, str] = {}
    for change in plan.changes:
        change.risk_reasons = assess_change(change, risk_of, overrides)
        change.risk = worst(r.level for r in change.risk_reasons)
        risk_of[change.address] = change.risk


def summary(changes: Iterable[Change]) -> dict[str, int]:
    """``{"high": n, "medium": n, "low": n}`` over ``changes``."""
    counts = dict.fromkeys(reversed(LEVELS), 0)
    for change in changes:
        counts[change.risk] += 1
    return counts


def ordered(changes: Iterable[Change]) -> list[Change]:
    """``changes`` highest risk first (apply order within a level): how a reviewer reads them."""
    return sorted(changes, key=lambda c: -_RANK[c.risk])


def deciding(change: Change) -> list[RiskReason]:
    """The reasons at the change's own level: the ones that decided it."""
    return [r for r in change.risk_reasons if r.level == change.risk]


def summary_line(counts: Mapping[str, int]) -> str:
    """``Risk: 1 high, 3 medium, 5 low``."""
    return "Risk: " + ", ".join(f"{counts.get(level, 0)} {level}" for level in reversed(LEVELS))


def is_override_key(key: str) -> bool:
    """A ``policy.risk`` key humectl understands: a rule id, or a field path ``kind.field[.sub…]``."""
    from humectl.kinds import KINDS

    if key in RULES_BY_ID:
        return True
    kind, _, path = key.partition(".")
    return kind in KINDS and _root(path) in KINDS[kind].content_fields
