"""SARIF 2.1.0 for code scanning: ``validate -o sarif`` (every problem a result at file:line:col) and
``plan -o sarif`` (policy violations and high-risk changes at their manifest lines), checked by
Microsoft's SARIF validator (npm @microsoft/sarif-multitool, installed by .ci/run) and against the
SARIF JSON schema that package ships."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import REPO_ROOT
from tests.integration.review_scenario import review_account, run

MULTITOOL_VERSION = "5.7.0"
# The validator's notes a humectl log is known to get, each only advice: message arguments, version
# control provenance, URIs reachable (none is, offline), snippets and context regions, rule id style.
ADVICE = {
    "SARIF2002 ProvideMessageArguments",
    "SARIF2003 ProvideVersionControlProvenance",
    "SARIF2006 UrisShouldBeReachable",
    "SARIF2009 ConsiderConventionalIdentifierValues",
    "SARIF2010 ProvideCodeSnippets",
    "SARIF2011 ProvideContextRegion",
    "SARIF2012 ProvideRuleProperties",  # a helpUri: humectl's rules are documented in its docs, not online
}
TEN_MISTAKES = REPO_ROOT / "tests" / "testdata" / "manifests" / "ten-mistakes"


def _multitool() -> Path | None:
    """The validator's binary: under HUMECTL_SARIF_MULTITOOL (an npm prefix, as .ci/run installs it)."""
    prefix = os.environ.get("HUMECTL_SARIF_MULTITOOL", "")
    if not prefix:
        return None
    binary = Path(prefix) / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    return binary if binary.is_file() else None


def multitool() -> Path:
    binary = _multitool()
    if binary is None:
        reason = (
            "Microsoft's SARIF validator not found: set HUMECTL_SARIF_MULTITOOL to an npm prefix holding "
            f"@microsoft/sarif-multitool@{MULTITOOL_VERSION} (.ci/run installs it)"
        )
        if os.environ.get("HUMECTL_REQUIRE_SARIF_MULTITOOL") == "1" or (
            shutil.which("npm") and os.environ.get("CI") == "true"
        ):
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


