"""Inputs and files (issue 23 item 10): each a clear error (exit 1, a JSON error document under
``-o json``), never a traceback and never a silent wrong write.

- ``plan --out nodir/plan.json``, ``emulator snapshot --out nodir/a.json``, ``export file/sub``;
- bytes that are not UTF-8 in a variable, a secret or the key from the environment (Python keeps
  them as lone surrogates: sent, they became something else, or a traceback);
- ``plan --out NAME.json`` beside a ``NAME.md`` the user wrote (humectl overwrites only the Markdown
  it wrote, which it marks);
- ``export --force`` through a symlinked subdirectory that leads outside the target.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.io.planfile import MARKDOWN_MARK
from tests.conftest import EXAMPLES_DIR

CLEAN = {"HUME_API_KEY": "", "HUME_TOKEN": "", "HUME_BASE_URL": "", "HUMECTL_ENV": "", "NO_COLOR": "1"}
NOT_UTF8 = "North\udcffwind"  # what Python makes of the bytes b"North\xffwind" in the environment


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={**CLEAN, **(env or {})})


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "multi-env", tmp_path / "evi")
    return tmp_path / "evi"


def db(tmp_path: Path) -> str:
    return f"--emulator={tmp_path / 'account.sqlite3'}"


def clear_error(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.stderr, result.stderr


def json_error(result: Result, message: str) -> dict[str, object]:
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert message in document["error"]["message"], document
    return document


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "{evi}", "--env", "dev", "--out", "{tmp}/nodir/plan.json"], "cannot write the plan"),
        (["emulator", "snapshot", "--out", "{tmp}/nodir/a.json"], "cannot write the snapshot"),
        (["export", "{tmp}/file/sub"], "cannot create the directory of"),
    ],
    ids=["plan --out", "snapshot --out", "export"],
)
def test_a_file_that_cannot_be_written_is_a_clear_error(
    evi: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "file").write_text("a file, not a directory\n")
    filled = [a.format(evi=evi, tmp=tmp_path) for a in args]
    assert run("apply", str(evi), "--env", "dev", db(tmp_path), "--auto-approve").exit_code == 0
    clear_error(run(*filled, db(tmp_path)), message)
    json_error(run(*filled, db(tmp_path), "-o", "json"), message)
    assert not (tmp_path / "nodir").exists()


@pytest.mark.parametrize(
    ("variable", "shown"),
    [
        ("HUMECTL_VAR_company", "HUMECTL_VAR_company holds bytes that are not UTF-8 text"),
        ("HUMECTL_SECRET_company", "the sensitive variable company (HUMECTL_SECRET_…) holds bytes that are not UTF-8"),
        ("HUME_API_KEY", "the API key in HUME_API_KEY (or HUME_TOKEN) holds characters an HTTP header cannot carry"),
    ],
)
def test_bytes_that_are_not_utf8_in_the_environment_are_refused(
    evi: Path, tmp_path: Path, variable: str, shown: str
) -> None:
    env = {variable: NOT_UTF8 + "-0123456789"}
    where = ["--base-url", "http://127.0.0.1:9"] if variable == "HUME_API_KEY" else [db(tmp_path)]
    result = run("plan", str(evi), "--env", "dev", *where, env=env)
    clear_error(result, shown)
    assert "North" not in result.output  # the value (perhaps a secret) is never shown
    json_error(run("plan", str(evi), "--env", "dev", *where, "-o", "json", env=env), shown)
    if variable != "HUME_API_KEY":  # validate reads the variables too (and no key)
        clear_error(run("validate", str(evi), "--env", "dev", env=env), shown)


def test_a_var_flag_that_is_not_utf8_is_refused(evi: Path, tmp_path: Path) -> None:
    result = run("plan", str(evi), "--env", "dev", db(tmp_path), "--var", f"company={NOT_UTF8}")
    clear_error(result, "--var company holds bytes that are not UTF-8 text")


def test_plan_out_never_overwrites_markdown_the_user_wrote(evi: Path, tmp_path: Path) -> None:
    mine = tmp_path / "release.md"
    mine.write_text("# Release notes\n\nWritten by hand.\n", encoding="utf-8")
    result = run("plan", str(evi), "--env", "dev", db(tmp_path), "--out", str(tmp_path / "release.json"))
    clear_error(result, f"refusing to overwrite {mine}")
    assert mine.read_text(encoding="utf-8") == "# Release notes\n\nWritten by hand.\n"
    assert not (tmp_path / "release.json").exists()  # nothing half-written

    saved = tmp_path / "plan.json"
    assert run("plan", str(evi), "--env", "dev", db(tmp_path), "--out", str(saved)).exit_code == 0
    written = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert written.startswith("### humectl plan") and written.rstrip("\n").endswith(MARKDOWN_MARK)
    again = run("plan", str(evi), "--env", "prod", db(tmp_path), "--out", str(saved))  # its own: rewritten
    assert again.exit_code == 0, again.output
    assert "concierge" in (tmp_path / "plan.md").read_text(encoding="utf-8")


def test_export_force_never_writes_through_a_symlinked_directory_outside_the_target(evi: Path, tmp_path: Path) -> None:
    assert run("apply", str(evi), "--env", "dev", db(tmp_path), "--auto-approve").exit_code == 0
    target, outside = tmp_path / "exported", tmp_path / "outside"
    assert run("export", str(target), db(tmp_path)).exit_code == 0
    prompts = next(p for p in target.iterdir() if p.is_dir())  # the directory of the prompts' text files
    shutil.rmtree(prompts)
    outside.mkdir()
    prompts.symlink_to(outside, target_is_directory=True)
    result = run("export", str(target), db(tmp_path), "--force")
    clear_error(result, f"refusing to write outside {target}")
    assert list(outside.iterdir()) == []
    json_error(run("export", str(target), db(tmp_path), "--force", "-o", "json"), "refusing to write outside")
