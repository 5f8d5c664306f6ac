"""Each semantic rule: the exact message, severity and file:line:col it reports."""

from __future__ import annotations

import json
from pathlib import Path

from humectl.load.manifests import load_manifests
from tests.unit.manifest_helpers import lines_of, problems_of, write_tree

PROMPT = """
prompts:
  - name: agent
    text: Hello.
"""


def one(root: Path) -> str:
    lines = lines_of(root)
    assert len(lines) == 1, lines
    return lines[0]


def test_prompt_text_and_text_file_both(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "p.md": "x",
            "a.yaml": """
        prompts:
          - name: agent
            text: Hello.
            text_file: p.md
        """,
        },
    )
    assert one(tmp_path) == "a.yaml:4:5: prompt 'agent' sets both text and text_file"


def test_prompt_text_neither(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts:
          - name: agent
            prompt_expansion: {enabled: false}
        """
        },
    )
    assert one(tmp_path) == "a.yaml:2:5: prompt 'agent' has neither text nor text_file"


def test_tool_name_not_callable(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        tools:
          - name: look up.order
            parameters: {type: object}
        """
        },
    )
    assert one(tmp_path) == (
        "a.yaml:2:11: tool name 'look up.order' cannot be called by the language model: it contains ' ', '.'"
    )


def test_tool_name_too_long_with_prefix(tmp_path: Path) -> None:
    from humectl.model.desired import LoadOptions

    name = "t" * 60
    write_tree(tmp_path, {"a.yaml": f"tools:\n  - name: {name}\n    parameters: {{type: object}}\n"})
    assert lines_of(tmp_path) == []
    problems = problems_of(tmp_path, LoadOptions(name_prefix="staging-"))
    assert [p.message for p in problems] == [
        f"tool name 'staging-{name}' cannot be called by the language model: it is 68 characters long (at most 64)"
    ]
    assert problems[0].hint == "use 1 to 64 letters, digits, '_' or '-' (the name prefix 'staging-' counts too)"


def test_tool_parameters_not_a_json_schema(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        tools:
          - name: t
            parameters:
              type: object
              properties:
                id: {type: strin}
        """
        },
    )
    (line,) = lines_of(tmp_path)
    assert line.startswith("a.yaml:6:20: parameters is not a valid JSON Schema: ")
    assert line.endswith("(at properties/id/type)")


def test_tool_parameters_bad_json_string(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        tools:
          - name: t
            parameters: '{"type": "object",}'
        """
        },
    )
    # The decoder's own words differ between Python versions (3.13 names the trailing comma).
    try:
        json.loads('{"type": "object",}')
    except json.JSONDecodeError as exc:
        why = f"{exc.msg} (line {exc.lineno}, column {exc.colno} of the string)"
    assert one(tmp_path) == f"a.yaml:3:17: parameters is not valid JSON: {why}"


def test_tool_parameters_not_object_is_a_warning(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        tools:
          - name: t
            parameters: {type: string}
        """
        },
    )
    assert one(tmp_path) == (
        "a.yaml:3:17: warning: tool parameters should describe an object (type: object): "
        "the model passes named arguments"
    )


def test_webhook_not_https(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        configs:
          - name: c
            evi_version: "3"
            webhooks:
              - url: http://hooks.example.com/evi
                events: [chat_ended]
        """
        },
    )
    assert one(tmp_path) == "a.yaml:5:14: webhook url 'http://hooks.example.com/evi' is not https"