def verdict(log: Path, out: Path) -> list[tuple[str, str, str]]:
    """What the validator says about ``log``: (level, rule, what it is about) of each of its results."""
    completed = subprocess.run(
        [
            str(multitool()),
            "validate",
            str(log),
            "--rule-kind",
            "Sarif;Ghas",
            "--level",
            "Error;Warning;Note",
            "-o",
            str(out),
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Analysis completed successfully" in completed.stdout, completed.stdout
    run_ = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0]
    rules = run_["tool"]["driver"].get("rules", [])
    found = []
    for result in run_["results"]:
        rule = rules[result["ruleIndex"]] if "ruleIndex" in result else {}
        level = result.get("level") or rule.get("defaultConfiguration", {}).get("level", "warning")
        about = result["message"].get("text") or ", ".join(result["message"].get("arguments", []))
        found.append((level, f"{result['ruleId']} {rule.get('name', '')}".strip(), about))
    return found


def schema_check(document: dict[str, Any]) -> None:
    schema_file = multitool().parent / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8-sig"))
    jsonschema.validators.validator_for(schema)(schema).validate(document)


def results(document: dict[str, Any]) -> list[tuple[str, str, str, int, int, str]]:
    out = []
    for result in document["runs"][0]["results"]:
        place = result["locations"][0]["physicalLocation"]
        region = place.get("region", {})
        out.append(
            (
                result["ruleId"],
                result["level"],
                place["artifactLocation"]["uri"],
                region.get("startLine", 0),
                region.get("startColumn", 0),
                result["message"]["text"],
            )
        )
    return out


def check_rules(document: dict[str, Any]) -> None:
    run_ = document["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert run_["tool"]["driver"]["name"] == "humectl" and document["version"] == "2.1.0"
    assert run_["automationDetails"]["id"] in ("humectl/validate/", "humectl/plan/")
    for result in run_["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["help"]["text"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]


@pytest.fixture
def validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], list[dict[str, Any]], Path]:
    """validate -o sarif (and -o json) of ten mistakes plus a lint warning, run from the repository root
    (tmp_path here) as a workflow does: ``validate m``."""
    monkeypatch.chdir(tmp_path)
    root = Path("m")
    shutil.copytree(TEN_MISTAKES, root)
    sarif = run("validate", str(root), "-o", "sarif")
    problems = json.loads(run("validate", str(root), "-o", "json").stdout)["problems"]
    assert sarif.exit_code == 1 and sarif.stderr == ""
    return json.loads(sarif.stdout), problems, tmp_path


LINTED = (
    "prompts:\n  - name: lint-agent\n    text: Call check_order first.\n"
    "tools:\n  - name: check_order\n    parameters: {type: object}\n"
    "configs:\n  - name: lint-desk\n    evi_version: '3'\n    prompt: lint-agent\n    tools: []\n"
)


def linted(tmp_path: Path) -> dict[str, Any]:
    """validate -o sarif of valid manifests with a lint warning (exit 0), from tmp_path."""
    (tmp_path / "l").mkdir()
    (tmp_path / "l" / "agent.yaml").write_text(LINTED, encoding="utf-8")
    sarif = run("validate", "l", "-o", "sarif")
    assert sarif.exit_code == 0
    return json.loads(sarif.stdout)


def test_validate_sarif_has_every_problem_at_its_place(validated: tuple[dict[str, Any], list[Any], Path]) -> None:
    document, problems, _ = validated
    check_rules(document)
    expected = [
        (
            p["rule"],
            "error" if p["severity"] == "error" else "warning",
            p["file"],
            p["line"],
            p["col"],
            p["message"] + (f" (hint: {p['hint']})" if p["hint"] else ""),
        )
        for p in problems
    ]
    assert results(document) == expected
    assert len(expected) >= 10
    assert {r[2] for r in results(document)} == {"m/configs.yaml", "m/prompts.yaml", "m/tools.yaml"}
    warned = linted(Path("."))
    check_rules(warned)
    assert results(warned) == [
        (
            "prompt-tool-not-attached",
            "warning",
            "l/agent.yaml",
            11,
            12,
            "prompt 'lint-agent' names the tool 'check_order', which config 'lint-desk' does not attach "
            "(hint: attach it (tools: [..., check_order]) or reword the prompt; "
            "ignore_warnings: [prompt-tool-not-attached] on the config silences this)",
        )
    ]


def test_plan_sarif_has_the_violations_and_the_high_risk_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, db = review_account(tmp_path)
    monkeypatch.chdir(tmp_path)
    root = Path(root.name)
    (root / "humectl.yaml").write_text("environments:\n  prod:\n    policy: {deny: [config.voice]}\n", encoding="utf-8")
    planned = run("plan", str(root), db, "--env", "prod", "-o", "sarif")
    assert planned.exit_code == 1
    document = json.loads(planned.stdout)  # stdout holds the log only; the violations went to stderr
    assert "Policy violations (1)" in planned.stderr
    check_rules(document)
    configs, prompts = "support-desk/configs.yaml", "support-desk/prompts.yaml"
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in results(document)] == [
        ("policy.deny", "error", 8, 38, "config/support-desk: config.voice must not change here: voice Ito → Kora"),
        (
            "risk.prompt.text.rewrite",
            "warning",
            5,
            16,
            "prompt/support-agent: prompt text rewritten: 14 of 16 lines changed",
        ),
        (
            "risk.config.tools.removed",
            "warning",
            14,
            12,
            "config/support-desk: tool create_return removed from the config",
        ),
        (
            "risk.config.cascade",
            "warning",
            7,
            13,
            "config/support-desk: follows prompt/support-agent v0 → v1 (its risk: high)",
        ),
        ("risk.config.voice", "warning", 8, 38, "config/support-desk: voice Ito → Kora"),
    ]
    assert {r[2] for r in results(document)} == {configs, prompts}


def test_microsofts_validator_passes_both_logs(
    validated: tuple[dict[str, Any], list[Any], Path], tmp_path: Path
) -> None:
    document, _, _ = validated
    root, db = review_account(tmp_path / "plan")
    (root / "humectl.yaml").write_text("policy: {fail_on: high}\n", encoding="utf-8")
    planned = run("plan", os.path.relpath(root), db, "-o", "sarif")
    logs = (("validate", document), ("validate-warnings", linted(Path("."))), ("plan", json.loads(planned.stdout)))
    for name, log in logs:
        schema_check(log)
        path = tmp_path / f"{name}.sarif"
        path.write_text(json.dumps(log, indent=2, ensure_ascii=False), encoding="utf-8")
        found = verdict(path, tmp_path / f"{name}.verdict.sarif")
        # Notes are advice (snippets, version control provenance, reachable URIs offline, rule id style).
        bad = [f for f in found if f[0] in ("error", "warning")]
        assert bad == [], f"{name}: {bad}"
        assert {f[1] for f in found} <= ADVICE, {f[1] for f in found} - ADVICE


def test_the_validator_really_validates(tmp_path: Path) -> None:
    """A log with a region at line 0 and a result without a message: the validator says so."""
    root, db = review_account(tmp_path)
    log = json.loads(run("plan", str(root), db, "--fail-on", "high", "-o", "sarif").stdout)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["runs"][0]["results"][1]["message"]
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    found = {r[1].split()[0] for r in verdict(path, tmp_path / "broken.verdict.sarif")}
    assert {"JSON1008", "JSON1002"} <= found, found
    with pytest.raises(jsonschema.ValidationError):
        schema_check(log)
