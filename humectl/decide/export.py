"""Live State → manifest files: the way an existing account is adopted into git.

Layout written into the export directory (deterministic: same account, same bytes):

- ``tools.yaml``, ``prompts.yaml``, ``configs.yaml``: one file per kind, entries sorted by name,
  fields in the API's order, a blank line between entries; a file is written only when the kind
  has resources;
- ``prompts/<name>.md``: each prompt's text, byte for byte (no newline added or removed), referenced
  by ``text_file``; a text a file cannot carry exactly (a leading BOM, a carriage return, a NUL,
  over the loader's size limit) stays inline as ``text:`` instead;
- ``manifest.schema.json``: a copy of the schema the ``# yaml-language-server: $schema=...`` line on
  top of every YAML file points at, so editors validate offline against the schema of the humectl
  that exported (``schema_ref`` replaces it with a URL or path of your own, and no copy is written).

Fields humectl does not know (ones Hume added after its spec, at the top level or inside a section)
are written as the API holds them, on an entry that says ``ignore_warnings: [unknown-field]``.

What is left out, so the files stay short: server-managed fields, ``version_description`` (new
versions get the git commit message), and config values equal to the server's defaults
(``Kind.defaults`` in the kind registry). Leaving a field out of a manifest means "not managed", so omitting a
default never produces a plan change. References are written by name, pinned ``{name, version}``
only when a config uses an older version than the newest. ``${`` in any string is written ``$${``
so the loader's variable substitution gives the original text back.

The round trip is the contract: loading the written files and planning against the same account
must give no changes; :func:`verify_export` checks exactly that.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from humectl.core.errors import ExportError, UsageError
from humectl.core.kinds import DEPENDENCY_ORDER, KINDS, Kind, KindName, parse_address
from humectl.decide.normalize import normalize_live, split_ref, unknown_fields
from humectl.load.existing import Kept
from humectl.load.rules import UNKNOWN_FIELD, name_problem
from humectl.load.schema import manifest_schema_text
from humectl.load.schema import unknown_fields as unknown_in_entry
from humectl.load.yamldoc import MAX_FILE_BYTES
from humectl.model.live import LiveResource, LiveState

SCHEMA_COPY = "manifest.schema.json"

_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


@dataclass
class ExportFile:
    """One file to write: path relative to the export directory, and its exact content."""

    path: str
    content: str


@dataclass
class ExportResult:
    """Every file of one export, the addresses exported, and notes worth telling the user."""

    files: list[ExportFile] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(DEPENDENCY_ORDER, 0)
        for address in self.addresses:
            out[address.partition("/")[0]] += 1
        return out


# --- selecting -----------------------------------------------------------------------------------


def live_references(resource: LiveResource) -> list[tuple[KindName, str]]:
    """(kind, name) of every resource the live head references (a config's prompt and tools)."""
    found: list[tuple[KindName, str]] = []
    for reference in KINDS[resource.kind].references:
        value = resource.data.get(reference.field)
        items = value if isinstance(value, list) else [value] if value else []
        found.extend((reference.target, str(obj.get("name"))) for obj in items if isinstance(obj, Mapping))
    return found


def select_resources(live: LiveState, selectors: Iterable[str]) -> list[LiveResource]:
    """The live resources to export: all of them, or the selected ones and what they reference."""
    selectors = list(selectors)
    if not selectors:
        return sorted(live.resources.values(), key=_order)
    wanted: dict[tuple[KindName, str], LiveResource] = {}
    stack: list[tuple[KindName, str]] = []
    for selector in selectors:
        try:
            kind, name = parse_address(selector)
        except ValueError as exc:
            raise UsageError(f"--select {exc}") from None
        if live.get(kind, name) is None:
            close = difflib.get_close_matches(name, [r.name for r in live.of_kind(kind)], n=1)
            raise ExportError(
                f"--select {selector}: no live {kind} has that name",
                hint=f"did you mean {kind}/{close[0]}?" if close else f"list them with `humectl export` (all {kind}s)",
            )
        stack.append((kind, name))
    while stack:
        key = stack.pop()
        resource = live.get(*key)
        if key in wanted or resource is None:
            continue
        wanted[key] = resource
        stack.extend(live_references(resource))
    return sorted(wanted.values(), key=_order)


def _order(resource: LiveResource) -> tuple[int, str]:
    return DEPENDENCY_ORDER.index(resource.kind), resource.name


# --- one manifest entry --------------------------------------------------------------------------


def _without_defaults(value: Any, default: Any) -> Any:
    """``value`` minus its sections equal to ``default``; ``_DROP`` when all of it is default.

    Only whole sections go (``timeouts.inactivity``), never keys inside one: a section's own
    fields may be required together (``enabled`` with ``duration_secs``).
    """
    if value == default:
        return _DROP
    if isinstance(value, dict) and isinstance(default, dict):
        out = {key: item for key, item in value.items() if key not in default or item != default[key]}
        return out if out else _DROP
    return value


_DROP = object()


def _reference(value: str, heads: Mapping[tuple[str, str], int], target: KindName, notes: list[str], owner: str) -> Any:
    """``name@version`` as the manifest writes it: the name, or ``{name, version}`` when older."""
    name, version = split_ref(value)
    if not isinstance(version, int):  # follows "latest": a reference by name keeps following it
        return name
    head = heads.get((target, name))
    if head is not None and version >= head:
        return name
    return {"name": name, "version": version}


def manifest_entry(
    kind: KindName,
    data: Mapping[str, Any],
    heads: Mapping[tuple[str, str], int],
    *,
    keep: Iterable[str] = (),
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The manifest entry (plain data, before escaping) for one live version ``data``.

    ``heads`` gives the newest live version of every referenced resource (references to it are
    written by name). Fields in ``keep`` are written even when they equal the server's default
    (rollback uses it for the fields an existing entry already manages).
    """
    notes = notes if notes is not None else []
    keep = set(keep)
    name = str(data.get("name"))
    content = normalize_live(kind, data)
    entry: dict[str, Any] = {"name": name}
    declared = KINDS[kind]
    defaults = declared.defaults
    references = {r.field: r for r in declared.references}
    for key in (*declared.export_fields, *sorted(unknown_fields(declared, content))):
        if key not in content:
            continue
        if key in declared.json_schema_fields:  # a JSON Schema: YAML data, as a manifest writes it
            entry[key] = schema_as_yaml(data.get(key), key, f"{kind}/{name}", notes)
            continue
        value = content[key]
        if key in defaults and key not in keep:
            value = _without_defaults(value, defaults[key])
            if value is _DROP:
                continue
        reference = references.get(key)
        if reference is not None:
            owner = f"{kind}/{name}"
            if reference.many:
                value = [_reference(v, heads, reference.target, notes, owner) for v in value]
            else:
                value = _reference(value, heads, reference.target, notes, owner)
        entry[key] = value
    unknown = [u.dotted for u in unknown_in_entry(kind, entry)]
    if unknown:
        # Fields Hume has that humectl does not know: written as the API holds them (they are carried
        # into every new version), and known to be meant, so validate need not warn about them.
        entry["ignore_warnings"] = [UNKNOWN_FIELD]
        notes.append(
            f"{kind}/{name}: {', '.join(unknown)}: field(s) humectl does not know, written as the API holds them"
        )
    return entry


def schema_as_yaml(raw: Any, key: str, address: str, notes: list[str]) -> Any:
    """A JSON Schema field (``Kind.json_schema_fields``: a tool's parameters) as YAML data, else the
    JSON string the API holds (which the loader reports)."""
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            notes.append(f"{address}: {key} are not valid JSON; written as the string the API holds")
            return raw
        if isinstance(value, dict):
            return schema_order(value)
        notes.append(f"{address}: {key} are not a JSON object; written as the string the API holds")
    return raw


# JSON Schema keywords a reader looks for first, and those that hold the nested parts (last).
_FIRST = ("$schema", "$id", "type", "title", "description")
_LAST = ("properties", "additionalProperties", "required", "items", "$defs", "definitions")


def schema_order(node: Any, names: bool = False) -> Any:
    """Keys of a JSON Schema in reading order (``type`` first, ``properties`` last); property names
    keep their order. Order never matters to the plan: parameters are compared as canonical JSON."""
    if isinstance(node, list):
        return [schema_order(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:  # a `properties`/`$defs` mapping: keys are names, values are schemas
        return {key: schema_order(value) for key, value in node.items()}

    def rank(key: str) -> int:
        if key in _FIRST:
            return _FIRST.index(key)
        if key in _LAST:
            return len(_FIRST) + 1 + _LAST.index(key)
        return len(_FIRST)

    ordered = sorted(node, key=rank)  # stable: other keys keep their order
    return {
        key: schema_order(node[key], names=key in ("properties", "$defs", "definitions", "patternProperties"))
        for key in ordered
    }


# --- YAML --------------------------------------------------------------------------------------


def escape_variables(value: Any) -> Any:
    """Every ``${`` in a string becomes ``$${``, which the loader reads back as ``${``."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, dict):
        return {k: escape_variables(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_variables(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Block style with indented sequences; short all-scalar mappings/lists inline; text as ``|``."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_FLOW_LIMIT = 72


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _short_leaf(items: Iterable[Any]) -> bool:
    items = list(items)
    if not all(_is_scalar(v) for v in items):
        return False
    if any(isinstance(v, str) and ("\n" in v or len(v) > 40) for v in items):
        return False
    return len(json.dumps(items, ensure_ascii=False)) <= _FLOW_LIMIT


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal block style reads like the prompt; PyYAML falls back to quoting when it cannot be exact.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    flow = bool(value) and _short_leaf(list(value.keys()) + list(value.values()))
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = not value or _short_leaf(value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


class _BlockMapping(dict[str, Any]):
    """A mapping always written in block style (a manifest entry, however short)."""


def _represent_block(dumper: yaml.SafeDumper, value: _BlockMapping) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(_BlockMapping, _represent_block)


class _FlowMapping(dict[str, Any]):
    """A mapping written in flow style (``{a: 1, b: 2}``), as the user wrote it."""


class _FlowList(list[Any]):
    """A list written in flow style (``[a, b]``), as the user wrote it."""


def _represent_flow_mapping(dumper: yaml.SafeDumper, value: _FlowMapping) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(_FlowMapping, _represent_flow_mapping)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def in_flow_style(value: Any) -> Any:
    """``value`` marked to be written in flow style by :func:`dump_entry` (what it holds follows: YAML
    writes nothing in block style inside a flow collection); a scalar as it is."""
    if isinstance(value, dict):
        return _FlowMapping(value)
    if isinstance(value, list):
        return _FlowList(value)
    return value


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump_entry(entry: Mapping[str, Any], indent: int = 2, *, escape: bool = True) -> str:
    """One list item (``- name: …``) indented by ``indent`` spaces, ending in a newline.

    ``escape`` writes every ``${`` as ``$${`` (off when the values are already manifest text).
    """
    data = escape_variables(dict(entry)) if escape else dict(entry)
    text = yaml.dump([_BlockMapping(data)], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def render_manifest_file(plural: str, entries: list[dict[str, Any]], schema_ref: str, *, escape: bool = True) -> str:
    parts = [
        f"# yaml-language-server: $schema={schema_ref}\n",
        "# Exported by `humectl export`; edit freely, then `humectl plan`.\n",
        f"{plural}:\n",
    ]
    parts.append("\n".join(dump_entry(e, escape=escape) for e in entries))
    return "".join(parts)


def reference_secrets(value: Any, secrets: Mapping[str, str], used: set[str]) -> Any:
    """Every sensitive value in the strings of ``value`` (already escaped) written as ``${NAME}``, so
    the files hold no secret and load back to the same content (names of the secrets: ``used``)."""
    if isinstance(value, str):
        for name, secret in sorted(secrets.items(), key=lambda item: len(item[1]), reverse=True):
            if secret and secret in value:
                value = value.replace(secret, "${" + name + "}")
                used.add(name)
        return value
    if isinstance(value, dict):
        return {k: reference_secrets(v, secrets, used) for k, v in value.items()}
    if isinstance(value, list):
        return [reference_secrets(v, secrets, used) for v in value]
    return value


# --- prompt text files ---------------------------------------------------------------------------


def text_file_problem(text: str) -> str | None:
    """Why ``text`` cannot live in a ``.md`` file and read back byte for byte (None when it can)."""
    if text.startswith("\ufeff"):
        return "it starts with a byte-order mark, which the loader strips"
    if "\r" in text:
        return "it contains carriage returns, which editors and git may rewrite"
    if "\x00" in text:
        return "it contains a NUL character"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not encodable as UTF-8"
    if size > MAX_FILE_BYTES:
        return "it is over the loader's file size limit"
    if not text:
        return "it is empty"
    return None


def text_file_name(kind: Kind, name: str, taken: set[str]) -> str:
    """``<directory>/<name>.md`` (``prompts/<name>.md``); unusual names get a slug plus a short hash, so
    every name maps to one file."""
    stem = name if _SAFE_FILE_NAME.match(name) and not name.endswith(".") else ""
    if not stem or stem.lower() in taken:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or kind.name
        stem = f"{slug}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    taken.add(stem.lower())
    directory = kind.text_file.directory if kind.text_file else kind.plural
    return f"{directory}/{stem}.md"


# --- the whole export ---------------------------------------------------------------------------


def refuse_unwritable_names(resources: Iterable[LiveResource]) -> None:
    """Refuse, before anything is written, live names that manifests cannot hold (``rules.name_problem``:
    control, bidi or invisible characters, edge whitespace, over 256 characters), naming each one."""
    bad = [(r, found) for r in resources if (found := name_problem(r.name)) is not None]
    if not bad:
        return
    shown = "; ".join(f"{_short(r.address)} {why}" for r, (why, _) in bad[:5])
    more = f"; and {len(bad) - 5} more" if len(bad) > 5 else ""
    raise ExportError(
        f"cannot export {len(bad)} live resource(s) whose names manifests refuse: {shown}{more}",
        hint="rename them in Hume's dashboard or API (humectl writes no such name), or leave them out with "
        "--select KIND/NAME for the others; nothing was written",
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_export(
    live: LiveState,
    *,
    selectors: Iterable[str] = (),
    schema_ref: str | None = None,
    schema_text: str | None = None,
    secrets: Mapping[str, str] | None = None,
    kept: Mapping[str, Kept] | None = None,
) -> ExportResult:
    """Every file for ``live`` (or the selected part of it). Pure: nothing is read or written.

    ``schema_ref`` None means: write ``manifest.schema.json`` (``schema_text``, default the shipped
    schema) beside the manifests and point at it. ``secrets`` (sensitive variables, name -> value)
    are written as ``${NAME}`` wherever a live value holds one; a prompt text holding one stays
    inline, since text files are never substituted. ``kept`` (address -> the manifest-only settings
    of the manifests already in the directory, :mod:`humectl.load.existing`) are written back as they
    were, and a prompt's text goes to the file its entry named.
    """
    secrets = dict(secrets or {})
    kept = dict(kept or {})
    resources = select_resources(live, selectors)
    refuse_unwritable_names(resources)
    heads = {key: r.version for key, r in live.resources.items()}
    result = ExportResult(addresses=[r.address for r in resources])
    ref = schema_ref or SCHEMA_COPY
    taken: set[str] = set()
    text_files: list[ExportFile] = []
    for kind in DEPENDENCY_ORDER:
        entries: list[dict[str, Any]] = []
        for resource in (r for r in resources if r.kind == kind):
            entry = manifest_entry(kind, resource.data, heads, notes=result.notes)
            settings = kept.get(resource.address, Kept())
            used: set[str] = set()
            held = reference_secrets(entry, secrets, used)
            if KINDS[kind].text_file is not None and not used:
                entry = _place_text(KINDS[kind], entry, taken, text_files, result.notes, settings.text_file)
            entry = reference_secrets(escape_variables(entry), secrets, set())
            entry = _with_settings(entry, settings.settings)  # as written: never escaped again
            if used:
                names = ", ".join(sorted(used))
                result.notes.append(f"{kind}/{held['name']}: the sensitive value of {names} written as a reference")
            entries.append(entry)
        if entries:
            text = render_manifest_file(KINDS[kind].plural, entries, ref, escape=False)
            result.files.append(ExportFile(KINDS[kind].export_file, text))
    result.files.extend(text_files)
    if schema_ref is None:
        if schema_text is None:
            schema_text = manifest_schema_text()
        result.files.append(ExportFile(SCHEMA_COPY, schema_text))
    result.files.sort(key=lambda f: f.path)
    return result


def _with_settings(entry: dict[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """``entry`` with the manifest-only ``settings`` an existing entry had, right after its name."""
    if not settings:
        return entry
    return {"name": entry["name"], **settings, **{k: v for k, v in entry.items() if k != "name"}}


def _kept_path(kind: Kind, path: str | None, taken: set[str]) -> str | None:
    """The text file an existing entry named, when export can write it: free (``taken`` holds the
    stems :func:`text_file_name` gave out and the paths kept, lower-cased), and not a file the loader
    would read as a manifest or export writes itself."""
    if path is None or path.lower().endswith((".yaml", ".yml")) or path == SCHEMA_COPY:
        return None
    keys = {path.lower()}
    where = PurePosixPath(path)
    if kind.text_file is not None and where.parent.as_posix() == kind.text_file.directory and where.suffix == ".md":
        keys.add(where.stem.lower())  # the name text_file_name would give that file
    if keys & taken:
        return None
    taken.update(keys)
    return path


def _place_text(
    kind: Kind,
    entry: dict[str, Any],
    taken: set[str],
    files: list[ExportFile],
    notes: list[str],
    kept_path: str | None = None,
) -> dict[str, Any]:
    """Move a text field (``Kind.text_file``: a prompt's text) into its own file when a file can carry it
    exactly: ``kept_path`` (where the existing manifests kept it) when it is free, else a new name."""
    assert kind.text_file is not None
    text = entry.get(kind.text_file.field)
    if not isinstance(text, str):
        return entry
    why = text_file_problem(text)
    if why is not None:
        if text:
            notes.append(f"{kind.name}/{entry['name']}: {kind.text_file.field} kept inline ({why})")
        return entry
    path = _kept_path(kind, kept_path, taken) or text_file_name(kind, str(entry["name"]), taken)
    files.append(ExportFile(path, text))
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == kind.text_file.field:
            out[kind.text_file.key] = path
        else:
            out[key] = value
    return out
