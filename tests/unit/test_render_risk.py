"""Risk and policy in the renderers: a marker per change, the Risk line, the PR comment listing
high-risk changes first (table and details), the violations after the plan."""

from __future__ import annotations

from humectl.decide import risk
from humectl.decide.diff import diff_fields
from humectl.decide.policy import reviewed
from humectl.model.plan import Change, Plan
from humectl.model.review import Policy
from humectl.render.markdown import render_markdown
from humectl.render.text import render_text, render_violations


def plan() -> Plan:
    changes = [
        Change(address="tool/new", kind="tool", name="new", operations=("create",), fields=diff_fields({}, {"a": 1})),
        Change(
            address="tool/t",
            kind="tool",
            name="t",
            operations=("version",),
            fields=diff_fields({"description": "a"}, {"description": "b"}),
        ),
        Change(
            address="config/c",
            kind="config",
            name="c",
            operations=("version",),
            fields=diff_fields({"voice": {"name": "ITO"}}, {"voice": {"name": "KORA"}}),
            source="c.yaml:3",
        ),
    ]
    return reviewed(Plan(changes=tuple(risk.assess(changes))), Policy(fail_on="high"))


def test_text_marks_each_change_and_sums_up_before_the_plan_line() -> None:
    text = render_text(plan())
    assert "# tool/new will be created [risk: low]" in text
    assert "# tool/t will get a new version (v" in text and "[risk: medium]" in text
    assert "[risk: HIGH]" in text and "      risk high: voice ITO → KORA" in text
    assert text.splitlines()[-2:] == [
        "Risk: 1 high, 1 medium, 1 low",
        "Plan: 1 to create, 2 to version, 0 to rename, 0 unchanged",
    ]
    shown = render_violations(plan().violations)
    assert "! config/c: high risk (fail_on: high): voice ITO → KORA [policy.fail_on]" in shown


def test_the_pr_comment_lists_high_risk_first() -> None:
    markdown = render_markdown(plan())
    rows = [line for line in markdown.splitlines() if line.startswith("| 🟢") or line.startswith("| 🟡")]
    assert ["config/c" in rows[0], "tool/t" in rows[1], "tool/new" in rows[2]] == [True, True, True]
    assert "❗ **high**: voice ITO → KORA" in rows[0] and "⚠️ medium" in rows[1] and "| low |" in rows[2]
    details = [line for line in markdown.splitlines() if line.startswith("<details>")]
    assert "config/c" in details[0] and "— high risk" in details[0]
    assert "**Risk: 1 high, 1 medium, 1 low**" in markdown
    assert markdown.index("**⛔ Policy: 1 violation**") < markdown.index("| | resource |")
