"""The JSON Schemas of the manifests and of the project file ``humectl.yaml``: where they live, and
their violations turned into readable, located messages. Each schema is the one source of truth of
its document's shape (the loaders keep only the checks a schema cannot say).

The schema file is ``schemas/manifest.schema.json`` in the repository; the wheel ships it as
``humectl/schemas/manifest.schema.json`` (pyproject force-include), so it is looked up there first
and in the checkout's ``schemas/`` second (editable installs).

Validation reports every violation at once. jsonschema's own messages are written for schema
authors, so each one is rephrased for the person editing a manifest ("config 'x': voice.name must
be a string, not an integer") and gets a hint; the caller maps :attr:`Violation.pointer` to a
file:line:col. A few checks live in the schema for editors but are reported by
:mod:`humectl.load.rules` with a better message: their subschemas carry ``x-humectl-check`` and the
matching violations are dropped here so nothing is reported twice.

Speed: a valid document (the common case) is confirmed by ``jsonschema-rs``, a compiled validator
built once per process; only a document it finds invalid goes through ``jsonschema``, which says what
is wrong and where (so the messages are jsonschema's, rephrased, whichever validator answered first).
``jsonschema-rs`` only ever shortcuts the answer "no violations": when it is missing, cannot take a
value, or finds a problem, ``jsonschema`` decides. Neither is imported before it is needed.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from humectl.core.kinds import KINDS

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_FILENAME = "manifest.schema.json"

# Keywords whose failure a Python rule reports instead (keyed by the subschema's x-humectl-check).
_CHECKED_BY_RULES: dict[str, frozenset[str]] = {
    "prompt-text": frozenset({"oneOf"}),
    "voice-ref": frozenset({"oneOf"}),
    "evi-version": frozenset({"type", "enum"}),
    "tool-name": frozenset({"pattern"}),
    "webhook-https": frozenset({"pattern"}),
    # humectl.yaml: a policy key is reported by humectl.load.project with a did-you-mean over rule ids.
    "policy-key": frozenset({"type", "anyOf", "enum", "pattern"}),
}

_KIND_OF_LIST = {kind.plural: kind.name for kind in KINDS.values()}

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


@dataclass(frozen=True)
class Violation:
    """One schema violation: the JSON pointer of the offending node, a message and a hint.

    ``at_key`` means the problem is the key itself (an unknown field), so the caller should point at
    the key rather than at its value.
    """

    pointer: str
    message: str
    hint: str | None = None
    at_key: bool = False


PROJECT_SCHEMA_FILENAME = "project.schema.json"


@dataclass(frozen=True)
class _Described:
    """A document a schema describes: its schema file, what its root is called in messages, and how to
    write its root when it is not a mapping."""

    filename: str
    root: str
    root_hint: str


_MANIFEST = _Described(
    SCHEMA_FILENAME, "manifest", "a manifest is a mapping holding the lists prompts:, tools: and/or configs:"
)


def _project(name: str) -> _Described:
    """The project file read as ``name`` (humectl.yaml, humectl.yml, or ``--project-file``'s)."""
    return _Described(
        PROJECT_SCHEMA_FILENAME,
        name,
        f"{name} is a mapping of variables:, sensitive:, policy:, retention:, default_env: and environments:",
    )


def _schema_path(filename: str = SCHEMA_FILENAME) -> Path | None:
    """The shipped schema file when installed, else the checkout's ``schemas/`` directory."""
    try:
        shipped = resources.files("humectl").joinpath("schemas").joinpath(filename)
        if shipped.is_file():
            return Path(str(shipped))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover - defensive
        pass
    checkout = Path(__file__).resolve().parents[2] / "schemas" / filename
    return checkout if checkout.is_file() else None


def _schema_text(filename: str) -> str:
    path = _schema_path(filename)
    if path is None:  # pragma: no cover - a broken install
        raise FileNotFoundError(f"{filename} is missing from this installation of humectl")
    return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def manifest_schema_text() -> str:
    """The manifest JSON Schema exactly as shipped (what ``humectl schema`` prints)."""
    return _schema_text(SCHEMA_FILENAME)


def project_schema_text() -> str:
    """The JSON Schema of the project file ``humectl.yaml`` (what ``humectl schema --project`` prints)."""
    return _schema_text(PROJECT_SCHEMA_FILENAME)


@functools.lru_cache(maxsize=1)
def manifest_schema() -> dict[str, Any]:
    """The manifest JSON Schema as a dict (parsed once)."""
    schema: dict[str, Any] = json.loads(manifest_schema_text())
    return schema


@functools.lru_cache(maxsize=1)
def project_schema() -> dict[str, Any]:
    """The project file's JSON Schema as a dict (parsed once)."""
    schema: dict[str, Any] = json.loads(project_schema_text())
    return schema


def _schema(filename: str) -> dict[str, Any]:
    return manifest_schema() if filename == SCHEMA_FILENAME else project_schema()


@functools.lru_cache(maxsize=2)
def _validator(filename: str = SCHEMA_FILENAME) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(filename))


