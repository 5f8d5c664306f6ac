"""Offline model and voice checks: ``validate`` warns (never errors) when ``model_resource`` is not in Hume's
list for its ``model_provider`` or a ``HUME_AI`` voice name is not in the Voice Library, with a did-you-mean;
``--allow-model``/``--allow-voice`` and an entry's ``ignore_warnings`` silence exactly what they name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import humectl.catalog
from humectl.catalog import model_catalog, voice_library
from humectl.cli.app import cli
from humectl.load import rules
from humectl.load.entries import META_KEYS
from humectl.load.schema import manifest_schema
from humectl.model.desired import LoadOptions
from tests.unit.manifest_helpers import problems_of, write_tree


def config(**fields: object) -> str:
    body = {"name": "c", "evi_version": "3", **fields}
    return yaml.safe_dump({"configs": [body]}, sort_keys=False)


def warnings(tmp_path: Path, text: str, options: LoadOptions | None = None) -> list[tuple[str, str, str | None]]:
    write_tree(tmp_path, {"a.yaml": text})
    found = problems_of(tmp_path, options)
    assert all(p.severity == "warning" for p in found), found
    return [(p.rule, p.message, p.hint) for p in found]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonet-latest"},
            (
                "model_resource 'claude-3-7-sonet-latest' is not one of the models Hume lists for ANTHROPIC",
                "did you mean 'claude-3-7-sonnet-latest'?",
            ),
        ),
        (
            {"model_provider": "ANTHROPIC", "model_resource": "gpt-4o"},
            ("model_resource 'gpt-4o' is listed by Hume for OPEN_AI, not for ANTHROPIC", "set model_provider: OPEN_AI"),
        ),
        (
            {"model_resource": "totally-new-model-9000"},
            (
                "model_resource 'totally-new-model-9000' is not one of the models Hume lists",
                "a model Hume added later? --allow-model totally-new-model-9000 on validate, "
                "or ignore_warnings: [model-resource] here",
            ),
        ),
    ],
)
def test_unknown_or_misplaced_models_warn_with_a_hint(
    tmp_path: Path, model: dict[str, str], expected: tuple[str, str]
) -> None:
    assert warnings(tmp_path, config(language_model=model)) == [("model-resource", *expected)]


@pytest.mark.parametrize(
    "model",
    [
        {"model_provider": "ANTHROPIC", "model_resource": "claude-3-5-sonnet-20241022"},  # public code: live accepted
        {"model_provider": "ANTHROPIC", "model_resource": "claude-2.1"},  # Hume's SDK listed it in 2024
        {"model_provider": "GOOGLE", "model_resource": "gemini-3-flash-preview"},
        {"model_provider": "CUSTOM_LANGUAGE_MODEL", "model_resource": "my-own-model"},  # yours: anything goes
        {"model_resource": "gpt-4o"},  # no provider: any provider's list will do
        {"model_provider": "OPEN_AI"},
    ],
)
def test_known_models_and_your_own_are_quiet(tmp_path: Path, model: dict[str, str]) -> None:
    assert warnings(tmp_path, config(language_model=model)) == []


def test_every_listed_model_is_quiet_under_its_provider(tmp_path: Path) -> None:
    catalog = model_catalog()
    configs = [
        {"name": f"c{i}", "evi_version": "3", "language_model": {"model_provider": p, "model_resource": m}}
        for i, (p, m) in enumerate((p, m) for p, models in catalog.by_provider.items() for m in models)
    ]
    assert len(configs) >= 70
    assert warnings(tmp_path, yaml.safe_dump({"configs": configs})) == []


def test_every_library_voice_is_quiet_in_any_case_and_near_misses_get_a_did_you_mean(tmp_path: Path) -> None:
    names = [n for v in voice_library().names for n in (v, v.lower(), v.upper())]
    configs = [
        {"name": f"c{i}", "evi_version": "3", "voice": {"provider": "HUME_AI", "name": n}} for i, n in enumerate(names)
    ]
    assert warnings(tmp_path, yaml.safe_dump({"configs": configs})) == []
    voice = {"provider": "HUME_AI", "name": "Male English Acter"}
    assert warnings(tmp_path, config(voice=voice)) == [
        (
            "voice-name",
            f"voice 'Male English Acter' is not in Hume's Voice Library "
            f"(the {len(voice_library())} voices humectl knows)",
            "did you mean 'Male English Actor'?",
        )
    ]


def test_custom_voices_and_ids_are_not_checked_against_the_library(tmp_path: Path) -> None:
    assert warnings(tmp_path, config(voice={"provider": "CUSTOM_VOICE", "name": "Anything"})) == []
    assert warnings(tmp_path, config(voice={"provider": "HUME_AI", "id": "0e2a1a6c-0000-4000-8000-000000000000"})) == []


def test_allow_flags_silence_exactly_the_names_given(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": yaml.safe_dump(
                {
                    "configs": [
                        {"name": "a", "evi_version": "3", "language_model": {"model_resource": "claude-opus-5"}},
                        {"name": "b", "evi_version": "3", "language_model": {"model_resource": "claude-opus-6"}},
                        {"name": "c", "evi_version": "3", "voice": {"provider": "HUME_AI", "name": "Brand New"}},
                    ]
                }
            )
        },
    )
    base = ["validate", str(tmp_path), "-o", "json"]
    before = json.loads(CliRunner().invoke(cli, base).stdout)
    assert sorted(p["rule"] for p in before["problems"]) == ["model-resource", "model-resource", "voice-name"]
    result = CliRunner().invoke(cli, [*base, "--allow-model", "claude-opus-5", "--allow-voice", "Brand New"])
    assert result.exit_code == 0
    after = json.loads(result.stdout)["problems"]
    assert [(p["rule"], p["message"]) for p in after] == [
        ("model-resource", "model_resource 'claude-opus-6' is not one of the models Hume lists")
    ]


def test_ignore_warnings_silences_that_entrys_named_warnings_only(tmp_path: Path) -> None:
    quiet = {"model_resource": "claude-opus-5"}
    text = yaml.safe_dump(
        {
            "configs": [
                {"name": "a", "evi_version": "3", "language_model": quiet, "ignore_warnings": ["model-resource"]},
                {
                    "name": "b",
                    "evi_version": "3",
                    "language_model": quiet,
                    "voice": {"name": "ITO"},  # voice-provider: not silenced here
                    "ignore_warnings": ["voice-name"],
                },
            ]
        }
    )
    assert sorted(rule for rule, _, _ in warnings(tmp_path, text)) == ["model-resource", "voice-provider"]


def test_ignore_warnings_takes_only_warning_rules_and_never_reaches_the_api(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": config(ignore_warnings=["unresolved-reference"])})
    errors = problems_of(tmp_path)
    assert [p.rule for p in errors] == ["schema"] and errors[0].severity == "error"
    assert META_KEYS[-1] == "ignore_warnings"
    for kind in ("prompt", "tool", "config"):
        enum = manifest_schema()["$defs"][kind]["properties"]["ignore_warnings"]["items"]["enum"]
        assert tuple(enum) == rules.IGNORABLE_WARNINGS


def test_catalog_models_from_the_spec_are_the_spec_enum(shared_dir: Path) -> None:
    spec = yaml.safe_load((shared_dir / "hume-api-spec/openapi/hume-ai-evi-openapi.yml").read_text(encoding="utf-8"))
    enum = spec["components"]["schemas"]["LanguageModelType"]["enum"]
    data = json.loads((Path(humectl.catalog.__file__).parent / "models.json").read_text(encoding="utf-8"))
    assert [m["model"] for m in data["models"] if m["listed"] == "spec"] == enum
    assert {m["listed"] for m in data["models"]} <= set(data["sources"])
    providers = manifest_schema()["$defs"]["config"]["properties"]["language_model"]["properties"]["model_provider"]
    assert set(model_catalog().by_provider) <= set(providers["enum"])


def test_validate_without_models_or_voices_reads_no_catalog(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": config(voice={"provider": "CUSTOM_VOICE", "name": "v"})})
    code = (
        "import sys, humectl.catalog as c; from humectl.load.manifests import load_manifests; "
        f"load_manifests({str(tmp_path)!r}); "
        "print(c.voice_library.cache_info().currsize, c.model_catalog.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0"]
