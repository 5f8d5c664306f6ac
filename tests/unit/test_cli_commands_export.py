"""``humectl export [DIR]``: an account adopted into manifests (DIR positional, ``--dir`` kept hidden),
a selection closed over its references, nothing overwritten without --force, the $schema line, sensitive
values written as ``${NAME}``, the summary and the round-trip check; JSON for machines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.unit.cli_helpers import applied, document, hand_edit, project, run

SECRET = "tok-9f8e7d6c5b4a3921"


def test_export_writes_manifests_that_plan_to_nothing(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    out = tmp_path / "adopted"
    result = run("export", str(out), db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Exported 1 tool(s), 1 prompt(s), 1 config(s) to {out} (5 file(s))."
    assert lines[-1] == "Checked: `humectl plan` on these files shows no changes."
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["configs.yaml", "manifest.schema.json", "prompts.yaml", "prompts/greeter.md", "tools.yaml"]
    plan = run("plan", str(out), db, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_the_directory_defaults_to_the_current_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, db = applied(tmp_path)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = run("export", db)
    assert result.exit_code == 0, result.output
    assert "to . (5 file(s))" in result.stdout and (here / "configs.yaml").is_file()


def test_dir_is_a_hidden_alias_and_twice_must_agree(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    out = tmp_path / "via-flag"
    assert run("export", "--dir", str(out), db).exit_code == 0 and (out / "tools.yaml").is_file()
    same = run("export", str(out), "--dir", str(out), db, "--force")
    assert same.exit_code == 0, same.output
    both = run("export", str(tmp_path / "a"), "--dir", str(tmp_path / "b"), db, "-o", "json")
    assert both.exit_code == 1
    assert document(both)["error"]["message"] == "give the directory once: as DIRECTORY or as --dir, not both"
    assert "--dir" not in run("export", "--help").stdout


def test_target_exports_what_it_references_and_select_is_its_hidden_synonym(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    only = run("export", str(tmp_path / "p"), db, "--target", "prompt/greeter", "-o", "json")
    assert only.exit_code == 0, only.output
    assert document(only)["counts"] == {"tool": 0, "prompt": 1, "config": 0}
    closure = run("export", str(tmp_path / "c"), db, "--target", "config/desk", "-o", "json")
    assert document(closure)["counts"] == {"tool": 1, "prompt": 1, "config": 1}
    synonym = run("export", str(tmp_path / "s"), db, "--select", "tool/lookup", "-o", "json")
    assert document(synonym)["counts"] == {"tool": 1, "prompt": 0, "config": 0}
    shown = run("export", "--help").stdout
    assert "--select" not in shown and "--target KIND/NAME" in shown


def test_a_bad_target_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    _, db = project(tmp_path)  # no account at all
    result = run("export", str(tmp_path / "out"), db, "--target", "nokind/w", "-o", "json")
    assert result.exit_code == 1
    error = document(result)["error"]
    assert error["type"] == "usage" and error["message"].startswith("--target 'nokind/w' is not an address")
    assert not (tmp_path / "out").exists()


def test_existing_files_need_force(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "tools.yaml").write_text("mine\n", encoding="utf-8")
    refused = run("export", str(out), db)
    assert refused.exit_code == 1 and "refusing to overwrite 1 existing file(s)" in refused.stderr
    assert (out / "tools.yaml").read_text(encoding="utf-8") == "mine\n" and not (out / "configs.yaml").exists()
    forced = run("export", str(out), db, "--force")
    assert forced.exit_code == 0 and (out / "tools.yaml").read_text(encoding="utf-8").startswith("# yaml-language")


def test_schema_points_the_schema_line_elsewhere(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    out = tmp_path / "out"
    result = run("export", str(out), db, "--schema", "https://example.com/manifest.schema.json")
    assert result.exit_code == 0
    assert not (out / "manifest.schema.json").exists()
    first = (out / "configs.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=https://example.com/manifest.schema.json"


def test_json_document(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    out = tmp_path / "out"
    result = run("export", str(out), db, "-o", "json")
    assert result.exit_code == 0
    data = document(result)  # stdout is the document alone
    assert data == {
        "format_version": 1,
        "directory": str(out),
        "counts": {"tool": 1, "prompt": 1, "config": 1},
        "files": ["configs.yaml", "manifest.schema.json", "prompts.yaml", "prompts/greeter.md", "tools.yaml"],
        "notes": [],
        "round_trip": {"exact": True, "differences": [], "other_scopes": []},
    }


def test_a_sensitive_value_is_written_as_a_reference_and_noted(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    hand_edit(db, "tool/lookup", {"fallback_content": f"Call us, token {SECRET}"})
    out = tmp_path / "out"
    result = run("export", str(out), db, env={"HUMECTL_SECRET_HOOK": SECRET})
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    [tool] = yaml.safe_load((out / "tools.yaml").read_text(encoding="utf-8"))["tools"]
    assert tool["fallback_content"] == "Call us, token ${HOOK}"
    assert "  note: tool/lookup: the sensitive value of HOOK written as a reference" in result.stdout.splitlines()
    # and the files plan to nothing when the value is given again
    assert run("plan", str(out), db, "--detailed-exitcode", env={"HUMECTL_SECRET_HOOK": SECRET}).exit_code == 0


def test_an_empty_account_exports_only_the_schema(tmp_path: Path) -> None:
    _, db = project(tmp_path)
    result = run("export", str(tmp_path / "out"), db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Exported 0 tool(s), 0 prompt(s), 0 config(s) to ")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["manifest.schema.json"]
