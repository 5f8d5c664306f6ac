"""What prune and destroy do with a resource the manifests no longer define whose head was made outside
humectl (a dashboard edit), or whose marker ``removed:`` cleared: humectl reads "made" from the head's
marker only, so both are handed over and left alone (listed as not made by humectl; ``--prune-unmanaged``
takes them). Its older versions still carry the marker, and reading them instead (tried) pruned what
``removed:`` had unmanaged once its entry was dropped. Found by the stateful seams test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.engine.helpers import emulator_account

CLEAN = {"HUME_API_KEY": "k", "HUME_TOKEN": "", "HUME_BASE_URL": "", "HUMECTL_ENV": "", "NO_COLOR": "1"}


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, f"--emulator={db}"], env=CLEAN)


def write(evi: Path, body: str) -> None:
    evi.mkdir(exist_ok=True)
    (evi / "evi.yaml").write_text(body)


def names(db: Path) -> list[str]:
    snapshot: dict[str, Any] = json.loads(run(db, "emulator", "snapshot").stdout)
    return sorted({p["name"] for p in snapshot["prompts"]})


def test_an_unmanaged_resource_stays_unmanaged_after_its_removed_entry_goes(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    for text in ("Spare.", "Spare two."):  # two versions, both humectl's
        write(evi, f"prompts:\n  - {{name: agent, text: Hi.}}\n  - {{name: spare, text: {text}}}\n")
        assert run(db, "apply", str(evi), "--auto-approve").exit_code == 0
    write(evi, "prompts:\n  - {name: agent, text: Hi.}\nremoved:\n  - address: prompt/spare\n")
    assert run(db, "apply", str(evi), "--auto-approve").exit_code == 0
    write(evi, "prompts:\n  - {name: agent, text: Hi.}\n")  # the entry is deleted, as the docs say to
    planned = json.loads(run(db, "plan", str(evi), "--prune", "-o", "json").stdout)
    assert planned["changes"] == [] and planned["kept_unmanaged"] == ["prompt/spare"], planned
    assert run(db, "destroy", str(evi), "--auto-approve").exit_code == 0
    assert names(db) == ["spare"]


def test_a_resource_edited_elsewhere_is_handed_over(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    write(evi, "prompts:\n  - {name: agent, text: Hi.}\n  - {name: spare, text: Spare.}\n")
    assert run(db, "apply", str(evi), "--auto-approve").exit_code == 0
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        head = account.live().get("prompt", "spare")
        assert head is not None
        account.raw("POST", f"/v0/evi/prompts/{head.id}", body={"text": "Edited by hand.", "version_description": "x"})
    write(evi, "prompts:\n  - {name: agent, text: Hi.}\n")
    planned = json.loads(run(db, "plan", str(evi), "--prune", "-o", "json").stdout)
    assert planned["changes"] == [] and planned["kept_unmanaged"] == ["prompt/spare"], planned
    assert run(db, "destroy", str(evi), "--auto-approve").exit_code == 0
    assert names(db) == ["spare"]
    pruned = run(db, "apply", str(evi), "--prune-unmanaged", "--allow-empty", "--auto-approve")
    assert pruned.exit_code == 0, pruned.output
    assert names(db) == ["agent"]  # made again; the handed-over spare taken by --prune-unmanaged
