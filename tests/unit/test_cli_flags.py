"""humectl.cli.flags: the shared flags handed to a command as one object, and what they become for the
operations: Settings, the manifests' load options, a plan's options (its message from git unless -m)."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from humectl.cli.flags import AccountFlags, ApiFlags, PlanFlags, account_flags, api_flags, plan_flags
from humectl.core.errors import UsageError
from humectl.io.client import EviClient

API = {"base_url": None, "emulator_db": None, "parallelism": None, "timeout": None, "ca_bundle": None}
ACCOUNT = {**API, "variables": (), "var_files": (), "environment": None, "name_prefix": None, "no_cache": False}
PLAN = {
    **ACCOUNT,
    "targets": (),
    "excludes": (),
    "message": None,
    "github": None,
    "prune": False,
    "prune_unmanaged": False,
    "prune_versions": False,
    "allow_empty": False,
    "fail_on": None,
}


def caught(decorator: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run a throwaway command declared with ``decorator`` and return the flags object it was given."""
    seen: list[Any] = []

    @click.command()
    @click.argument("directory", default=".")
    @decorator
    def command(directory: str, flags: Any) -> None:
        seen.append(flags)

    result = CliRunner().invoke(command, list(args), env={"HUMECTL_ENV": "", "HUME_BASE_URL": "", **(env or {})})
    assert result.exit_code == 0, result.output
    return seen[0]


def test_each_bundle_declares_its_options_and_hands_one_object() -> None:
    api = caught(api_flags, "--base-url", "http://127.0.0.1:9", "--parallelism", "3", "--timeout", "2.5")
    assert api == ApiFlags(**{**API, "base_url": "http://127.0.0.1:9", "parallelism": 3, "timeout": 2.5})
    account = caught(account_flags, "--var", "a=1", "--var", "b=2", "--env", "dev", "--name-prefix", "x-")
    assert isinstance(account, AccountFlags)
    assert (account.variables, account.environment, account.name_prefix) == (("a=1", "b=2"), "dev", "x-")
    planned = caught(plan_flags("Plan"), "--target", "tool/t", "-m", "msg", "--prune", "--fail-on", "high")
    assert isinstance(planned, PlanFlags)
    assert (planned.targets, planned.message, planned.prune, planned.fail_on) == (("tool/t",), "msg", True, "high")


def test_no_cache_and_the_ca_bundle_reach_the_operations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cached = caught(account_flags)
    assert cached.no_cache is False and cached.cache is not None
    uncached = caught(account_flags, "--no-cache")
    assert uncached.no_cache is True and uncached.cache is None
    bundle = tmp_path / "ca.pem"
    with pytest.raises(UsageError, match="is not a file"):  # a missing bundle: when the Settings are made
        ApiFlags(**{**API, "ca_bundle": str(bundle)}).settings()
    bundle.write_text("not a certificate\n", encoding="utf-8")
    settings = ApiFlags(**{**API, "ca_bundle": str(bundle), "base_url": "https://evi.example"}).settings()
    assert settings.ca_bundle == str(bundle)
    with pytest.raises(UsageError, match="holds no CA certificate"):  # loaded once, by the client
        EviClient(dataclasses.replace(settings, api_key="k"))


def test_the_environment_variables_the_options_read() -> None:
    flags = caught(account_flags, env={"HUMECTL_ENV": "prod", "HUME_BASE_URL": "http://h.example:1"})
    assert (flags.environment, flags.base_url) == ("prod", "http://h.example:1")


def test_the_target_help_names_the_verb() -> None:
    @click.command()
    @plan_flags("Apply")
    def command(flags: Any) -> None:
        pass

    text = CliRunner().invoke(command, ["--help"]).output
    assert "Apply only this and its dependencies" in text


def test_settings_from_the_api_flags() -> None:
    settings = ApiFlags(**{**API, "base_url": "http://127.0.0.1:9/", "parallelism": 4, "timeout": 1.5}).settings()
    assert (settings.base_url, settings.parallelism, settings.timeout_s) == ("http://127.0.0.1:9", 4, 1.5)
    assert ApiFlags(**{**API, "emulator_db": "db.sqlite3"}).settings().emulator_db == "db.sqlite3"
    with pytest.raises(UsageError):
        ApiFlags(**{**API, "base_url": "ftp://x"}).settings()


