"""What git says about the manifests' work tree: the commit a run applies, for version descriptions
and the lock's lease. No git, or no work tree: None, never an error."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_message(directory: Path) -> str | None:
    """``git <short sha>: <subject>`` of HEAD when ``directory`` is in a git work tree, else None."""
    try:
        out = subprocess.run(
            ["git", "-C", str(directory), "log", "-1", "--format=%h: %s"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    line = out.stdout.strip()
    return f"git {line}" if out.returncode == 0 and line else None


def git_commit(directory: Path) -> str | None:
    """The short sha of HEAD when ``directory`` is in a git work tree, else None."""
    message = git_message(directory)
    return message.split(":", 1)[0].removeprefix("git ") if message else None