def test_webhook_without_host(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        configs:
          - name: c
            evi_version: "3"
            webhooks: [{url: "https:///x", events: [chat_ended]}]
        """
        },
    )
    assert one(tmp_path) == "a.yaml:4:22: webhook url 'https:///x' has no host"


def test_evi_version_retired(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": 'configs:\n  - name: c\n    evi_version: "2"\n'})
    (problem,) = problems_of(tmp_path)
    assert (problem.line, problem.col) == (3, 18)
    assert problem.message == 'evi_version "2" is retired: EVI versions 1 and 2 ended on 2025-08-30'
    assert problem.hint == 'use "3" or "4-mini"'
    assert problem.rule == "evi-version"


def test_evi_version_retired_unquoted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "configs:\n  - name: c\n    evi_version: 1\n"})
    assert one(tmp_path) == 'a.yaml:3:18: evi_version "1" is retired: EVI versions 1 and 2 ended on 2025-08-30'


def test_evi_version_unquoted_number(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "configs:\n  - name: c\n    evi_version: 3\n"})
    (problem,) = problems_of(tmp_path)
    assert problem.message == "evi_version must be a string, not a number"
    assert problem.hint == 'quote it: evi_version: "3"'


def test_evi_version_unknown(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": 'configs:\n  - name: c\n    evi_version: "4-mni"\n'})
    (problem,) = problems_of(tmp_path)
    assert problem.message == "evi_version '4-mni' is not supported"
    assert problem.hint == "did you mean '4-mini'?"


def test_duplicate_names_name_both_places(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": PROMPT, "b.yaml": PROMPT})
    assert one(tmp_path) == "b.yaml:2:11: duplicate prompt name 'agent': also defined at a.yaml:2:11"


def test_names_that_differ_only_by_unicode_normalisation_are_one_name(tmp_path: Path) -> None:
    nfc, nfd = "caf\u00e9", "cafe\u0301"  # look identical, differ in bytes
    write_tree(tmp_path, {"a.yaml": f"prompts:\n  - name: {nfc}\n    text: Hi.\n  - name: {nfd}\n    text: Hi.\n"})
    assert one(tmp_path) == (
        f"a.yaml:4:11: prompt name '{nfd}' (NFD) differs from '{nfc}' (NFC) at a.yaml:2:11 only by Unicode "
        "normalisation: the two look identical in the dashboard and in a pull request"
    )
    (problem,) = problems_of(tmp_path)
    assert (problem.rule, problem.severity) == ("duplicate-name", "error")
    assert problem.hint is not None and "NFC" in problem.hint
    # a previous name counts the same way: it cannot be (almost) the entry's own, nor another's name
    write_tree(tmp_path, {"a.yaml": f"prompts:\n  - name: {nfc}\n    previous_names: [{nfd}]\n    text: Hi.\n"})
    (own,) = problems_of(tmp_path)
    assert own.rule == "previous-names" and "lists its own name" in own.message


def test_same_name_in_different_kinds_is_fine(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": PROMPT + '\nconfigs:\n  - name: agent\n    evi_version: "3"\n    prompt: agent\n'})
    assert lines_of(tmp_path) == []


def test_unresolved_reference_did_you_mean(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": PROMPT,
            "b.yaml": """
        configs:
          - name: c
            evi_version: "3"
            prompt: agnet
            tools: [lookup]
        """,
        },
    )
    problems = problems_of(tmp_path)
    assert [(p.line, p.col, p.message, p.hint) for p in problems] == [
        (4, 13, "config 'c': prompt 'agnet' is not defined in the manifests", "did you mean 'agent'?"),
        (
            5,
            13,
            "config 'c': tool 'lookup' is not defined in the manifests",
            "define it under tools:, or pin an existing tool with {name: lookup, version: N}",
        ),
    ]


def test_pinned_reference_to_unmanaged_resource_is_fine(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        configs:
          - name: c
            evi_version: "3"
            prompt: {name: shared-prompt, version: 3}
            tools: [{name: shared_tool, version: 0}]
        """
        },
    )
    manifest_set = load_manifests(tmp_path)
    assert manifest_set.warnings == []
    assert manifest_set.resources[0].spec["prompt"] == {"name": "shared-prompt", "version": 3}
    assert manifest_set.resources[0].spec["tools"] == [{"name": "shared_tool", "version": 0}]


def test_pinned_reference_to_managed_resource_is_a_warning(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": PROMPT,
            "b.yaml": """
        configs:
          - name: c
            evi_version: "3"
            prompt: {name: agent, version: 2}
        """,
        },
    )
    manifest_set = load_manifests(tmp_path)  # a warning never fails the load
    (warning,) = manifest_set.warnings
    assert (warning.file, warning.line, warning.col, warning.severity, warning.rule) == (
        str(tmp_path / "b.yaml"),
        4,
        13,
        "warning",
        "pinned-managed",
    )
    assert warning.message == (
        "config 'c' pins prompt 'agent' to version 2, but the manifests manage that prompt: "
        "its changes will never reach this config"
    )


