"""humectl at account scale: plan and apply against the physical bounds and against the naive SDK walk.

``python bench/plan_scale.py`` starts the emulator on loopback (``run_in_thread``, a fixed per-request
latency, default 30 ms), seeds an account straight into the emulator's SQLite store (no HTTP, no
latency), and measures in one run, several repetitions each, medians:

* ``humectl plan`` (live listing + diff + plan, against manifests built in memory) with no changes and
  with 10 % of prompts edited: wall time, CPU time, peak RSS, HTTP requests (emulator counters);
* the minimum requests (one list page per 100 resources, and one more for a kind whose last page is
  exactly full: pages are read on while they come back full) and the latency bound
  ``(1 + ceil((minimum - kinds) / parallelism)) * latency``; the edited plan also reads the full
  content of each edited prompt's head (one GET each), so its minimum and bound count those reads;
* the naive baseline: the official ``hume`` SDK walking each list with its own pager, sequentially
  (SDK default page size 10, and page_size=100), at 100, 1,000 and 5,000 configs;
* ``humectl apply`` of 500 creates with the emulator's rate limit at 50 requests/s: wall time against
  the rate bound ``(requests - burst) / rate`` (requests: the creates, apply's freshness check of one
  list page per kind, and the account lock's three: create, list, delete), 429s absorbed and surfaced;
* ``humectl --version`` and ``python -c pass`` wall times (subprocesses).

Every measured humectl / SDK run happens in a fresh worker subprocess (``--worker JOB``) so that the
emulator (in this process) never competes with it for the GIL, and so that the peak RSS
(``ru_maxrss``) belongs to that one run. Wall and CPU times are taken inside the worker around the
measured work only (interpreter start-up, imports and building the manifests are excluded; start-up
is measured separately).

It prints a table and, last, one JSON line. ``--quick`` runs a tiny version (CI: "it still runs").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# bench/ is sys.path[0] when this runs as a script (the workers too): its modules import as top-level ones.
import commands
from account import (
    KINDS,
    PAGE,
    VERSIONS,
    Sizes,
    build_manifests,
    creates_manifests,
    scaled,
    seed_account,
    write_manifests,
)

API_KEY = commands.API_KEY
LOCK_REQUESTS = 3  # apply takes the account lock: create its prompt, list who holds it, delete it at the end


# ---- worker jobs (run in a fresh subprocess each) ------------------------------------------------


def _rss_now_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def job_plan(job: dict[str, Any]) -> dict[str, Any]:
    """One ``humectl plan``: list the live account while planning each page as it arrives
    (``ops.plan.plan_live``, what a Session's plan does after loading manifests). Manifests come from memory so
    YAML parsing is not part of the figure. "diff+plan CPU" is measured apart, on the fetched state."""
    from humectl.core.settings import Settings
    from humectl.decide.planner import build_plan
    from humectl.ops.plan import plan_live
    from humectl.ops.session import Session

    sizes = Sizes(**job["sizes"])
    desired = build_manifests(sizes, job["edited"])
    settings = Settings(base_url=job["url"], api_key=API_KEY, parallelism=job["parallelism"])
    # Modules httpx imports lazily (the transport, then the asyncio backend on the first request):
    # importing is start-up, measured separately ("python + imports of the plan path").
    import anyio._backends._asyncio  # noqa: F401
    import httpcore  # noqa: F401

    rss_before = _rss_now_kb()

    made: list[Any] = []

    async def run() -> int:
        async with Session(settings) as session:
            made.append(await plan_live(session.client, desired, run_id="bench"))
        # Small result on purpose: Python 3.11's asyncio.run() formats the repr of its result on exit.
        return session.requests_sent

    wall0, cpu0 = time.perf_counter(), time.process_time()
    sent = asyncio.run(run())
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    plan, live = made[0]
    # The planning work alone (normalise, compare, diff) on the same state, for the CPU figure.
    cpu1, wall1 = time.process_time(), time.perf_counter()
    build_plan(desired, live, run_id="bench")
    plan_cpu, plan_wall = time.process_time() - cpu1, time.perf_counter() - wall1
    summary = plan.summary()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "build_plan_cpu_s": plan_cpu,
        "build_plan_wall_s": plan_wall,
        "requests_sent": sent,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before / 1024,
        "changes": len(plan.changes),
        "unchanged": summary["unchanged"],
        "summary": summary,
    }


def job_sdk(job: dict[str, Any]) -> dict[str, Any]:
    """The naive client: the official SDK's pagers, one list after another, as a user's script would."""
    from hume import HumeClient

    client = HumeClient(api_key=API_KEY, base_url=job["url"])
    evi = client.empathic_voice
    page_size = job["page_size"]  # None: the SDK's (the API's) default of 10
    kwargs: dict[str, Any] = {"restrict_to_most_recent": True}
    if page_size is not None:
        kwargs["page_size"] = page_size
    wall0, cpu0 = time.perf_counter(), time.process_time()
    counts = {
        "prompts": sum(1 for _ in evi.prompts.list_prompts(**kwargs)),
        "tools": sum(1 for _ in evi.tools.list_tools(**kwargs)),
        "configs": sum(1 for _ in evi.configs.list_configs(**kwargs)),
    }
    return {"wall_s": time.perf_counter() - wall0, "cpu_s": time.process_time() - cpu0, "items": counts}


def job_apply(job: dict[str, Any]) -> dict[str, Any]:
    """``humectl apply`` of N creates (a plan made first, then applied with the freshness check)."""
    from humectl.core.errors import HumectlError
    from humectl.core.settings import Settings
    from humectl.decide.planner import build_plan
    from humectl.io.listing import fetch_live_state
    from humectl.ops.apply import ApplyOptions
    from humectl.ops.session import Session

    settings = Settings(base_url=job["url"], api_key=API_KEY, parallelism=job["parallelism"])
    desired = creates_manifests(job["creates"])

    async def make() -> Any:
        async with Session(settings) as session:
            return build_plan(desired, await fetch_live_state(session.client), run_id="bench")

    plan = asyncio.run(make())
    time.sleep(job["refill_s"])  # let the emulator's bucket refill: the apply starts with a full burst
    surfaced: list[str] = []
    done = 0
    wall0 = time.perf_counter()
    try:

        async def apply() -> Any:
            async with Session(settings) as session:
                return await session.apply(plan, ApplyOptions(check_fresh=True, parallelism=settings.parallelism))

        report, _ = asyncio.run(apply())
        done = len(report.done)
    except HumectlError as exc:  # ApplyError carries the report; anything else is a surfaced failure
        surfaced.append(str(exc))
        failed_report = getattr(exc, "report", None)
        if failed_report is not None:
            done = len(failed_report.done)
            surfaced.extend(msg for _, msg in failed_report.failed)
    wall = time.perf_counter() - wall0
    return {"wall_s": wall, "done": done, "planned": len(plan.changes), "surfaced": surfaced}


JOBS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"plan": job_plan, "sdk": job_sdk, "apply": job_apply}


def run_worker(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job in a fresh interpreter; returns its JSON answer."""
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(job)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {job['job']} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


# ---- the emulator --------------------------------------------------------------------------------


class Admin:
    """The emulator's /_emulator/ endpoints."""

    def __init__(self, url: str) -> None:
        import httpx

        # The emulator is started with API_KEY: its admin endpoints want it too.
        self.http = httpx.Client(base_url=url, timeout=30, headers={"X-Hume-Api-Key": API_KEY})
        self.url = url

    def warm_up(self, sizes: Sizes, latency_ms: float, page_sizes: tuple[int, ...] = (10, PAGE)) -> None:
        """Read every list page once at latency 0 so the emulator's page cache is warm: the emulator
        then answers in its latency plus well under a millisecond, and never bottlenecks the run."""
        self.faults(latency_ms=0)
        try:
            for path, n in (("prompts", sizes.prompts), ("tools", sizes.tools), ("configs", sizes.configs)):
                for size in page_sizes:
                    for number in range(math.ceil(n / size) + 1):  # + the empty page the SDK asks for
                        params: dict[str, str | int] = {
                            "page_size": size,
                            "page_number": number,
                            "restrict_to_most_recent": "true",
                        }
                        headers = {"X-Hume-Api-Key": API_KEY}
                        self.http.get(f"/v0/evi/{path}", params=params, headers=headers).raise_for_status()
        finally:
            self.faults(latency_ms=latency_ms)

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.get("/_emulator/stats").raise_for_status().json()
        return answer

    def faults(self, **settings: Any) -> None:
        self.http.put("/_emulator/faults", json=settings).raise_for_status()

    def reset(self) -> None:
        self.http.post("/_emulator/reset").raise_for_status()

    def counted(self, run: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, int]]:
        """Run ``run`` and return its answer with the requests the emulator saw meanwhile, by status."""
        before = self.stats()["by_status"]
        answer = run()
        after = self.stats()["by_status"]
        delta = {k: int(after.get(k, 0)) - int(before.get(k, 0)) for k in after}
        return answer, {k: v for k, v in delta.items() if v}


