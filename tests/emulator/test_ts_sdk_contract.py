"""Hume's official TypeScript SDK (npm ``hume``, pinned) as a second client: ``hume_ts_sdk_contract.cjs``
drives every prompts/tools/configs/voices method, and the chats/chat groups reads, against the emulator
served on 127.0.0.1, every answer checked against Hume's OpenAPI as the Python SDK's are.

The package comes from ``HUMECTL_HUME_TS_SDK`` (a directory holding ``node_modules/hume``; ``.ci/run``
installs it), else from a per-user cache this test fills with ``npm install`` once. Without node/npm,
or offline with an empty cache, the test is skipped saying so, unless ``HUMECTL_REQUIRE_HUME_TS_SDK=1``
(``.ci/run`` sets it), which makes it fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.emulator.conftest import API_KEY

SDK_VERSION = "0.15.16"  # HumeAI/hume-typescript-sdk c1ad703 (2026-04-09), generated with hume==0.14.1's definition
SCRIPT = Path(__file__).with_name("hume_ts_sdk_contract.cjs")
REQUIRED = {"prompts": 9, "tools": 9, "configs": 9, "voices": 3}  # 30 methods, as in the Python SDK
EXTRA = {"chats": 3, "chatGroups": 4}


def _installed(folder: Path) -> bool:
    package = folder / "node_modules" / "hume" / "package.json"
    return package.is_file() and json.loads(package.read_text(encoding="utf-8")).get("version") == SDK_VERSION


def sdk_folder() -> tuple[Path | None, str]:
    """Where ``node_modules/hume`` (the pinned version) is, or None and why not."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node/npm not found: the TypeScript SDK contract needs them"
    given = os.environ.get("HUMECTL_HUME_TS_SDK")
    if given:
        folder = Path(given)
        if _installed(folder):
            return folder, ""
        return None, f"HUMECTL_HUME_TS_SDK={given} holds no hume@{SDK_VERSION}"
    caches = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache = caches / "humectl-tests" / f"hume-ts-{SDK_VERSION}"
    if not _installed(cache):
        cache.mkdir(parents=True, exist_ok=True)
        npm = [
            "npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--loglevel=error",
            f"hume@{SDK_VERSION}",
        ]  # fmt: skip
        try:
            done = subprocess.run(npm, capture_output=True, text=True, timeout=180, check=False)
        except subprocess.TimeoutExpired:
            return None, f"npm install hume@{SDK_VERSION} timed out (offline?)"
        if done.returncode != 0 or not _installed(cache):
            return None, f"npm install hume@{SDK_VERSION} failed (offline?): {done.stderr.strip()[-300:]}"
    return cache, ""


def test_the_typescript_sdk_passes_every_method(served_emulator: str) -> None:
    folder, why = sdk_folder()
    if folder is None:
        if os.environ.get("HUMECTL_REQUIRE_HUME_TS_SDK") == "1":
            pytest.fail(why)
        pytest.skip(why)
    node = shutil.which("node")
    assert node is not None
    run = subprocess.run(
        [node, str(SCRIPT), str(folder), served_emulator, API_KEY],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert run.stdout.strip(), run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert "fatal" not in report, report.get("fatal")
    assert report["sdkVersion"] == SDK_VERSION
    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, "\n\n".join(f"{c['name']}:\n{c['error']}" for c in failed)

    counts = {label: len(methods) for label, methods in report["available"].items()}
    assert counts == {**REQUIRED, **EXTRA}, counts
    expected = {f"{label}.{m}" for label, methods in report["available"].items() for m in methods}
    exercised = set(report["exercised"])
    required = {m for m in expected if m.split(".")[0] in REQUIRED}
    extras = expected - required
    print(
        f"\nTypeScript SDK hume@{SDK_VERSION}: {len(exercised & required)}/{len(required)} "
        f"prompts/tools/configs/voices methods passed; chats/chat groups {len(exercised & extras)}/{len(extras)}; "
        f"{len(report['checks'])} checks"
    )
    assert exercised == expected, f"not exercised: {sorted(expected - exercised)}"
