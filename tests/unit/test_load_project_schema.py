"""The project file ``humectl.yaml`` (issue 24 item 5, issue 23 item 4, issue 27 item 4).

Its shape is ``schemas/project.schema.json``'s alone: whatever the schema allows loads, whatever it
refuses is a problem at file:line:col (as a manifest's), whichever validator answers. The loader adds
only what a schema cannot say: the chosen environment exists (``--env``, else ``default_env``), one is
chosen when a command acts on a scope, name prefixes are names and never overlap, ``--name-prefix``
names no other environment's scope.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from humectl.core.errors import ManifestError
from humectl.load import schema
from humectl.load.manifests import environment_endpoint, load_manifests
from humectl.load.project import Endpoint
from humectl.model.desired import LoadOptions
from tests.conftest import REPO_ROOT

MANIFEST = 'prompts: [{name: agent, text: "hi"}]\n'
FULL = """\
variables: {company: Northwind}
sensitive: [token]
policy: {fail_on: high}
retention: {keep_versions: 10}
default_env: dev
environments:
  dev:
    description: sandbox
    name_prefix: dev-
    base_url: http://127.0.0.1:8001
    api_key_env: DEV_HUME_API_KEY
    retention: {keep_versions: 3}
  prod:
    name_prefix: ""
    variables: {company: Northwind Outfitters}
    sensitive: [other]
    policy: {deny: [config.voice]}
    base_url: https://evi.example.com/v0
    api_key_env: PROD_HUME_API_KEY
