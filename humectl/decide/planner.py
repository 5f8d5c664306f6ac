"""The planner: builds a :class:`~humectl.model.plan.Plan` (plain data) from desired and live state.

Matching (names, ``previous_names``), the reference cascade, and prune/destroy deletes live here;
the Plan and its saved form are :mod:`humectl.model.plan`.

``build_plan`` never talks to the API and never prints. Per resource it decides the operations of
its change, in order (:mod:`humectl.model.plan`):

- ``create``   no live resource of that name (nor of one of its ``previous_names``);
- ``rename``   found under a ``previous_names`` entry (PATCH the name), then whatever else differs;
- ``version``  canonical content differs: a new version (with the reason: which fields changed,
               or ``prompt/x v3 → v4`` when a config follows a prompt that gets a new version);
- ``describe`` only ``version_description`` (or ``protect``) differs (PATCH the head, no new version);
- ``unmanage`` a ``removed:`` entry whose head carries humectl's marker (:mod:`humectl.decide.unmanage`);
- ``delete_version`` (``--prune-versions``) old versions nothing uses (:mod:`humectl.decide.retention`);
- ``delete``   (prune) a live resource the manifests no longer have, unless in use (what the newest
               version of a live config uses) or protected: those are named in the plan's ``kept``;
- no change    listed under ``unchanged``.

``--target``/``--exclude`` select by address pattern (:mod:`humectl.decide.selection`); what depends
on an excluded change is held back and named in ``kept``.

A config reference without a version follows the newest version humectl manages, so a prompt's
new version cascades to every config following it; a pinned ``{name, version}`` never moves.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from humectl.core.addresses import matches, selected
from humectl.core.errors import PlanError
from humectl.core.kinds import (
    DEPENDENCY_ORDER,
    KINDS,
    PLAN_ORDER,
    Kind,
    KindName,
    kind_level,
    parse_address,
    referencing_kinds,
)
from humectl.core.provenance import describe, is_protected, made_by_humectl, owner_prefix, strip_marker
from humectl.decide import policy, risk
from humectl.decide.diff import diff_fields, text_diff
from humectl.decide.normalize import LATEST, Ref, content_keys, normalize_desired, normalize_live, ref, split_ref
from humectl.decide.retention import RetentionInput, plan_retention
from humectl.decide.selection import EXCLUDED, excluded_addresses, hold_back, targeted
from humectl.decide.unmanage import REMOVED, unmanage_changes
from humectl.model.desired import DesiredResource, ManifestSet
from humectl.model.fields import FieldChange
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import CREATE, DELETE, DESCRIBE, RENAME, VERSION, Change, Plan
from humectl.model.review import RiskLevel


class PlanBuilder:
    """Builds a Plan while the live state streams in, so planning overlaps the listing's network wait.

    Feed it each page of live heads (``add_page``) and say when a kind's listing is complete
    (``complete``); ``finish`` returns the Plan. A desired resource is planned as soon as everything
    it depends on is known: one found live under its own name, once the kinds it references are fully
    planned (their new heads decide its references); the rest (creates, renames through
    ``previous_names``) when its own kind is complete. Feeding it everything at once is
    :func:`build_plan`; both give the same Plan.
    """

    def __init__(self, desired: ManifestSet, *, run_id: str, message: str | None = None) -> None:
        self.desired = desired
        self.live = LiveState()  # grows page by page; replaced by the checked, complete one in finish()
        self.run_id = run_id
        self.message = message
        self.heads: dict[str, int] = {}  # address -> head version after apply
        self.matches: dict[str, tuple[LiveResource | None, str | None]] = {}
        self.rename: dict[tuple[str, str], str] = {}
        self.results: dict[str, Change | None] = {}  # address -> its change, None when unchanged
        self._desired = {(r.kind, r.name): r for r in desired.resources}
        self._complete: set[str] = set()  # kinds whose listing is complete
        self._planned: set[str] = set()  # kinds whose every desired resource is planned
        self._detail_names: dict[str, set[str]] = {}  # kind -> live names needing needs_detail()
        # Addresses planned as a new version from a head that lacks a detail field: the version must
        # carry that field's live value, so the head is read (engine.plan_live) and replanned.
        self.incomplete: dict[str, LiveResource] = {}

    def _ready(self, kind_name: KindName) -> bool:
        return all(r.target in self._planned for r in KINDS[kind_name].references)

    def needs_detail(self, kind_name: KindName, item: Mapping[str, Any]) -> bool:
        """Whether this listed head lacks a field (``Kind.detail_fields``) its manifest entry sets (a
        null included), so it must be read on its own before it can be compared at all.

        Heads whose manifest entry sets no detail field are planned from the list item; only those
        that then get a new version are read (``incomplete``, then :meth:`replan`)."""
        fields = KINDS[kind_name].detail_fields
        if not fields:
            return False
        wanted = self._detail_names.get(kind_name)
        if wanted is None:
            wanted = self._detail_names[kind_name] = {
                name
                for res in self.desired.of_kind(kind_name)
                if any(f in res.spec for f in fields)
                for name in (res.name, *res.previous_names)
            }
        return str(item.get("name")) in wanted and any(f not in item for f in fields)

    def add_page(self, kind_name: KindName, items: Iterable[Mapping[str, Any]]) -> None:
        """One page of live heads of a kind; plans the desired resources they settle."""
        ready = self._ready(kind_name)
        for item in items:
            live_res = LiveResource(
                kind=kind_name,
                name=str(item.get("name")),
                id=str(item.get("id")),
                version=int(item.get("version", 0)),
                data=dict(item),
            )
            self.live.resources.setdefault((kind_name, live_res.name), live_res)
            res = self._desired.get((kind_name, live_res.name))
            if ready and res is not None and res.address not in self.results:
                self.matches[res.address] = (live_res, None)
                self.results[res.address] = self.plan_resource(res)

    def replan(self, address: str, head: LiveResource) -> None:
        """Plan ``address`` again from its completed live ``head`` (same id and version as before).

        Only the change's content and field diff can move: the action and the predicted version (which
        dependents already used) stay, since the fields a list gives already differed.
        """
        kind_name, name = parse_address(address)
        res = self._desired[(kind_name, name)]
        _, renamed_from = self.matches[address]
        self.matches[address] = (head, renamed_from)
        self.live.resources[(kind_name, head.name)] = head
        self.incomplete.pop(address, None)
        self.results[address] = self.plan_resource(res)

    def complete(self, kind_name: KindName) -> None:
        """A kind's listing is complete: plan what is left of it, and what that unblocks."""
        self._complete.add(kind_name)
        progress = True
        while progress:
            progress = False
            for kind in PLAN_ORDER:
                if kind in self._planned or kind not in self._complete or not self._ready(kind):
                    continue
                self._match_kind(kind)
                for res in sorted(self.desired.of_kind(kind), key=lambda r: r.name):
                    if res.address not in self.results:
                        self.results[res.address] = self.plan_resource(res)
                self._planned.add(kind)
                progress = True

    def _match_kind(self, kind_name: KindName) -> None:
        """Match each desired resource of a complete kind: by its name first, then ``previous_names``."""
        claimed = {(r.kind, r.name) for r, _ in self.matches.values() if r is not None}
        pending = [r for r in self.desired.of_kind(kind_name) if r.address not in self.matches]
        for res in pending:  # exact names first, so no previous_names entry can take another's resource
            live_res = self.live.get(kind_name, res.name)
            if live_res is not None:
                self.matches[res.address] = (live_res, None)
                claimed.add((kind_name, res.name))
        for res in pending:
            if res.address in self.matches:
                continue
            self.matches[res.address] = (None, None)
            for old in res.previous_names:
                candidate = self.live.get(kind_name, old)
                if candidate is not None and (kind_name, old) not in claimed:
                    self.matches[res.address] = (candidate, old)
                    self.rename[(kind_name, old)] = res.name
                    claimed.add((kind_name, old))
                    break

    def finish(
        self,
        live: LiveState,
        *,
        targets: Iterable[str] = (),
        excludes: Iterable[str] = (),
        prune: bool = False,
        prune_unmanaged: bool = False,
        config_versions: list[dict[str, Any]] | None = None,
        allow_empty: bool = False,
        retention: RetentionInput | None = None,
    ) -> Plan:
        """The Plan, in dependency order (deletes last). ``live`` is the complete, checked live state.

        ``targets``/``excludes`` are address patterns (:mod:`humectl.decide.selection`); ``retention``
        (``--prune-versions``) adds the deletes of old versions (:mod:`humectl.decide.retention`)."""
        for kind in DEPENDENCY_ORDER:
            self.complete(kind)
        if self.incomplete:
            # A new version made from a list item would drop the live value of a field the list
            # leaves out: the heads must be completed first (live.complete_heads, as plan_live does).
            raise PlanError(
                f"cannot plan new versions of {', '.join(sorted(self.incomplete))} from list items alone",
                hint="complete their live heads first (humectl.io.listing.complete_heads)",
            )
        self.live = live
        targets, excludes = list(targets), list(excludes)
        prefix = self.desired.name_prefix
        changes: list[Change] = []
        unchanged: list[str] = []
        for kind_name in PLAN_ORDER:
            for res in sorted(self.desired.of_kind(kind_name), key=lambda r: r.name):
                change = self.results[res.address]
                if change is None:
                    unchanged.append(res.address)
                else:
                    changes.append(change)
        changes.extend(unmanage_changes(self.desired, live))
        allowed: set[str] | None = None  # what --target leaves (None: everything)
        if targets:
            chosen = targeted(targets, [r.address for r in self.desired.resources], prefix)
            keep = dependency_closure(self.desired, chosen) | selected(
                targets, [r.address for r in self.desired.removed], prefix
            )
            changes = [c for c in changes if c.address in keep]
            unchanged = [a for a in unchanged if a in keep]
            allowed = keep
        kept: dict[str, str] = {}
        excluded: set[str] = set()
        if excludes:
            known = [
                *(r.address for r in self.desired.resources),
                *(r.address for r in self.desired.removed),
                *(r.address for r in live.resources.values()),
            ]
            excluded = excluded_addresses(excludes, known, prefix)
            changes, kept = hold_back(changes, excluded)
        kept_unmanaged: list[str] = []
        deletes_all = False
        if prune:
            superseded = {c.live_id for c in changes if c.live_id and c.does(VERSION) and KINDS[c.kind].references}
            pruned = plan_deletes(
                self,
                prune_unmanaged=prune_unmanaged,
                config_versions=config_versions or [],
                targets=targets,
                excluded=excluded,
                superseded=superseded,
            )
            changes.extend(pruned.deletes)
            kept.update(pruned.kept)
            kept_unmanaged = pruned.kept_unmanaged
            managed = [  # of this environment: a prune never deletes another's
                r.address
                for r in live.resources.values()
                if (prune_unmanaged or made_by_humectl(r.data.get("version_description")))
                and in_scope(r, self.desired.name_prefix, self.desired.declared_prefixes)
            ]
            deleted = {c.address for c in pruned.deletes}
            deletes_all = bool(managed) and all(address in deleted for address in managed)
        if retention is not None:
            changes, notes = plan_retention(
                self.desired, self.matches, live, changes, retention, allowed=allowed, excluded=excluded, kept=kept
            )
            kept.update(notes)
        plan = Plan(
            changes=tuple(changes),
            unchanged=tuple(unchanged),
            live_fingerprint=live.fingerprint(),
            run_id=self.run_id,
            message=self.message,
            partial=bool(targets) or bool(excludes),
            targets=tuple(targets),
            excluded=tuple(excludes),
            pruned=prune,
            kept_unmanaged=tuple(kept_unmanaged),
            name_prefix=self.desired.name_prefix,
            environment=self.desired.environment,
            deletes_all_managed=deletes_all,
            allow_empty=allow_empty,
            kept=kept,
        )
        return review(plan, self.desired)

    def resolve(self, owner: DesiredResource, target: KindName, spec: Mapping[str, Any]) -> Ref:
        name = str(spec.get("name"))
        address = f"{target}/{name}"
        pinned = spec.get("version")
        managed = address in self.matches  # every desired resource has an entry (O(1), not a scan)
        live_res = self.matches[address][0] if managed else self.live.get(target, name)
        if pinned is not None:
            newest = live_res.version if live_res is not None else None
            if newest is None and not (managed and int(pinned) == 0):
                raise PlanError(f"{owner.address} pins {address} version {pinned}, which does not exist live")
            if newest is not None and int(pinned) > newest:
                raise PlanError(
                    f"{owner.address} pins {address} version {pinned}, but its newest live version is {newest}"
                )
            return ref(name, int(pinned))
        if address in self.heads:
            return ref(name, self.heads[address])
        if live_res is not None:  # not managed here: follow its newest live version
            return ref(name, live_res.version)
        known = sorted({r.name for r in self.desired.of_kind(target)} | {r.name for r in self.live.of_kind(target)})
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {target}/{close[0]}?" if close else f"define {address} in the manifests"
        raise PlanError(
            f"{owner.address} references {address}, which neither the manifests nor the account have",
            hint=hint,
        )

    def plan_resource(self, res: DesiredResource) -> Change | None:
        """The change ``res`` needs (None: unchanged). Refused (``blocked_by``) when its live resource
        is humectl's in another scope (:func:`foreign_scope`): a scope never takes over another's."""
        change = self._plan_resource(res)
        live_res = self.matches[res.address][0]
        why = foreign_scope(live_res, self.desired) if live_res is not None else None
        if why is None:
            return change
        assert live_res is not None
        if change is None:  # nothing differs, and still not this scope's to manage
            change = Change(
                address=res.address,
                kind=res.kind,
                name=res.name,
                operations=(DESCRIBE,),
                predicted_version=live_res.version,
                live_id=live_res.id,
                live_version=live_res.version,
                source=f"{res.source.file}:{res.source.line}",
                level=kind_level(res.kind),
            )
        return replace(change, blocked_by=why, reasons=(why, *change.reasons))

    def _plan_resource(self, res: DesiredResource) -> Change | None:
        live_res, renamed_from = self.matches[res.address]

        def where() -> dict[str, Any]:
            # Only built for a Change: most resources of a large account have none.
            references = KINDS[res.kind].references
            return {
                "depends_on": tuple(
                    sorted({f"{r.target}/{n}" for r in references for n in _ref_names(res.spec.get(r.field))})
                ),
                "source": f"{res.source.file}:{res.source.line}",
                "level": kind_level(res.kind),
            }

        def resolve(target: KindName, spec: Mapping[str, Any]) -> Ref:
            return self.resolve(res, target, spec)

        def marked(text: str | None) -> str:
            # The description humectl writes: the user's text with this run's marker (scope, protection).
            return describe(
                text,
                self.run_id,
                protect=res.protect,
                prefix=self.desired.name_prefix,
                scoped=bool(self.desired.declared_prefixes),
            )

        if live_res is None:
            content = normalize_desired(res.kind, res.spec, resolve)
            self.heads[res.address] = 0
            return Change(
                address=res.address,
                kind=res.kind,
                name=res.name,
                operations=(CREATE,),
                reasons=("new",),
                fields=tuple(diff_fields({}, content)),
                text_diff=text_diff("", content["text"], res.address) if isinstance(content.get("text"), str) else None,
                predicted_version=0,
                content=content,
                version_description=marked(res.version_description or self.message),
                **where(),
            )
        live_content = normalize_live(res.kind, live_res.data, self.rename)
        following_latest = _latest_refs(res.kind, live_content)

        def resolve_live(target: KindName, spec: Mapping[str, Any]) -> Ref:
            # A live config made elsewhere may follow "latest" (no version pinned): it already
            # follows every new version, which is what an unpinned manifest reference asks for.
            name = str(spec.get("name"))
            if spec.get("version") is None and (target, name) in following_latest:
                return ref(name, LATEST)
            return self.resolve(res, target, spec)

        content = normalize_desired(res.kind, res.spec, resolve_live, live_content, live_res.data)

        def common() -> dict[str, Any]:
            return {
                "address": res.address,
                "kind": res.kind,
                "name": res.name,
                "live_id": live_res.id,
                "live_version": live_res.version,
                "rename_from": renamed_from,
                **where(),
            }

        renaming = (RENAME,) if renamed_from is not None else ()
        if content != live_content:
            if not live_res.complete:
                self.incomplete[res.address] = live_res
            self.heads[res.address] = live_res.version + 1
            before_text, after_text = live_content.get("text"), content.get("text")
            return Change(
                operations=(*renaming, VERSION),
                reasons=tuple(_reasons(res.kind, live_content, content)),
                fields=tuple(diff_fields(live_content, content, json_fields=KINDS[res.kind].json_schema_fields)),
                text_diff=text_diff(before_text, after_text, res.address)
                if isinstance(before_text, str) and isinstance(after_text, str) and before_text != after_text
                else None,
                predicted_version=live_res.version + 1,
                content=content,
                version_description=marked(res.version_description or self.message),
                **common(),
            )
        self.heads[res.address] = live_res.version
        raw_description = live_res.data.get("version_description")
        live_description = strip_marker(raw_description)
        # Compared as humectl writes it (provenance.describe trims it; the marker's own spaces go too):
        # a description that differs only at its ends could never converge.
        wants_description = (
            res.version_description is not None and res.version_description.strip() != (live_description or "").strip()
        )
        live_protect = is_protected(raw_description)
        if wants_description or live_protect != res.protect:
            reasons: list[str] = [f"renamed from {renamed_from}"] if renamed_from is not None else []
            fields: list[FieldChange] = []
            if wants_description:
                reasons.append(f"version_description: {live_description!r} → {res.version_description!r}")
                fields.append(FieldChange("version_description", live_description, res.version_description))
            if live_protect != res.protect:
                reasons.append(f"protect: {str(live_protect).lower()} → {str(res.protect).lower()}")
                fields.append(FieldChange("protect", live_protect, res.protect))
            text = res.version_description if res.version_description is not None else live_description
            return Change(
                operations=(*renaming, DESCRIBE),
                reasons=tuple(reasons),
                fields=tuple(fields),
                predicted_version=live_res.version,
                version_description=marked(text),
                **common(),
            )
        if renamed_from is not None:
            return Change(
                operations=(RENAME,),
                reasons=(f"renamed from {renamed_from}",),
                predicted_version=live_res.version,
                **common(),
            )
        return None


