"""humectl.load.cache: a load's result kept by content: the same files and options load once; any
change of an input is a miss; secrets never reach the disk; a foreign or broken entry is a miss."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.load import cache as cache_module
from humectl.load import manifests
from humectl.load.cache import FORMAT, ManifestCache
from humectl.load.manifests import load_manifests, validate_manifests
from humectl.model.desired import LoadOptions, ManifestSet
from tests.conftest import EXAMPLES_DIR


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path / "evi"


@pytest.fixture()
def cache(tmp_path: Path) -> ManifestCache:
    return ManifestCache(tmp_path / "cache")


def entries(cache: ManifestCache) -> list[Path]:
    return sorted(cache.directory.glob("*.load"))


def shape(loaded: ManifestSet) -> list[object]:
    """Everything a plan reads from a load, positions included."""
    return [
        [
            (r.kind, r.name, r.spec, r.source, r.version_description, r.previous_names, r.protect, dict(r.positions))
            for r in loaded.resources
        ],
        loaded.warnings,
        loaded.files,
        loaded.name_prefix,
        loaded.policy,
        loaded.inputs,
    ]


def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the YAML was converted again")

    monkeypatch.setattr(manifests, "parse_many", refuse)


def test_a_second_load_of_the_same_files_converts_nothing_and_is_the_same(
    evi: Path, cache: ManifestCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_manifests(evi)
    first = load_manifests(evi, cache=cache)
    assert len(entries(cache)) == 1
    no_yaml(monkeypatch)
    again = load_manifests(evi, cache=cache)
    assert shape(again) == shape(first) == shape(fresh)
    # positions deeper than the top levels are worked out from the kept text, as for a fresh load
    deep = next(r for r in again.resources if r.kind == "config")
    assert (
        deep.positions["/voice/name"]
        == next(r for r in fresh.resources if r.name == deep.name).positions["/voice/name"]
    )


def test_any_changed_input_is_a_miss(evi: Path, cache: ManifestCache, monkeypatch: pytest.MonkeyPatch) -> None:
    load_manifests(evi, cache=cache)
    text_file = next((evi / "prompts").glob("*.md"))
    text_file.write_text(text_file.read_text(encoding="utf-8") + "One more line.\n", encoding="utf-8")
    changed = load_manifests(evi, cache=cache)  # the manifest is the same, the prompt file is not
    assert any(r.spec.get("text", "").endswith("One more line.\n") for r in changed.resources)
    manifest = next(evi.glob("*.yaml"))
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    load_manifests(evi, cache=cache)
    load_manifests(evi, LoadOptions(variables={"unused": "x"}), cache=cache)
    assert len(entries(cache)) == 3  # one per manifest input (a changed prompt file rewrote its entry)
    no_yaml(monkeypatch)
    load_manifests(evi, LoadOptions(variables={"unused": "x"}), cache=cache)


def test_a_load_holding_a_sensitive_value_is_never_written(tmp_path: Path, cache: ManifestCache) -> None:
    root = tmp_path / "secret"
    root.mkdir()
    (root / "humectl.yaml").write_text("sensitive: [token]\n", encoding="utf-8")
    (root / "evi.yaml").write_text(
        "tools:\n  - name: t\n    description: uses ${token}\n    parameters: {type: object}\n", encoding="utf-8"
    )
    loaded = load_manifests(root, LoadOptions(variables={"token": "s3cret-value"}), cache=cache)
    assert loaded.sensitive and entries(cache) == []
    assert (
        not any(b"s3cret-value" in p.read_bytes() for p in cache.directory.glob("*"))
        if cache.directory.exists()
        else True
    )


def test_a_tampered_or_foreign_entry_is_a_miss(
    evi: Path, cache: ManifestCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_manifests(evi, cache=cache)
    [entry] = entries(cache)
    blob = bytearray(entry.read_bytes())
    blob[-5] ^= 0xFF  # a byte of the data changed: the signature no longer matches
    entry.write_bytes(bytes(blob))
    calls = []
    real = manifests.parse_many
    monkeypatch.setattr(manifests, "parse_many", lambda *a, **k: calls.append(1) or real(*a, **k))
    load_manifests(evi, cache=cache)
    assert calls == [1]
    entry.write_bytes(FORMAT + b"\0" * 40)  # truncated and unsigned
    assert load_manifests(evi, cache=cache).resources
    assert calls == [1, 1]


def test_a_directory_others_can_write_is_not_used(evi: Path, cache: ManifestCache) -> None:
    load_manifests(evi, cache=cache)
    os.chmod(cache.directory, 0o777)
    try:
        assert cache._signer(create=False) is None
        assert ManifestCache(cache.directory).get("0" * 64) is None
    finally:
        os.chmod(cache.directory, 0o700)


def test_the_oldest_entries_go(evi: Path, cache: ManifestCache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 3)
    for i in range(5):
        load_manifests(evi, LoadOptions(variables={"n": str(i)}), cache=cache)
    assert len(entries(cache)) == 3


def test_validate_gives_the_same_report_from_the_cache(evi: Path, cache: ManifestCache) -> None:
    first = validate_manifests(evi, cache=cache)
    again = validate_manifests(evi, cache=cache)
    assert again == first and entries(cache)


def test_runs_sharing_the_cache_at_once_all_succeed(evi: Path, tmp_path: Path) -> None:
    """Entries are written whole (a temporary file renamed into place): no run reads half of one."""
    env = {**os.environ, "HUMECTL_CACHE_DIR": str(tmp_path / "shared")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "humectl", "validate", str(evi), "-o", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 6, outputs
    assert len({out for out, _ in outputs}) == 1
    assert len(list((tmp_path / "shared").glob("*.load"))) == 1


def test_no_cache_writes_nothing(evi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUMECTL_CACHE_DIR", str(tmp_path / "c"))
    assert CliRunner().invoke(cli, ["validate", str(evi), "--no-cache"]).exit_code == 0
    assert not (tmp_path / "c").exists()
    assert CliRunner().invoke(cli, ["validate", str(evi)]).exit_code == 0
    assert list((tmp_path / "c").glob("*.load"))


def test_removed_entries_and_retention_come_back_from_the_cache(
    evi: Path, cache: ManifestCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    (evi / "humectl.yaml").write_text("retention:\n  keep_versions: 3\n")
    (evi / "gone.yaml").write_text("removed:\n  - address: prompt/old-agent\n")
    first = load_manifests(evi, cache=cache)
    no_yaml(monkeypatch)
    again = load_manifests(evi, cache=cache)
    assert [(r.address, r.source) for r in again.removed] == [(r.address, r.source) for r in first.removed]
    assert [r.address for r in again.removed] == ["prompt/old-agent"]
    assert again.retention == first.retention and again.retention.keep_versions == 3
