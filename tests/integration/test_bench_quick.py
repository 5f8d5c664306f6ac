"""``python bench/plan_scale.py --quick`` still runs end to end and prints its table and JSON line.

Only that it runs and reports every figure (in process, apply, and the whole commands as processes with
their stage timings): no timing is asserted here (the machine running the tests
is not the one to judge speed on; the full benchmark and docs/performance.md do that). The one hard
check is correctness the benchmark relies on: the matching manifests plan no change, every request
of the plan is one list page, and no 429 reaches the user during the throttled apply.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "bench" / "plan_scale.py"


def test_quick_benchmark_prints_a_table_and_a_json_line() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["bench"] == "plan_scale" and result["quick"] is True
    assert "latency bound" in proc.stdout and "apply" in proc.stdout
    assert result["plan_nochange"]["changes"] == 0
    assert result["plan_edited"]["changes"] > 0
    # The minimum counts the empty page after an exactly full one (100 prompts), the edited plan's
    # minimum one read per edited head, apply's the creates, the freshness lists and the lock's three.
    assert result["minimum_requests"] == 2 + 1 + 2
    assert result["plan_nochange"]["requests"] == result["minimum_requests"]
    assert result["plan_edited"]["requests"] == result["edited_minimum_requests"] == 5 + 10
    assert result["apply"]["surfaced"] == 0
    assert result["apply"]["requests"] - result["apply"]["throttled_absorbed"] == result["apply"]["minimum_requests"]
    for key in ("requests_over_minimum", "wall_over_latency_bound", "apply_wall_over_rate_bound"):
        assert isinstance(result["ratios"][key], float)
    assert set(result["ratios"]["baseline_over_humectl"]) == set(result["scale"])
    for figure in ("humectl_version_s", "python_startup_s", "plan_startup_s"):
        assert result[figure] > 0
    # The whole commands: processes of the console script against the same account, the SDK walk beside.
    assert "whole commands" in proc.stdout
    (account,) = result["commands"].values()
    now = account["builds"]["now"]
    for figure in ("validate_s", "plan_s", "plan_edited_s", "plan_peak_rss_mb"):
        assert now[figure] > 0
    assert account["sdk_walk_100_s"] > 0
    # HUMECTL_PROFILE_STAGES: every stage of a plan reported, in the order they start.
    plan_stages = account["stages"]["now"]["plan"]["stages"]
    assert {"imports", "load", "validate", "list", "plan", "render"} <= set(plan_stages)
    assert plan_stages["imports"]["start_s"] < plan_stages["load"]["start_s"] < plan_stages["render"]["start_s"]
    assert {"load", "validate", "render"} <= set(account["stages"]["now"]["validate"]["stages"])
    assert [t["target"] for t in result["targets"]] == ["humectl --version"]
