"""Semantic checks on manifest entries: what a JSON Schema cannot say, or cannot say helpfully.

Each check takes the entries (one per list item under ``prompts``/``tools``/``configs``) and
returns located problems; none raises. The checks that the schema also expresses for editors
(prompt text, voice, evi_version, tool names, webhook URLs) are dropped from the schema report
(see ``x-humectl-check`` in :mod:`humectl.load.schema`) and reported here, once, with a better message.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs

from humectl.catalog import model_catalog, voice_library
from humectl.core.codepoints import describe, first_unsafe
from humectl.core.errors import Problem
from humectl.core.kinds import KINDS, KindName
from humectl.load import variables
from humectl.load.entries import ManifestEntry
from humectl.load.schema import unknown_fields

TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME_LENGTH = 256  # Hume's limit for prompt, tool and config names (the emulator's too)
SUPPORTED_EVI_VERSIONS = ("3", "4-mini")
RETIRED_EVI_VERSIONS = ("1", "2")


def _did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    close = _close(word, candidates)
    return f"did you mean '{close}'?" if close else None


# --- names ------------------------------------------------------------------------------------

# Why each class of code point (humectl.core.codepoints) cannot be part of a name.
_NAME_CLASS_WHY = {
    "control": "a control character: names are printed in terminals, logs and pull-request comments",
    "line separator": "a line separator: it breaks the name over lines wherever it is shown",
    "bidi control": "a bidi control: it reorders how the name is shown, so it can pass for another name",
    "invisible": "an invisible character: the name would look exactly like one without it",
    "surrogate": "a lone surrogate, which is not a character",
    "unassigned": "a code point that is not a character",
    "private use": "a private-use code point, which shows differently in every font",
    "space": "a space other than the ordinary one, which looks just like it",
}
NAME_HINT = (
    "names may use letters of any script, digits, spaces and punctuation, but no control, bidi or invisible characters"
)


def name_problem(name: str, *, max_length: int | None = MAX_NAME_LENGTH) -> tuple[str, str] | None:
    """(why, hint) when ``name`` cannot name a resource (as humectl writes it to Hume and shows it).

    Refused: control characters (C0, DEL, C1), line separators, bidi controls, invisible code points
    (zero-width spaces and joiners, the BOM, the soft hyphen, tag characters, blank letters), lone
    surrogates, unassigned and private-use code points, spaces other than U+0020, leading or trailing
    whitespace, and more than ``max_length`` characters. Letters of every script are fine.
    """
    found = first_unsafe(name, strict=True)
    if found is not None:
        index, ch, kind = found
        more = sum(1 for i, c in enumerate(name) if i > index and first_unsafe(c, strict=True))
        also = f" (and {more} more such character{'s' if more != 1 else ''})" if more else ""
        return f"holds {describe(ch)} at character {index + 1}{also}, {_NAME_CLASS_WHY[kind]}", NAME_HINT
    if name != name.strip():
        return "starts or ends with whitespace, which no one sees in a list of names", "remove it"
    if max_length is not None and len(name) > max_length:
        return f"is {len(name):,} characters long; Hume allows at most {max_length}", "shorten it"
    return None


def prefix_problem(prefix: str) -> str | None:
    """Why a name prefix cannot start every name (the same characters as names; no leading space)."""
    found = name_problem(prefix.rstrip(), max_length=MAX_NAME_LENGTH - 1) if prefix.strip() else None
    if prefix and not prefix.strip():
        return "is only whitespace"
    return None if found is None else found[0]


def _shown_name(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "..."


def check_names(entry: ManifestEntry) -> list[Problem]:
    """The name and every previous name, as written and (for the length) with the name prefix."""
    problems: list[Problem] = []
    name = entry.name
    if name is not None:
        found = name_problem(name, max_length=None)
        full = entry.full_name or name
        if found is None and len(full) > MAX_NAME_LENGTH:
            found = name_problem(full)
            if found is not None and entry.prefix:
                found = (f"{found[0]} (with the name prefix {entry.prefix!r})", found[1])
        if found is not None:
            message = f"{entry.kind} name '{_shown_name(name)}' {found[0]}"
            problems.append(entry.problem("/name", message, found[1], rule="name"))
    olds = entry.data.get("previous_names")
    for i, old in enumerate(olds if isinstance(olds, list) else []):
        if not isinstance(old, str) or not old:
            continue  # a schema violation
        found = name_problem(old)
        if found is not None:
            problems.append(
                entry.problem(
                    f"/previous_names/{i}",
                    f"previous name '{_shown_name(old)}' of {entry.label} {found[0]}",
                    "humectl renames nothing from such a name; rename that resource in Hume's dashboard or API",
                    rule="name",
                )
            )
    return problems


# --- fields humectl does not know -------------------------------------------------------------------

UNKNOWN_FIELD = "unknown-field"
_TYPO_CUTOFF = 0.8  # a typo of a known field (temprature, voicee); a new field (on_resume_chat) is further


def check_unknown_fields(entry: ManifestEntry) -> list[Problem]:
    """A field the schema does not know, where one may be written (a field Hume added after humectl's
    release): a warning, with a did-you-mean when it looks like a known field; humectl sends it as
    written. A field the server sets on every version (``id``, ``created_on``) is an error."""
    problems: list[Problem] = []
    server = KINDS[entry.kind].server_fields
    for found in unknown_fields(entry.kind, entry.data):
        pointer = "".join(f"/{part}" for part in found.path)
        field = found.dotted
        if len(found.path) == 1 and found.path[0] in server:
            problems.append(
                entry.problem(
                    pointer,
                    f"{entry.label}: '{field}' is set by Hume on every version, not by a manifest",
                    "remove it: humectl identifies resources by name and numbers versions itself",
                    rule="server-field",
                    key=True,
                )
            )
            continue
        close = difflib.get_close_matches(str(found.path[-1]), found.known, n=1, cutoff=_TYPO_CUTOFF)
        hint = (
            f"did you mean '{close[0]}'? If '{found.path[-1]}' is meant, ignore_warnings: [{UNKNOWN_FIELD}] on "
            f"the {entry.kind} silences this"
            if close
            else f"a field Hume added after humectl? ignore_warnings: [{UNKNOWN_FIELD}] on the {entry.kind} "
            "silences this"
        )
        problems.append(
            entry.problem(
                pointer,
                f"{entry.label}: '{field}' is not a field humectl knows; it is sent to Hume as written",
                hint,
                rule=UNKNOWN_FIELD,
                severity="warning",
                key=True,
            )
        )
    return problems


# --- per entry --------------------------------------------------------------------------------


def check_prompt_text(entry: ManifestEntry) -> list[Problem]:
    has_text, has_file = "text" in entry.data, "text_file" in entry.data
    if has_text and has_file:
        return [
            entry.problem(
                "/text_file",
                f"{entry.label} sets both text and text_file",
                "keep exactly one: inline text, or text_file with a path",
                rule="prompt-text",
                key=True,
            )
        ]
    if not has_text and not has_file:
        return [
            entry.problem(
                "",
                f"{entry.label} has neither text nor text_file",
                "add text: | … with the prompt, or text_file: prompts/<file>.md",
                rule="prompt-text",
            )
        ]
    return []


def check_tool_name(entry: ManifestEntry) -> list[Problem]:
    full = entry.full_name
    if full is None or TOOL_NAME_RE.match(full) or name_problem(entry.name or "", max_length=None):
        return []  # a valid tool name, or one check_names already refuses
    if len(full) > MAX_NAME_LENGTH:
        return []  # check_names says so
    bad = sorted({c for c in full if not re.match(r"[A-Za-z0-9_-]", c)})
    if len(full) > 64:
        why = f"it is {len(full)} characters long (at most 64)"
    else:
        why = "it contains " + ", ".join(repr(c) for c in bad)
    hint = "use 1 to 64 letters, digits, '_' or '-'"
    if entry.prefix:
        hint += f" (the name prefix {entry.prefix!r} counts too)"
    return [
        entry.problem(
            "/name", f"tool name '{full}' cannot be called by the language model: {why}", hint, rule="tool-name"
        )
    ]


def check_reserved_name(entry: ManifestEntry) -> list[Problem]:
    """Names a kind keeps for humectl itself (the account lock) cannot be managed by manifests."""
    full = entry.full_name
    if full is None or not KINDS[entry.kind].is_reserved(full):
        return []
    return [
        entry.problem(
            "/name",
            f"{entry.kind} name '{full}' is reserved: humectl keeps its account lock under it",
            "choose another name (docs/locking.md)",
            rule="reserved-name",
        )
    ]


def check_evi_version(entry: ManifestEntry) -> list[Problem]:
    if "evi_version" not in entry.data:
        return []  # the schema reports the missing required field
    value = entry.data["evi_version"]
    text = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if text in RETIRED_EVI_VERSIONS:
        return [
            entry.problem(
                "/evi_version",
                f'evi_version "{text}" is retired: EVI versions 1 and 2 ended on 2025-08-30',
                'use "3" or "4-mini"',
                rule="evi-version",
            )
        ]
    if not isinstance(value, str):
        hint = f'quote it: evi_version: "{text}"' if text in SUPPORTED_EVI_VERSIONS else 'use "3" or "4-mini"'
        kind = "a number" if isinstance(value, (int, float)) and not isinstance(value, bool) else "not a string"
        return [entry.problem("/evi_version", f"evi_version must be a string, not {kind}", hint, rule="evi-version")]
    if value not in SUPPORTED_EVI_VERSIONS:
        hint = _did_you_mean(value, SUPPORTED_EVI_VERSIONS) or 'use "3" or "4-mini"'
        return [entry.problem("/evi_version", f"evi_version '{value}' is not supported", hint, rule="evi-version")]
    return []


def check_voice(entry: ManifestEntry) -> list[Problem]:
    voice = entry.data.get("voice")
    if not isinstance(voice, dict):
        return []
    has_name, has_id = "name" in voice, "id" in voice
    if has_name and has_id:
        return [entry.problem("/voice/id", "voice sets both name and id", "keep one of them", rule="voice", key=True)]
    if not has_name and not has_id:
        return [
            entry.problem(
                "/voice", "voice needs a name or an id", "e.g. voice: {provider: HUME_AI, name: ITO}", rule="voice"
            )
        ]
    if has_name and "provider" not in voice:
        return [
            entry.problem(
                "/voice",
                f"voice '{voice.get('name')}' has no provider, so Hume looks for it among your custom voices",
                "add provider: HUME_AI for a voice from Hume's voice library (or CUSTOM_VOICE to say so)",
                rule="voice-provider",
                severity="warning",
            )
        ]
    return []


def check_webhooks(entry: ManifestEntry) -> list[Problem]:
    hooks = entry.data.get("webhooks")
    problems: list[Problem] = []
    if not isinstance(hooks, list):
        return problems
    for i, hook in enumerate(hooks):
        url = hook.get("url") if isinstance(hook, dict) else None
        if not isinstance(url, str):
            continue
        try:
            parts = urlsplit(url.strip())
        except ValueError as exc:  # e.g. an unclosed "[" of an IPv6 host
            problems.append(
                entry.problem(
                    f"/webhooks/{i}/url",
                    f"webhook url '{url}' is not a valid URL ({exc})",
                    "write https://host/path",
                    rule="webhook-https",
                )
            )
            continue
        if parts.scheme.lower() != "https":
            problems.append(
                entry.problem(
                    f"/webhooks/{i}/url",
                    f"webhook url '{url}' is not https",
                    "Hume only sends webhooks to https:// URLs",
                    rule="webhook-https",
                )
            )
        elif not parts.netloc:
            problems.append(
                entry.problem(
                    f"/webhooks/{i}/url",
                    f"webhook url '{url}' has no host",
                    "write https://host/path",
                    rule="webhook-https",
                )
            )
    return problems


@dataclass(frozen=True)
class Allowances:
    """Names the user vouches for (``validate --allow-model/--allow-voice``): known, whatever the catalog says."""

    models: frozenset[str] = frozenset()
    voices: frozenset[str] = frozenset()


# The warnings an entry can silence with ``ignore_warnings: [rule, ...]`` (errors are never silenced).
IGNORABLE_WARNINGS = (
    "model-resource",
    "voice-name",
    "voice-provider",
    "pinned-managed",
    "tool-parameters",
    "prompt-tool-not-attached",
    "tool-not-mentioned",  # humectl.load.lint, at validate
    "unknown-field",
    "text-file-variable",
)
_SILENCE = "a model Hume added later? --allow-model {0} on validate, or ignore_warnings: [model-resource] here"


def check_model_resource(entry: ManifestEntry, allowed: Allowances) -> list[Problem]:
    """``model_resource`` against the models Hume lists for ``model_provider`` (humectl/catalog/models.json)."""
    model = entry.data.get("language_model")
    if not isinstance(model, dict):
        return []
    resource, provider = model.get("model_resource"), model.get("model_provider")
    if not isinstance(resource, str) or not resource or resource in allowed.models:
        return []
    if provider == "CUSTOM_LANGUAGE_MODEL":
        return []  # your own model behind your own endpoint: any identifier is yours to choose

    catalog = model_catalog()
    listed_under = catalog.providers_of(resource)
    provider_models = catalog.by_provider.get(provider) if isinstance(provider, str) else None
    if listed_under and (provider_models is None or provider in listed_under):
        return []
    sub = "/language_model/model_resource"
    if provider_models is not None and listed_under:
        close = _close(resource, provider_models)
        return [
            entry.problem(
                sub,
                f"model_resource '{resource}' is listed by Hume for {' and '.join(listed_under)}, not for {provider}",
                f"set model_provider: {listed_under[0]}" + (f", or did you mean '{close}'?" if close else ""),
                rule="model-resource",
                severity="warning",
            )
        ]
    close = _close(resource, catalog.models if provider_models is None else provider_models)
    where = "" if provider_models is None else f" for {provider}"
    hint = f"did you mean '{close}'?" if close else _SILENCE.format(resource)
    return [
        entry.problem(
            sub,
            f"model_resource '{resource}' is not one of the models Hume lists{where}",
            hint,
            rule="model-resource",
            severity="warning",
        )
    ]


def check_voice_name(entry: ManifestEntry, allowed: Allowances) -> list[Problem]:
    """A ``HUME_AI`` voice named in the manifest must be in Hume's Voice Library (humectl/catalog/voices.json).

    Names only: a third of the live library has no public id, so an unknown id proves nothing.
    """
    voice = entry.data.get("voice")
    if not isinstance(voice, dict) or voice.get("provider") != "HUME_AI":
        return []
    name = voice.get("name")
    if not isinstance(name, str) or not name or name in allowed.voices:
        return []

    library = voice_library()
    if library.by_name(name) is not None:
        return []
    close = _close(name, library.names)
    return [
        entry.problem(
            "/voice/name",
            f"voice '{name}' is not in Hume's Voice Library (the {len(library)} voices humectl knows)",
            f"did you mean '{close}'?"
            if close
            else f"a voice humectl does not know? --allow-voice '{name}' on validate, or ignore_warnings: [voice-name]",
            rule="voice-name",
            severity="warning",
        )
    ]


def _close(word: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return found[0] if found else None


def check_text_file_variables(entry: ManifestEntry, key: str, text: str) -> list[Problem]:
    """A warning at ``key`` (a prompt's ``text_file``) when the file holds ``${name}``: text files are
    sent as written, never substituted (docs/manifests.md), so the reference would reach Hume literally."""
    found = variables.references(text)
    if not found:
        return []
    names = list(dict.fromkeys(name for name, _ in found))
    shown = ", ".join(f"${{{name}}}" for name in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    first_line = found[0][1]
    return [
        entry.problem(
            f"/{key}",
            f"{key} '{entry.data.get(key)}' holds {shown} (line {first_line}), which is sent to Hume as written: "
            "text files are never substituted",
            "to substitute it, write the text inline (text: |); to keep it literal, "
            "ignore_warnings: [text-file-variable] on this entry",
            rule="text-file-variable",
            severity="warning",
        )
    ]


def drop_ignored(entry: ManifestEntry, problems: list[Problem]) -> list[Problem]:
    """The entry's problems without the warnings its ``ignore_warnings`` lists (errors always stay)."""
    ignored = entry.data.get("ignore_warnings")
    if not isinstance(ignored, list) or not ignored:
        return problems
    return [p for p in problems if not (p.severity == "warning" and p.rule in ignored)]


def parse_json_schema(entry: ManifestEntry, key: str) -> tuple[str | None, list[Problem]]:
    """A JSON Schema field of ``entry`` (``Kind.json_schema_fields``: a tool's ``parameters``), given as a
    YAML mapping or a JSON string, checked and as canonical JSON text."""
    if key not in entry.data:
        return None, []  # the schema reports a missing required field
    value = entry.data[key]
    sub, rule = f"/{key}", f"{entry.kind}-{key.replace('_', '-')}"
    from_string = isinstance(value, str)
    if from_string:
        try:
            value = json.loads(value, parse_constant=_refuse_constant, parse_float=_finite_float)
        except json.JSONDecodeError as exc:
            return None, [
                entry.problem(
                    sub,
                    f"{key} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno} of the string)",
                    "write the JSON Schema as YAML instead of a JSON string",
                    rule=rule,
                )
            ]
        except RecursionError:  # nesting of about 1,000 levels stops the decoder
            message = f"{key} is nested more than {MAX_JSON_DEPTH} levels deep"
            return None, [entry.problem(sub, message, rule=rule)]
        except ValueError as exc:  # an integer over 4,300 digits, NaN, Infinity, 1e400
            message = f"{key} is not valid JSON: {_number_problem(exc)}"
            hint = "JSON numbers are finite and shorter than 4,300 digits"
            return None, [entry.problem(sub, message, hint, rule=rule)]
        depth = json_depth(value)
        if depth > MAX_JSON_DEPTH:
            message = f"{key} is nested more than {MAX_JSON_DEPTH} levels deep"
            return None, [entry.problem(sub, message, rule=rule)]
    if not isinstance(value, dict):
        if not from_string:
            return None, []  # a wrong YAML type is a schema violation, reported there
        return None, [
            entry.problem(
                sub,
                f"{key} must be a JSON Schema object",
                "e.g. {type: object, properties: {}}",
                rule=rule,
            )
        ]
    try:
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
        error = _json_schema_error(canonical)
    except RecursionError:
        return None, [entry.problem(sub, f"{key} is nested too deeply", rule=rule)]
    if error is not None:
        message, path = error
        inner = "" if from_string else "".join(f"/{p}" for p in path)
        where = "/".join(str(p) for p in path)
        return None, [
            entry.problem(
                sub + inner,
                f"{key} is not a valid JSON Schema: {message}" + (f" (at {where})" if where else ""),
                "see https://json-schema.org/understanding-json-schema/",
                rule=rule,
            )
        ]
    problems: list[Problem] = []
    if value.get("type") != "object":
        problems.append(
            entry.problem(
                sub,
                f"{entry.kind} {key} should describe an object (type: object): the model passes named arguments",
                "add type: object and list the arguments under properties",
                rule=rule,
                severity="warning",
            )
        )
    return canonical, problems


# Keywords whose values the 2020-12 meta-schema checks with a "format" (regex, uri, uri-reference):
# jsonschema checks those formats (as far as its installed format checkers go), jsonschema-rs does not.
_FORMAT_CHECKED_KEYS = frozenset(
    {"pattern", "patternProperties", "$schema", "$vocabulary", "$id", "$ref", "$dynamicRef"}
)


MAX_JSON_DEPTH = 200  # as deep as a YAML manifest may nest (humectl.load.yamldoc.MAX_DEPTH)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is too large for a float")
    return value


def _number_problem(exc: ValueError) -> str:
    text = str(exc)
    return "an integer has more than 4,300 digits" if "integer string conversion" in text else text


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a scalar), without recursing."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


