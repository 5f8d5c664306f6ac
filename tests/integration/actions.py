"""A faked GitHub Actions runner: runs a workflow's (or a composite action's) real steps on this machine.

What it does as the runner does (docs.github.com: expressions, contexts, workflow commands):

* expressions ``${{ }}`` and ``if:`` conditions: literals, contexts (``github``, ``inputs``,
  ``secrets``, ``env``, ``steps``, ``needs``, ``runner``, ``job``; ``job.workflow_repository`` and
  ``job.workflow_sha`` name the workflow file that defines the job, the called one in a reusable
  workflow, as runners do since 2026: ``Runner.job_workflow=False`` is an older runner), property access, ``!``, ``==``,
  ``!=``, ``<``, ``>``, ``&&``/``||`` (returning an operand), loose equality (strings compared
  without case, other mixed types as numbers), ``success()``/``failure()``/``always()``/
  ``cancelled()``, ``contains``, ``startsWith``, ``endsWith``, ``format``, ``toJSON``, ``fromJSON``;
* reusable workflows (``jobs.<id>.uses``): inputs with their defaults and types, secrets by name,
  the callee's jobs in ``needs`` order, a job skipped when one it needs did not succeed (unless its
  ``if`` says otherwise), job outputs;
* ``run:`` steps through ``bash --noprofile --norc -eo pipefail``, with ``GITHUB_OUTPUT``,
  ``GITHUB_ENV``, ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``, ``GITHUB_WORKSPACE`` files and the
  ``env:`` of the workflow, job and step; ``continue-on-error``; step outputs and outcomes;
* composite actions (``runs.using: composite``) with ``GITHUB_ACTION_PATH``;
* workflow commands in the output: ``::add-mask::`` (later lines of the log are masked),
  annotations (``::error``/``::warning``/``::notice``) collected.

The ``uses:`` steps of other actions are fakes with the behaviour the workflows rely on: checkout
copies the tree a test gives for the ref, setup-python does nothing (this interpreter runs), the
artifact actions copy to and from a store, the sticky-comment action keeps one comment per
header, updated in place, and upload-sarif keeps the SARIF logs it is given (``code_scanning``).
``python -m pip install`` is recorded, not run: humectl is already
installed in this interpreter's environment.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]

# --- expressions ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot parse expression at {text[pos:]!r}")
        pos = match.end()
        if match["num"] is not None:
            out.append(("lit", float(match["num"]) if "." in match["num"] else int(match["num"])))
        elif match["str"] is not None:
            out.append(("lit", match["str"][1:-1].replace("''", "'")))
        elif match["op"] is not None:
            out.append(("op", match["op"]))
        else:
            word = match["name"]
            out.append(
                ("lit", {"true": True, "false": False, "null": None}[word])
                if word in ("true", "false", "null")
                else ("name", word)
            )
    return out


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return math.nan


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if type(a) is type(b) or (isinstance(a, (dict, list)) and isinstance(b, (dict, list))):
        return bool(a is b or a == b) if not isinstance(a, (dict, list)) else a is b
    return _number(a) == _number(b)


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "") or isinstance(value, (dict, list))


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], status: Callable[[str], bool]) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.context = context
        self.status = status

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, op: str | None = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (op is not None and token != ("op", op)):
            raise ValueError(f"expected {op!r}, got {token!r}")
        self.i += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "=="), ("op", "!="), ("op", "<"), ("op", ">"), ("op", "<="), ("op", ">=")):
            op = self.take()[1]
            right = self.unary()
            if op == "==":
                value = _equal(value, right)
            elif op == "!=":
                value = not _equal(value, right)
            else:
                a, b = _number(value), _number(right)
                value = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                key = self.take()[1]
                value = value.get(key) if isinstance(value, dict) else None
            else:
                index = self.or_()
                self.take("]")
                if isinstance(value, dict):
                    value = value.get(to_text(index))
                elif isinstance(value, list) and isinstance(index, (int, float)) and 0 <= int(index) < len(value):
                    value = value[int(index)]
                else:
                    value = None
        return value

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "lit":
            return value
        if kind == "op" and value == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if kind == "name" and self.peek() == ("op", "("):
            self.take("(")
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.or_())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            return self.call(value, args)
        if kind == "name":
            return self.context.get(value)
        raise ValueError(f"unexpected {value!r}")

    def call(self, name: str, args: list[Any]) -> Any:
        lowered = name.lower()
        if lowered in ("success", "failure", "always", "cancelled"):
            return self.status(lowered)
        if lowered == "contains":
            haystack, needle = args
            if isinstance(haystack, list):
                return any(_equal(item, needle) for item in haystack)
            return to_text(needle).casefold() in to_text(haystack).casefold()
        if lowered == "startswith":
            return to_text(args[0]).casefold().startswith(to_text(args[1]).casefold())
        if lowered == "endswith":
            return to_text(args[0]).casefold().endswith(to_text(args[1]).casefold())
        if lowered == "format":
            return re.sub(r"\{(\d+)\}", lambda m: to_text(args[1 + int(m[1])]), to_text(args[0]))
        if lowered == "tojson":
            return json.dumps(args[0], indent=2)
        if lowered == "fromjson":
            return json.loads(to_text(args[0]))
        raise ValueError(f"unknown function {name}")


def evaluate(text: str, context: Mapping[str, Any], status: Callable[[str], bool] | None = None) -> Any:
    return _Parser(text, context, status or (lambda name: name in ("success", "always"))).parse()


_EXPRESSION = re.compile(r"\$\{\{((?:(?!\}\}).)*)\}\}", re.S)


def interpolate(value: Any, context: Mapping[str, Any]) -> Any:
    """Every ``${{ }}`` in ``value`` (recursively); a string that is one whole expression keeps its type."""
    if isinstance(value, dict):
        return {k: interpolate(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, context) for v in value]
    if not isinstance(value, str) or "${{" not in value:
        return value
    whole = _EXPRESSION.fullmatch(value.strip())
    if whole:
        return evaluate(whole[1], context)
    return _EXPRESSION.sub(lambda m: to_text(evaluate(m[1], context)), value)


def condition(text: Any, context: Mapping[str, Any], status: Callable[[str], bool]) -> bool:
    if text is None:
        return status("success")
    if isinstance(text, bool):
        return text
    body = str(text).strip()
    whole = _EXPRESSION.fullmatch(body)
    if whole:
        body = whole[1]
    uses_status = re.search(r"\b(success|failure|always|cancelled)\s*\(", body, re.I)
    result = truthy(evaluate(body, context, status))
    return result if uses_status else result and status("success")


# --- the runner -------------------------------------------------------------------------------------


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads `on` as True
        data["on"] = data.pop(True)
    return data


@dataclass
class StepRun:
    job: str
    name: str
    outcome: str  # success | failure | skipped
    output: str  # raw stdout + stderr, as the process wrote it (before any mask)


@dataclass
class Runner:
    """One faked GitHub: the repository's trees by ref, the PR comments, artifacts and logs."""

    trees: Callable[[str], Path]  # ref (a sha) -> the tree to check out
    secrets: dict[str, str]
    repository: str = "acme/voice-agents"
    local_actions: dict[str, Path] = field(default_factory=dict)  # "OWNER/humectl" -> this checkout
    comments: dict[str, str] = field(default_factory=dict)  # sticky header -> body
    code_scanning: list[dict[str, Any]] = field(default_factory=list)  # the SARIF logs upload-sarif sent
    comment_writes: int = 0
    artifacts: dict[str, Path] = field(default_factory=dict)
    steps: list[StepRun] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    masks: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    installs: list[str] = field(default_factory=list)
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fake-actions-")))
    run_number: int = 0
    job_workflow: bool = True  # the runner fills job.workflow_repository / job.workflow_sha

    @staticmethod
    def commit_of(repository: str, ref: str) -> str:
        """The commit a ``uses: repository/...@ref`` resolves to here (a fixed, made-up SHA per ref)."""
        return hashlib.sha1(f"{repository}@{ref}".encode()).hexdigest()

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)

    # -- the log as GitHub shows it ---------------------------------------------------------------
    def log(self) -> str:
        text = "\n".join(s.output for s in self.steps)
        for value in sorted(self.masks, key=len, reverse=True):
            text = text.replace(value, "***")
        return text

    def raw_output(self) -> str:
        """What the steps printed, unmasked, less the ``::add-mask::`` commands (the runner consumes them)."""
        lines = "\n".join(s.output for s in self.steps).splitlines()
        return "\n".join(line for line in lines if not line.strip().startswith("::add-mask::"))

    # -- workflows --------------------------------------------------------------------------------
    def run_workflow(self, path: Path, event_name: str, payload: dict[str, Any]) -> dict[str, str]:
        """Run every job of the workflow at ``path`` for one event; returns job id -> result."""
        self.run_number += 1
        github = {
            "event_name": event_name,
            "event": payload,
            "action": payload.get("action"),
            "repository": self.repository,
            "repository_owner": self.repository.split("/")[0],
            "sha": payload.get("pull_request", {}).get("head", {}).get("sha", "0" * 40),
            "ref": f"refs/pull/{payload.get('number', 0)}/merge",
            "run_id": str(1000 + self.run_number),
            "server_url": "https://github.example",
            "workspace": "",
        }
        origin = (self.repository, github["sha"])
        return self._jobs(load_yaml(path), github, inputs={}, secrets=dict(self.secrets), origin=origin)

    def _jobs(
        self,
        workflow: dict[str, Any],
        github: dict[str, Any],
        inputs: dict[str, Any],
        secrets: dict[str, str],
        origin: tuple[str, str],
    ) -> dict[str, str]:
        """``origin``: the repository and commit of the workflow file (``job.workflow_*``)."""
        job_context = {"workflow_repository": origin[0], "workflow_sha": origin[1]} if self.job_workflow else {}
        results: dict[str, str] = {}
        outputs: dict[str, dict[str, Any]] = {}
        pending = dict(workflow["jobs"])
        while pending:
            for job_id, job in list(pending.items()):
                needs = job.get("needs") or []
                needs = [needs] if isinstance(needs, str) else list(needs)
                if any(n not in results for n in needs):
                    continue
                del pending[job_id]
                needs_ctx = {n: {"result": results[n], "outputs": outputs.get(n, {})} for n in needs}
                context = {
                    "github": github,
                    "inputs": inputs,
                    "secrets": secrets,
                    "needs": needs_ctx,
                    "vars": {},
                    "runner": {"temp": "", "os": "Linux"},
                    "env": {},
                    "job": job_context,
                }

                def status(name: str, needs: list[str] = needs) -> bool:
                    ok = all(results[n] == "success" for n in needs)
                    return {"success": ok, "failure": not ok and bool(needs), "always": True, "cancelled": False}[name]

                if not condition(job.get("if"), context, status):
                    results[job_id] = "skipped"
                    continue
                if "uses" in job:
                    results[job_id], outputs[job_id] = self._call(job, context, github)
                else:
                    results[job_id], outputs[job_id] = self._job(job_id, job, workflow, context)
        return results

    def _call(self, job: dict[str, Any], context: dict[str, Any], github: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A reusable workflow: ``OWNER/humectl/.github/workflows/x.yml@ref`` from this checkout."""
        uses = job["uses"]
        owner_repo, _, rest = uses.partition("/.github/")
        file, _, ref = rest.partition("@")
        path = self.local_actions[owner_repo] / ".github" / file
        callee = load_yaml(path)
        call = callee["on"]["workflow_call"]
        given = interpolate(job.get("with") or {}, context)
        inputs: dict[str, Any] = {}
        for name, spec in (call.get("inputs") or {}).items():
            value = given.get(name, spec.get("default"))
            if spec.get("type") == "boolean" and isinstance(value, str):
                value = value == "true"
            inputs[name] = value
        unknown = set(given) - set(call.get("inputs") or {})
        assert not unknown, f"{uses}: undeclared inputs {sorted(unknown)}"
        secrets = {k: to_text(v) for k, v in interpolate(job.get("secrets") or {}, context).items()}
        results = self._jobs(callee, github, inputs, secrets, origin=(owner_repo, self.commit_of(owner_repo, ref)))
        result = "failure" if "failure" in results.values() else "success"
        return result, {}

    def _job(
        self, job_id: str, job: dict[str, Any], workflow: dict[str, Any], context: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        home = self.base / f"run{self.run_number}-{job_id}"
        workspace, temp = home / "workspace", home / "temp"
        workspace.mkdir(parents=True)
        temp.mkdir()
        env_file, summary = home / "env", home / "summary.md"
        env_file.touch()
        context = {**context, "runner": {"temp": str(temp), "os": "Linux"}, "steps": {}}
        context["github"] = {**context["github"], "workspace": str(workspace)}
        env: dict[str, str] = {}
        for scope in (workflow.get("env") or {}, job.get("env") or {}):
            env.update({k: to_text(v) for k, v in interpolate(scope, {**context, "env": env}).items()})
        base_env = {
            "PATH": f"{self._shims()}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
            "HOME": str(home),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            "GITHUB_ENV": str(env_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_EVENT_NAME": context["github"]["event_name"],
            "GITHUB_REPOSITORY": self.repository,
            "GITHUB_RUN_ID": context["github"]["run_id"],
            "GITHUB_SERVER_URL": "https://github.example",
            "FAKE_PIP_LOG": str(self.base / "pip.log"),
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
        }
        failed = False
        for index, step in enumerate(job.get("steps") or []):
            failed = self._step(job_id, index, step, context, env, base_env, env_file, workspace, failed) or failed
        if summary.exists():
            self.summaries.append(summary.read_text(encoding="utf-8"))
        outputs = {k: to_text(interpolate(v, context)) for k, v in (job.get("outputs") or {}).items()}
        return ("failure" if failed else "success"), outputs

    def _step(
        self,
        job_id: str,
        index: int,
        step: dict[str, Any],
        context: dict[str, Any],
        env: dict[str, str],
        base_env: dict[str, str],
        env_file: Path,
        workspace: Path,
        failed: bool,
        action_path: Path | None = None,
    ) -> bool:
        """Run one step; True when it failed (and ``continue-on-error`` does not excuse it)."""
        step_id = step.get("id") or f"__step{index}"
        name = to_text(interpolate(step.get("name") or step.get("run", step.get("uses", "")), context))

        def status(kind: str) -> bool:
            return {"success": not failed, "failure": failed, "always": True, "cancelled": False}[kind]

        for line in env_file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                env[key] = value
        declared = interpolate(step.get("env") or {}, {**context, "env": env})
        step_env = {**env, **{k: to_text(v) for k, v in declared.items()}}
        ctx = {**context, "env": step_env}
        if not condition(step.get("if"), ctx, status):
            context["steps"][step_id] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
            self.steps.append(StepRun(job_id, name, "skipped", ""))
            return False
        outputs: dict[str, str] = {}
        if "run" in step:
            ok, output, outputs = self._run(step, ctx, {**base_env, **step_env}, workspace, action_path)
        else:
            ok, output, outputs = self._uses(step, ctx, {**base_env, **step_env}, workspace, env_file)
        self._commands(output)
        outcome = "success" if ok else "failure"
        conclusion = "success" if ok or truthy(interpolate(step.get("continue-on-error", False), ctx)) else "failure"
        context["steps"][step_id] = {"outcome": outcome, "conclusion": conclusion, "outputs": outputs}
        self.steps.append(StepRun(job_id, name, outcome, output))
        return conclusion == "failure"

    def _run(
        self,
        step: dict[str, Any],
        context: dict[str, Any],
        env: dict[str, str],
        workspace: Path,
        action_path: Path | None,
    ) -> tuple[bool, str, dict[str, str]]:
        script = interpolate(step["run"], context)
        output_file = Path(env["RUNNER_TEMP"]).parent / f"output-{len(self.steps)}"
        output_file.write_text("", encoding="utf-8")
        env = {**env, "GITHUB_OUTPUT": str(output_file)}
        if action_path is not None:
            env["GITHUB_ACTION_PATH"] = str(action_path)
        cwd = workspace / step["working-directory"] if step.get("working-directory") else workspace
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return result.returncode == 0, result.stdout + result.stderr, parse_outputs(output_file.read_text("utf-8"))

    def _commands(self, output: str) -> None:
        for line in output.splitlines():
            stripped = line.strip()
            if stripped.startswith("::add-mask::"):
                value = stripped[len("::add-mask::") :].replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
                if value:
                    self.masks.append(value)
            elif re.match(r"::(error|warning|notice)\b", stripped):
                self.annotations.append(stripped)

    def _shims(self) -> Path:
        shims = self.base / "shims"
        if not shims.exists():
            shims.mkdir()
            python = shims / "python"
            python.write_text(
                "#!/bin/sh\n"
                'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$*" >> "$FAKE_PIP_LOG"; exit 0; fi\n'
                f'exec "{sys.executable}" "$@"\n',
                encoding="utf-8",
            )
            python.chmod(0o755)
        return shims

    def pip_installs(self) -> list[str]:
        log = self.base / "pip.log"
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    # -- the actions the workflows use ----------------------------------------------------------
    def _uses(
        self, step: dict[str, Any], context: dict[str, Any], env: dict[str, str], workspace: Path, env_file: Path
    ) -> tuple[bool, str, dict[str, str]]:
        uses = step["uses"]
        given = {k: to_text(v) for k, v in interpolate(step.get("with") or {}, context).items()}
        action = uses.split("@")[0]
        if action == "actions/checkout":
            ref = given.get("ref") or context["github"]["sha"]
            shutil.copytree(self.trees(ref), workspace, dirs_exist_ok=True)
            return True, f"checked out {ref}", {}
        if action == "actions/setup-python":
            return True, f"python {given.get('python-version')}", {}
        if action == "actions/upload-artifact":
            store = self.base / "artifacts" / given["name"]
            shutil.rmtree(store, ignore_errors=True)
            store.mkdir(parents=True)
            for item in given["path"].splitlines():
                source = Path(item.strip())
                if source.is_dir():
                    shutil.copytree(source, store, dirs_exist_ok=True)
                elif source.is_file():
                    shutil.copy(source, store / source.name)
            self.artifacts[given["name"]] = store
            return True, f"uploaded {given['name']}", {}
        if action == "actions/download-artifact":
            store = self.artifacts.get(given["name"])
            if store is None:
                return False, f"::error::Unable to download artifact(s): not found: {given['name']}", {}
            shutil.copytree(store, Path(given.get("path") or workspace), dirs_exist_ok=True)
            return True, f"downloaded {given['name']}", {}
        if action == "marocchino/sticky-pull-request-comment":
            body = Path(given["path"]).read_text(encoding="utf-8") if given.get("path") else given.get("message", "")
            self.comments[given.get("header", "")] = body
            self.comment_writes += 1
            return True, f"comment {given.get('header')!r} updated", {}
        if action == "github/codeql-action/upload-sarif":
            source = Path(given["sarif_file"])
            logs = sorted(source.glob("*.sarif")) if source.is_dir() else [source]
            if not logs:
                return False, f"::error::no SARIF files in {source}", {}
            self.code_scanning += [json.loads(log.read_text(encoding="utf-8")) for log in logs]
            return True, f"uploaded {len(logs)} SARIF log(s)", {}
        owner_repo = "/".join(action.split("/")[:2])
        if owner_repo in self.local_actions:  # a composite action of this checkout
            return self._composite(self.local_actions[owner_repo], step, given, context, env, workspace, env_file)
        raise AssertionError(f"no fake for {uses}")

    def _composite(
        self,
        root: Path,
        step: dict[str, Any],
        given: dict[str, str],
        context: dict[str, Any],
        env: dict[str, str],
        workspace: Path,
        env_file: Path,
    ) -> tuple[bool, str, dict[str, str]]:
        action = load_yaml(root / "action.yml")
        assert action["runs"]["using"] == "composite"
        declared = action.get("inputs") or {}
        unknown = set(given) - set(declared)
        assert not unknown, f"action.yml: undeclared inputs {sorted(unknown)}"
        inputs = {name: given.get(name, to_text(spec.get("default", ""))) for name, spec in declared.items()}
        for name, spec in declared.items():
            assert not spec.get("required") or given.get(name), f"action input {name} is required"
        inner = {**context, "inputs": inputs, "steps": {}, "github": {**context["github"], "action_path": str(root)}}
        start = len(self.steps)
        failed = False
        for index, sub in enumerate(action["runs"]["steps"]):
            failed = self._step("action", index, sub, inner, dict(env), env, env_file, workspace, failed, root) or (
                failed
            )
        outputs = {k: to_text(interpolate(v["value"], inner)) for k, v in (action.get("outputs") or {}).items()}
        output = "\n".join(s.output for s in self.steps[start:])
        del self.steps[start:]
        return not failed, output, outputs


def parse_outputs(text: str) -> dict[str, str]:
    """``GITHUB_OUTPUT``'s ``name=value`` and ``name<<DELIMITER`` forms."""
    outputs: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, _, delimiter = line.partition("<<")
            body = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            outputs[key] = "\n".join(body)
        elif "=" in line:
            key, _, value = line.partition("=")
            outputs[key] = value
        i += 1
    return outputs
