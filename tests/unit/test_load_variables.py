"""Variables (${name}) and environments (humectl.yaml, --env, --name-prefix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.core.errors import UsageError
from humectl.load.manifests import build_load_options, load_manifests
from humectl.load.variables import parse_var_flags, substitute, variables_from_environ
from humectl.model.desired import LoadOptions
from tests.conftest import EXAMPLES_DIR
from tests.unit.manifest_helpers import lines_of, write_tree

CONFIG = """
configs:
  - name: ${team}-desk
    evi_version: "3"
    voice: {provider: HUME_AI, name: "${voice}"}
    language_model:
      model_provider: ANTHROPIC
      temperature: ${temp}              # block style: in {flow} mappings ${...} needs quotes
    event_messages:
      on_new_chat: {enabled: true, text: "Costs $${price} at ${company}"}
"""


def test_substitute() -> None:
    assert substitute("a ${x} b ${y}", {"x": "1", "y": "2"}).text == "a 1 b 2"
    assert substitute("$${x} and $$ and $x", {"x": "1"}).text == "${x} and $$ and $x"
    result = substitute("${nope} ${ bad } ${unclosed", {})
    assert result.undefined == ["nope"]
    assert result.malformed == ["${ bad }", "${"]


def test_sources_and_precedence(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "m",
        {
            "m.yaml": CONFIG,
            "humectl.yaml": """
        variables: {team: base, voice: ITO, temp: 0.1, company: Base}
        environments:
          dev:
            name_prefix: dev-
            variables: {team: dev, temp: 0.2, company: Dev}
        """,
        },
    )
    write_tree(tmp_path, {"one.yaml": "temp: 0.3\ncompany: One\n", "two.yaml": "company: Two\n"})
    options = build_load_options(
        var_flags=["voice=KORA"],
        var_files=[str(tmp_path / "one.yaml"), str(tmp_path / "two.yaml")],
        environment="dev",
        environ={"HUMECTL_VAR_team": "env", "HUMECTL_VAR_company": "Env", "HUME_API_KEY": "secret"},
    )
    (config,) = load_manifests(tmp_path / "m", options).resources
    assert config.name == "dev-env-desk"  # prefix from the environment, team from HUMECTL_VAR_team
    assert config.spec["voice"] == {"provider": "HUME_AI", "name": "KORA"}  # --var wins
    assert config.spec["language_model"]["temperature"] == 0.3  # a lone unquoted ${temp} is a number
    assert config.spec["event_messages"]["on_new_chat"]["text"] == "Costs ${price} at Two"  # later file wins


def test_only_humectl_var_environment_variables_are_readable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": "prompts:\n  - name: p\n    text: key ${HUME_API_KEY}\n"})
    options = build_load_options(environ={"HUME_API_KEY": "secret", "HUMECTL_VAR_other": "x"})
    assert options.env_variables == {"other": "x"}
    assert lines_of(tmp_path, options) == ["m.yaml:3:11: undefined variable ${HUME_API_KEY}"]


def test_undefined_variable_did_you_mean(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": "prompts:\n  - name: p\n    text: Hi from ${compnay}\n"})
    from tests.unit.manifest_helpers import problems_of

    (problem,) = problems_of(tmp_path, LoadOptions(variables={"company": "Acme"}))
    assert (problem.line, problem.col, problem.rule) == (3, 11, "undefined-variable")
    assert problem.hint == "did you mean ${company}?"


def test_quoted_lone_variable_stays_a_string(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": 'prompts:\n  - name: p\n    text: "${n}"\n'})
    (prompt,) = load_manifests(tmp_path, LoadOptions(variables={"n": "42"})).resources
    assert prompt.spec["text"] == "42"


def test_keys_are_not_substituted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": "prompts:\n  - name: p\n    ${field}: x\n"})
    assert lines_of(tmp_path, LoadOptions(variables={"field": "text"})) == [
        "m.yaml:2:5: prompt 'p' has neither text nor text_file",
        "m.yaml:3:5: warning: prompt 'p': '${field}' is not a field humectl knows; it is sent to Hume as written",
    ]


def test_var_flags() -> None:
    assert parse_var_flags(["a=1", "b==2", "a=3"]) == {"a": "3", "b": "=2"}
    with pytest.raises(UsageError, match="is not NAME=VALUE"):
        parse_var_flags(["novalue"])
    with pytest.raises(UsageError, match="is not a variable name"):
        parse_var_flags(["1x=2"])


def test_variables_from_environ() -> None:
    env = {"HUMECTL_VAR_A": "1", "HUMECTL_VAR_": "x", "HUMECTL_VAR_1": "y", "HUMECTL_ENV": "dev", "PATH": "/bin"}
    assert variables_from_environ(env) == {"A": "1"}


def test_unknown_environment_and_missing_project_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "a",
        {
            "m.yaml": 'prompts: [{name: p, text: "x"}]',
            "humectl.yaml": """
        environments:
          dev: {name_prefix: dev-}
          prod: {}
        """,
        },
    )
    assert lines_of(tmp_path / "a", LoadOptions(environment="prdo")) == [
        "humectl.yaml:1:1: environment 'prdo' is not defined in humectl.yaml"
    ]
    write_tree(tmp_path / "b", {"m.yaml": 'prompts: [{name: p, text: "x"}]'})
    assert lines_of(tmp_path / "b", LoadOptions(environment="dev")) == [
        f"humectl.yaml:0:0: --env dev was given but there is no humectl.yaml (or humectl.yml) in {tmp_path / 'b'}"
    ]


def test_project_file_mistakes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "m.yaml": 'prompts: [{name: p, text: "x"}]',
            "humectl.yaml": """
        variabels: {}
        variables: {ok: 1, "bad-name": 2, nested: {a: 1}}
        environments:
          dev: {prefix: dev-}
        """,
        },
    )
    assert lines_of(tmp_path) == [  # as schemas/project.schema.json says (one source of truth)
        "humectl.yaml:1:1: unknown field 'variabels' in humectl.yaml",
        "humectl.yaml:2:20: variables: 'bad-name' is not a variable name",
        "humectl.yaml:2:43: variables.nested: must be a string or a number or true or false, not a mapping",
        "humectl.yaml:4:9: environment 'dev': unknown field 'prefix'",
    ]


def test_var_file_problems(tmp_path: Path) -> None:
    write_tree(tmp_path / "m", {"m.yaml": 'prompts: [{name: p, text: "x"}]'})
    write_tree(tmp_path, {"list.yaml": "- a\n"})
    options = LoadOptions(var_files=(str(tmp_path / "missing.yaml"), str(tmp_path / "list.yaml")))
    assert lines_of(tmp_path / "m", options) == [
        f"{tmp_path}/list.yaml:1:1: a variable file must be a mapping of name: value",
        f"{tmp_path}/missing.yaml:0:0: variable file does not exist (or is a broken symlink)",
    ]


def test_var_file_inside_the_root_is_not_a_manifest(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": "prompts: [{name: p, text: '${x}'}]", "vars/dev.yaml": "x: hello\n"})
    options = LoadOptions(var_files=(str(tmp_path / "vars/dev.yaml"),))
    assert load_manifests(tmp_path, options).resources[0].spec == {"text": "hello"}


def test_multi_env_example_per_environment() -> None:
    root = EXAMPLES_DIR / "multi-env"
    names = {}
    for env in ("dev", "staging", "prod"):
        manifest_set = load_manifests(root, build_load_options(environment=env, environ={}))
        config = manifest_set.of_kind("config")[0]
        names[env] = (
            config.name,
            config.spec["prompt"],
            config.spec["webhooks"][0]["url"],
            config.spec["voice"]["name"],
        )
    assert names == {
        "dev": ("dev-concierge", {"name": "dev-concierge"}, "https://hooks.example.com/evi/dev", "ITO"),
        "staging": ("staging-concierge", {"name": "staging-concierge"}, "https://hooks.example.com/evi/staging", "ITO"),
        "prod": ("concierge", {"name": "concierge"}, "https://hooks.example.com/evi/prod", "KORA"),
    }
    # --name-prefix overrides the environment's prefix.
    overridden = load_manifests(root, build_load_options(environment="dev", name_prefix="pr-42-", environ={}))
    assert overridden.of_kind("tool")[0].name == "pr-42-check_stock"