"""


def project(tmp_path: Path, text: str, manifest: str = MANIFEST) -> Path:
    root = tmp_path / "evi"
    root.mkdir(exist_ok=True)
    (root / "humectl.yaml").write_text(text, encoding="utf-8")
    (root / "agents.yaml").write_text(manifest, encoding="utf-8")
    return root


def problems(root: Path, options: LoadOptions | None = None) -> list[tuple[int, int, str, str]]:
    try:
        load_manifests(root, options or LoadOptions())
    except ManifestError as exc:
        return [(p.line, p.col, p.message, p.rule) for p in exc.problems if p.file.endswith("humectl.yaml")]
    return []


def test_every_field_the_schema_declares_loads() -> None:
    """FULL sets every property of the schema, top level and per environment (so a field added to the
    schema without a loader that reads it, or the reverse, fails here)."""
    declared = json.loads((REPO_ROOT / "schemas" / "project.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load(FULL)
    assert set(data) == set(declared["properties"])
    used = {key for env in data["environments"].values() for key in env}
    assert used == set(declared["$defs"]["environment"]["properties"])
    assert schema.project_violations(data) == []


def test_the_new_fields_are_read(tmp_path: Path) -> None:
    root = project(tmp_path, FULL)
    dev = load_manifests(root, LoadOptions(environment_required=True))  # default_env: dev
    assert (dev.environment, dev.name_prefix, dev.retention.keep_versions) == ("dev", "dev-", 3)
    prod = load_manifests(root, LoadOptions(environment="prod"))
    assert (prod.environment, prod.name_prefix, prod.retention.keep_versions) == ("prod", "", 10)
    assert environment_endpoint(root, LoadOptions()) == Endpoint("dev", "http://127.0.0.1:8001", "DEV_HUME_API_KEY")
    assert environment_endpoint(root, LoadOptions(environment="prod")) == Endpoint(
        "prod", "https://evi.example.com/v0", "PROD_HUME_API_KEY"
    )
    assert load_manifests(project(tmp_path, "variables: {a: 1}\n")).retention.keep_versions is None


@pytest.mark.parametrize(
    ("text", "line", "col", "message", "rule"),
    [
        ("default_env: 3\n", 1, 14, "default_env: must be a string, not an integer", "project-file"),
        (
            "retention: {keep_versions: 0}\n",
            1,
            28,
            "retention.keep_versions: 0 is below the minimum 1",
            "project-file",
        ),
        (
            "environments:\n  dev:\n    base_url: https://user:pw@evi.example.com\n",
            3,
            15,
            "environment 'dev': base_url: 'https://user:pw@evi.example.com' is not a valid API base URL",
            "project-file",
        ),
        (
            "environments:\n  dev:\n    api_key_env: 1KEY\n",
            3,
            18,
            "environment 'dev': api_key_env: '1KEY' is not a valid variable name",
            "project-file",
        ),
        (
            "environments:\n  dev:\n    prefix: dev-\n",
            3,
            5,
            "environment 'dev': unknown field 'prefix'",
            "project-file",
        ),
        ("variables: {a-b: 1}\n", 1, 13, "variables: 'a-b' is not a variable name", "variables"),
        ("sensitive: [a-b]\n", 1, 13, "sensitive[0]: 'a-b' is not a valid variable name", "variables"),
        ("policy:\n  fail_on: low\n", 2, 12, "policy.fail_on: 'low' is not one of the allowed values", "policy"),
        ("- a\n", 1, 1, "humectl.yaml must be a mapping, not a list", "project-file"),
    ],
)
def test_the_schema_says_what_is_wrong_at_file_line_col(
    tmp_path: Path, text: str, line: int, col: int, message: str, rule: str
) -> None:
    assert problems(project(tmp_path, text)) == [(line, col, message, rule)]


@pytest.mark.parametrize("text", [FULL, "environments:\n  dev: {prefix: x, base_url: ftp://x}\nretention: []\n"])
def test_the_compiled_and_the_pure_python_validator_agree(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(text)
    fast = schema.project_violations(data)
    monkeypatch.setattr(schema, "_compiled", lambda *schema_file: None)
    assert schema.project_violations(data) == fast


# --- what a schema cannot say ----------------------------------------------------------------------


def test_environments_are_scopes_a_command_needs_one(tmp_path: Path) -> None:
    text = "environments:\n  dev: {name_prefix: dev-}\n  prod: {}\n"
    root = project(tmp_path, text)
    assert problems(root, LoadOptions(environment_required=True)) == [
        (
            1,
            1,
            "humectl.yaml declares environments (dev, prod): choose one with --env NAME (or HUMECTL_ENV)",
            "environment",
        )
    ]
    assert problems(root) == []  # validate checks the top level without one
    assert problems(root, LoadOptions(environment_required=True, name_prefix="pr-7-")) == []  # a scope named
    assert load_manifests(project(tmp_path, text + "default_env: prod\n"), LoadOptions(environment_required=True))


def test_default_env_must_name_an_environment(tmp_path: Path) -> None:
    root = project(tmp_path, "default_env: stagign\nenvironments:\n  staging: {name_prefix: s-}\n")
    assert problems(root) == [(1, 14, "default_env 'stagign' is not an environment of humectl.yaml", "environment")]


@pytest.mark.parametrize(
    ("envs", "problem"),
    [
        (
            "  dev: {name_prefix: dev-}\n  eu: {name_prefix: dev-eu-}\n",
            "name_prefix 'dev-eu-' of environment 'eu' overlaps the name prefix of environment 'dev' ('dev-')",
        ),
        (
            "  dev: {name_prefix: dev-eu-}\n  eu: {name_prefix: dev-}\n",
            "name_prefix 'dev-' of environment 'eu' overlaps the name prefix of environment 'dev' ('dev-eu-')",
        ),
        (
            "  dev: {name_prefix: x-}\n  eu: {name_prefix: x-}\n",
            "name_prefix 'x-' of environment 'eu' is the name prefix of environment 'dev' ('x-')",
        ),
    ],
)
def test_overlapping_prefixes_are_refused(tmp_path: Path, envs: str, problem: str) -> None:
    [(line, _, message, rule)] = problems(project(tmp_path, "environments:\n" + envs))
    assert line == 3 and message.startswith(problem) and rule == "environment"


def test_prefixes_may_overlap_across_accounts_and_the_account_scope_is_apart(tmp_path: Path) -> None:
    text = (
        "environments:\n"
        "  dev: {name_prefix: dev-}\n"
        "  eu: {name_prefix: dev-, base_url: 'https://eu.example.com'}\n"
        "  prod: {name_prefix: ''}\n"
    )
    assert problems(project(tmp_path, text)) == []


@pytest.mark.parametrize(("prefix", "ok"), [("dev-", False), ("dev-eu-", False), ("pr-42-", True)])
def test_a_name_prefix_flag_never_names_another_environments_scope(tmp_path: Path, prefix: str, ok: bool) -> None:
    root = project(tmp_path, "environments:\n  dev: {name_prefix: dev-}\n  prod: {}\n")
    found = problems(root, LoadOptions(name_prefix=prefix))
    assert (found == []) == ok, found
    if not ok:
        assert f"--name-prefix '{prefix}'" in found[0][2] and "environment 'dev'" in found[0][2]
    assert problems(root, LoadOptions(environment="dev", name_prefix="dev-")) == []  # its own
    assert problems(root, LoadOptions(environment="dev", name_prefix="dev-x-"))  # inside its own: two scopes


def test_endpoint_problems_are_raised_before_connecting(tmp_path: Path) -> None:
    root = project(tmp_path, "environments:\n  dev: {name_prefix: dev-}\n")
    with pytest.raises(ManifestError) as err:
        environment_endpoint(root, LoadOptions(environment="stage"))
    assert "environment 'stage' is not defined in humectl.yaml" in str(err.value)
    assert environment_endpoint(tmp_path / "evi" / "agents.yaml", LoadOptions(environment="dev")) == Endpoint("dev")


def test_policy_keys_keep_their_did_you_mean(tmp_path: Path) -> None:
    """The schema marks policy keys (x-humectl-check); the loader words them, once."""
    found = problems(project(tmp_path, "policy:\n  risk: {config.voices: low}\n"))
    assert found == [(2, 10, "'config.voices' is neither a risk rule nor a field path", "policy")]


def test_every_problem_of_a_section_is_reported_once(tmp_path: Path) -> None:
    assert problems(project(tmp_path, "retention: {keep: 2}\n")) == [
        (1, 12, "retention: missing required field 'keep_versions'", "project-file"),
        (1, 13, "retention: unknown field 'keep'", "project-file"),
    ]
