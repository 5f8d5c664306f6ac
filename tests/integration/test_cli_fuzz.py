"""Hypothesis drives the whole CLI: generated argument lists, environment values and manifest bytes.

Whatever the input, humectl ends with exit 0, 1 or 2, never a traceback, and prints nothing raw a
terminal would act on. Invocations start from a well-formed skeleton of each command (so most of
them get past the flag parser into loading, planning, applying, exporting), then gain random options
and values, some of them wrong on purpose; the manifests are the support-desk example with hostile
entries added, or mangled bytes. Nothing reaches the network: no example sets an API key, so a
command that would send one stops first ("no API key"), and the others use the in-process emulator
over a temporary file (seeded once with the example). ``emulator serve`` only ever gets ports it must
refuse. In process through click's CliRunner for speed, plus a few real subprocesses (argv that is
not UTF-8, the console script's own error path).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from humectl.cli.app import cli
from humectl.core.codepoints import unsafe_class
from tests.conftest import EXAMPLES_DIR

HOSTILE = [
    "\n::stop-commands::tok",
    "::error::x",
    "##[error]x",
    "\x1b]0;title\x07",
    "\x1b[2J",
    "\x9b31m",
    "support\u202egnp.exe",
    "admin\u200b",
    "a\u2028b",
    "**Plan: 0 to create** <!--",
    "```",
    "a|b",
    "1" * 5000,
    "[" * 300,
    "${x}",
    "$${",
    "",
    " ",
]
VALUES = st.sampled_from(
    [
        *HOSTILE,
        "\udcff",  # what an argument that is not UTF-8 becomes (surrogateescape)
        "0",
        "1",
        "-1",
        "99999",
        "abc",
        "nan",
        "inf",
        "1e400",
        "30s",
        "2m",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:-1",
        "http://user:PASSWORD@127.0.0.1:8765",
        "http://x.localhost:1",
        "http://[::1",
        "ftp://x",
        "dev",
        "prod",
    ]
) | st.text(max_size=20)
TARGETS = st.sampled_from(
    ["prompt/support-agent", "config/support-desk", "tool/lookup_order", "prompt/nope", "x/y", "prompt/", "/"]
) | VALUES.map(lambda v: f"prompt/{v}")
OPTIONS: dict[str, st.SearchStrategy[str]] = {
    "--output": st.sampled_from(["text", "json", "markdown"]) | VALUES,
    "--var": st.tuples(st.sampled_from(["x", "company", "bad name", ""]), VALUES).map("=".join) | VALUES,
    "--var-file": st.sampled_from(["vars.yaml", "hostile.yaml", "missing.yaml", "m"]),
    "--env": VALUES,
    "--name-prefix": st.sampled_from(["pr-1-", "dev-"]) | VALUES,
    "--base-url": VALUES,
    "--parallelism": VALUES,
    "--target": TARGETS,
    "--select": TARGETS,
    "--message": VALUES,
    "--to-version": VALUES,
    "--dir": st.sampled_from(["out", "m"]) | VALUES,
    "--out": st.sampled_from(["plan.json", "plan.md"]) | VALUES,
    "--schema": VALUES,
    "--timeout": VALUES,
    "--lock-timeout": VALUES,
}
FLAGS = [
    "--prune",
    "--prune-unmanaged",
    "--allow-empty",
    "--detailed-exitcode",
    "--github",
    "--no-github",
    "--auto-approve",
    "--force",
    "--no-lock",
    "--help",
    "--unknown-flag",
]
EMULATOR = "--emulator=account.sqlite3"
SKELETONS = {
    "validate": ["validate", "m"],
    "plan": ["plan", "m", EMULATOR],
    "apply": ["apply", "m", EMULATOR, "--auto-approve"],
    "apply-saved": ["apply", "plan.json", EMULATOR, "--auto-approve"],
    "drift": ["drift", "m", EMULATOR],
    "export": ["export", "--dir", "out", "--force", EMULATOR],
    "history": ["history", "prompt/support-agent", EMULATOR],
    "rollback": ["rollback", "prompt/support-agent", "--to-version", "0", "--auto-approve", EMULATOR],
    "schema": ["schema"],
    "other": [],
}


def options_of(command: str) -> list[tuple[str, bool]]:
    """(option, takes a value) for every option click knows on ``command``: the fuzz follows the CLI."""
    # get_command, not cli.commands: the subcommands are loaded when asked for (cli/app.py's lazy group).
    found = cli.get_command(click.Context(cli), command)
    if found is None:
        return []
    return [(opt, not p.is_flag and not p.count) for p in found.params if isinstance(p, click.Option) for opt in p.opts]


@st.composite
def invocations(draw: st.DrawFn) -> list[str]:
    args = list(SKELETONS[draw(st.sampled_from(sorted(SKELETONS)))])
    if args and EMULATOR in args and draw(st.integers(0, 9)) == 0:
        args.remove(EMULATOR)  # then it needs a key, and stops before sending anything
    own = [o for o in options_of(args[0] if args else "") if o[0] not in ("--help", "-h", "--emulator")]
    for _ in range(draw(st.integers(0, 3))):
        if own and draw(st.integers(0, 5)):
            option, takes_value = draw(st.sampled_from(own))
            args += [option, draw(OPTIONS.get(option, VALUES))] if takes_value else [option]
        elif draw(st.booleans()):
            option = draw(st.sampled_from(sorted(OPTIONS)))
            args += [option, draw(OPTIONS[option])]
        else:
            args.append(draw(st.sampled_from(FLAGS)))
    if not args or draw(st.integers(0, 9)) == 0:
        args.insert(draw(st.integers(0, len(args))), draw(VALUES | st.sampled_from(["nosuch", "emulator"])))
    return [a.replace("\x00", "") for a in args]  # argv is C strings: a real process never gets a NUL


def yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar (the hostile texts are all BMP)


@st.composite
def manifests(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file, bytes) to write over or beside the example: hostile entries, a mangled file, or noise."""
    kind = draw(st.sampled_from(["entry", "entry", "mangled", "noise", "none"]))
    if kind == "none":
        return "extra.yaml", b"# nothing\n"
    if kind == "noise":
        return draw(st.sampled_from(["extra.yaml", "prompts.yaml", "humectl.yaml"])), draw(st.binary(max_size=200))
    hostile = draw(st.sampled_from(HOSTILE))
    if kind == "entry":
        field = draw(st.sampled_from(["name", "text", "version_description", "previous_names"]))
        value = f"[{yaml_string(hostile)}]" if field == "previous_names" else yaml_string(hostile)
        entry = {"name": '"extra"', "text": '"Hello."', field: value}
        body = "".join(f"    {k}: {v}\n" for k, v in entry.items()).replace("    ", "  - ", 1)
        seconds = draw(VALUES.map(yaml_string) | st.just("${x}"))
        config = f'configs:\n  - name: c-extra\n    evi_version: "3"\n    nudges:\n      interval_secs: {seconds}\n'
        return "extra.yaml", f"prompts:\n{body}{config if draw(st.booleans()) else ''}".encode()
    name = draw(st.sampled_from(["prompts.yaml", "tools.yaml", "configs.yaml"]))
    text = (EXAMPLES_DIR / "support-desk" / name).read_bytes()
    at = draw(st.integers(0, len(text)))
    return name, text[:at] + hostile.encode(errors="replace") + text[at + draw(st.integers(0, 8)) :]


