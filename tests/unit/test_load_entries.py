"""humectl.load.entries: one item of a manifest's list, before it becomes a resource: its name (as
written, and with the environment's prefix), its label, and problems located in its document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from humectl.load.entries import META_KEYS, ManifestEntry
from humectl.load.yamldoc import parse

TEXT = """\
prompts:
  - name: greeter
    text: hi
configs:
  - evi_version: "3"
    voice:
      provider: HUME_AI
  - name: 42
"""


def entries(prefix: str = "") -> list[ManifestEntry]:
    doc, problems = parse(TEXT, path=Path("evi/a.yaml"), rel="a.yaml", display="evi/a.yaml", variables=None)
    assert not problems
    found = []
    for key, kind in (("prompts", "prompt"), ("configs", "config")):
        for i, data in enumerate(doc.data[key]):
            found.append(ManifestEntry(kind, doc, f"/{key}/{i}", data, prefix))  # type: ignore[arg-type]
    return found


def test_names_as_written_and_with_the_prefix() -> None:
    greeter, nameless, numbered = entries("dev-")
    assert (greeter.name, greeter.full_name) == ("greeter", "dev-greeter")
    assert nameless.name is None and nameless.full_name is None  # missing
    assert numbered.name is None and numbered.full_name is None  # not a string
    assert entries()[0].full_name == "greeter"


@pytest.mark.parametrize("name", ["", None, 3, ["x"]])
def test_an_empty_or_non_string_name_is_none(name: Any) -> None:
    doc = entries()[0].doc
    assert ManifestEntry("tool", doc, "/tools/0", {"name": name}).name is None


def test_a_label_names_the_entry_or_where_it_is() -> None:
    greeter, nameless, _ = entries()
    assert greeter.label == "prompt 'greeter'"
    assert nameless.label == "config at /configs/0"


def test_where_and_problems_point_into_the_document() -> None:
    greeter, nameless, _ = entries()
    assert greeter.where() == "evi/a.yaml:2:5"
    assert greeter.where("/text") == "evi/a.yaml:3:11"
    problem = nameless.problem("/voice/provider", "no such voice", "pick one", rule="voice")
    assert (problem.file, problem.line, problem.col) == ("evi/a.yaml", 7, 17)
    assert (problem.message, problem.hint, problem.rule, problem.severity) == (
        "no such voice",
        "pick one",
        "voice",
        "error",
    )
    warning = greeter.problem("/text", "short", rule="prompt-text", severity="warning", key=True)
    assert (warning.line, warning.col, warning.severity) == (3, 5, "warning")  # the key, not its value
    missing = nameless.problem("/name", "a config needs a name", rule="schema")
    assert (missing.line, missing.col) == (5, 5)  # not there: its entry


def test_meta_keys_are_about_the_entry_not_the_content() -> None:
    assert set(META_KEYS) == {"name", "version_description", "previous_names", "protect", "ignore_warnings"}
