"""A tool's changed ``parameters`` (canonical JSON text) shown as a structural diff, path by path, in
the text, Markdown and JSON plans, each risk reason at the manifest line of what changed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from humectl.cli.app import cli

TOOL = """\
tools:
  - name: lookup_order
    description: Find an order.
    parameters:
      type: object
      properties:
        order_id: {type: TYPE, description: "The order number, as printed on the customer's receipt or in the email"}
        include_history: {type: boolean}
      required: REQUIRED
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": "test-key", "NO_COLOR": "1"})


def test_changed_parameters_show_each_changed_path(tmp_path: Path) -> None:
    evi, api = tmp_path / "evi", f"--emulator={tmp_path / 'account.sqlite3'}"
    evi.mkdir()
    manifest = evi / "tools.yaml"
    manifest.write_text(TOOL.replace("TYPE", "string").replace("REQUIRED", "[order_id]"))
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    manifest.write_text(TOOL.replace("TYPE", "integer").replace("REQUIRED", "[order_id, include_history]"))

    text = run("plan", str(evi), api).output
    assert "      ~ parameters.properties.order_id.type: string → integer\n" in text, text
    assert '      ~ parameters.required: ["order_id"] → ["order_id", "include_history"]\n' in text
    assert "~ parameters: {" not in text  # never two long strings that look the same
    markdown = run("plan", str(evi), api, "--output", "markdown").output
    assert "| `parameters.properties.order_id.type` | `string` | `integer` |" in markdown
    document = json.loads(run("plan", str(evi), api, "--output", "json").stdout)
    (change,) = document["changes"]
    assert change["fields"] == [
        {"path": "parameters.properties.order_id.type", "before": "string", "after": "integer"},
        {"path": "parameters.required", "before": ["order_id"], "after": ["order_id", "include_history"]},
    ]
    assert [(r["rule"], r["source"]) for r in change["risk_reasons"]] == [
        ("tool.parameters", "tools.yaml:7:26"),
        ("tool.parameters", "tools.yaml:9:17"),
    ]
    assert change["content"]["parameters"].startswith('{"properties":')  # what apply sends is unchanged
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    assert run("plan", str(evi), api, "--detailed-exitcode").exit_code == 0
