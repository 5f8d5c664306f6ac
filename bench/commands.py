"""Whole commands, as a user runs them: ``humectl plan DIR`` and ``humectl validate DIR`` as processes.

Each run is the venv's real console script (``humectl``) started as a subprocess: interpreter start-up,
imports, reading and validating the manifests, the listing, the plan and the rendering are all inside
its wall time. Its peak RSS comes from ``wait4`` (that child alone). One more run with
``HUMECTL_PROFILE_STAGES=1`` gives the stage timeline (:mod:`humectl.core.stages`); start-up is the time
from spawning the process to the CLI's entry point.

A *build* is the humectl that runs: the working tree's, or with ``--baseline-ref REF`` a checkout of
an earlier commit (``git archive``) put first on ``PYTHONPATH`` of the same console script, so both
run with the same interpreter and the same dependency versions in the same run, side by side.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API_KEY = "bench-key"
REPO_ROOT = Path(__file__).resolve().parents[1]
_PLAN_LINE = re.compile(
    r"^Plan: (?P<create>\d+) to create, (?P<version>\d+) to version, .*?(?P<unchanged>\d+) unchanged"
)
STAGE_PREFIX = "humectl-stages: "


@dataclass(frozen=True)
class Build:
    """Which humectl runs: ``label`` in the table, the console script, extra environment."""

    label: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)


def console_script() -> tuple[str, ...]:
    script = Path(sys.executable).with_name("humectl")
    return (str(script),) if script.exists() else (sys.executable, "-m", "humectl")


def current_build() -> Build:
    return Build("now", console_script())


def baseline_build(ref: str, workdir: Path) -> Build:
    """``ref`` of this repository unpacked under ``workdir``, importable ahead of the installed humectl."""
    commit = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    src = workdir / f"humectl-{commit}"
    src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", commit, "humectl", "schemas"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    build = Build(f"{ref} ({commit})", console_script(), {"PYTHONPATH": str(src)})
    where = subprocess.run(
        [sys.executable, "-c", "import humectl; print(humectl.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **build.env},
        cwd=workdir,  # not the checkout: `python -c` imports from its working directory first
    ).stdout.strip()
    if not where.startswith(str(src)):
        raise RuntimeError(f"the baseline checkout is not the humectl imported ({where})")
    return build


@dataclass
class Run:
    wall_s: float
    returncode: int
    peak_rss_mb: float
    stdout: str
    stderr: str
    spawned_at: float


def installed_bytecode(cache: Path) -> None:
    """Every process this benchmark starts finds its modules compiled, as ``pip install`` leaves them.

    With ``PYTHONDONTWRITEBYTECODE`` set (these machines set it), an editable install compiles
    humectl's own modules again in every process: about 100 ms of each command, which no installed
    humectl pays. The bytecode goes to ``cache`` (the benchmark's temporary directory), not into the
    checkout; :func:`measure` runs each command once, untimed, before the measured runs."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(cache)


def run_once(build: Build, args: list[str], *, url: str, cwd: Path, extra_env: dict[str, str] | None = None) -> Run:
    """One process of ``humectl ARGS``; its wall time from spawn to exit and its own peak RSS."""
    env = {
        **os.environ,
        "HUME_API_KEY": API_KEY,
        "HUME_BASE_URL": url,
        "NO_COLOR": "1",
        **build.env,
        **(extra_env or {}),
    }
    env.pop("GITHUB_ACTIONS", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as fresh:
        # A cold run: no load cache from an earlier run (humectl.load.cache); warm runs pass their own.
        if "HUMECTL_CACHE_DIR" not in (extra_env or {}):
            env["HUMECTL_CACHE_DIR"] = fresh
        spawned_at = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen([*build.argv, *args], stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall_s=wall,
            returncode=proc.returncode,
            peak_rss_mb=usage.ru_maxrss / 1024,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            spawned_at=spawned_at,
        )


def plan_counts(stdout: str) -> dict[str, int]:
    """The numbers of the plan's summary line (``Plan: 0 to create, ...``)."""
    for line in reversed(stdout.splitlines()):
        match = _PLAN_LINE.match(line.strip())
        if match:
            return {k: int(v) for k, v in match.groupdict().items()}
    raise RuntimeError(f"no plan summary line in the output:\n{stdout[-2000:]}")


def check(run: Run, what: str, expect_changes: bool | None) -> dict[str, int]:
    if run.returncode != 0:
        raise RuntimeError(f"{what} exited {run.returncode}:\n{run.stderr[-3000:]}")
    if expect_changes is None:
        return {}
    counts = plan_counts(run.stdout)
    changed = counts["create"] + counts["version"] > 0
    if changed != expect_changes:
        raise RuntimeError(f"{what}: planned {counts}, expected {'changes' if expect_changes else 'none'}: bench bug")
    return counts


def measure(
    builds: list[Build],
    args: list[str],
    reps: int,
    *,
    url: str,
    cwd: Path,
    expect_changes: bool | None,
    cache: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """``reps`` runs of each build, interleaved (so a noisy moment hurts both alike); medians.

    Cold by default (every run starts with an empty load cache, as a first run does); with ``cache``
    every run uses that directory, which the untimed warm-up run fills: the runs that follow are warm."""
    runs: dict[str, list[Run]] = {b.label: [] for b in builds}
    counts: dict[str, dict[str, int]] = {}
    extra = {"HUMECTL_CACHE_DIR": str(cache)} if cache is not None else None
    for build in builds:  # untimed: compiles what is not compiled yet, warms the file cache (and the load cache)
        check(
            run_once(build, args, url=url, cwd=cwd, extra_env=extra),
            f"{build.label}: humectl {' '.join(args)} (warm-up)",
            None,
        )
    for _ in range(reps):
        for build in builds:
            run = run_once(build, args, url=url, cwd=cwd, extra_env=extra)
            counts[build.label] = check(run, f"{build.label}: humectl {' '.join(args)}", expect_changes)
            runs[build.label].append(run)
    return {
        label: {
            "wall_s": statistics.median(r.wall_s for r in rs),
            "peak_rss_mb": max(r.peak_rss_mb for r in rs),
            "runs": [round(r.wall_s, 4) for r in rs],
            "plan": counts.get(label),
        }
        for label, rs in runs.items()
    }


def stage_timeline(build: Build, args: list[str], *, url: str, cwd: Path) -> dict[str, Any] | None:
    """One run with HUMECTL_PROFILE_STAGES=1: start-up, then each stage's start and wall time (seconds).

    None when the build does not report stages (a baseline from before they existed)."""
    run = run_once(build, args, url=url, cwd=cwd, extra_env={"HUMECTL_PROFILE_STAGES": "1"})
    check(run, f"{build.label}: humectl {' '.join(args)} (stages)", None)
    for line in run.stderr.splitlines():
        if line.startswith(STAGE_PREFIX):
            report = json.loads(line[len(STAGE_PREFIX) :])
            startup = report["main_at"] - run.spawned_at
            return {
                "total_s": run.wall_s,
                "startup_s": startup,
                "exit_s": report["exit"] + startup,
                "stages": {
                    name: {"start_s": s["start"] + startup, "wall_s": s["wall"], "count": s["count"]}
                    for name, s in report["stages"].items()
                },
            }
    return None


STAGE_ORDER = ("imports", "load", "validate", "list", "plan", "render")


def format_timeline(timeline: dict[str, Any]) -> list[str]:
    """``start-up 95 ms | imports +95 ms 120 ms | load +215 ms 400 ms (23x) | ...``"""
    parts = [f"start-up (interpreter + humectl.cli.app) {timeline['startup_s'] * 1000:.0f} ms"]
    stages = timeline["stages"]
    for name in (*STAGE_ORDER, *(n for n in stages if n not in STAGE_ORDER)):
        if name not in stages:
            continue
        s = stages[name]
        count = f", {s['count']} spans" if s["count"] > 1 else ""
        parts.append(f"{name} {s['wall_s'] * 1000:.0f} ms (from +{s['start_s'] * 1000:.0f} ms{count})")
    parts.append(f"exit at +{timeline['exit_s'] * 1000:.0f} ms; process {timeline['total_s'] * 1000:.0f} ms")
    return parts
