"""Hume's official TypeScript SDK (npm ``hume``) as a second client: ``hume_ts_sdk_contract.cjs`` drives
every prompts/tools/configs/voices method, and the chats/chat groups reads, against the emulator served on
127.0.0.1, every answer checked against Hume's OpenAPI as the Python SDK's are. It runs once per pinned
version in ``SDK_VERSIONS``: the one generated from the Python SDK's definition, and the newest release.

Each version comes from ``HUMECTL_HUME_TS_SDK``: a directory holding ``<version>/node_modules/hume``
for each (``.ci/run`` installs them so), or ``node_modules/hume`` of one version itself; else from a
per-user cache this test fills with ``npm install`` once. Without node/npm, or offline with an empty
cache, the test is skipped saying so, unless ``HUMECTL_REQUIRE_HUME_TS_SDK=1`` (``.ci/run`` sets it),
which makes it fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.emulator.conftest import API_KEY

SDK_VERSIONS = (
    "0.15.16",  # HumeAI/hume-typescript-sdk c1ad703 (2026-04-09), generated with hume==0.14.1's definition
    "0.16.0",  # the newest release on npm (`npm view hume versions`)
)
SCRIPT = Path(__file__).with_name("hume_ts_sdk_contract.cjs")
REQUIRED = {"prompts": 9, "tools": 9, "configs": 9, "voices": 3}  # 30 methods, as in the Python SDK
EXTRA = {"chats": 3, "chatGroups": 4}


def _installed(folder: Path, version: str) -> bool:
    package = folder / "node_modules" / "hume" / "package.json"
    return package.is_file() and json.loads(package.read_text(encoding="utf-8")).get("version") == version


def sdk_folder(version: str) -> tuple[Path | None, str]:
    """Where ``node_modules/hume`` of ``version`` is, or None and why not."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node/npm not found: the TypeScript SDK contract needs them"
    given = os.environ.get("HUMECTL_HUME_TS_SDK")
    if given:
        for folder in (Path(given) / version, Path(given)):
            if _installed(folder, version):
                return folder, ""
        return None, f"HUMECTL_HUME_TS_SDK={given} holds no hume@{version} (in {version}/ or itself)"
    caches = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache = caches / "humectl-tests" / f"hume-ts-{version}"
    if not _installed(cache, version):
        cache.mkdir(parents=True, exist_ok=True)
        npm = [
            "npm",
            "install",
            "--prefix",
            str(cache),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"hume@{version}",
        ]
        try:
            done = subprocess.run(npm, capture_output=True, text=True, timeout=180, check=False)
        except subprocess.TimeoutExpired:
            return None, f"npm install hume@{version} timed out (offline?)"
        if done.returncode != 0 or not _installed(cache, version):
            return None, f"npm install hume@{version} failed (offline?): {done.stderr.strip()[-300:]}"
    return cache, ""


@pytest.mark.parametrize("version", SDK_VERSIONS)
def test_the_typescript_sdk_passes_every_method(served_emulator: str, version: str) -> None:
    folder, why = sdk_folder(version)
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
    assert report["sdkVersion"] == version
    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, "\n\n".join(f"{c['name']}:\n{c['error']}" for c in failed)

    counts = {label: len(methods) for label, methods in report["available"].items()}
    assert counts == {**REQUIRED, **EXTRA}, counts
    expected = {f"{label}.{m}" for label, methods in report["available"].items() for m in methods}
    exercised = set(report["exercised"])
    required = {m for m in expected if m.split(".")[0] in REQUIRED}
    extras = expected - required
    print(
        f"\nTypeScript SDK hume@{version}: {len(exercised & required)}/{len(required)} "
        f"prompts/tools/configs/voices methods passed; chats/chat groups {len(exercised & extras)}/{len(extras)}; "
        f"{len(report['checks'])} checks"
    )
    assert exercised == expected, f"not exercised: {sorted(expected - exercised)}"
