"""humectl.decide.export: a live state as manifest files, purely (nothing read or written): one file per
kind in dependency order, prompt texts in their own files when a file carries them exactly, server
defaults left out, references by name (pinned when older), ``${`` escaped, sensitive values written as
``${NAME}``, a selection closed over what it references, names manifests refuse refused up front."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from humectl.core.errors import ExportError, UsageError
from humectl.core.kinds import KINDS
from humectl.decide.export import (
    SCHEMA_COPY,
    dump_entry,
    escape_variables,
    manifest_entry,
    reference_secrets,
    render_export,
    schema_order,
    select_resources,
    text_file_name,
    text_file_problem,
)
from humectl.load.manifests import load_manifests
from humectl.load.yamldoc import MAX_FILE_BYTES
from humectl.model.desired import LoadOptions
from humectl.model.live import LiveResource, LiveState

PARAMETERS = {"properties": {"id": {"type": "string"}}, "type": "object", "required": ["id"], "title": "Lookup"}


def live(*items: tuple[str, dict[str, Any]]) -> LiveState:
    state = LiveState()
    for kind, data in items:
        resource = LiveResource(kind, data["name"], data["id"], data["version"], data)  # type: ignore[arg-type]
        state.resources[(resource.kind, resource.name)] = resource
    return state


def prompt(name: str, text: str, version: int = 0, **more: Any) -> tuple[str, dict[str, Any]]:
    return "prompt", {"id": f"id-{name}", "name": name, "version": version, "text": text, **more}


def tool(name: str, version: int = 0, **more: Any) -> tuple[str, dict[str, Any]]:
    data = {"id": f"id-{name}", "name": name, "version": version, "parameters": json.dumps(PARAMETERS), **more}
    return "tool", data


def config(name: str, **more: Any) -> tuple[str, dict[str, Any]]:
    return "config", {"id": f"id-{name}", "name": name, "version": 0, "evi_version": "3", **more}


ACCOUNT = live(
    prompt("greeter", "Hello ${name}!\nBye.\n", version=3, prompt_expansion={"enabled": True}),
    prompt("crlf", "line\r\nline\r\n"),
    tool("lookup", version=1, description="Look an order up."),
    config(
        "desk",
        prompt={"id": "id-greeter", "name": "greeter", "version": 2},  # older than the head (3): pinned
        tools=[{"id": "id-lookup", "name": "lookup", "version": 1}],  # the head: by name
        nudges={"enabled": False},  # the server's default: left out
        timeouts={
            "inactivity": {"enabled": True, "duration_secs": 120},  # default section: left out
            "max_duration": {"enabled": True, "duration_secs": 600},
        },
        webhooks=[{"url": "https://hooks.example/evi?token=tok-5f1e2d3c4b5a", "events": ["chat_ended"]}],
    ),
)


def files(result: Any) -> dict[str, str]:
    return {f.path: f.content for f in result.files}


def test_the_layout_one_file_per_kind_text_files_and_the_schema_copy() -> None:
    result = render_export(ACCOUNT, schema_text="{}\n")
    written = files(result)
    assert list(written) == sorted(written)
    assert set(written) == {"configs.yaml", "prompts.yaml", "tools.yaml", "prompts/greeter.md", SCHEMA_COPY}
    assert written[SCHEMA_COPY] == "{}\n"
    assert written["prompts/greeter.md"] == "Hello ${name}!\nBye.\n"  # byte for byte, never escaped
    for name in ("configs.yaml", "prompts.yaml", "tools.yaml"):
        lines = written[name].splitlines()
        assert lines[0] == f"# yaml-language-server: $schema={SCHEMA_COPY}"
        assert lines[2] == name.removesuffix(".yaml") + ":"
    assert result.addresses == ["tool/lookup", "prompt/crlf", "prompt/greeter", "config/desk"]  # dependency order
    assert result.counts() == {"tool": 1, "prompt": 2, "config": 1}


def test_a_kind_without_resources_gets_no_file() -> None:
    result = render_export(live(prompt("p", "hi\n")), schema_ref="s.json")
    assert sorted(files(result)) == ["prompts.yaml", "prompts/p.md"]
    assert result.counts() == {"tool": 0, "prompt": 1, "config": 0}


def test_a_schema_ref_replaces_the_copy() -> None:
    result = render_export(ACCOUNT, schema_ref="https://example.com/manifest.schema.json")
    assert SCHEMA_COPY not in files(result)
    assert files(result)["tools.yaml"].startswith("# yaml-language-server: $schema=https://example.com/manifest")


def test_entries_leave_defaults_out_and_pin_only_older_references() -> None:
    written = files(render_export(ACCOUNT, schema_ref="s.json"))
    [desk] = yaml.safe_load(written["configs.yaml"])["configs"]
    assert desk["prompt"] == {"name": "greeter", "version": 2}
    assert desk["tools"] == ["lookup"]
    assert "nudges" not in desk
    assert desk["timeouts"] == {"max_duration": {"enabled": True, "duration_secs": 600}}  # whole sections only
    prompts = {e["name"]: e for e in yaml.safe_load(written["prompts.yaml"])["prompts"]}
    assert prompts["greeter"] == {"name": "greeter", "text_file": "prompts/greeter.md"}  # expansion on: default
    assert prompts["crlf"] == {"name": "crlf", "text": "line\r\nline\r\n"}  # a file could not keep the \r
    [lookup] = yaml.safe_load(written["tools.yaml"])["tools"]
    assert list(lookup) == ["name", "description", "parameters"]  # the kind's export order
    assert lookup["parameters"] == PARAMETERS and list(lookup["parameters"]) == [
        "type",
        "title",
        "properties",
        "required",
    ]


def test_notes_say_what_stayed_inline() -> None:
    result = render_export(ACCOUNT, schema_ref="s.json")
    assert result.notes == [
        "prompt/crlf: text kept inline (it contains carriage returns, which editors and git may rewrite)"
    ]


def test_the_files_load_back_to_the_live_content(tmp_path: Path) -> None:
    for item in render_export(ACCOUNT).files:
        (tmp_path / item.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / item.path).write_bytes(item.content.encode("utf-8"))
    desired = load_manifests(tmp_path, LoadOptions())
    specs = {r.address: r.spec for r in desired.resources}
    assert specs["prompt/greeter"] == {"text": "Hello ${name}!\nBye.\n"}
    assert specs["prompt/crlf"] == {"text": "line\r\nline\r\n"}
    assert specs["tool/lookup"]["parameters"] == json.dumps(PARAMETERS, sort_keys=True, separators=(",", ":"))


def test_inline_dollar_braces_are_escaped_so_they_load_back() -> None:
    account = live(tool("t", description="Costs ${price}"))
    text = files(render_export(account, schema_ref="s.json"))["tools.yaml"]
    assert "Costs $${price}" in text
    assert escape_variables({"a": ["${x}", 1, None], "b": "$${y}"}) == {"a": ["$${x}", 1, None], "b": "$$${y}"}


def test_sensitive_values_are_written_as_references() -> None:
    secret = "tok-5f1e2d3c4b5a"
    result = render_export(ACCOUNT, schema_ref="s.json", secrets={"HOOK_TOKEN": secret})
    configs = files(result)["configs.yaml"]
    assert secret not in configs and "?token=${HOOK_TOKEN}" in configs
    assert "config/desk: the sensitive value of HOOK_TOKEN written as a reference" in result.notes


def test_a_prompt_text_holding_a_secret_stays_inline_as_a_reference() -> None:
    secret = "tok-5f1e2d3c4b5a"
    result = render_export(live(prompt("p", f"Use {secret} and ${{x}}\n")), schema_ref="s.json", secrets={"T": secret})
    written = files(result)
    assert "prompts/p.md" not in written  # a text file is never substituted: the value would be written
    assert "Use ${T} and $${x}" in written["prompts.yaml"]


def test_reference_secrets_prefers_the_longest_value() -> None:
    used: set[str] = set()
    out = reference_secrets(["abcdef-long", {"k": "abcdef"}], {"A": "abcdef", "B": "abcdef-long"}, used)
    assert out == ["${B}", {"k": "${A}"}] and used == {"A", "B"}  # not "${A}-long"


def test_selection_closes_over_references_and_names_the_unknown() -> None:
    chosen = select_resources(ACCOUNT, ["config/desk"])
    assert [r.address for r in chosen] == ["tool/lookup", "prompt/greeter", "config/desk"]
    assert [r.address for r in select_resources(ACCOUNT, ["prompt/crlf"])] == ["prompt/crlf"]
    with pytest.raises(ExportError, match="--select config/dsk: no live config has that name") as caught:
        select_resources(ACCOUNT, ["config/dsk"])
    assert caught.value.hint == "did you mean config/desk?"
    with pytest.raises(UsageError, match=r"--select .*is not an address"):
        select_resources(ACCOUNT, ["voice/x"])


def test_names_manifests_refuse_are_refused_before_anything() -> None:
    account = live(prompt("ok", "hi\n"), prompt("bad\x1bname", "hi\n"), tool("  edge"))
    with pytest.raises(ExportError, match=r"cannot export 2 live resource\(s\) whose names manifests refuse") as caught:
        render_export(account)
    assert caught.value.hint is not None and "nothing was written" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("\ufeffHi", "byte-order mark"),
        ("a\rb", "carriage returns"),
        ("a\x00b", "NUL"),
        ("\ud800", "not encodable as UTF-8"),
        ("x" * (MAX_FILE_BYTES + 1), "file size limit"),
        ("", "empty"),
    ],
)
def test_texts_a_file_cannot_carry(text: str, why: str) -> None:
    problem = text_file_problem(text)
    assert problem is not None and why in problem


def test_text_file_names_are_safe_and_unique() -> None:
    kind = KINDS["prompt"]
    taken: set[str] = set()
    assert text_file_name(kind, "greeter", taken) == "prompts/greeter.md"
    clash = text_file_name(kind, "Greeter", taken)  # case-insensitive file systems: another file
    assert clash.startswith("prompts/Greeter-") and clash != "prompts/Greeter.md"
    odd = text_file_name(kind, "../../etc/passwd", taken)
    assert odd.startswith("prompts/etc-passwd-") and odd.endswith(".md") and "/.." not in odd
    assert text_file_name(kind, "///", taken).startswith("prompts/prompt-")
    assert text_file_name(kind, "trailing.", taken).startswith("prompts/trailing-")


def test_schema_order_reads_type_first_and_nesting_last() -> None:
    properties = {"z": {"description": "d", "type": "string"}, "type": {}, "a": {}}
    ordered = schema_order({"required": ["a"], "properties": properties, "type": "object"})
    assert list(ordered) == ["type", "properties", "required"]
    assert list(ordered["properties"]) == ["z", "type", "a"]  # property names keep their order, "type" too
    assert list(ordered["properties"]["z"]) == ["type", "description"]


def test_a_json_schema_field_that_is_not_json_is_written_as_the_string() -> None:
    notes: list[str] = []
    entry = manifest_entry("tool", {"name": "t", "parameters": "{not json"}, {}, notes=notes)
    assert entry["parameters"] == "{not json"
    assert notes == ["tool/t: parameters are not valid JSON; written as the string the API holds"]
    manifest_entry("tool", {"name": "u", "parameters": "[1]"}, {}, notes=notes)
    assert notes[-1] == "tool/u: parameters are not a JSON object; written as the string the API holds"


def test_keep_writes_a_default_an_entry_already_manages() -> None:
    data = {"name": "c", "evi_version": "3", "nudges": {"enabled": False}}
    assert "nudges" not in manifest_entry("config", data, {})
    assert manifest_entry("config", data, {}, keep=["nudges"])["nudges"] == {"enabled": False}


def test_a_reference_following_latest_stays_by_name() -> None:
    data = {"name": "c", "prompt": {"name": "p", "version": 0, "version_type": "LATEST"}}
    assert manifest_entry("config", data, {("prompt", "p"): 5})["prompt"] == "p"


def test_dump_entry_indents_nested_lists() -> None:
    hook = {"url": "https://hooks.example.com/a-rather-long-path/for-the-webhook", "events": ["chat_started"]}
    assert dump_entry({"name": "desk", "webhooks": [hook]}, indent=0) == (
        "- name: desk\n"
        "  webhooks:\n"
        "    - url: https://hooks.example.com/a-rather-long-path/for-the-webhook\n"
        "      events: [chat_started]\n"
    )


def test_dump_entry_is_block_style_with_short_leaves_inline() -> None:
    text = dump_entry(
        {"name": "desk", "voice": {"provider": "HUME_AI", "name": "ITO"}, "tools": ["a", "b"], "t": "x\ny\n"}
    )
    assert text == (
        "  - name: desk\n    voice: {provider: HUME_AI, name: ITO}\n    tools: [a, b]\n    t: |\n      x\n      y\n"
    )
