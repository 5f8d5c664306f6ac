"""A GitHub Actions workflow is neither humectl's project file nor a manifest, whatever its name.

``examples/github`` once held a workflow named ``humectl.yml``, which ``validate`` read as the project
file; messages about the project file name the file actually read (``humectl.yml``, not always ``humectl.yaml``).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR
from tests.unit.manifest_helpers import write_tree

WORKFLOW = (EXAMPLES_DIR / "github" / "humectl-workflow.yml").read_text()
MANIFEST = "prompts:\n  - name: agent\n    text: Be kind.\n"


def validate(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args], env={"GITHUB_ACTIONS": "", "HUMECTL_ENV": ""})


def test_the_github_example_is_not_read_as_manifests() -> None:
    result = validate(str(EXAMPLES_DIR / "github"))
    assert result.exit_code == 1
    assert "unknown field" not in result.output and "humectl.yaml" not in result.output
    assert "humectl-workflow.yml: warning: a GitHub Actions workflow, not a humectl manifest" in result.output
    assert "no manifest files" in result.output


def test_a_workflow_named_humectl_yml_is_not_the_project_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "evi", {"humectl.yml": WORKFLOW, "agents.yaml": MANIFEST})
    result = validate(str(root))
    assert result.exit_code == 0, result.output
    assert f"{root}/humectl.yml: warning: a GitHub Actions workflow" in result.output
    assert "valid (1 file, 1 prompt" in result.output


def test_a_workflow_among_manifests_is_skipped_with_a_warning(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "evi", {"ci.yml": WORKFLOW, "agents.yaml": MANIFEST})
    result = validate(str(root))
    assert result.exit_code == 0, result.output
    assert "ci.yml: warning: a GitHub Actions workflow, not a humectl manifest; skipped" in result.output


def test_project_file_messages_name_the_file_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "evi", {"humectl.yml": "variabls: {a: 1}\n", "agents.yaml": MANIFEST})
    result = validate(str(root))
    assert result.exit_code == 1
    assert "unknown field 'variabls' in humectl.yml" in result.output
    scalar = write_tree(tmp_path / "two", {"humectl.yml": "- a\n", "agents.yaml": MANIFEST})
    assert "humectl.yml must be a mapping" in validate(str(scalar)).output


def test_env_without_project_file_names_both_spellings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "evi", {"agents.yaml": MANIFEST})
    result = validate(str(root), "--env", "dev")
    assert result.exit_code == 1
    assert "no humectl.yaml (or humectl.yml)" in result.output
