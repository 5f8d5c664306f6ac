"""The manifests' ``removed:`` section: resources humectl stops managing and leaves live.

Each entry is ``{address: kind/name}``, the name as the manifests write it (the environment's name
prefix is added, as for resources). An address that the manifests also define (by name or through a
``previous_names`` entry), or one listed twice, is an error: humectl cannot both manage a resource
and stop managing it. What a plan does with the entries is :mod:`humectl.decide.unmanage`.
"""

from __future__ import annotations

from collections.abc import Iterable

from humectl.core.errors import Problem
from humectl.core.kinds import KINDS
from humectl.load.yamldoc import Document
from humectl.model.desired import DesiredResource, Removed, Source

SECTION = "removed"


def removed_entries(
    documents: Iterable[Document], prefix: str, resources: Iterable[DesiredResource]
) -> tuple[list[Removed], list[Problem]]:
    """Every ``removed:`` entry of ``documents`` (their shape is the schema's to check), and the
    problems of those that name a resource the manifests define or repeat another entry."""
    defined: dict[str, DesiredResource] = {}
    for res in resources:
        for name in (res.name, *res.previous_names):
            defined.setdefault(f"{res.kind}/{name}", res)
    found: list[Removed] = []
    problems: list[Problem] = []
    seen: dict[str, Source] = {}
    for doc in documents:
        items = doc.data.get(SECTION) if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            address = item.get("address") if isinstance(item, dict) else None
            if not isinstance(address, str):
                continue  # the schema reports it
            kind, _, name = address.partition("/")
            if kind not in KINDS or not name:
                continue  # the schema's pattern reports it
            pointer = f"/{SECTION}/{i}/address"
            line, col = doc.position(pointer)
            entry = Removed(kind, prefix + name, Source(doc.rel, line, col))
            if entry.address in defined:
                res = defined[entry.address]
                how = "defines" if res.name == entry.name else f"renames it to {res.name} (previous_names)"
                problems.append(
                    doc.problem(
                        pointer,
                        f"{address} is listed under removed: but the manifests still manage it: "
                        f"{res.source.file}:{res.source.line} {how}",
                        "keep one of them: delete the entry to keep managing it, or the removed: item",
                        rule="removed",
                    )
                )
                continue
            if entry.address in seen:
                first = seen[entry.address]
                problems.append(
                    doc.problem(
                        pointer,
                        f"{address} is listed under removed: twice (first at {first.file}:{first.line})",
                        rule="removed",
                    )
                )
                continue
            seen[entry.address] = entry.source
            found.append(entry)
    return found, problems
