"""Manifest variables (``${name}``) and where their values come from.

Sources, lowest precedence first:

1. ``variables:`` at the top of the project file ``humectl.yaml`` (defaults for every environment)
2. ``environments.<env>.variables`` of the environment chosen with ``--env`` / ``HUMECTL_ENV``
3. ``HUMECTL_VAR_<NAME>`` environment variables (exactly this prefix; the rest is the variable name)
4. ``--var-file FILE.yaml`` files, in the order given (later files win)
5. ``--var NAME=VALUE`` flags (later flags win)

No other environment variable can be read from a manifest: a manifest must never be able to pull
``HUME_API_KEY`` or a CI secret into a prompt that is then sent to Hume and shown in plans.

Syntax: ``${name}`` anywhere in a string value; ``$${`` writes a literal ``${``. A plain (unquoted)
scalar that is exactly one ``${name}`` takes the YAML type of the value (``temperature: ${temp}``
with ``temp=0.4`` is the number 0.4); a quoted one stays a string. Keys are never substituted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from humectl.core.errors import UsageError

ENV_PREFIX = "HUMECTL_VAR_"
NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
_NAME_RE = re.compile(rf"^{NAME_PATTERN}$")
# `$${` (escape), `${...}` (a reference, maybe malformed inside), or a `${` never closed.
_TOKEN_RE = re.compile(r"\$(\$\{)|\$\{([^{}\n]*)\}|\$\{")
WHOLE_REFERENCE_RE = re.compile(rf"^\$\{{({NAME_PATTERN})\}}$")


@dataclass
class Substitution:
    """The result of substituting one string: the text, and the names that could not be resolved."""

    text: str
    undefined: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.undefined and not self.malformed


def is_variable_name(name: str) -> bool:
    return bool(_NAME_RE.match(name))


def has_reference(text: str) -> bool:
    """Whether ``text`` needs substitution at all (fast path for the common case)."""
    return "${" in text


def references(text: str) -> list[tuple[str, int]]:
    """Each well-formed ``${name}`` in ``text`` (``$${`` is no reference), with the line it is on (1-based)."""
    found = []
    for match in _TOKEN_RE.finditer(text):
        name = match.group(2)
        if match.group(1) is None and name is not None and _NAME_RE.match(name):
            found.append((name, text.count("\n", 0, match.start()) + 1))
    return found


def substitute(text: str, variables: Mapping[str, str]) -> Substitution:
    """Replace every ``${name}`` in ``text``; ``$${`` becomes a literal ``${``."""
    result = Substitution(text="")
    parts: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        parts.append(text[last : match.start()])
        last = match.end()
        if match.group(1) is not None:  # $${ -> literal ${
            parts.append("${")
            continue
        name = match.group(2)
        if name is None or not _NAME_RE.match(name):
            result.malformed.append(match.group(0))
            parts.append(match.group(0))
            continue
        if name in variables:
            parts.append(variables[name])
        else:
            result.undefined.append(name)
            parts.append(match.group(0))
    parts.append(text[last:])
    result.text = "".join(parts)
    return result


def undecodable(value: str) -> bool:
    """Whether ``value`` came from bytes that are not UTF-8 (Python keeps each such byte as a lone
    surrogate, which no manifest, plan or request can carry)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def variables_from_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """``HUMECTL_VAR_<NAME>`` entries only: every other environment variable stays unreadable."""
    found: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :]
            if _NAME_RE.match(name):
                found[name] = value
    return found


def parse_var_flags(values: Iterable[str]) -> dict[str, str]:
    """``--var NAME=VALUE`` flags as a dict (later flags win); a malformed flag is a usage error."""
    found: dict[str, str] = {}
    for raw in values:
        name, sep, value = raw.partition("=")
        name = name.strip()
        if not sep:
            raise UsageError(f"--var {raw!r} is not NAME=VALUE", hint="write it as --var name=value")
        if not _NAME_RE.match(name):
            raise UsageError(
                f"--var {raw!r}: {name!r} is not a variable name",
                hint="names start with a letter or _ and hold only letters, digits and _",
            )
        found[name] = value
    return found


def scalar_to_text(value: object) -> str | None:
    """A variable value from YAML as the text substituted (None when it is not a scalar)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None
