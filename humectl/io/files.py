"""Writing files into a directory the user named (export, rollback --write): every write stays inside
it, never through a symlink that leads out of it, and nothing is written when a file that must not
be overwritten exists."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from humectl.core.errors import ExportError


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, with every symlink on the way resolved, lies within ``root`` (resolved)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def existing(root: Path, paths: Iterable[str]) -> list[str]:
    """The relative ``paths`` that exist under ``root`` (a dangling symlink counts)."""
    return [p for p in paths if (root / p).exists() or (root / p).is_symlink()]


def refuse_outside(root: Path, paths: Iterable[str]) -> None:
    """Raise ExportError naming every relative path whose parent directory leads out of ``root``
    (a symlinked subdirectory), before anything is written."""
    outside = [p for p in paths if not inside(root, (root / p).parent)]
    if outside:
        raise ExportError(
            f"refusing to write outside {root}: {', '.join(outside)} lead(s) through a symlink out of it",
            hint="remove the symlinked directory, or export into a directory of its own",
        )


def write_files(root: str | Path, files: Iterable[tuple[str, str]], *, force: bool = False) -> list[Path]:
    """Write each ``(relative path, text)`` under ``root`` (created if missing) as UTF-8 bytes, exactly.

    Without ``force``, refuse (before writing anything) if one of the files exists. A file that is a
    symlink is replaced, never written through; a directory on the way that leads out of ``root`` is
    refused. A ``root`` that exists and is not a directory is refused too."""
    base = Path(root)
    items = list(files)
    if base.exists() and not base.is_dir():
        raise ExportError(f"{base} is not a directory", hint="name a directory (it is created if missing)")
    clashes = existing(base, (p for p, _ in items))
    if clashes and not force:
        raise ExportError(
            f"refusing to overwrite {len(clashes)} existing file(s) in {base}: {', '.join(clashes)}",
            hint="export into an empty directory, or pass --force to overwrite them",
        )
    refuse_outside(base, (p for p, _ in items))
    written: list[Path] = []
    for relative, text in items:
        path = base / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ExportError(f"cannot create the directory of {path}: a file is in the way") from None
        if not inside(base, path.parent):  # made just now through a link that appeared meanwhile
            raise ExportError(f"refusing to write {path}: it leads outside {base}")
        try:
            if path.is_symlink():
                path.unlink()  # never write through a link to somewhere else
            # Bytes, not text mode: no newline translation, so prompt files are exact on every platform.
            path.write_bytes(text.encode("utf-8"))
        except OSError as exc:
            done = f" ({len(written)} file(s) written before it: {', '.join(map(str, written))})" if written else ""
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}{done}") from None
        written.append(path)
    return written
