"""The API key never appears anywhere; a dashboard edit made with Hume's own SDK shows up as drift."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from tests.conftest import EXAMPLES_DIR

KEY = "sk-secret-5f4dcc3b5aa765d61d8327deb882cf99"


@pytest.fixture()
def served() -> Iterator[str]:
    with run_in_thread(EmulatorConfig(api_key=KEY)) as url:
        yield url


def run(*args: str, key: str = KEY) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": key, "NO_COLOR": "1"})


def test_key_never_in_output_files_or_errors(served: str, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    outputs: list[str] = []
    for args in (
        ("validate", str(evi)),
        ("validate", str(evi), "--output", "json"),
        ("plan", str(evi), "--base-url", served, "--out", str(tmp_path / "plan.json")),
        ("plan", str(evi), "--base-url", served, "--output", "json"),
        ("plan", str(evi), "--base-url", served, "--output", "markdown"),
        ("apply", str(evi), "--base-url", served, "--auto-approve"),
        ("apply", str(evi), "--base-url", served, "--auto-approve", "--prune"),
        ("drift", str(evi), "--base-url", served),
        ("drift", str(evi), "--base-url", served, "--output", "json"),
        ("plan", str(evi), "--base-url", served.replace("127.0.0.1", "example.com")),  # refused: plain http
        ("plan", str(evi), "--base-url", "http://127.0.0.1:9"),  # nothing listening
    ):
        result = run(*args)
        outputs.append(result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    wrong = run("plan", str(evi), "--base-url", served, key="sk-wrong-key-that-is-also-secret")
    assert wrong.exit_code == 1 and "HTTP 401" in wrong.output
    assert "sk-wrong-key-that-is-also-secret" not in wrong.output
    for text in outputs:
        assert KEY not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path


def test_dashboard_edit_through_the_official_sdk_is_drift(served: str, tmp_path: Path) -> None:
    from hume import HumeClient

    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "minimal", evi)
    assert run("apply", str(evi), "--base-url", served, "--auto-approve").exit_code == 0
    assert run("drift", str(evi), "--base-url", served).exit_code == 0

    sdk = HumeClient(api_key=KEY, base_url=served).empathic_voice.configs
    (head,) = list(sdk.list_configs(restrict_to_most_recent=True))
    assert head.prompt is not None and head.prompt.id is not None
    sdk.create_config_version(
        id=head.id,
        evi_version="3",
        prompt={"id": head.prompt.id, "version": head.prompt.version},
        voice={"provider": "HUME_AI", "name": "KORA"},
        version_description="changed the voice in the dashboard",
    )
    assert run("drift", str(evi), "--base-url", served).exit_code == 0  # drift is a report: exit 0 ...
    drift = run("drift", str(evi), "--base-url", served, "--detailed-exitcode")
    assert drift.exit_code == 2, drift.output  # ... and 2 under --detailed-exitcode, as plan has it
    assert f"config/{head.name}: live version 1 was made outside humectl" in drift.output
    line = "      voice.name: live ahead: live has Kora; the manifests say Ito, as humectl last applied"
    assert line in drift.output.splitlines(), drift.output  # Kora: the library's spelling (Hume answers KORA so)
