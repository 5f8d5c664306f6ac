"""What ``--target`` and ``--exclude`` leave in a plan (patterns: :mod:`humectl.core.addresses`).

``--target`` keeps the selected resources and everything they reference. ``--exclude`` drops the
selected resources' changes, and holds back every change that depends on one of them moving: a
config that follows an excluded prompt's new version, or references an excluded tool that is to be
created or renamed, would point at a version or a name that this apply never makes. Held-back
changes are never applied half-way: each is named in the plan's ``kept`` with the excluded change it
waits for. A dependent of an excluded resource that does not move (no create, rename or new version)
is applied as planned: it references the live resource as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from humectl.core.addresses import selected, unmatched
from humectl.core.errors import PlanError
from humectl.model.plan import CREATE, RENAME, VERSION, Change

# The operations that change what a reference to the resource resolves to (a version, a name).
_MOVES = (CREATE, RENAME, VERSION)
EXCLUDED = "excluded (--exclude)"


def targeted(patterns: Sequence[str], addresses: Iterable[str], prefix: str) -> set[str]:
    """The desired ``addresses`` the ``--target`` patterns select; a pattern selecting none is an error."""
    known = list(addresses)
    for pattern in unmatched(patterns, known, prefix):
        raise PlanError(f"--target {pattern}: no such resource in the manifests")
    return selected(patterns, known, prefix)


def excluded_addresses(patterns: Sequence[str], addresses: Iterable[str], prefix: str) -> set[str]:
    """The addresses (of the manifests and of the account) the ``--exclude`` patterns select; a pattern
    selecting none of them is an error (a typo would otherwise exclude nothing, silently)."""
    known = list(addresses)
    missing = unmatched(patterns, known, prefix)
    if missing:
        raise PlanError(
            f"--exclude {missing[0]}: no such resource in the manifests or the account",
            hint="patterns are kind/name with * ? [..] globs, e.g. --exclude 'config/legacy-*'",
        )
    return selected(patterns, known, prefix)


def _operations(change: Change) -> str:
    return ", ".join(change.operations)


def hold_back(changes: Sequence[Change], excluded: Collection[str]) -> tuple[list[Change], dict[str, str]]:
    """``changes`` without the excluded ones and those that depend on an excluded one moving
    (transitively), and why each left out was left out. ``changes`` are in plan order (what is
    referenced before what references it), so one pass sees every dependency's fate first."""
    kept: list[Change] = []
    why: dict[str, str] = {}
    stopped: dict[str, str] = {}  # address -> the excluded address its move waits for
    for change in changes:
        if change.address in excluded:
            why[change.address] = f"{EXCLUDED}: its {_operations(change)} is not applied"
            if any(change.does(op) for op in _MOVES):
                stopped[change.address] = change.address
            continue
        # Only a create or a new version sends references; a rename or a description does not.
        sends = change.does(CREATE) or change.does(VERSION)
        waiting = sorted(d for d in change.depends_on if d in stopped) if sends else []
        if waiting:
            root = stopped[waiting[0]]
            via = "" if root == waiting[0] else f" (through {waiting[0]})"
            why[change.address] = (
                f"held back: its {_operations(change)} depends on {root}{via}, whose change is excluded (--exclude)"
            )
            stopped[change.address] = root
            continue
        kept.append(change)
    return kept, why