@contextmanager
def emulator(db: str, latency_ms: float, rate_limit: float | None = None) -> Iterator[tuple[str, Admin]]:
    from humectl.emulator.app import EmulatorConfig
    from humectl.emulator.serve import run_in_thread

    config = EmulatorConfig(db=db, api_key=API_KEY, latency_ms=latency_ms, rate_limit=rate_limit)
    with run_in_thread(config) as url:
        admin = Admin(url)
        try:
            yield url, admin
        finally:
            admin.http.close()


# ---- measuring -----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure_plan(url: str, admin: Admin, sizes: Sizes, edited: bool, parallelism: int, reps: int) -> dict[str, Any]:
    runs = []
    for _ in range(reps):
        job = {"job": "plan", "url": url, "sizes": sizes.to_dict(), "edited": edited, "parallelism": parallelism}
        answer, statuses = admin.counted(lambda job=job: run_worker(job))  # type: ignore[misc]
        answer["http_requests"] = sum(statuses.values())
        answer["statuses"] = statuses
        runs.append(answer)
    keys = ("wall_s", "cpu_s", "build_plan_cpu_s", "peak_rss_mb", "rss_before_mb", "http_requests")
    out: dict[str, Any] = {k: median([r[k] for r in runs]) for k in keys}
    out["changes"] = runs[-1]["changes"]
    out["unchanged"] = runs[-1]["unchanged"]
    out["statuses"] = runs[-1]["statuses"]
    out["runs"] = [round(r["wall_s"], 4) for r in runs]
    return out


