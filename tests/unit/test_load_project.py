"""humectl.load.project: humectl.yaml (found at the root, or named), its variables, environments,
sensitive names and policy resolved for one load with --var-file files and the flags' values in
precedence order; every mistake a located problem (policy mistakes: tests/unit/test_decide_policy.py); its
retention: (top level, an environment's over it, checked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humectl.core import sensitive
from humectl.core.errors import ManifestError, Problem
from humectl.load.manifests import load_manifests
from humectl.load.project import Resolved, looks_like_workflow, resolve_options
from humectl.model.desired import LoadOptions
from humectl.model.review import Policy

PROJECT = """\
variables: {team: base, region: eu, level: 1}
sensitive: [token]
environments:
  dev:
    name_prefix: dev-
    variables: {team: dev, key: dev-key-0001}
    sensitive: [key]
  prod:
    name_prefix: prod-
    policy: {fail_on: high}
  bare:
"""


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    sensitive.reset()
    yield
    sensitive.reset()


def resolve(root: Path, options: LoadOptions | None = None) -> tuple[Resolved, list[str]]:
    problems: list[Problem] = []
    resolved = resolve_options(root, str(root), options or LoadOptions(), problems)
    return resolved, [f"{Path(p.file).name}:{p.line}:{p.col}: {p.message}" for p in problems]


def write(root: Path, name: str, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    return root / name


def test_no_project_file_resolves_to_the_flags_alone(tmp_path: Path) -> None:
    resolved, problems = resolve(tmp_path, LoadOptions(variables={"a": "1"}, name_prefix="x-"))
    assert problems == []
    assert (resolved.variables, resolved.name_prefix, resolved.excluded, resolved.declared_prefixes) == (
        {"a": "1"},
        "x-",
        set(),
        (),
    )
    assert resolved.policy == Policy()


def test_the_chosen_environment_refines_the_top_level(tmp_path: Path) -> None:
    project = write(tmp_path, "humectl.yaml", PROJECT)
    resolved, problems = resolve(tmp_path, LoadOptions(environment="dev"))
    assert problems == []
    assert resolved.variables == {"team": "dev", "region": "eu", "level": "1", "key": "dev-key-0001"}
    assert resolved.name_prefix == "dev-"
    assert resolved.declared_prefixes == ("dev-", "prod-")  # every environment's, for --prune and destroy
    assert resolved.excluded == {project.resolve()}  # never read as a manifest
    assert resolved.sensitive == {"key": "dev-key-0001"}  # token is listed but has no value
    assert sensitive.current().mask("the dev-key-0001") == "the (sensitive)"  # registered before any manifest
    prod, _ = resolve(tmp_path, LoadOptions(environment="prod", name_prefix="mine-"))
    assert prod.name_prefix == "mine-" and prod.policy == Policy(fail_on="high")
    bare, problems = resolve(tmp_path, LoadOptions(environment="bare"))
    assert problems == [] and bare.name_prefix == "" and bare.variables["team"] == "base"


def test_precedence_project_then_environment_variables_then_secrets_then_var_files_then_flags(tmp_path: Path) -> None:
    write(tmp_path, "humectl.yaml", "variables: {a: project, b: project, c: project, d: project, e: project}\n")
    one = write(tmp_path / "vars", "one.yaml", "c: file-one\nd: file-one\n")
    two = write(tmp_path / "vars", "two.yaml", "d: file-two\n")
    options = LoadOptions(
        env_variables={"b": "environ", "c": "environ", "d": "environ", "e": "environ"},
        secret_variables={"e": "secret-value"},
        var_files=(str(one), str(two)),
        variables={"a": "flag"},
    )
    resolved, problems = resolve(tmp_path, options)
    assert problems == []
    assert resolved.variables == {"a": "flag", "b": "environ", "c": "file-one", "d": "file-two", "e": "secret-value"}
    assert {one.resolve(), two.resolve()} <= resolved.excluded
    assert resolved.sensitive == {"e": "secret-value"}  # a HUMECTL_SECRET_ value is sensitive by its source


def test_humectl_yml_and_a_named_project_file(tmp_path: Path) -> None:
    write(tmp_path, "humectl.yml", "variables: {a: yml}\n")
    assert resolve(tmp_path)[0].variables == {"a": "yml"}
    named = write(tmp_path / "elsewhere", "project.yaml", "variables: {a: named}\n")
    resolved, problems = resolve(tmp_path, LoadOptions(project_file=str(named)))
    assert problems == [] and resolved.variables == {"a": "named"}


def test_a_workflow_named_humectl_yaml_is_not_the_project_file(tmp_path: Path) -> None:
    write(tmp_path, "humectl.yaml", "on: push\njobs: {plan: {runs-on: ubuntu-latest}}\n")
    write(tmp_path, "humectl.yml", "variables: {a: real}\n")
    assert resolve(tmp_path)[0].variables == {"a": "real"}
    assert looks_like_workflow({"on": "push", "jobs": {}}) and not looks_like_workflow({"jobs": {}})
    assert not looks_like_workflow(["on", "jobs"])


def test_an_unknown_environment_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path, "humectl.yaml", PROJECT)
    found: list[Problem] = []
    resolve_options(tmp_path, str(tmp_path), LoadOptions(environment="prdo"), found)
    assert [(p.line, p.message, p.hint) for p in found] == [
        (3, "environment 'prdo' is not defined in humectl.yaml", "did you mean 'prod'?")
    ]
    write(tmp_path / "empty", "humectl.yaml", "variables: {}\n")
    problems_list: list[Problem] = []
    resolve_options(tmp_path / "empty", "empty", LoadOptions(environment="dev"), problems_list)
    assert problems_list[0].hint == "defined environments: none"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n", ["humectl.yaml:1:1: humectl.yaml must be a mapping"]),
        # The shape is schemas/project.schema.json's to say (tests/unit/test_load_project_schema.py).
        ("environments: [dev]\n", ["humectl.yaml:1:15: environments: must be a mapping, not a list"]),
        ("environments:\n  dev: dev-\n", ["humectl.yaml:2:8: environment 'dev': must be a mapping or null, not a"]),
        (
            "environments:\n  dev: {name_prefix: 3}\n",
            ["humectl.yaml:2:22: environment 'dev': name_prefix: must be a string, not integer 3"],
        ),
        ("sensitive: token\n", ["humectl.yaml:1:12: sensitive: must be a list, not a string"]),
        (
            "sensitive: [ok, 2x, {a: 1}]\n",
            [
                "humectl.yaml:1:17: sensitive[1]: '2x' is not a valid variable name",
                "humectl.yaml:1:21: sensitive[2]: must be a string, not a mapping",
            ],
        ),
        ("variables: [a]\n", ["humectl.yaml:1:12: variables: must be a mapping, not a list"]),
        ("variabels: {}\npolicy: {}\n", ["humectl.yaml:1:1: unknown field 'variabels' in humectl.yaml"]),
        (
            "environments:\n  dev: {name_prefix: '   '}\n",
            ["humectl.yaml:2:22: name_prefix '   ' of environment 'dev' is only whitespace"],
        ),
        ("a: [unclosed\n", ["humectl.yaml:"]),
    ],
)
def test_project_file_mistakes_are_located(tmp_path: Path, text: str, expected: list[str]) -> None:
    write(tmp_path, "humectl.yaml", text)
    _, problems = resolve(tmp_path)
    assert len(problems) == len(expected), problems
    for found, start in zip(problems, expected, strict=True):
        assert found.startswith(start), found


def test_a_too_short_sensitive_value_is_a_problem_and_never_registered(tmp_path: Path) -> None:
    write(tmp_path, "humectl.yaml", "variables: {pin: '123'}\nsensitive: [pin]\n")
    resolved, problems = resolve(tmp_path)
    assert problems == [
        "humectl.yaml:2:13: the sensitive variable 'pin' has a value of 3 characters; humectl needs at least 4 "
        "to keep it out of its output"
    ]
    assert resolved.sensitive == {} and sensitive.current().mask("123") == "123"
    _, from_environ = resolve(tmp_path / "none", LoadOptions(secret_variables={"S": "abc"}))
    assert from_environ[0].startswith("humectl.yaml:0:0: the sensitive variable 'S' has a value of 3 characters")


def test_var_file_problems_are_named_by_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "vars", "bad.yaml", "ok: 1\n2x: 2\nnested: {a: 1}\n")
    _, problems = resolve(tmp_path, LoadOptions(var_files=(str(bad), str(tmp_path / "missing.yaml"))))
    assert problems == [
        "bad.yaml:2:1: '2x' is not a variable name",
        "bad.yaml:3:9: variable 'nested' must be a string, number or boolean",
        "missing.yaml:0:0: variable file does not exist (or is a broken symlink)",
    ]


# --- retention: ----------------------------------------------------------------------------------


def project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "m.yaml").write_text("prompts:\n  - {name: a, text: x}\n")
    (tmp_path / "humectl.yaml").write_text(text)
    return tmp_path


def test_retention_of_the_top_level_and_of_an_environment(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "retention: {keep_versions: 10}\nenvironments:\n  dev: {name_prefix: dev-, retention: {keep_versions: 2}}\n"
        "  prod: {name_prefix: ''}\n",
    )
    assert load_manifests(root).retention.keep_versions == 10
    assert load_manifests(root, LoadOptions(environment="dev")).retention.keep_versions == 2
    assert load_manifests(root, LoadOptions(environment="prod")).retention.keep_versions == 10
    (tmp_path / "humectl.yaml").write_text("variables: {}\n")
    assert load_manifests(root).retention.keep_versions is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retention: {keep_versions: 0}\n", "retention.keep_versions: 0 is below the minimum 1"),
        ("retention: {keep_versions: two}\n", "retention.keep_versions: must be an integer, not a string"),
        ("retention: {keep: 3}\n", "retention: unknown field 'keep'"),
        ("retention: 3\n", "retention: must be a mapping, not an integer"),
        ("retention: {keep_versions: true}\n", "retention.keep_versions: must be an integer, not true (true/false)"),
    ],
)
def test_retention_problems(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests(project(tmp_path, text))
    assert any(message in p.message for p in caught.value.problems), [p.message for p in caught.value.problems]
