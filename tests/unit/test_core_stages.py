"""HUMECTL_PROFILE_STAGES: the stage timeline on stderr when set, nothing at all when not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from humectl.core import stages

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "minimal"


def _validate(env_value: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != stages.ENV}
    if env_value is not None:
        env[stages.ENV] = env_value
    return subprocess.run(
        [sys.executable, "-m", "humectl", "validate", str(EXAMPLE), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_stages_are_reported_on_stderr_when_asked() -> None:
    proc = _validate("1")
    assert proc.returncode == 0, proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("humectl-stages: ")]
    report = json.loads(line.removeprefix("humectl-stages: "))
    found = report["stages"]
    assert {"imports", "load", "validate", "render"} <= set(found)
    assert found["imports"]["start"] < found["load"]["start"] < found["render"]["start"] <= report["exit"]
    # each stage's time lies within the run (figures are rounded to 10 µs), in seconds as the rest
    assert all(0 <= s["wall"] <= report["exit"] - s["start"] + 1e-5 and s["count"] >= 1 for s in found.values())
    assert "valid" in proc.stdout  # the command's own output is unchanged


def test_nothing_is_reported_by_default() -> None:
    proc = _validate(None)
    assert proc.returncode == 0
    assert "humectl-stages" not in proc.stderr and proc.stderr == ""
    empty = _validate("")
    assert "humectl-stages" not in empty.stderr
