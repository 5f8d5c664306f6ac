"""What a review of a plan is made of, as data: risk levels, the risk rules, the reasons a rule gave a
change, a team's review policy and the ways a plan violates it.

The rules are data (documented in docs/review.md): an id, a level, the kind it applies to, and either
the field paths it covers or the name of a predicate that decides when it fires (the predicates are
a table in :mod:`humectl.decide.risk`, the step that assesses). Each kind's own rules are declared in
the registry (``Kind.risk_rules``); the rules about whole changes and about any field are here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from humectl.core.kinds import KINDS, REPORT_ORDER, KindName, RiskLevel

__all__ = ["RiskLevel"]  # re-exported: the review's vocabulary

LOW: RiskLevel = "low"
MEDIUM: RiskLevel = "medium"
HIGH: RiskLevel = "high"
LEVELS: tuple[RiskLevel, ...] = (LOW, MEDIUM, HIGH)  # mildest first: max() by index picks the worst
_RANK: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}


def risk_level(value: object) -> RiskLevel:
    """``value`` as a RiskLevel; ValueError when it is none of them (a hand-edited saved plan)."""
    if value not in _RANK:
        raise ValueError(f"unknown risk level {value!r}")
    return cast(RiskLevel, value)


def rank(level: str) -> int:
    return _RANK[level]


def worst(levels: Iterable[str]) -> RiskLevel:
    """The highest of ``levels`` (``low`` when there are none)."""
    return risk_level(max(levels, key=_RANK.__getitem__, default=LOW))


def at_least(level: str, threshold: str) -> bool:
    return _RANK[level] >= _RANK[threshold]


@dataclass(frozen=True)
class Rule:
    """One default risk rule: ``fields`` (dotted paths of the kind's canonical content) or a
    ``predicate`` (a name in ``humectl.decide.risk.PREDICATES``) decides when it fires."""

    id: str
    level: RiskLevel
    words: str
    kind: KindName | None = None  # None: any kind
    fields: tuple[str, ...] = ()
    predicate: str | None = None


@dataclass(frozen=True)
class RiskReason:
    """A rule that fired on one change: its id, the level it gave (after policy), and what it saw."""

    rule: str
    level: RiskLevel
    message: str
    path: str | None = None  # the field path, for a rule about a field (a manifest position exists)
    source: str | None = None  # "file:line:col" of that field in the manifests (relative to their root)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "level": self.level,
            "message": self.message,
            "path": self.path,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RiskReason:
        path, source = data.get("path"), data.get("source")
        return cls(
            str(data["rule"]),
            risk_level(data["level"]),
            str(data["message"]),
            None if path is None else str(path),
            None if source is None else str(source),
        )


# Rules about whole changes, of any kind; each kind's own are in the registry (Kind.risk_rules).
WHOLE_RULES = (
    Rule("delete", HIGH, "a resource is deleted", predicate="delete"),
    Rule("delete_version", LOW, "an old version nothing uses is deleted (retention)", predicate="delete_version"),
    Rule("unmanage", LOW, "humectl stops managing a resource and leaves it live", predicate="unmanage"),
    Rule("create", LOW, "a new resource (nothing uses it until a config does)", predicate="create"),
    Rule("rename", LOW, "a resource is renamed", predicate="rename"),
    Rule("describe", LOW, "only the version description (or protect) changes", predicate="describe"),
    Rule(
        "refused",
        HIGH,
        "a change humectl refuses to apply: a resource another scope manages, a protected or still-used one",
        predicate="refused",
    ),
)
ANY_FIELD_RULES = (
    Rule(
        "invisible",
        LOW,
        "text that reads the same: whitespace, line endings, Unicode normalisation or invisible characters only",
        predicate="content",
    ),
    Rule("content", MEDIUM, "another content field changes (a field a later Hume API adds)", predicate="content"),
)


def _kind_rules() -> tuple[Rule, ...]:
    # Kinds that reference others (configs: what callers hear) first, then as people read them.
    order = sorted(KINDS.values(), key=lambda k: (-len(k.references), REPORT_ORDER.index(k.name)))
    return tuple(
        Rule(r.id, risk_level(r.level), r.words, kind.name, r.fields, r.predicate)
        for kind in order
        for r in kind.risk_rules
    )


RULES: tuple[Rule, ...] = (*WHOLE_RULES, *_kind_rules(), *ANY_FIELD_RULES)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rule_ids() -> list[str]:
    return [r.id for r in RULES]


def field_root(path: str) -> str:
    """The content field a dotted path starts in (``timeouts`` of ``timeouts.inactivity``)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def is_override_key(key: str) -> bool:
    """A ``policy.risk`` key humectl understands: a rule id, or a field path ``kind.field[.sub…]``."""
    if key in RULES_BY_ID:
        return True
    kind, _, path = key.partition(".")
    return kind in KINDS and field_root(path) in KINDS[kind].content_fields


def risk_counts(levels: Iterable[str]) -> dict[str, int]:
    """``{"high": n, "medium": n, "low": n}`` over ``levels`` (one per change)."""
    counts: dict[str, int] = dict.fromkeys(reversed(LEVELS), 0)
    for level in levels:
        counts[level] += 1
    return counts


# --- the review policy ---------------------------------------------------------------------------

FAIL_ON_LEVELS: tuple[RiskLevel, ...] = (HIGH, MEDIUM)
POLICY_KEYS = ("fail_on", "risk", "deny")
DENY = "policy.deny"
FAIL_ON = "policy.fail_on"


@dataclass(frozen=True)
class Policy:
    """The policy of one environment (the top level refined by the environment's own)."""

    risk: Mapping[str, RiskLevel] = field(default_factory=dict)
    fail_on: RiskLevel | None = None
    deny: tuple[str, ...] = ()

    def refined_by(self, other: Policy) -> Policy:
        """This (the top level's) policy with an environment's: its risk keys and fail_on win, its
        deny entries are added."""
        deny = tuple(dict.fromkeys((*self.deny, *other.deny)))
        return Policy({**self.risk, **other.risk}, other.fail_on or self.fail_on, deny)

    def with_fail_on(self, level: RiskLevel | None) -> Policy:
        """This policy with ``--fail-on`` (None: as it is)."""
        return self if level is None else Policy(self.risk, level, self.deny)

    @property
    def empty(self) -> bool:
        return not (self.risk or self.fail_on or self.deny)

    def to_dict(self) -> dict[str, Any]:
        return {"fail_on": self.fail_on, "risk": dict(sorted(self.risk.items())), "deny": list(self.deny)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Policy:
        data = data or {}
        fail_on = data.get("fail_on")
        if fail_on is not None and fail_on not in FAIL_ON_LEVELS:
            raise ValueError(f"unknown fail_on {fail_on!r}")
        levels = {str(k): risk_level(v) for k, v in (data.get("risk") or {}).items()}
        return cls(levels, fail_on, tuple(str(d) for d in data.get("deny") or ()))


@dataclass(frozen=True)
class Violation:
    """One way a plan breaks the policy: a denied field changed, or a change at or over ``fail_on``."""

    address: str
    rule: str  # "policy.deny" or "policy.fail_on"
    message: str
    source: str | None = None  # "file:line:col" in the manifests (relative to their root), when known

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "rule": self.rule, "message": self.message, "source": self.source}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Violation:
        source = data.get("source")
        address, rule, message = str(data["address"]), str(data["rule"]), str(data["message"])
        return cls(address, rule, message, None if source is None else str(source))