def test_load_options_from_the_account_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUMECTL_VAR_region", "eu")
    monkeypatch.setenv("HUMECTL_SECRET_TOKEN", "tok-0123456789")
    var_file = tmp_path / "vars.yaml"
    flags = AccountFlags(**{**ACCOUNT, "variables": ("a=1",), "var_files": (str(var_file),), "environment": "dev"})
    options = flags.load_options(str(tmp_path))
    assert options.variables == {"a": "1"} and options.var_files == (str(var_file),)
    assert options.environment == "dev" and options.env_variables == {"region": "eu"}
    assert options.secret_variables == {"TOKEN": "tok-0123456789"}
    with pytest.raises(UsageError, match="is not NAME=VALUE"):
        AccountFlags(**{**ACCOUNT, "variables": ("novalue",)}).load_options(".")


@pytest.mark.parametrize(
    ("changed", "shapes"),
    [
        ({}, False),
        ({"variables": ("a=1",)}, True),
        ({"var_files": ("f",)}, True),
        ({"environment": "dev"}, True),
        ({"name_prefix": "x-"}, True),
        ({"base_url": "http://h"}, False),
    ],
)
def test_which_flags_shape_the_manifests(changed: dict[str, Any], shapes: bool) -> None:
    assert AccountFlags(**{**ACCOUNT, **changed}).shapes_the_manifests is shapes
    assert PlanFlags(**{**PLAN, **changed}).shapes_the_plan is shapes


@pytest.mark.parametrize(
    "changed",
    [
        {"targets": ("tool/t",)},
        {"excludes": ("tool/*",)},
        {"prune": True},
        {"prune_unmanaged": True},
        {"prune_versions": True},
        {"allow_empty": True},
    ],
)
def test_which_flags_shape_the_plan(changed: dict[str, Any]) -> None:
    flags = PlanFlags(**{**PLAN, **changed})
    assert flags.shapes_the_plan and not flags.shapes_the_manifests
    assert not PlanFlags(**{**PLAN, "message": "m", "github": True, "fail_on": "high"}).shapes_the_plan


def test_plan_options(tmp_path: Path) -> None:
    flags = PlanFlags(
        **{
            **PLAN,
            "targets": ("config/c",),
            "excludes": ("tool/*",),
            "prune_versions": True,
            "message": "mine",
            "prune_unmanaged": True,
            "allow_empty": True,
            "fail_on": "medium",
            "name_prefix": "dev-",
        }
    )
    options = flags.plan_options(str(tmp_path), run_id="run-7")
    assert (options.message, options.targets, options.run_id, options.fail_on) == (
        "mine",
        ("config/c",),
        "run-7",
        "medium",
    )
    assert options.prune and options.prune_unmanaged and options.allow_empty  # --prune-unmanaged implies --prune
    assert options.excludes == ("tool/*",) and options.prune_versions
    assert options.load.name_prefix == "dev-"
    with pytest.raises(UsageError, match="--target 'voice/x': unknown kind 'voice'"):
        PlanFlags(**{**PLAN, "targets": ("voice/x",)}).plan_options(str(tmp_path))
    with pytest.raises(UsageError, match="--exclude"):
        PlanFlags(**{**PLAN, "excludes": ("voice/x",)}).plan_options(str(tmp_path))


def test_the_message_defaults_to_the_git_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = PlanFlags(**PLAN)
    assert plain.plan_options(str(tmp_path)).message is None  # no work tree: no message
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "Shorter greeting"], check=True)
    message = plain.plan_options(str(tmp_path)).message
    assert message is not None and message.startswith("git ") and message.endswith(": Shorter greeting")
    assert PlanFlags(**{**PLAN, "message": "mine"}).plan_options(str(tmp_path)).message == "mine"
