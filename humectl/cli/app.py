"""The root command group: its subcommands are loaded when they run (``humectl --help`` and
``humectl plan`` import only what they need), and every error becomes one clear message and an exit
code, never a traceback (a usage error exits 1, so that 2 always means "changes present").
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from humectl.cli.output import (
    annotate_error,
    current_run,
    echo,
    json_error,
    manifest_summary,
    new_run,
    print_manifest_error,
    show_click_error,
    start_masking,
)
from humectl.core import stages
from humectl.core.errors import ApiError, HumectlError, ManifestError
from humectl.core.escape import terminal
from humectl.core.version import __version__

# name -> (module under humectl.cli.commands, its click command, the one-line help --help shows)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("validate", "validate", "Check the manifests offline; nothing is sent."),
    "plan": ("plan", "plan", "Show what apply would change in the live EVI account."),
    "apply": ("apply", "apply", "Apply the manifests in SOURCE, or exactly a plan saved with `plan --out`."),
    "destroy": ("apply", "destroy", "Delete every resource humectl created in the environment of the manifests."),
    "drift": ("drift", "drift", "Report what was changed live outside humectl since it last applied."),
    "export": ("export", "export", "Write manifests for every live tool, prompt and config."),
    "history": ("history", "history", "Every version of one live resource, newest first."),
    "rollback": ("rollback", "rollback", "Make a new version of KIND/NAME whose content equals version N."),
    "force-unlock": ("unlock", "force_unlock", "Delete the account lock a run that is gone left behind."),
    "emulator": ("emulator", "emulator", "The EVI-compatible server (for tests, CI and trying humectl)."),
    "schema": ("schema", "schema", "Print the manifest JSON Schema (or humectl.yaml's)."),
    "completion": ("completion", "completion", "Print the shell completion script for SHELL."),
}


class HumectlCommand(click.Command):
    """A command that notes its ``--output`` before click parses the rest, so a usage error of the same
    command line is reported as a JSON document too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any(p.name == "output" for p in self.params):
            current_run().output = _requested_output(self, args) or _default_output(self)
        rest = super().parse_args(ctx, args)
        if isinstance(ctx.params.get("output"), str):
            current_run().output = ctx.params["output"]  # what click parsed is the last word
        return rest


def _default_output(command: click.Command) -> str:
    for param in command.params:
        if param.name == "output" and isinstance(param.default, str):
            return param.default
    return "text"


def _value_options(command: click.Command) -> tuple[set[str], set[str]]:
    """The option spellings of ``command`` that take the next word as their value: always, and only
    when it does not look like an option (an optional value: ``--emulator[=DB]``)."""
    always: set[str] = set()
    optional: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option) and not param.is_flag and not param.count:
            (optional if getattr(param, "_flag_needs_value", False) else always).update(param.opts)
    return always, optional


def _requested_output(command: click.Command, args: list[str]) -> str | None:
    """The ``--output``/``-o`` value in ``args``, read (not changed) before click parses them."""
    takes_value, may_take_value = _value_options(command)
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
        elif arg in takes_value or (arg in may_take_value and i + 1 < len(args) and not args[i + 1].startswith("-")):
            i += 1
        i += 1
    return found


class LazyGroup(click.Group):
    """A group whose subcommands live in modules of their own, imported when one is asked for."""

    command_class = HumectlCommand

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, attribute, _ = self.lazy[cmd_name]
        with stages.span("imports"):
            command = getattr(importlib.import_module(f"humectl.cli.commands.{module}"), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"humectl.cli.commands.{module}.{attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table: ``--help`` imports no command module."""
        if not self.lazy:
            super().format_commands(ctx, formatter)
            return
        rows = [(name, help_text) for name, (_, _, help_text) in sorted(self.lazy.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class HumectlGroup(LazyGroup):
    """The root group: every error is turned into one clear message and an exit code.

    Overriding ``main`` means click's test runner and the console script behave the same.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        new_run()
        try:
            start_masking()
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort: say what it was
                echo("Interrupted.", err=True)
                json_error("interrupted", "interrupted", None, 130)
                sys.exit(130)
            echo("Aborted.", err=True)  # end of input at a question
            json_error("aborted", "aborted", None, 1)
            sys.exit(1)
        except click.exceptions.ClickException as exc:  # usage errors exit 1: 2 means "changes present"
            show_click_error(exc)
            json_error("usage", exc.format_message(), None, 1)
            sys.exit(1)
        except ManifestError as exc:
            print_manifest_error(exc)  # format_problem escapes each problem for the terminal
            annotate_error(exc)
            json_error(exc.type, manifest_summary(exc), None, exc.exit_code, problems=exc.problems)
            sys.exit(exc.exit_code)
        except HumectlError as exc:
            message = f"Error: {terminal(exc.message)}"
            if exc.hint:
                message += f"\n  hint: {terminal(exc.hint)}"
            echo(message, err=True)
            annotate_error(exc)
            http = None
            if isinstance(exc, ApiError):
                http = {"method": exc.method, "path": exc.path, "status": exc.status}
            json_error(exc.type, exc.message, exc.hint, exc.exit_code, http=http)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            echo("Interrupted.", err=True)
            json_error("interrupted", "interrupted", None, 130)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=HumectlGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    stages.start()
    cli.main(args=argv, prog_name="humectl")