def test_tool_listed_twice(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        tools:
          - {name: t, parameters: {type: object}}
        configs:
          - name: c
            evi_version: "3"
            tools: [t, t]
            builtin_tools: [{name: hang_up}, {name: hang_up}]
        """
        },
    )
    assert lines_of(tmp_path) == [
        "a.yaml:6:16: config 'c' lists tool 't' twice",
        "a.yaml:7:38: config 'c' lists built-in tool 'hang_up' twice",
    ]


def test_voice_both_name_and_id(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"a.yaml": 'configs:\n  - name: c\n    evi_version: "3"\n    voice: {provider: HUME_AI, name: ITO, id: abc}\n'},
    )
    assert one(tmp_path) == "a.yaml:4:43: voice sets both name and id"


def test_voice_without_provider_is_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": 'configs:\n  - name: c\n    evi_version: "3"\n    voice: {name: ITO}\n'})
    assert one(tmp_path) == (
        "a.yaml:4:12: warning: voice 'ITO' has no provider, so Hume looks for it among your custom voices"
    )


def test_unknown_model_resource_is_a_warning(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": 'configs:\n  - name: c\n    evi_version: "3"\n'
            "    language_model: {model_provider: ANTHROPIC, model_resource: claude-3-7-sonet-latest}\n"
        },
    )
    (problem,) = problems_of(tmp_path)
    assert problem.severity == "warning"
    assert problem.message == (
        "model_resource 'claude-3-7-sonet-latest' is not one of the models Hume lists for ANTHROPIC"
    )
    assert problem.hint == "did you mean 'claude-3-7-sonnet-latest'?"


def test_previous_names_conflicts(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts:
          - {name: a, text: x, previous_names: [a]}
          - {name: b, text: x, previous_names: [old]}
          - {name: c, text: x, previous_names: [old, b]}
        """
        },
    )
    assert lines_of(tmp_path) == [
        "a.yaml:2:41: prompt 'a' lists its own name as a previous name",
        "a.yaml:4:41: previous name 'old' is also claimed by prompt 'b' (a.yaml:3:5)",
        "a.yaml:4:46: previous name 'b' of prompt 'c' is the name of another prompt (a.yaml:3:12)",
    ]


def test_webhook_url_that_urllib_cannot_parse(tmp_path: Path) -> None:
    # Found by the property tests: an unclosed "[" (an IPv6 host) made urllib raise ValueError.
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        configs:
          - name: c
            evi_version: "3"
            webhooks: [{url: "https://[broken", events: [chat_started]}]
        """
        },
    )
    assert one(tmp_path) == ("a.yaml:4:22: webhook url 'https://[broken' is not a valid URL (Invalid IPv6 URL)")


# --- names: what reaches terminals, logs and PR comments -----------------------------------------

NAME_CASES = [
    ("support\u202egnp.exe", "holds U+202E RIGHT-TO-LEFT OVERRIDE at character 8, a bidi control"),
    ("admin\u200b", "holds U+200B ZERO WIDTH SPACE at character 6, an invisible character"),
    ("a\nb **Plan: 0 to create** <!--", "holds U+000A LINE FEED at character 2, a control character"),
    ("x\x1b]0;title\x07", "holds U+001B ESCAPE at character 2 (and 1 more such character), a control character"),
    ("nul\x00", "holds U+0000 NULL at character 4, a control character"),
    ("line\u2028sep", "holds U+2028 LINE SEPARATOR at character 5, a line separator"),
    ("csi\x9b", "holds U+009B CONTROL SEQUENCE INTRODUCER at character 4, a control character"),
    ("soft\u00adhyphen", "holds U+00AD SOFT HYPHEN at character 5, an invisible character"),
    ("bom\ufeff", "holds U+FEFF ZERO WIDTH NO-BREAK SPACE at character 4, an invisible character"),
    ("tag\U000e0041", "holds U+E0041 TAG LATIN CAPITAL LETTER A at character 4, an invisible character"),
    ("\u3164", "holds U+3164 HANGUL FILLER at character 1, an invisible character"),
    ("no\u00a0break", "holds U+00A0 NO-BREAK SPACE at character 3, a space other than the ordinary one"),
    ("mark\u200e", "holds U+200E LEFT-TO-RIGHT MARK at character 5, a bidi control"),
    (" lead", "starts or ends with whitespace"),
    ("trail ", "starts or ends with whitespace"),
    ("x" * 257, "is 257 characters long; Hume allows at most 256"),
]


def yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar for ``text``, every non-ASCII character as an escape."""
    body = "".join(
        c if " " <= c < "\x7f" and c not in '"\\' else f"\\U{ord(c):08x}" if ord(c) > 0xFFFF else f"\\u{ord(c):04x}"
        for c in text
    )
    return f'"{body}"'


