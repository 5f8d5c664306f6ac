"""Helpers shared by the manifest tests (no tests here): write a tree, load it, collect problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

from humectl.core.errors import ManifestError, Problem
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions, ManifestSet


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text is dedented) and return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def load(root: Path, options: LoadOptions | None = None) -> ManifestSet:
    return load_manifests(root, options)


def problems_of(root: Path, options: LoadOptions | None = None) -> list[Problem]:
    """Every problem of a load (errors raise; a clean load returns its warnings)."""
    try:
        return list(load_manifests(root, options).warnings)
    except ManifestError as exc:
        return exc.problems


def lines_of(root: Path, options: LoadOptions | None = None) -> list[str]:
    """Problems as ``file:line:col: [warning: ]message``, with file relative to ``root``."""
    out = []
    for p in problems_of(root, options):
        file = Path(p.file)
        rel = file.relative_to(root).as_posix() if file.is_relative_to(root) and file != root else p.file
        label = "" if p.severity == "error" else f"{p.severity}: "
        message = p.message.replace(f"{root}/", "")
        out.append(f"{rel}:{p.line}:{p.col}: {label}{message}")
    return out
