"""The click commands. Builds Settings, calls the library, maps errors to exit codes. No logic here.

Heavy modules are imported inside the commands so that ``humectl --version`` stays fast.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from humectl import __version__, stages
from humectl.errors import ApiError, HumectlError, ManifestError, UsageError
from humectl.render.escape import name, terminal, workflow_safe

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_CHOICES = click.Choice(["text", "json", "markdown", "sarif"])


API_KEY_NAME = "<the API key>"  # not a variable name: never in a plan's sensitive values


def _mask(text: str) -> str:
    """The one masking layer (:mod:`humectl.sensitive`): the API key and every sensitive value."""
    from humectl import sensitive

    return sensitive.current().mask(text)


def _start_masking() -> None:
    """Before anything is printed: a fresh registry for this command, ``::add-mask::`` for each value
    registered from now on (under GitHub Actions), then the API key and the sensitive values of the
    environment (``HUMECTL_SECRET_<NAME>``, ``HUMECTL_SECRETS``)."""
    from humectl import sensitive
    from humectl.settings import api_key_from_env

    registry = sensitive.reset()
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from humectl.render.github import mask

        # Raw on stderr (the runner reads workflow commands on both streams; stdout may be a document).
        registry.listeners.append(lambda value: click.echo(mask(value), err=True))
    key = api_key_from_env()
    if key:
        registry.add(API_KEY_NAME, key)
    for variable, value in sensitive.secrets_from_environ(os.environ).items():
        if not sensitive.too_short(value):  # a too short one is refused where it is used (build_load_options)
            registry.add(variable, value)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Every line humectl prints goes through here: the key and every sensitive value are masked
    (:mod:`humectl.sensitive`), and no line of user text can become a GitHub workflow command
    (``escape.workflow_safe``). Renderers escape user text for the terminal before it gets here
    (:mod:`humectl.render.escape`).

    Colour is decided once (:func:`humectl.render.style.use_colour`): click would strip it from a
    pipe even under FORCE_COLOR, and keep it on a terminal under NO_COLOR.
    """
    click.echo(workflow_safe(_mask(text)), err=err, nl=nl, color=_colour())


