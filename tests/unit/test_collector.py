"""humectl.collector: the collector's first threshold is raised inside the blocks, and exactly the
thresholds the process had come back after the last one, whatever happened inside."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from humectl import collector, manifest
from humectl.collector import FIRST_GENERATION_THRESHOLD, fewer_collections, with_fewer_collections


@pytest.fixture(autouse=True)
def _thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_raised_inside_and_restored_after_even_on_error() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (FIRST_GENERATION_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(ZeroDivisionError), fewer_collections():
        1 / 0  # noqa: B018
    assert gc.get_threshold() == (700, 10, 10)
    assert collector._open == 0


def test_nested_and_overlapping_blocks_restore_once_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with fewer_collections():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with fewer_collections():
        thread.start()
        assert inside.wait(10)
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == FIRST_GENERATION_THRESHOLD
    assert gc.get_threshold()[0] == FIRST_GENERATION_THRESHOLD  # the thread's block is still open
    release.set()
    thread.join(10)
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("threshold", [0, FIRST_GENERATION_THRESHOLD * 2])
def test_a_collector_switched_off_or_set_higher_is_left_alone(threshold: int) -> None:
    gc.set_threshold(threshold, 10, 10)
    with fewer_collections():
        assert gc.get_threshold() == (threshold, 10, 10)
    assert gc.get_threshold() == (threshold, 10, 10)


def test_a_threshold_someone_else_set_meanwhile_is_kept() -> None:
    with fewer_collections():
        gc.set_threshold(1234, 10, 10)
    assert gc.get_threshold() == (1234, 10, 10)


def test_an_async_function_runs_inside_every_await() -> None:
    seen: list[int] = []

    @with_fewer_collections
    async def work(x: int) -> int:
        seen.append(gc.get_threshold()[0])
        await asyncio.sleep(0)
        seen.append(gc.get_threshold()[0])
        return x * 2

    assert asyncio.run(work(21)) == 42
    assert seen == [FIRST_GENERATION_THRESHOLD, FIRST_GENERATION_THRESHOLD]
    assert gc.get_threshold() == (700, 10, 10)


def test_loading_manifests_runs_inside_and_restores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.yaml").write_text("prompts:\n  - name: p\n    text: hello\n", encoding="utf-8")
    seen: list[int] = []
    real = manifest._load_manifests

    def spy(root: str | Path, options: manifest.LoadOptions | None) -> manifest.ManifestSet:
        seen.append(gc.get_threshold()[0])
        return real(root, options)

    monkeypatch.setattr(manifest, "_load_manifests", spy)
    assert [r.name for r in manifest.load_manifests(tmp_path).resources] == ["p"]
    assert seen == [FIRST_GENERATION_THRESHOLD]
    assert gc.get_threshold() == (700, 10, 10)
