"""The loader: discovery, specs exactly as the engine expects them, positions, text_file, parameters."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from humectl.core.errors import ManifestError
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions, Source
from tests.conftest import EXAMPLES_DIR
from tests.unit.manifest_helpers import lines_of, write_tree

FULL = """
prompts:
  - name: agent
    text_file: prompts/agent.md
    prompt_expansion: {enabled: false}
    version_description: first cut
    previous_names: [old-agent]
    protect: true
tools:
  - name: lookup_order
    description: Look up an order.
    parameters:
      type: object
      required: [order_id]
      properties:
        order_id: {type: string}
configs:
  - name: desk
    evi_version: "3"
    prompt: agent
    tools: [lookup_order, {name: shared_tool, version: 4}]
    voice: {provider: HUME_AI, name: ITO}
"""


def test_specs_hold_only_what_the_manifest_sets(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": FULL, "prompts/agent.md": "You are helpful.\n"})
    manifest_set = load_manifests(tmp_path)
    assert [r.address for r in manifest_set.resources] == ["prompt/agent", "tool/lookup_order", "config/desk"]
    prompt, tool, config = manifest_set.resources
    assert prompt.spec == {"text": "You are helpful.\n", "prompt_expansion": {"enabled": False}}
    assert (prompt.version_description, prompt.previous_names, prompt.protect) == ("first cut", ("old-agent",), True)
    assert tool.spec == {
        "description": "Look up an order.",
        "parameters": '{"properties":{"order_id":{"type":"string"}},"required":["order_id"],"type":"object"}',
    }
    assert (tool.version_description, tool.previous_names, tool.protect) == (None, (), False)
    assert config.spec == {
        "evi_version": "3",
        "prompt": {"name": "agent"},
        "tools": [{"name": "lookup_order"}, {"name": "shared_tool", "version": 4}],
        "voice": {"provider": "HUME_AI", "name": "ITO"},
    }
    assert manifest_set.files == ["m.yaml"]


def test_positions(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": FULL, "prompts/agent.md": "x"})
    manifest_set = load_manifests(tmp_path)
    prompt = manifest_set.get("prompt", "agent")
    config = manifest_set.get("config", "desk")
    assert prompt is not None and config is not None
    assert prompt.source == Source("m.yaml", 2, 5)
    assert prompt.positions["/text"] == Source("m.yaml", 3, 16)  # where text_file was written
    assert config.source == Source("m.yaml", 17, 5)
    assert config.positions["/voice/name"] == Source("m.yaml", 21, 38)
    assert config.positions["/prompt/name"] == Source("m.yaml", 19, 13)
    assert config.positions["/tools/1/version"] == Source("m.yaml", 20, 56)


def test_parameters_as_json_string_is_canonicalised(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "m.yaml": """
        tools:
          - name: t
            parameters: '{ "type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "integer"}} }'
        """
        },
    )
    (tool,) = load_manifests(tmp_path).resources
    assert tool.spec["parameters"] == '{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}'
    assert json.loads(tool.spec["parameters"])["type"] == "object"


def test_yaml_keys_are_taken_as_written(tmp_path: Path) -> None:
    # `on`/`no` are booleans in YAML 1.1; as JSON Schema property names they must stay strings.
    write_tree(
        tmp_path,
        {
            "m.yaml": """
        tools:
          - name: t
            parameters:
              type: object
              properties:
                on: {type: string}
                no: {type: string}
        """
        },
    )
    (tool,) = load_manifests(tmp_path).resources
    assert json.loads(tool.spec["parameters"])["properties"] == {"no": {"type": "string"}, "on": {"type": "string"}}


def test_name_prefix_applies_to_names_references_and_previous_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": FULL, "prompts/agent.md": "x"})
    manifest_set = load_manifests(tmp_path, LoadOptions(name_prefix="dev-"))
    assert [r.name for r in manifest_set.resources] == ["dev-agent", "dev-lookup_order", "dev-desk"]
    config = manifest_set.get("config", "dev-desk")
    assert config is not None
    assert config.spec["prompt"] == {"name": "dev-agent"}
    assert config.spec["tools"] == [{"name": "dev-lookup_order"}, {"name": "dev-shared_tool", "version": 4}]
    assert manifest_set.resources[0].previous_names == ("dev-old-agent",)
    assert manifest_set.name_prefix == "dev-"


def test_discovery_is_sorted_and_skips_hidden_directories(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "b.yml": 'prompts: [{name: b, text: "x"}]',
            "a/z.yaml": 'prompts: [{name: az, text: "x"}]',
            "a/y.yaml": 'prompts: [{name: ay, text: "x"}]',
            ".humectl/state.yaml": "not: a manifest",
            ".github/workflows/ci.yml": "on: push",
            "notes.txt": "ignored",
        },
    )
    manifest_set = load_manifests(tmp_path)
    assert manifest_set.files == ["a/y.yaml", "a/z.yaml", "b.yml"]
    assert [r.name for r in manifest_set.resources] == ["ay", "az", "b"]


def test_directory_symlink_is_followed_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {"real/a.yaml": 'prompts: [{name: a, text: "x"}]'})
    os.symlink(tmp_path / "real", tmp_path / "also")
    assert [r.name for r in load_manifests(tmp_path).resources] == ["a"]


def test_single_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": 'prompts: [{name: a, text: "x"}]', "b.yaml": 'prompts: [{name: b, text: "x"}]'})
    assert [r.name for r in load_manifests(tmp_path / "b.yaml").resources] == ["b"]


def test_empty_files_are_fine(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "# nothing yet\n", "b.yaml": 'prompts: [{name: b, text: "x"}]'})
    assert len(load_manifests(tmp_path).resources) == 1


def test_text_file_escaping_the_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("secret")
    write_tree(tmp_path / "root", {"a.yaml": "prompts:\n  - name: p\n    text_file: ../secret.md\n"})
    assert lines_of(tmp_path / "root") == ["a.yaml:3:16: text_file '../secret.md' is outside the project directory"]


def test_text_file_symlink_escaping_the_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("secret")
    write_tree(tmp_path / "root", {"a.yaml": "prompts:\n  - name: p\n    text_file: link.md\n"})
    os.symlink(tmp_path / "secret.md", tmp_path / "root" / "link.md")
    assert lines_of(tmp_path / "root") == ["a.yaml:3:16: text_file 'link.md' is outside the project directory"]


def test_text_file_absolute_missing_binary(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts:
          - {name: p1, text_file: /etc/hostname}
          - {name: p2, text_file: prompts/missing.md}
          - {name: p3, text_file: prompts/bin.md}
          - {name: p4, text_file: prompts/latin1.md}
        """
        },
    )
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "bin.md").write_bytes(b"\x00\x01")
    (tmp_path / "prompts" / "latin1.md").write_bytes("café".encode("latin-1"))
    assert lines_of(tmp_path) == [
        "a.yaml:2:27: text_file '/etc/hostname' must be a relative path",
        "a.yaml:3:27: text_file 'prompts/missing.md' does not exist",
        "a.yaml:4:27: text_file 'prompts/bin.md' is a binary file (it contains NUL bytes), not UTF-8 text",
        "a.yaml:5:27: text_file 'prompts/latin1.md' is not valid UTF-8 text (byte 0xe9 at offset 3)",
    ]


