"""What existing manifests say that the live account does not: each entry's manifest-only settings
(``version_description``, ``previous_names``, ``protect``, ``ignore_warnings``) and where its text
file lives, so ``export`` over a directory of manifests keeps them instead of dropping them.

Read as written: no variable is substituted (a ``${name}`` stays one), nothing is validated (a
directory that does not load still has settings worth keeping), and entries are matched to live
resources by their ``name`` as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.core.kinds import KINDS
from humectl.load.entries import META_KEYS
from humectl.load.manifests import discover_manifest_files, not_a_manifest
from humectl.load.yamldoc import parse, read_text

# The entry keys a live resource does not hold (its name is how it is found).
MANIFEST_ONLY = tuple(k for k in META_KEYS if k != "name")


@dataclass(frozen=True)
class Kept:
    """One entry's manifest-only settings (as written, in META_KEYS order), and its text file's path
    relative to the manifest directory (None: it has none, or the path leads outside)."""

    settings: dict[str, Any] = field(default_factory=dict)
    text_file: str | None = None


def manifest_only_settings(directory: str | Path) -> dict[str, Kept]:
    """``address -> Kept`` for every entry of the manifests under ``directory`` that has any; the first
    entry of a name wins. An empty dict when the directory does not exist or holds no manifests."""
    root = Path(directory)
    if not root.is_dir():
        return {}
    files, _ = discover_manifest_files(root, str(root), set())
    root_real = root.resolve()
    kept: dict[str, Kept] = {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        text, problem = read_text(path, rel)
        if text is None or problem is not None:
            continue
        doc, _ = parse(text, path=path, rel=rel, display=rel, variables=None)
        if not isinstance(doc.data, dict) or not_a_manifest(doc.data) is not None:
            continue
        for kind in KINDS.values():
            items = doc.data.get(kind.plural)
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    continue
                address = kind.address(item["name"])
                found = _kept(item, kind.text_file.key if kind.text_file else None, path.parent, root_real)
                if address not in kept and (found.settings or found.text_file):
                    kept[address] = found
    return kept


def _kept(item: dict[str, Any], file_key: str | None, manifest_dir: Path, root_real: Path) -> Kept:
    settings = {key: item[key] for key in MANIFEST_ONLY if key in item}
    text_file = None
    value = item.get(file_key) if file_key else None
    if isinstance(value, str) and value and "\x00" not in value:
        target = (manifest_dir / value).resolve()
        if target.is_relative_to(root_real) and target != root_real:
            text_file = target.relative_to(root_real).as_posix()
    return Kept(settings, text_file)