@functools.lru_cache(maxsize=2)
def _compiled(filename: str = SCHEMA_FILENAME) -> Any:
    """The schema compiled by jsonschema-rs (it confirms a valid document; jsonschema words problems)."""
    return jsonschema_rs.Draft202012Validator(_schema(filename))


def is_valid_fast(document: Any, which: _Described = _MANIFEST) -> bool:
    """True only when the compiled validator confirms ``document`` has no violation at all."""
    try:
        return bool(_compiled(which.filename).is_valid(document))
    except Exception:  # a value it cannot take (e.g. a string that is not UTF-8): jsonschema decides
        return False


def to_pointer(path: Iterable[str | int]) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_violations(document: Any) -> list[Violation]:
    """Every schema violation of one manifest document, in document order."""
    if is_valid_fast(document):
        return []
    return _slow_violations(document)


def project_violations(document: Any, name: str = "humectl.yaml") -> list[Violation]:
    """Every violation of ``schemas/project.schema.json`` by a project file (``humectl.yaml``), whose
    messages call it ``name``."""
    which = _project(name)
    if is_valid_fast(document, which):
        return []
    return _slow_violations(document, which)


@dataclass(frozen=True)
class UnknownField:
    """A field of a manifest entry the schema does not describe, where the schema lets one be written
    (``additionalProperties: true``): a field Hume added after humectl was released, or a typo."""

    path: tuple[str | int, ...]  # from the entry: ("event_messages", "on_resume_chat")
    known: tuple[str, ...]  # the fields the schema knows there (what a typo was meant to be)

    @property
    def dotted(self) -> str:
        return _dotted(self.path)


def unknown_fields(kind: str, entry: Any) -> list[UnknownField]:
    """Every field of ``entry`` (one item of a manifest's ``prompts``/``tools``/``configs``) that the
    schema of its kind does not describe but lets be written, in the entry's order. What the schema
    refuses (a key inside a reference ``{name, version}``) is a schema violation instead."""
    found: list[UnknownField] = []
    _unknown_in(manifest_schema()["$defs"][kind], entry, (), found)
    return found