def measure_sdk(url: str, admin: Admin, page_size: int | None, reps: int) -> dict[str, Any]:
    runs = []
    for _ in range(reps):
        job = {"job": "sdk", "url": url, "page_size": page_size}
        answer, statuses = admin.counted(lambda job=job: run_worker(job))  # type: ignore[misc]
        answer["http_requests"] = sum(statuses.values())
        runs.append(answer)
    return {
        "wall_s": median([r["wall_s"] for r in runs]),
        "cpu_s": median([r["cpu_s"] for r in runs]),
        "http_requests": median([r["http_requests"] for r in runs]),
        "items": runs[-1]["items"],
    }


def measure_apply(admin: Admin, url: str, creates: int, rate: float, parallelism: int, reps: int) -> dict[str, Any]:
    runs = []
    for _ in range(reps):
        admin.reset()  # empty account, full bucket, zeroed counters
        job = {"job": "apply", "url": url, "creates": creates, "parallelism": parallelism, "refill_s": 1.5}
        answer = run_worker(job)
        stats = admin.stats()
        answer["throttled"] = int(stats["by_status"].get("429", 0))
        answer["http_requests"] = int(stats["total"])
        runs.append(answer)
    burst = max(1.0, rate)
    return {
        "wall_s": median([r["wall_s"] for r in runs]),
        "throttled": median([r["throttled"] for r in runs]),
        "http_requests": median([r["http_requests"] for r in runs]),
        "done": min(r["done"] for r in runs),
        "planned": runs[-1]["planned"],
        "surfaced": max(len(r["surfaced"]) for r in runs),
        "surfaced_messages": [m for r in runs for m in r["surfaced"]][:3],
        "minimum_requests": creates + KINDS + LOCK_REQUESTS,
        # creates + the 3 list pages of apply's freshness check + the lock's, beyond the bucket's burst
        "rate_bound_s": max(0.0, creates + KINDS + LOCK_REQUESTS - burst) / rate,
        "runs": [round(r["wall_s"], 3) for r in runs],
    }


def time_command(argv: list[str], reps: int, env: dict[str, str] | None = None) -> float:
    walls = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, **(env or {})})
        walls.append(time.perf_counter() - t0)
    return median(walls)


