"""The lock and concurrency tests, run many times in a row: does any of them flake?

Each run is one ``pytest`` process over the chosen set, in another order each time (pytest-randomly,
seed = the run's number, so a failing run replays with ``--randomly-seed=<i>``). The loop stops at
the first failure and prints its output. One line per run, then the tally:

    run 17/500: passed (seed 17, 6.1 s): 68 passed in 4.52s
    500/500 runs passed, seeds 1..500

Sets (``--set``):

- ``lock`` (the default): the account lock in process and the clock, ~6 s per run;
- ``unit``: ``lock`` and the other in-process races (rate control, faults, loading while listing, the
  CLI's confirm thread and signals), ~15 s per run;
- ``processes``: real ``humectl`` processes racing over a socket (the kill matrix, SIGINT/SIGTERM,
  waiting for a held lock), half a minute or more per run;
- ``all``: both.

    python bench/loop_concurrency.py                       # 500 runs of the lock set (~50 min)
    python bench/loop_concurrency.py --set processes -n 100
    python bench/loop_concurrency.py --first-seed 301 -n 200   # seeds 301..500
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOCK = [
    "tests/engine/test_io_lock.py",  # contenders on one emulator, keeper renewal and loss
    "tests/engine/test_io_lock_scopes.py",  # scopes racing; a dead lock's bound on an injected clock
    "tests/unit/test_core_clock.py",
]
UNIT = [
    *LOCK,
    "tests/engine/test_io_ratecontrol.py",  # the adaptive limiter under concurrent requests
    "tests/engine/test_faults.py",  # parallel applies through injected faults
    "tests/engine/test_ops_plan_load_while_listing.py",  # loading manifests while the account is read
    "tests/unit/test_cli_running.py",  # the confirm thread, signals, the lock around writes
]
PROCESSES = [
    "tests/integration/test_lock_races.py",  # racing applies, kill -9 matrix, SIGINT/SIGTERM
    "tests/integration/test_lock_scopes.py",  # an environment apply and an account rollback wait for each other
    "tests/integration/test_cli_commands_unlock_lock.py",  # the lock through the CLI, force-unlock
    "tests/emulator/test_emulator_disconnects.py",  # clients that go away mid-request
]
SETS = {"lock": LOCK, "unit": UNIT, "processes": PROCESSES, "all": UNIT + PROCESSES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("-n", "--runs", type=int, default=500, help="runs in a row (default 500)")
    parser.add_argument("--set", choices=sorted(SETS), default="lock", help="which tests (default: lock)")
    parser.add_argument("--first-seed", type=int, default=1, help="seed of the first run (default 1)")
    args = parser.parse_args()
    # Started in the background (``nohup ... &``), this process ignores SIGINT and its pytest children
    # would too (an ignored signal stays ignored across exec): humectl would then never see the Ctrl-C
    # the interrupt tests send it. Handled signals, unlike ignored ones, are reset to default by exec.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    files = SETS[args.set]
    last = args.first_seed + args.runs - 1
    print(f"{args.runs} runs of {len(files)} files ({args.set}): {' '.join(files)}", flush=True)
    began = time.monotonic()
    for i, seed in enumerate(range(args.first_seed, last + 1), start=1):
        command = [sys.executable, "-m", "pytest", "-q", "-p", "randomly", "-p", "no:cacheprovider"]
        command += [f"--randomly-seed={seed}", *files]
        start = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        took = time.monotonic() - start
        lines = done.stdout.strip().splitlines()
        summary = lines[-1] if lines else "(no output)"
        if done.returncode != 0:
            print(done.stdout + done.stderr, flush=True)
            print(f"run {i}/{args.runs}: FAILED (seed {seed}, {took:.1f} s): {summary}", flush=True)
            print(f"{i - 1}/{args.runs} runs passed, then run {i} (seed {seed}) failed", flush=True)
            return 1
        print(f"run {i}/{args.runs}: passed (seed {seed}, {took:.1f} s): {summary}", flush=True)
    minutes = (time.monotonic() - began) / 60
    print(f"{args.runs}/{args.runs} runs passed, seeds {args.first_seed}..{last} ({minutes:.1f} min)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