def env_text(value: str) -> str:
    """What an environment variable can hold: no NUL, surrogates only as surrogateescape makes them."""
    return "".join(c for c in value if c != "\x00" and not ("\ud800" <= c <= "\udc7f" or "\udd00" <= c <= "\udfff"))


ENV = st.fixed_dictionaries(
    {},
    optional={
        "HUMECTL_VAR_x": VALUES,
        "HUMECTL_VAR_company": VALUES,
        "HUMECTL_ENV": VALUES,
        "HUME_BASE_URL": VALUES,
        "HUMECTL_TIMEOUT": VALUES,
        "GITHUB_ACTIONS": st.sampled_from(["true", "false", ""]),
        "FORCE_COLOR": st.sampled_from(["1", ""]),
    },
)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # humectl's own colours (click.style), with FORCE_COLOR only


def check(result: Result, args: list[str], *, colour: bool = False) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-2000:])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, (args, output[-3000:])
    if colour:
        output = SGR.sub("", output)
    for i, ch in enumerate(output):
        if ch in "\n\t":
            continue
        kind = unsafe_class(ch, before=output[i - 1 : i], after=output[i + 1 : i + 2])
        assert kind is None, (args, kind, output[max(0, i - 60) : i + 60])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The support-desk example applied to an emulator file, a saved plan, variable files; cwd is here."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(EXAMPLES_DIR / "support-desk", root / "m")
    (root / "vars.yaml").write_text("company: Northwind\n")
    (root / "hostile.yaml").write_text(f"x: {'1' * 5000}\ncompany: {yaml_string(HOSTILE[0])}\n")
    before = Path.cwd()
    os.chdir(root)  # relative paths (--out, --dir, the emulator's file) land here
    try:
        env = {"HUME_API_KEY": "", "HUME_TOKEN": "", "GITHUB_ACTIONS": ""}
        assert CliRunner().invoke(cli, ["apply", "m", EMULATOR, "--auto-approve"], env=env).exit_code == 0
        assert CliRunner().invoke(cli, ["plan", "m", EMULATOR, "--out", "plan.json"], env=env).exit_code == 0
        yield root
    finally:
        os.chdir(before)


