"""Version retention (``--prune-versions`` with humectl.yaml's ``retention: {keep_versions: N}``): which
old versions of the resources the manifests manage are deleted.

For each resource the manifests define that is live (and not protected, excluded or outside
``--target``), the newest N versions are kept, counting the version this plan makes; the rest are
deleted unless something still needs them. Never deleted:

- the head the plan read (the newest version; with N of 1 and a new version planned, the old head
  stays until the next run);
- a version a live config version references, managed or not (config versions this plan deletes
  and configs it deletes do not count, so a config's old versions go first and what only they
  referenced goes with them, in the same plan), or that a config version this plan makes pins;
- the newest version humectl made (its marker): the last applied state three-way drift compares to,
  unless this plan makes a new version (that one is the last applied state then);
- any version of a protected resource (``protect: true`` in the manifests or on the live head).

Each resource with versions to delete gets a ``delete_version`` operation (its change's ``versions``,
oldest first; the reasons say what is kept and why). Apply runs every removal after every write,
configs' before prompts' and tools' (:func:`humectl.ops.apply.apply_order`), so a server that refuses
to delete what an old config version references still succeeds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from humectl.core.kinds import DEPENDENCY_ORDER, KINDS, KindName, kind_level, referencing_kinds
from humectl.core.provenance import is_protected, made_by_humectl
from humectl.decide.normalize import split_ref
from humectl.model.desired import DesiredResource, ManifestSet
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import CREATE, DELETE, DELETE_VERSION, VERSION, Change, ordered_operations

Matches = Mapping[str, tuple[LiveResource | None, str | None]]
RETENTION_REASON = "old versions"  # how retention's reasons start (renderers show them as they are)


@dataclass(frozen=True)
class RetentionInput:
    """What retention decides from: N, every version of each candidate prompt and tool (address ->
    versions as list pages give them), and every version of every live config."""

    keep: int
    versions: Mapping[str, Sequence[Mapping[str, Any]]]
    config_versions: Sequence[Mapping[str, Any]]


def candidates(
    desired: ManifestSet, matches: Matches, *, protected: bool = False
) -> list[tuple[DesiredResource, LiveResource]]:
    """The managed resources whose versions retention looks at: every resource the manifests define
    that is live; a protected one (in the manifests or on the live head) only with ``protected``."""
    out = []
    for res in desired.resources:
        head = matches.get(res.address, (None, None))[0]
        if head is None:
            continue
        if not protected and (res.protect or is_protected(head.data.get("version_description"))):
            continue
        out.append((res, head))
    return out


def needs_listing(kind: KindName) -> bool:
    """Whether a kind's versions must be listed per resource (configs' come with every config version)."""
    return not KINDS[kind].references


def _number(version: Mapping[str, Any]) -> int:
    return int(version.get("version", 0))


def _references(config_versions: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], list[str]]:
    """(referenced id, version) -> the config versions (``config/c v3``) that pin it. A reference without
    a version, or one following the latest, resolves to a head, which retention never deletes."""
    kinds = referencing_kinds()
    out: dict[tuple[str, int], list[str]] = {}
    for version in config_versions:
        kind = next((k for k in kinds if any(r.field in version for r in k.references)), kinds[0])
        holder = f"{kind.address(str(version.get('name')))} v{_number(version)}"
        for reference in kind.references:
            value = version.get(reference.field)
            for obj in value if isinstance(value, list) else [value] if value else []:
                if not isinstance(obj, dict) or not obj.get("id") or obj.get("version_type") == "LATEST":
                    continue
                if isinstance(obj.get("version"), int) and not isinstance(obj.get("version"), bool):
                    out.setdefault((str(obj["id"]), int(obj["version"])), []).append(holder)
    return out


def _pinned_by_new_versions(changes: Iterable[Change], live: LiveState) -> dict[tuple[str, int], list[str]]:
    """(id, version) of existing versions that the config versions this plan makes pin."""
    out: dict[tuple[str, int], list[str]] = {}
    for change in changes:
        if not (change.does(CREATE) or change.does(VERSION)):
            continue
        for reference in KINDS[change.kind].references:
            value = change.content.get(reference.field)
            for item in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
                try:
                    name, version = split_ref(item)
                except ValueError:
                    continue
                target = live.get(reference.target, name)
                if target is not None and isinstance(version, int) and version <= target.version:
                    out.setdefault((target.id, version), []).append(f"{change.address} (this plan's new version)")
    return out


def versions_text(numbers: Iterable[int]) -> str:
    """``v0–v44`` for a run of versions, ``v3, v7`` otherwise (the plan shows deleted versions so)."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"v{r[0]}" if len(r) == 1 else f"v{r[0]}–v{r[-1]}" for r in runs)


