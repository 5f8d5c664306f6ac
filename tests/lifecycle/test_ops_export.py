"""export: a varied account → manifests → plan is empty; layout, defaults, pins, selection, overwrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from humectl.core.errors import HumectlError
from humectl.core.kinds import KINDS
from humectl.decide.export import render_export
from humectl.decide.planner import build_plan
from humectl.load.manifests import load_manifests
from humectl.model.live import LiveState
from humectl.ops.export import export_live, verify_export, write_export
from tests.engine.helpers import Account

from .seed import PROMPT_TEXTS, seed_account


def entries(directory: Path, filename: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((directory / filename).read_text(encoding="utf-8"))
    plural = filename.removesuffix(".yaml")
    return {e["name"]: e for e in data[plural]}


def test_round_trip_of_a_varied_account_is_exact(account: Account, tmp_path: Path) -> None:
    seeded = seed_account(account)
    assert seeded.count >= 30
    live = exported_live(account)
    out = tmp_path / "evi"
    result = render_export(live)
    write_export(result, out)

    desired = load_manifests(out)  # also validates every file against the JSON Schema
    assert len(desired.resources) == seeded.count
    plan = build_plan(desired, live, run_id="check")
    assert [c.address for c in plan.changes] == []
    assert sorted(plan.unchanged) == sorted(seeded.ids)
    assert verify_export(out, live, result.addresses) == ([], [])

    # Deterministic: the same account exports the same bytes.
    again = render_export(exported_live(account))
    assert [(f.path, f.content) for f in again.files] == [(f.path, f.content) for f in result.files]


def test_layout_text_files_defaults_and_pins(account: Account, tmp_path: Path) -> None:
    seed_account(account)
    out = tmp_path / "evi"
    result = render_export(exported_live(account))
    write_export(result, out)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert {"configs.yaml", "prompts.yaml", "tools.yaml", "manifest.schema.json"} <= set(names)
    for manifest in ("configs.yaml", "prompts.yaml", "tools.yaml"):
        first = (out / manifest).read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=manifest.schema.json"

    prompts = entries(out, "prompts.yaml")
    assert list(prompts) == sorted(prompts)  # deterministic order
    # Text files are byte-exact, trailing newlines or not.
    for name in ("trailing-newline", "no-trailing-newline", "two-trailing-newlines", "unicode", "tabs", "variables"):
        assert prompts[name]["text_file"] == f"prompts/{name}.md"
        assert (out / prompts[name]["text_file"]).read_bytes() == PROMPT_TEXTS[name].encode("utf-8")
    # Texts a file cannot carry exactly stay inline (and ${ is escaped for the loader).
    assert prompts["carriage-returns"]["text"] == PROMPT_TEXTS["carriage-returns"]
    assert prompts["byte-order-mark"]["text"] == PROMPT_TEXTS["byte-order-mark"]
    weird = prompts["Weird name/with slash ü"]["text_file"]
    assert weird.startswith("prompts/Weird-name-with-slash") and weird.endswith(".md") and "/" not in weird[8:]
    assert prompts["expansion-off"]["prompt_expansion"] == {"enabled": False}
    assert "prompt_expansion" not in prompts["trailing-newline"]

    tools = entries(out, "tools.yaml")
    assert tools["lookup_order"]["parameters"]["properties"]["filters"]["properties"]["items"]["minItems"] == 1
    assert next(iter(tools["lookup_order"]["parameters"])) == "type"  # reads like a schema: type first
    assert tools["dollar_tool"]["description"] == "Charges $${amount} and $$${literal}."
    assert "description" not in tools["minimal"]

    configs = entries(out, "configs.yaml")
    # Server defaults are left out: a config made with only evi_version exports as just that.
    assert configs["defaults-only"] == {"name": "defaults-only", "evi_version": "3"}
    assert configs["explicit-defaults"] == {"name": "explicit-defaults", "evi_version": "3"}
    assert configs["no-prompt"] == {
        "name": "no-prompt",
        "evi_version": "3",
        "voice": {"provider": "HUME_AI", "name": "Kora"},  # the library's spelling of KORA
    }
    # Pinned only where older than the newest version.
    assert configs["pinned"]["prompt"] == {"name": "versioned", "version": 0}
    assert configs["pinned"]["tools"] == ["minimal", {"name": "versioned_tool", "version": 1}]
    assert configs["everything"]["prompt"] == "trailing-newline"
    everything = configs["everything"]
    for section in (
        "voice",
        "language_model",
        "ellm_model",
        "tools",
        "builtin_tools",
        "event_messages",
        "timeouts",
        "nudges",
        "turn_detection",
        "interruption",
        "webhooks",
    ):
        assert section in everything, section
    # Only the non-default timeout section is written, whole.
    assert everything["timeouts"] == {
        "inactivity": {"enabled": True, "duration_secs": 300},
        "max_duration": {"enabled": False, "duration_secs": 900},
    }
    assert configs["mini"]["timeouts"] == {"inactivity": {"enabled": False, "duration_secs": 600}}
    assert "on_inactivity_timeout" in everything["event_messages"]
    assert KINDS["config"].defaults["ellm_model"] == {"allow_short_responses": False}


def test_select_exports_the_subset_with_its_dependencies(account: Account, tmp_path: Path) -> None:
    seed_account(account)
    live = exported_live(account)
    result = render_export(live, selectors=["config/pinned", "tool/minimal"])
    assert sorted(result.addresses) == ["config/pinned", "prompt/versioned", "tool/minimal", "tool/versioned_tool"]
    out = tmp_path / "subset"
    write_export(result, out)
    plan = build_plan(load_manifests(out), live, run_id="check")
    assert not plan.has_changes and len(plan.unchanged) == 4
    with pytest.raises(HumectlError, match="no live config has that name"):
        render_export(live, selectors=["config/pinnned"])


def test_existing_files_are_never_overwritten_without_force(account: Account, tmp_path: Path) -> None:
    seed_account(account)
    result = render_export(exported_live(account), selectors=["prompt/unicode"])
    out = tmp_path / "evi"
    (out / "prompts").mkdir(parents=True)
    (out / "prompts" / "unicode.md").write_text("mine", encoding="utf-8")
    with pytest.raises(HumectlError, match=r"refusing to overwrite 1 existing file\(s\).*prompts/unicode.md"):
        write_export(result, out)
    assert (out / "prompts" / "unicode.md").read_text(encoding="utf-8") == "mine"
    assert not (out / "prompts.yaml").exists()  # nothing written at all
    write_export(result, out, force=True)
    assert (out / "prompts" / "unicode.md").read_bytes() == PROMPT_TEXTS["unicode"].encode()


def test_cli_export_then_plan_is_empty(account: Account, run_cli: Any, tmp_path: Path) -> None:
    seeded = seed_account(account)
    out = tmp_path / "evi"
    result = run_cli("export", "--dir", str(out))
    assert result.exit_code == 0, result.output
    assert f"Exported 10 tool(s), {len(PROMPT_TEXTS) + 2} prompt(s), 11 config(s)" in result.output
    assert "Checked: `humectl plan` on these files shows no changes." in result.output
    plan = run_cli("plan", str(out), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output and f"{seeded.count} unchanged" in plan.output

    again = run_cli("export", "--dir", str(out))
    assert again.exit_code == 1
    assert "refusing to overwrite" in again.output and "configs.yaml" in again.output
    forced = run_cli("export", "--dir", str(out), "--force", "--schema", "https://example.com/manifest.schema.json")
    assert forced.exit_code == 0, forced.output
    assert (
        (out / "tools.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=https://example.com/manifest.schema.json\n")
    )

    sub = tmp_path / "sub"
    selected = run_cli("export", "--dir", str(sub), "--target", "config/uses-old-expansion")
    assert selected.exit_code == 0, selected.output
    assert "Exported 0 tool(s), 1 prompt(s), 1 config(s)" in selected.output
    bad = run_cli("export", "--dir", str(sub), "--select", "nonsense")
    assert bad.exit_code == 1 and "kind/name" in bad.output


def test_a_config_following_latest_round_trips_by_name(account: Account, tmp_path: Path) -> None:
    """A reference without a version (version_type LATEST) is exported by name and plans no change."""
    from humectl.core.kinds import KINDS

    made = account.run(account.client.create(KINDS["prompt"], {"name": "p", "text": "hi"}))
    account.run(account.client.create(KINDS["config"], {"name": "c", "evi_version": "3", "prompt": {"id": made["id"]}}))
    live = exported_live(account)
    result = render_export(live)
    write_export(result, tmp_path)
    assert entries(tmp_path, "configs.yaml")["c"]["prompt"] == "p"
    assert verify_export(tmp_path, live, result.addresses) == ([], [])


def exported_live(account: Account) -> LiveState:
    """The live state as ``humectl export`` reads it (list heads completed with their detail fields)."""
    return account.run(export_live(account.client))
