"""Help that teaches: every command's --help has an example block, every option says what it does, the
README's ``--output`` row matches the commands. (Shell completion: test_cli_commands_completion.py;
``schema``: test_cli_commands_schema.py.)"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from humectl.cli.app import cli
from tests.conftest import REPO_ROOT


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


ALL = list(commands())
IDS = [" ".join(path) for path, _ in ALL]


def test_the_commands_are_all_there() -> None:
    expected = {
        "validate",
        "plan",
        "apply",
        "destroy",
        "drift",
        "export",
        "history",
        "rollback",
        "force-unlock",
        "emulator",
        "schema",
        "completion",
    }
    assert set(cli.list_commands(click.Context(cli))) == expected
    # --help lists them without importing a command's module
    code = "import sys; from humectl.cli.app import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
    code += "print(sorted(m for m in sys.modules if m.startswith('humectl.cli.commands.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
    assert all(name in done.stdout for name in expected)


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_every_command_help_has_examples(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output, result.output
    block = result.output.split("Examples:", 1)[1].split("Options:", 1)[0]
    example_lines = [line.strip() for line in block.splitlines() if line.strip().startswith("humectl ")]
    assert example_lines and all(line.startswith(f"humectl {' '.join(path)}") for line in example_lines), block


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_every_option_has_help_text(path: tuple[str, ...], command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help and len(param.help) > 10, (path, param.opts)


def test_drift_output_option_is_explained() -> None:
    text = CliRunner().invoke(cli, ["drift", "--help"]).output
    line = next(line for line in text.splitlines() if "--output" in line)
    assert "json" in line and len(line.split("--output", 1)[1].strip()) > 20


def test_readme_output_row_matches_the_commands() -> None:
    """The README says: json on every command, markdown on plan, apply and destroy, schema always JSON."""
    row = next(line for line in (REPO_ROOT / "README.md").read_text().splitlines() if line.startswith("| `--output`"))
    assert "`json` for machines on every command" in row and "`markdown` on `plan`, `apply` and `destroy`" in row
    assert "`schema` always prints JSON" in row
    assert "`sarif` on `validate` and `plan`" in row
    for path, command in ALL:
        output = next((p for p in command.params if p.name == "output"), None)
        if isinstance(command, click.Group):
            assert output is None, path
            continue
        assert output is not None and isinstance(output.type, click.Choice), path
        if path == ("schema",):  # always a JSON document
            assert list(output.type.choices) == ["json"]
            continue
        markdown = path in (("plan",), ("apply",), ("destroy",))
        expected = ["text", "json", "markdown"] if markdown else ["text", "json"]
        if path in (("plan",), ("validate",)):  # code scanning (the README's row says so)
            expected.append("sarif")
        assert list(output.type.choices) == expected, path