def _decide(
    versions: Sequence[Mapping[str, Any]],
    head: LiveResource,
    keep: int,
    makes_version: bool,
    pinned: Mapping[tuple[str, int], list[str]],
) -> tuple[list[int], list[str]]:
    """The versions of one resource to delete (oldest first) and the reasons that say what stays."""
    numbers = sorted({_number(v) for v in versions if str(v.get("id", head.id)) == head.id}, reverse=True)
    slots = max(keep - (1 if makes_version else 0), 1)
    kept_numbers = set(numbers[:slots]) | {head.version}
    marked = [_number(v) for v in versions if made_by_humectl(v.get("version_description"))]
    also: list[str] = []
    last_applied = max(marked) if marked else None
    # The version this plan makes carries the marker: drift's base moves to it, the old one may go.
    if last_applied is not None and last_applied not in kept_numbers and not makes_version:
        also.append(f"v{last_applied} (humectl's last apply: what drift compares to)")
        kept_numbers.add(last_applied)
    for number in numbers:
        users = pinned.get((head.id, number))
        if number in kept_numbers or not users:
            continue
        shown = sorted(set(users))
        also.append(f"v{number} (used by {', '.join(shown[:3])}{' …' if len(shown) > 3 else ''})")
        kept_numbers.add(number)
    doomed = sorted(n for n in numbers if n not in kept_numbers)
    counted = ", counting the version this plan makes" if makes_version else ""
    reasons = [
        f"{RETENTION_REASON}: {versions_text(doomed)} deleted, beyond the newest {keep} "
        f"(retention.keep_versions{counted}) and used by nothing"
    ]
    if also:
        reasons.append(f"{RETENTION_REASON} kept besides: " + "; ".join(also))
    return doomed, reasons


def plan_retention(
    desired: ManifestSet,
    matches: Matches,
    live: LiveState,
    changes: Sequence[Change],
    retention: RetentionInput,
    *,
    allowed: Collection[str] | None = None,
    excluded: Collection[str] = (),
    kept: Mapping[str, str] | None = None,
) -> tuple[list[Change], dict[str, str]]:
    """``changes`` with the ``delete_version`` operations of retention added (a resource's own change
    gets the operation; one without a change gets a change of its own), and notes for what keeps
    versions it would otherwise lose (protected). ``allowed``: the addresses ``--target`` leaves (None:
    all); ``excluded`` and ``kept`` (held back) are left alone."""
    by_address = {c.address: c for c in changes}
    held = set(kept or {})
    deleted_ids = {c.live_id for c in changes if c.does(DELETE) and c.live_id}
    notes: dict[str, str] = {}
    chosen: list[tuple[DesiredResource, LiveResource]] = []
    for res, head in candidates(desired, matches, protected=True):
        if res.address in excluded or res.address in held or (allowed is not None and res.address not in allowed):
            continue
        if res.protect or is_protected(head.data.get("version_description")):
            if head.version >= retention.keep:  # it may have more than N versions
                notes[res.address] = "protected: --prune-versions deletes none of its versions"
            continue
        chosen.append((res, head))

    config_by_id: dict[str, list[Mapping[str, Any]]] = {}
    for version in retention.config_versions:
        config_by_id.setdefault(str(version.get("id")), []).append(version)

    def makes_version(address: str) -> bool:
        change = by_address.get(address)
        return change is not None and change.does(VERSION)

    doomed: dict[str, tuple[list[int], list[str]]] = {}
    # Configs first: what only their old versions pinned may go too.
    referencing = [(r, h) for r, h in chosen if not needs_listing(r.kind)]
    for res, head in referencing:
        doomed[res.address] = _decide(
            config_by_id.get(head.id, ()), head, retention.keep, makes_version(res.address), {}
        )
    gone = {(h.id, n) for r, h in referencing for n in doomed[r.address][0]}
    surviving = [
        v
        for v in retention.config_versions
        if str(v.get("id")) not in deleted_ids and (str(v.get("id")), _number(v)) not in gone
    ]
    pinned = _references(surviving)
    for key, users in _pinned_by_new_versions(changes, live).items():
        pinned.setdefault(key, []).extend(users)
    for res, head in chosen:
        if needs_listing(res.kind):
            doomed[res.address] = _decide(
                retention.versions.get(res.address, ()), head, retention.keep, makes_version(res.address), pinned
            )

    out = list(changes)
    added: list[Change] = []
    for res, head in chosen:
        numbers, reasons = doomed[res.address]
        if not numbers:
            continue
        why = tuple(reasons)
        change = by_address.get(res.address)
        if change is not None:
            merged = replace(
                change,
                operations=ordered_operations((*change.operations, DELETE_VERSION)),
                reasons=(*change.reasons, *why),
                versions=tuple(numbers),
            )
            out[out.index(change)] = merged
            continue
        added.append(
            Change(
                address=res.address,
                kind=res.kind,
                name=res.name,
                operations=(DELETE_VERSION,),
                reasons=why,
                live_id=head.id,
                live_version=head.version,
                predicted_version=head.version,
                source=f"{res.source.file}:{res.source.line}",
                level=kind_level(res.kind),
                versions=tuple(numbers),
            )
        )
    order = {k: i for i, k in enumerate(DEPENDENCY_ORDER)}
    added.sort(key=lambda c: (-c.level, -order[c.kind], c.name))
    first_delete = next((i for i, c in enumerate(out) if c.does(DELETE)), len(out))
    return [*out[:first_delete], *added, *out[first_delete:]], notes
