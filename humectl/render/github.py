"""GitHub Actions output: workflow commands (annotations, groups, masks) and the step summary.

Everything here is a pure function returning the text of a workflow command, except
:func:`append_step_summary` and :func:`set_output`, which append to the files GitHub names in
``GITHUB_STEP_SUMMARY`` / ``GITHUB_OUTPUT``. Callers print the returned lines on stdout (through
``humectl.cli.app.echo``, so the API key is redacted) only when :func:`in_github_actions` is true or
``--github`` was given.

Escaping follows the Actions runner (``ActionCommand``): in the message (the *data*) ``%``, ``\\r``
and ``\\n`` become ``%25``, ``%0D``, ``%0A``; in a property value ``:`` and ``,`` also become
``%3A`` and ``%2C``. ``%`` is always escaped first so nothing is escaped twice. Both live in
:mod:`humectl.core.escape` (with :func:`~humectl.core.escape.workflow_safe`, which every other
line humectl prints passes); messages and properties are made terminal-safe first, because GitHub's
log viewer renders ANSI codes. Workflow commands are printed with ``humectl.cli.app.echo_commands``.

Typical use::

    if in_github_actions(os.environ):
        for problem in problems:
            echo(problem_annotation(problem))
        append_step_summary(markdown, os.environ)
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from humectl.core import sensitive
from humectl.core.escape import terminal, workflow_data, workflow_property

#: Annotation levels GitHub understands (``::debug::`` is not an annotation).
LEVELS = ("error", "warning", "notice")

#: GitHub shows at most this many characters of one step summary (1 MiB); more is rejected.
STEP_SUMMARY_MAX_BYTES = 1024 * 1024

#: A pull-request comment body may hold at most this many characters.
COMMENT_MAX_CHARS = 65_536


def in_github_actions(env: Mapping[str, str]) -> bool:
    """True when running inside a GitHub Actions job (``GITHUB_ACTIONS=true``)."""
    return env.get("GITHUB_ACTIONS", "") == "true"


# The runner's escaping, exactly (masks need the raw value); annotations and groups are made
# terminal-safe before it.
escape_data = workflow_data
escape_property = workflow_property


def annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    end_line: int | None = None,
    end_col: int | None = None,
    title: str | None = None,
) -> str:
    """One ``::error``/``::warning``/``::notice`` workflow command, e.g.

    ``::error file=manifests/a.yaml,line=3,col=5,title=schema::'name' is required``.

    Properties that are ``None`` are left out; ``file`` should be relative to the repository root
    for GitHub to attach the annotation to the diff. Raises ``ValueError`` for an unknown level.
    """
    if level not in LEVELS:
        raise ValueError(f"annotation level must be one of {', '.join(LEVELS)}, not {level!r}")
    props: list[tuple[str, object]] = [
        ("file", file),
        ("line", line),
        ("endLine", end_line),
        ("col", col),
        ("endColumn", end_col),
        ("title", title),
    ]
    rendered = ",".join(f"{key}={escape_property(terminal(str(value)))}" for key, value in props if value is not None)
    head = f"::{level} {rendered}" if rendered else f"::{level}"
    return f"{head}::{escape_data(terminal(message, multiline=True))}"


class ProblemLike(Protocol):
    """What :func:`problem_annotation` needs (``humectl.core.errors.Problem`` has it)."""

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def col(self) -> int: ...

    @property
    def message(self) -> str: ...

    @property
    def hint(self) -> str | None: ...

    @property
    def rule(self) -> str: ...

    @property
    def severity(self) -> str: ...


def problem_annotation(problem: ProblemLike) -> str:
    """The annotation for one located manifest problem; the hint goes on a second message line."""
    level = problem.severity if problem.severity in LEVELS else "error"
    message = problem.message if not problem.hint else f"{problem.message}\nhint: {problem.hint}"
    return annotation(
        level,
        message,
        file=problem.file,
        line=problem.line or None,
        col=problem.col or None,
        title=f"humectl: {problem.rule}",
    )


def violation_annotation(violation: Any, directory: str | None) -> str:
    """An ``::error`` at the manifest line of a policy violation (``directory``: the manifests' root as
    given on the command line; None: the violation's place is not known relative to the repository)."""
    file = line = col = None
    if violation.source and directory is not None:
        where, _, col_text = violation.source.rpartition(":")
        rel, _, line_text = where.rpartition(":")
        if rel and line_text.isdigit() and col_text.isdigit():
            file = rel if directory in ("", ".") else os.path.normpath(os.path.join(directory, rel))
            line, col = int(line_text), int(col_text)
    return annotation(
        "error",
        f"{violation.address}: {violation.message}",
        file=file,
        line=line,
        col=col,
        title=f"humectl: {violation.rule}",
    )


def group(title: str) -> str:
    """Start a collapsible log group: ``::group::title``."""
    return f"::group::{escape_data(terminal(title, multiline=True))}"


def endgroup() -> str:
    """End the current log group."""
    return "::endgroup::"


def grouped(title: str, text: str) -> str:
    """``text`` wrapped in a group (no trailing newline); groups do not nest in GitHub's log."""
    body = text[:-1] if text.endswith("\n") else text
    return f"{group(title)}\n{body}\n{endgroup()}" if body else f"{group(title)}\n{endgroup()}"


@contextmanager
def output_group(title: str, write: Callable[[str], None], *, enabled: bool = True) -> Iterator[None]:
    """Write ``::group::`` before the block and ``::endgroup::`` after it (even on error).

    ``write`` prints one line (e.g. ``humectl.cli.app.echo``); with ``enabled=False`` nothing is added,
    so callers need no ``if`` of their own outside GitHub Actions.
    """
    if not enabled:
        yield
        return
    write(group(title))
    try:
        yield
    finally:
        write(endgroup())


def mask(value: str) -> str:
    """``::add-mask::`` command(s) so the runner hides ``value`` in later log lines.

    The log is masked line by line, so a multi-line value gets one command per non-blank line.
    Returns ``""`` for an empty value (nothing to mask).
    """
    lines = [part for part in value.replace("\r\n", "\n").split("\n") if part.strip()]
    return "\n".join(f"::add-mask::{escape_data(part)}" for part in lines)


def append_step_summary(markdown: str, env: Mapping[str, str]) -> bool:
    """Append ``markdown`` to the job's step summary file; False when ``GITHUB_STEP_SUMMARY`` is unset.

    The file is created if it does not exist; a newline is added when ``markdown`` lacks one, so
    consecutive calls never run together.
    """
    path = env.get("GITHUB_STEP_SUMMARY", "")
    if not path:
        return False

    markdown = sensitive.current().mask(markdown)  # a file GitHub shows: masked like everything printed
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    with Path(path).open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return True


def set_output(name: str, value: str, env: Mapping[str, str]) -> bool:
    """Set step output ``name`` by appending to ``GITHUB_OUTPUT``; False when it is unset.

    Uses the ``name<<DELIMITER`` form with a random delimiter, so any value (multi-line too) is safe.
    """
    path = env.get("GITHUB_OUTPUT", "")
    if not path:
        return False

    value = sensitive.current().mask(value)
    delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
    while delimiter in value:  # pragma: no cover - 64 random bits
        delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
    with Path(path).open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return True
