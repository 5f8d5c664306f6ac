"""``humectl rollback KIND/NAME --to-version N``: the plan first, confirmation (refused without a
terminal), the new version, the manifest change (shown, or written with --write); the account lock of
the right scope around it; JSON for machines. (Whole rollback stories: tests/lifecycle.)"""

from __future__ import annotations

from pathlib import Path

from tests.unit.cli_helpers import applied, document, hand_edit, hold_lock, lock_prompts, project, run


def edited(tmp_path: Path) -> tuple[Path, str]:
    """Applied (greeter v0), then the manifests' text changed and applied again (greeter v1)."""
    evi, db = applied(tmp_path)
    prompts = evi / "prompts.yaml"
    prompts.write_text(prompts.read_text(encoding="utf-8").replace("warmly", "briskly"), encoding="utf-8")
    assert run("apply", str(evi), db, "--auto-approve").exit_code == 0
    return evi, db


def test_without_a_terminal_it_asks_and_refuses(tmp_path: Path) -> None:
    _, db = edited(tmp_path)
    result = run("rollback", "prompt/greeter", "--to-version", "0", db)
    assert result.exit_code == 1
    assert "refusing to roll back without confirmation: stdin is not a terminal" in result.stderr
    assert "# prompt/greeter will get a new version (v1 → v2)" in result.stdout  # the plan was shown first
    history = document(run("history", "prompt/greeter", db, "-o", "json"))
    assert [v["version"] for v in history["versions"]] == [1, 0]  # nothing made


def test_rollback_makes_a_new_version_and_shows_the_manifest_change(tmp_path: Path) -> None:
    _, db = edited(tmp_path)
    result = run("rollback", "prompt/greeter", "--to-version", "0", "--auto-approve", db, "-m", "back to warm")
    assert result.exit_code == 0, result.output
    assert "Rolled back prompt/greeter to the content of v0." in result.stdout
    assert "The manifests still describe the content rolled back. Make this change (or re-run with --write DIR):" in (
        result.stdout
    )
    assert "-      You greet callers briskly.\n+      You greet callers warmly.\n" in result.stdout
    newest = document(run("history", "prompt/greeter", db, "-o", "json"))["versions"][0]
    assert newest["version"] == 2 and newest["version_description"] == "back to warm"
    assert lock_prompts(db) == []  # the lock was held and given back


def test_write_rewrites_the_entry_so_plan_is_empty(tmp_path: Path) -> None:
    evi, db = edited(tmp_path)
    result = run("rollback", "prompt/greeter", "--to-version", "0", "--auto-approve", "--write", str(evi), db)
    assert result.exit_code == 0, result.output
    assert f"Wrote {evi / 'prompts.yaml'}" in result.stdout
    assert "You greet callers warmly." in (evi / "prompts.yaml").read_text(encoding="utf-8")
    assert run("plan", str(evi), db, "--detailed-exitcode").exit_code == 0


def test_to_the_head_or_to_the_same_content_does_nothing(tmp_path: Path) -> None:
    _, db = edited(tmp_path)
    head = run("rollback", "prompt/greeter", "--to-version", "1", db)  # no --auto-approve needed
    assert head.exit_code == 0, head.output
    assert "prompt/greeter v1 is its newest version already; nothing to roll back." in head.stdout
    hand_edit(db, "prompt/greeter", {"text": "You greet callers warmly.\n"})  # v2 = v0's content
    same = run("rollback", "prompt/greeter", "--to-version", "0", db, "--auto-approve")
    assert same.exit_code == 0, same.output
    # nothing new for the prompt; the config still on v1 (the version replaced) moves onto v2
    assert "prompt/greeter already has the content of v0; the configs still on v1" in same.stdout
    assert "config/desk: version 2 created" in same.stdout
    again = run("rollback", "prompt/greeter", "--to-version", "0", db)  # finished: nothing to ask
    assert again.exit_code == 0, again.output
    assert "prompt/greeter already has the content of v0; nothing to roll back." in again.stdout


def test_json_says_what_was_rolled_back(tmp_path: Path) -> None:
    _, db = edited(tmp_path)
    data = document(run("rollback", "prompt/greeter", "--to-version", "0", "--auto-approve", db, "-o", "json"))
    assert (data["address"], data["to_version"], data["rolled_back"]) == ("prompt/greeter", 0, True)
    # the config following the prompt moves onto the rolled-back version in the same run
    assert [c["address"] for c in data["plan"]["changes"]] == ["prompt/greeter", "config/desk"]
    assert data["report"]["done"] == ["prompt/greeter", "config/desk"] and data["report"]["failed"] == []
    assert data["report"]["results"]["prompt/greeter"]["version"] == 2
    assert "+      You greet callers warmly." in data["manifest_update"]["diff"]
    assert data["manifest_update"]["written"] is False and data["error"] is None
    nothing = document(run("rollback", "prompt/greeter", "--to-version", "2", db, "-o", "json"))
    assert nothing["rolled_back"] is False and nothing["report"] is None


def test_a_lock_held_by_another_run_stops_it(tmp_path: Path) -> None:
    _, db = edited(tmp_path)
    hold_lock(db)
    result = run("rollback", "prompt/greeter", "--to-version", "0", "--auto-approve", db, "-o", "json")
    assert result.exit_code == 1, result.output
    data = document(result)
    assert data["error"]["type"] == "lock_held" and data["lock"]["holder"]["run_id"] == "other-run"
    # --no-lock goes ahead (the user's call)
    assert run("rollback", "prompt/greeter", "--to-version", "0", "--auto-approve", "--no-lock", db).exit_code == 0


def test_the_lock_scope_follows_the_name_prefix_or_the_environment(tmp_path: Path) -> None:
    evi, db = project(tmp_path)
    (evi / "humectl.yaml").write_text("environments:\n  dev: {name_prefix: dev-}\n", encoding="utf-8")
    assert run("apply", str(evi), db, "--env", "dev", "--auto-approve").exit_code == 0
    hold_lock(db, scope="dev-")
    args = ("rollback", "prompt/dev-greeter", "--to-version", "0", "--auto-approve", db)
    by_prefix = run(*args, "--name-prefix", "dev-")
    assert by_prefix.exit_code == 1 and "name prefix 'dev-'" in by_prefix.stderr
    by_env = run(*args, "--env", "dev", "--manifests", str(evi))
    assert by_env.exit_code == 1 and "name prefix 'dev-'" in by_env.stderr
    # A rollback without a scope writes in the account scope, which can touch dev-greeter: it waits for
    # (here: is refused by) dev's lock too (docs/locking.md, locks cover what can collide).
    account = run(*args)
    assert account.exit_code == 1 and "the lock of name prefix 'dev-' is held by" in account.stderr


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    _, db = project(tmp_path)
    for args in (("greeter", "--to-version", "0"), ("prompt/greeter", "--to-version", "-1"), ("prompt/greeter",)):
        result = run("rollback", *args, db, "-o", "json")
        assert result.exit_code == 1, args
        assert document(result)["error"]["type"] == "usage", args
