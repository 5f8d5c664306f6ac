"""The values of the shared flags, as one object per command (``flags``), and what they become for
the operations: Settings, the manifests' load options, a plan's options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from humectl.cli.options import (
    api_options,
    check_patterns,
    exclude_option,
    fail_on_option,
    github_option,
    load_cache,
    manifest_options,
    prune_options,
)
from humectl.core.settings import Settings
from humectl.io.endpoint import build_settings
from humectl.io.git import git_message
from humectl.load.cache import ManifestCache
from humectl.load.manifests import build_load_options
from humectl.model.desired import LoadOptions
from humectl.model.review import RiskLevel
from humectl.ops.plan import PlanOptions

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ApiFlags:
    """The flags of every command that talks to the API."""

    base_url: str | None
    emulator_db: str | None
    parallelism: int | None
    timeout: float | None
    ca_bundle: str | None

    def settings(self) -> Settings:
        return build_settings(
            base_url=self.base_url,
            emulator_db=self.emulator_db,
            parallelism=self.parallelism,
            timeout_s=self.timeout,
            ca_bundle=self.ca_bundle,
        )


@dataclass(frozen=True)
class AccountFlags(ApiFlags):
    """The flags of every command that reads manifests and talks to the API."""

    variables: tuple[str, ...]
    var_files: tuple[str, ...]
    environment: str | None
    name_prefix: str | None
    no_cache: bool

    @property
    def cache(self) -> ManifestCache | None:
        return load_cache(self.no_cache)

    def load_options(self, directory: str) -> LoadOptions:
        return build_load_options(
            var_flags=self.variables,
            var_files=self.var_files,
            environment=self.environment,
            name_prefix=self.name_prefix,
            root=directory,
        )

    @property
    def shapes_the_manifests(self) -> bool:
        return bool(self.variables or self.var_files or self.environment or self.name_prefix)


@dataclass(frozen=True)
class PlanFlags(AccountFlags):
    """AccountFlags plus what plan and apply share: what to plan, GitHub mode, --fail-on."""

    targets: tuple[str, ...]
    excludes: tuple[str, ...]
    message: str | None
    github: bool | None
    prune: bool
    prune_unmanaged: bool
    prune_versions: bool
    allow_empty: bool
    fail_on: RiskLevel | None

    def plan_options(self, directory: str, *, run_id: str | None = None) -> PlanOptions:
        """What to plan in ``directory``: the manifests' load options and the flags of the plan."""
        check_patterns(self.targets, "--target")
        check_patterns(self.excludes, "--exclude")
        return PlanOptions(
            load=self.load_options(directory),
            message=self.message or git_message(Path(directory)),
            targets=self.targets,
            excludes=self.excludes,
            prune=self.prune or self.prune_unmanaged,
            prune_unmanaged=self.prune_unmanaged,
            prune_versions=self.prune_versions,
            allow_empty=self.allow_empty,
            fail_on=self.fail_on,
            run_id=run_id,
            cache=self.cache,
        )

    @property
    def shapes_the_plan(self) -> bool:
        """Flags that change what is planned (meaningless for a saved plan)."""
        chosen = self.targets or self.excludes or self.prune or self.prune_unmanaged or self.prune_versions
        chosen = chosen or self.allow_empty
        return self.shapes_the_manifests or bool(chosen)


def _bundle(flags_type: type[ApiFlags], options: tuple[Callable[[Any], Any], ...]) -> Callable[[F], F]:
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


api_flags = _bundle(ApiFlags, (api_options,))
account_flags = _bundle(AccountFlags, (api_options, manifest_options))


def plan_flags(verb: str) -> Callable[[F], F]:
    """The flags of plan and apply, as one ``flags: PlanFlags``."""
    return _bundle(
        PlanFlags,
        (
            api_options,
            manifest_options,
            prune_options,
            fail_on_option,
            github_option,
            click.option(
                "--message", "-m", default=None, help="Version description for new versions (default: git commit)."
            ),
            click.option(
                "--target",
                "targets",
                multiple=True,
                metavar="KIND/NAME",
                help=f"{verb} only this and its dependencies (globs: 'config/support-*'; repeatable).",
            ),
            exclude_option(verb),
        ),
    )
