"""Sensitive values: which variable values (and the API key) are secret, and the one masking layer
every output passes through.

A variable is sensitive when ``humectl.yaml`` lists it under ``sensitive:`` (top level, or in an
environment), or when its value comes from ``HUMECTL_SECRET_<NAME>`` (or from a ``NAME=value`` line of
``HUMECTL_SECRETS``, which carries several at once from one CI secret). Its value never appears in
what humectl writes: it shows as ``(sensitive)``, wherever it occurs, in a manifest value or in a
live value that contains it.

Masking happens at two levels:

* **text**, at every sink (the CLI's ``echo``, the step summary, saved plans and their Markdown, files
  written): :meth:`Sensitive.mask` replaces each value in every form a renderer can have written it
  (as is, JSON-escaped, escaped for the terminal, for Markdown, for workflow commands, each line of a
  multi-line value), so no escaper can let one through;
* **structure**, where plan data is made (:func:`mask_field`, :func:`mask_plan`): a field diff
  that touches a sensitive value hides it on both sides, and also the old value it replaces (an
  earlier secret humectl was never given: the string at the same place, or one shaped like the new
  value around the secret); two different secrets at one place read "(sensitive) changed". Values
  are masked before anything is cut to length, so no prefix of a secret survives a cut.

A saved plan holds no sensitive value: each one is replaced by ``(sensitive)`` in its content, the
places are recorded, and a salted fingerprint of each value (PBKDF2-HMAC-SHA256, a salt per plan)
lets ``apply plan.json`` check that the value it reads from the environment again is the one planned
(:func:`fingerprint`, :func:`restore`).

The registry of the running command is :func:`current` (a context variable the CLI resets per
command). Registering a value calls the listeners, which is how the CLI prints ``::add-mask::`` under
GitHub Actions before anything else.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.core.errors import UsageError
from humectl.core.escape import md_html, md_text, terminal, workflow_data, workflow_property

MASK = "(sensitive)"
SECRET_PREFIX = "HUMECTL_SECRET_"
BUNDLE_ENV = "HUMECTL_SECRETS"
MIN_LENGTH = 4  # shorter values cannot be told apart from ordinary text, so they could not be masked
PBKDF2_ITERATIONS = 100_000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _variants(value: str) -> set[str]:
    """Every form ``value`` can take in humectl's output (see the module docstring)."""

    bases = {value, terminal(value), terminal(value, strict=True), terminal(value, multiline=True)}
    forms: set[str] = set()
    for base in bases:
        forms |= {
            base,
            json.dumps(base)[1:-1],
            json.dumps(base, ensure_ascii=False)[1:-1],
            repr(base)[1:-1],
            md_text(base),
            md_html(base),
            html.escape(base, quote=False),
            base.replace("|", "\\|"),
            workflow_data(base),
            workflow_property(base),
        }
    lines = {line.strip() for form in list(forms) for line in re.split(r"\r\n|\r|\n|\\n", form)}
    forms |= {line for line in lines if len(line) >= MIN_LENGTH}
    return {form for form in forms if len(form) >= MIN_LENGTH}


