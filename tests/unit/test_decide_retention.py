"""humectl.decide.retention: which old versions --prune-versions deletes (plain data, no account)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from humectl.decide.retention import RetentionInput, plan_retention, versions_text
from humectl.model.desired import DesiredResource, ManifestSet, Source
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import VERSION, Change

SRC = Source("m.yaml", 1, 1)
MARK = "x [humectl run1]"


def versions(rid: str, count: int, marked: tuple[int, ...] = (), **extra: Any) -> list[dict[str, Any]]:
    return [
        {"id": rid, "version": v, "version_description": MARK if v in marked else "by hand", **extra}
        for v in range(count)
    ]


def account(prompt_versions: int = 10, config_versions: int = 10, **flags: bool) -> tuple[ManifestSet, LiveState]:
    prompt_head = LiveResource("prompt", "p", "P", prompt_versions - 1, {"version_description": MARK})
    config_head = LiveResource("config", "c", "C", config_versions - 1, {"version_description": MARK})
    live = LiveState(resources={("prompt", "p"): prompt_head, ("config", "c"): config_head})
    desired = ManifestSet(
        root=Path("."),
        resources=[
            DesiredResource("prompt", "p", {"text": "t"}, SRC, protect=flags.get("protect", False)),
            DesiredResource("config", "c", {"evi_version": "3"}, SRC),
        ],
    )
    return desired, live


def config_version(version: int, prompt_version: int, name: str = "c", rid: str = "C") -> dict[str, Any]:
    prompt = {"id": "P", "version": prompt_version, "version_type": "FIXED"}
    return {"id": rid, "name": name, "version": version, "version_description": MARK, "prompt": prompt}


def plan(
    keep: int,
    configs: list[dict[str, Any]],
    prompt_versions: list[dict[str, Any]],
    changes: list[Change] = (),
    **kw: Any,
) -> tuple[dict[str, tuple[int, ...]], dict[str, str], list[Change]]:
    desired, live = account(len(prompt_versions), len([c for c in configs if c["id"] == "C"]), **kw)
    matches = {r.address: (live.get(r.kind, r.name), None) for r in desired.resources}
    out, notes = plan_retention(
        desired, matches, live, list(changes), RetentionInput(keep, {"prompt/p": prompt_versions}, configs)
    )
    return {c.address: c.versions for c in out}, notes, out


def test_the_newest_n_stay_and_a_config_s_old_versions_free_what_they_pinned() -> None:
    configs = [config_version(v, v) for v in range(10)]
    deleted, notes, changes = plan(3, configs, versions("P", 10))
    assert deleted == {"config/c": (0, 1, 2, 3, 4, 5, 6), "prompt/p": (0, 1, 2, 3, 4, 5, 6)}
    assert notes == {}
    assert [c.address for c in changes] == ["config/c", "prompt/p"]  # configs' old versions first
    assert changes[1].reasons == (
        "old versions: v0–v6 deleted, beyond the newest 3 (retention.keep_versions) and used by nothing",
    )


def test_a_version_another_config_pins_and_humectl_s_last_apply_stay() -> None:
    configs = [config_version(v, 9) for v in range(10)] + [config_version(0, 2, "by-hand", "H")]
    deleted, _, changes = plan(2, configs, versions("P", 10, marked=(5,)))
    assert deleted["prompt/p"] == (0, 1, 3, 4, 6, 7)
    assert changes[1].reasons[1] == (
        "old versions kept besides: v5 (humectl's last apply: what drift compares to); v2 (used by config/by-hand v0)"
    )


def test_a_new_version_counts_and_the_head_read_always_stays() -> None:
    configs = [config_version(v, 9) for v in range(10)]
    grows = Change(address="prompt/p", kind="prompt", name="p", operations=(VERSION,))
    deleted, _, changes = plan(1, configs, versions("P", 10), [grows])
    assert deleted["prompt/p"] == (0, 1, 2, 3, 4, 5, 6, 7, 8)  # keep 1 = the new one; v9 is the head read
    assert changes[0].operations == ("version", "delete_version")
    assert "counting the version this plan makes" in changes[0].reasons[-1]


def test_a_protected_resource_keeps_every_version() -> None:
    configs = [config_version(v, v) for v in range(10)]
    deleted, notes, _ = plan(3, configs, versions("P", 10), protect=True)
    assert "prompt/p" not in deleted
    assert notes == {"prompt/p": "protected: --prune-versions deletes none of its versions"}


def test_versions_text() -> None:
    assert versions_text([0, 1, 2, 5, 7, 8]) == "v0–v2, v5, v7–v8"
    assert versions_text([3]) == "v3" and versions_text([]) == ""
