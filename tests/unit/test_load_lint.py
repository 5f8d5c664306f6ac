"""humectl.load.lint through validate: a prompt naming a tool its config does not attach, a config attaching
a tool nobody describes, each at the config's line and silenced per entry; placeholders per prompt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from humectl.cli.app import cli
from humectl.load import lint
from humectl.load.lint import _Mentions, _mentions, placeholders
from humectl.load.manifests import validate_manifests
from humectl.model.desired import LoadOptions
from tests.conftest import EXAMPLES_DIR


def support_desk(tmp_path: Path) -> Path:
    root = tmp_path / "sd"
    shutil.copytree(EXAMPLES_DIR / "support-desk", root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_example_is_clean(tmp_path: Path) -> None:
    result = validate_manifests(support_desk(tmp_path))
    assert result.valid and not result.problems
    assert result.placeholders == {"prompt/support-agent": [], "prompt/support-agent-after-hours": []}


def test_a_prompt_naming_a_tool_its_config_does_not_attach(tmp_path: Path) -> None:
    root = support_desk(tmp_path)
    edit(root / "configs.yaml", "tools: [lookup_order, create_return]", "tools: [lookup_order]")
    [warning] = validate_manifests(root).problems
    assert (Path(warning.file).name, warning.line, warning.col) == ("configs.yaml", 14, 12)
    assert (warning.rule, warning.severity) == ("prompt-tool-not-attached", "warning")
    assert warning.message == (
        "prompt 'support-agent' names the tool 'create_return', which config 'support-desk' does not attach"
    )
    # "create_returns" or "x-create_return" would not be the tool's name: only the exact name counts.
    edit(root / "prompts" / "support-agent.md", "- Use create_return only", "- Use create_returns only")
    assert not validate_manifests(root).problems
    edit(root / "prompts" / "support-agent.md", "- Use create_returns only", "- Use (create_return) only")
    assert len(validate_manifests(root).problems) == 1
    edit(
        root / "configs.yaml",
        "    tools: [lookup_order]\n",
        "    tools: [lookup_order]\n    ignore_warnings: [prompt-tool-not-attached]\n",
    )
    assert not validate_manifests(root).problems


def test_a_tool_nobody_mentions_or_describes(tmp_path: Path) -> None:
    root = support_desk(tmp_path)
    (root / "more.yaml").write_text("tools:\n  - name: escalate\n    parameters: {type: object}\n", encoding="utf-8")
    edit(root / "configs.yaml", "tools: [lookup_order]\n", "tools: [lookup_order, escalate]\n")
    [warning] = validate_manifests(root).problems
    assert (Path(warning.file).name, warning.line, warning.col, warning.rule) == (
        "configs.yaml",
        41,
        27,
        "tool-not-mentioned",
    )
    assert "attaches the tool 'escalate', which its prompt 'support-agent-after-hours' never mentions" in (
        warning.message
    )
    # A description tells the model when to call it; so does the prompt naming it.
    (root / "more.yaml").write_text(
        "tools:\n  - name: escalate\n    description: Hand over.\n    parameters: {type: object}\n", encoding="utf-8"
    )
    assert not validate_manifests(root).problems


def test_names_carry_the_environments_prefix_prompts_do_not(tmp_path: Path) -> None:
    root = support_desk(tmp_path)
    (root / "humectl.yaml").write_text("environments:\n  prod: {name_prefix: prod-}\n", encoding="utf-8")
    edit(root / "configs.yaml", "tools: [lookup_order, create_return]", "tools: [lookup_order]")
    [warning] = validate_manifests(root, LoadOptions(environment="prod")).problems
    assert "names the tool 'create_return', which config 'prod-support-desk' does not attach" in warning.message


def test_placeholders_in_the_json(tmp_path: Path) -> None:
    assert placeholders("Hi {{name}}, {{ order_id }} for {{name}}; not {{two words}} or {single}") == [
        "name",
        "order_id",
    ]
    root = support_desk(tmp_path)
    with (root / "prompts" / "after-hours.md").open("a", encoding="utf-8") as handle:
        handle.write("The caller is {{caller_name}}, calling about {{ order_id }}.\n")
    out = CliRunner().invoke(cli, ["validate", str(root), "-o", "json"], env={"GITHUB_ACTIONS": ""})
    assert out.exit_code == 0
    document = json.loads(out.stdout)
    assert document["placeholders"] == {
        "prompt/support-agent": [],
        "prompt/support-agent-after-hours": ["caller_name", "order_id"],
    }
    broken = CliRunner().invoke(cli, ["validate", str(tmp_path / "missing"), "-o", "json"])
    assert json.loads(broken.stdout)["placeholders"] is None


_pieces = st.sampled_from(["lookup", "lookup_1", "look-up", "dev-", "dev-lookup", "x.y", "", " ", "-", "_", "é", "\n"])


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_pieces | st.text(alphabet="ab-_ .é\n", max_size=4), max_size=12).map("".join),
    names=st.lists(_pieces | st.text(alphabet="ab-_.é", max_size=4), max_size=6, unique=True),
    prefix=st.sampled_from(["", "dev-", "x."]),
)
def test_mentions_by_words_equal_one_search_per_name(text: str, names: list[str], prefix: str) -> None:
    """lint._Mentions (each text's words looked up once) finds exactly the names the per-name regular
    expression finds, as written or without the environment's prefix."""

    def bare(name: str) -> str:
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    expected = {n for n in names if _mentions(text, n) or _mentions(text, bare(n))}
    assert _Mentions(names, bare)(text) == expected


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=40) | st.text(max_size=40))
def test_the_ascii_split_finds_the_words_the_regular_expression_finds(text: str) -> None:
    assert lint._words(text) == lint._WORD.findall(text)
    ascii_only = text.encode("ascii", "ignore").decode()
    assert lint._words(ascii_only) == lint._WORD.findall(ascii_only)
