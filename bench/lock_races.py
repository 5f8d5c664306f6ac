"""Racing and interrupted applies, measured: the figures docs/locking.md quotes.

Against the emulator on loopback with 40 ms of latency per request (the setup of issue #10), with real
``humectl`` processes started at once:

1. 5 racing ``humectl apply DIR --auto-approve`` of one prompt edit (a new version of the prompt and of
   the two configs that follow it are meant: 3): ``--no-lock`` (humectl before the lock), the lock
   (default), and the lock with ``--lock-timeout 60s``;
2. 3 racing ``humectl apply plan.json`` of one saved plan, the same three ways;
3. 5 racing applies creating everything on a server that allows duplicate names (``--no-lock`` and
   ``--lock-timeout 60s``): resources per name;
4. the requests the lock adds to one apply (emulator counters, lock vs ``--no-lock``);
5. SIGINT and SIGTERM mid-apply, answers held back: the report against the emulator's store.

For each race: versions (or resources) made against meant, exit codes, and what each run printed
(its verdict and the first line of stderr). Prints the table, then one JSON line.

    python bench/lock_races.py            # ~1-2 minutes
    python bench/lock_races.py --reps 5   # each race five times
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # the racing helpers live beside the tests that use them

from tests.integration.racing import (  # noqa: E402
    Run,
    edit,
    finish,
    humectl,
    race,
    report_part,
    served,
    start,
    wait_for,
    write_project,
)

LATENCY_MS = 40
MEANT = Counter({"prompt/agent": 1, "config/desk": 1, "config/desk-night": 1})
ALL = ("prompt/agent", "prompt/other", "tool/lookup", "config/desk", "config/desk-night", "config/side")


def verdict(run: Run) -> str:
    if run.applied:
        return "applied"
    if run.no_changes:
        return "no changes"
    if run.refused_by_lock:
        return "refused: lock held"
    if run.code == 1 and "the saved plan is stale" in run.err:
        return "refused: stale"
    return f"exit {run.code}"


def first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def describe_runs(runs: list[Run]) -> dict[str, Any]:
    return {
        "exit_codes": [r.code for r in runs],
        "verdicts": dict(Counter(verdict(r) for r in runs)),
        "printed": sorted({first_line(r.err)[:160] for r in runs if not r.applied and first_line(r.err)}),
    }


def race_edits(work: Path, mode: list[str], reps: int) -> list[dict[str, Any]]:
    out = []
    for rep in range(reps):
        project = write_project(work / f"edit-{'-'.join(mode) or 'lock'}-{rep}")
        with served(LATENCY_MS) as server:
            assert humectl(server.url, "apply", str(project), "--auto-approve").applied
            edit(project, "Always confirm the order id.")
            before = server.versions()
            runs = race(server.url, 5, "apply", str(project), "--auto-approve", *mode)
            made = server.versions() - before
            out.append(
                {
                    "made": sum(made.values()),
                    "meant": sum(MEANT.values()),
                    **describe_runs(runs),
                    "locks_left": len(server.locks()),
                }
            )
    return out


def race_saved_plan(work: Path, mode: list[str], reps: int) -> list[dict[str, Any]]:
    out = []
    for rep in range(reps):
        project = write_project(work / f"saved-{'-'.join(mode) or 'lock'}-{rep}")
        saved = project.parent / f"plan-{rep}.json"
        with served(LATENCY_MS) as server:
            assert humectl(server.url, "apply", str(project), "--auto-approve").applied
            edit(project, "Always confirm the order id.")
            assert humectl(server.url, "plan", str(project), "--out", str(saved)).code == 0
            before = server.versions()
            runs = race(server.url, 3, "apply", str(saved), "--auto-approve", *mode)
            made = server.versions() - before
            out.append(
                {
                    "made": sum(made.values()),
                    "meant": sum(MEANT.values()),
                    **describe_runs(runs),
                    "locks_left": len(server.locks()),
                }
            )
    return out


def race_duplicates(work: Path, mode: list[str], reps: int) -> list[dict[str, Any]]:
    out = []
    for rep in range(reps):
        project = write_project(work / f"dup-{'-'.join(mode) or 'lock'}-{rep}")
        with served(LATENCY_MS, allow_duplicate_names=True) as server:
            runs = race(server.url, 5, "apply", str(project), "--auto-approve", *mode)
            resources = server.resources()
            out.append(
                {
                    "resources": sum(resources.values()),
                    "names": len(ALL),
                    "duplicated": sorted(a for a, n in resources.items() if n > 1),
                    **describe_runs(runs),
                    "locks_left": len(server.locks()),
                }
            )
    return out


def lock_requests(work: Path) -> dict[str, Any]:
    """Emulator requests of one apply, with the lock and with --no-lock, by route."""
    figures: dict[str, Any] = {}
    for case in ("no changes", "one edit"):
        for mode in ([], ["--no-lock"]):
            project = write_project(work / f"requests-{case.replace(' ', '-')}-{len(mode)}")
            with served(0) as server:
                assert humectl(server.url, "apply", str(project), "--auto-approve").applied
                if case == "one edit":
                    edit(project, "Always confirm the order id.")
                # The emulator counts a request after it has answered it: let the setup's last one land.
                time.sleep(0.5)
                server.app.state.stats.reset()
                assert humectl(server.url, "apply", str(project), "--auto-approve", *mode).code == 0
                stats = server.app.state.stats.to_dict()
                figures[f"{case}, {'--no-lock' if mode else 'lock'}"] = {
                    "total": stats["total"],
                    "requests": stats["requests"],
                }
    for case in ("no changes", "one edit"):
        figures[f"{case}: added by the lock"] = (
            figures[f"{case}, lock"]["total"] - figures[f"{case}, --no-lock"]["total"]
        )
    return figures


def interrupted(work: Path, signum: int) -> dict[str, Any]:
    project = work / f"interrupt-{signum}"
    project.mkdir()
    (project / "evi.yaml").write_text(
        "prompts:\n  - {name: agent, text: You help.}\n"
        "configs:\n" + "".join(f'  - {{name: c{i}, evi_version: "3", prompt: agent}}\n' for i in range(6))
    )
    with served(LATENCY_MS) as server:
        server.holder.hold, server.holder.answer_first = ("POST", "/v0/evi/configs"), 2
        proc = start(server.url, "apply", str(project), "--auto-approve", "--parallelism", "2")
        wait_for(lambda: sum(1 for a in server.resources() if a.startswith("config/")) == 4, "four configs")
        proc.send_signal(signum)
        run = finish(proc, timeout=60)
        committed = sorted(server.resources())
        done, in_flight = report_part(run.err, "done"), report_part(run.err, "in flight")
        not_started = report_part(run.err, "not started")
        return {
            "exit_code": run.code,
            "heading": first_line(run.err),
            "done": done,
            "in_flight": in_flight,
            "not_started": not_started,
            "committed_in_the_store": committed,
            "done_or_in_flight_equals_committed": sorted(done + in_flight) == committed,
            "locks_left": len(server.locks()),
        }


def table(results: dict[str, Any]) -> str:
    lines = ["| race | mode | made / meant | exit codes | verdicts |", "|---|---|---|---|---|"]
    for section, label, made_key, meant_key in (
        ("edits", "5 applies of one edit", "made", "meant"),
        ("saved_plan", "3 applies of one saved plan", "made", "meant"),
        ("duplicates", "5 creating applies, duplicate names allowed", "resources", "names"),
    ):
        for mode, reps in results[section].items():
            for rep in reps:
                verdicts = ", ".join(f"{n} {v}" for v, n in sorted(rep["verdicts"].items()))
                made = f"{rep[made_key]} / {rep[meant_key]}"
                lines.append(f"| {label} | {mode} | {made} | {rep['exit_codes']} | {verdicts} |")
    lines.append("")
    lines.append("What the runs that did not apply printed (first line of stderr, one of each):")
    seen: set[str] = set()
    for section in ("edits", "saved_plan", "duplicates"):
        for reps in results[section].values():
            for rep in reps:
                for line in rep["printed"]:
                    key = line.split(" since ")[0]
                    if key not in seen:
                        seen.add(key)
                        lines.append(f"  {line}")
    lines.append("")
    req = results["requests"]
    for case in ("no changes", "one edit"):
        lines.append(
            f"requests of one apply ({case}): {req[f'{case}, lock']['total']} with the lock, "
            f"{req[f'{case}, --no-lock']['total']} with --no-lock: the lock adds {req[f'{case}: added by the lock']}"
        )
    for name, it in results["interrupted"].items():
        lines.append(
            f"{name}: exit {it['exit_code']}, '{it['heading']}', done {len(it['done'])}, in flight "
            f"{len(it['in_flight'])}, not started {len(it['not_started'])}; done+in flight == committed in the "
            f"store: {it['done_or_in_flight_equals_committed']}; locks left: {it['locks_left']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=2, help="how often each race runs (default 2)")
    args = parser.parse_args(argv)
    modes = {"--no-lock": ["--no-lock"], "lock": [], "lock, --lock-timeout 60s": ["--lock-timeout", "60s"]}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results: dict[str, Any] = {
            "latency_ms": LATENCY_MS,
            "edits": {m: race_edits(work, flags, args.reps) for m, flags in modes.items()},
            "saved_plan": {m: race_saved_plan(work, flags, args.reps) for m, flags in modes.items()},
            "duplicates": {m: race_duplicates(work, flags, args.reps) for m, flags in modes.items() if m != "lock"},
            "requests": lock_requests(work),
            "interrupted": {"SIGINT": interrupted(work, signal.SIGINT), "SIGTERM": interrupted(work, signal.SIGTERM)},
        }
    print(table(results))
    print(json.dumps({"bench": "lock_races", **results}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
