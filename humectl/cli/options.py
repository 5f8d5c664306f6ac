"""The flags commands share, declared once: reaching the API, shaping the manifests (variables,
environments), what to plan, the account lock. Light on purpose: ``validate`` imports it, and must not
load the HTTP stack; the objects that carry the values to the operations are :mod:`humectl.cli.flags`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from humectl.core.addresses import pattern_problem
from humectl.core.durations import parse_duration
from humectl.core.errors import UsageError
from humectl.core.escape import terminal
from humectl.core.kinds import parse_address
from humectl.core.settings import DEFAULT_EMULATOR_DB, emulator_db_problem
from humectl.load.cache import ManifestCache, default_directory
from humectl.model.plan import PLAN_SUFFIX, markdown_sibling

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_CHOICES = ("text", "json", "markdown", "sarif")


def output_option(
    help_text: str, choices: tuple[str, ...] = ("text", "json"), default: str = "text"
) -> Callable[[F], F]:
    """``--output/-o``: text for people, json for machines (one document on stdout, errors too)."""
    return click.option(
        "--output", "-o", type=click.Choice(list(choices)), default=default, show_default=True, help=help_text
    )


DB_SUFFIXES = (".sqlite3", ".sqlite", ".db")


def _check_emulator_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--emulator[=DB]``: click takes the next word as DB unless it starts with ``-``, so a word meant
    as the manifest directory (or a typo of it) must never become a database: DB is an existing
    emulator database, ``:memory:``, or a new file whose name ends in .sqlite3, .sqlite or .db."""
    if value is None:
        return None
    fix = f"put --emulator after the directory, or attach DB: --emulator={DEFAULT_EMULATOR_DB}"
    if not value:
        raise click.BadParameter(f"--emulator=DB needs a file name; {fix}", ctx, param)
    problem = emulator_db_problem(value)
    if problem is None and value != ":memory:" and not Path(value).is_file() and not value.endswith(DB_SUFFIXES):
        problem = f"is not a database name (a new one ends in {', '.join(DB_SUFFIXES)})"
    if problem:
        raise click.BadParameter(
            f"{terminal(value)} {problem}; a bare --emulator takes the next word as DB unless it starts with "
            f"'-': {fix}",
            ctx,
            param,
        )
    return value


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
        is_flag=False,
        flag_value=DEFAULT_EMULATOR_DB,
        default=None,
        metavar="[=DB]",
        callback=_check_emulator_db,
        help="Use the EVI emulator built into humectl, in process, over the SQLite file DB "
        f"(default {DEFAULT_EMULATOR_DB}).",
    )(func)
    func = click.option(
        "--parallelism",
        type=click.IntRange(1, 64),
        default=None,
        help="Concurrent requests at most (default 8).",
    )(func)
    func = click.option(
        "--ca-bundle",
        "ca_bundle",
        default=None,
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Trust the CA certificates in FILE (PEM) besides the system's: a proxy's or your company's "
        "(also SSL_CERT_FILE / REQUESTS_CA_BUNDLE).",
    )(func)
    func = click.option(
        "--timeout",
        "timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        help="Give up on one request after SECONDS (env HUMECTL_TIMEOUT; default 30).",
    )(func)
    return func


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
    func = click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Load the manifests afresh, without the cache of earlier loads ($HUMECTL_CACHE_DIR, else "
        "~/.cache/humectl/loads).",
    )(func)
    return func


def load_cache(no_cache: bool) -> ManifestCache | None:
    """The cache of loaded manifests this command uses (None: ``--no-cache``)."""
    return None if no_cache else ManifestCache(default_directory())


def prune_options(func: F) -> F:
    """--prune, --prune-unmanaged, --prune-versions and --allow-empty, shared by plan and apply."""
    func = click.option(
        "--prune-versions",
        is_flag=True,
        help="Delete old versions of the managed resources beyond humectl.yaml's retention.keep_versions "
        "(never a head, one a live config uses, or a protected resource's; docs/lifecycle.md).",
    )(func)
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


def fail_on_option(func: F) -> F:
    """``--fail-on``: wherever risk is computed (plan and apply)."""
    return click.option(
        "--fail-on",
        "fail_on",
        type=click.Choice(["high", "medium"]),
        default=None,
        help="Fail (exit 1, after the plan) when a change has this risk or higher (docs/review.md); "
        "overrides policy.fail_on of humectl.yaml.",
    )(func)


def exclude_option(verb: str) -> Callable[[F], F]:
    """``--exclude``: leave resources out of a plan, apply or destroy (globs, as ``--target``)."""
    return click.option(
        "--exclude",
        "excludes",
        multiple=True,
        metavar="KIND/NAME",
        help=f"{verb} everything but this (globs: 'config/legacy-*'; repeatable); what depends on an excluded "
        "change is held back and named in the plan.",
    )


def check_patterns(patterns: tuple[str, ...], flag: str) -> None:
    """Address patterns of --target/--exclude: kind/name, each part may be a glob."""
    for pattern in patterns:
        problem = pattern_problem(pattern)
        if problem is not None:
            raise UsageError(f"{flag} {problem}")


def check_targets(targets: tuple[str, ...], flag: str = "--target") -> None:
    for target in targets:
        try:
            parse_address(target)
        except ValueError as exc:
            raise UsageError(f"{flag} {exc}") from None


def check_out_file(value: str | None) -> str | None:
    """The saved plan must end in .json, so that its Markdown sibling never overwrites it."""
    if value is None or Path(value).suffix == PLAN_SUFFIX:
        return value
    if Path(value).name in ("", ".", ".."):  # "", ".", "/", "dir/..": no file name to give a suffix to
        raise UsageError(f"--out {terminal(value)!r}: the saved plan needs a file name", hint="e.g. --out plan.json")
    if value == "-":  # not standard output: a saved plan is a file (apply reads it back), beside its Markdown
        raise UsageError(
            "--out -: a saved plan is a file, not standard output", hint="e.g. --out plan.json; -o json prints the plan"
        )
    fixed = Path(value).with_suffix(PLAN_SUFFIX)
    raise UsageError(
        f"--out {value}: the saved plan must end in {PLAN_SUFFIX}",
        hint=f"use --out {fixed}; its Markdown (for the PR comment) is written beside it as {markdown_sibling(fixed)}",
    )


class DurationType(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2
    """A duration as Terraform writes them: ``0``, ``30s``, ``2m``, ``1m30s``, ``500ms``."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
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


def github_option(func: F) -> F:
    return click.option(
        "--github/--no-github", "github", default=None, help="GitHub Actions output (default: auto-detect)."
    )(func)


def strict_readback_option(func: F) -> F:
    """--strict-readback, for every command that writes versions (apply, rollback)."""
    return click.option(
        "--strict-readback",
        is_flag=True,
        help="Exit 1, once done, when the server stored a write otherwise than sent (a field changed, dropped or "
        "defaulted otherwise; every write is read back and such fields are warned about either way).",
    )(func)
