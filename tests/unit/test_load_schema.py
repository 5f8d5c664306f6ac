"""The manifest JSON Schema: well-formed, documented, strict, in step with Hume's spec, right on examples."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from humectl.cli.app import cli
from humectl.core.errors import ManifestError
from humectl.load.manifests import load_manifests
from humectl.load.schema import manifest_schema, manifest_schema_text, schema_violations, unknown_fields
from tests.conftest import EXAMPLES_DIR, REPO_ROOT, TESTDATA_DIR

BAD_DIR = TESTDATA_DIR / "manifests" / "schema-bad"
PROJECT_SCHEMA = REPO_ROOT / "schemas" / "project.schema.json"


def _walk(schema: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        yield path, schema
        for key, value in schema.items():
            if key in ("enum", "examples", "required", "x-humectl-check"):
                continue
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from _walk(item, f"{path}/{i}")


def _example_files() -> list[Path]:
    project_files = ("humectl.yaml", "humectl.yml")
    return sorted(p for p in EXAMPLES_DIR.rglob("*.y*ml") if p.name not in project_files and p.parent.name != "github")


def test_schema_is_valid_draft_2020_12() -> None:
    schema = manifest_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]
    Draft202012Validator.check_schema(schema)
    Draft202012Validator.check_schema(json.loads(PROJECT_SCHEMA.read_text()))


# Where a manifest may write a field humectl does not know (one Hume added later): entries and the API's
# sections. Closed: the document (prompts/tools/configs) and humectl's own reference form {name, version}.
OPEN_OBJECTS = {
    "#/$defs/prompt",
    "#/$defs/prompt/properties/prompt_expansion",
    "#/$defs/tool",
    "#/$defs/config",
    *(
        f"#/$defs/config/properties/{section}"
        for section in (
            "voice",
            "language_model",
            "ellm_model",
            "builtin_tools/items",
            "event_messages",
            "event_messages/properties/on_new_chat",
            "event_messages/properties/on_inactivity_timeout",
            "event_messages/properties/on_max_duration_timeout",
            "timeouts",
            "timeouts/properties/inactivity",
            "timeouts/properties/max_duration",
            "nudges",
            "turn_detection",
            "interruption",
            "webhooks/items",
        )
    ),
}


def test_every_field_has_title_and_description_and_objects_are_closed_or_open_on_purpose() -> None:
    for schema_text in (manifest_schema_text(), PROJECT_SCHEMA.read_text()):
        for path, node in _walk(json.loads(schema_text)):
            if path.endswith("/properties") or path.endswith("/$defs"):
                continue  # containers of named subschemas, not subschemas themselves
            if "properties" in node:
                assert node.get("additionalProperties") is (path in OPEN_OBJECTS), path
                for name, prop in node["properties"].items():
                    assert prop.get("title") and prop.get("description"), f"{path}/properties/{name}"


def test_open_objects_still_check_the_fields_they_know() -> None:
    doc = {"configs": [{"name": "c", "evi_version": "3", "nudges": {"enabled": "yes", "cadence": 3}, "x": {"y": 1}}]}
    found = {(v.pointer, v.message) for v in schema_violations(doc)}
    message = "config 'c': nudges.enabled: must be true or false or null, not 'yes'"
    assert found == {("/configs/0/nudges/enabled", message)}
    [config] = doc["configs"]
    assert [(u.dotted, "enabled" in u.known) for u in unknown_fields("config", config)] == [
        ("nudges.cadence", True),
        ("x", False),
    ]


def test_enums_and_ranges_match_humes_spec(shared_dir: Path) -> None:
    spec = yaml.safe_load((shared_dir / "hume-api-spec/openapi/hume-ai-evi-openapi.yml").read_text())
    hume = spec["components"]["schemas"]
    config = manifest_schema()["$defs"]["config"]["properties"]
    model = config["language_model"]["properties"]
    assert model["model_provider"]["enum"] == hume["ModelProviderEnum"]["enum"]
    assert model["model_resource"]["anyOf"][0]["enum"] == hume["LanguageModelType"]["enum"]
    assert config["voice"]["properties"]["provider"]["enum"] == hume["VoiceProvider"]["enum"]
    builtin = config["builtin_tools"]["items"]["properties"]["name"]["enum"]
    assert builtin == hume["PostedBuiltinToolName"]["enum"]
    events = config["webhooks"]["items"]["properties"]["events"]["items"]["enum"]
    assert events == hume["PostedWebhookSpecEventsItems"]["enum"]
    # Every field Hume accepts on a config is in the manifest schema (name-based refs replace ids).
    assert set(hume["posted_config"]["properties"]) <= set(config)
    for section, ref in [
        ("event_messages", "PostedConfigEventMessages"),
        ("timeouts", "PostedConfigTimeouts"),
        ("nudges", "PostedConfigNudges"),
        ("turn_detection", "posted_turn_detection_spec"),
        ("interruption", "posted_interruption_spec"),
        ("ellm_model", "PostedConfigEllmModel"),
        ("language_model", "PostedConfigLanguageModel"),
    ]:
        assert set(config[section]["properties"]) == set(hume[ref]["properties"]), section
    assert set(manifest_schema()["$defs"]["tool"]["properties"]) >= set(hume["posted_user_defined_tool"]["properties"])
    assert set(manifest_schema()["$defs"]["prompt"]["properties"]) >= set(hume["posted_prompt"]["properties"])
    turn = config["turn_detection"]["properties"]
    assert (turn["end_of_turn_silence_ms"]["minimum"], turn["end_of_turn_silence_ms"]["maximum"]) == (500, 3000)
    assert (turn["prefix_padding_ms"]["minimum"], turn["prefix_padding_ms"]["maximum"]) == (0, 1000)
    interruption = config["interruption"]["properties"]["min_interruption_ms"]
    assert (interruption["minimum"], interruption["maximum"]) == (50, 2000)
    assert config["evi_version"]["enum"] == ["3", "4-mini"]


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: str(p.relative_to(EXAMPLES_DIR)))
def test_schema_accepts_every_example(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    schema_line = text.splitlines()[0]
    assert schema_line.startswith("# yaml-language-server: $schema=")
    target = (path.parent / schema_line.split("$schema=", 1)[1].strip()).resolve()
    assert target == (REPO_ROOT / "schemas" / "manifest.schema.json").resolve()
    assert schema_violations(yaml.safe_load(text)) == []


def test_project_files_of_examples_validate_and_point_at_the_project_schema() -> None:
    validator = Draft202012Validator(json.loads(PROJECT_SCHEMA.read_text()))
    found = sorted(EXAMPLES_DIR.rglob("humectl.yaml"))
    assert found
    for path in found:
        text = path.read_text()
        target = (path.parent / text.splitlines()[0].split("$schema=", 1)[1].strip()).resolve()
        assert target == PROJECT_SCHEMA.resolve()
        assert list(validator.iter_errors(yaml.safe_load(text))) == []


@pytest.mark.parametrize("path", sorted(BAD_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_schema_rejects_each_known_bad_fixture(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert list(Draft202012Validator(manifest_schema()).iter_errors(data)), path.name
    # ... and the loader reports it, located, whichever check (schema or rule) words it.
    with pytest.raises(ManifestError) as info:
        load_manifests(path)
    assert all(p.line >= 2 for p in info.value.problems), [p.format() for p in info.value.problems]


def test_schema_command_prints_the_shipped_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == manifest_schema()
    assert result.output == (REPO_ROOT / "schemas" / "manifest.schema.json").read_text()


def test_wheel_ships_the_schemas() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert '"schemas" = "humectl/schemas"' in pyproject


def test_violations_are_worded_for_people() -> None:
    doc = {
        "configs": [
            {
                "name": "c",
                "evi_version": "3",
                "voicee": {},  # a field humectl does not know: a warning of the rules (unknown-field), not the schema's
                "timeouts": {"inactivity": {"enabled": "yes"}},
                "prompt": {"name": "p", "versoin": 1},
            }
        ]
    }
    found = {(v.pointer, v.message, v.hint) for v in schema_violations(doc)}
    assert found == {
        (
            "/configs/0/timeouts/inactivity/enabled",
            "config 'c': timeouts.inactivity.enabled: must be true or false, not 'yes'",
            "write true or false without quotes",
        ),
        ("/configs/0/prompt/versoin", "config 'c': prompt: unknown field 'versoin'", "did you mean 'version'?"),
    }