def echo_commands(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print workflow commands built by :mod:`humectl.render.github` (their data is escaped there)."""
    click.echo(_mask(text), err=err, nl=nl, color=_colour())


def manifest_options(func: F) -> F:
    """Flags shared by every command that reads manifests: variables and environments."""
    func = click.option(
        "--var",
        "variables",
        multiple=True,
        metavar="KEY=VALUE",
        help="Set a manifest variable ${KEY} (repeatable; wins over --var-file).",
    )(func)
    func = click.option(
        "--var-file",
        "var_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="YAML file of variables (repeatable; later files win).",
    )(func)
    func = click.option(
        "--env",
        "environment",
        default=None,
        envvar="HUMECTL_ENV",
        help="Environment from humectl.yaml (its variables and name prefix).",
    )(func)
    func = click.option(
        "--name-prefix",
        default=None,
        help="Prefix every resource name, so several environments can share one account.",
    )(func)
    return func


# What a bare ``--emulator`` becomes before click parses it: NUL cannot occur in a real argument,
# so no file name a user types can be mistaken for it.
_BARE_EMULATOR = "\0default"


class EmulatorOption(click.Option):
    """``--emulator[=DB]``: a value only when attached with ``=``.

    click's optional-value options (``is_flag=False, flag_value=…``) take the next word as the value,
    so ``plan --emulator evi/`` would open ``evi/`` as the database. :func:`expand_bare_emulator`
    rewrites a bare ``--emulator`` to ``--emulator=<default>`` before click parses the arguments.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("callback", _check_emulator_db)
        super().__init__(*args, **kwargs)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return None if record is None else ("--emulator[=DB]", record[1])


def _check_emulator_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from humectl.settings import DEFAULT_EMULATOR_DB, emulator_db_problem

    if value is None:
        return None
    if value == _BARE_EMULATOR:
        value = DEFAULT_EMULATOR_DB
    elif not value:
        raise click.BadParameter(
            f"--emulator=DB needs a file name; --emulator alone uses {DEFAULT_EMULATOR_DB}", ctx, param
        )
    problem = emulator_db_problem(value)
    if problem:
        raise click.BadParameter(f"{value} {problem}", ctx, param)
    return value


def _option_values(command: click.Command) -> set[str]:
    """The option spellings of ``command`` that take the next word as their value (never ``--emulator``)."""
    names: set[str] = set()
    for param in command.params:
        takes = isinstance(param, click.Option) and not param.is_flag and not param.count
        if takes and not isinstance(param, EmulatorOption):
            names.update(param.opts)
    return names


def expand_bare_emulator(command: click.Command, args: list[str]) -> list[str]:
    """``args`` with every bare ``--emulator`` written as ``--emulator=<default>``.

    A word that is another option's value (``-m --emulator``) or comes after ``--`` is left alone.
    """
    takes_value = _option_values(command)
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg == "--emulator":
            out.append(f"--emulator={_BARE_EMULATOR}")
        else:
            out.append(arg)
            if arg in takes_value and i + 1 < len(args):
                out.append(args[i + 1])
                i += 1
        i += 1
    return out


class HumectlCommand(click.Command):
    """A command whose arguments are made unambiguous before click parses them (``--emulator``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any(p.name == "output" for p in self.params):
            _run().output = _requested_output(self, args) or "text"
        if any(isinstance(p, EmulatorOption) for p in self.params):
            args = expand_bare_emulator(self, args)
        rest = super().parse_args(ctx, args)
        if isinstance(ctx.params.get("output"), str):
            _run().output = ctx.params["output"]  # what click parsed is the last word
        return rest


def output_option(help_text: str, choices: tuple[str, ...] = ("text", "json")) -> Callable[[F], F]:
    """``--output/-o``: text for people, json for machines (one document on stdout, errors too)."""
    return click.option(
        "--output", "-o", type=click.Choice(list(choices)), default="text", show_default=True, help=help_text
    )


def api_options(func: F) -> F:
    """Flags shared by every command that talks to the API."""
    func = click.option(
        "--base-url",
        default=None,
        envvar="HUME_BASE_URL",
        show_envvar=True,
        help="URL of an EVI-compatible API. The default, https://api.hume.ai, no longer answers: "
        "Hume switched its hosted EVI API off on 2026-11-13.",
    )(func)
    func = click.option(
        "--emulator",
        "emulator_db",
        cls=EmulatorOption,
        default=None,
        help="Use the EVI emulator built into humectl, in process, over the SQLite file DB "
        "(default .humectl/emulator.sqlite3). Attach DB with '=': a word after a bare --emulator "
        "is never taken as DB.",
    )(func)
    func = click.option(
        "--parallelism",
        type=click.IntRange(1, 64),
        default=None,
        help="Concurrent requests at most (default 8).",
    )(func)
    func = click.option(
        "--timeout",
        "timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        help="Give up on one request after SECONDS without progress (env HUMECTL_TIMEOUT; default 30).",
    )(func)
    return func


def prune_options(func: F) -> F:
    """--prune, --prune-unmanaged and --allow-empty, shared by plan and apply."""
    func = click.option(
        "--allow-empty",
        is_flag=True,
        help="Plan a directory without resources, or a prune that deletes every resource humectl manages "
        "(both refused without it).",
    )(func)
    func = click.option(
        "--prune-unmanaged",
        is_flag=True,
        help="With --prune, also delete live resources humectl did not create.",
    )(func)
    func = click.option(
        "--prune",
        is_flag=True,
        help="Delete live resources that humectl created and the manifests no longer have.",
    )(func)
    return func

def _annotate_error(exc: HumectlError) -> None:
    """In GitHub Actions, an error also becomes an annotation: per manifest problem at its file:line."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    from humectl.render.github import annotation, problem_annotation

    # On stderr when stdout holds a document (JSON, SARIF, Markdown): the runner reads both streams.
    if isinstance(exc, ManifestError) and exc.problems:
        for problem in exc.problems:
            echo_commands(problem_annotation(problem), err=document_mode())
    else:
        message = terminal(exc.message) + (f" (hint: {terminal(exc.hint)})" if exc.hint else "")
        echo_commands(annotation("error", message, title="humectl"), err=document_mode())


def _show_click_error(exc: click.exceptions.ClickException) -> None:
    """click's own usage message, with the arguments it quotes made terminal-safe."""
    import io

    buffer = io.StringIO()
    exc.show(file=buffer)
    echo(terminal(buffer.getvalue().rstrip("\n"), multiline=True), err=True)


def _manifest_summary(exc: ManifestError) -> str:
    from humectl.render.problems import summary_line

    return summary_line(exc.problems) if exc.problems else exc.message


def _print_manifest_error(exc: ManifestError) -> None:
    """The problems, then the summary: the order ``validate`` prints them in."""
    from humectl.render.problems import format_problem

    for problem in exc.problems:
        echo(format_problem(problem), err=True)
    echo(f"Error: {_manifest_summary(exc)}", err=True)


@dataclass
class _Run:
    """What the running command asked for that the error handler needs: the output format, and what
    it had done when it failed (apply's plan and report), to go into the JSON error document."""

    output: str = "text"
    context: dict[str, Any] = field(default_factory=dict)


_RUN: contextvars.ContextVar[_Run | None] = contextvars.ContextVar("humectl_run", default=None)


def _run() -> _Run:
    run = _RUN.get()
    if run is None:  # the library called a command's function without HumectlGroup.main
        run = _Run()
        _RUN.set(run)
    return run


def json_mode() -> bool:
    """``--output json``: stdout holds exactly one JSON document; everything else goes to stderr."""
    return _run().output == "json"


def document_mode() -> bool:
    """stdout holds one document (``--output json``, ``sarif``, or ``markdown`` of apply/destroy):
    lines for people go to stderr."""
    return _run().output in ("json", "markdown", "sarif")


def _say(text: str = "", *, nl: bool = True, commands: bool = False) -> None:
    """A line for people (or, ``commands``, GitHub workflow commands): on stdout, or on stderr when
    stdout is a document (JSON, Markdown)."""
    (echo_commands if commands else echo)(text, nl=nl, err=document_mode())


def _context(**values: Any) -> None:
    """Record what the command has done so far, for the JSON error document if it fails."""
    _run().context.update(values)


def _json_error(
    error_type: str,
    message: str,
    hint: str | None,
    exit_code: int,
    *,
    problems: Any = (),
    http: dict[str, Any] | None = None,
) -> None:
    if not json_mode():
        return
    from humectl.render.json import dumps, error_document

    document = error_document(
        error_type,
        message,
        hint,
        exit_code,
        problems=[p.to_dict() for p in problems],
        http=http,
        context=_run().context,
    )
    echo(dumps(document), nl=False)


def _requested_output(command: click.Command, args: list[str]) -> str | None:
    """The ``--output``/``-o`` value in ``args``, read before click parses them (so a usage error of
    the same command line is reported as JSON too)."""
    takes_value = _option_values(command)
    found = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        if arg.startswith("--output="):
            found = arg.partition("=")[2]
        elif arg in ("-o", "--output") and i + 1 < len(args):
            found = args[i + 1]
            i += 1
        elif arg.startswith("-o") and not arg.startswith("--") and len(arg) > 2:
            found = arg[2:]
        elif arg in takes_value:
            i += 1
        i += 1
    return found


class HumectlGroup(click.Group):
    """A click group that turns every error into one clear message and an exit code, never a traceback.

    Overriding ``main`` means click's test runner and the console script behave the same.
    """

    command_class = HumectlCommand
    group_class = type  # subgroups (``emulator``) are HumectlGroups too

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        _RUN.set(_Run())
        try:
            _start_masking()
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            echo("Aborted.", err=True)
            _json_error("aborted", "aborted", None, 1)
            sys.exit(1)
        except click.exceptions.ClickException as exc:  # usage errors exit 1: 2 means "changes present"
            _show_click_error(exc)
            _json_error("usage", exc.format_message(), None, 1)
            sys.exit(1)
        except ManifestError as exc:
            _print_manifest_error(exc)  # format_problem escapes each problem for the terminal
            _annotate_error(exc)
            _json_error(exc.type, _manifest_summary(exc), None, exc.exit_code, problems=exc.problems)
            sys.exit(exc.exit_code)
        except HumectlError as exc:
            message = f"Error: {terminal(exc.message)}"
            if exc.hint:
                message += f"\n  hint: {terminal(exc.hint)}"
            echo(message, err=True)
            _annotate_error(exc)
            http = None
            if isinstance(exc, ApiError):
                http = {"method": exc.method, "path": exc.path, "status": exc.status}
            _json_error(exc.type, exc.message, exc.hint, exc.exit_code, http=http)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            echo("Interrupted.", err=True)
            _json_error("interrupted", "interrupted", None, 130)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=HumectlGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="humectl")
def cli() -> None:
    """Configuration as code for Hume AI's Empathic Voice Interface (EVI).

    Keep prompts, tools and configs in git as YAML; validate, plan and apply them.
    The API key is read from HUME_API_KEY (or HUME_TOKEN), never from a flag.
    Hume's hosted API (https://api.hume.ai) was switched off on 2026-11-13: point
    --base-url (or HUME_BASE_URL) at an EVI-compatible server, or use --emulator.

    \b
    Examples:
      humectl apply examples/support-desk --emulator --auto-approve
      humectl plan examples/support-desk --emulator
      humectl validate evi/
      humectl plan evi/ -o json | jq .summary
    """


@cli.command()
@click.option("--project", is_flag=True, help="Print the schema of the project file humectl.yaml instead.")
def schema(project: bool) -> None:
    """Print the manifest JSON Schema (or, with --project, the humectl.yaml one). Always JSON.

    \b
    Examples:
      humectl schema > manifest.schema.json
      humectl schema --project > project.schema.json
    """
    from humectl.schema import manifest_schema_text, project_schema_text

    echo(project_schema_text() if project else manifest_schema_text(), nl=False)