def test_hostile_names_are_refused_at_their_line(tmp_path: Path) -> None:
    entries = "".join(f"  - name: {yaml_quoted(name)}\n    text: x\n" for name, _ in NAME_CASES)
    write_tree(tmp_path, {"a.yaml": "prompts:\n" + entries})
    problems = problems_of(tmp_path)
    assert [(p.line, p.rule) for p in problems] == [(2 + 2 * i, "name") for i in range(len(NAME_CASES))]
    for problem, (name, why) in zip(problems, NAME_CASES, strict=True):
        assert problem.col == 11 and why in problem.message, problem.message
        assert problem.message.startswith(f"prompt name '{name[:57]}")
        assert problem.hint


def test_names_of_every_script_are_fine(tmp_path: Path) -> None:
    names = ["café-agent", "日本語", "агент", "وكيل", "एजेंट", "می\u200cخواهم", "a b", "x" * 256, "👩‍💻 helper"]
    entries = "".join(f"  - {{name: {yaml_quoted(n)}, text: x}}\n" for n in names)
    write_tree(tmp_path, {"a.yaml": "prompts:\n" + entries})
    # The Persian non-joiner and the emoji's joiner are invisible in a name: only they are refused.
    assert [p.message.split(" holds ")[0] for p in problems_of(tmp_path)] == [
        "prompt name 'می\u200cخواهم'",
        "prompt name '👩\u200d💻 helper'",
    ]


def test_previous_names_tools_configs_and_prefixes(tmp_path: Path) -> None:
    from humectl.core.errors import UsageError
    from humectl.load.manifests import build_load_options
    from humectl.model.desired import LoadOptions

    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts:
          - {name: p, text: x, previous_names: ["old\\u202e", ok-old]}
        tools:
          - {name: "t\\u200b", parameters: {type: object}}
        configs:
          - {name: "c\\x1b[2J", evi_version: "3"}
          - {name: long, evi_version: "3"}
        """
        },
    )
    problems = problems_of(tmp_path, LoadOptions(name_prefix="p" * 253))
    expected = [
        (2, 41, "previous name 'old\u202e' of prompt 'p' holds U+202E"),
        (4, 12, "tool name 't\u200b' holds U+200B ZERO WIDTH SPACE"),
        (6, 12, "config name 'c\x1b[2J' holds U+001B ESCAPE"),
        (7, 12, "config name 'long' is 257 characters long"),
    ]
    assert [(p.line, p.col) for p in problems] == [(line, col) for line, col, _ in expected]
    for problem, (_, _, start) in zip(problems, expected, strict=True):
        assert problem.message.startswith(start), problem.message
    assert problems[-1].message.endswith("(with the name prefix '" + "p" * 253 + "')")
    try:
        build_load_options(name_prefix="dev\u2066-")
    except UsageError as exc:
        assert "holds U+2066 LEFT-TO-RIGHT ISOLATE" in exc.message
    else:  # pragma: no cover
        raise AssertionError("a hostile --name-prefix was accepted")
    write_tree(tmp_path, {"humectl.yaml": 'environments:\n  dev: {name_prefix: "dev\\u200d"}\n'})
    assert [p.line for p in problems_of(tmp_path, LoadOptions(environment="dev")) if "name_prefix" in p.message] == [2]


def test_a_reference_to_a_name_the_manifests_rename_away(tmp_path: Path) -> None:
    """Found by the model-based test: a pin to a prompt's old name dangled after the rename was applied."""
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts:
          - {name: agent-v2, text: Hello., previous_names: [agent]}
        tools:
          - {name: lookup2, parameters: {type: object}, previous_names: [lookup]}
        configs:
          - {name: desk, evi_version: "3", prompt: {name: agent, version: 0}, tools: [lookup]}
        """,
        },
    )
    assert lines_of(tmp_path) == [
        "a.yaml:6:44: config 'desk' refers to prompt 'agent', which prompt 'agent-v2' renames (previous_names): "
        "after apply no prompt has that name",
        "a.yaml:6:79: config 'desk' refers to tool 'lookup', which tool 'lookup2' renames (previous_names): "
        "after apply no tool has that name",
    ]


# --- fields humectl does not know ------------------------------------------------------------------


def test_a_field_humectl_does_not_know_is_a_warning_and_reaches_the_spec(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        configs:
          - name: desk
            evi_version: "3"
            ambient_sound: {preset: office}
            event_messages:
              on_resume_chat: {enabled: true, text: Welcome back.}
            language_model: {model_provider: ANTHROPIC, temprature: 0.5}
        """
        },
    )
    problems = problems_of(tmp_path)
    assert [(p.line, p.col, p.rule, p.severity) for p in problems] == [
        (4, 5, "unknown-field", "warning"),
        (6, 7, "unknown-field", "warning"),
        (7, 49, "unknown-field", "warning"),
    ]
    assert (
        problems[0].message
        == "config 'desk': 'ambient_sound' is not a field humectl knows; it is sent to Hume as written"
    )
    assert (
        problems[0].hint
        == "a field Hume added after humectl? ignore_warnings: [unknown-field] on the config silences this"
    )
    assert problems[1].message.startswith("config 'desk': 'event_messages.on_resume_chat' is not a field")
    assert "did you mean" not in (problems[1].hint or "")  # a new field, not a typo of on_new_chat
    assert problems[2].hint is not None and problems[2].hint.startswith("did you mean 'temperature'?")
    [config] = load_manifests(tmp_path).resources
    assert config.spec["ambient_sound"] == {"preset": "office"}
    assert config.spec["event_messages"]["on_resume_chat"] == {"enabled": True, "text": "Welcome back."}
    assert config.spec["language_model"]["temprature"] == 0.5  # sent as written: the warning said so