@dataclass
class Sensitive:
    """The sensitive values of one command: name -> value, and a pattern matching all their forms."""

    values: dict[str, str] = field(default_factory=dict, repr=False)
    listeners: list[Callable[[str], None]] = field(default_factory=list, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _forms: set[str] = field(default_factory=set, repr=False)
    _pending: list[str] = field(default_factory=list, repr=False)  # forms worked out on first use

    def __repr__(self) -> str:
        return f"Sensitive(<{len(self.values)} values>)"

    def add(self, name: str, value: str) -> None:
        """Register ``value`` (ignored when empty) as the sensitive value of ``name``."""
        if not value or (self.values.get(name) == value):
            return
        self.values[name] = value
        self._pending.append(value)
        self._pattern = None
        for listener in self.listeners:
            listener(value)

    def by_name(self) -> dict[str, str]:
        """The sensitive *variables* (the API key is registered too, under a name no variable has)."""
        return {name: value for name, value in self.values.items() if _NAME.match(name)}

    def _regex(self) -> re.Pattern[str] | None:
        while self._pending:
            self._forms |= _variants(self._pending.pop())
        if self._pattern is None and self._forms:
            alternatives = sorted(self._forms, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(form) for form in alternatives))
        return self._pattern

    def mask(self, text: str) -> str:
        """``text`` with every form of every sensitive value replaced by ``(sensitive)``."""
        pattern = self._regex()
        return text if pattern is None or not text else pattern.sub(MASK, text)

    def contains(self, text: str) -> bool:
        pattern = self._regex()
        return bool(pattern is not None and text and pattern.search(text))

    def mask_data(self, data: Any) -> Any:
        """A copy of ``data`` (JSON-like) with every string, keys too, masked."""
        if isinstance(data, str):
            return self.mask(data)
        if isinstance(data, dict):
            return {self.mask(k) if isinstance(k, str) else k: self.mask_data(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.mask_data(v) for v in data]
        return data

    def touches(self, data: Any) -> bool:
        """Whether any string in ``data`` holds a sensitive value."""
        if isinstance(data, str):
            return self.contains(data)
        if isinstance(data, dict):
            return any(self.touches(k) or self.touches(v) for k, v in data.items())
        if isinstance(data, (list, tuple)):
            return any(self.touches(v) for v in data)
        return False


_CURRENT: contextvars.ContextVar[Sensitive | None] = contextvars.ContextVar("humectl_sensitive", default=None)


def current() -> Sensitive:
    """The registry of the running command (a fresh one after :func:`reset`)."""
    found = _CURRENT.get()
    if found is None:
        found = Sensitive()
        _CURRENT.set(found)
    return found


def reset() -> Sensitive:
    """Start a new command: nothing registered, no listeners."""
    fresh = Sensitive()
    _CURRENT.set(fresh)
    return fresh


def of(values: Mapping[str, str]) -> Sensitive:
    """A registry of exactly ``values`` (no listeners), for plan data that carries its own."""
    registry = Sensitive()
    for name, value in values.items():
        registry.add(name, value)
    return registry


# --- where sensitive values come from ------------------------------------------------------------


def secrets_from_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """``HUMECTL_SECRET_<NAME>`` values, and the ``NAME=value`` lines of ``HUMECTL_SECRETS``.

    A malformed line of the bundle is an error that names the line's number, never its text.
    """

    found: dict[str, str] = {}
    for number, line in enumerate(environ.get(BUNDLE_ENV, "").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise UsageError(
                f"{BUNDLE_ENV} line {number} is not NAME=value",
                hint="one sensitive variable per line, e.g. webhook_token=… (the name: letters, digits and _)",
            )
        found[name] = value
    for key, value in environ.items():
        if key.startswith(SECRET_PREFIX) and _NAME.match(key[len(SECRET_PREFIX) :]):
            found[key[len(SECRET_PREFIX) :]] = value
    return found


def too_short(value: str) -> bool:
    return 0 < len(value) < MIN_LENGTH


# --- structure: plan data -----------------------------------------------------------------------


def _templates(data: Any, registry: Sensitive) -> list[tuple[str, str]]:
    """(before, after) the secrets of every string in ``data`` that holds one."""
    out: list[tuple[str, str]] = []
    pattern = registry._regex()
    if pattern is None:
        return out
    for text in _strings(data):
        matches = list(pattern.finditer(text))
        if matches:
            out.append((text[: matches[0].start()], text[matches[-1].end() :]))
    return out


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, (list, tuple)):
        for value in data:
            yield from _strings(value)


def _hide(data: Any, twin: Any, shapes: list[tuple[str, str]], registry: Sensitive) -> Any:
    """``data`` masked, and also every string standing where ``twin`` holds a secret, or shaped like
    a string of ``twin`` around its secret (``shapes``): an earlier value of the same secret."""
    if isinstance(data, str):
        if registry.contains(data):
            return registry.mask(data)
        for before, after in shapes:  # the same place with an earlier secret: masked the same way
            if data.startswith(before) and data.endswith(after) and len(data) > len(before) + len(after):
                return before + MASK + after
        return MASK if isinstance(twin, str) and registry.contains(twin) else data
    if isinstance(data, dict):
        other = twin if isinstance(twin, dict) else {}
        return {k: _hide(v, other.get(k), shapes, registry) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        others = list(twin) if isinstance(twin, (list, tuple)) else []
        return [_hide(v, others[i] if i < len(others) else None, shapes, registry) for i, v in enumerate(data)]
    return data


def mask_pair(before: Any, after: Any, registry: Sensitive) -> tuple[Any, Any]:
    """Both sides of a change with their sensitive strings (and what they replace) as ``(sensitive)``."""
    if not (registry.touches(before) or registry.touches(after)):
        return before, after
    shapes = _templates(before, registry) + _templates(after, registry)
    return _hide(before, after, shapes, registry), _hide(after, before, shapes, registry)


def mask_field(change: Any, registry: Sensitive) -> Any:
    """A :class:`humectl.decide.diff.FieldChange` with :func:`mask_pair` applied (itself when untouched).
    Masked sides that end up equal mean: only sensitive values changed ("(sensitive) changed")."""
    before, after = mask_pair(change.before, change.after, registry)
    if before is change.before and after is change.after:
        return change
    return type(change)(change.path, before, after)


def is_masked_change(before: Any, after: Any) -> bool:
    """A field change whose only difference was in sensitive values (both sides masked alike)."""
    return before == after and MASK in json.dumps(before, ensure_ascii=False)


# --- saved plans --------------------------------------------------------------------------------


def fingerprint(value: str, salt: str) -> str:
    """A salted, slow fingerprint of ``value``: it tells whether a value is the same without holding it."""

    digest = hashlib.pbkdf2_hmac("sha256", value.encode("utf-8"), bytes.fromhex(salt), PBKDF2_ITERATIONS)
    return f"pbkdf2-sha256:{PBKDF2_ITERATIONS}:{digest.hex()}"


def same(value: str, salt: str, expected: str) -> bool:
    kind, _, rest = expected.partition(":")
    iterations, _, _ = rest.partition(":")
    if kind != "pbkdf2-sha256" or not iterations.isdigit():
        return False

    digest = hashlib.pbkdf2_hmac("sha256", value.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(f"pbkdf2-sha256:{iterations}:{digest.hex()}", expected)


def mask_content(content: Any, values: Mapping[str, str], pointer: str = "") -> tuple[Any, dict[str, list[Any]]]:
    """``content`` with each sensitive value replaced by ``(sensitive)``, and where: JSON pointer ->
    ``[[offset in the masked string, name], ...]`` (so :func:`unmask_content` can put them back)."""
    places: dict[str, list[Any]] = {}
    if isinstance(content, str):
        ordered = sorted(values.items(), key=lambda item: len(item[1]), reverse=True)
        alternatives = "|".join(re.escape(v) for _, v in ordered if v)
        if not alternatives:
            return content, places
        name_of = {v: n for n, v in ordered}
        out, found, last = [], [], 0
        for match in re.finditer(alternatives, content):
            out.append(content[last : match.start()])
            found.append([sum(len(p) for p in out), name_of[match.group(0)]])
            out.append(MASK)
            last = match.end()
        out.append(content[last:])
        if found:
            places[pointer] = found
        return "".join(out), places
    if isinstance(content, dict):
        result = {}
        for key, value in content.items():
            result[key], inner = mask_content(value, values, f"{pointer}/{_escape(str(key))}")
            places.update(inner)
        return result, places
    if isinstance(content, list):
        items = []
        for i, value in enumerate(content):
            masked, inner = mask_content(value, values, f"{pointer}/{i}")
            items.append(masked)
            places.update(inner)
        return items, places
    return content, places


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def unmask_content(content: Any, places: Mapping[str, list[Any]], values: Mapping[str, str]) -> Any:
    """Put the values back where :func:`mask_content` took them out (raises ValueError if the content
    does not hold a placeholder where one is recorded)."""

    def walk(node: Any, pointer: str) -> Any:
        if isinstance(node, str) and pointer in places:
            text = node
            for offset, name in sorted(places[pointer], key=lambda item: item[0], reverse=True):
                if text[offset : offset + len(MASK)] != MASK:
                    raise ValueError(f"the saved plan's content at {pointer or '/'} was changed by hand")
                text = text[:offset] + values[name] + text[offset + len(MASK) :]
            return text
        if isinstance(node, dict):
            return {k: walk(v, f"{pointer}/{_escape(str(k))}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{pointer}/{i}") for i, v in enumerate(node)]
        return node

    return walk(content, "")


def write_masked(path: str | Path, text: str) -> None:
    """Write a file for people (a plan's Markdown, a snapshot): masked like everything printed."""
    Path(path).write_text(current().mask(text), encoding="utf-8")
