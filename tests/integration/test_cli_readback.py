"""Read back every write, through the CLI: ``apply`` against the in-process emulator behind a server
that silently rewrites what it stores (tests/rewriting.py: a temperature rounded, the interruption
settings dropped, an inactivity timeout of 600 s filled in). Each field is a warning in text, a row in
Markdown, an entry of ``readback`` in JSON; ``--strict-readback`` makes the complete apply exit 1.
Against the plain emulator nothing is reported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli import running
from humectl.cli.app import cli
from humectl.core.settings import Settings
from humectl.ops.session import Session
from tests.conftest import EXAMPLES_DIR
from tests.integration.test_cli_json_schemas import check
from tests.rewriting import rewriting_emulator, rounds_drops_and_defaults

KEY = "sk-test-readback"
MANIFEST = """configs:
  - name: desk
    evi_version: "3"
    language_model: {model_provider: ANTHROPIC, model_resource: claude-3-7-sonnet-latest, temperature: 0.75}
    interruption: {min_interruption_ms: 300}
"""
WARNING = """Warning: read back after the writes, the server stored 3 field(s) otherwise than humectl sent:
  config/desk (create): language_model.temperature: sent 0.75; stored 0.8 (changed)
  config/desk (create): interruption: sent {"min_interruption_ms": 300}; not stored (dropped)
  config/desk (create): timeouts.inactivity.duration_secs: left out, humectl assumes 120; stored 600 (defaulted)
  `humectl plan` shows what the next apply would change; --strict-readback makes this fail.
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


@pytest.fixture
def careless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``--emulator=DB`` reaches the emulator through the rewriting server; returns the manifests."""

    def open_session(settings: Settings) -> Session:
        assert settings.emulator_db is not None
        return Session(settings, transport=rewriting_emulator(rounds_drops_and_defaults, settings.emulator_db))

    monkeypatch.setattr(running, "open_session", open_session)
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "configs.yaml").write_text(MANIFEST, encoding="utf-8")
    return evi


def db(evi: Path) -> str:
    return f"--emulator={evi.parent / 'account.sqlite3'}"


def test_a_rewritten_write_is_a_warning_and_the_apply_succeeds(careless: Path) -> None:
    applied = run("apply", str(careless), db(careless), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 change(s) applied.\n" + WARNING in applied.output
    # What the server did is real: the next plan wants the same fields again.
    planned = run("plan", str(careless), db(careless), "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "language_model.temperature" in planned.output and "interruption" in planned.output


def test_strict_readback_fails_after_the_apply_completes(careless: Path) -> None:
    applied = run("apply", str(careless), db(careless), "--auto-approve", "--strict-readback")
    assert applied.exit_code == 1, applied.output
    assert "Apply complete: 1 change(s) applied.\n" + WARNING in applied.output
    assert applied.output.endswith(
        "Error: apply complete, but the server stored 3 field(s) otherwise than humectl sent (--strict-readback)\n"
        "  hint: the readback list says which fields; `humectl plan` shows what the next apply would change\n"
    )
    again = run("apply", str(careless), db(careless), "--auto-approve", "--strict-readback")
    assert again.exit_code == 1  # the server keeps doing it: a new version, rewritten again


def test_json_lists_every_field_and_strict_gives_the_error_document(careless: Path) -> None:
    applied = run("apply", str(careless), db(careless), "--auto-approve", "-o", "json")
    assert applied.exit_code == 0, applied.output
    document = json.loads(applied.stdout)
    expected = [
        {
            "address": "config/desk",
            "operation": "create",
            "path": "language_model.temperature",
            "sent": 0.75,
            "stored": 0.8,
            "what": "changed",
        },
        {
            "address": "config/desk",
            "operation": "create",
            "path": "interruption",
            "sent": {"min_interruption_ms": 300},
            "stored": None,
            "what": "dropped",
        },
        {
            "address": "config/desk",
            "operation": "create",
            "path": "timeouts.inactivity.duration_secs",
            "sent": None,
            "stored": 600,
            "what": "defaulted",
            "expected": 120,
        },
    ]
    assert document["readback"] == document["report"]["readback"] == expected
    assert document["applied"] is True and document["error"] is None
    check("apply", document)  # the published JSON Schema of the document (schemas/output/)

    (careless / "configs.yaml").write_text(MANIFEST.replace("0.75", "0.65"), encoding="utf-8")
    strict = run("apply", str(careless), db(careless), "--auto-approve", "-o", "json", "--strict-readback")
    assert strict.exit_code == 1
    failed = json.loads(strict.stdout)  # one document: the error, with what was applied
    check("error", failed)
    assert failed["error"]["type"] == "readback" and failed["applied"] is True
    assert failed["report"]["done"] == ["config/desk"]
    assert [(r["operation"], r["path"], r["sent"], r["stored"]) for r in failed["readback"]] == [
        ("version", "language_model.temperature", 0.65, 0.7),
        ("version", "interruption", {"min_interruption_ms": 300}, None),
    ]  # a new version sends the live timeouts (600): only what it changed is stored otherwise


def test_markdown_shows_a_table(careless: Path) -> None:
    applied = run("apply", str(careless), db(careless), "--auto-approve", "-o", "markdown")
    assert applied.exit_code == 0, applied.output
    assert (
        "**⚠️ Read back: the server stored 3 field(s) otherwise than humectl sent.**\n\n"
        "| resource | write | field | what the server did |\n|---|---|---|---|\n"
        "| `config/desk` | create | `language_model.temperature` | sent 0.75; stored 0.8 (changed) |\n"
    ) in applied.stdout


def test_the_plain_emulator_stores_what_it_is_sent(tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    (evi / "configs.yaml").write_text(
        (evi / "configs.yaml").read_text(encoding="utf-8").replace("name: ITO", "name: ito"), encoding="utf-8"
    )  # a library voice the server answers in its own spelling: not a difference
    applied = run("apply", str(evi), db(evi), "--auto-approve", "--strict-readback", "-o", "json")
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.stdout)["readback"] == []