@cli.command()
@click.argument("directory", default=".", type=click.Path())
@click.option("--output", "-o", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="Output format: text lines, a JSON document (problems + summary), or a SARIF 2.1.0 log for "
              "GitHub code scanning (docs/review.md).")
@click.option("--github/--no-github", "github", default=None,
              help="Also print GitHub annotations (default: when GITHUB_ACTIONS=true).")
@click.option("--allow-model", "allowed_models", multiple=True, metavar="MODEL",
              help="Take MODEL as a known model_resource for any provider (repeatable): a model Hume added "
              "after humectl's list.")
@click.option("--allow-voice", "allowed_voices", multiple=True, metavar="NAME",
              help="Take NAME as a Voice Library (HUME_AI) voice (repeatable).")
@manifest_options
def validate(
    directory: str,
    output: str,
    github: bool | None,
    allowed_models: tuple[str, ...],
    allowed_voices: tuple[str, ...],
    variables: tuple[str, ...],
    var_files: tuple[str, ...],
    environment: str | None,
    name_prefix: str | None,
) -> int:
    """Check the manifests offline; nothing is sent. Exit 0 when valid (warnings allowed), 1 otherwise.

    \b
    Examples:
      humectl validate evi/
      humectl validate evi/ --env prod
      humectl validate evi/ -o json | jq '.problems[].message'
      humectl validate evi/ --allow-model claude-opus-5   # a model newer than humectl's list
    """
    with stages.span("imports"):
        import dataclasses

        from humectl.manifest import validate_manifests
        from humectl.render import problems as render

    options = _load_options(variables, var_files, environment, name_prefix, directory)
    options = dataclasses.replace(options, allowed_models=allowed_models, allowed_voices=allowed_voices)
    result = validate_manifests(directory, options)
    with stages.span("render"):
        if output == "sarif":
            from humectl.render import sarif

            echo(sarif.render(sarif.problem_findings(result.problems, directory), "validate"), nl=False)
        elif output == "json":
            echo(render.render_json(result.problems, result.resources, result.files, result.placeholders), nl=False)
        else:
            echo(render.render_text(result.problems, result.resources, result.files), nl=False)
    if _github(github) and result.problems:
        echo_commands(render.render_github(result.problems), nl=False, err=output != "text")
    return 0 if result.valid else 1


def _settings(
    base_url: str | None, emulator_db: str | None, parallelism: int | None, timeout: float | None = None
) -> Any:
    from humectl.settings import build_settings

    return build_settings(base_url=base_url, emulator_db=emulator_db, parallelism=parallelism, timeout_s=timeout)


def _load_options(
    variables: tuple[str, ...],
    var_files: tuple[str, ...],
    environment: str | None,
    name_prefix: str | None,
    directory: str,
) -> Any:
    from humectl.manifest import build_load_options

    return build_load_options(
        var_flags=variables, var_files=var_files, environment=environment, name_prefix=name_prefix, root=directory
    )


