"""A preview's life in the faked Actions runner (tests/integration/actions.py), against a served
emulator: the copied example workflow calls the reusable humectl-preview.yml, whose real steps run
the real humectl. Open -> one comment with each preview config's id and version -> push -> the same
comment updated -> close -> nothing of pr-N- left; production untouched; a fork gets a notice."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from tests.conftest import EXAMPLES_DIR
from tests.integration.actions import REPO_ROOT, Runner, evaluate, interpolate

KEY = "sk-preview-test-7f3a9c2e41d8b6"
REPOSITORY = "acme/voice-agents"
HEADER = "humectl-preview evi"


@pytest.fixture()
def served() -> Iterator[str]:
    with run_in_thread(EmulatorConfig(api_key=KEY)) as url:
        yield url


def live(url: str) -> dict[str, dict[str, Any]]:
    """name -> head of every prompt, tool and config in the emulator (lock prompts included)."""
    found: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=url, headers={"X-Hume-Api-Key": KEY}) as http:
        for plural in ("prompts", "tools", "configs"):
            page = http.get(f"/v0/evi/{plural}", params={"page_size": 100}).json()
            for item in page[f"{plural}_page"]:
                found[item["name"]] = item
    return found


def caller(tmp_path: Path, url: str) -> Path:
    """examples/github/humectl-preview.yml as a user copies it, pointed at the emulator."""
    workflow = yaml.safe_load((EXAMPLES_DIR / "github" / "humectl-preview.yml").read_text())
    workflow["jobs"]["preview"]["with"]["base-url"] = url
    path = tmp_path / "humectl-preview.yml"
    path.write_text(yaml.safe_dump(workflow), encoding="utf-8")
    return path


def event(action: str, number: int, sha: str, repo: str = REPOSITORY) -> dict[str, Any]:
    head = {"sha": sha, "repo": {"full_name": repo, "fork": repo != REPOSITORY}}
    return {"action": action, "number": number, "pull_request": {"number": number, "head": head}}


def trees(tmp_path: Path) -> dict[str, Path]:
    """Two commits of the PR: the support desk, then a push that edits a prompt and renames another."""
    first = tmp_path / "tree-1"
    shutil.copytree(EXAMPLES_DIR / "support-desk", first / "evi")
    second = tmp_path / "tree-2"
    shutil.copytree(first, second)
    prompt = second / "evi" / "prompts" / "support-agent.md"
    prompt.write_text(prompt.read_text() + "\nAlways read the order id back before acting.\n")
    for name in ("prompts.yaml", "configs.yaml"):
        manifest = second / "evi" / name
        manifest.write_text(manifest.read_text().replace("support-agent-after-hours", "night-agent"))
    return {"a" * 40: first, "b" * 40: second}


def config_rows(comment: str) -> dict[str, tuple[str, str]]:
    """config name -> (id, version) from the comment's table of configs."""
    table = comment.split("| config | id | version |", 1)[1].split("\n\n", 1)[0]
    return {m[1]: (m[2], m[3]) for m in re.finditer(r"^\| `([^`]+)` \| `([^`]+)` \| (v\d+) \|$", table, re.M)}