def test_ignore_warnings_silences_unknown_fields(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts:
          - name: agent
            text: Hello.
            tone: warm
            ignore_warnings: [unknown-field]
        tools:
          - name: lookup
            parameters: {type: object}
            strict: true
        """
        },
    )
    assert lines_of(tmp_path) == [
        "a.yaml:9:5: warning: tool 'lookup': 'strict' is not a field humectl knows; it is sent to Hume as written"
    ]


def test_a_field_hume_sets_on_every_version_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "tools:\n  - name: t\n    parameters: {type: object}\n    tool_type: FUNCTION\n"})
    assert one(tmp_path) == "a.yaml:4:5: tool 't': 'tool_type' is set by Hume on every version, not by a manifest"
    write_tree(tmp_path, {"a.yaml": "prompts:\n  - name: p\n    text: x\n    created_on: 1\n"})
    assert one(tmp_path) == "a.yaml:4:5: prompt 'p': 'created_on' is set by Hume on every version, not by a manifest"


def test_a_key_inside_a_reference_is_still_a_schema_error(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": """
        prompts: [{name: p, text: x}]
        configs:
          - name: c
            evi_version: "3"
            prompt: {name: p, versoin: 1}
        """
        },
    )
    assert one(tmp_path) == "a.yaml:5:23: config 'c': prompt: unknown field 'versoin'"


def test_a_variable_in_a_text_file_is_a_warning_at_the_text_file_line(tmp_path: Path) -> None:
    entry = "prompts:\n  - name: agent\n    text_file: agent.md\n"
    write_tree(tmp_path, {"a.yaml": entry, "agent.md": "Hello.\nYou work for ${company}. $${literal}\n"})
    assert one(tmp_path) == (
        "a.yaml:3:16: warning: text_file 'agent.md' holds ${company} (line 2), which is sent to Hume as written: "
        "text files are never substituted"
    )
    (problem,) = problems_of(tmp_path)
    assert (problem.rule, problem.severity) == ("text-file-variable", "warning")
    assert problem.hint is not None and "ignore_warnings: [text-file-variable]" in problem.hint
    # the text is still sent as written, and the warning can be silenced on the entry
    write_tree(tmp_path, {"a.yaml": entry + "    ignore_warnings: [text-file-variable]\n"})
    assert lines_of(tmp_path) == []
    loaded = load_manifests(tmp_path)
    assert loaded.resources[0].spec["text"] == "Hello.\nYou work for ${company}. $${literal}\n"