def _github(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _colour() -> bool:
    from humectl.render.style import use_colour

    return use_colour()


def _render(plan: Any, output: str) -> str:
    if output == "json":
        from humectl.render.json import render_json

        return render_json(plan)
    if output == "markdown":
        from humectl.render.markdown import render_markdown

        return render_markdown(plan)
    from humectl.render.text import render_text

    return render_text(plan, colour=_colour())


def _check_targets(targets: tuple[str, ...]) -> None:
    from humectl.kinds import parse_address

    for target in targets:
        try:
            parse_address(target)
        except ValueError as exc:
            raise UsageError(f"--target {exc}") from None


@dataclass(frozen=True)
class AccountFlags:
    """The flags of every command that reads manifests and talks to the API."""

    variables: tuple[str, ...]
    var_files: tuple[str, ...]
    environment: str | None
    name_prefix: str | None
    base_url: str | None
    emulator_db: str | None
    parallelism: int | None
    timeout: float | None

    def settings(self) -> Any:
        return _settings(self.base_url, self.emulator_db, self.parallelism, self.timeout)

    def load_options(self, directory: str) -> Any:
        return _load_options(self.variables, self.var_files, self.environment, self.name_prefix, directory)

    @property
    def shapes_the_manifests(self) -> bool:
        return bool(self.variables or self.var_files or self.environment or self.name_prefix)


@dataclass(frozen=True)
class PlanFlags(AccountFlags):
    """AccountFlags plus what plan and apply share: what to plan, GitHub mode."""

    targets: tuple[str, ...]
    message: str | None
    github: bool | None
    prune: bool
    prune_unmanaged: bool
    allow_empty: bool

    @property
    def shapes_the_plan(self) -> bool:
        """Flags that change what is planned (meaningless for a saved plan)."""
        chosen = self.targets or self.prune or self.prune_unmanaged or self.allow_empty
        return self.shapes_the_manifests or bool(chosen)

    def load(self, directory: str) -> Any:
        from humectl.manifest import load_manifests

        _check_targets(self.targets)
        return load_manifests(directory, self.load_options(directory))

    def make_plan(self, directory: str, settings: Any, **kwargs: Any) -> Any:
        """Plan ``directory``; ``desired`` (already loaded) and ``run_id`` may be given."""
        from humectl.manifest import PendingLoad

        _check_targets(self.targets)
        options = self.load_options(directory)
        # The manifests start converting on the other core now, while this process imports the HTTP stack.
        preloaded = PendingLoad(directory, options) if kwargs.get("desired") is None else None
        try:
            with stages.span("imports"):
                from humectl import engine
                from humectl.provenance import git_message

            return _warned(engine.make_plan(
                directory,
                settings,
                load_options=options,
                message=self.message or git_message(Path(directory)),
                targets=self.targets,
                prune=self.prune or self.prune_unmanaged,
                prune_unmanaged=self.prune_unmanaged,
                allow_empty=self.allow_empty,
                preloaded=preloaded,
                **kwargs,
            ))  # fmt: skip
        finally:
            if preloaded is not None:
                preloaded.close()


def _warned(result: Any) -> Any:
    """Print the manifests' warnings (stderr, as validate words them) before the plan; return ``result``."""
    from humectl.render.problems import format_problem

    for warning in result.desired.warnings:
        echo(format_problem(warning), err=True)
    return result


def _bundle(flags_type: type[AccountFlags], options: tuple[Callable[[Any], Any], ...]) -> Callable[[F], F]:
    """Declare ``options`` on a command and hand their values to it as one ``flags`` object."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            shared = {name: kwargs.pop(name) for name in flags_type.__dataclass_fields__}
            return func(flags=flags_type(**shared), **kwargs)

        for option in options:
            command = option(command)
        return command  # type: ignore[return-value]

    return decorate


account_flags = _bundle(AccountFlags, (api_options, manifest_options))


def plan_flags(verb: str) -> Callable[[F], F]:
    """The flags of plan and apply, as one ``flags: PlanFlags``."""
    return _bundle(
        PlanFlags,
        (
            api_options,
            manifest_options,
            prune_options,
            click.option("--github/--no-github", "github", default=None,
                         help="GitHub Actions output (default: auto-detect)."),
            click.option("--message", "-m", default=None,
                         help="Version description for new versions (default: git commit)."),
            click.option("--target", "targets", multiple=True, metavar="KIND/NAME",
                         help=f"{verb} only this and its dependencies (repeatable)."),
        ),
    )  # fmt: skip


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--output", "-o", type=OUTPUT_CHOICES, default="text", show_default=True,
              help="text for terminals, json for machines (docs/plan-format.md), markdown for PR comments, "
              "sarif for GitHub code scanning (policy violations and high-risk changes; docs/review.md).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), callback=lambda c, p, v: _check_out_file(v),
              metavar="FILE.json",
              help="Save the plan as JSON for `humectl apply FILE.json`, and its Markdown beside it as FILE.md.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when no changes, 2 when changes, 1 on error.")
@click.option("--fail-on", "fail_on", type=click.Choice(["high", "medium"]), default=None,
              help="Fail (exit 1, after the plan) when a change has this risk or higher (docs/review.md); "
              "overrides policy.fail_on of humectl.yaml.")
@plan_flags("Plan")
def plan(
    directory: str, output: str, out_file: str | None, detailed_exitcode: bool, fail_on: str | None, flags: PlanFlags
) -> int:
    """Show what apply would change in the live EVI account.

    \b
    Examples:
      humectl plan evi/ --emulator
      humectl plan evi/ --detailed-exitcode        # exit 2 when there are changes
      humectl plan evi/ --out plan.json            # also writes plan.md beside it
      humectl plan evi/ --target config/support-desk -o json
      humectl plan evi/ --env prod --fail-on high  # exit 1 when a change is high risk
    """
    result = flags.make_plan(directory, flags.settings(), fail_on=fail_on)  # it imports the engine
    from humectl import engine, policy
    from humectl.render.markdown import render_markdown

    if result.lock_note:  # plan takes no lock, but says when an apply holds it (stderr: -o json stays clean)
        echo(f"Note: {terminal(result.lock_note)}", err=True)
    with stages.span("render"):
        if output == "sarif":
            from humectl.render import sarif

            fallback = sarif.fallback_file(directory, result.desired.files)
            rendered = sarif.render(sarif.plan_findings(result.plan, directory, fallback), "plan")
        else:
            rendered = _render(result.plan, output)
    if output != "json":
        echo(rendered, nl=False)
    if out_file:
        markdown = engine.save_plan(result.plan, out_file, markdown=render_markdown(result.plan))
        shown = terminal(out_file)
        _say(f"\nSaved the plan to {shown} (Markdown: {terminal(str(markdown))}); apply exactly it with: "
             f"humectl apply {shown}")
    if _github(flags.github):
        from humectl.render.github import append_step_summary

        append_step_summary(render_markdown(result.plan), os.environ)
    _show_violations(result.plan, output, flags.github, directory)
    _context(plan=result.plan.to_dict())
    engine.refuse_blocked(result.plan)
    policy.refuse(result.plan)
    if output == "json":
        echo(rendered, nl=False)
    if detailed_exitcode and result.plan.has_changes:
        return 2
    return 0


def _show_violations(the_plan: Any, output: str, github: bool | None, directory: str | None) -> None:
    """After the plan: its policy violations (stdout beside a text plan, else stderr), and under GitHub
    Actions an annotation for each at the manifest line that caused it."""
    if not the_plan.violations:
        return
    from humectl.render.text import render_violations

    echo(render_violations(the_plan.violations, colour=_colour()), nl=False, err=output != "text")
    if _github(github):
        from humectl.render.github import violation_annotation

        for violation in the_plan.violations:
            echo_commands(violation_annotation(violation, directory), err=output == "json")


def _check_out_file(value: str | None) -> str | None:
    """The saved plan must end in .json, so that its Markdown sibling never overwrites it."""
    from humectl import plan as plan_module

    if value is None or Path(value).suffix == plan_module.PLAN_SUFFIX:
        return value
    if Path(value).name in ("", ".", ".."):  # "", ".", "/", "dir/..": no file name to give a suffix to
        raise UsageError(f"--out {terminal(value)!r}: the saved plan needs a file name", hint="e.g. --out plan.json")
    fixed = Path(value).with_suffix(plan_module.PLAN_SUFFIX)
    raise UsageError(
        f"--out {value}: the saved plan must end in {plan_module.PLAN_SUFFIX}",
        hint=f"use --out {fixed}; its Markdown (for the PR comment) is written beside it as "
        f"{plan_module.markdown_sibling(fixed)}",
    )


class DurationType(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2
    """A duration as Terraform writes them: ``0``, ``30s``, ``2m``, ``1m30s``, ``500ms``."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        from humectl.lock import parse_duration

        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def lock_options(func: F) -> F:
    """--lock/--no-lock and --lock-timeout, for every command that writes."""
    func = click.option(
        "--lock-timeout",
        type=DurationType(),
        default="0",
        metavar="DURATION",
        help="Wait up to DURATION (e.g. 30s, 2m) for the account lock another run holds (default 0: fail at once).",
    )(func)
    func = click.option(
        "--lock/--no-lock",
        "use_lock",
        default=True,
        help="Hold the account lock while writing, so runs never race (default: on).",
    )(func)
    return func


@contextlib.contextmanager
def _write_lock(
    settings: Any, use_lock: bool, timeout_s: float, *, scope: str, run_id: str, command: str, directory: str
) -> Iterator[Any]:
    """The account lock of ``scope`` for the block (docs/locking.md), SIGTERM handled like Ctrl-C.

    Yields what says whether the lock was lost (``lost()``): the apply stops starting writes then.
    """
    from humectl import lock
    from humectl.errors import LockHeldError
    from humectl.provenance import git_commit

    with _sigterm_as_interrupt():
        if not use_lock:
            yield lock.NoLock()
            return

        def waiting(holder: Any, remaining: float, now_ms: float) -> None:
            echo(f"Waiting up to {remaining:.0f} s for the lock of {lock.scope_label(scope)}, held by "
                 f"{terminal(holder.holder(now_ms))} ...", err=True)  # fmt: skip

        lease = lock.lease_for(run_id=run_id, scope=scope, command=command, commit=git_commit(Path(directory)))
        keeper = lock.LockKeeper(settings, lease, timeout_s=timeout_s, on_wait=waiting)
        try:
            keeper.__enter__()
        except LockHeldError as exc:
            if exc.record is not None:  # the JSON error document says which lock refused the run
                _context(lock=exc.record.to_dict(exc.now_ms))
            raise
        try:
            yield keeper
        finally:
            keeper.__exit__(None, None, None)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, ``kill``) takes the path Ctrl-C takes: the apply stops, says exactly
    what it did (writes in flight included), and the lock is released."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum: int, frame: Any) -> None:
        handler = signal.getsignal(signal.SIGINT)  # asyncio.run's while it runs: it cancels the main task
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@cli.command()
@click.argument("source", default=".", type=click.Path(exists=True))
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@output_option(
    "text; json: the report of what was done, the resources' ids and versions, the plan (docs/json-output.md); "
    "markdown: the same for a PR comment.",
    ("text", "json", "markdown"),
)
@click.option("--override-policy", is_flag=True,
              help="Apply a plan that violates the review policy (docs/review.md); recorded in the version "
              "descriptions it writes.")
