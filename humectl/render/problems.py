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
``placeholders`` (each prompt's ``{{placeholder}}`` names, :mod:`humectl.load.lint`) are null when the
manifests did not load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from humectl.core.errors import Problem
from humectl.core.problems import count, format_problem, summary_line
from humectl.render.github import problem_annotation

FORMAT_VERSION = 1


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

    return "".join(problem_annotation(p) + "\n" for p in problems)
