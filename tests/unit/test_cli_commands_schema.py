"""``humectl schema``: the manifest JSON Schema (or humectl.yaml's with ``--project``), exactly the
files under schemas/, always as JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from humectl.cli.app import cli
from tests.conftest import REPO_ROOT


def test_schema_project_prints_the_project_file_schema() -> None:
    result = CliRunner().invoke(cli, ["schema", "--project"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == json.loads((REPO_ROOT / "schemas" / "project.schema.json").read_text())
    assert data["title"].startswith("humectl project file")


def test_schema_without_flag_is_still_the_manifest_schema() -> None:
    data = json.loads(CliRunner().invoke(cli, ["schema"]).stdout)
    assert data == json.loads((REPO_ROOT / "schemas" / "manifest.schema.json").read_text())


def test_the_text_is_the_shipped_file_byte_for_byte() -> None:
    for args, name in ((["schema"], "manifest.schema.json"), (["schema", "--project"], "project.schema.json")):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and result.stderr == ""
        assert result.stdout == (REPO_ROOT / "schemas" / name).read_text(encoding="utf-8")


def test_json_is_the_only_output() -> None:
    assert CliRunner().invoke(cli, ["schema", "-o", "json"]).exit_code == 0
    refused = CliRunner().invoke(cli, ["schema", "--output", "text"])
    assert refused.exit_code == 1 and "'text' is not 'json'" in refused.stderr
    error = json.loads(CliRunner().invoke(cli, ["schema", "--project", "--bogus"]).stdout)
    assert error["error"]["type"] == "usage"  # schema's default output is JSON: so is its error