@lock_options
@plan_flags("Apply")
def apply(
    source: str,
    auto_approve: bool,
    output: str,
    override_policy: bool,
    use_lock: bool,
    lock_timeout: float,
    flags: PlanFlags,
) -> int:
    """Apply the manifests in SOURCE (a directory), or exactly a plan saved with `plan --out`.

    Holds the account lock (docs/locking.md) from before it reads the account until it is done, so
    the plan, or a saved plan's staleness check, is decided under the lock.

    \b
    Examples:
      humectl apply evi/ --emulator --auto-approve
      humectl apply plan.json                      # refused if the account moved since
      humectl apply evi/ --auto-approve --lock-timeout 2m
      humectl apply evi/ --prune --auto-approve -o json
      humectl apply plan.json --override-policy    # a plan that violates the policy, on purpose
    """
    from humectl import engine
    from humectl.provenance import new_run_id

    settings = flags.settings()
    saved = Path(source).is_file()
    desired = None
    if saved:
        if flags.shapes_the_plan:
            raise UsageError(
                "a saved plan is applied exactly as saved: "
                "drop --target/--var/--env/--name-prefix/--prune/--allow-empty"
            )
        the_plan = _load_saved_plan(source)
        engine.restore_sensitive(the_plan, os.environ)  # read again from the environment, checked
        scope, run_id, directory = the_plan.name_prefix, the_plan.run_id, str(Path(source).parent)
    else:
        desired = flags.load(source)  # the manifests are read (and checked) before the lock is taken
        scope, run_id, directory = desired.name_prefix, new_run_id(), source
    command = "humectl apply" + (" --prune" if flags.prune or flags.prune_unmanaged else "")
    with _write_lock(
        settings, use_lock, lock_timeout, scope=scope, run_id=run_id, command=command, directory=directory
    ) as held:
        if desired is None:
            engine.check_fresh(the_plan, settings)  # under the lock; a stale plan is refused before it is shown
        else:
            result = flags.make_plan(source, settings, desired=desired, run_id=run_id)
            the_plan = result.plan
            if not use_lock and result.lock_note:
                echo(f"Warning (--no-lock): {terminal(result.lock_note)}", err=True)
        return _apply_plan(
            the_plan, settings, auto_approve, output, check_fresh=saved, github=flags.github, halt=held.lost,
            override_policy=override_policy, directory=None if saved else source,
        )  # fmt: skip


def _apply_plan(
    the_plan: Any,
    settings: Any,
    auto_approve: bool,
    output: str,
    *,
    check_fresh: bool,
    github: bool | None,
    halt: Any,
    verb: str = "apply",
    override_policy: bool = False,
    directory: str | None = None,
) -> int:
    """Show ``the_plan``, ask (unless ``auto_approve``), apply it and report: ``apply`` and ``destroy``.

    A plan that violates the review policy is refused after it is shown, unless ``override_policy``:
    then every version description it writes says so (:func:`humectl.policy.record_override`)."""
    from humectl import engine, policy
    from humectl.errors import ApplyError, ApplyReport
    from humectl.render.github import endgroup, group
    from humectl.render.text import render_text

    _context(applied=False, plan=the_plan.to_dict())
    in_github = _github(github)
    if in_github:
        _say(group(f"humectl {'destroy ' if verb == 'destroy' else ''}plan: {len(the_plan.changes)} change(s)"),
             commands=True)  # fmt: skip
    if output == "text":
        echo(render_text(the_plan, colour=_colour()), nl=False)
    elif output == "markdown":  # the plan goes into the document; people watching see it on stderr
        echo(render_text(the_plan, colour=False), nl=False, err=True)
    if in_github:
        _say(endgroup(), commands=True)
    engine.refuse_blocked(the_plan)
    _show_violations(the_plan, output, github, directory)
    policy.refuse(the_plan, override=override_policy)
    if the_plan.violations:
        echo(f"Warning: --override-policy: applying a plan with {len(the_plan.violations)} policy violation(s); "
             "the version descriptions say so.", err=True)  # fmt: skip
        policy.record_override(the_plan)
        _context(applied=False, plan=the_plan.to_dict())
    if not the_plan.has_changes:
        _print_apply_document(the_plan, ApplyReport(), applied=False, output=output, verb=verb)
        return 0
    question = "\nDestroy these resources? They cannot be brought back." if verb == "destroy" else None
    if not auto_approve and not _confirm(verb, question or "\nApply these changes?"):
        return 1
    _say("")
    try:
        if in_github:
            _say(group(f"humectl {verb}: progress"), commands=True)
        try:
            report, _ = engine.apply(the_plan, settings, on_event=_progress, check_fresh=check_fresh, halt=halt,
                                     override_policy=override_policy)  # fmt: skip
        finally:
            if in_github:
                _say(endgroup(), commands=True)
    except ApplyError as exc:
        _context(report=exc.report.to_dict())
        _print_report(exc.report)
        if output == "markdown":
            _print_apply_document(the_plan, exc.report, applied=False, output=output, verb=verb)
        _github_apply_summary(github, the_plan, exc.report, failed=True, verb=verb)
        raise
    done = f"{len(report.done)} change(s) applied" if verb == "apply" else f"{len(report.done)} resource(s) deleted"
    _say(f"\n{verb.capitalize()} complete: {done}.")
    _print_apply_document(the_plan, report, applied=True, output=output, verb=verb)
    _github_apply_summary(github, the_plan, report, failed=False, verb=verb)
    return 0


def _load_saved_plan(source: str) -> Any:
    from humectl import engine
    from humectl import plan as plan_module

    if Path(source).suffix in (".md", ".markdown"):
        sibling = Path(source).with_suffix(plan_module.PLAN_SUFFIX)
        raise UsageError(
            f"{source} is the Markdown of a plan, for people; humectl applies the JSON plan saved beside it",
            hint=f"humectl apply {sibling}" if sibling.is_file() else "save one with: humectl plan DIR --out plan.json",
        )
    return engine.load_plan(source)


def _print_apply_document(the_plan: Any, report: Any, *, applied: bool, output: str, verb: str) -> None:
    """apply's (and destroy's) document on stdout under ``--output json`` or ``markdown``."""
    if output not in ("json", "markdown"):
        return
    from humectl import engine

    resources = engine.applied_resources(the_plan, report) if verb == "apply" else []
    if output == "markdown":
        from humectl.render.markdown import render_apply_document

        echo(render_apply_document(the_plan, report, verb=verb, resources=resources), nl=False)
        return
    from humectl.render.json import apply_document, dumps

    echo(dumps(apply_document(the_plan, report, applied=applied, resources=resources if verb == "apply" else None)),
         nl=False)  # fmt: skip


