"""``humectl drift DIR``: what was changed live outside humectl since it last applied, as text or JSON;
exit 0 either way unless --detailed-exitcode (2 when drifted); the manifests' warnings on stderr;
``--resolve keep-live`` (into the manifests) and ``keep-manifest`` (applied). (Three-way stories:
tests/integration/test_cli_drift_three_way.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.unit.cli_helpers import applied, document, hand_edit, project, run


def test_no_drift_right_after_apply(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    result = run("drift", str(evi), db)
    assert result.exit_code == 0, result.output
    assert result.stdout == "No drift: the live account is as humectl last applied it.\n"
    assert run("drift", str(evi), db, "--detailed-exitcode").exit_code == 0
    assert document(run("drift", str(evi), db, "-o", "json")) == {
        "format_version": 1,
        "drifted": False,
        "resources": [],
    }


def test_a_hand_edit_is_drift_naming_the_field_and_version(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    voice = {"provider": "HUME_AI", "name": "KORA"}
    version = hand_edit(db, "config/desk", {"voice": voice}, description="tuned in the dashboard")
    result = run("drift", str(evi), db)
    assert result.exit_code == 0, result.output  # drift alone is not an error
    lines = result.stdout.splitlines()
    assert lines[0] == "Drift: 1 resource(s) differ from what humectl applied."
    assert lines[2].startswith(f"  ~ config/desk: live version {version} was made outside humectl at ")
    assert lines[2].endswith("('tuned in the dashboard'); humectl last applied version 0")
    assert "      voice.name: live ahead: live has Kora; the manifests say Ito, as humectl last applied" in lines
    assert "Keep the live values: `humectl drift DIR --resolve keep-live` writes them into the manifests." in lines


def test_detailed_exitcode_is_two_when_drifted(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    hand_edit(db, "prompt/greeter", {"text": "You greet callers curtly.\n"})
    result = run("drift", str(evi), db, "--detailed-exitcode")
    assert result.exit_code == 2 and "~ prompt/greeter" in result.stdout
    assert "      -You greet callers curtly.\n      +You greet callers warmly.\n" in result.stdout  # live -> manifests


def test_json_lists_each_drifted_resource(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    hand_edit(db, "tool/lookup", {"description": "Changed by hand."})
    result = run("drift", str(evi), db, "-o", "json", "--detailed-exitcode")
    assert result.exit_code == 2
    data = document(result)
    assert data["format_version"] == 1 and data["drifted"] is True
    [tool] = data["resources"]
    assert (tool["address"], tool["state"]) == ("tool/lookup", "changed")
    assert [f["path"] for f in tool["fields"]] == ["description"]


def test_a_resource_deleted_outside_humectl_is_missing(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    (evi / "extra.yaml").write_text("prompts:\n  - name: never-applied\n    text: hi\n", encoding="utf-8")
    result = run("drift", str(evi), db)
    assert "  ! prompt/never-applied: missing from the account" in result.stdout


def test_flags_shape_the_manifests(tmp_path: Path) -> None:
    evi, db = project(tmp_path)
    assert run("apply", str(evi), db, "--name-prefix", "dev-", "--auto-approve").exit_code == 0
    hand_edit(db, "prompt/dev-greeter", {"text": "You greet callers curtly.\n"})
    dev = document(run("drift", str(evi), db, "--name-prefix", "dev-", "-o", "json"))
    assert [r["address"] for r in dev["resources"]] == ["prompt/dev-greeter"]
    # without the prefix the manifests name resources this environment never applied: nothing drifted
    plain = run("drift", str(evi), db, "-o", "json")
    assert document(plain)["resources"] == []
    assert "nothing humectl applied in this environment is live" in plain.stderr


def test_warnings_go_to_stderr_and_stdout_stays_one_document(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    configs = evi / "configs.yaml"
    configs.write_text(
        configs.read_text(encoding="utf-8").replace("prompt: greeter", "prompt: {name: greeter, version: 0}")
    )
    result = run("drift", str(evi), db, "-o", "json")
    assert result.exit_code == 0
    assert document(result)["drifted"] is False  # the pin is what was applied
    assert result.stderr.startswith(f"{configs}:4:13: warning: config 'desk' pins prompt 'greeter' to version 0")


def test_keep_live_writes_the_live_values_into_the_manifests(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    hand_edit(db, "tool/lookup", {"description": "Changed by hand."})
    result = run("drift", str(evi), db, "--resolve", "keep-live", "--detailed-exitcode")
    assert result.exit_code == 2, result.output  # what was found before resolving
    assert "The manifests now keep the live values:" in result.stdout
    assert f"Wrote {evi / 'tools.yaml'}." in result.stdout
    assert "description: Changed by hand." in (evi / "tools.yaml").read_text(encoding="utf-8")
    assert run("drift", str(evi), db, "--detailed-exitcode").exit_code == 0
    nothing = run("drift", str(evi), db, "--resolve", "keep-live", "-o", "json")
    assert document(nothing)["resolution"] == {
        "resolve": "keep-live",
        "diff": "",
        "files": [],
        "written": False,
        "notes": [],
    }


def test_keep_manifest_applies_the_manifests_to_what_drifted(tmp_path: Path) -> None:
    evi, db = applied(tmp_path)
    hand_edit(db, "prompt/greeter", {"text": "You greet callers curtly.\n"})
    refused = run("drift", str(evi), db, "--resolve", "keep-manifest")  # no terminal to ask
    assert refused.exit_code == 1 and "stdin is not a terminal" in refused.stderr
    done = run("drift", str(evi), db, "--resolve", "keep-manifest", "--auto-approve")
    assert done.exit_code == 0, done.output
    assert "Apply complete:" in done.stdout
    history = document(run("history", "prompt/greeter", db, "-o", "json"))
    newest = history["versions"][0]
    assert newest["by_humectl"] and "drift reverted to the manifests" in newest["version_description"]
    assert run("drift", str(evi), db, "--detailed-exitcode").exit_code == 0


def test_auto_approve_belongs_to_keep_manifest(tmp_path: Path) -> None:
    evi, db = project(tmp_path)
    for args in ((), ("--resolve", "keep-live")):
        result = run("drift", str(evi), db, "--auto-approve", *args, "-o", "json")
        assert result.exit_code == 1
        assert document(result)["error"]["message"] == "--auto-approve goes with --resolve keep-manifest"


def test_a_bad_directory_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    _, db = project(tmp_path)
    result = run("drift", str(tmp_path / "nope"), db, "-o", "json")
    assert result.exit_code == 1
    assert document(result)["error"]["type"] in ("manifest", "usage")
