"""Address patterns: what ``--target`` and ``--exclude`` select (``kind/name``, shell-style globs).

A pattern is ``kind/name`` where either part may hold ``*``, ``?`` or ``[...]`` (``config/*``,
``prompt/support-*``, ``*/legacy-*``), matched case-sensitively as names are. In an environment
(``--env``/``--name-prefix``) a pattern matches a resource by its full name or by the name the
manifests write (without the prefix), so ``--target config/support`` works in every environment.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from humectl.core.kinds import KINDS

_GLOB = frozenset("*?[")


def is_glob(pattern: str) -> bool:
    return any(c in _GLOB for c in pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot select anything (None when it can)."""
    kind, sep, name = pattern.partition("/")
    if not sep or not name or not kind:
        return f"{pattern!r} is not an address; use kind/name (globs allowed: config/*, prompt/support-*)"
    if not is_glob(kind) and kind not in KINDS:
        return f"{pattern!r}: unknown kind {kind!r}; use one of {', '.join(KINDS)}"
    return None


def matches(pattern: str, address: str, prefix: str = "") -> bool:
    """Whether ``address`` (``kind/name``, the name with its environment's ``prefix``) is selected."""
    if fnmatch.fnmatchcase(address, pattern):
        return True
    if not prefix:
        return False
    kind, _, name = address.partition("/")
    return name.startswith(prefix) and fnmatch.fnmatchcase(f"{kind}/{name[len(prefix) :]}", pattern)


def selected(patterns: Iterable[str], addresses: Iterable[str], prefix: str = "") -> set[str]:
    """The ``addresses`` any of ``patterns`` selects."""
    chosen = tuple(patterns)
    return {a for a in addresses if any(matches(p, a, prefix) for p in chosen)}


def unmatched(patterns: Iterable[str], addresses: Iterable[str], prefix: str = "") -> list[str]:
    """The ``patterns`` that select none of ``addresses`` (a typo, most likely)."""
    known = tuple(addresses)
    return [p for p in patterns if not any(matches(p, a, prefix) for a in known)]
