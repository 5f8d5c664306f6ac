"""Voice Library names, as Hume's live API treated them (docs/fidelity.md): matched in any case and
answered in the library's spelling (a config asking for ``ITO`` comes back with ``Ito``), and
humectl's plan sees no change whichever spelling the manifest or the server uses.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.catalog import voice_library
from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR
from tests.emulator.conftest import config_body, created
from tests.emulator.inprocess import InProcessClient

Factory = Callable[..., InProcessClient]

KEY = "sk-test-voices"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


@pytest.mark.parametrize("asked", ["ITO", "Ito", "ito"])
def test_a_library_voice_is_answered_in_the_librarys_spelling(client_factory: Factory, asked: str) -> None:
    client = client_factory()
    body = created(client.post("/v0/evi/configs", json=config_body(voice={"provider": "HUME_AI", "name": asked})))
    ito = voice_library().by_name("ITO")
    assert ito is not None
    assert body["voice"]["name"] == "Ito" and body["voice"]["id"] == ito.id
    assert body["voice"]["provider"] == "HUME_AI"


@pytest.mark.parametrize("spelling", [None, ("Ito", "Kora"), ("ito", "kora")])
def test_apply_then_plan_shows_no_change_whatever_the_spelling(
    tmp_path: Path, spelling: tuple[str, str] | None
) -> None:
    """The README's flow on examples/support-desk (voices ITO and KORA, as Hume's examples spell them)."""
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    if spelling is not None:
        configs = evi / "configs.yaml"
        text = configs.read_text(encoding="utf-8")
        configs.write_text(
            text.replace("name: ITO", f"name: {spelling[0]}").replace("name: KORA", f"name: {spelling[1]}")
        )
    emulator = f"--emulator={tmp_path / 'account.sqlite3'}"

    applied = run("apply", str(evi), emulator, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    planned = run("plan", str(evi), emulator, "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output

    drift = run("drift", str(evi), emulator)
    assert drift.exit_code == 0, drift.output

    out = tmp_path / "exported"
    exported = run("export", emulator, "--dir", str(out))
    assert exported.exit_code == 0, exported.output  # its own round-trip plan was clean too
    voices = (out / "configs.yaml").read_text(encoding="utf-8")
    assert "name: Ito}" in voices and "name: Kora}" in voices  # the library's spelling


def test_a_real_voice_change_reads_in_the_librarys_spelling(tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    emulator = f"--emulator={tmp_path / 'account.sqlite3'}"
    assert run("apply", str(evi), emulator, "--auto-approve").exit_code == 0
    configs = evi / "configs.yaml"
    configs.write_text(configs.read_text(encoding="utf-8").replace("name: ITO}", "name: KORA}", 1), encoding="utf-8")
    planned = run("plan", str(evi), emulator, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "voice.name: Ito → Kora" in planned.output
