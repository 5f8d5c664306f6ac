"""Property tests: thousands of mutated manifests either load or fail with located problems, never crash.

Mutations start from the valid examples: drop a key, add a key, replace a value with a value of
any JSON type, put tricky strings (variables, URLs, versions, long names) anywhere, and mangle
the YAML text itself. Every outcome must be a ManifestSet with JSON-serialisable specs, or a
ManifestError whose problems all name a file, a position and a message.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from humectl.core.errors import ManifestError, Problem
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions
from tests.conftest import EXAMPLES_DIR

SUPPORT_DESK = EXAMPLES_DIR / "support-desk"
FILES = ("configs.yaml", "tools.yaml", "prompts.yaml")
ORIGINALS = {name: (SUPPORT_DESK / name).read_text(encoding="utf-8") for name in FILES}
DATA = {name: yaml.safe_load(text) for name, text in ORIGINALS.items()}

TRICKY = st.sampled_from(
    [
        "${x}",
        "$${x}",
        "${",
        "${ bad }",
        "http://x.example.com",
        "https://",
        "1",
        "2",
        "3",
        "4-mini",
        "",
        "ITO",
        "t" * 70,
        "hang_up",
        "web_search",
        "prompts/../../etc/passwd",
        "/etc/hostname",
        "prompts/support-agent.md",
        "support-agent",
        "lookup_order",
        '{"type": "object"}',
        "{not json",
        "ANTHROPIC",
        "HUME_AI",
        "chat_started",
        "\x00",
        "é",
        "*alias",
        "&anchor",
        "!!python/object",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | TRICKY
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12) | TRICKY, inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "name",
        "text",
        "text_file",
        "parameters",
        "evi_version",
        "prompt",
        "tools",
        "voice",
        "version",
        "id",
        "url",
        "events",
        "enabled",
        "duration_secs",
        "provider",
        "previous_names",
        "protect",
        "extra",
    ]
) | st.text(max_size=10)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _mutate(doc: Any, data: st.DataObject) -> Any:
    paths = list(_paths(doc))
    path = data.draw(st.sampled_from(paths))
    op = data.draw(st.sampled_from(["drop", "replace", "add", "tricky"]))
    if not path:
        return data.draw(VALUES) if op == "replace" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "drop":
        del parent[last]
    elif op == "replace":
        parent[last] = data.draw(VALUES)
    elif op == "tricky":
        parent[last] = data.draw(TRICKY)
    else:
        target = parent[last]
        if isinstance(target, dict):
            target[data.draw(KEYS)] = data.draw(VALUES)
        elif isinstance(target, list):
            target.append(data.draw(VALUES))
        else:
            parent[last] = data.draw(VALUES)
    return doc


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "support-desk"
        shutil.copytree(SUPPORT_DESK, root)
        yield root


def _check(root: Path, options: LoadOptions | None = None) -> None:
    try:
        manifest_set = load_manifests(root, options)
    except ManifestError as exc:
        assert exc.problems
        assert any(p.severity == "error" for p in exc.problems)
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert problem.file and problem.message
            assert problem.line >= 0 and problem.col >= 0
            if problem.rule not in ("file", "binary", "file-too-large", "encoding", "yaml-limits", "no-manifests"):
                assert problem.line >= 1, problem.format()
        return
    for resource in manifest_set.resources:
        json.dumps(resource.spec, allow_nan=False)
        assert resource.source.line >= 1
        if resource.kind == "tool":
            json.loads(resource.spec["parameters"])


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_documents(workdir: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(FILES))
    doc = json.loads(json.dumps(DATA[name]))  # a deep copy
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        doc = _mutate(doc, data)
    try:
        (workdir / name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        _check(workdir, LoadOptions(variables={"x": data.draw(st.sampled_from(["1", "ITO", "", "${y}"]))}))
    finally:
        (workdir / name).write_text(ORIGINALS[name], encoding="utf-8")


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mangled_yaml_text(workdir: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(FILES))
    text = ORIGINALS[name]
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        at = data.draw(st.integers(min_value=0, max_value=len(text)))
        cut = data.draw(st.integers(min_value=0, max_value=8))
        insert = data.draw(
            st.sampled_from(
                [
                    "",
                    ":",
                    "-",
                    " ",
                    "\t",
                    "\n",
                    "[",
                    "{",
                    "}",
                    "&a",
                    "*a",
                    "'",
                    '"',
                    "#",
                    "? ",
                    "!!str",
                    "${x}",
                    "<<: *a",
                    "\\",
                    "%",
                    "é",
                    "\x00",
                    "\x85",
                ]
            )
        )
        text = text[:at] + insert + text[at + cut :]
    try:
        (workdir / name).write_text(text, encoding="utf-8")
        _check(workdir)
    finally:
        (workdir / name).write_text(ORIGINALS[name], encoding="utf-8")


def test_unmutated_example_loads(workdir: Path) -> None:
    assert len(load_manifests(workdir).resources) == 6
