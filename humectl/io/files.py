"""Writing files the user named: into a directory (export, rollback --write), where every write stays
inside it, never through a symlink that leads out of it, and nothing is written when a file that must
not be overwritten exists; and single files (a saved plan and its Markdown, a snapshot), where a path
that cannot be written is a clear usage error, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from humectl.core.errors import ExportError, UsageError


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


def unwritable(path: Path) -> str | None:
    """Why no file can be written at ``path`` (checked before anything is written), or None."""
    parent = path.parent
    if path.is_dir():
        return "it is a directory"
    if not parent.exists():
        return f"its directory {parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is not a directory"
    return None


def check_writable(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or a UsageError naming ``what`` cannot be written there and why."""
    target = Path(path)
    why = unwritable(target)
    if why is not None:
        hint = f"create {target.parent} first, or name another file" if "does not exist" in why else None
        raise UsageError(f"cannot write {what} {target}: {why}", hint=hint)
    return target


def write_file(path: str | Path, text: str, *, what: str) -> Path:
    """Write one file the user named (``what``: "the plan", "the snapshot") as UTF-8, exactly; a path
    that cannot be written is a UsageError saying why (a missing directory, no permission), never a
    traceback."""
    target = check_writable(path, what)
    try:
        target.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {what} {target}: {exc.strerror or exc}") from None
    return target


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
