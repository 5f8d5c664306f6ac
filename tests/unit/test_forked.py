"""The forked half of a job gives exactly the serial answer, and nothing the child does can change it:
a failing, killed or garbled child means this process does its part; an interrupted parent leaves no
child behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from humectl import forked, yamldoc
from humectl.manifest import load_manifests
from tests.unit.test_fast_paths import SAMPLES, _typed
from tests.unit.test_validate_properties import FILES, SUPPORT_DESK

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="forking is used on Linux only")

PARENT = os.getpid()


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_the_child_computes_the_second_half_and_the_answer_is_the_serial_one() -> None:
    items = list(range(40))
    found = forked.map_split(_square, items, weight=lambda _: 1, min_weight=0)
    assert [value for value, _ in found] == [x * x for x in items]
    computed_by = [pid for _, pid in found]
    assert computed_by[:20] == [PARENT] * 20
    assert len(set(computed_by[20:])) == 1 and computed_by[-1] != PARENT  # one child did the rest


def test_small_jobs_and_other_systems_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {pid for _, pid in forked.map_split(_square, list(range(10)), weight=lambda _: 1)} == {PARENT}
    monkeypatch.setattr(forked.sys, "platform", "darwin")
    found = forked.map_split(_square, list(range(10)), weight=lambda _: 1, min_weight=0)
    assert {pid for _, pid in found} == {PARENT}


def _in_child(action: str) -> Any:
    def run(x: int) -> Any:
        if os.getpid() != PARENT:
            if action == "raise":
                raise RuntimeError("the child fails")
            if action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if action == "unmarshallable":
                return object()
            if action == "exit":
                os._exit(0)  # a clean exit that sent nothing
        return x + 1, os.getpid()

    return run


@pytest.mark.parametrize("action", ["raise", "kill", "unmarshallable", "exit"])
def test_whatever_the_child_does_wrong_this_process_does_its_part(action: str) -> None:
    found = forked.map_split(_in_child(action), list(range(8)), weight=lambda _: 1, min_weight=0)
    assert found == [(x + 1, PARENT) for x in range(8)]


def test_an_interrupted_parent_leaves_no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    children: list[int] = []
    real_fork = forked._fork

    def recorded() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(forked, "_fork", recorded)
    ended: dict[int, int] = {}  # pid -> the wait status this process reaped it with
    real_waitpid = os.waitpid

    def waitpid(pid: int, options: int) -> tuple[int, int]:
        done, status = real_waitpid(pid, options)
        if done:
            ended[done] = status
        return done, status

    monkeypatch.setattr(os, "waitpid", waitpid)

    def work(x: int) -> int:
        if os.getpid() != PARENT:
            time.sleep(60)  # the child is busy for a minute
        elif x == 1:
            raise KeyboardInterrupt
        return x

    with pytest.raises(KeyboardInterrupt):
        forked.map_split(work, list(range(4)), weight=lambda _: 1, min_weight=0)
    [pid] = children
    # killed mid-sleep, not waited for (a child left to finish its minute would have exited 0)
    assert os.WIFSIGNALED(ended[pid]) and os.WTERMSIG(ended[pid]) == signal.SIGKILL, ended
    with pytest.raises(ChildProcessError):  # and reaped: no zombie either
        real_waitpid(pid, os.WNOHANG)


def _parsed(text: str, i: int) -> tuple[str, Path, str, str]:
    return text, Path(f"m{i}.yaml"), f"m{i}.yaml", f"m{i}.yaml"


@pytest.mark.parametrize("variables", [None, {"x": "1"}, {"x": "ITO"}])
def test_parse_many_on_two_cores_is_parse_of_each(monkeypatch: pytest.MonkeyPatch, variables: Any) -> None:
    texts = [*SAMPLES, *((SUPPORT_DESK / name).read_text(encoding="utf-8") for name in FILES)]
    items = [_parsed(text, i) for i, text in enumerate(texts)]
    monkeypatch.setattr(forked, "MIN_WEIGHT", 0)
    many = yamldoc.parse_many(items, variables=variables)
    for (text, path, rel, display), (doc, problems) in zip(items, many, strict=True):
        alone, alone_problems = yamldoc.parse(text, path=path, rel=rel, display=display, variables=variables)
        assert problems == alone_problems
        assert _typed(doc.data) == _typed(alone.data)
        assert doc._marks == alone._marks and doc.suppressed == alone.suppressed
        assert doc.marks == alone.marks and doc.key_marks == alone.key_marks


def test_a_forked_load_is_the_serial_load(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = load_manifests(SUPPORT_DESK)
    monkeypatch.setattr(forked, "MIN_WEIGHT", 0)
    assert load_manifests(SUPPORT_DESK) == serial


def test_a_pending_call_answers_from_the_child_or_from_here() -> None:
    pending = forked.Pending(lambda: {"pid": os.getpid(), "data": [1, "two", None, 3.5]})
    assert pending.forked
    answer = pending.result()
    assert answer["pid"] != PARENT and answer["data"] == [1, "two", None, 3.5]
    assert forked.Pending(lambda: os.getpid(), fork=False).result() == PARENT

    def unsendable() -> object:
        return object() if os.getpid() != PARENT else "here"

    assert forked.Pending(unsendable).result() == "here"


def test_closing_a_pending_call_another_thread_waits_for_ends_that_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    def slow() -> int:
        if os.getpid() != PARENT:
            time.sleep(60)
        return os.getpid()

    reading = threading.Event()
    real_read_all = forked._read_all

    def read_all(fd: int) -> bytes:
        reading.set()
        return real_read_all(fd)

    monkeypatch.setattr(forked, "_read_all", read_all)
    pending = forked.Pending(slow)
    answers: list[int] = []
    reader = threading.Thread(target=lambda: answers.append(pending.result()))
    reader.start()
    assert reading.wait(timeout=60)  # the reader is on the pipe (a guard against a hang, not a time limit)
    pending.close()
    reader.join()
    # the child was killed, so its part was done here; a child left to finish would have sent its own pid
    assert answers == [PARENT]


def test_plan_with_its_manifests_converted_in_a_child_plans_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from humectl.cli import cli
    from tests.conftest import EXAMPLES_DIR

    db = f"--emulator={tmp_path / 'account.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["apply", str(EXAMPLES_DIR / "support-desk"), db, "--auto-approve"]).exit_code == 0
    edited = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", edited)
    prompt = next(edited.rglob("*.md"))
    prompt.write_text(prompt.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    serial = runner.invoke(cli, ["plan", str(edited), db, "-o", "json"])
    forks: list[int] = []
    real_fork = forked._fork
    monkeypatch.setattr(forked, "_fork", lambda: forks.append(1) or real_fork())
    monkeypatch.setattr(forked, "MIN_WEIGHT", 0)
    child = runner.invoke(cli, ["plan", str(edited), db, "-o", "json"])
    assert forks and serial.exit_code == child.exit_code == 0
    plans = [json.loads(out.output) for out in (serial, child)]
    for plan in plans:  # each run has its own id (in every new version's description too) and time
        plan.update(json.loads(json.dumps(plan).replace(plan["run_id"], "RUN")), created_at=None)
    assert plans[0] == plans[1] and plans[1]["summary"]["version"] >= 1


def test_a_lock_another_thread_holds_at_the_fork_is_free_in_the_child() -> None:
    import threading

    from humectl import collector, stages

    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with stages._lock, collector._lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        # In the child, both locks must be free at once (timeout: a copy of a held lock never frees).
        answer = forked.Pending(
            lambda: [stages._lock.acquire(timeout=2), collector._lock.acquire(timeout=2), os.getpid() != PARENT]
        ).result()
    finally:
        release.set()
        holder.join()
    assert answer == [True, True, True]
