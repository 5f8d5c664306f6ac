"""Manifest problems as text, as JSON, and as GitHub annotations. Pure functions: nothing is printed here.

Text is one line per problem, ``file:line:col: [warning: ]message (hint: …)``, then a summary line;
problems without a position (a directory, a whole file) drop the ``:line:col``.

The JSON document (``humectl validate --output json``) is stable::

    {
      "format_version": 1,
      "valid": false,
      "problems": [{"file", "line", "col", "message", "hint", "rule", "severity"}, ...],
      "summary": {"errors": 2, "warnings": 1, "files": 3, "resources": {<kind>: <count>, …}},
      "placeholders": {"prompt/support-agent": ["customer_name"], …}
    }

``line``/``col`` are 1-based, 0 when the problem has no position. ``files``, ``resources`` and
``placeholders`` (each prompt's ``{{placeholder}}`` names, :mod:`humectl.lint`) are null when the
manifests did not load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from humectl.errors import Problem
from humectl.render.escape import terminal

FORMAT_VERSION = 1


def format_problem(problem: Problem) -> str:
    """``file:line:col: message (hint: …)`` on one terminal-safe line; warnings say so after the position."""
    where = problem.file if problem.line <= 0 else f"{problem.file}:{problem.line}:{max(problem.col, 1)}"
    label = "" if problem.severity == "error" else f"{problem.severity}: "
    text = f"{where}: {label}{problem.message}"
    if problem.hint:
        text += f" (hint: {problem.hint})"
    return terminal(text)


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for problem in problems:
        if problem.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(problems: Sequence[Problem], resources: dict[str, int] | None = None, files: int | None = None) -> str:
    """``2 errors, 1 warning`` or, when valid, what was checked."""
    errors, warnings = count(problems)
    if errors:
        return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}: the manifests are not valid"
    parts = []
    if files is not None:
        parts.append(_plural(files, "file"))
    if resources is not None:
        parts.extend(_plural(n, kind) for kind, n in resources.items())
    checked = f" ({', '.join(parts)})" if parts else ""
    tail = f", {_plural(warnings, 'warning')}" if warnings else ""
    return f"valid{checked}{tail}"


def render_text(problems: Sequence[Problem], resources: dict[str, int] | None = None, files: int | None = None) -> str:
    lines = [format_problem(p) for p in problems]
    lines.append(summary_line(problems, resources, files))
    return "\n".join(lines) + "\n"


def to_document(
    problems: Sequence[Problem],
    resources: dict[str, int] | None = None,
    files: int | None = None,
    placeholders: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    errors, warnings = count(problems)
    return {
        "format_version": FORMAT_VERSION,
        "valid": errors == 0,
        "problems": [p.to_dict() for p in problems],
        "summary": {"errors": errors, "warnings": warnings, "files": files, "resources": resources},
        "placeholders": placeholders,
    }


def render_json(
    problems: Sequence[Problem],
    resources: dict[str, int] | None = None,
    files: int | None = None,
    placeholders: dict[str, list[str]] | None = None,
) -> str:
    return json.dumps(to_document(problems, resources, files, placeholders), indent=2, sort_keys=False) + "\n"


def render_github(problems: Sequence[Problem]) -> str:
    """One ``::error``/``::warning`` workflow command per problem (empty when there are none)."""
    from humectl.render.github import problem_annotation

    return "".join(problem_annotation(p) + "\n" for p in problems)