def _unknown_in(node: Any, value: Any, path: tuple[str | int, ...], found: list[UnknownField]) -> None:
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node = manifest_schema()["$defs"].get(ref.removeprefix("#/$defs/"), {})
    if isinstance(value, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for key, item in value.items():
                if key in properties:
                    _unknown_in(properties[key], item, (*path, key), found)
                elif node.get("additionalProperties") is True:
                    found.append(UnknownField((*path, key), tuple(properties)))
            return
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _unknown_in(node["items"], item, (*path, i), found)
        return
    for branch in (*node.get("anyOf", ()), *node.get("oneOf", ())):  # a reference's mapping form
        if isinstance(branch, dict) and "properties" in branch:
            _unknown_in(branch, value, path, found)
            return


def _slow_violations(document: Any, which: _Described = _MANIFEST) -> list[Violation]:
    """jsonschema's verdict, every error rephrased and located."""
    out: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    for error in _validator(which.filename).iter_errors(document):
        for violation in _convert(error, document, which):
            key = (violation.pointer, violation.message)
            if key not in seen:
                seen.add(key)
                out.append(violation)
    return out


def _convert(error: ValidationError, document: Any, which: _Described = _MANIFEST) -> list[Violation]:
    check = error.schema.get("x-humectl-check") if isinstance(error.schema, dict) else None
    if isinstance(check, str) and error.validator in _CHECKED_BY_RULES.get(check, frozenset()):
        return []
    path = list(error.absolute_path)
    pointer = to_pointer(path)
    where = _describe_location(path, document, which)
    validator = str(error.validator)
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "propertyNames" in error.relative_schema_path or "propertyNames" in error.absolute_schema_path:
        # A key that is not allowed (jsonschema points at its mapping): point at the key itself.
        what = str(schema.get("title") or "allowed key").lower()
        return [
            Violation(
                to_pointer([*path, instance]),
                f"{where}{_describe_value(instance)} is not a {what}",
                _short(schema.get("description", "")) or None,
                at_key=True,
            )
        ]

    project = which.filename == PROJECT_SCHEMA_FILENAME
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        violations = []
        at_root = f" in {which.root}" if project and not path else ""
        for extra in (k for k in instance if k not in allowed):
            close = difflib.get_close_matches(str(extra), allowed, n=1, cutoff=0.6)
            hint: str | None = f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(allowed)}"
            violations.append(
                Violation(to_pointer([*path, extra]), f"{where}unknown field '{extra}'{at_root}", hint, at_key=True)
            )
        return violations
    if validator == "required" and isinstance(instance, dict):
        missing = [p for p in error.validator_value if p not in instance]
        return [
            Violation(pointer, f"{where}missing required field '{name}'", _required_hint(name, schema))
            for name in missing
        ]
    if validator == "type":
        expected = _types_in_words(error.validator_value)
        hint = None
        if "string" in _as_list(error.validator_value) and isinstance(instance, (int, float, bool)):
            hint = f'quote it: "{_yaml_scalar(instance)}"'
        elif not path:
            hint = which.root_hint
        else:
            hint = _type_hint(_as_list(error.validator_value), instance, path, schema)
        shown = _describe_value(instance, quote=_inside(path))
        subject = f"{which.root} " if project and not path else where
        return [Violation(pointer, f"{subject}must be {expected}, not {shown}", hint)]
    if validator == "enum":
        options = [str(v) for v in error.validator_value]
        close = difflib.get_close_matches(str(instance), options, n=1, cutoff=0.5)
        shown = ", ".join(options) if len(options) <= 12 else ", ".join(options[:12]) + ", …"
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {shown}"
        return [Violation(pointer, f"{where}{_describe_value(instance)} is not one of the allowed values", hint)]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = "below the minimum" if "inimum" in validator else "above the maximum"
        shown = _number_text(instance)
        return [Violation(pointer, f"{where}{shown} is {word} {error.validator_value!r}", _range_hint(schema))]
    if validator == "minLength":
        return [Violation(pointer, f"{where}must not be empty", None)]
    if validator == "minItems":
        return [Violation(pointer, f"{where}must list at least {error.validator_value} item(s)", None)]
    if validator == "uniqueItems":
        return [Violation(pointer, f"{where}lists the same value more than once", "remove the repeated item")]
    if validator == "pattern" and project and schema.get("title"):
        title = str(schema["title"])
        what = title if title[1:2].isupper() else title[:1].lower() + title[1:]
        return [
            Violation(
                pointer,
                f"{where}{_describe_value(instance)} is not a valid {what}",
                _short(schema.get("description", "")) or None,
            )
        ]
    if validator == "pattern":
        return [
            Violation(
                pointer,
                f"{where}{_describe_value(instance)} does not match the pattern {error.validator_value}",
                _short(schema.get("description", "")) or None,
            )
        ]
    if validator in ("anyOf", "oneOf") and error.context:
        branch = _matching_branch(error)
        if branch is not None:
            converted: list[Violation] = []
            for sub in branch:
                converted.extend(_convert(sub, document, which))
            if converted:
                return converted
        forms = " or ".join(_branch_words(b) for b in error.validator_value)
        shown = _describe_value(instance, quote=_inside(path))
        return [Violation(pointer, f"{where}must be {forms}, not {shown}", None)]
    if validator == "oneOf":  # valid under several branches (e.g. both `name` and `id` on a voice)
        return [Violation(pointer, f"{where}matches more than one allowed form", _short(schema.get("description", "")))]
    return [Violation(pointer, f"{where}{error.message}", None)]


