"""What a command prints, and how: every line through one masking layer, documents on stdout and
lines for people on stderr when stdout holds a document, and the JSON error document.

The running command's requested output format and what it had done when it failed (apply's plan
and report) live in a context variable, so the error handler words its JSON document from them.
"""

from __future__ import annotations

import contextvars
import io
import os
from dataclasses import dataclass, field
from typing import Any

import click

from humectl.core import sensitive
from humectl.core.errors import HumectlError, ManifestError, Problem
from humectl.core.escape import terminal, workflow_safe
from humectl.core.problems import format_problem, summary_line
from humectl.core.settings import api_key_from_env
from humectl.render.github import annotation, mask, problem_annotation
from humectl.render.json import dumps, error_document
from humectl.render.style import use_colour

API_KEY_NAME = "<the API key>"  # not a variable name: never in a plan's sensitive values


@dataclass
class Run:
    """What the running command asked for that the error handler needs: the output format, and what
    it had done when it failed (apply's plan and report), to go into the JSON error document."""

    output: str = "text"
    context: dict[str, Any] = field(default_factory=dict)


_RUN: contextvars.ContextVar[Run | None] = contextvars.ContextVar("humectl_run", default=None)


def new_run() -> Run:
    run = Run()
    _RUN.set(run)
    return run


def current_run() -> Run:
    run = _RUN.get()
    if run is None:  # a command's function called without HumectlGroup.main (a library caller)
        run = new_run()
    return run


def record(**values: Any) -> None:
    """Record what the command has done so far, for the JSON error document if it fails."""
    current_run().context.update(values)


def json_mode() -> bool:
    """``--output json``: stdout holds exactly one JSON document; everything else goes to stderr."""
    return current_run().output == "json"


def document_mode() -> bool:
    """stdout holds one document (``--output json``, ``sarif``, or ``markdown`` of apply/destroy):
    lines for people go to stderr."""
    return current_run().output in ("json", "markdown", "sarif")


def in_github(flag: bool | None = None) -> bool:
    """GitHub Actions output: as the ``--github/--no-github`` flag says, else when GITHUB_ACTIONS=true."""
    return flag if flag is not None else os.environ.get("GITHUB_ACTIONS") == "true"


def colour() -> bool:
    return use_colour()


def masked(text: str) -> str:
    """The one masking layer (:mod:`humectl.core.sensitive`): the API key and every sensitive value."""
    return sensitive.current().mask(text)


def start_masking() -> None:
    """Before anything is printed: a fresh registry for this command, ``::add-mask::`` for each value
    registered from now on (under GitHub Actions), then the API key and the sensitive values of the
    environment (``HUMECTL_SECRET_<NAME>``, ``HUMECTL_SECRETS``)."""
    registry = sensitive.reset()
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # Raw on stderr (the runner reads workflow commands on both streams; stdout may be a document).
        registry.listeners.append(lambda value: click.echo(mask(value), err=True))
    key = api_key_from_env()
    if key:
        registry.add(API_KEY_NAME, key)
    for variable, value in sensitive.secrets_from_environ(os.environ).items():
        if not sensitive.too_short(value):  # a too short one is refused where it is used (load options)
            registry.add(variable, value)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Every line humectl prints goes through here: the key and every sensitive value are masked
    (:mod:`humectl.core.sensitive`), and no line of user text can become a GitHub workflow command
    (``escape.workflow_safe``). Renderers escape user text for the terminal before it gets here.

    Colour is decided once (:func:`humectl.render.style.use_colour`): click would strip it from a
    pipe even under FORCE_COLOR, and keep it on a terminal under NO_COLOR.
    """
    click.echo(workflow_safe(masked(text)), err=err, nl=nl, color=colour())


def echo_commands(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print workflow commands built by :mod:`humectl.render.github` (their data is escaped there)."""
    click.echo(masked(text), err=err, nl=nl, color=colour())


def echo_raw(text: str) -> None:
    """A document printed byte for byte (already terminal- and log-safe), masked."""
    click.echo(masked(text), nl=False)


def say(text: str = "", *, nl: bool = True, commands: bool = False) -> None:
    """A line for people (or, ``commands``, GitHub workflow commands): on stdout, or on stderr when
    stdout is a document (JSON, Markdown, SARIF)."""
    (echo_commands if commands else echo)(text, nl=nl, err=document_mode())


# --- errors ----------------------------------------------------------------------------------------


def manifest_summary(exc: ManifestError) -> str:
    return summary_line(exc.problems) if exc.problems else exc.message


def print_manifest_error(exc: ManifestError) -> None:
    """The problems, then the summary: the order ``validate`` prints them in."""
    for problem in exc.problems:
        echo(format_problem(problem), err=True)
    echo(f"Error: {manifest_summary(exc)}", err=True)


def annotate_error(exc: HumectlError) -> None:
    """In GitHub Actions, an error also becomes an annotation: per manifest problem at its file:line."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    # On stderr when stdout holds a document (JSON, SARIF, Markdown): the runner reads both streams.
    if isinstance(exc, ManifestError) and exc.problems:
        for problem in exc.problems:
            echo_commands(problem_annotation(problem), err=document_mode())
    else:
        message = terminal(exc.message) + (f" (hint: {terminal(exc.hint)})" if exc.hint else "")
        echo_commands(annotation("error", message, title="humectl"), err=document_mode())


def show_click_error(exc: click.exceptions.ClickException) -> None:
    """click's own usage message, with the arguments it quotes made terminal-safe."""
    buffer = io.StringIO()
    exc.show(file=buffer)
    echo(terminal(buffer.getvalue().rstrip("\n"), multiline=True), err=True)


def json_error(
    error_type: str,
    message: str,
    hint: str | None,
    exit_code: int,
    *,
    problems: tuple[Problem, ...] | list[Problem] = (),
    http: dict[str, Any] | None = None,
) -> None:
    """Under ``--output json``, the error as the one JSON document on stdout."""
    if not json_mode():
        return
    document = error_document(
        error_type,
        message,
        hint,
        exit_code,
        problems=[p.to_dict() for p in problems],
        http=http,
        context=current_run().context,
    )
    echo(dumps(document), nl=False)