def review(
    plan: Plan,
    desired: ManifestSet | None = None,
    *,
    fail_on: RiskLevel | None = None,
    moves: Mapping[tuple[str, int, int], tuple[str, str]] | None = None,
) -> Plan:
    """``plan`` reviewed: the risk of every change assessed (:mod:`humectl.decide.risk`, with the overrides
    of the manifests' policy; ``moves``: the risk of moved references, :mod:`humectl.decide.pins`), each
    reason placed at the manifest line of its field, and the policy's violations listed (``fail_on``:
    ``--fail-on``, over the policy's own)."""
    chosen = (desired.policy if desired is not None else plan.policy).with_fail_on(fail_on)
    changes = risk.assess(plan.changes, chosen.risk, moves)
    if desired is not None:
        by_address = {r.address: r for r in desired.resources}
        changes = [
            replace(c, risk_reasons=tuple(replace(r, source=_field_source(res, r.path)) for r in c.risk_reasons))
            if (res := by_address.get(c.address)) is not None
            else c
            for c in changes
        ]
    return policy.reviewed(plan.with_changes(changes), chosen)


def _field_source(res: DesiredResource, path: str | None) -> str:
    """``file:line:col`` of the manifest node of ``path`` (a dotted field path), or of the nearest
    enclosing node the manifest has (a default it leaves out: the entry itself)."""
    parts = [p for p in re.split(r"[.\[\]]", path or "") if p]
    while parts:
        where = res.positions.get("/" + "/".join(parts))
        if where is not None:
            return f"{where.file}:{where.line}:{where.col}"
        parts.pop()
    return f"{res.source.file}:{res.source.line}:{res.source.col}"


