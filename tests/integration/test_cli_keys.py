"""A missing key is named before any request is sent; a refused key (401/403) hints at the variables.

Driven against a real emulator on a loopback socket whose request counter proves "before any request".
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from tests.conftest import EXAMPLES_DIR

KEY = "sk-right-0123456789"
NO_KEY = {"HUME_API_KEY": "", "HUME_TOKEN": "", "HUME_BASE_URL": "", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with run_in_thread(EmulatorConfig(api_key=KEY)) as url:
        yield url


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path / "evi"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={**NO_KEY, **(env or {})})


def api_requests(url: str) -> int:
    stats = httpx.get(f"{url}/_emulator/stats", headers={"X-Hume-Api-Key": KEY}).json()  # a keyed emulator
    return sum(n for route, n in stats["requests"].items() if not route.split()[-1].startswith("/_emulator"))


def commands(evi: Path) -> list[list[str]]:
    return [
        ["plan", str(evi)],
        ["apply", str(evi), "--auto-approve"],
        ["drift", str(evi)],
        ["export", "--dir", str(evi.parent / "out")],
        ["history", "prompt/support-agent"],
        ["rollback", "prompt/support-agent", "--to-version", "0", "--auto-approve"],
    ]


def test_no_key_is_named_before_any_request(server: str, evi: Path) -> None:
    before = api_requests(server)
    for args in commands(evi):
        result = run(*args, "--base-url", server)
        assert result.exit_code == 1, (args, result.output)
        first = result.stderr.splitlines()[0]
        assert first.startswith("Error: no API key"), (args, result.stderr)
        for word in ("HUME_API_KEY", "HUME_TOKEN", "--emulator", "--base-url"):
            assert word in result.stderr, (args, word, result.stderr)
    assert api_requests(server) == before


def test_no_key_at_the_default_url_says_it_no_longer_answers(evi: Path) -> None:
    result = run("plan", str(evi))
    assert result.exit_code == 1
    for word in ("no API key", "HUME_API_KEY", "HUME_TOKEN", "--emulator", "api.hume.ai", "2026-11-13", "--base-url"):
        assert word in result.stderr, (word, result.stderr)


@pytest.mark.parametrize("variable", ["HUME_API_KEY", "HUME_TOKEN"])
def test_a_refused_key_hints_at_the_variables(server: str, evi: Path, variable: str) -> None:
    result = run("plan", str(evi), "--base-url", server, env={variable: "sk-wrong-0123456789"})
    assert result.exit_code == 1
    assert "HTTP 401" in result.stderr
    hint = next(line for line in result.stderr.splitlines() if "hint:" in line)
    assert "HUME_API_KEY" in hint and "HUME_TOKEN" in hint
    assert "sk-wrong-0123456789" not in result.output


def test_the_right_key_works(server: str, evi: Path) -> None:
    result = run("plan", str(evi), "--base-url", server, env={"HUME_API_KEY": KEY})
    assert result.exit_code == 0, result.output


def test_emulator_needs_no_key(evi: Path) -> None:
    result = run("plan", str(evi), f"--emulator={evi.parent / 'db.sqlite3'}")
    assert result.exit_code == 0, result.output


def test_help_does_not_offer_the_dead_default_as_if_it_answered() -> None:
    text = " ".join(run("plan", "--help").output.split())
    assert "https://api.hume.ai" in text and "no longer answers" in text
    assert "(default https://api.hume.ai)." not in text
