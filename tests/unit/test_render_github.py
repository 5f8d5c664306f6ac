"""humectl.render.github: workflow-command escaping, groups, masks, step summary and outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.core.errors import Problem
from humectl.render import github


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, True),
        ({"GITHUB_ACTIONS": "false"}, False),
        ({"GITHUB_ACTIONS": "True"}, False),
        ({"GITHUB_ACTIONS": "1"}, False),
        ({}, False),
    ],
)
def test_in_github_actions(env: dict[str, str], expected: bool) -> None:
    assert github.in_github_actions(env) is expected


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("100%", "100%25"),
        ("a\rb", "a%0Db"),
        ("a\nb", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab"),
        ("%0A", "%250A"),  # % first: a literal "%0A" must not turn into a newline
        ("a:b,c", "a:b,c"),  # data keeps ':' and ','
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_escape_data(raw: str, escaped: str) -> None:
    assert github.escape_data(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("100%", "100%25"),
        ("a\rb", "a%0Db"),
        ("a\nb", "a%0Ab"),
        ("a:b", "a%3Ab"),
        ("a,b", "a%2Cb"),
        ("%3A", "%253A"),
        ("C:\\x,y%\n", "C%3A\\x%2Cy%25%0A"),
    ],
)
def test_escape_property(raw: str, escaped: str) -> None:
    assert github.escape_property(raw) == escaped


def test_annotation_all_properties_in_order() -> None:
    line = github.annotation(
        "error",
        "'name' is required",
        file="manifests/a.yaml",
        line=3,
        col=5,
        end_line=4,
        end_col=9,
        title="schema",
    )
    assert line == ("::error file=manifests/a.yaml,line=3,endLine=4,col=5,endColumn=9,title=schema::'name' is required")


def test_annotation_without_properties() -> None:
    assert github.annotation("warning", "careful") == "::warning::careful"
    assert github.annotation("notice", "fyi", line=None, title=None) == "::notice::fyi"


def test_annotation_escapes_message_and_properties() -> None:
    line = github.annotation(
        "error",
        "100% wrong:\nsee, here",
        file="dir,with:odd%name.yaml",
        title="a: b, c",
    )
    assert line == "::error file=dir%2Cwith%3Aodd%25name.yaml,title=a%3A b%2C c::100%25 wrong:%0Asee, here"
    # The command stays one physical line whatever the input.
    assert "\n" not in line and "\r" not in line


def test_annotation_rejects_unknown_level() -> None:
    with pytest.raises(ValueError, match="level"):
        github.annotation("fatal", "x")


def test_problem_annotation_uses_location_rule_and_hint() -> None:
    problem = Problem(
        file="manifests/tools.yaml",
        line=7,
        col=3,
        message="unknown tool 'lookup'",
        hint="did you mean 'lookup_order'?",
        rule="unknown-reference",
    )
    assert github.problem_annotation(problem) == (
        "::error file=manifests/tools.yaml,line=7,col=3,title=humectl%3A unknown-reference"
        "::unknown tool 'lookup'%0Ahint: did you mean 'lookup_order'?"
    )


def test_problem_annotation_warning_and_missing_position() -> None:
    problem = Problem(file="a.yaml", line=0, col=0, message="m", severity="warning", rule="style")
    assert github.problem_annotation(problem) == "::warning file=a.yaml,title=humectl%3A style::m"


def test_group_lines() -> None:
    assert github.group("Plan: 3 to change") == "::group::Plan: 3 to change"
    assert github.group("two\nlines 100%") == "::group::two%0Alines 100%25"
    assert github.endgroup() == "::endgroup::"


@pytest.mark.parametrize("body", ["line 1\nline 2", "line 1\nline 2\n"])
def test_grouped_wraps_text(body: str) -> None:
    assert github.grouped("Plan", body) == "::group::Plan\nline 1\nline 2\n::endgroup::"


def test_grouped_empty_body() -> None:
    assert github.grouped("Nothing", "") == "::group::Nothing\n::endgroup::"


def test_output_group_writes_around_block_even_on_error() -> None:
    lines: list[str] = []
    with github.output_group("Validate", lines.append):
        lines.append("inside")
    assert lines == ["::group::Validate", "inside", "::endgroup::"]

    lines.clear()
    with pytest.raises(RuntimeError), github.output_group("Apply", lines.append):
        lines.append("half")
        raise RuntimeError("boom")
    assert lines == ["::group::Apply", "half", "::endgroup::"]


def test_output_group_disabled_adds_nothing() -> None:
    lines: list[str] = []
    with github.output_group("Validate", lines.append, enabled=False):
        lines.append("inside")
    assert lines == ["inside"]


def test_mask() -> None:
    assert github.mask("s3cr3t") == "::add-mask::s3cr3t"
    assert github.mask("50%off") == "::add-mask::50%25off"
    assert github.mask("one\ntwo\r\n\nthree") == "::add-mask::one\n::add-mask::two\n::add-mask::three"
    assert github.mask("") == ""


def test_append_step_summary_creates_then_appends(tmp_path: Path) -> None:
    summary = tmp_path / "sub" / "summary.md"
    summary.parent.mkdir()
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert github.append_step_summary("## Plan\n\n2 to change", env) is True
    assert summary.read_text(encoding="utf-8") == "## Plan\n\n2 to change\n"
    assert github.append_step_summary("### Apply ✅\n", env) is True
    assert summary.read_text(encoding="utf-8") == "## Plan\n\n2 to change\n### Apply ✅\n"


def test_append_step_summary_keeps_existing_content(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    assert github.append_step_summary("mine", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == "earlier step\nmine\n"


@pytest.mark.parametrize("env", [{}, {"GITHUB_STEP_SUMMARY": ""}])
def test_append_step_summary_unset(env: dict[str, str], tmp_path: Path) -> None:
    assert github.append_step_summary("x", env) is False
    assert list(tmp_path.iterdir()) == []


def test_set_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    env = {"GITHUB_OUTPUT": str(out)}
    assert github.set_output("has-changes", "true", env)
    assert github.set_output("text", "a\nb", env)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("has-changes<<ghadelimiter_")
    assert lines[1:3] == ["true", lines[0].split("<<", 1)[1]]
    assert lines[3].startswith("text<<")
    assert lines[4:6] == ["a", "b"]
    assert lines[6] == lines[3].split("<<", 1)[1]
    assert github.set_output("x", "y", {}) is False
