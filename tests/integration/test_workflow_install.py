"""The reusable workflows install exactly the humectl that was reviewed: their own commit, or what the caller pins.

Every "Install humectl" step (plan, apply, and the preview's two jobs) is the same step, and its real
script runs here with stand-ins for ``python -m pip`` and ``humectl``: what it would install for each
input, and that it refuses whatever is not pinned (a range, a branch, a bare name from an index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_workflows import APPLY, PLAN, PREVIEW, jobs, steps

WORKFLOW_SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER_SHA = "fedcba9876543210fedcba9876543210fedcba98"
OWN = f"humectl @ git+https://github.example/OWNER/humectl@{WORKFLOW_SHA}"


def install_steps() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in (PLAN, APPLY, PREVIEW):
        for job_id, job in jobs(path).items():
            found += [(f"{path.name} {job_id}", s) for s in steps(job) if s.get("name") == "Install humectl"]
    return found


def test_every_workflow_installs_humectl_with_the_same_step() -> None:
    found = install_steps()
    assert [where for where, _ in found] == [
        "humectl-plan.yml plan",
        "humectl-apply.yml apply",
        "humectl-preview.yml apply",
        "humectl-preview.yml destroy",
    ]
    first = found[0][1]
    assert all(step == first for _, step in found), "the install steps differ"
    assert first["env"] == {
        "INSTALL_SPEC": "${{ inputs.install-spec }}",
        "HUMECTL_VERSION": "${{ inputs.humectl-version }}",
        # the called workflow's own commit: github.* would be the caller's
        "WORKFLOW_REPOSITORY": "${{ fromJSON(toJSON(job)).workflow_repository }}",
        "WORKFLOW_SHA": "${{ fromJSON(toJSON(job)).workflow_sha }}",
    }


def install(tmp_path: Path, **env: str) -> tuple[int, str, list[str]]:
    """Run the step's script; its exit code, its output, and what ``pip install`` was asked for."""
    bash = shutil.which("bash")
    if not bash:
        pytest.skip("no bash")
    script = install_steps()[0][1]["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "pip.log"
    log.write_text("", encoding="utf-8")
    (bin_dir / "python").write_text(f'#!/bin/sh\nprintf "%s\\n" "$6" >> "{log}"\n', encoding="utf-8")
    (bin_dir / "humectl").write_text("#!/bin/sh\necho humectl, version 0.0.0\n", encoding="utf-8")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    base = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
        "GITHUB_SERVER_URL": "https://github.example",
        "INSTALL_SPEC": "",
        "HUMECTL_VERSION": "",
        "WORKFLOW_REPOSITORY": "OWNER/humectl",
        "WORKFLOW_SHA": WORKFLOW_SHA,
    }
    result = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr, log.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        ({}, OWN),  # the default: this workflow's own commit
        ({"HUMECTL_VERSION": "0.3.1"}, "humectl==0.3.1"),
        ({"HUMECTL_VERSION": "1.0.0rc1"}, "humectl==1.0.0rc1"),
        ({"HUMECTL_VERSION": "2"}, "humectl==2"),
        ({"HUMECTL_VERSION": OTHER_SHA}, f"humectl @ git+https://github.example/OWNER/humectl@{OTHER_SHA}"),
        ({"INSTALL_SPEC": "humectl==0.3.1"}, "humectl==0.3.1"),
        ({"INSTALL_SPEC": "humectl @ file:./vendor/humectl.whl"}, "humectl @ file:./vendor/humectl.whl"),
        ({"INSTALL_SPEC": "./vendor/humectl-0.3.1-py3-none-any.whl"}, "./vendor/humectl-0.3.1-py3-none-any.whl"),
        (
            {"INSTALL_SPEC": "git+https://example.com/me/humectl@" + OTHER_SHA},
            "git+https://example.com/me/humectl@" + OTHER_SHA,
        ),
        ({"INSTALL_SPEC": "humectl==0.3.1", "HUMECTL_VERSION": "0.2.0"}, "humectl==0.3.1"),  # the spec wins
    ],
)
def test_what_is_installed(tmp_path: Path, env: dict[str, str], installed: str) -> None:
    code, output, pip = install(tmp_path, **env)
    assert code == 0, output
    assert pip == [installed]


@pytest.mark.parametrize(
    "env",
    [
        {"HUMECTL_VERSION": ">=0.3"},
        {"HUMECTL_VERSION": "~=0.3.1"},
        {"HUMECTL_VERSION": "0.3.*"},
        {"HUMECTL_VERSION": "latest"},
        {"HUMECTL_VERSION": "main"},
        {"HUMECTL_VERSION": "v0"},
        {"HUMECTL_VERSION": "v0.3.1"},
        {"HUMECTL_VERSION": "0a1b2c3"},  # a short SHA: ambiguous, and a branch could be named so
        {"HUMECTL_VERSION": "0.3.1 "},
        {"HUMECTL_VERSION": "0.3.1; true"},
        {"INSTALL_SPEC": "humectl"},
        {"INSTALL_SPEC": "humectl>=0.3"},
        {"INSTALL_SPEC": "humectl==0.*"},
        {"INSTALL_SPEC": "humectl-evil"},
    ],
    ids=lambda env: repr(next(iter(env.values()))),
)
def test_anything_unpinned_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    code, output, pip = install(tmp_path, **env)
    assert code == 1 and pip == [], output
    assert output.startswith("::error title=humectl::") and "must" in output


@pytest.mark.parametrize("missing", ["WORKFLOW_SHA", "WORKFLOW_REPOSITORY"])
def test_a_runner_that_does_not_name_the_workflow_commit_needs_a_pinned_version(tmp_path: Path, missing: str) -> None:
    code, output, pip = install(tmp_path, **{missing: ""})
    assert code == 1 and pip == [], output
    assert "job.workflow_sha" in output and "set humectl-version to an exact version" in output
    code, output, pip = install(tmp_path, **{missing: "", "HUMECTL_VERSION": "0.3.1"})
    assert code == 0 and pip == ["humectl==0.3.1"], output
