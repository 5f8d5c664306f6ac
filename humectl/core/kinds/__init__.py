"""The registry of resource kinds (tool, prompt, config): everything that differs per kind lives here.

Each kind has a module of its own (:mod:`humectl.core.kinds.prompt`, :mod:`~humectl.core.kinds.tool`,
:mod:`~humectl.core.kinds.config`) holding its :class:`Kind` as data: API paths, content fields,
references, text and JSON Schema fields, detail fields, defaults, export layout and risk rules. Code
elsewhere is written once over these declarations instead of branching on a kind's name;
docs/adding-a-kind.md lists what a new kind touches.
"""

from __future__ import annotations

from humectl.core.kinds import config, prompt, tool
from humectl.core.kinds.base import Kind, KindName, Reference, RiskLevel, RiskRule, TextFile

__all__ = [
    "DEPENDENCY_ORDER",
    "KINDS",
    "LOCK_KIND",
    "PLAN_ORDER",
    "REPORT_ORDER",
    "Kind",
    "KindName",
    "Reference",
    "RiskLevel",
    "RiskRule",
    "TextFile",
    "kind_level",
    "kind_name",
    "parse_address",
    "referenced_kinds",
    "referencing_kinds",
]

TOOL, PROMPT, CONFIG = tool.KIND, prompt.KIND, config.KIND

KINDS: dict[KindName, Kind] = {k.name: k for k in (TOOL, PROMPT, CONFIG)}

# Apply order: what is referenced comes before what references it. Deletes run in reverse.
DEPENDENCY_ORDER: tuple[KindName, ...] = ("tool", "prompt", "config")

# The order kinds are counted and listed in for people (validate's summary, PR comment tables).
REPORT_ORDER: tuple[KindName, ...] = ("prompt", "tool", "config")

# The kind whose reserved name holds the account lock (humectl/lock.py).
LOCK_KIND: Kind = next(k for k in KINDS.values() if k.reserved_name)


def kind_level(kind_name: KindName, _seen: tuple[str, ...] = ()) -> int:
    """Apply level of a kind: 0 when it references nothing, else one past what it references."""
    kind = KINDS[kind_name]
    if not kind.references:
        return 0
    return 1 + max(kind_level(r.target, (*_seen, kind_name)) for r in kind.references)


# Kinds in the order they are planned and applied: by level, then as DEPENDENCY_ORDER lists them.
PLAN_ORDER = tuple(sorted(DEPENDENCY_ORDER, key=lambda k: (kind_level(k), DEPENDENCY_ORDER.index(k))))


def referenced_kinds() -> tuple[KindName, ...]:
    """Kinds some other kind references (prompt, tool), in REPORT_ORDER."""
    targets = {r.target for k in KINDS.values() for r in k.references}
    return tuple(k for k in REPORT_ORDER if k in targets)


def referencing_kinds() -> tuple[Kind, ...]:
    """Kinds that reference others (config), in DEPENDENCY_ORDER."""
    return tuple(KINDS[k] for k in DEPENDENCY_ORDER if KINDS[k].references)


def kind_name(value: object) -> KindName:
    """``value`` as a KindName; ValueError when no kind has that name (a hand-edited saved plan)."""
    if not isinstance(value, str) or value not in KINDS:
        raise ValueError(f"unknown kind {value!r}; one of {', '.join(KINDS)}")
    return value


def parse_address(address: str) -> tuple[KindName, str]:
    """Split ``kind/name`` into its parts; raise ValueError with a helpful message otherwise."""
    kind, sep, name = address.partition("/")
    if not sep or kind not in KINDS or not name:
        raise ValueError(f"{address!r} is not an address; use kind/name with kind one of {', '.join(KINDS)}")
    return kind, name
