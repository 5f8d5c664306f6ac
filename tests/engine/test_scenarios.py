"""Golden scenarios: ``tests/testdata/NNN-slug/`` = seeded live state, desired manifests, expected plans.

Each folder holds:
- ``live/`` (optional): manifests applied first, through humectl, to seed the account;
- ``live-edits.yaml`` (optional): raw API calls made after that (dashboard edits); ``{kind:name}``
  in a path or string value is replaced by that resource's id; ``emulator.yaml`` (optional) gives
  the emulator options those calls run with (e.g. ``allow_duplicate_names: true``);
- ``desired/``: the manifests under test;
- ``expected/plan.txt``, ``plan.md``, ``plan.json``: the plan in all three formats (ids scrubbed),
  or ``expected/error.txt``: the error message the plan must fail with (an empty ``expect-error``
  file makes the regeneration write it);
- ``checks.yaml`` (optional): ``{address, path, equals}`` facts about the complete live head after apply.

After the plan matches, it is applied and the next plan must be empty (no perpetual diffs).
Regenerate the goldens with ``HUMECTL_UPDATE_GOLDEN=1 python -m pytest tests/engine/test_scenarios.py``:
that run fails for each file it rewrote, so an update is read (``git diff``) before it passes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from humectl.core.errors import HumectlError
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io.listing import complete_heads
from humectl.model.live import LiveState
from humectl.render.json import render_json
from humectl.render.markdown import render_markdown
from humectl.render.text import render_text
from tests import support as engine
from tests.conftest import TESTDATA_DIR

SCENARIOS = sorted(p for p in TESTDATA_DIR.iterdir() if re.match(r"\d{3}-", p.name))
UPDATE = os.environ.get("HUMECTL_UPDATE_GOLDEN") == "1"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def scrub(text: str) -> str:
    text = UUID.sub("<id>", text)
    return re.sub(r'"created_at": [0-9.]+', '"created_at": 0', text)


def substitute(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+:[^}]+)\}", lambda m: ids[m.group(1).replace(":", "/", 1)], value)
    if isinstance(value, dict):
        return {k: substitute(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, ids) for v in value]
    return value


def live_ids(settings: Settings) -> dict[str, str]:
    import asyncio

    from humectl.io.listing import fetch_live_state

    async def read() -> dict[str, str]:
        async with engine.open_client(settings) as client:
            state = await fetch_live_state(client)
        return {r.address: r.id for r in state.resources.values()}

    return asyncio.run(read())


def raw_calls(settings: Settings, calls: list[dict[str, Any]], options: dict[str, Any]) -> None:
    import asyncio

    from humectl.emulator.app import EmulatorConfig
    from humectl.emulator.transport import in_process_transport

    transport = in_process_transport(EmulatorConfig(db=str(settings.emulator_db), **options))

    async def send() -> None:
        async with engine.open_client(settings, transport) as client:
            for call in calls:
                await client._request(call["method"], call["path"], body=call.get("body"))

    asyncio.run(send())


def complete_live(settings: Settings, live: LiveState) -> LiveState:
    """``live`` with every head complete (list pages leave prompt_expansion out)."""
    import asyncio

    async def read() -> None:
        async with engine.open_client(settings) as client:
            await complete_heads(client, live.resources.values())

    asyncio.run(read())
    return live


def check_goldens(goldens: dict[Path, str]) -> None:
    """Each text is the golden file it is keyed by. Updating (HUMECTL_UPDATE_GOLDEN=1), the goldens that
    differ are rewritten and the test fails all the same: an update passes only once it has been read
    and run again."""
    if UPDATE:
        rewritten = []
        for path, actual in goldens.items():
            if not path.exists() or path.read_text(encoding="utf-8") != actual:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(actual, encoding="utf-8")
                rewritten.append(str(path.relative_to(TESTDATA_DIR)))
        if rewritten:
            listed = ", ".join(rewritten)
            pytest.fail(f"rewrote {listed}: read the change (git diff tests/testdata), run again without the variable")
    for path, actual in goldens.items():
        assert path.exists(), f"missing golden {path} (run with HUMECTL_UPDATE_GOLDEN=1)"
        assert actual == path.read_text(encoding="utf-8"), f"{path} differs"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario(scenario: Path, tmp_path: Path) -> None:
    settings = Settings(emulator_db=str(tmp_path / "account.sqlite3"), api_key="test-key")
    if (scenario / "live").is_dir():
        seeded = engine.make_plan(scenario / "live", settings, run_id="seed")
        engine.apply(seeded.plan, settings, check_fresh=False)
    edits = scenario / "live-edits.yaml"
    if edits.exists():
        calls = yaml.safe_load(edits.read_text())
        options = (
            yaml.safe_load((scenario / "emulator.yaml").read_text()) if (scenario / "emulator.yaml").exists() else {}
        )
        for call in calls:  # one at a time: later calls may name what earlier ones made
            raw_calls(settings, [substitute(call, live_ids(settings))], options)
    expected = scenario / "expected"
    if (expected / "error.txt").exists() or (UPDATE and (scenario / "expect-error").exists()):
        with pytest.raises(HumectlError) as err:
            engine.make_plan(scenario / "desired", settings, run_id="golden")
        check_goldens({expected / "error.txt": scrub(err.value.message) + "\n"})
        return
    result = engine.make_plan(scenario / "desired", settings, run_id="golden")
    formats = {"txt": render_text, "md": render_markdown, "json": render_json}
    check_goldens({expected / f"plan.{ext}": scrub(render(result.plan)) for ext, render in formats.items()})
    engine.apply(result.plan, settings, check_fresh=True)
    again = engine.make_plan(scenario / "desired", settings, run_id="again")
    assert not again.plan.has_changes, render_text(again.plan)
    checks = scenario / "checks.yaml"
    if checks.exists():
        heads = {r.address: r.data for r in complete_live(settings, again.live).resources.values()}
        for check in yaml.safe_load(checks.read_text()):
            value: Any = heads[check["address"]]
            for part in check["path"].split("."):
                value = value[int(part)] if isinstance(value, list) else value[part]
            assert value == check["equals"], f"{check['address']} {check['path']} = {value!r}"


def test_every_scenario_has_goldens() -> None:
    assert len(SCENARIOS) >= 9
    for scenario in SCENARIOS:
        expected = scenario / "expected"
        assert (expected / "error.txt").exists() or all(
            (expected / f"plan.{ext}").exists() for ext in ("txt", "md", "json")
        ), scenario.name
        json_file = expected / "plan.json"
        if json_file.exists():
            assert json.loads(json_file.read_text())["format_version"] == 1
    assert set(KINDS) == {"tool", "prompt", "config"}


def test_an_update_rewrites_what_differs_and_fails_so_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", True)
    monkeypatch.setattr(sys.modules[__name__], "TESTDATA_DIR", tmp_path)
    same, changed, new = tmp_path / "same.txt", tmp_path / "changed.txt", tmp_path / "x" / "new.txt"
    same.write_text("kept\n", encoding="utf-8")
    changed.write_text("old\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match=r"rewrote changed\.txt, x/new\.txt: read the change"):
        check_goldens({same: "kept\n", changed: "new\n", new: "made\n"})
    assert [p.read_text(encoding="utf-8") for p in (same, changed, new)] == ["kept\n", "new\n", "made\n"]
    check_goldens({same: "kept\n", changed: "new\n", new: "made\n"})  # nothing left to rewrite: it passes
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", False)
    with pytest.raises(AssertionError, match="differs"):
        check_goldens({same: "other\n"})
    assert same.read_text(encoding="utf-8") == "kept\n"  # never written outside an update
