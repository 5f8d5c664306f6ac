"""humectl.io.planfile: a saved plan's files (the JSON without any sensitive value, salted fingerprints
instead, and its Markdown beside it), reading one back (a broken or hand-edited file is a PlanError that
never quotes it), and putting its sensitive values back from the environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from humectl.core import sensitive
from humectl.core.errors import PlanError
from humectl.core.settings import Settings
from humectl.io.planfile import MARKDOWN_MARK, load_plan, restore_sensitive, save_plan
from humectl.model.desired import LoadOptions
from humectl.model.plan import Plan
from tests.support import make_plan

SECRET = "tok-5f1e2d3c4b5a6978"
API_KEY = "sk-planfile-0123456789"


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    sensitive.reset()
    yield
    sensitive.reset()


@pytest.fixture()
def plan(tmp_path: Path) -> Plan:
    """A real plan (over the in-process emulator) whose tool content holds a sensitive value."""
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "tools.yaml").write_text(
        "tools:\n  - name: lookup\n    description: Look an order up.\n"
        '    fallback_content: "call support, token ${TOKEN}"\n'
        "    parameters: {type: object, properties: {id: {type: string}}}\n"
        "prompts:\n  - name: greeter\n    text: Hello.\n",
        encoding="utf-8",
    )
    settings = Settings(api_key=API_KEY, emulator_db=str(tmp_path / "db.sqlite3"))
    options = LoadOptions(secret_variables={"TOKEN": SECRET})
    result = make_plan(evi, settings, load_options=options, message=f"applied with {API_KEY}")
    assert result.plan.sensitive == {"TOKEN": SECRET}
    return result.plan


def test_the_saved_plan_holds_no_sensitive_value_but_fingerprints_and_places(plan: Plan, tmp_path: Path) -> None:
    sensitive.current().add("api_key", API_KEY)  # what the plan does not know is masked too
    path = tmp_path / "plan.json"
    assert save_plan(plan, path) is None  # no Markdown asked for
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text and API_KEY not in text
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    saved = data["sensitive"]
    assert set(saved) == {"salt", "fingerprints", "places"} and set(saved["fingerprints"]) == {"TOKEN"}
    assert saved["fingerprints"]["TOKEN"].startswith("pbkdf2-sha256:")
    assert list(saved["places"]) == ["tool/lookup"]
    tool = next(c for c in data["changes"] if c["address"] == "tool/lookup")
    assert tool["content"]["fallback_content"] == "call support, token (sensitive)"
    assert data["message"] == "applied with (sensitive)"
    assert not (tmp_path / "plan.md").exists()


def test_the_markdown_is_written_beside_it_masked(plan: Plan, tmp_path: Path) -> None:
    sensitive.current().add("TOKEN", SECRET)
    sibling = save_plan(plan, tmp_path / "plan.json", markdown=f"### humectl plan\n\ntoken {SECRET}\n")
    assert sibling == tmp_path / "plan.md"
    assert sibling.read_text(encoding="utf-8") == f"### humectl plan\n\ntoken (sensitive)\n\n{MARKDOWN_MARK}\n"


def test_round_trip_restores_the_content_from_the_environment(plan: Plan, tmp_path: Path) -> None:
    save_plan(plan, tmp_path / "plan.json")
    sensitive.reset()  # a new command: apply PLAN
    loaded = load_plan(tmp_path / "plan.json")
    assert loaded.saved_sensitive is not None and loaded.sensitive == {}
    assert SECRET not in repr([c.content for c in loaded.changes])
    restored = restore_sensitive(loaded, {"HUMECTL_SECRET_TOKEN": SECRET})
    assert [c.content for c in restored.changes] == [c.content for c in plan.changes]
    assert restored.sensitive == {"TOKEN": SECRET} and restored.saved_sensitive is None
    assert sensitive.current().mask(SECRET) == "(sensitive)"  # masked in whatever apply prints next
    # HUMECTL_VAR_<NAME> holds it as well
    again = restore_sensitive(load_plan(tmp_path / "plan.json"), {"HUMECTL_VAR_TOKEN": SECRET})
    assert again.changes == restored.changes


def test_a_missing_or_different_value_is_refused(plan: Plan, tmp_path: Path) -> None:
    save_plan(plan, tmp_path / "plan.json")
    loaded = load_plan(tmp_path / "plan.json")
    with pytest.raises(PlanError, match="needs the sensitive value of TOKEN, which it does not hold") as missing:
        restore_sensitive(loaded, {})
    assert missing.value.hint is not None and "HUMECTL_SECRET_TOKEN" in missing.value.hint
    with pytest.raises(PlanError, match="not the one this plan was made with") as different:
        restore_sensitive(loaded, {"HUMECTL_SECRET_TOKEN": SECRET + "x"})
    assert SECRET not in str(different.value) + (different.value.hint or "")


def test_a_tampered_fingerprint_or_place_is_refused(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for tampered in ({"fingerprints": {"TOKEN": "md5:abc"}}, {"salt": "not hex"}):
        path.write_text(json.dumps({**data, "sensitive": {**data["sensitive"], **tampered}}), encoding="utf-8")
        with pytest.raises(PlanError, match="not the one this plan was made with"):
            restore_sensitive(load_plan(path), {"HUMECTL_SECRET_TOKEN": SECRET})
    save_plan(plan, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sensitive"]["places"]["tool/lookup"] = {"/description": [[0, "TOKEN"]]}  # no placeholder there
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanError, match="sensitive values cannot be put back"):
        restore_sensitive(load_plan(path), {"HUMECTL_SECRET_TOKEN": SECRET})


def test_a_plan_without_sensitive_values_is_restored_as_it_is() -> None:
    bare = Plan()
    assert restore_sensitive(bare, {}) is bare


def test_a_plan_saved_before_risk_is_assessed_on_load(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for change in data["changes"]:
        change.pop("risk"), change.pop("risk_reasons")
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = load_plan(path)
    assert [(c.risk, c.risk_reasons[0].rule) for c in loaded.changes] == [("low", "create"), ("low", "create")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"is not a humectl plan file \(not JSON: "),
        ("[" * 100_000 + "]" * 100_000, r"is not a humectl plan file \(JSON nested too deeply\)"),
        ("[1, 2]", r"is not a humectl plan file$"),
        (
            '{"format_version": 1, "changes": [{"address": "x/SECRETIVE"}]}',
            r"not a valid humectl plan file \(KeyError\)",
        ),
        (
            '{"format_version": 1, "changes": [{"address": "nokind/w", "kind": "nokind", "name": "w", '
            '"operations": ["create"]}]}',
            r"not a valid humectl plan file \(ValueError\)",  # no such kind
        ),
        ('{"format_version": 1, "changes": "SECRETIVE"}', r"not a valid humectl plan file \(\w+Error\)"),
        ('{"format_version": 9}', "saved plan has format_version 9; this humectl reads 1"),
    ],
)
def test_a_broken_plan_file_is_a_plan_error_that_never_quotes_it(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanError, match=message) as caught:
        load_plan(path)
    assert "SECRETIVE" not in caught.value.message
    if "format_version 9" not in message:
        assert caught.value.hint == "save one with: humectl plan DIR --out plan.json"


def test_an_unreadable_plan_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read saved plan"):
        load_plan(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(PlanError, match="cannot read saved plan"):
        load_plan(tmp_path / "latin1.json")


def test_the_changes_round_trip_exactly(plan: Plan, tmp_path: Path) -> None:
    unmasked = replace(plan, sensitive={})  # nothing sensitive: the file round-trips the changes exactly
    save_plan(unmasked, tmp_path / "plan.json")
    loaded = load_plan(tmp_path / "plan.json")
    assert loaded.changes == unmasked.changes and loaded.live_fingerprint == unmasked.live_fingerprint
