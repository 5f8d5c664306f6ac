"""Located manifest problems as lines of text: ``file:line:col: [warning: ]message (hint: …)``, and
the summary line that counts them. Every layer that words problems (a ManifestError's message,
validate's output) uses these, so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from humectl.core.errors import Problem
from humectl.core.escape import terminal


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