def _matching_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the one anyOf/oneOf branch whose type fits the instance, if exactly one fits."""
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        index = sub.relative_schema_path[0]
        if isinstance(index, int):
            by_branch.setdefault(index, []).append(sub)
    fitting = [
        errs for errs in by_branch.values() if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _describe_location(path: Sequence[str | int], document: Any, which: _Described = _MANIFEST) -> str:
    """``config 'support-desk': voice.name: `` (or ``configs[2]: …`` when the entry has no usable name);
    in humectl.yaml ``environment 'dev': policy.fail_on: ``."""
    project = which.filename == PROJECT_SCHEMA_FILENAME
    if not path:
        return "" if project else f"{which.root}: "  # a project file's problems are at its file:line
    head = path[0]
    if project:
        if head == "environments" and len(path) >= 2:
            rest = _dotted(path[2:])
            return f"environment '{path[1]}': {rest}: " if rest else f"environment '{path[1]}': "
        return f"{_dotted(path)}: "
    if head in _KIND_OF_LIST and len(path) >= 2 and isinstance(path[1], int):
        kind = _KIND_OF_LIST[str(head)]
        entry = None
        if isinstance(document, dict) and isinstance(document.get(head), list):
            items = document[head]
            if 0 <= path[1] < len(items):
                entry = items[path[1]]
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"{kind} '{name}'" if isinstance(name, str) and name else f"{head}[{path[1]}]"
        rest = _dotted(path[2:])
        return f"{label}: {rest}: " if rest else f"{label}: "
    return f"{_dotted(path)}: "


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _types_in_words(value: Any) -> str:
    return " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in _as_list(value))


def _branch_words(branch: Any) -> str:
    if not isinstance(branch, dict):
        return "a valid value"
    if "title" in branch and "type" in branch:
        return f"{_types_in_words(branch['type'])} ({branch['title'].lower()})"
    if "type" in branch:
        return _types_in_words(branch["type"])
    return "a valid value"


def _inside(path: Sequence[str | int]) -> bool:
    """Whether ``path`` is inside an entry (``/configs/0/voice``): only values there are quoted.

    A file whose top level, or whose lists, hold something else may not be a manifest at all (a
    token, a key file that happens to end in .yaml), so its content is described by type alone.
    """
    return len(path) >= 3


def _describe_value(value: Any, *, quote: bool = True) -> str:
    if not quote and value is not None and not isinstance(value, bool):
        return _TYPE_WORDS.get(_json_type(value), "a value")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"{type(value).__name__.replace('int', 'integer').replace('float', 'number')} {_number_text(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - YAML gives no other types


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "null"


def _number_text(value: Any) -> str:
    """A number as written, unless it is too long to be worth reading (``a 4,000-digit number``)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"a {len(str(abs(value))):,}-digit number"
    return repr(value)


def _yaml_scalar(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _type_hint(expected: list[Any], instance: Any, path: Sequence[str | int], schema: dict[str, Any]) -> str | None:
    """How to write the expected type in YAML, from what was written (never the field's description)."""
    key = str(path[-1]) if path and isinstance(path[-1], str) else None
    written = instance  # its type decides the hint, even where its value is not quoted
    if not _inside(path) or (isinstance(instance, str) and len(instance) > 40):
        instance = None  # not quoted in a hint either (see _inside), nor when it is long
    if "array" in expected:
        if len(path) == 1 and key in _KIND_OF_LIST:
            return f'write {key}: as a list of entries, each starting with "- name:" ({key}: [] for none)'
        if isinstance(instance, (str, int, float)) and not isinstance(instance, bool):
            return f"write a list: [{_yaml_scalar(instance)}], or one '- item' line per item"
        return "write a list: one '- item' line per item, or [a, b]"
    if "object" in expected:
        fields = list(schema.get("properties", {}))
        if isinstance(instance, str) and "name" in fields:
            return f"write a mapping, e.g. {{name: {instance}}} (fields: {', '.join(fields)})"
        if fields:
            return f"write a mapping of key: value pairs (fields: {', '.join(fields)})"
        return "write a mapping of key: value pairs"
    if "string" in expected and isinstance(written, (list, dict)):
        return "write one text value (quote it when it holds ': ' or starts with [ or {)"
    if "boolean" in expected:
        return "write true or false without quotes"
    if "integer" in expected or "number" in expected:
        whole = "number" not in expected
        if isinstance(instance, str) and _is_number(instance.strip(), whole):
            return f"remove the quotes: {instance.strip()}"
        what = "a whole number" if whole else "a number"
        return f"write {what} without quotes" + (f" ({_range_hint(schema)})" if _range_hint(schema) else "")
    if "string" in expected and isinstance(instance, (list, dict)):
        return "write one text value (quote it when it holds ': ' or starts with [ or {)"
    return None


def _is_number(text: str, whole: bool) -> bool:
    try:
        int(text) if whole else float(text)
    except ValueError:
        return False
    return True


def _range_hint(schema: dict[str, Any]) -> str | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"use a value from {low} to {high}"
    if low is not None:
        return f"use a value of at least {low}"
    if high is not None:
        return f"use a value of at most {high}"
    return None


def _required_hint(name: str, schema: dict[str, Any]) -> str | None:
    prop = schema.get("properties", {}).get(name)
    if isinstance(prop, dict) and prop.get("description"):
        return f"add '{name}': {_short(prop['description'])}"
    return f"add '{name}'"


def _short(text: str, limit: int = 160) -> str:
    first = text.strip().split("\n")[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"
