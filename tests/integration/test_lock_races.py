"""Racing and interrupted applies, as users meet them: humectl processes against a served emulator.

Each test starts real ``humectl`` subprocesses at once against one emulator on loopback (with latency)
and then checks the account itself: how many versions and resources exist, whether a lock is left.
Assertions are on counts and states, never on timings, so a loaded machine only makes them slower.

- 5 racing applies of one edit: exactly one new version per changed resource; the others are refused
  naming the holder, or (with --lock-timeout) wait, plan again and find no changes;
- 3 racing applies of one saved plan: exactly one applies, the others are refused as stale;
- 5 racing creates against a server that allows duplicate names: exactly one resource per name;
- kill -9 while holding the lock: after the (short) lease the next run takes it and converges; and a
  kill -9 at each request of an edit's apply (the server frozen there): the next run makes each version once;
- force-unlock; SIGINT and SIGTERM mid-apply through answers held back: the report lists exactly the
  committed writes as done or in flight, checked against the emulator's store.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from humectl.emulator import store as store_module
from tests.integration.racing import (
    Served,
    all_tried_the_lock,
    all_waiting,
    edit,
    finish,
    held_by_the_test,
    humectl,
    race,
    report_part,
    said,
    served,
    start,
    wait_for,
    write_project,
)

real_now_ms = store_module.now_ms


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "evi")


# -- the races ---------------------------------------------------------------------------------------


def test_five_racing_applies_of_one_edit_make_each_version_once(project: Path) -> None:
    with served() as server:
        assert humectl(server.url, "apply", str(project), "--auto-approve").applied
        meant = Counter({"prompt/agent": 1, "config/desk": 1, "config/desk-night": 1})

        # Round 1: five runs at once, no --lock-timeout: one applies, the rest are refused (naming the
        # holder) or, starting after it finished, find nothing to do.
        edit(project, "Always confirm the order id.")
        before = server.versions()
        runs = race(server.url, 5, "apply", str(project), "--auto-approve")
        assert server.versions() - before == meant, [r.err for r in runs]
        assert sum(r.applied for r in runs) == 1, [(r.code, r.out[-300:], r.err[-300:]) for r in runs]
        assert all(r.applied or r.refused_by_lock or r.no_changes for r in runs), [r.err for r in runs]
        for refused in (r for r in runs if r.refused_by_lock):
            assert "humectl force-unlock " in refused.err and "--lock-timeout" in refused.err
            assert "`humectl apply` by " in refused.err

        # Round 2: five runs wait with --lock-timeout for a lock the test holds, then race for it when
        # it is released: one applies, the four others plan again after waiting and find no changes.
        edit(project, "Never promise a refund.")
        before = server.versions()
        with held_by_the_test(server.url):
            procs = [
                start(server.url, "apply", str(project), "--auto-approve", "--lock-timeout", "90s") for _ in range(5)
            ]
            wait_for(all_waiting(procs), "every racer to find the lock held and wait")
        runs = [finish(p) for p in procs]
        assert server.versions() - before == meant, [r.err for r in runs]
        assert sum(r.applied for r in runs) == 1 and sum(r.no_changes for r in runs) == 4, [r.err for r in runs]
        assert all("Waiting up to " in r.err for r in runs), [r.err for r in runs]  # each waited, then planned
        assert server.locks() == []


def test_three_racing_applies_of_one_saved_plan_apply_it_once(project: Path, tmp_path: Path) -> None:
    with served() as server:
        assert humectl(server.url, "apply", str(project), "--auto-approve").applied
        edit(project, "Always confirm the order id.")
        saved = tmp_path / "plan.json"
        assert humectl(server.url, "plan", str(project), "--out", str(saved)).code == 0
        before = server.versions()
        with held_by_the_test(server.url):
            procs = [
                start(server.url, "apply", str(saved), "--auto-approve", "--lock-timeout", "90s") for _ in range(3)
            ]
            wait_for(all_tried_the_lock(server, procs), "every racer to find the lock held")
        runs = [finish(p) for p in procs]
        assert server.versions() - before == Counter({"prompt/agent": 1, "config/desk": 1, "config/desk-night": 1})
        assert sorted(r.code for r in runs) == [0, 1, 1], [r.err for r in runs]
        for loser in (r for r in runs if r.code == 1):
            assert "the saved plan is stale: " in loser.err and "prompt/agent moved from version 0 to 1" in loser.err


def test_five_racing_creates_on_a_server_allowing_duplicate_names_make_one_of_each(project: Path) -> None:
    with served(allow_duplicate_names=True) as server:
        runs = race(server.url, 5, "apply", str(project), "--auto-approve", "--lock-timeout", "90s")
        assert [r.code for r in runs] == [0] * 5, [r.err for r in runs]
        assert sum(r.applied for r in runs) == 1 and sum(r.no_changes for r in runs) == 4
        assert server.resources() == Counter(
            {
                a: 1
                for a in (
                    "prompt/agent",
                    "prompt/other",
                    "tool/lookup",
                    "config/desk",
                    "config/desk-night",
                    "config/side",
                )
            }
        )
        assert server.locks() == []  # every candidate deleted itself, the holder released


# -- killed holders ------------------------------------------------------------------------------


def start_and_kill_mid_apply(server: Served, project: Path, env: dict[str, str]) -> str:
    """Start an apply whose config creates are never answered, kill -9 it once one committed; the id of
    the lock it leaves behind."""
    server.holder.hold, server.holder.answer_first, server.holder.seen = ("POST", "/v0/evi/configs"), 0, 0
    proc = start(server.url, "apply", str(project), "--auto-approve", env=env)
    wait_for(
        lambda: server.resources()["config/desk"] + server.resources()["config/desk-night"] >= 1,
        "a config create to commit",
    )
    proc.kill()  # SIGKILL: no handler runs, the lock stays
    finish(proc, timeout=30)
    server.holder.hold = None
    [left] = server.locks()
    return str(left.id)


def test_a_killed_holders_lock_expires_and_the_next_run_converges(project: Path) -> None:
    with served() as server:
        left = start_and_kill_mid_apply(server, project, {"HUMECTL_LOCK_LEASE": "2s"})
        assert [r.id for r in server.locks()] == [left]  # nobody released it
        after = humectl(server.url, "apply", str(project), "--auto-approve", "--lock-timeout", "60s")
        assert after.code == 0 and (after.applied or after.no_changes), after.err
        assert server.resources() == Counter(
            {
                a: 1
                for a in (
                    "prompt/agent",
                    "prompt/other",
                    "tool/lookup",
                    "config/desk",
                    "config/desk-night",
                    "config/side",
                )
            }
        )
        assert humectl(server.url, "plan", str(project), "--detailed-exitcode").code == 0
        assert server.locks() == []  # the dead lock was broken, the new one released


def frozen_or_ended(server: Served, proc: subprocess.Popen[str]) -> bool:
    """Wait until the run reached the request the server froze at (True) or ended before it (False)."""
    while not server.holder.frozen.wait(0.02):
        if proc.poll() is not None:
            return server.holder.frozen.is_set()
    return True


def test_a_kill_at_any_moment_of_an_edit_converges_to_one_version_each(project: Path) -> None:
    """kill -9 of an apply of one prompt edit (a new version of the prompt and of the two configs that
    follow it) at each of its requests, the 1st to the last: before the lock, holding it, between the prompt's
    version and its configs', mid-write, at its release. The kill point is counted in requests, not
    time: the server serves the n-th request (its write commits) but never answers it, and serves
    nothing after it, so the run is frozen there until the kill. Each time the next run (breaking the
    dead lock) converges: exactly one new version of each of the three, one resource per name, no lock
    left, and a plan with no changes.

    The dead lease is over by the time the next run looks: the server's clock runs two minutes behind
    while the killed run holds its (60 s) lock and is set right after the kill, as if the lease had
    passed. (Waiting a real lease out is test_a_killed_holders_lock_expires_and_the_next_run_converges.)"""
    meant = Counter({"prompt/agent": 1, "config/desk": 1, "config/desk-night": 1})
    with served(latency_ms=0) as server:  # how many requests the whole run makes, undisturbed
        assert humectl(server.url, "apply", str(project), "--auto-approve").applied
        edit(project, "Counted.")
        seen = server.holder.requests
        assert humectl(server.url, "apply", str(project), "--auto-approve").applied
        whole = server.holder.requests - seen
    assert whole >= 8  # the lock's create and read, the account's reads, three writes, the release
    killed_at = []
    for n in range(1, whole + 1):
        with served(latency_ms=0) as server:
            assert humectl(server.url, "apply", str(project), "--auto-approve").applied
            edit(project, f"Kill point {n}.")
            before = server.versions()
            server.holder.freeze_after(n)
            with pytest.MonkeyPatch.context() as behind:
                behind.setattr(store_module, "now_ms", lambda: real_now_ms() - 120_000)
                proc = start(server.url, "apply", str(project), "--auto-approve")
                if frozen_or_ended(server, proc):
                    assert proc.poll() is None, (n, said(proc))  # frozen at request n: still running
                    killed_at.append(n)
                proc.kill()  # SIGKILL: no handler runs
                finish(proc, timeout=30)
            server.holder.thaw()
            after = humectl(server.url, "apply", str(project), "--auto-approve")
            assert after.code == 0 and (after.applied or after.no_changes), (n, after.err)
            assert server.versions() - before == meant, (n, server.versions() - before)
            assert all(count == 1 for count in server.resources().values()), (n, server.resources())
            assert server.locks() == [], n
            assert humectl(server.url, "plan", str(project), "--detailed-exitcode").code == 0, n
    # Every kill point froze the run there, mid-run (its 60 s lease is never renewed: no extra request).
    assert killed_at == list(range(1, whole + 1)), (killed_at, whole)


def test_force_unlock_breaks_a_dead_runs_lock(project: Path) -> None:
    with served() as server:
        left = start_and_kill_mid_apply(server, project, {})  # the default 60 s lease
        refused = humectl(server.url, "apply", str(project), "--auto-approve")
        assert refused.refused_by_lock and f"humectl force-unlock {left}" in refused.err
        unconfirmed = humectl(server.url, "force-unlock", left)
        assert unconfirmed.code == 1 and "without confirmation" in unconfirmed.err
        assert [r.id for r in server.locks()] == [left]
        broken = humectl(server.url, "force-unlock", left, "--force")
        assert broken.code == 0 and f"Lock {left} removed" in broken.out, broken.err
        after = humectl(server.url, "apply", str(project), "--auto-approve")
        assert after.code == 0 and (after.applied or after.no_changes), after.err
        assert server.locks() == [] and all(n == 1 for n in server.resources().values())
        again = humectl(server.url, "force-unlock", left, "--force")
        assert again.code == 1 and f"there is no lock with ID {left}" in again.err


# -- interrupted -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["SIGINT", "SIGTERM", "SIGTERM-in-a-background-job"],  # the last: started with SIGINT ignored
)
def test_an_interrupted_apply_reports_exactly_what_committed(project: Path, signum: int, sigint_ignored: bool) -> None:
    (project / "evi.yaml").write_text(
        "prompts:\n  - {name: agent, text: You help.}\n"
        "configs:\n" + "".join(f'  - {{name: c{i}, evi_version: "3", prompt: agent}}\n' for i in range(6))
    )
    with served() as server:
        server.holder.hold, server.holder.answer_first = ("POST", "/v0/evi/configs"), 2
        proc = start(
            server.url, "apply", str(project), "--auto-approve", "--parallelism", "2", sigint_ignored=sigint_ignored
        )
        # two config creates answered, two more committed with their answers held back
        wait_for(lambda: sum(1 for a in server.resources() if a.startswith("config/")) == 4, "four configs")
        proc.send_signal(signum)
        run = finish(proc, timeout=60)
        committed = set(server.resources())
        assert run.code == 1, run.err
        assert "Apply interrupted. Exactly this happened:" in run.err and "first failure" not in run.err
        done, in_flight = report_part(run.err, "done"), report_part(run.err, "in flight")
        not_started = report_part(run.err, "not started")
        assert "may or may not have taken effect" in run.err
        assert set(done) | set(in_flight) == committed  # exactly the committed writes, none "not started"
        assert "prompt/agent" in done and len(in_flight) == 2 and len(not_started) == 2
        assert not committed & set(not_started)
        assert server.locks() == []  # released on the way out
        server.holder.hold = None
        rerun = humectl(server.url, "apply", str(project), "--auto-approve")
        assert rerun.applied and "Plan: 2 to create" in rerun.out, rerun.out
        assert len(server.resources()) == 7 and all(n == 1 for n in server.resources().values())