def _confirm(verb: str, question: str, flag: str = "--auto-approve") -> bool:
    """Ask before changing the account; refuse outright when nobody can answer (CI, pipes)."""
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {verb} without confirmation: stdin is not a terminal",
            hint=f"review it, then re-run with {flag}",
        )
    if click.confirm(question, default=False, err=document_mode()):
        return True
    _say("Nothing applied.")
    return False


def _progress(status: str, change: Any, detail: str) -> None:
    """One line per finished change while apply runs."""
    if status == "done":
        _say(f"{name(change.address)}: {terminal(detail)}")
    elif status == "failed":
        echo(f"{name(change.address)}: FAILED: {terminal(detail)}", err=True)


def _print_report(report: Any) -> None:
    from humectl.render.report import render_report_text

    echo("\n" + render_report_text(report), err=True, nl=False)


def _github_apply_summary(flag: bool | None, the_plan: Any, report: Any, *, failed: bool, verb: str) -> None:
    if not _github(flag):
        return
    from humectl.render.github import append_step_summary
    from humectl.render.markdown import render_apply_report

    append_step_summary(render_apply_report(the_plan, report, failed=failed, verb=verb), os.environ)


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--auto-approve", is_flag=True, help="Destroy without asking for confirmation.")
@output_option(
    "text; json: the report and the plan (docs/json-output.md); markdown: the same for a PR comment.",
    ("text", "json", "markdown"),
)
@click.option("--github/--no-github", "github", default=None, help="GitHub Actions output (default: auto-detect).")
@click.option("--allow-empty", is_flag=True,
              help="Destroy even when the manifests hold no resource (everything humectl created in the scope).")
@lock_options
@account_flags
def destroy(
    directory: str, auto_approve: bool, output: str, github: bool | None, allow_empty: bool, use_lock: bool,
    lock_timeout: float, flags: AccountFlags,
) -> int:  # fmt: skip
    """Delete every resource humectl created in the environment of the manifests in DIRECTORY.

    The environment is the name prefix of --env or --name-prefix (none: the account). Deleted: the
    resources the manifests define that humectl created there, and what humectl created there
    before that they no longer define; configs first. Never a resource humectl did not create or
    one of another environment. A protected resource (protect: true), or a prompt or tool a config
    outside the destroy still uses, refuses the whole destroy: nothing is deleted, exit 1.
    Shows the plan first and holds the account lock (docs/locking.md), as apply does.

    \b
    Examples:
      humectl destroy evi/ --name-prefix pr-42- --auto-approve
      humectl destroy evi/ --env dev
      humectl destroy evi/ --env staging --auto-approve -o json | jq .report.done
    """
    from humectl import engine
    from humectl.manifest import load_manifests
    from humectl.provenance import new_run_id

    settings = flags.settings()
    desired = load_manifests(directory, flags.load_options(directory))  # read and checked before the lock
    run_id = new_run_id()
    with _write_lock(
        settings, use_lock, lock_timeout, scope=desired.name_prefix, run_id=run_id, command="humectl destroy",
        directory=directory,
    ) as held:  # fmt: skip
        result = _warned(
            engine.make_destroy_plan(directory, settings, desired=desired, run_id=run_id, allow_empty=allow_empty)
        )
        return _apply_plan(
            result.plan, settings, auto_approve, output, check_fresh=False, github=github, halt=held.lost,
            verb="destroy",
        )  # fmt: skip


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@output_option("text, or json (docs/json-output.md).")
@account_flags
def drift(directory: str, output: str, flags: AccountFlags) -> int:
    """Report what was changed live outside humectl since it last applied. Exit 2 when drifted.

    \b
    Examples:
      humectl drift evi/
      humectl drift evi/ -o json | jq '.resources[].address'
    """
    from humectl import engine
    from humectl.drift import find_drift
    from humectl.render.drift import render_drift_json, render_drift_text

    result = _warned(engine.make_plan(directory, flags.settings(), load_options=flags.load_options(directory)))
    drifted = find_drift(result.plan, result.live)
    echo(render_drift_json(drifted) if output == "json" else render_drift_text(drifted), nl=False)
    return 2 if drifted else 0


@cli.command("export")
@click.option("--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write the manifests into (created if missing).")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--select", "selectors", multiple=True, metavar="KIND/NAME",
              help="Export only this resource and what it references (repeatable).")
@click.option("--target", "targets", multiple=True, metavar="KIND/NAME", help="Same as --select (repeatable).")
@click.option("--schema", "schema_ref", default=None, metavar="URL|PATH",
              help="Point the $schema line here instead of writing manifest.schema.json beside the files.")
@output_option("text, or json: the files written and the round-trip check (docs/json-output.md).")
@api_options
def export_command(
    directory: str,
    force: bool,
    selectors: tuple[str, ...],
    targets: tuple[str, ...],
    schema_ref: str | None,
    output: str,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None,
    timeout: float | None,
) -> int:
    """Write manifests for every live tool, prompt and config (their newest versions).

    \b
    Examples:
      humectl export --dir evi/
      humectl export --dir evi/ --select config/support-desk
    """
    from humectl import engine, sensitive
    from humectl.kinds import DEPENDENCY_ORDER

    secrets = sensitive.current().by_name()  # HUMECTL_SECRET_<NAME>: written as ${NAME}, never as values
    outcome = engine.export_account(
        _settings(base_url, emulator_db, parallelism, timeout),
        directory,
        selectors=[*selectors, *targets],
        schema_ref=schema_ref,
        force=force,
        secrets=secrets,
    )
    result, differences = outcome.result, outcome.differences
    counts = result.counts()
    _say(
        f"Exported {', '.join(f'{counts[kind]} {kind}(s)' for kind in DEPENDENCY_ORDER)} "
        f"to {terminal(directory)} ({len(result.files)} file(s))."
    )
    for note in result.notes:
        _say(f"  note: {terminal(note)}")
    if json_mode():
        from humectl.render.json import dumps, export_document

        echo(dumps(export_document(directory, result, differences)), nl=False)
    if differences:  # the files are written and valid; say plainly what the first plan will do
        echo("Warning: these manifests do not round-trip exactly; `humectl plan` on them shows:", err=True)
        for line in differences:
            echo(f"  {terminal(line)}", err=True)
        return 0
    _say("Checked: `humectl plan` on these files shows no changes.")
    return 0


@cli.command()
@click.argument("address", metavar="KIND/NAME")
@output_option("text, or json (docs/json-output.md).")
@api_options
def history(
    address: str,
    output: str,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None,
    timeout: float | None,
) -> int:
    """Every version of one live resource, newest first, with its description and time.

    \b
    Examples:
      humectl history config/support-desk
      humectl history prompt/support-agent -o json
    """
    from humectl import engine, sensitive
    from humectl.render.history import render_history_json, render_history_text

    found = engine.read_history(_settings(base_url, emulator_db, parallelism, timeout), address)

    sensitive.mask_history(found, sensitive.current())
    echo(render_history_json(found) if output == "json" else render_history_text(found), nl=False)
    return 0