def test_text_file_is_relative_to_the_manifest(tmp_path: Path) -> None:
    write_tree(tmp_path, {"team/a.yaml": "prompts:\n  - name: p\n    text_file: p.md\n", "team/p.md": "hi"})
    assert load_manifests(tmp_path).resources[0].spec == {"text": "hi"}


def test_yaml_details(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        x-voice: &voice {provider: HUME_AI, name: ITO}
        prompts: []
        """
        },
    )
    # An unknown top-level key is a schema violation at the key.
    assert lines_of(tmp_path) == ["a.yaml:1:1: manifest: unknown field 'x-voice'"]
    # Without any manifest key the file is not a manifest at all, and its keys are not quoted.
    write_tree(tmp_path, {"a.yaml": "x-voice: &voice {provider: HUME_AI, name: ITO}\n"})
    assert lines_of(tmp_path) == [
        "a.yaml:1:1: not a humectl manifest: a mapping with none of prompts:, tools:, configs: (1 other key(s))"
    ]


def test_merge_keys_and_anchors(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        configs:
          - &base
            name: one
            evi_version: "3"
            voice: {provider: HUME_AI, name: ITO}
          - <<: *base
            name: two
        """
        },
    )
    one, two = load_manifests(tmp_path).resources
    assert two.name == "two"
    assert two.spec == one.spec == {"evi_version": "3", "voice": {"provider": "HUME_AI", "name": "ITO"}}
    assert two.positions["/name"] == Source("a.yaml", 7, 11)


def test_duplicate_keys_unknown_tags_and_syntax(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": "prompts:\n  - name: a\n    name: b\n    text: !!binary aGk=\n",
            "b.yaml": "prompts:\n  - name: [\n",
            "c.yaml": "prompts:\n\t- name: x\n",
        },
    )
    lines = lines_of(tmp_path)
    assert lines[0] == "a.yaml:3:5: duplicate key 'name' (first set on line 2)"
    assert lines[1] == "a.yaml:4:11: unsupported YAML tag tag:yaml.org,2002:binary"
    assert lines[2].startswith("b.yaml:3:1: YAML syntax error: ")
    assert lines[3].startswith("c.yaml:2:1: YAML syntax error: ")
    assert len(lines) == 4


def test_all_examples_load() -> None:
    for example in sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir() and any(p.glob("*.yaml"))):
        manifest_set = load_manifests(example)
        assert manifest_set.resources, example
        assert manifest_set.warnings == [], example


def test_support_desk_uses_every_config_section() -> None:
    from humectl.core.kinds import CONFIG

    manifest_set = load_manifests(EXAMPLES_DIR / "support-desk")
    used = {key for config in manifest_set.of_kind("config") for key in config.spec}
    assert set(CONFIG.content_fields) <= used
    assert len(manifest_set.of_kind("tool")) >= 2


def test_error_message_lists_problems(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": 'configs:\n  - name: c\n    evi_version: "2"\n'})
    with pytest.raises(ManifestError) as info:
        load_manifests(tmp_path)
    assert str(info.value).splitlines()[0] == "1 error, 0 warnings: the manifests are not valid"
    assert f"{tmp_path}/a.yaml:3:18: evi_version" in str(info.value)


# -- a load begun in a forked child (PendingLoad: what plan and apply use) ----------------------------

BROKEN = {
    "a.yaml": "prompts:\n  - name: fine\n    text: hello\n",
    "b.yaml": "prompts:\n  - name: [not, a, name]\n    text: 3\n",  # schema problems
    "c.yaml": "tools:\n  - &t {name: x}\n  - *t\n",  # an alias: the exact path decides
    "d.yaml": "configs: [\n",  # a syntax error
}


def _forking(monkeypatch: pytest.MonkeyPatch) -> None:
    from humectl import forked

    if not forked.can_fork():
        pytest.skip("forking is used on Linux only")
    monkeypatch.setattr(forked, "MIN_WEIGHT", 0)