@functools.lru_cache(maxsize=512)
def _json_schema_error(canonical: str) -> tuple[str, tuple[str | int, ...]] | None:
    """Draft 2020-12 meta-validation of one schema (cached: checking is slow, schemas repeat).

    jsonschema-rs confirms the common case (a valid schema without format-checked keywords) without
    importing jsonschema; anything else is jsonschema's call, which also words the message."""
    schema = json.loads(canonical)
    if _meta_valid_fast(schema, canonical):
        return None
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return exc.message, tuple(exc.path)
    return None


def _meta_valid_fast(schema: Any, canonical: str) -> bool:
    if any(f'"{key}":' in canonical for key in _FORMAT_CHECKED_KEYS):
        return False  # (also when the word is only a property name: jsonschema then decides, no harm)
    try:
        return bool(jsonschema_rs.meta.is_valid(schema))
    except Exception:  # anything it cannot take or resolve: jsonschema decides
        return False


# --- across entries ---------------------------------------------------------------------------


def _same_name(name: str) -> str:
    """Names that differ only by Unicode normalisation (``é`` as one code point, or ``e`` and a combining
    accent) look identical in the dashboard and in a pull request: they count as one name here."""
    return unicodedata.normalize("NFC", name)


def _normalisation(name: str) -> str:
    return (
        "NFC"
        if unicodedata.is_normalized("NFC", name)
        else "NFD"
        if unicodedata.is_normalized("NFD", name)
        else "mixed"
    )


