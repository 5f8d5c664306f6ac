"""`humectl validate` through click: exit codes, text/JSON output, GitHub annotations, hostile input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR, TESTDATA_DIR
from tests.unit.manifest_helpers import write_tree

TEN = TESTDATA_DIR / "manifests" / "ten-mistakes"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"GITHUB_ACTIONS": "", "HUMECTL_ENV": ""}
    return CliRunner().invoke(cli, ["validate", *args], env={**base, **(env or {})})


@pytest.mark.parametrize("example", ["minimal", "support-desk", "multi-env"])
def test_examples_are_valid(example: str) -> None:
    result = run(str(EXAMPLES_DIR / example))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid (")


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_multi_env_is_valid_in_every_environment(environment: str) -> None:
    result = run(str(EXAMPLES_DIR / "multi-env"), "--env", environment)
    assert result.exit_code == 0, result.output


def test_ten_mistakes_in_three_files_are_all_named() -> None:
    result = run(str(TEN))
    assert result.exit_code == 1
    expected = [
        ("configs.yaml", 3, 'evi_version "2" is retired'),
        (
            "configs.yaml",
            4,
            "prompt 'suport-agent' is not defined in the manifests (hint: did you mean 'support-agent'?)",
        ),
        ("configs.yaml", 6, "webhook url 'http://hooks.example.com/evi' is not https"),
        ("configs.yaml", 9, "timeouts.inactivity.duration_secs: 10 is below the minimum 30"),
        ("configs.yaml", 11, "undefined variable ${region}"),
        ("prompts.yaml", 5, "prompt 'greeter' sets both text and text_file"),
        (
            "prompts.yaml",
            8,
            "warning: prompt 'support-agent': 'promt_expansion' is not a field humectl knows; it is sent to Hume as "
            "written (hint: did you mean 'prompt_expansion'?",
        ),
        ("tools.yaml", 2, "tool name 'lookup order' cannot be called by the language model"),
        ("tools.yaml", 6, "parameters is not a valid JSON Schema"),
        ("tools.yaml", 7, "duplicate tool name 'create_return': also defined at"),
    ]
    lines = result.output.splitlines()
    assert len(lines) == 11, result.output
    for (file, line, text), out in zip(expected, lines, strict=False):
        assert out.startswith(f"{TEN / file}:{line}:"), out
        assert text in out, out
    assert lines[-1] == "9 errors, 1 warning: the manifests are not valid"  # a typo is a warning: it may be a new field


def test_json_output() -> None:
    result = run(str(TEN), "--output", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert document["summary"] == {"errors": 9, "warnings": 1, "files": None, "resources": None}
    first = document["problems"][0]
    assert set(first) == {"file", "line", "col", "message", "hint", "rule", "severity"}
    assert first["rule"] == "evi-version"

    clean = json.loads(run(str(EXAMPLES_DIR / "support-desk"), "-o", "json").output)
    assert clean == {
        "format_version": 1,
        "valid": True,
        "problems": [],
        "summary": {"errors": 0, "warnings": 0, "files": 3, "resources": {"prompt": 2, "tool": 2, "config": 2}},
        "placeholders": {"prompt/support-agent": [], "prompt/support-agent-after-hours": []},
    }


def test_github_annotations_when_in_actions(tmp_path: Path) -> None:
    root = tmp_path / "a,b:c"  # property values escape ',' and ':' (GitHub's workflow-command rules)
    write_tree(root, {"a.yaml": 'configs:\n  - {name: c, evi_version: "1"}\n'})
    result = run(str(root), env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::")]
    escaped = f"{tmp_path}/a%2Cb%3Ac/a.yaml"
    assert annotations == [
        f"::error file={escaped},line=2,col=28,title=humectl%3A evi-version::"
        'evi_version "1" is retired: EVI versions 1 and 2 ended on 2025-08-30%0Ahint: use "3" or "4-mini"'
    ]
    assert "::" not in run(str(root)).output  # not outside Actions
    assert "::error" in run(str(root), "--github").output
    as_json = run(str(root), "--github", "-o", "json")
    assert json.loads(as_json.stdout)["valid"] is False  # annotations go to stderr, JSON stays parseable
    assert "::error" in as_json.stderr


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": 'configs:\n  - {name: c, evi_version: "3", voice: {name: ITO}}\n'})
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert "warning: voice 'ITO' has no provider" in result.output
    assert result.output.splitlines()[-1] == "valid (1 file, 0 prompts, 0 tools, 1 config), 1 warning"


def test_bad_var_flag_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(EXAMPLES_DIR / "minimal"), "--var", "oops")
    assert result.exit_code == 1
    assert "is not NAME=VALUE" in result.output


# --- hostile input: one clear line, exit 1, fast, never a traceback -----------------------------


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 2, result.output  # the problem and the summary
    return lines[0]


def test_alias_bomb(tmp_path: Path) -> None:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        rows.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(rows) + "\n")
    # refused once past the limit, not after building 9**10 nodes (the suite's timeout catches that)
    line = _one_line_error(run(str(tmp_path)))
    assert "expands to more than 500,000 nodes through aliases" in line


def test_recursive_alias(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("prompts: &a [*a]\n")
    assert "recursive alias" in _one_line_error(run(str(tmp_path)))


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    with (tmp_path / "huge.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk
    line = _one_line_error(run(str(tmp_path)))  # refused by its size, before it is read
    assert line.startswith(f"{tmp_path}/huge.yaml: manifest is 50.0 MB, over the 5 MB limit (hint: ")


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "image.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert _one_line_error(run(str(tmp_path))) == (
        f"{tmp_path}/image.yaml: manifest is a binary file (it contains NUL bytes), not UTF-8 text"
    )


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("prompts: [{name: café, text: x}]\n".encode("latin-1"))
    assert "is not valid UTF-8 text" in _one_line_error(run(str(tmp_path)))


def test_directory_without_manifests(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing here")
    assert _one_line_error(run(str(tmp_path))) == (
        f"{tmp_path}: no manifest files (*.yaml, *.yml) under {tmp_path} "
        "(hint: point humectl at the directory holding your manifests)"
    )


def test_missing_directory(tmp_path: Path) -> None:
    assert _one_line_error(run(str(tmp_path / "nope"))) == f"{tmp_path}/nope: manifest directory does not exist"


def test_symlink_loop_of_directories(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")
    line = _one_line_error(run(str(tmp_path)))
    assert line.startswith(f"{tmp_path}/sub/up: symlink loop")


def test_symlink_loop_of_files(tmp_path: Path) -> None:
    os.symlink("b.yaml", tmp_path / "a.yaml")
    os.symlink("a.yaml", tmp_path / "b.yaml")
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{tmp_path}/a.yaml: manifest is a symlink loop",
        f"{tmp_path}/b.yaml: manifest is a symlink loop",
    ]


def test_root_is_a_symlink_loop(tmp_path: Path) -> None:
    os.symlink("loop", tmp_path / "loop")
    line = _one_line_error(run(str(tmp_path / "loop")))
    assert line == f"{tmp_path}/loop: manifest directory is a broken symlink or a symlink loop"


def test_deep_nesting(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("prompts: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "YAML syntax error" in _one_line_error(run(str(tmp_path)))


def test_manifest_flags_reach_the_loader(tmp_path: Path) -> None:
    write_tree(tmp_path, {"vars.yaml": "agent_name: Kim\n"})
    root = str(EXAMPLES_DIR / "multi-env")
    assert run(root, "--env", "dev", "--var-file", str(tmp_path / "vars.yaml"), "--var", "company=X").exit_code == 0
    assert run(root, "--name-prefix", "pr-7-").exit_code == 0
    unknown = run(root, "--env", "qa")
    assert unknown.exit_code == 1
    assert "environment 'qa' is not defined in humectl.yaml" in unknown.output
    from_env = run(root, env={"HUMECTL_ENV": "prdo"})
    assert from_env.exit_code == 1
    assert "did you mean 'prod'?" in from_env.output