@cli.command()
@click.argument("address", metavar="KIND/NAME")
@click.option("--to-version", "to_version", type=click.IntRange(min=0), required=True, help="The version to restore.")
@click.option("--auto-approve", is_flag=True, help="Roll back without asking for confirmation.")
@click.option("--write", "write_dir", default=None, type=click.Path(file_okay=False, exists=True), metavar="DIR",
              help="Also rewrite the resource's manifest entry (and prompt text file) under DIR.")
@click.option("--manifests", "manifest_dir", default=None, type=click.Path(file_okay=False, exists=True),
              metavar="DIR", help="Show the exact change to the manifests under DIR, without writing it.")
@click.option("--message", "-m", default=None, help="Version description (default: 'rollback to vN').")
@output_option("text, or json: the plan, the report and the manifest change (docs/json-output.md).")
@lock_options
@account_flags
def rollback(
    address: str,
    to_version: int,
    auto_approve: bool,
    write_dir: str | None,
    manifest_dir: str | None,
    message: str | None,
    output: str,
    use_lock: bool,
    lock_timeout: float,
    flags: AccountFlags,
) -> int:
    """Make a new version of KIND/NAME whose content equals version N (shown as a plan first).

    Holds the account lock of the scope (--name-prefix, or --env with --manifests/--write DIR; else
    the account) while it reads and writes.

    \b
    Examples:
      humectl rollback config/support-desk --to-version 3
      humectl rollback prompt/support-agent --to-version 0 --write evi/
    """
    from humectl.provenance import new_run_id

    settings = flags.settings()
    _check_targets((address,))
    manifests = write_dir or manifest_dir
    scope = flags.name_prefix or ""
    if not scope and flags.environment and manifests:
        from humectl.manifest import load_manifests

        scope = load_manifests(manifests, flags.load_options(manifests)).name_prefix
    run_id = new_run_id()
    command = f"humectl rollback {address} --to-version {to_version}"
    with _write_lock(
        settings, use_lock, lock_timeout, scope=scope, run_id=run_id, command=command, directory=manifests or "."
    ) as held:
        return _rollback(
            address, to_version, auto_approve, write_dir, manifests, message, output, flags, run_id, held.lost
        )


def _rollback(
    address: str,
    to_version: int,
    auto_approve: bool,
    write_dir: str | None,
    manifests: str | None,
    message: str | None,
    output: str,
    flags: AccountFlags,
    run_id: str,
    halt: Any,
) -> int:
    from humectl import engine, sensitive
    from humectl.render.text import render_text
    from humectl.rollback import entry_diff, manifest_update, write_update

    settings = flags.settings()
    planned = engine.plan_rollback(settings, address, to_version, run_id=run_id, message=message)

    sensitive.mask_plan(planned.plan, sensitive.current().by_name())
    _context(address=address, to_version=to_version, rolled_back=False, plan=planned.plan.to_dict())
    if planned.plan.has_changes and output != "json":
        echo(render_text(planned.plan, colour=_colour()), nl=False)
    for note in planned.notes:
        _say(f"  note: {terminal(note)}")
    update = manifest_update(planned, manifests, flags.load_options(manifests)) if manifests else entry_diff(planned)
    report = None
    if planned.to_head:
        _say(f"{name(address)} v{to_version} is its newest version already; nothing to roll back.")
    elif not planned.plan.has_changes:
        # Already rolled back (e.g. without --write): the manifests may still need the change.
        _say(f"{name(address)} already has the content of v{to_version}; nothing to roll back.")
    elif not auto_approve and not _confirm("roll back", "\nRoll back?"):
        return 1
    if planned.plan.has_changes:
        from humectl.errors import ApplyError

        _say("")
        try:
            report, _ = engine.apply(planned.plan, settings, on_event=_progress, check_fresh=True, halt=halt)
        except ApplyError as exc:
            _context(report=exc.report.to_dict())
            raise
        _say(f"\nRolled back {name(address)} to the content of v{to_version}.")
    for note in update.notes:
        _say(f"  note: {terminal(note)}")
    if write_dir:
        for path in write_update(update):
            _say(f"Wrote {terminal(str(path))}")
        _say(terminal(update.diff, multiline=True), nl=False)
    elif update.diff:
        _say("The manifests still describe the content rolled back. Make this change (or re-run with --write DIR):")
        _say(terminal(update.diff, multiline=True), nl=False)
    if json_mode():
        from humectl.render.json import dumps, rollback_document

        echo(dumps(rollback_document(address, to_version, planned, update, report, written=bool(write_dir))), nl=False)
    return 0


@cli.command("force-unlock")
@click.argument("lock_id", metavar="LOCK_ID")
@click.option("--force", "-f", "force", is_flag=True, help="Do not ask for confirmation.")
@click.option("--auto-approve", "force", is_flag=True, hidden=True)
@output_option("text, or json: the lock that was removed (docs/json-output.md).")
@api_options
def force_unlock(
    lock_id: str,
    force: bool,
    output: str,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None,
    timeout: float | None,
) -> int:
    """Delete the account lock LOCK_ID that a run which is gone left behind (as Terraform's).

    LOCK_ID is printed by the run the lock refused. Only that lock prompt is deleted. Breaking the
    lock of a run that is still writing lets two runs write at once: check that it is gone first.

    \b
    Examples:
      humectl force-unlock 6f0c2b1e-8d3a-4c5e-9f70-1a2b3c4d5e6f
      humectl force-unlock 6f0c2b1e-8d3a-4c5e-9f70-1a2b3c4d5e6f --force
    """
    from humectl import engine, lock

    settings = _settings(base_url, emulator_db, parallelism, timeout)
    record, now = engine.read_lock(settings, lock_id)
    _context(lock={"id": record.id, "name": record.name}, removed=False)
    _say(f"Lock {record.id} ({terminal(record.name)}): {terminal(record.holder(now))}")
    if not force and not _confirm("force-unlock", "Break this lock? The run holding it must be gone", "--force"):
        return 1
    engine.break_lock(settings, record)
    scope = _scope_of(record)
    _say(f"Lock {record.id} removed: the next run takes the lock of {terminal(lock.scope_label(scope))}.")
    if json_mode():
        from humectl.render.json import dumps, unlock_document

        echo(dumps(unlock_document(record, scope)), nl=False)
    return 0


def _scope_of(record: Any) -> str:
    return str(record.name).partition(":")[2]


@cli.group()
def emulator() -> None:
    """The EVI-compatible server (for tests, CI and trying humectl without an account).

    \b
    Examples:
      humectl emulator serve --port 8765
    """


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0 = any free).")
@click.option(
    "--db", "db", default=":memory:", metavar="FILE", help="SQLite file to keep the account in (default: memory)."
)
@click.option(
    "--api-key",
    envvar="HUMECTL_EMULATOR_API_KEY",
    show_envvar=True,
    default=None,
    help="Accept only this X-Hume-Api-Key, on every path, admin ones too (default: any non-empty key). "
    "Prefer the variable or --api-key-file: a flag's value shows in `ps`.",
)
@click.option("--api-key-file", default=None, metavar="FILE", help="Read that key from FILE (one line).")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0, help="Delay every API request by N ms.")
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), default=None, metavar="RPS",
              help="Token-bucket limit in requests/s; excess requests get 429 with Retry-After.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, metavar="P",
              help="Fraction of requests answered with a 503.")
