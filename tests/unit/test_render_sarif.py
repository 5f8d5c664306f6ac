"""humectl.render.sarif as pure functions: places, URIs, rule names, fallbacks, one category per log
(the logs themselves are checked with Microsoft's validator in tests/integration/test_sarif.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from humectl.core.errors import Problem
from humectl.decide import risk
from humectl.decide.diff import diff_fields
from humectl.decide.policy import reviewed
from humectl.model.plan import Change, Plan
from humectl.model.review import Policy
from humectl.render import sarif


def test_sources_split_into_file_line_col() -> None:
    assert sarif._split_source("a/b.yaml:8:38") == ("a/b.yaml", 8, 38)
    assert sarif._split_source("c:d.yaml:8:38") == ("c:d.yaml", 8, 38)  # a colon in a file name
    assert sarif._split_source("b.yaml:4") == ("b.yaml", 4, 0)
    assert sarif._split_source(None) is None and sarif._split_source("nowhere") is None


def test_uris_are_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sarif._artifact("evi/my configs.yaml") == {"uri": "evi/my%20configs.yaml", "uriBaseId": "%SRCROOT%"}
    assert sarif._artifact(str(tmp_path / "evi" / "a.yaml"))["uri"] == "evi/a.yaml"
    outside = sarif._artifact(os.path.dirname(str(tmp_path)) + "/elsewhere.yaml")
    assert outside["uri"].startswith("file:///") and "uriBaseId" not in outside


def test_rule_names_never_equal_their_ids() -> None:
    for rule in ("schema", "policy.deny", "risk.config.voice", "prompt-tool-not-attached"):
        assert sarif._rule_name(rule).lower() != rule.lower() and sarif._rule_name(rule)[0].isupper()


def test_validate_problems_keep_their_level_place_and_help() -> None:
    problems = [Problem("evi/a.yaml", 3, 5, "bad", "fix it", "schema"), Problem("evi", 0, 0, "w", None, "x", "warning")]
    log = sarif.document(sarif.problem_findings(problems, "evi"), "validate")
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "humectl/validate/"}
    first, second = run["results"]
    assert (first["level"], first["message"]["text"]) == ("error", "bad (hint: fix it)")
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 5}
    assert "region" not in second["locations"][0]["physicalLocation"]  # no line: the file alone
    rules = run["tool"]["driver"]["rules"]
    assert rules[0]["fullDescription"]["text"] == sarif.VALIDATE_HELP["schema"]
    assert rules[1]["help"]["text"] == sarif.DEFAULT_HELP


def test_a_delete_goes_to_the_fallback_file(tmp_path: Path) -> None:
    (tmp_path / "humectl.yaml").write_text("{}\n")
    fallback = sarif.fallback_file(str(tmp_path), ["a.yaml"])
    assert fallback == str(tmp_path / "humectl.yaml")
    assert sarif.fallback_file(str(tmp_path / "none"), ["a.yaml"]) == str(tmp_path / "none" / "a.yaml")
    plan = Plan(
        changes=[
            Change(address="tool/t", kind="tool", name="t", operations=("delete",), reasons=["gone"]),
            Change(
                address="tool/u",
                kind="tool",
                name="u",
                operations=("version",),
                source="t.yaml:2",
                fields=diff_fields({"description": "a"}, {"description": "b"}),
            ),
        ]
    )
    plan = reviewed(plan.with_changes(risk.assess(plan.changes)), Policy(fail_on="high"))
    findings = sarif.plan_findings(plan, "evi", "evi/humectl.yaml")
    assert [(f.rule, f.level, f.file, f.line) for f in findings] == [
        ("policy.fail_on", "error", "evi/humectl.yaml", 0),
        ("risk.delete", "warning", "evi/humectl.yaml", 0),
    ]
    text = sarif.render(findings, "plan")
    assert json.loads(text)["runs"][0]["automationDetails"]["id"] == "humectl/plan/"