def _latest_refs(kind_name: KindName, content: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(target kind, name) of the references in canonical ``content`` that follow ``latest``."""
    out: set[tuple[str, str]] = set()
    for reference in KINDS[kind_name].references:
        value = content.get(reference.field)
        for item in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
            name, _, version = item.rpartition("@")
            if version == LATEST:
                out.add((reference.target, name))
    return out


def _ref_names(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item.get("name")) for item in items if isinstance(item, dict)]


def _describe_ref_change(target: KindName, before: Ref | None, after: Ref | None) -> str:
    if before is None or after is None:
        return f"{target}: {before or 'none'} → {after or 'none'}"
    (b_name, b_version), (a_name, a_version) = _split_safe(before), _split_safe(after)
    if b_name == a_name:
        return f"{target}/{a_name} v{b_version} → v{a_version}"
    return f"{target}/{b_name} v{b_version} → {target}/{a_name} v{a_version}"


def _split_safe(value: Ref) -> tuple[str, str]:
    try:
        name, version = split_ref(value)
        return name, str(version)
    except ValueError:
        name, _, version_text = value.rpartition("@")
        return name, version_text


def _reasons(kind_name: KindName, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    kind = KINDS[kind_name]
    reasons: list[str] = []
    other: list[str] = []
    references = {r.field: r for r in kind.references}
    for key in content_keys(kind, before, after):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        reference = references.get(key)
        if reference is None:
            other.append(key)
        elif reference.many:
            olds, news = set(old or []), set(new or [])
            old_by_name = {split_ref(r)[0]: r for r in olds if "@" in r}
            for r in sorted(news - olds):
                name = r.rpartition("@")[0]
                reasons.append(_describe_ref_change(reference.target, old_by_name.get(name), r))
            new_names = {r.rpartition("@")[0] for r in news}
            for r in sorted(olds - news):
                if r.rpartition("@")[0] not in new_names:
                    reasons.append(_describe_ref_change(reference.target, r, None))
        else:
            reasons.append(_describe_ref_change(reference.target, old, new))
    if other:
        reasons.insert(0, "changed: " + ", ".join(other))
    return reasons


def dependency_closure(desired: ManifestSet, targets: Iterable[str]) -> set[str]:
    """The targeted addresses and everything they reference, transitively."""
    wanted: set[str] = set()
    stack = list(targets)
    while stack:
        address = stack.pop()
        if address in wanted:
            continue
        wanted.add(address)
        kind_name, _, name = address.partition("/")
        res = desired.get(kind_name, name) if kind_name in KINDS else None
        if res is None:
            continue
        for reference in KINDS[res.kind].references:
            for ref_name in _ref_names(res.spec.get(reference.field)):
                stack.append(f"{reference.target}/{ref_name}")
    return wanted


def _referenced_names(planner: PlanBuilder) -> set[tuple[str, str]]:
    """(kind, name) of everything the desired configs will reference after apply."""
    out: set[tuple[str, str]] = set()
    for res in planner.desired.resources:
        for reference in KINDS[res.kind].references:
            for name in _ref_names(res.spec.get(reference.field)):
                out.add((reference.target, name))
    return out


def scope_words(prefix: str) -> str:
    return f"the environment of name prefix '{prefix}'" if prefix else "the account scope (no name prefix)"


def foreign_scope(resource: LiveResource, desired: ManifestSet) -> str | None:
    """Why ``desired``'s scope must not take over ``resource`` (None when it may): humectl made it for
    another scope, whose marker it carries (:func:`humectl.core.provenance.owner_prefix`). Taking it
    over would drop that scope's protection and let this scope's prune and destroy delete it."""
    description = resource.data.get("version_description")
    owner = owner_prefix(description, resource.name, desired.declared_prefixes)
    if owner is None or owner == desired.name_prefix:
        return None
    held = "manages and protects" if is_protected(description) else "manages"
    return (
        f"humectl {held} {resource.address} for {scope_words(owner)}; {scope_words(desired.name_prefix)} never "
        "takes over another scope's resource"
    )


def in_scope(resource: LiveResource, prefix: str, declared: Iterable[str]) -> bool:
    """Whether a live resource belongs to the environment of ``prefix``: the one humectl's marker
    records (:func:`humectl.core.provenance.owner_prefix`), or, for a resource humectl did not make, the
    longest of ``prefix`` and the ``declared`` environments' prefixes that its name starts with."""
    owner = owner_prefix(resource.data.get("version_description"), resource.name, declared)
    if owner is None:
        starts = [p for p in {prefix, *declared} if resource.name.startswith(p)]
        owner = max(starts, key=len) if starts else None
    return owner == prefix


@dataclass(frozen=True)
class Deletion:
    """A live resource a plan deletes, why, and whether humectl's last apply of it recorded protect."""

    resource: LiveResource
    reason: str
    protected: bool = False


PROTECTED = "protected: its last humectl apply had protect: true (set protect: false and apply first)"


@dataclass(frozen=True)
class Holder:
    """A live config version that references a prompt or tool (by id), and whether it is its config's
    newest version (the one chats use), which is what keeps a resource in use."""

    address: str
    id: str
    version: int
    newest: bool


def config_holders(
    config_versions: Iterable[Mapping[str, Any]], superseded: Collection[str] = ()
) -> dict[str, list[Holder]]:
    """Referenced id -> the config versions that reference it. ``superseded``: ids of configs whose
    newest version this plan replaces (their head then counts as an old version)."""
    versions = _holder_versions(config_versions)
    newest: dict[str, int] = {}
    for _, version in versions:
        key, number = str(version.get("id")), int(version.get("version", 0))
        newest[key] = max(newest.get(key, number), number)
    out: dict[str, list[Holder]] = {}
    for holder_kind, version in versions:
        key, number = str(version.get("id")), int(version.get("version", 0))
        holder = Holder(
            holder_kind.address(str(version.get("name"))),
            key,
            number,
            newest[key] == number and key not in superseded,
        )
        for reference in holder_kind.references:
            value = version.get(reference.field)
            for obj in value if isinstance(value, list) else [value] if value else []:
                if isinstance(obj, dict) and obj.get("id"):
                    out.setdefault(str(obj["id"]), []).append(holder)
    return out


def holders_text(holders: Iterable[Holder], most: int = 5) -> str:
    """``config/a v3, config/b v0, v1`` (versions grouped by config; at most ``most`` configs named)."""
    grouped: dict[str, list[int]] = {}
    for holder in holders:
        grouped.setdefault(holder.address, []).append(holder.version)
    parts = [f"{address} " + ", ".join(f"v{v}" for v in sorted(set(vs))) for address, vs in sorted(grouped.items())]
    more = f" and {len(parts) - most} more" if len(parts) > most else ""
    return ", ".join(parts[:most]) + more


def delete_changes(
    chosen: Iterable[Deletion],
    config_versions: Iterable[Mapping[str, Any]],
    *,
    excluded: Collection[str] = (),
    superseded: Collection[str] = (),
) -> tuple[list[Change], dict[str, str]]:
    """The delete changes of ``chosen``, configs first (reverse dependency order), and the deletes held
    back (address -> why) because only an excluded config (``excluded``: addresses) still uses them.

    In use, and so refused, is a prompt or tool that the newest version of a live config uses (a
    config deleted here does not count; ``superseded``: ids of configs that get a new version in this
    plan, whose current version then is an old one), and a protected resource. Old config versions do
    not keep anything alive: the reasons name them (Hume answers them without what was deleted).
    ``config_versions``: every version of every live config.
    """
    chosen = list(chosen)
    # A protected config is refused, so it stays and keeps what it uses in use.
    deleted_ids = {d.resource.id for d in chosen if not d.protected}
    by_target = config_holders(config_versions, superseded)
    deletes = []
    held: dict[str, str] = {}
    for deletion in chosen:
        live_res = deletion.resource
        holders = [h for h in by_target.get(live_res.id, ()) if h.id not in deleted_ids]
        using = [h for h in holders if h.newest]
        old = [h for h in holders if not h.newest]
        reasons = [deletion.reason]
        blocked = None
        if deletion.protected:
            blocked = PROTECTED
        elif using and all(h.address in excluded for h in using):
            held[live_res.address] = f"held back: {holders_text(using)} uses it, and --exclude keeps that config"
            continue
        elif using:
            blocked = f"still used by {holders_text(using)} (the newest version)"
        if old and blocked is None:
            reasons.append(f"only old config versions name it: {holders_text(old)} (Hume answers them without it)")
        deletes.append(
            Change(
                address=live_res.address,
                kind=live_res.kind,
                name=live_res.name,
                operations=(DELETE,),
                reasons=tuple(reasons),
                live_id=live_res.id,
                live_version=live_res.version,
                level=kind_level(live_res.kind),
                blocked_by=blocked,
            )
        )
    order = {k: i for i, k in enumerate(DEPENDENCY_ORDER)}
    deletes.sort(key=lambda c: (-c.level, -order[c.kind], c.name))
    return deletes, held


def _holder_versions(versions: Iterable[Mapping[str, Any]]) -> list[tuple[Kind, Mapping[str, Any]]]:
    """Each version with the kind it is of: one of the kinds that reference others (a config), told
    apart by the reference fields it carries when there are several such kinds."""
    holders = referencing_kinds()
    out: list[tuple[Kind, Mapping[str, Any]]] = []
    for version in versions:
        kind = next((k for k in holders if any(r.field in version for r in k.references)), holders[0])
        out.append((kind, version))
    return out


@dataclass(frozen=True)
class PruneResult:
    """What a prune decided: the deletes to apply, the unmanaged resources it leaves (without
    --prune-unmanaged) and what it does not delete, with why (refused, held back, excluded, removed)."""

    deletes: list[Change]
    kept_unmanaged: list[str]
    kept: dict[str, str]


def plan_deletes(
    planner: PlanBuilder,
    *,
    prune_unmanaged: bool,
    config_versions: list[dict[str, Any]],
    targets: Sequence[str],
    excluded: Collection[str] = (),
    superseded: Collection[str] = (),
) -> PruneResult:
    """Deletes for live resources the manifests no longer have; what is not deleted, and why.

    Only resources of this environment (:func:`in_scope`) are considered, and of those only the ones
    humectl made unless ``prune_unmanaged``; never one the manifests list under ``removed:`` or one
    ``--exclude`` selects (``excluded``). A prompt or tool the newest version of a live config still
    uses (other than of configs deleted here), and a resource whose last humectl apply recorded
    ``protect: true``, are not deleted: they are named in ``kept`` with the reason, and every other
    delete proceeds (:func:`delete_changes`).
    """
    matched = {(r.kind, r.name) for r, _ in planner.matches.values() if r is not None}
    referenced = _referenced_names(planner)
    scope = planner.desired.name_prefix
    removed = {r.address for r in planner.desired.removed}
    candidates = [
        r
        for key, r in sorted(planner.live.resources.items())
        if key not in matched
        and key not in referenced
        and (not targets or any(matches(p, r.address, scope) for p in targets))
        and in_scope(r, scope, planner.desired.declared_prefixes)
    ]
    unmanaged: list[str] = []
    kept: dict[str, str] = {}
    chosen: list[Deletion] = []
    for live_res in candidates:
        description = live_res.data.get("version_description")
        ours = made_by_humectl(description)
        if live_res.address in removed:
            if not ours:  # unmanaged already (while it still has the marker, its unmanage change says it all)
                kept[live_res.address] = REMOVED
            continue
        if not prune_unmanaged and not ours:
            unmanaged.append(live_res.address)
            continue
        if live_res.address in excluded:
            kept[live_res.address] = f"{EXCLUDED}: not deleted"
            continue
        reason = "not in the manifests" + ("" if ours else " (not made by humectl; --prune-unmanaged)")
        chosen.append(Deletion(live_res, reason, is_protected(description)))
    deletes, held = delete_changes(chosen, config_versions, excluded=excluded, superseded=superseded)
    for change in deletes:
        if change.blocked_by:
            kept[change.address] = f"not deleted: {change.blocked_by}"
    kept.update(held)
    return PruneResult([c for c in deletes if not c.blocked_by], unmanaged, kept)


def build_plan(
    desired: ManifestSet,
    live: LiveState,
    *,
    run_id: str,
    message: str | None = None,
    targets: Iterable[str] = (),
    prune: bool = False,
    prune_unmanaged: bool = False,
    config_versions: list[dict[str, Any]] | None = None,
    allow_empty: bool = False,
) -> Plan:
    """Compare desired with live and decide every change, in dependency order (deletes last)."""
    builder = PlanBuilder(desired, run_id=run_id, message=message)
    for kind_name in DEPENDENCY_ORDER:
        builder.add_page(kind_name, [r.data for r in live.of_kind(kind_name)])
        builder.complete(kind_name)
    return builder.finish(
        live,
        targets=targets,
        prune=prune,
        prune_unmanaged=prune_unmanaged,
        config_versions=config_versions,
        allow_empty=allow_empty,
    )
