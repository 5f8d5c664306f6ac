"""humectl.render.markdown: a Plan for pull-request comments, within a size limit."""

from __future__ import annotations

from humectl.model.plan import CREATE, Change, Plan
from humectl.render.markdown import render_markdown


def test_a_table_row_per_change_and_the_limit_is_kept() -> None:
    plan = Plan(
        changes=[
            Change(
                address=f"prompt/p{i}",
                kind="prompt",
                name=f"p{i}",
                operations=(CREATE,),
                reasons=["new"],
                content={"text": "x" * 500},
                text_diff="+" + "x" * 500,
            )
            for i in range(200)
        ]
    )
    text = render_markdown(plan, limit=10_000)
    assert "prompt/p0" in text and len(text) <= 10_000


def test_no_changes() -> None:
    assert render_markdown(Plan()) == (
        "### humectl plan\n\n**Plan: 0 to create, 0 to version, 0 to rename, 0 unchanged**\n\n"
        "No changes. The live EVI account matches the manifests.\n"
    )
