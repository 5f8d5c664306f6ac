"""What a config's moved reference changes for the agent: the risk of a pin move is the difference
between the content of the two versions it moves between, not the distance of the version numbers.

A config that moves its prompt from v1 to v4 gets v4's text; if that text was rewritten since v1, the
move is as risky as the rewrite, whatever this plan does to the prompt itself. :func:`pin_moves`
finds every such move in a plan (a reference of a changed config that stays on the same resource and
changes version), :func:`versions_to_read` the versions whose content the plan and the live heads do
not already hold (an older version a config pinned: one read each, only for moves), and
:func:`move_risks` rates each move as a new version of that resource from one side to the other
would be rated (:func:`humectl.decide.risk.assess_change`).

The plain cascade (a config on the live head following the version this plan makes) needs nothing
here: its risk is that change's own, which :mod:`humectl.decide.risk` already takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from humectl.core.kinds import KINDS, KindName
from humectl.decide.diff import diff_fields
from humectl.decide.normalize import normalize_live, split_ref
from humectl.decide.risk import assess_change
from humectl.model.live import LiveState
from humectl.model.plan import VERSION, Change, Plan
from humectl.model.review import RiskLevel, worst

VersionKey = tuple[KindName, str, int]  # (kind, name, version)


@dataclass(frozen=True)
class PinMove:
    """A reference that moves from one version of a resource to another."""

    kind: KindName
    name: str
    before: int
    after: int

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"


# (address, from version, to version) -> (risk level, the reasons in words): what a move changes for
# the agent (humectl.decide.risk.assess takes it as ``moves``)
MoveRisks = dict[tuple[str, int, int], tuple[RiskLevel, str]]


def _versions_by_name(value: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
        try:
            name, version = split_ref(item)
        except ValueError:
            continue
        if isinstance(version, int):
            out[name] = version
    return out


def pin_moves(plan: Plan, live: LiveState) -> list[PinMove]:
    """Every reference of a new config version that moves between two versions of one resource, but the
    plain cascade (from the live head onto the version this plan makes)."""
    made = {c.address: c.predicted_version for c in plan.changes if c.does(VERSION)}
    found: dict[PinMove, None] = {}
    for change in plan.changes:
        if not change.does(VERSION):
            continue
        for reference in KINDS[change.kind].references:
            field = next((f for f in change.fields if f.path == reference.field), None)
            if field is None:
                continue
            before, after = _versions_by_name(field.before), _versions_by_name(field.after)
            for name in sorted(before.keys() & after.keys()):
                move = PinMove(reference.target, name, before[name], after[name])
                head = live.get(move.kind, name)
                cascade = head is not None and move.before == head.version and made.get(move.address) == move.after
                if move.before != move.after and not cascade:
                    found[move] = None
    return list(found)


def _known(move_kind: KindName, name: str, version: int, plan: Plan, live: LiveState) -> dict[str, Any] | None:
    """The canonical content of that version when the plan (the version it makes) or a complete live
    head holds it, else None."""
    change = plan.change(f"{move_kind}/{name}")
    if change is not None and change.does(VERSION) and change.predicted_version == version:
        return dict(change.content)
    head = live.get(move_kind, name)
    if head is not None and head.version == version and head.complete:
        return normalize_live(move_kind, head.data)
    return None


def versions_to_read(moves: Iterable[PinMove], plan: Plan, live: LiveState) -> list[VersionKey]:
    """The versions the moves need whose content is not known yet (each once), to read from the API."""
    wanted: dict[VersionKey, None] = {}
    for move in moves:
        for version in (move.before, move.after):
            if live.get(move.kind, move.name) is not None and _known(move.kind, move.name, version, plan, live) is None:
                wanted[(move.kind, move.name, version)] = None
    return list(wanted)


def move_risks(
    moves: Iterable[PinMove],
    plan: Plan,
    live: LiveState,
    read: Mapping[VersionKey, Mapping[str, Any]],
    overrides: Mapping[str, str] | None = None,
) -> MoveRisks:
    """``(address, before, after) -> (level, words)`` of each move whose two sides are known (``read``:
    the versions :func:`versions_to_read` named, as the API returned them)."""
    out: MoveRisks = {}
    for move in moves:
        sides = []
        for version in (move.before, move.after):
            data = read.get((move.kind, move.name, version))
            sides.append(
                normalize_live(move.kind, data)
                if data is not None
                else _known(move.kind, move.name, version, plan, live)
            )
        before, after = sides
        if before is None or after is None:
            continue  # not readable (deleted meanwhile): the cascade rule's own level stands
        out[(move.address, move.before, move.after)] = _rated(move, before, after, overrides or {})
    return out


def _rated(
    move: PinMove, before: dict[str, Any], after: dict[str, Any], overrides: Mapping[str, str]
) -> tuple[RiskLevel, str]:
    kind = KINDS[move.kind]
    fields = diff_fields(before, after, json_fields=kind.json_schema_fields)
    if not fields:
        return "low", "the same content"
    as_version = Change(
        address=move.address, kind=move.kind, name=move.name, operations=(VERSION,), fields=tuple(fields)
    )
    reasons = assess_change(as_version, {}, overrides)
    level = worst(r.level for r in reasons)
    words = "; ".join(r.message for r in reasons if r.level == level)
    return level, words
