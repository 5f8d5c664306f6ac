"""``humectl rollback kind/NAME --to-version N``: a new version whose content equals version N.

The rollback is an ordinary :class:`~humectl.model.plan.Plan` (so it renders and applies like any other):
one ``version`` change whose content is version N's canonical content. Rolling back a prompt or
tool also moves the configs that use its current newest version onto the new one, since configs
pin versions: without that cascade the rollback would reach no chat.

Afterwards the manifests still describe the content that was rolled back, so :func:`manifest_update`
works out the change to make: the resource's manifest entry rewritten to version N's content (the
prompt's ``text_file`` rewritten for prompts that keep their text in a file), as a unified diff to
print and, with ``--write``, as files to write.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from humectl.core import sensitive
from humectl.core.errors import NotFoundError, RollbackError, UsageError
from humectl.core.kinds import KINDS, Kind, KindName, kind_level, parse_address, referencing_kinds
from humectl.core.provenance import describe_like, strip_marker
from humectl.decide import risk
from humectl.decide.diff import diff_fields, text_diff, unified_diff
from humectl.decide.export import (
    dump_entry,
    escape_variables,
    in_flow_style,
    manifest_entry,
    reference_secrets,
    text_file_problem,
)
from humectl.decide.expressions import keep_expressions
from humectl.decide.normalize import LATEST, normalize_desired, normalize_live, ref, split_ref
from humectl.io.client import EviClient
from humectl.io.listing import complete_heads, fetch_live_state
from humectl.load.entries import META_KEYS as _META_KEYS
from humectl.load.manifests import load_manifests
from humectl.load.project import resolve_options
from humectl.load.yamldoc import parse
from humectl.model.desired import DesiredResource, LoadOptions, ManifestSet
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import VERSION, Change, Plan
from humectl.model.rollback import ManifestUpdate, Rollback


def _pin_latest(kind: KindName, content: dict[str, Any], live: LiveState, notes: list[str], owner: str) -> None:
    """A config version that followed a prompt/tool's latest version is pinned to today's newest one:
    a plan sends ``{id, version}`` only."""
    for reference in KINDS[kind].references:
        value = content.get(reference.field)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        fixed = []
        for item in items:
            name, _, version = item.rpartition("@")
            target = live.get(reference.target, name)
            if version == "latest" and target is not None:
                notes.append(f"{owner} v-old followed {reference.target}/{name} latest; pinned to v{target.version}")
                item = ref(name, target.version)
            fixed.append(item)
        content[reference.field] = sorted(fixed) if reference.many else fixed[0]


async def plan_rollback(
    client: EviClient,
    address: str,
    to_version: int,
    *,
    run_id: str,
    message: str | None = None,
    api_flags: str = "",
) -> Rollback:
    """Read the live account and version N, and plan the new version (plus the config cascade).

    ``api_flags`` (`` --emulator=DB``, `` --base-url URL``) go into the ``humectl history`` an error
    suggests, so it reaches the same account."""
    try:
        kind, name = parse_address(address)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    live = await fetch_live_state(client)
    head = live.get(kind, name)
    if head is None:
        close = difflib.get_close_matches(name, [r.name for r in live.of_kind(kind)], n=1)
        raise RollbackError(
            f"no live {kind} is named {name!r}",
            hint=f"did you mean {kind}/{close[0]}?" if close else None,
        )
    if to_version < 0 or to_version > head.version:
        raise RollbackError(
            f"{address} has no version {to_version}: its versions run up to {head.version}",
            hint=f"see them with `humectl history {address}{api_flags}`",
        )
    try:
        data = await client.get_version(KINDS[kind], head.id, to_version)
    except NotFoundError:
        raise RollbackError(
            f"{address} version {to_version} does not exist (deleted?)",
            hint=f"see the versions with `humectl history {address}{api_flags}`",
        ) from None
    data = dict(data, name=name)  # the name is resource-level; the head's is current
    await complete_heads(client, [head])  # like with like: version N is a full read, so is the head
    notes: list[str] = []
    content = normalize_live(kind, data)
    _pin_latest(kind, content, live, notes, address)
    live_content = normalize_live(kind, head.data)
    base = Plan(live_fingerprint=live.fingerprint(), run_id=run_id, message=message)
    text = message or f"rollback to v{to_version}"
    if to_version == head.version:
        return Rollback(address, kind, name, to_version, head, data, replace(base, unchanged=(address,)), live, notes)
    if content == live_content:
        # Rolled back already, maybe by a run cut off before its cascade: finish that, as apply would.
        left = await _unfinished_cascade(client, kind, head, content, to_version, live, text, run_id)
        if left:
            notes.append(
                f"{address} already has the content of v{to_version}; the configs still on v{head.version - 1} "
                f"(the version a rollback replaced) move onto v{head.version}"
            )
        plan = base.with_changes(risk.assess(left)) if left else replace(base, unchanged=(address,))
        return Rollback(address, kind, name, to_version, head, data, plan, live, notes)
    description = describe_like(text, run_id, head.data.get("version_description"))
    before_text, after_text = live_content.get("text"), content.get("text")
    rolled = Change(
        address=address,
        kind=kind,
        name=name,
        operations=(VERSION,),
        reasons=(f"rollback to v{to_version}",),
        fields=tuple(diff_fields(live_content, content, json_fields=KINDS[kind].json_schema_fields)),
        text_diff=text_diff(before_text, after_text, address)
        if isinstance(before_text, str) and isinstance(after_text, str) and before_text != after_text
        else None,
        live_id=head.id,
        live_version=head.version,
        predicted_version=head.version + 1,
        content=content,
        version_description=description,
        depends_on=tuple(
            sorted(
                {
                    f"{r.target}/{split_ref(v)[0]}"
                    for r in KINDS[kind].references
                    for v in _as_list(content.get(r.field))
                    if not v.endswith("@latest")
                }
            )
        ),
        level=kind_level(kind),
    )
    cascade = _cascade(kind, head.name, head.version, head.version + 1, live, text, run_id)
    plan = base.with_changes(risk.assess([rolled, *cascade]))
    return Rollback(address, kind, name, to_version, head, data, plan, live, notes)


async def _unfinished_cascade(
    client: EviClient,
    kind: KindName,
    head: LiveResource,
    content: dict[str, Any],
    to_version: int,
    live: LiveState,
    text: str,
    run_id: str,
) -> list[Change]:
    """The cascade a rollback that made the head (version N's content) may not have finished: every
    config still on the version before the head moves onto the head, when that version says something
    else. Read only when a config uses it; nothing when the head is v0 or the version before is N."""
    previous = head.version - 1
    if previous < 0 or previous == to_version:
        return []
    moves = _cascade(kind, head.name, previous, head.version, live, text, run_id)
    if not moves:
        return []
    try:
        data = await client.get_version(KINDS[kind], head.id, previous)
    except NotFoundError:  # deleted: nothing to compare with, nothing moved
        return []
    if normalize_live(kind, dict(data, name=head.name)) == content:
        return []  # the configs on it already get version N's content
    return moves


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _cascade(
    kind: KindName, name: str, from_version: int, to_version: int, live: LiveState, text: str, run_id: str
) -> list[Change]:
    """Config versions moving every config that uses version ``from_version`` of ``kind/name`` onto
    ``to_version`` (the rollback's new version: the head's successor, or the head when finishing one)."""
    old, new = ref(name, from_version), ref(name, to_version)
    changes = []
    holders = [(k, r) for k in referencing_kinds() for r in sorted(live.of_kind(k.name), key=lambda r: r.name)]
    for holder_kind, config in holders:
        for reference in holder_kind.references:
            if reference.target != kind:
                continue
            before = normalize_live(holder_kind.name, config.data)
            values = _as_list(before.get(reference.field))
            if old not in values:
                continue
            after = dict(before)
            moved = [new if v == old else v for v in values]
            after[reference.field] = sorted(moved) if reference.many else moved[0]
            changes.append(
                Change(
                    address=config.address,
                    kind=holder_kind.name,
                    name=config.name,
                    operations=(VERSION,),
                    reasons=(f"{kind}/{name} v{from_version} → v{to_version}",),
                    fields=tuple(diff_fields(before, after)),
                    live_id=config.id,
                    live_version=config.version,
                    predicted_version=config.version + 1,
                    content=after,
                    version_description=describe_like(text, run_id, config.data.get("version_description")),
                    depends_on=(f"{kind}/{name}",),
                    level=kind_level(holder_kind.name),
                )
            )
    return changes


# --- the manifest change -------------------------------------------------------------------------


def with_stated_descriptions(rollback: Rollback, desired: ManifestSet) -> Rollback:
    """``rollback`` whose cascade describes each config version as the config's manifest entry states
    (``version_description``), as apply describes a config that follows a changed prompt or tool: with
    the manifests at hand (``--write``/``--manifests``) the next plan does not describe them again. A
    config whose entry states none keeps the rollback's description."""
    changes = []
    for change in rollback.plan.changes:
        entry = desired.get(change.kind, change.name) if change.address != rollback.address else None
        head = rollback.live.get(change.kind, change.name)
        if entry is not None and entry.version_description is not None and head is not None:
            stated = describe_like(
                entry.version_description, rollback.plan.run_id, head.data.get("version_description")
            )
            change = replace(change, version_description=stated)
        changes.append(change)
    return replace(rollback, plan=rollback.plan.with_changes(changes))


def _heads(live: LiveState) -> dict[tuple[str, str], int]:
    return {key: r.version for key, r in live.resources.items()}


def entry_diff(rollback: Rollback) -> ManifestUpdate:
    """Without manifests at hand: the exported manifest entry now, and after the rollback."""
    heads = _heads(rollback.live)
    notes: list[str] = []
    now = dump_entry(manifest_entry(rollback.kind, rollback.head.data, heads, notes=notes), indent=2)
    after = dump_entry(manifest_entry(rollback.kind, rollback.target_data, heads, notes=notes), indent=2)
    label = f"{rollback.address} manifest entry"
    return ManifestUpdate(unified_diff(now, after, f"{label} (now)", f"{label} (v{rollback.to_version})"), notes=notes)


def manifest_update(
    rollback: Rollback,
    directory: str | Path,
    load_options: Any = None,
    *,
    refuse_literals: bool = False,
    desired: ManifestSet | None = None,
) -> ManifestUpdate:
    """The change to the manifests under ``directory`` that makes them say version N's content.

    The entry's ``${…}`` expressions are kept wherever they give version N's value in this environment
    (:mod:`humectl.decide.expressions`); a field written with one whose value would differ cannot be
    expressed: with ``refuse_literals`` (``--write``) that is a RollbackError naming it, raised before
    anything is rolled back or written, else a note (and the diff shows the literal value). ``desired``:
    the manifests under ``directory`` when the caller loaded them already."""

    if desired is None:
        desired = load_manifests(directory, load_options)
    resource = desired.get(rollback.kind, rollback.name)
    if resource is None:
        update = entry_diff(rollback)
        update.notes.insert(0, f"{rollback.address} is not in the manifests under {directory}; nothing to write")
        update.writes.clear()
        return update
    values = resolve_options(desired.root, str(directory), load_options or LoadOptions(), []).variables
    # The head's description after the rollback (the rollback version's, or the live head's when there
    # is nothing to roll back), without humectl's marker: an entry that states its version_description
    # says that one, or the next plan would describe the head again.
    rolled = next((c for c in rollback.plan.changes if c.address == rollback.address), None)
    head_description = rolled.version_description if rolled else rollback.head.data.get("version_description")
    described = strip_marker(head_description)
    return entry_update(
        desired,
        resource,
        rollback.target_data,
        rollback.live,
        variables=values,
        refuse_literals=refuse_literals,
        description=described.strip() if described is not None else None,
    )


def entry_update(
    desired: ManifestSet,
    resource: DesiredResource,
    data: Mapping[str, Any],
    live: LiveState,
    *,
    paths: Collection[str] | None = None,
    variables: Mapping[str, str] | None = None,
    refuse_literals: bool = False,
    description: str | None = None,
) -> ManifestUpdate:
    """The change to ``resource``'s manifest entry (and its text file) that makes it say the live
    version ``data``: every field (rollback), or only the field ``paths`` given (dotted, as a plan's
    fields: drift's ``keep-live``), where a part written with ``${...}`` variables is kept as written
    unless its own value changes, which cannot be written as an expression: refused, naming the field.

    Every field (``paths`` None): an expression is kept where it gives ``data``'s value with this
    environment's ``variables`` (:mod:`humectl.decide.expressions`); one that cannot is refused
    (``refuse_literals``) or noted. ``description``: the new version's own, written over the entry's
    ``version_description`` where it has one."""
    address = resource.address
    prefix = desired.name_prefix
    path = desired.root / resource.source.file
    original = path.read_bytes().decode("utf-8")
    doc, _ = parse(original, path=path, rel=resource.source.file, display=str(path), variables=None)
    plural = KINDS[resource.kind].plural
    items = doc.data.get(plural) if isinstance(doc.data, dict) else None
    index = next(
        (
            i
            for i in range(len(items or []))
            if doc.marks.get(f"/{plural}/{i}") == (resource.source.line, resource.source.col)
        ),
        None,
    )
    if items is None or index is None:
        raise RollbackError(f"cannot find {address} in {path} to rewrite it", hint="edit the file by hand")
    raw: dict[str, Any] = items[index]
    notes: list[str] = []
    new = manifest_entry(resource.kind, dict(data, name=resource.name), _heads(live), keep=raw, notes=notes)
    new = _strip_prefix(resource.kind, new, prefix)
    writes: dict[Path, str] = {}
    kind = KINDS[resource.kind]
    text_file = kind.text_file
    if paths is None:
        wanted = normalize_live(resource.kind, dict(data, name=resource.name))
        resolved = normalize_desired(resource.kind, resource.spec, _resolver(live), live_content=wanted, live_data=data)
        file_keys = (text_file.key,) if text_file else ()
        expressed = keep_expressions(
            raw, _merge_entry(raw, new, kind), resolved, wanted, values=variables, as_written=(*_META_KEYS, *file_keys)
        )
        if expressed.unexpressible:
            reasons = "; ".join(u.describe() for u in expressed.unexpressible)
            if refuse_literals:
                raise RollbackError(
                    f"cannot write {address} back to {_display(path, desired.root)} with its ${{…}} expressions, "
                    f"and writing literal values would put this environment's into every other: {reasons}",
                    hint="roll back without --write and edit the manifests by hand (or change the variable for "
                    "this environment first); nothing was rolled back or written",
                )
            notes.append(f"{address}: cannot be written back with its ${{…}} expressions: {reasons}")
        if expressed.kept:
            notes.append(
                f"{address}: kept the ${{…}} expressions of {', '.join(expressed.kept)} "
                "(they give the rolled-back values in this environment)"
            )
        entry = expressed.entry
    else:
        entry = _merge_paths(raw, escape_variables(new), kind, paths, address)
    if description is not None and "version_description" in entry:
        entry["version_description"] = escape_variables(description)
    text = data.get(text_file.field) if text_file else None
    text_wanted = paths is None or (text_file is not None and text_file.field in {_root(p) for p in paths})
    if text_file is not None and text_file.key in raw and isinstance(text, str) and text_wanted:
        why = text_file_problem(text)
        if why is None:  # the file holds the text as is: no escaping, byte for byte
            writes[path.parent / str(raw[text_file.key])] = text
        else:
            entry = {(text_file.field if k == text_file.key else k): v for k, v in entry.items()}
            entry[text_file.field] = escape_variables(text)
            notes.append(f"{address}: the {text_file.field} moves inline because {why}")
    diffs: list[str] = []
    if entry != raw:
        replaced = None
        if paths is not None:  # only the fields that changed: the rest of the entry stays as written
            roots = [k for k in entry if k in raw and entry[k] != raw[k]]
            if set(raw) == set(entry):
                replaced = _replace_fields(original, doc, plural, index, len(items), entry, roots)
        if replaced is None:
            replaced = _replace_entry(original, doc, plural, index, len(items), entry)
        if replaced is None:
            notes.append(f"{path}: the entry is not in block style, so it cannot be rewritten; edit it by hand")
        else:
            writes[path] = replaced
    for target, content in writes.items():
        before = target.read_bytes().decode("utf-8") if target.exists() else ""
        if before != content:
            shown = _display(target, desired.root)
            diffs.append(unified_diff(before, content, f"a/{shown}", f"b/{shown}"))
    return ManifestUpdate("".join(diffs), writes, notes)


def _resolver(live: LiveState) -> Callable[[KindName, Mapping[str, Any]], str]:
    """A manifest reference as ``name@version``: its pin, else the live head it follows."""

    def resolve(target: KindName, spec: Mapping[str, Any]) -> str:
        name, pinned = str(spec.get("name")), spec.get("version")
        if pinned is not None:
            return ref(name, int(pinned))
        head = live.get(target, name)
        return ref(name, head.version if head is not None else LATEST)

    return resolve


def _root(path: str) -> str:
    """The top-level field of a dotted field path (``timeouts`` of ``timeouts.inactivity.enabled``)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def _merge_paths(
    raw: Mapping[str, Any], new: Mapping[str, Any], kind: Kind, paths: Collection[str], address: str
) -> dict[str, Any]:
    """``raw`` with only the fields of ``paths`` taken from ``new``: a top-level field whole, unless it
    is written with variables; then its mappings are merged key by key and only the changed parts
    replaced (a changed part that is itself written with a variable is refused)."""
    file_field = kind.text_file.field if kind.text_file and kind.text_file.key in raw else None
    out = dict(raw)
    for root in dict.fromkeys(_root(p) for p in paths):
        if root == file_field:
            continue  # the caller writes the text file
        below = [p[len(root) + 1 :] for p in paths if p.startswith(root + ".")]
        merged = _merge_value(raw.get(root), new.get(root), below, f"{address}: {root}")
        if merged is _ABSENT:
            out.pop(root, None)
        else:
            out[root] = merged
    return out


_ABSENT = object()


def _merge_value(old: Any, new: Any, below: list[str], where: str) -> Any:
    """``new`` in place of ``old``, keeping what in ``old`` is written with variables and did not change
    (``below``: the changed paths under this one, empty when the whole value changed)."""
    if not _mentions_variables(old):
        return new if new is not None or old is None else None
    if isinstance(old, dict) and isinstance(new, dict) and below:
        out = dict(old)
        for key in dict.fromkeys(_root(p) for p in below):
            deeper = [p[len(key) + 1 :] for p in below if p.startswith(key + ".")]
            merged = _merge_value(old.get(key), new.get(key, _ABSENT), deeper, f"{where}.{key}")
            if merged is _ABSENT:
                out.pop(key, None)
            else:
                out[key] = merged
        return out
    raise RollbackError(
        f"{where} is written with ${{…}} variables in the manifests, and its live value cannot be written "
        "as an expression without dropping it",
        hint="edit that field by hand (or resolve with keep-manifest, which applies the manifests' value)",
    )


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _mentions_variables(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value.replace("$${", "")
    if isinstance(value, dict):
        return any(_mentions_variables(v) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_variables(v) for v in value)
    return False


def _strip_prefix(kind: KindName, entry: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Names in manifests are written without the environment's name prefix."""
    if not prefix:
        return entry

    def strip(value: Any) -> Any:
        if isinstance(value, str):
            return value.removeprefix(prefix)
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            return dict(value, name=value["name"].removeprefix(prefix))
        return value

    out = dict(entry)
    for reference in KINDS[kind].references:
        if reference.field in out:
            value = out[reference.field]
            out[reference.field] = [strip(v) for v in value] if isinstance(value, list) else strip(value)
    return out


def _merge_entry(raw: Mapping[str, Any], new: Mapping[str, Any], kind: Kind) -> dict[str, Any]:
    """Version N's fields in the existing entry's key order; its name and meta keys kept as written.

    A field the entry manages that version N does not have becomes ``null`` (managed, absent), so the
    field stays managed and the next plan keeps it cleared instead of leaving it unmanaged.
    """
    # A text kept in a file (a prompt's text_file): the key stays, the text itself is not inlined.
    file_key, file_field = (kind.text_file.key, kind.text_file.field) if kind.text_file else (None, None)
    if file_key not in raw:
        file_key = file_field = None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _META_KEYS:
            out[key] = value
        elif key == file_key:
            out[key] = value  # the caller writes the file (or moves the text inline)
        elif key in new:
            out[key] = new[key]
        else:
            out[key] = None
    for key, value in new.items():
        if key not in out and key not in _META_KEYS and not (file_field is not None and key == file_field):
            out[key] = value
    return out


def _entry_span(lines: list[str], doc: Any, plural: str, index: int, count: int) -> tuple[int, int, int] | None:
    """Where list item ``index`` of ``plural`` is: its first line and the line after it (0-based; the
    comments and blank lines before the next entry are the next one's), and its dash's column. None
    when it is not in block style."""
    line, col = doc.marks[f"/{plural}/{index}"]
    start = line - 1
    dash = col - 3  # "- " precedes the mapping's first key
    if dash < 0 or lines[start][dash : col - 1] != "- " or lines[start][:dash].strip():
        return None
    if index + 1 < count:
        end = doc.marks[f"/{plural}/{index + 1}"][0] - 1
    else:
        later = [pos[0] for key, pos in doc.key_marks.items() if key.count("/") == 1 and pos[0] > line]
        end = min(later) - 1 if later else len(lines)
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end, dash


def _replace_entry(
    original: str, doc: Any, plural: str, index: int, count: int, entry: Mapping[str, Any]
) -> str | None:
    """``original`` with list item ``index`` of ``plural`` replaced by ``entry`` (block style only)."""
    lines = original.splitlines(keepends=True)
    span = _entry_span(lines, doc, plural, index, count)
    if span is None:
        return None
    start, end, dash = span
    rendered = dump_entry(entry, indent=dash, escape=False)
    if end < len(lines) and not rendered.endswith("\n"):
        rendered += "\n"
    return "".join(lines[:start]) + rendered + "".join(lines[end:])


def _replace_fields(
    original: str, doc: Any, plural: str, index: int, count: int, entry: Mapping[str, Any], roots: list[str]
) -> str | None:
    """``original`` with only the ``roots`` fields of list item ``index`` rewritten to ``entry``'s values:
    every other line of the entry (other fields, comments, quoting) stays as written. None when a field
    is not on lines of its own (flow style) or not written yet: then the whole entry is rewritten."""
    lines = original.splitlines(keepends=True)
    base = f"/{plural}/{index}/"
    keys = sorted(
        (line, col, pointer[len(base) :])
        for pointer, (line, col) in doc.key_marks.items()
        if pointer.startswith(base) and "/" not in pointer[len(base) :]
    )
    span = _entry_span(lines, doc, plural, index, count)
    if span is None:
        return None
    entry_end = span[1]
    edits: list[tuple[int, int, str]] = []
    for root in roots:
        found = [(line, col) for line, col, name in keys if name == root]
        if not found:
            return None
        line, col = found[0]
        if col < 3 or any(other == line for other, _, name in keys if name != root):
            return None  # shares its line with another field (flow style)
        later = [other for other, _, _ in keys if other > line]
        end = min(later) - 1 if later else entry_end
        while end > line and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        value = entry[root]
        written = lines[line - 1][col - 1 :].partition(":")[2].lstrip()
        if end == line and written.startswith(("{", "[")):
            value = in_flow_style(value)  # a one-line {…} or […] stays one, as the user wrote it
        rendered = dump_entry({root: value}, indent=col - 3, escape=False)
        rendered = " " * (col - 1) + rendered[col - 1 :]  # a field of the entry, not a list item: no "- "
        if end < len(lines) and not rendered.endswith("\n"):
            rendered += "\n"
        edits.append((line - 1, end, rendered))
    for start, end, rendered in sorted(edits, reverse=True):
        lines[start:end] = [rendered]
    return "".join(lines)


def write_update(update: ManifestUpdate) -> list[Path]:
    """Write the manifest change of a rollback (``--write DIR``), each sensitive value as ``${NAME}``;
    the paths written, in order."""
    written = []
    for path, content in _without_secrets(update.writes).items():
        path.write_bytes(content.encode("utf-8"))
        written.append(path)
    return written


def _without_secrets(writes: dict[Path, str]) -> dict[Path, str]:
    """Manifest files to write, each sensitive value as ``${NAME}``; a prompt text file (never
    substituted) that would hold one is refused before anything is written."""
    secrets = sensitive.current().by_name()
    if not secrets:
        return writes
    out: dict[Path, str] = {}
    for path, content in writes.items():
        if path.suffix in (".yaml", ".yml"):
            out[path] = reference_secrets(content, secrets, set())
        elif sensitive.of(secrets).contains(content):
            raise UsageError(
                f"the rollback is done, but {path} was not rewritten: it would hold a sensitive value, and "
                "prompt text files are never substituted",
                hint="edit the manifests by hand, keeping the value in a ${NAME} variable of an inline text:",
            )
        else:
            out[path] = content
    return out
