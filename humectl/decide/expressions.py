"""A manifest entry rewritten to other values (a rollback's ``--write``) keeps its ``${name}`` expressions
where they still give those values, so what one environment wrote back is right in every other.

The manifests hold expressions; what an environment applies is what they resolve to there. A rollback in
``dev`` that wrote ``temperature: 0.4`` where the entry said ``temperature: ${temp}`` would bake dev's
value into the manifests prod applies. So field by field (and key by key inside a section): a field the
entry wrote with a ``${…}`` reference keeps that reference when, in this environment, it resolves to the
value being written (compared canonically, as a plan compares). A text written as a template
(``"You work for ${company}. Be kind."``) whose literal part changed is written as the same template
over the new text, when the new text holds each variable's value exactly as often as the template
used it (so the template gives the new text here, and each environment its own values). Anything else
whose value would differ cannot be expressed by the entry as written: it is listed
(:class:`Unexpressible`), and the caller refuses, or says so. Every other value is written literally,
with ``${`` escaped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from humectl.decide.export import escape_variables
from humectl.load import variables


@dataclass(frozen=True)
class Unexpressible:
    """A field written with ``${…}`` whose expression gives ``resolved`` here, not the ``wanted`` value."""

    path: str
    written: Any  # as the manifest writes it (with its ${…})
    resolved: Any  # canonical: what it gives in this environment
    wanted: Any  # canonical: the value to write

    def describe(self) -> str:
        names = ", ".join(f"${{{n}}}" for n in dict.fromkeys(_names(self.written))) or "${…}"
        return (
            f"{self.path} is written with {names}, which gives {_shown(self.resolved)} here, not {_shown(self.wanted)}"
        )


@dataclass
class Expressed:
    """The entry to write, the paths whose ``${…}`` were kept, and those that could not be."""

    entry: dict[str, Any]
    kept: list[str] = field(default_factory=list)
    unexpressible: list[Unexpressible] = field(default_factory=list)


def mentions_variables(value: Any) -> bool:
    """Whether ``value`` (manifest data as written) holds a ``${…}`` reference anywhere."""
    if isinstance(value, str):
        return "${" in value.replace("$${", "")
    if isinstance(value, dict):
        return any(mentions_variables(v) for v in value.values())
    if isinstance(value, list):
        return any(mentions_variables(v) for v in value)
    return False


def keep_expressions(
    written: Mapping[str, Any],
    new: Mapping[str, Any],
    resolved: Mapping[str, Any],
    wanted: Mapping[str, Any],
    *,
    values: Mapping[str, str] | None = None,
    as_written: Iterable[str] = (),
) -> Expressed:
    """``new`` (plain values, unescaped) as the entry to write over ``written`` (the entry as written).

    ``resolved`` is the canonical content the written entry gives in this environment, ``wanted`` the
    canonical content ``new`` stands for, ``values`` this environment's variables; keys in
    ``as_written`` (meta keys, a text file's path) are written as ``new`` holds them, untouched."""
    out = Expressed({})
    untouched = set(as_written)
    context = _Context(dict(values or {}), out)
    for key, value in new.items():
        if key in untouched:
            out.entry[key] = value
        else:
            out.entry[key] = context.expressed(key, written.get(key), value, resolved.get(key), wanted.get(key))
    return out


@dataclass
class _Context:
    values: dict[str, str]
    out: Expressed

    def expressed(self, path: str, written: Any, new: Any, resolved: Any, wanted: Any) -> Any:
        if not mentions_variables(written):
            return escape_variables(new)
        if resolved == wanted:
            self.out.kept.append(path)
            return written  # the expression gives the value wanted here
        if isinstance(written, str) and isinstance(new, str):
            template = retemplate(written, new, self.values)
            if template is not None:
                self.out.kept.append(path)
                return template
        if all(isinstance(v, dict) for v in (written, new, resolved, wanted)):
            return {
                key: self.expressed(f"{path}.{key}", written.get(key), value, resolved.get(key), wanted.get(key))
                for key, value in new.items()
            }
        self.out.unexpressible.append(Unexpressible(path, written, resolved, wanted))
        return escape_variables(new)


def retemplate(written: str, text: str, values: Mapping[str, str]) -> str | None:
    """``text`` as the template ``written`` is: each variable ``written`` uses put back wherever its value
    stands in ``text`` (longest values first); None unless that uses every variable exactly as often as
    ``written`` does and gives ``text`` back (a value also standing in ``text`` as plain words, two
    variables with one value, an empty value: not expressible)."""
    used = Counter(name for name, _ in variables.references(written))
    if not used or "\x00" in text or any(not values.get(name) for name in used):
        return None
    marked = escape_variables(text)
    for name in sorted(used, key=lambda n: (-len(values[n]), n)):
        marked = marked.replace(escape_variables(values[name]), f"\x00{name}\x00")
    template = re.sub(r"\x00(\w+)\x00", lambda m: "${" + m.group(1) + "}", marked)
    if Counter(name for name, _ in variables.references(template)) != used:
        return None
    if variables.substitute(template, values).text != text:
        return None
    return template


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [name for name, _ in variables.references(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _names(v)]
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= 80 else text[:79] + "…"