def test_a_preview_lives_and_dies_with_its_pull_request(served: str, tmp_path: Path) -> None:
    commits = trees(tmp_path)
    # Production, in the same account, applied from main without a prefix.
    prod = CliRunner().invoke(
        cli,
        ["apply", str(commits["a" * 40] / "evi"), "--base-url", served, "--auto-approve"],
        env={"HUME_API_KEY": KEY},
    )
    assert prod.exit_code == 0, prod.output
    production = {n: h["id"] for n, h in live(served).items()}

    runner = Runner(
        trees=commits.__getitem__,
        secrets={"HUME_API_KEY": KEY},
        repository=REPOSITORY,
        local_actions={"OWNER/humectl": REPO_ROOT},
    )
    workflow = caller(tmp_path, served)
    try:
        # 1. Opened: the preview is applied under pr-12-, one comment lists each config's id and version.
        results = runner.run_workflow(workflow, "pull_request", event("opened", 12, "a" * 40))
        assert results == {"preview": "success"}, runner.log()
        comment = runner.comments[HEADER]
        accounts = live(served)
        rows = config_rows(comment)
        assert rows == {
            "pr-12-support-desk": (accounts["pr-12-support-desk"]["id"], "v0"),
            "pr-12-support-desk-after-hours": (accounts["pr-12-support-desk-after-hours"]["id"], "v0"),
        }
        assert comment.startswith("### :loud_sound: humectl preview `pr-12-` (`evi` at aaaaaaa)")
        # humectl from the commit the caller's @v0 resolved to, never the index's "humectl"
        pinned = f"humectl @ git+https://github.example/OWNER/humectl@{Runner.commit_of('OWNER/humectl', 'v0')}"
        assert runner.pip_installs() == [f"-m pip install --disable-pip-version-check --quiet {pinned}"]

        # 2. A push: the same comment is updated; both configs have a new version (one follows the edited
        # prompt, the other the renamed one). The old prompt stays until the PR closes (its config's v0 pins it).
        results = runner.run_workflow(workflow, "pull_request", event("synchronize", 12, "b" * 40))
        assert results == {"preview": "success"}, runner.log()
        assert list(runner.comments) == [HEADER] and runner.comment_writes == 2
        comment = runner.comments[HEADER]
        accounts = live(served)
        assert config_rows(comment) == {
            "pr-12-support-desk": (accounts["pr-12-support-desk"]["id"], "v1"),
            "pr-12-support-desk-after-hours": (accounts["pr-12-support-desk-after-hours"]["id"], "v1"),
        }
        assert "(`evi` at bbbbbbb)" in comment
        assert "pr-12-night-agent" in accounts and "pr-12-support-agent-after-hours" in accounts

        # 3. Closed: the preview is destroyed, the comment says so, nothing of pr-12- is left.
        results = runner.run_workflow(workflow, "pull_request", event("closed", 12, "b" * 40))
        assert results == {"preview": "success"}, runner.log()
        comment = runner.comments[HEADER]
        assert comment.startswith("### :wastebasket: humectl preview `pr-12-` destroyed")
        assert "**Destroy complete: 7 resource(s) deleted.**" in comment  # the renamed prompt's old name too
        left = live(served)
        assert [name for name in left if "pr-12-" in name] == []
        assert {n: h["id"] for n, h in left.items()} == production  # production exactly as it was
        assert KEY not in runner.raw_output() and KEY not in "".join(runner.comments.values())
        assert KEY in runner.masks  # registered with ::add-mask:: as well
    finally:
        runner.close()


def test_a_fork_gets_a_notice_and_no_preview(served: str, tmp_path: Path) -> None:
    commits = trees(tmp_path)
    # A fork's run gets no secrets at all.
    runner = Runner(
        trees=commits.__getitem__, secrets={}, repository=REPOSITORY, local_actions={"OWNER/humectl": REPO_ROOT}
    )
    try:
        results = runner.run_workflow(
            caller(tmp_path, served), "pull_request", event("opened", 13, "a" * 40, repo="someone/voice-agents")
        )
        assert results == {"preview": "success"}
        assert any("Pull requests from forks get no secrets" in a for a in runner.annotations)
        assert runner.comments == {} and live(served) == {}
        # A run of this repository without the key (a bot's) is skipped with a notice too.
        results = runner.run_workflow(caller(tmp_path, served), "pull_request", event("opened", 14, "a" * 40))
        assert results == {"preview": "success"}
        assert any("HUME_API_KEY is empty" in a for a in runner.annotations)
        assert runner.comments == {} and live(served) == {}
    finally:
        runner.close()


def test_the_expression_evaluator_follows_github() -> None:
    context = {"github": {"event": {"action": "Closed", "pull_request": {"number": 7}}}, "inputs": {"comment": True}}
    assert evaluate("github.event.action == 'closed'", context) is True  # strings compare without case
    assert evaluate("github.event.pull_request.number == '7'", context) is True  # numbers coerced
    assert evaluate("github.nope.deeper || 'fallback'", context) == "fallback"
    assert evaluate("inputs.comment && 'yes'", context) == "yes"
    assert evaluate("!inputs.comment", context) is False
    assert evaluate("contains(fromJSON('[\"a\", \"b\"]'), 'B')", context) is True
    assert interpolate("pr-${{ github.event.pull_request.number }}-", context) == "pr-7-"
    assert interpolate("${{ inputs.comment }}", context) is True
