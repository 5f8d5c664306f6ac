"""The click commands. Builds Settings, calls the library, maps errors to exit codes. No logic here.

Heavy modules are imported inside the commands so that ``humectl --version`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from humectl import __version__
from humectl.errors import HumectlError, ManifestError, redact

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_CHOICES = click.Choice(["text", "json", "markdown"])


def _secrets() -> list[str | None]:
    from humectl.settings import api_key_from_env

    return [api_key_from_env()]


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Every line humectl prints goes through here, so the key can never leak into output."""
    click.echo(redact(text, _secrets()), err=err, nl=nl)


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


def api_options(func: F) -> F:
    """Flags shared by every command that talks to the API."""
    func = click.option(
        "--base-url",
        default=None,
        envvar="HUME_BASE_URL",
        show_envvar=True,
        help="API base URL (default https://api.hume.ai).",
    )(func)
    func = click.option(
        "--emulator",
        "emulator_db",
        is_flag=False,
        flag_value=".humectl/emulator.sqlite3",
        default=None,
        metavar="[DB]",
        help="Use an in-process EVI emulator over the SQLite file DB (default .humectl/emulator.sqlite3).",
    )(func)
    func = click.option(
        "--parallelism",
        type=click.IntRange(1, 64),
        default=None,
        help="Concurrent requests at most (default 8).",
    )(func)
    return func


class HumectlGroup(click.Group):
    """A click group that turns every error into one clear message and an exit code, never a traceback.

    Overriding ``main`` means click's test runner and the console script behave the same.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            echo("Aborted.", err=True)
            sys.exit(1)
        except click.exceptions.ClickException as exc:  # usage errors exit 1: 2 means "changes present"
            exc.show()
            sys.exit(1)
        except ManifestError as exc:
            echo(f"Error: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except HumectlError as exc:
            message = f"Error: {exc.message}"
            if exc.hint:
                message += f"\n  hint: {exc.hint}"
            echo(message, err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            echo("Interrupted.", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=HumectlGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="humectl")
def cli() -> None:
    """Configuration as code for Hume AI's Empathic Voice Interface (EVI).

    Keep prompts, tools and configs in git as YAML; validate, plan and apply them.
    The API key is read from HUME_API_KEY (or HUME_TOKEN), never from a flag.
    """


@cli.command()
def schema() -> None:
    """Print the manifest JSON Schema."""
    from humectl.schema import manifest_schema_text

    echo(manifest_schema_text(), nl=False)


@cli.group()
def emulator() -> None:
    """The EVI-compatible server (for tests, CI and trying humectl without an account)."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="humectl")