@click.option("--ambiguous-write-rate", type=click.FloatRange(0, 1), default=0.0, metavar="P",
              help="Fraction of creates/new versions committed but answered with a 502.")
@click.option("--seed", "seed", default=None, metavar="FILE",
              help="Load this account snapshot (`humectl emulator snapshot`) before serving: prompts, tools, "
              "configs with their versions and ids, voices, chats. (An integer is the old --fault-seed.)")
@click.option("--fault-seed", type=int, default=None, help="Seed for the fault dice (reproducible runs).")
@click.option("--allow-duplicate-names", is_flag=True, help="Accept two resources of one kind with one name.")
@output_option("text, or json: one line {format_version, url, db, seeded} once listening (for scripts).")
def emulator_serve(
    output: str,
    host: str,
    port: int,
    db: str,
    api_key: str | None,
    api_key_file: str | None,
    latency_ms: float,
    rate_limit: float | None,
    fault_rate: float,
    ambiguous_write_rate: float,
    seed: str | None,
    fault_seed: int | None,
    allow_duplicate_names: bool,
) -> None:
    """Run the EVI-compatible server until stopped (Ctrl-C or SIGTERM: exit 0).

    \b
    Examples:
      humectl emulator serve --port 8765 --db account.sqlite3
      humectl emulator serve --port 0 -o json      # prints {"url": ...} once listening
      humectl emulator serve --seed account.json   # replay a snapshot of an account
      humectl emulator serve --latency-ms 30 --rate-limit 50 --fault-rate 0.05 --fault-seed 7
    """
    from humectl.emulator.app import EmulatorConfig
    from humectl.emulator.seeding import SeedError, read_seed_file
    from humectl.emulator.serve import key_from_file, open_door_warning, serve
    from humectl.snapshot import snapshot_counts

    if api_key_file is not None:
        if api_key:
            raise UsageError("give the key once: HUMECTL_EMULATOR_API_KEY (or --api-key), or --api-key-file")
        api_key = key_from_file(api_key_file)
    warning = open_door_warning(host, api_key)
    if warning is not None:
        echo(warning, err=True)

    document = None
    if seed is not None and re.fullmatch(r"-?[0-9]+", seed) and not Path(seed).exists():
        # --seed N was the fault dice seed before snapshots: keep such invocations working.
        if fault_seed is not None:
            raise UsageError("--seed N is the old spelling of --fault-seed N: give one of them")
        _say(f"note: --seed {seed} is deprecated for the fault dice; use --fault-seed {seed} (--seed takes a FILE)")
        fault_seed = int(seed)
    elif seed is not None:
        try:
            document = read_seed_file(seed)
        except SeedError as exc:
            raise UsageError(f"--seed: {exc.message}") from None
    config = EmulatorConfig(
        db=db,
        api_key=api_key or None,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        fault_rate=fault_rate,
        ambiguous_write_rate=ambiguous_write_rate,
        seed=fault_seed,
        allow_duplicate_names=allow_duplicate_names,
        seed_document=document,
    )
    seeded = snapshot_counts(document) if document is not None else None

    def announce(url: str) -> None:
        if output == "json":
            echo(json.dumps({"format_version": 1, "url": url, "db": db, "seeded": seeded}))
            return
        echo(f"humectl emulator listening on {url} (db: {terminal(db)}); stop it with Ctrl-C")
        if seeded is not None:
            echo(f"  seeded from {terminal(str(seed))}: " + ", ".join(f"{n} {what}" for what, n in seeded.items()))

    # Once listening, serve() turns SIGINT/SIGTERM into a graceful stop itself; before that (loading a
    # seed), SIGTERM takes Ctrl-C's path, so both stop with the goodbye line and exit 0.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve(config, host=host, port=port, announce=announce)
    except SeedError as exc:
        raise UsageError(f"--seed {seed}: not loaded (nothing changed): {exc.message}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground server is meant to stop: not an error
    finally:
        signal.signal(signal.SIGTERM, previous)
    _say("humectl emulator stopped.")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@emulator.command("snapshot")
@click.option("--url", default=None, metavar="URL",
              help="The emulator (or any EVI-compatible server) to read: the same as --base-url.")
@click.option("--out", "out_file", default=None, metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the snapshot to FILE (default: stdout).")
@output_option("text, or json: with --out, {format_version, file, counts}; without, the snapshot itself.")
@api_options
def emulator_snapshot(
    url: str | None,
    out_file: str | None,
    output: str,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None,
    timeout: float | None,
) -> None:
    """Write a whole account as a seed file for `humectl emulator serve --seed FILE`.

    Every version of every tool, prompt and config, custom voices, extra library voices and chats, as
    the API answers them; seeding it and taking a snapshot again gives the same file. The key comes
    from HUME_API_KEY; a loopback emulator started without --api-key needs none.

    \b
    Examples:
      humectl emulator snapshot --url http://127.0.0.1:8765 --out account.json
      humectl emulator snapshot --emulator=.humectl/emulator.sqlite3 > account.json
    """
    from humectl import engine, sensitive
    from humectl.snapshot import render_snapshot, snapshot_counts

    if url is not None and base_url is not None and url.rstrip("/") != base_url.rstrip("/"):
        raise UsageError("--url and --base-url name different servers: give one of them")
    document = engine.snapshot_account(_settings(url or base_url, emulator_db, parallelism, timeout))
    text = render_snapshot(document)
    counts = snapshot_counts(document)
    if out_file is None:
        # The document itself, byte for byte (render_snapshot made it terminal- and log-safe JSON), so it
        # seeds and compares as is; never the key.
        click.echo(_mask(text), nl=False)
        return
    sensitive.write_masked(out_file, text)
    if json_mode():
        from humectl.render.json import snapshot_line

        echo(snapshot_line(out_file, counts))
    else:
        _say(f"Wrote {terminal(out_file)}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


COMPLETION_SHELLS = ("bash", "zsh", "fish")


@cli.command()
@click.argument("shell", type=click.Choice(COMPLETION_SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (click's own, the same as _HUMECTL_COMPLETE=SHELL_source).

    \b
    Examples:
      humectl completion bash > ~/.local/share/bash-completion/completions/humectl
      humectl completion zsh > "${fpath[1]}/_humectl"
      humectl completion fish > ~/.config/fish/completions/humectl.fish
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    assert completer is not None  # every COMPLETION_SHELLS entry is one of click's
    echo(completer(cli, {}, "humectl", "_HUMECTL_COMPLETE").source())


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    stages.start()
    cli.main(args=argv, prog_name="humectl")
