"""humectl.core.kinds: the registry is complete and consistent, carries each kind's behaviour, and no module
outside it (and the emulator, its own server) branches on a kind's name."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import get_args

import pytest

import humectl
from humectl.core import kinds
from humectl.core.kinds import (
    DEPENDENCY_ORDER,
    KINDS,
    LOCK_KIND,
    PLAN_ORDER,
    REPORT_ORDER,
    KindName,
    kind_level,
    kind_name,
    parse_address,
)
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions

PACKAGE = Path(humectl.__file__).parent
NAMES = {k.name for k in KINDS.values()} | {k.plural for k in KINDS.values()}


def test_every_kind_has_its_module_and_is_ordered() -> None:
    for kind in KINDS.values():
        module = importlib.import_module(f"humectl.core.kinds.{kind.name}")
        assert module.KIND is kind
    assert sorted(DEPENDENCY_ORDER) == sorted(KINDS) == sorted(REPORT_ORDER) == sorted(PLAN_ORDER)
    assert len({k.plural for k in KINDS.values()}) == len(KINDS)
    for kind in KINDS.values():
        for reference in kind.references:
            assert reference.target in KINDS
            # what is referenced is applied first
            assert DEPENDENCY_ORDER.index(reference.target) < DEPENDENCY_ORDER.index(kind.name)
            assert kind_level(reference.target) < kind_level(kind.name)
            assert reference.field in kind.content_fields
        assert set(kind.detail_fields) <= set(kind.content_fields)
        assert set(kind.defaults) <= set(kind.content_fields)
        if kind.text_file is not None:
            assert kind.text_file.field in kind.content_fields
    assert LOCK_KIND.reserved_name and LOCK_KIND.is_reserved(LOCK_KIND.reserved_name + ":dev-")
    assert set(kinds.__all__) <= set(dir(kinds)) and kinds.__all__ == sorted(kinds.__all__, key=isort_key)


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in (RUF022): CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_kind_name_is_exactly_the_registry() -> None:
    # A new kind adds its name to KindName (mypy then checks every place a kind's name goes).
    assert sorted(get_args(KindName)) == sorted(KINDS)
    for name in KINDS:
        assert kind_name(name) == name
    for bad in ("prompts", "Prompt", "", None, 3):
        with pytest.raises(ValueError, match="unknown kind"):
            kind_name(bad)


def test_parse_address() -> None:
    assert parse_address("config/a/b") == ("config", "a/b")
    for bad in ("config", "voice/x", "config/"):
        with pytest.raises(ValueError, match="kind/name"):
            parse_address(bad)


# Modules allowed to name kinds for now, and why. Keep this empty: move per-kind data into the kind's module.
PENDING: dict[str, str] = {}


def _library_sources() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.relative_to(PACKAGE).parts[:2] != ("core", "kinds")
        and p.relative_to(PACKAGE).parts[0] != "emulator"
        and p.relative_to(PACKAGE).as_posix() not in PENDING
    ]


def _kind_branches(tree: ast.AST) -> list[int]:
    """Lines where code compares with, looks up, or keys a table by a kind's name written out."""

    def named(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Constant) and node.value in NAMES

    def branches(node: ast.AST) -> bool:
        if isinstance(node, ast.Compare):
            compared = [node.left, *node.comparators]
            compared += [e for n in compared if isinstance(n, (ast.Tuple, ast.List, ast.Set)) for e in n.elts]
            return any(named(n) for n in compared)
        if isinstance(node, ast.Subscript):
            return named(node.slice)
        if isinstance(node, ast.Dict):
            return any(named(k) for k in node.keys)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return sum(named(e) for e in node.elts) >= 2  # a hand-written list of kinds
        if isinstance(node, ast.Call):
            return any(named(a) for a in node.args) and not _is_message(node)  # e.g. live.of_kind("config")
        return False

    return [node.lineno for node in ast.walk(tree) if branches(node)]  # type: ignore[attr-defined]


def _is_message(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr in ("append", "join", "format")


def test_no_module_outside_the_registry_branches_on_a_kind_name() -> None:
    offenders = []
    for path in _library_sources():
        for line in _kind_branches(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert not offenders, "kind names written out outside humectl/kinds: " + ", ".join(offenders)


def test_the_branch_finder_finds_branches() -> None:
    # The check above can fail: each shape of branch it looks for is found.
    for source in (
        'if kind == "tool": pass',
        'x = KINDS["config"]',
        'T = {"prompt": 1}',
        'K = ("prompt", "tool")',
        'live.of_kind("config")',
        'if r.kind in ("configs",): pass',
    ):
        assert _kind_branches(ast.parse(source)), source


def _load(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> object:
    (tmp_path / "evi.yaml").write_text(text, encoding="utf-8")
    for name, content in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    return load_manifests(tmp_path, LoadOptions())


def test_each_kind_builds_its_own_spec(tmp_path: Path) -> None:
    manifests = _load(
        tmp_path,
        "prompts:\n  - name: p\n    text_file: prompts/p.md\n"
        "tools:\n  - name: t\n    parameters: {type: object, properties: {}}\n    description: d\n"
        "configs:\n  - name: c\n    evi_version: '3'\n    prompt: p\n    tools: [t, {name: u, version: 2}]\n",
        {"prompts/p.md": "Hello\r\n"},
    )
    specs = {r.address: r.spec for r in manifests.resources}  # type: ignore[attr-defined]
    assert specs["prompt/p"] == {"text": "Hello\n"}  # read from the file, line endings as \n
    assert specs["tool/t"] == {"parameters": '{"properties":{},"type":"object"}', "description": "d"}
    assert specs["config/c"] == {
        "evi_version": "3",
        "prompt": {"name": "p"},
        "tools": [{"name": "t"}, {"name": "u", "version": 2}],
    }


def test_each_kind_checks_its_own_entries(tmp_path: Path) -> None:
    from humectl.core.errors import ManifestError

    with pytest.raises(ManifestError) as caught:
        _load(
            tmp_path,
            "prompts:\n  - name: p\n    text: hi\n    text_file: p.md\n"
            "tools:\n  - name: bad name\n    parameters: {type: object}\n"
            "configs:\n  - name: c\n    evi_version: '2'\n"
            "    builtin_tools: [{name: web_search}, {name: web_search}]\n",
        )
    rules = {p.rule for p in caught.value.problems}
    assert {"prompt-text", "tool-name", "evi-version", "duplicate-reference"} <= rules


def test_references_are_checked_from_the_registry(tmp_path: Path) -> None:
    from humectl.core.errors import ManifestError

    with pytest.raises(ManifestError) as caught:
        _load(
            tmp_path,
            "tools:\n  - {name: t, parameters: {type: object}}\n"
            "configs:\n  - {name: c, evi_version: '3', prompt: nope, tools: [t, t]}\n",
        )
    messages = [p.message for p in caught.value.problems]
    assert any("prompt 'nope' is not defined" in m for m in messages)
    assert any("lists tool 't' twice" in m for m in messages)
    hint = next(p.hint for p in caught.value.problems if "nope" in p.message)
    assert hint is not None and "define it under prompts:" in hint


def test_every_check_a_kind_names_exists_and_every_check_is_named() -> None:
    from humectl.load.rules import CHECKS

    named = {name for kind in KINDS.values() for name in kind.checks}
    assert named == set(CHECKS)