def humectl_argv() -> list[str]:
    script = Path(sys.executable).with_name("humectl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "humectl"]


# ---- report --------------------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.2f} s"


def print_table(r: dict[str, Any]) -> None:
    main = r["main"]
    sizes = main["sizes"]
    print(
        f"\naccount: {sizes['prompts']} prompts, {sizes['tools']} tools, {sizes['configs']} configs "
        f"({VERSIONS} versions each); latency {r['latency_ms']:g} ms/request; parallelism {r['parallelism']}; "
        f"medians of {r['reps']}\n"
    )
    rows = [("figure", "value", "vs bound / target")]
    bound = main["latency_bound_s"]
    for label, key, minimum, bound in (
        ("plan, no changes", "plan_nochange", main["minimum_requests"], main["latency_bound_s"]),
        ("plan, 10% prompts edited", "plan_edited", main["edited_minimum_requests"], main["edited_latency_bound_s"]),
    ):
        p = main[key]
        rows += [
            (f"{label}: wall (in process)", fmt_s(p["wall_s"]), f"{p['wall_s'] / bound:.2f}x latency bound (<= 1.5)"),
            (f"{label}: CPU (whole plan)", fmt_s(p["cpu_s"]), ""),
            (f"{label}: CPU diff+plan", fmt_s(p["build_plan_cpu_s"]), "< 1 s"),
            (
                f"{label}: peak RSS",
                f"{p['peak_rss_mb']:.0f} MB",
                f"< 200 MB (before plan: {p['rss_before_mb']:.0f} MB)",
            ),
            (
                f"{label}: HTTP requests",
                f"{p['http_requests']:.0f}",
                f"{p['http_requests'] / minimum:.2f}x minimum {minimum} (<= 1.05)",
            ),
            (f"{label}: changes / unchanged", f"{p['changes']} / {p['unchanged']}", ""),
        ]
    rows += [
        ("minimum requests (sum of floor(n/100) + 1)", str(main["minimum_requests"]), "a full last page: one more"),
        ("latency bound", fmt_s(main["latency_bound_s"]), f"{main['rounds']} rounds x {r['latency_ms']:g} ms"),
        (
            "edited: minimum requests / bound",
            f"{main['edited_minimum_requests']} / {fmt_s(main['edited_latency_bound_s'])}",
            f"+ {main['edited_reads']} head reads (one per edited prompt); {main['edited_rounds']} rounds",
        ),
    ]
    for n, s in r["scale"].items():
        for ps in ("default", "100"):
            sdk = s[f"sdk_{ps}"]
            rows.append(
                (
                    f"SDK walk ({n} configs, page_size {ps})",
                    fmt_s(sdk["wall_s"]),
                    f"{sdk['http_requests']:.0f} requests; {sdk['wall_s'] / s['plan']['wall_s']:.1f}x humectl plan",
                )
            )
        rows.append(
            (
                f"humectl plan ({n} configs)",
                fmt_s(s["plan"]["wall_s"]),
                f"{s['plan']['http_requests']:.0f} requests; bound {fmt_s(s['latency_bound_s'])} "
                f"({s['plan']['wall_s'] / s['latency_bound_s']:.2f}x)",
            )
        )
    a = r["apply"]
    rows += [
        (
            f"apply {a['planned']} creates @ {r['rate_limit']:g} req/s",
            fmt_s(a["wall_s"]),
            f"{a['wall_s'] / a['rate_bound_s']:.2f}x rate bound {fmt_s(a['rate_bound_s'])} (<= 1.2)",
        ),
        (
            "apply: HTTP requests",
            f"{a['http_requests']:.0f}",
            f"minimum {a['minimum_requests']}: creates + {KINDS} list pages + {LOCK_REQUESTS} for the lock",
        ),
        ("apply: 429s absorbed / surfaced", f"{a['throttled']:.0f} / {a['surfaced']}", f"{a['done']} done; 0 surfaced"),
        ("humectl --version", fmt_s(r["version_s"]["now"]), "<= 60 ms"),
        ("python -c pass (start-up, reference)", fmt_s(r["python_s"]), ""),
        ("python + imports of the plan path", fmt_s(r["plan_imports_s"]), "start-up excluded from plan wall"),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(width[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in width))
    print()


def print_commands(r: dict[str, Any]) -> None:
    """The whole-command table (every build side by side), then the stage timelines of this build."""
    print(
        f"whole commands: the venv's `humectl` as a process, medians of {r['command_reps']}, "
        f"latency {r['latency_ms']:g} ms/request; SDK walk: hume's list_prompts, list_tools, list_configs "
        f"with page_size={PAGE}, one after the other, in a worker (its import and start-up not counted)\n"
    )
    rows = [
        (
            "account",
            "build",
            "validate",
            "plan",
            "plan 10% edited",
            "SDK walk",
            "plan vs walk",
            "validate vs walk",
            "plan peak RSS",
        )
    ]
    for entry in r["commands"].values():
        sz = entry["sizes"]
        walk = entry["sdk_100"]["wall_s"]
        for i, (build, plan) in enumerate(entry["plan"].items()):
            validate = entry["validate"][build]["wall_s"]
            rows.append(
                (
                    f"{sz['prompts']:,}/{sz['tools']:,}/{sz['configs']:,}" if i == 0 else "",
                    build + (" cold" if build == "now" else ""),
                    fmt_s(validate),
                    fmt_s(plan["wall_s"]),
                    fmt_s(entry["plan_edited"][build]["wall_s"]),
                    fmt_s(walk) if i == 0 else "",
                    f"{walk / plan['wall_s']:.1f}x",
                    f"{walk / validate:.1f}x",
                    f"{plan['peak_rss_mb']:.0f} MB",
                )
            )
        if "plan_warm" in entry:
            validate, plan = entry["validate_warm"]["now"]["wall_s"], entry["plan_warm"]["now"]
            rows.append(
                (
                    "",
                    "now warm",
                    fmt_s(validate),
                    fmt_s(plan["wall_s"]),
                    fmt_s(entry["plan_edited_warm"]["now"]["wall_s"]),
                    "",
                    f"{walk / plan['wall_s']:.1f}x",
                    f"{walk / validate:.1f}x",
                    f"{plan['peak_rss_mb']:.0f} MB",
                )
            )
    width = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(width[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in width))
    print()
    for entry in r["commands"].values():
        sz = entry["sizes"]
        for build, timelines in entry["stages"].items():
            for command, timeline in timelines.items():
                if timeline is None:
                    continue
                total = sz["prompts"] + sz["tools"] + sz["configs"]
                title = f"stages, {command.replace('_', ' ')}, {total:,} resources, {build}"
                print(f"{title}:\n  " + "\n  ".join(commands.format_timeline(timeline)))
    print()


def commands_summary(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n, entry in r["commands"].items():
        walk = entry["sdk_100"]["wall_s"]
        out[n] = {
            "sizes": entry["sizes"],
            "files": entry["files"],
            "sdk_walk_100_s": round(walk, 4),
            "builds": {
                build: {
                    "validate_s": round(entry["validate"][build]["wall_s"], 4),
                    "plan_s": round(plan["wall_s"], 4),
                    "plan_edited_s": round(entry["plan_edited"][build]["wall_s"], 4),
                    "plan_peak_rss_mb": round(plan["peak_rss_mb"], 1),
                    "plan_edited_peak_rss_mb": round(entry["plan_edited"][build]["peak_rss_mb"], 1),
                    "walk_over_plan": round(walk / plan["wall_s"], 2),
                    "walk_over_validate": round(walk / entry["validate"][build]["wall_s"], 2),
                    "plan_runs": plan["runs"],
                    "validate_runs": entry["validate"][build]["runs"],
                }
                for build, plan in entry["plan"].items()
            },
            "warm": {
                "validate_s": round(entry["validate_warm"]["now"]["wall_s"], 4),
                "plan_s": round(entry["plan_warm"]["now"]["wall_s"], 4),
                "plan_edited_s": round(entry["plan_edited_warm"]["now"]["wall_s"], 4),
                "walk_over_plan": round(walk / entry["plan_warm"]["now"]["wall_s"], 2),
                "walk_over_validate": round(walk / entry["validate_warm"]["now"]["wall_s"], 2),
            }
            if "plan_warm" in entry
            else None,
            "stages": entry["stages"],
        }
    return out


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets that this run measured: figure, limit, met."""
    found: list[dict[str, Any]] = []

    def add(what: str, value: float, limit: float, *, at_least: bool, unit: str = "x") -> None:
        met = value >= limit if at_least else value <= limit
        found.append({"target": what, "value": round(value, 3), "limit": limit, "unit": unit, "met": met})

    for entry in r["commands"].values():
        total = sum(entry["sizes"].values())
        now = entry["plan"]["now"]
        walk = entry["sdk_100"]["wall_s"]
        validate = entry["validate"]["now"]["wall_s"]
        warm = entry.get("plan_warm", {}).get("now")
        # Issue 24: cold (no load cache) and warm (the cache filled by an earlier run of the same files).
        if total == 2300:
            add("2,300 resources, cold: plan vs SDK walk", walk / now["wall_s"], 3.5, at_least=True)
            add("2,300 resources, cold: validate vs SDK walk", walk / validate, 8, at_least=True)
            if warm is not None:
                add("2,300 resources, warm: plan vs SDK walk", walk / warm["wall_s"], 5, at_least=True)
        if total == 23000:
            add("23,000 resources, cold: plan vs SDK walk", walk / now["wall_s"], 5, at_least=True)
            if warm is not None:
                add("23,000 resources, warm: plan vs SDK walk", walk / warm["wall_s"], 8, at_least=True)
            add("23,000 resources: plan peak RSS", now["peak_rss_mb"], 300, at_least=False, unit="MB")
    for entry in r["scale"].values():
        total = sum(entry["sizes"].values())
        ratio = entry["plan"]["wall_s"] / entry["latency_bound_s"]
        if total == 2300:
            add("in process, 2,300 resources: plan vs latency bound", ratio, 1.3, at_least=False)
        if total == 11500:
            add("in process, 11,500 resources: plan vs latency bound", ratio, 1.5, at_least=False)
    if "version_s" in r:
        add("humectl --version", r["version_s"]["now"] * 1000, 60, at_least=False, unit="ms")
    return found


def print_targets(found: list[dict[str, Any]]) -> None:
    if not found:
        return
    print("targets:")
    width = max(len(t["target"]) for t in found)
    for t in found:
        sign = ">=" if "vs SDK" in t["target"] else "<="
        value = f"{t['value']:.2f}{t['unit']}" if t["unit"] == "x" else f"{t['value']:g} {t['unit']}"
        print(f"  {t['target'].ljust(width)}  {value:>10}  ({sign} {t['limit']:g})  {'met' if t['met'] else 'MISSED'}")
    print()


def summary_json(r: dict[str, Any]) -> dict[str, Any]:
    main = r["main"]
    bound = main["latency_bound_s"]
    nochange, edited = main["plan_nochange"], main["plan_edited"]
    a = r["apply"]

    def rnd(x: float, n: int = 4) -> float:
        return round(x, n)

    return {
        "bench": "plan_scale",
        "quick": r["quick"],
        "latency_ms": r["latency_ms"],
        "parallelism": r["parallelism"],
        "reps": r["reps"],
        "sizes": main["sizes"],
        "minimum_requests": main["minimum_requests"],
        "latency_bound_s": rnd(bound),
        "edited_minimum_requests": main["edited_minimum_requests"],
        "edited_latency_bound_s": rnd(main["edited_latency_bound_s"]),
        "plan_nochange": {k: rnd(nochange[k]) for k in ("wall_s", "cpu_s", "build_plan_cpu_s", "peak_rss_mb")}
        | {"requests": nochange["http_requests"], "changes": nochange["changes"]},
        "plan_edited": {k: rnd(edited[k]) for k in ("wall_s", "cpu_s", "build_plan_cpu_s", "peak_rss_mb")}
        | {"requests": edited["http_requests"], "changes": edited["changes"]},
        "ratios": {
            "requests_over_minimum": rnd(nochange["http_requests"] / main["minimum_requests"], 3),
            "wall_over_latency_bound": rnd(nochange["wall_s"] / bound, 3),
            "edited_requests_over_minimum": rnd(edited["http_requests"] / main["edited_minimum_requests"], 3),
            "edited_wall_over_latency_bound": rnd(edited["wall_s"] / main["edited_latency_bound_s"], 3),
            "baseline_over_humectl": {
                n: {
                    "sdk_default_page": rnd(s["sdk_default"]["wall_s"] / s["plan"]["wall_s"], 2),
                    "sdk_page_100": rnd(s["sdk_100"]["wall_s"] / s["plan"]["wall_s"], 2),
                }
                for n, s in r["scale"].items()
            },
            "apply_wall_over_rate_bound": rnd(a["wall_s"] / a["rate_bound_s"], 3) if a["rate_bound_s"] else None,
        },
        "scale": {
            n: {
                "humectl_plan_s": rnd(s["plan"]["wall_s"]),
                "latency_bound_s": rnd(s["latency_bound_s"]),
                "sdk_default_page_s": rnd(s["sdk_default"]["wall_s"]),
                "sdk_page_100_s": rnd(s["sdk_100"]["wall_s"]),
            }
            for n, s in r["scale"].items()
        },
        "apply": {
            "creates": a["planned"],
            "rate_limit": r["rate_limit"],
            "wall_s": rnd(a["wall_s"], 3),
            "rate_bound_s": rnd(a["rate_bound_s"], 3),
            "requests": a["http_requests"],
            "minimum_requests": a["minimum_requests"],
            "throttled_absorbed": a["throttled"],
            "surfaced": a["surfaced"],
        },
        "humectl_version_s": rnd(r["version_s"]["now"]),
        "python_startup_s": rnd(r["python_s"]),
        "plan_startup_s": rnd(r["plan_imports_s"]),
    }


# ---- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="tiny sizes, one repetition: checks that it runs")
    p.add_argument("--latency-ms", type=float, default=30.0, help="emulator latency per request (default 30)")
    p.add_argument("--parallelism", type=int, default=8, help="humectl --parallelism (default 8)")
    p.add_argument("--reps", type=int, default=5, help="repetitions of each plan measurement (default 5)")
    p.add_argument("--scale-reps", type=int, default=3, help="repetitions at the other account sizes (default 3)")
    p.add_argument("--prompts", type=int, default=1000)
    p.add_argument("--tools", type=int, default=300)
    p.add_argument("--configs", type=int, default=1000)
    p.add_argument("--scale", default="100,5000", help="other config counts for the SDK comparison")
    p.add_argument("--creates", type=int, default=500, help="creates in the apply measurement (default 500)")
    p.add_argument("--rate-limit", type=float, default=50.0, help="emulator rate limit for apply (requests/s)")
    p.add_argument("--apply-reps", type=int, default=3)
    p.add_argument(
        "--command-sizes",
        default="1000,10000",
        help="config counts of the accounts for the whole commands (prompts = configs, tools = 0.3 x configs; "
        "the main account's sizes when equal to --configs); default 1000,10000",
    )
    p.add_argument("--command-reps", type=int, default=5, help="runs of each whole command per build (default 5)")
    p.add_argument(
        "--baseline-ref",
        default=None,
        metavar="REF",
        help="also run the whole commands with humectl as of git REF (same venv, side by side)",
    )
    p.add_argument(
        "--sections", default="inprocess,commands,apply", help="what to measure (default: inprocess,commands,apply)"
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        # 100 prompts: a kind whose last page is exactly full (it costs one more, empty, page)
        args.prompts, args.tools, args.configs = 100, 30, 120
        args.scale, args.reps, args.scale_reps, args.apply_reps = "", 1, 1, 1
        args.creates, args.rate_limit = 30, 20.0
        args.command_sizes, args.command_reps = "120", 1
    args.command_sizes = sorted({int(x) for x in args.command_sizes.split(",") if x})
    return args


def measure_in_process(
    args: argparse.Namespace,
    result: dict[str, Any],
    tmp: Path,
    main_sizes: Sizes,
    scale_sizes: dict[int, Sizes],
    log: Callable[[str], None],
) -> None:
    """The plan in a worker process with the manifests in memory, against its latency bound; the SDK walks."""
    latency_s = args.latency_ms / 1000
    accounts = {args.configs: main_sizes, **{n: s for n, s in scale_sizes.items() if n != args.configs}}
    for n, sizes in sorted(accounts.items()):
        is_main = n == args.configs
        reps = args.reps if is_main else args.scale_reps
        with emulator(str(tmp / f"account-{n}.sqlite3"), args.latency_ms) as (url, admin):
            admin.warm_up(sizes, args.latency_ms)
            log(f"{n} configs: humectl plan x{reps}")
            plan = measure_plan(url, admin, sizes, False, args.parallelism, reps)
            if plan["changes"]:
                raise RuntimeError(f"the matching manifests planned {plan['changes']} changes: bench bug")
            entry: dict[str, Any] = {
                "sizes": sizes.to_dict(),
                "plan": plan,
                "minimum_requests": sizes.minimum_requests(),
                "latency_bound_s": sizes.latency_bound(args.parallelism, latency_s),
            }
            if is_main:
                log(f"{n} configs: humectl plan, 10% prompts edited x{reps}")
                edited = measure_plan(url, admin, sizes, True, args.parallelism, reps)
                result["main"] = {
                    "sizes": sizes.to_dict(),
                    "plan_nochange": plan,
                    "plan_edited": edited,
                    "minimum_requests": sizes.minimum_requests(),
                    "rounds": sizes.rounds(args.parallelism),
                    "latency_bound_s": entry["latency_bound_s"],
                    "edited_reads": sizes.edited_heads(),
                    "edited_minimum_requests": sizes.minimum_requests() + sizes.edited_heads(),
                    "edited_rounds": sizes.rounds(args.parallelism, sizes.edited_heads()),
                    "edited_latency_bound_s": sizes.latency_bound(args.parallelism, latency_s, sizes.edited_heads()),
                }
            for ps, key in ((None, "sdk_default"), (PAGE, "sdk_100")):
                log(f"{n} configs: SDK walk, page_size {ps or 'default'} x{reps}")
                entry[key] = measure_sdk(url, admin, ps, reps)
            result["scale"][str(n)] = entry


def measure_commands(
    args: argparse.Namespace,
    url: str,
    admin: Admin,
    sizes: Sizes,
    builds: list[commands.Build],
    tmp: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """``humectl validate DIR`` and ``humectl plan DIR`` (matching, and 10 % of prompts edited) as
    processes, each build side by side, then the SDK walk at page_size 100 in the same run."""
    reps = args.command_reps
    label = f"{sizes.prompts}/{sizes.tools}/{sizes.configs}"
    matching, edited = f"manifests-{sizes.configs}", f"manifests-{sizes.configs}-edited"
    files = write_manifests(tmp / matching, sizes)
    write_manifests(tmp / edited, sizes, edited=True)
    out: dict[str, Any] = {
        "sizes": sizes.to_dict(),
        "files": files,
        "latency_bound_s": sizes.latency_bound(args.parallelism, args.latency_ms / 1000),
    }
    common = {"url": url, "cwd": tmp}
    log(f"{label}: humectl validate x{reps} per build")
    out["validate"] = commands.measure(builds, ["validate", matching], reps, expect_changes=None, **common)
    log(f"{label}: humectl plan x{reps} per build")
    out["plan"] = commands.measure(builds, ["plan", matching], reps, expect_changes=False, **common)
    log(f"{label}: humectl plan, 10% prompts edited x{reps} per build")
    out["plan_edited"] = commands.measure(builds, ["plan", edited], reps, expect_changes=True, **common)
    now = [b for b in builds if b.label == "now"]
    warm = tmp / f"load-cache-{sizes.configs}"
    log(f"{label}: warm (load cache filled): validate, plan, plan 10% edited x{reps}")
    out["validate_warm"] = commands.measure(
        now, ["validate", matching], reps, expect_changes=None, cache=warm, **common
    )
    out["plan_warm"] = commands.measure(now, ["plan", matching], reps, expect_changes=False, cache=warm, **common)
    out["plan_edited_warm"] = commands.measure(now, ["plan", edited], reps, expect_changes=True, cache=warm, **common)
    log(f"{label}: SDK walk, page_size {PAGE} x{reps}")
    out["sdk_100"] = measure_sdk(url, admin, PAGE, reps)
    runs = {"validate": ["validate", matching], "plan": ["plan", matching]}
    if not args.quick:
        runs["plan_edited"] = ["plan", edited]
    out["stages"] = {
        build.label: {name: commands.stage_timeline(build, argv, **common) for name, argv in runs.items()}
        for build in builds
    }
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(JOBS[job["job"]](job)))
        return 0
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if not args.quick else (lambda msg: None)
    main_sizes = Sizes(args.prompts, args.tools, args.configs)
    scale_sizes = {n: scaled(n) for n in sorted({int(x) for x in args.scale.split(",") if x})}
    result: dict[str, Any] = {
        "quick": args.quick,
        "latency_ms": args.latency_ms,
        "parallelism": args.parallelism,
        "reps": args.reps,
        "rate_limit": args.rate_limit,
        "scale": {},
        "commands": {},
        "command_reps": args.command_reps,
    }
    tmp = Path(tempfile.mkdtemp(prefix="humectl-bench-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    commands.installed_bytecode(tmp / "pycache")
    sections = set(args.sections.split(","))
    command_sizes = {n: main_sizes if n == args.configs else scaled(n) for n in args.command_sizes}
    try:
        builds = [commands.current_build()]
        if args.baseline_ref:
            builds.append(commands.baseline_build(args.baseline_ref, tmp / "baseline"))
            log(f"baseline: {builds[1].label} from {builds[1].env['PYTHONPATH']}")
        accounts: dict[int, Sizes] = {}
        if "inprocess" in sections:
            accounts = {args.configs: main_sizes, **{n: s for n, s in scale_sizes.items() if n != args.configs}}
        if "commands" in sections:
            accounts.update(command_sizes)
        for n, sizes in sorted(accounts.items()):
            t0 = time.perf_counter()
            seed_account(str(tmp / f"account-{n}.sqlite3"), sizes)
            log(f"seeded {sizes.total} resources x {VERSIONS} versions in {time.perf_counter() - t0:.1f} s")
        if "inprocess" in sections:
            measure_in_process(args, result, tmp, main_sizes, scale_sizes, log)
        if "commands" in sections:
            for n, sizes in sorted(command_sizes.items()):
                with emulator(str(tmp / f"account-{n}.sqlite3"), args.latency_ms) as (url, admin):
                    admin.warm_up(sizes, args.latency_ms, page_sizes=(PAGE,))
                    result["commands"][str(n)] = measure_commands(args, url, admin, sizes, builds, tmp, log)
        if "apply" in sections:
            with emulator(":memory:", args.latency_ms, args.rate_limit) as (url, admin):
                log(f"apply {args.creates} creates at {args.rate_limit:g} req/s x{args.apply_reps}")
                result["apply"] = measure_apply(
                    admin, url, args.creates, args.rate_limit, args.parallelism, args.apply_reps
                )
        vreps = 3 if args.quick else 9
        result["version_s"] = {b.label: time_command([*b.argv, "--version"], vreps, b.env) for b in builds}
        result["python_s"] = time_command([sys.executable, "-c", "pass"], vreps)
        imports = "import humectl.cli.app, humectl.ops.session, httpcore, anyio._backends._asyncio"
        result["plan_imports_s"] = time_command([sys.executable, "-c", imports], vreps)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary: dict[str, Any] = {"bench": "plan_scale", "quick": args.quick}
    if {"inprocess", "apply"} <= sections:
        print_table(result)
        summary = summary_json(result)
    if result["commands"]:
        print_commands(result)
        summary["commands"] = commands_summary(result)
    summary["targets"] = targets(result)
    print_targets(summary["targets"])
    print(json.dumps(summary, sort_keys=False))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