def check_duplicate_names(entries: list[ManifestEntry]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[tuple[str, str], ManifestEntry] = {}
    for entry in entries:
        full = entry.full_name
        if full is None:
            continue
        key = (entry.kind, _same_name(full))
        other = first.get(key)
        if other is None:
            first[key] = entry
        elif other.full_name == full:
            problems.append(
                entry.problem(
                    "/name",
                    f"duplicate {entry.kind} name '{full}': also defined at {other.where('/name')}",
                    f"a name identifies one {entry.kind}; rename or remove one of them",
                    rule="duplicate-name",
                )
            )
        else:
            problems.append(
                entry.problem(
                    "/name",
                    f"{entry.kind} name '{full}' ({_normalisation(full)}) differs from '{other.full_name}' "
                    f"({_normalisation(other.full_name or '')}) at {other.where('/name')} only by Unicode "
                    "normalisation: the two look identical in the dashboard and in a pull request",
                    "write both names the same way (NFC, what most editors type), or give one another name",
                    rule="duplicate-name",
                )
            )
    # previous_names: must not name another current resource nor be claimed twice.
    claimed: dict[tuple[str, str], ManifestEntry] = {}
    for entry in entries:
        olds = entry.data.get("previous_names")
        if not isinstance(olds, list) or entry.full_name is None:
            continue
        for i, old in enumerate(olds):
            if not isinstance(old, str) or not old:
                continue
            full_old = entry.prefix + old
            sub = f"/previous_names/{i}"
            if _same_name(full_old) == _same_name(entry.full_name):
                problems.append(
                    entry.problem(
                        sub, f"{entry.label} lists its own name as a previous name", "remove it", rule="previous-names"
                    )
                )
            elif (entry.kind, _same_name(full_old)) in first:
                other = first[(entry.kind, _same_name(full_old))]
                problems.append(
                    entry.problem(
                        sub,
                        f"previous name '{full_old}' of {entry.label} is the name of another {entry.kind} "
                        f"({other.where('/name')})",
                        "a rename's old name cannot also be in use; remove one of them",
                        rule="previous-names",
                    )
                )
            elif (entry.kind, _same_name(full_old)) in claimed:
                other = claimed[(entry.kind, _same_name(full_old))]
                problems.append(
                    entry.problem(
                        sub,
                        f"previous name '{full_old}' is also claimed by {other.label} ({other.where()})",
                        "only one resource can be renamed from a given name",
                        rule="previous-names",
                    )
                )
            else:
                claimed[(entry.kind, _same_name(full_old))] = entry
    return problems


def reference_parts(value: Any) -> tuple[str | None, int | None]:
    """``name`` or ``{name, version}`` as (name, version); (None, None) when malformed."""
    if isinstance(value, str) and value:
        return value, None
    if isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"]:
        version = value.get("version")
        pinned = version if isinstance(version, int) and not isinstance(version, bool) else None
        return value["name"], pinned
    return None, None


def check_references(entries: list[ManifestEntry]) -> list[Problem]:
    """References (``Kind.references``) to resources the manifests do not define, rename away, list
    twice, or pin although they manage them."""
    targets = {r.target for kind in KINDS.values() for r in kind.references}
    managed: dict[KindName, dict[str, ManifestEntry]] = {t: {} for t in targets}
    renamed: dict[KindName, dict[str, ManifestEntry]] = {t: {} for t in targets}  # old name -> the entry renaming it
    for entry in entries:
        if entry.kind in managed and entry.full_name is not None:
            managed[entry.kind].setdefault(entry.full_name, entry)
            olds = entry.data.get("previous_names")
            for old in olds if isinstance(olds, list) else []:
                if isinstance(old, str):
                    renamed[entry.kind].setdefault(entry.prefix + old, entry)
    problems: list[Problem] = []
    for entry in entries:
        refs: list[tuple[KindName, str, Any, bool]] = []
        for reference in KINDS[entry.kind].references:
            if not reference.many:
                if reference.field in entry.data:
                    refs.append((reference.target, f"/{reference.field}", entry.data[reference.field], False))
                continue
            items = entry.data.get(reference.field)
            if isinstance(items, list):
                refs.extend((reference.target, f"/{reference.field}/{i}", item, True) for i, item in enumerate(items))
        seen: set[tuple[str, str]] = set()
        for target, sub, value, many in refs:
            name, version = reference_parts(value)
            if name is None:
                continue  # malformed: a schema violation
            full = entry.prefix + name
            if many:
                if (target, full) in seen:
                    problems.append(
                        entry.problem(
                            sub,
                            f"{entry.label} lists {target} '{name}' twice",
                            f"remove the repeated {target}",
                            rule="duplicate-reference",
                        )
                    )
                    continue
                seen.add((target, full))
            renamer = renamed[target].get(full) if full not in managed[target] else None
            if renamer is not None:
                # The apply renames that resource away: the reference would name nothing afterwards.
                problems.append(
                    entry.problem(
                        sub,
                        f"{entry.label} refers to {target} '{name}', which {renamer.label} renames "
                        f"(previous_names): after apply no {target} has that name",
                        f"refer to it by its new name, {renamer.name}",
                        rule="unresolved-reference",
                    )
                )
                continue
            if full in managed[target]:
                if version is not None:
                    warning = entry.problem(
                        sub,
                        f"{entry.label} pins {target} '{name}' to version {version}, but the manifests manage "
                        f"that {target}: its changes will never reach this config",
                        f"write {target}: {name} to follow its newest version, or keep the pin on purpose",
                        rule="pinned-managed",
                        severity="warning",
                    )
                    problems += drop_ignored(entry, [warning])
                continue
            if version is not None:
                continue  # pinned to a resource managed elsewhere: plan checks that it exists
            written = [e.name for e in managed[target].values() if e.name]
            hint = _did_you_mean(name, written) or (
                f"define it under {KINDS[target].plural}:, "
                f"or pin an existing {target} with {{name: {name}, version: N}}"
            )
            problems.append(
                entry.problem(
                    sub,
                    f"{entry.label}: {target} '{name}' is not defined in the manifests",
                    hint,
                    rule="unresolved-reference",
                )
            )
    return problems


def check_builtin_tools(entry: ManifestEntry) -> list[Problem]:
    """A built-in tool listed twice (a config's ``builtin_tools``)."""
    problems: list[Problem] = []
    builtins = entry.data.get("builtin_tools")
    if isinstance(builtins, list):
        seen: set[str] = set()
        for i, item in enumerate(builtins):
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str):
                if name in seen:
                    problems.append(
                        entry.problem(
                            f"/builtin_tools/{i}",
                            f"{entry.label} lists built-in tool '{name}' twice",
                            "remove the repeated tool",
                            rule="duplicate-reference",
                        )
                    )
                seen.add(name)
    return problems


