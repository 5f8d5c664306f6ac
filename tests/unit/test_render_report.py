"""The apply report's heading says why it stopped, and writes in flight are never "not started"."""

from __future__ import annotations

from humectl.core.errors import ApplyReport
from humectl.model.plan import CREATE, DESCRIBE, RENAME, Change, Plan
from humectl.render.markdown import render_apply_report
from humectl.render.report import render_report_text, report_heading


def report(**kwargs: object) -> ApplyReport:
    return ApplyReport(**kwargs)  # type: ignore[arg-type]


def test_the_heading_names_the_cause() -> None:
    assert report_heading(report(done=["prompt/a"])) == "Apply complete"
    assert report_heading(report(failed=[("prompt/a", "HTTP 400")], stopped_by="failure")) == (
        "Apply stopped at the first failure"
    )
    assert report_heading(report(in_flight=["prompt/a"], stopped_by="interrupt")) == "Apply interrupted"
    lost = report(stopped_by="lock-lost", reason="the account lock was deleted while this run held it")
    assert report_heading(lost) == "Apply stopped: the account lock was deleted while this run held it"


def test_text_and_markdown_list_writes_in_flight() -> None:
    interrupted = report(done=["prompt/a"], in_flight=["config/b"], not_started=["config/c"], stopped_by="interrupt")
    text = render_report_text(interrupted)
    assert text.startswith("Apply interrupted. Exactly this happened:\n")
    assert "  in flight (1): config/b\n    (sent, no answer yet: may or may not have taken effect" in text
    assert "  not started (1): config/c\n" in text and "first failure" not in text
    plan = Plan(
        changes=[
            Change(address=a, kind=a.split("/")[0], name=a.split("/")[1], operations=(CREATE,))
            for a in ("prompt/a", "config/b", "config/c")
        ]
    )
    markdown = render_apply_report(plan, interrupted, failed=True)
    assert "**Apply interrupted.**" in markdown
    assert "| ❓ | `config/b` | create | in flight: sent, no answer yet" in markdown
    assert "| ⏸️ | `config/c` | create | not started |" in markdown


def test_a_change_stopped_between_its_operations_says_which_took_effect() -> None:
    failed = report(
        failed=[("prompt/b", "PATCH /v0/evi/prompts/x/version/0 failed: HTTP 400")],
        operations={"prompt/b": ["rename"]},
        stopped_by="failure",
    )
    text = render_report_text(failed)
    assert "  failed: prompt/b (its rename took effect, the rest did not): PATCH" in text
    change = Change(address="prompt/b", kind="prompt", name="b", operations=(RENAME, DESCRIBE), rename_from="a")
    markdown = render_apply_report(Plan(changes=(change,)), failed, failed=True)
    assert "| ❌ | `prompt/b` | rename + update description | its rename took effect; PATCH" in markdown
    flying = report(in_flight=["prompt/b"], operations={"prompt/b": ["rename"]}, stopped_by="interrupt")
    assert "  in flight (1): prompt/b (its rename took effect)\n" in render_report_text(flying)
