"""A resource humectl created and someone then edited in the dashboard (its head has no marker) stays
humectl's: once the manifests drop it, ``apply --prune`` and ``destroy`` delete it as their own (its
first version says who created it), keeping its protection; before, it was left behind for good.
Found by the stateful seams test (a dashboard edit, then a prune)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.engine.helpers import emulator_account

PROJECT = "environments:\n  dev: {name_prefix: dev-}\n  prod: {name_prefix: prod-}\n"
CLEAN = {"HUME_API_KEY": "k", "HUME_TOKEN": "", "HUME_BASE_URL": "", "HUMECTL_ENV": "", "NO_COLOR": "1"}


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, f"--emulator={db}"], env=CLEAN)


def write(evi: Path, prompts: str) -> None:
    evi.mkdir(exist_ok=True)
    (evi / "humectl.yaml").write_text(PROJECT)
    (evi / "evi.yaml").write_text(f"prompts:\n{prompts}")


def edit_by_hand(db: Path, name: str) -> None:
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        head = account.live().get("prompt", name)
        assert head is not None
        account.raw("POST", f"/v0/evi/prompts/{head.id}", body={"text": "Edited by hand.", "version_description": "x"})


def names(db: Path) -> list[str]:
    snapshot: dict[str, Any] = json.loads(run(db, "emulator", "snapshot").stdout)
    return sorted({p["name"] for p in snapshot["prompts"]})


def test_prune_deletes_what_humectl_created_though_it_was_edited_elsewhere(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    write(evi, "  - {name: agent, text: Hi.}\n  - {name: spare, text: Spare.}\n")
    for env in ("dev", "prod"):
        assert run(db, "apply", str(evi), "--env", env, "--auto-approve").exit_code == 0
    for name in ("dev-spare", "prod-spare"):
        edit_by_hand(db, name)
    write(evi, "  - {name: agent, text: Hi.}\n")
    planned = run(db, "plan", str(evi), "--env", "dev", "--prune", "-o", "json")
    assert planned.exit_code == 0, planned.output
    [change] = json.loads(planned.stdout)["changes"]
    assert change["address"] == "prompt/dev-spare" and change["action"] == "delete"
    assert "humectl created it; its newest version was made outside humectl" in " ".join(change["reasons"])
    assert run(db, "apply", str(evi), "--env", "dev", "--prune", "--auto-approve").exit_code == 0
    assert names(db) == ["dev-agent", "prod-agent", "prod-spare"]  # prod's own stays prod's
    # destroy too: prod's edited spare, which prod's manifests no longer define, goes with prod
    destroyed = run(db, "destroy", str(evi), "--env", "prod", "--auto-approve")
    assert destroyed.exit_code == 0, destroyed.output
    assert "prompt/prod-spare: deleted" in destroyed.output
    assert names(db) == ["dev-agent"]


def test_an_edited_resource_keeps_the_protection_humectl_last_wrote(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    write(evi, "  - {name: agent, text: Hi.}\n  - {name: spare, text: Spare., protect: true}\n")
    assert run(db, "apply", str(evi), "--env", "dev", "--auto-approve").exit_code == 0
    edit_by_hand(db, "dev-spare")
    write(evi, "  - {name: agent, text: Hi.}\n")
    planned = run(db, "plan", str(evi), "--env", "dev", "--prune", "-o", "json")
    document = json.loads(planned.stdout)
    assert document["changes"] == [] and "protected" in document["kept"]["prompt/dev-spare"], planned.stdout
    assert run(db, "apply", str(evi), "--env", "dev", "--prune", "--auto-approve").exit_code == 0
    assert names(db) == ["dev-agent", "dev-spare"]
