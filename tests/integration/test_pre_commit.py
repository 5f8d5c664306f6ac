"""The pre-commit hook humectl ships (``.pre-commit-hooks.yaml``): its definition and its entry.

The entry is run the way pre-commit runs it (``pass_filenames: false``: entry + args, from the
repository root) through the installed CLI, against a valid and an invalid manifest directory.
A real ``pre-commit try-repo`` builds the hook's own virtualenv from PyPI, so it runs only with
``HUMECTL_NETWORK_TESTS=1``; everything else here is offline.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"

VALID = {
    "support.yaml": "prompts:\n  - name: support-agent\n    text_file: prompts/support-agent.md\n",
    "prompts/support-agent.md": "You are a friendly support agent.\n",
    "tools.yml": (
        "tools:\n"
        "  - name: lookup_order\n"
        "    description: Look up an order by its id.\n"
        "    parameters:\n"
        "      type: object\n"
        "      properties:\n"
        "        order_id: {type: string}\n"
        "      required: [order_id]\n"
    ),
}
# A prompt without a name, and a field the schema does not know.
INVALID = {
    "support.yaml": "prompts:\n  - text: no name here\n    colour: blue\n",
}


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def the_hook() -> dict[str, Any]:
    (hook,) = [hook for hook in hooks() if hook["id"] == "humectl-validate"]
    return hook


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_hook_definition() -> None:
    hook = the_hook()
    assert hook["entry"] == "humectl validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["name"] and hook["description"]
    assert len({h["id"] for h in hooks()}) == len(hooks())


def test_hooks_file_loads_with_pre_commits_own_schema() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (loaded,) = [hook for hook in clientlib.load_manifest(str(HOOKS_FILE)) if hook["id"] == "humectl-validate"]
    assert loaded["entry"] == "humectl validate"


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("evi/support.yaml", True),
        ("tools.yml", True),
        ("prompts/support-agent.md", True),
        ("README.md", True),
        ("humectl.yaml", True),
        ("app.py", False),
        ("plan.json", False),
        ("notes.yaml.bak", False),
        ("markdown", False),
    ],
)
def test_files_pattern(path: str, runs: bool) -> None:
    # pre-commit applies `files` with re.search to each staged path.
    assert bool(re.search(the_hook()["files"], path)) is runs


def _run_entry(directory: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Entry + args as pre-commit would run it, through the installed console script."""
    program, *rest = shlex.split(the_hook()["entry"])
    executable = shutil.which(program, path=str(Path(sys.executable).parent)) or shutil.which(program)
    argv = [executable, *rest] if executable else [sys.executable, "-m", "humectl", *rest]
    env = {key: value for key, value in os.environ.items() if key not in ("HUME_API_KEY", "HUME_TOKEN")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [*argv, str(directory.relative_to(cwd))],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_entry_passes_on_valid_manifests(tmp_path: Path) -> None:
    write_tree(tmp_path / "evi", VALID)
    result = _run_entry(tmp_path / "evi", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_entry_fails_on_invalid_manifests_and_points_at_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path / "evi", INVALID)
    result = _run_entry(tmp_path / "evi", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "support.yaml" in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("HUMECTL_NETWORK_TESTS") != "1",
    reason="pre-commit try-repo installs the hook's virtualenv from PyPI (set HUMECTL_NETWORK_TESTS=1)",
)
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """The real thing: pre-commit installs humectl from this repo and runs the hook (committed HEAD)."""
    pytest.importorskip("pre_commit")
    git = shutil.which("git")
    if not git:
        pytest.skip("git not installed")
    project = write_tree(tmp_path / "project", VALID)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("HUME_API_KEY", None)
    subprocess.run([git, "init", "-q"], cwd=project, check=True)
    subprocess.run([git, "add", "."], cwd=project, check=True)

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO_ROOT), "humectl-validate", "--all-files"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    good = try_repo()
    assert good.returncode == 0, good.stdout + good.stderr
    write_tree(project, INVALID)
    subprocess.run([git, "add", "."], cwd=project, check=True)
    bad = try_repo()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "support.yaml" in bad.stdout