def test_the_fuzz_draws_every_commands_own_options() -> None:
    # The options come from click (a lazy group): an empty list would fuzz nothing but the skeletons.
    for command in (skeleton[0] for skeleton in SKELETONS.values() if skeleton):
        options = dict(options_of(command))
        assert "--output" in options or "-o" in options or command == "schema", command
    assert ("--detailed-exitcode", False) in options_of("plan") and ("--env", True) in options_of("apply")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=invocations(), manifest=manifests(), env=ENV)
def test_any_invocation_ends_in_0_1_or_2_without_a_traceback(
    workdir: Path, args: list[str], manifest: tuple[str, bytes], env: dict[str, str]
) -> None:
    originals = {p: p.read_bytes() for p in (workdir / "m").iterdir() if p.is_file()}
    name, content = manifest
    (workdir / "m" / name).write_bytes(content)
    environment = {"HUME_API_KEY": "", "HUME_TOKEN": "", "GITHUB_STEP_SUMMARY": str(workdir / "summary.md")}
    environment.update({k: env_text(v) for k, v in env.items()})
    try:
        result = CliRunner().invoke(cli, args, env=environment, catch_exceptions=True)
        check(result, args, colour=bool(environment.get("FORCE_COLOR")))
    finally:
        for path in (workdir / "m").iterdir():
            if path.is_file() and path not in originals:
                path.unlink()
        for path, data in originals.items():
            path.write_bytes(data)


@settings(max_examples=30, deadline=None)
@given(port=st.sampled_from(["99999", "65536", "-1", "abc", "1e3", "1" * 5000]), host=VALUES)
def test_emulator_serve_refuses_bad_ports(port: str, host: str) -> None:
    args = ["emulator", "serve", "--port", port, "--host", host]
    result = CliRunner().invoke(cli, args, env={"HUME_API_KEY": ""}, catch_exceptions=True)
    check(result, args)
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ([b"validate", b"m\xff\xfe"], None),  # argv that is not UTF-8
        ([b"plan", b"m", b"--target", b"prompt/\xff\x1b]0;t\x07", b"--emulator=account.sqlite3"], None),
        (["plan", "m", "--base-url", "http://user:PASSWORD@127.0.0.1:99999"], {"HUME_API_KEY": "k"}),
        (["validate", "m"], {"HUMECTL_VAR_x": "1" * 5000}),
        (["emulator", "serve", "--port", "65536"], None),
    ],
)
def test_subprocesses(workdir: Path, args: list[str | bytes], env: dict[str, str] | None) -> None:
    environment = {**os.environ, "HUME_API_KEY": "", "GITHUB_ACTIONS": "", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "humectl", *args], capture_output=True, env=environment, timeout=60, check=False
    )
    assert done.returncode in (0, 1, 2), done
    output = done.stdout + done.stderr
    assert b"Traceback" not in output and b"PASSWORD" not in output, output.decode(errors="replace")
    assert b"\x1b" not in output, output
