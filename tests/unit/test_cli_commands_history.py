"""``humectl history KIND/NAME``: every version of one live resource, newest first, who made it (a
humectl run or not), what changed; as text or JSON; sensitive values masked; clear errors."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.cli_helpers import applied, document, hand_edit, project, run

SECRET = "tok-9f8e7d6c5b4a3921"


def test_versions_newest_first_with_who_and_what(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    hand_edit(db, "prompt/greeter", {"text": "You greet callers curtly.\n"}, description="shorter")
    result = run("history", "prompt/greeter", db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"prompt/greeter \(id [0-9a-f-]+\): 2 version\(s\), newest first", lines[0])
    assert re.fullmatch(r"v1  \S+Z  \[not humectl\]  \(head\)", lines[2])
    assert lines[3:5] == ["    shorter", "    changed: text"]
    assert re.fullmatch(r"v0  \S+Z  \[humectl \S+\]", lines[5])
    assert "    changed: created" in lines[6:]


def test_a_config_shows_what_it_pins(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    result = run("history", "config/desk", db)
    assert "    prompt: greeter@0" in result.stdout.splitlines()
    assert "    tools: lookup@0" in result.stdout.splitlines()


def test_json_is_the_history_document(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    hand_edit(db, "tool/lookup", {"description": "By hand."})
    data = document(run("history", "tool/lookup", db, "-o", "json"))
    assert (data["format_version"], data["address"], data["kind"], data["name"]) == (1, "tool/lookup", "tool", "lookup")
    assert [v["version"] for v in data["versions"]] == [1, 0]
    assert [v["by_humectl"] for v in data["versions"]] == [False, True]
    assert data["versions"][0]["changed"] == ["description"]
    assert data["versions"][0]["fields"] == [
        {"path": "description", "before": "Look an order up.", "after": "By hand."}
    ]


def test_a_sensitive_value_in_a_version_is_masked(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    hand_edit(db, "tool/lookup", {"fallback_content": f"Call us, token {SECRET}"}, description=f"token {SECRET}")
    env = {"HUMECTL_SECRET_HOOK": SECRET}
    for output in ("text", "json"):
        result = run("history", "tool/lookup", db, "-o", output, env=env)
        assert result.exit_code == 0 and SECRET not in result.output
        assert "(sensitive)" in result.stdout
    assert SECRET in run("history", "tool/lookup", db).stdout  # not sensitive unless said so


def test_a_rotated_secret_masks_the_old_value_at_its_place(tmp_path: Path) -> None:
    # Only the new token is known; in the version that rotated it the old one sits where the new one
    # is, so that diff masks both sides (a version's own diff never shows what replaced a secret).
    _, db = applied(tmp_path)
    old = "tok-OLD-0a1b2c3d4e5f6071"
    hand_edit(db, "tool/lookup", {"fallback_content": f"Call us, token {old}"})
    hand_edit(db, "tool/lookup", {"fallback_content": f"Call us, token {SECRET}"})
    result = run("history", "tool/lookup", db, env={"HUMECTL_SECRET_HOOK": SECRET})
    rotated = result.stdout.split("\nv1 ")[0]
    assert "fallback_content: Call us, token (sensitive) → Call us, token (sensitive)" in rotated
    data = document(run("history", "tool/lookup", db, "-o", "json", env={"HUMECTL_SECRET_HOOK": SECRET}))
    assert data["versions"][0]["fields"][0]["before"] == "Call us, token (sensitive)"


def test_an_unknown_resource_suggests_the_closest(tmp_path: Path) -> None:
    _, db = applied(tmp_path)
    result = run("history", "prompt/greter", db)
    assert result.exit_code == 1
    assert (
        "Error: no live prompt is named 'greter'" in result.stderr and "did you mean prompt/greeter?" in result.stderr
    )
    assert run("history", "prompt/GREETER", db).exit_code == 1  # names match exactly
    none = run("history", "config/nope", db, "-o", "json")
    assert (
        none.exit_code == 1 and document(none)["error"]["hint"] == "live configs: desk"
    )  # nothing close: the names there are


def test_a_bad_address_is_a_usage_error(tmp_path: Path) -> None:
    _, db = project(tmp_path)
    for address in ("greeter", "voice/ito", "prompt/"):
        result = run("history", address, db, "-o", "json")
        assert result.exit_code == 1, address
        assert document(result)["error"]["type"] == "usage" and "kind/name" in document(result)["error"]["message"]
