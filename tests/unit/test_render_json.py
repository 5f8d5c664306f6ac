"""humectl.render.json: a Plan is exactly Plan.to_dict(); documents are stable JSON."""

from __future__ import annotations

import json

from humectl.model.plan import CREATE, Change, Plan
from humectl.render.json import FORMAT_VERSION, dumps, render_json


def test_a_plan_renders_as_its_dict() -> None:
    plan = Plan(changes=[Change(address="tool/t", kind="tool", name="t", operations=(CREATE,))], run_id="r")
    assert json.loads(render_json(plan)) == json.loads(json.dumps(plan.to_dict()))


def test_documents_end_in_a_newline_and_carry_the_format_version() -> None:
    text = dumps({"format_version": FORMAT_VERSION, "x": "é"})
    assert text.endswith("\n") and json.loads(text)["x"] == "é"


def test_command_documents() -> None:
    from humectl.core.errors import ApplyReport
    from humectl.decide.export import ExportFile, ExportResult
    from humectl.render.json import apply_document, export_document, snapshot_line

    result = ExportResult(files=[ExportFile("prompts.yaml", "")], addresses=["prompt/p"], notes=["n"])
    document = export_document("out", result, [])
    assert document["round_trip"] == {"exact": True, "differences": [], "other_scopes": []} and document["files"] == [
        "prompts.yaml"
    ]
    assert document["counts"]["prompt"] == 1
    applied = apply_document(Plan(), ApplyReport(), applied=False, resources=None)
    # destroy: no resources
    assert list(applied) == ["format_version", "applied", "report", "readback", "plan", "error"]
    assert "resources" in apply_document(Plan(), ApplyReport(), applied=True, resources=[])
    assert json.loads(snapshot_line("a.json", {"tools": 1})) == {
        "format_version": 1,
        "file": "a.json",
        "counts": {"tools": 1},
    }