# The checks a kind names in its declaration (``Kind.checks``), by name.
CHECKS: dict[str, Callable[[ManifestEntry, Allowances], list[Problem]]] = {
    "prompt_text": lambda entry, allowed: check_prompt_text(entry),
    "tool_name": lambda entry, allowed: check_tool_name(entry),
    "evi_version": lambda entry, allowed: check_evi_version(entry),
    "voice": lambda entry, allowed: check_voice(entry),
    "webhooks": lambda entry, allowed: check_webhooks(entry),
    "model_resource": check_model_resource,
    "voice_name": check_voice_name,
    "builtin_tools": lambda entry, allowed: check_builtin_tools(entry),
}


def check_entries(entries: list[ManifestEntry], allowed: Allowances | None = None) -> list[Problem]:
    """Every per-entry and cross-entry check (JSON Schema fields are checked while building specs)."""
    allowed = allowed or Allowances()
    problems: list[Problem] = []
    for entry in entries:
        own = [p for name in KINDS[entry.kind].checks for p in CHECKS[name](entry, allowed)]
        found = [*check_names(entry), *check_unknown_fields(entry), *own, *check_reserved_name(entry)]
        problems += drop_ignored(entry, found)
    problems += check_duplicate_names(entries)
    problems += check_references(entries)
    return problems
