"""humectl.render.problems: manifest problems as text, JSON and GitHub annotations."""

from __future__ import annotations

import json

from humectl.core.errors import Problem
from humectl.core.problems import count, format_problem
from humectl.render.problems import render_github, render_json


def _problems() -> list[Problem]:
    return [
        Problem("evi/a.yaml", 3, 5, "bad voice", "use a library voice", "voice"),
        Problem("evi/b.yaml", 1, 1, "pinned", rule="pinned-managed", severity="warning"),
    ]


def test_text_and_counts() -> None:
    assert format_problem(_problems()[0]).startswith("evi/a.yaml:3:5:")
    assert count(_problems()) == (1, 1)


def test_json_and_github() -> None:
    document = json.loads(render_json(_problems(), {"prompt": 1}, 2))
    assert [p["rule"] for p in document["problems"]] == ["voice", "pinned-managed"]
    annotations = render_github(_problems())
    assert "::error file=evi/a.yaml,line=3,col=5" in annotations and "::warning" in annotations
