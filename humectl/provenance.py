"""What humectl writes into ``version_description`` and how to read it back.

Every version humectl makes is described as ``<text> [humectl <run-id>]`` (``[humectl <run-id>
protect]`` when the manifest entry says ``protect: true``). The marker lets a later run tell its own
versions from hand edits (drift, safe prune), keeps protection with the live resource even after its
manifest entry is deleted, and lets the client recognise, after a lost response, that a create
really happened (the run id is unique to one plan).
"""

from __future__ import annotations

import re
import secrets
import subprocess
from pathlib import Path

_MARKER = re.compile(r"\s*\[humectl(?: (?P<run>[\w.-]+))?(?P<protect> protect)?\]\s*$")
DEFAULT_TEXT = "applied by humectl"


def new_run_id() -> str:
    return secrets.token_hex(4)


def describe(text: str | None, run_id: str, *, protect: bool = False) -> str:
    flag = " protect" if protect else ""
    return f"{(text or DEFAULT_TEXT).strip()} [humectl {run_id}{flag}]"


def strip_marker(description: str | None) -> str | None:
    """The human part of a description, without humectl's marker."""
    if description is None:
        return None
    return _MARKER.sub("", description)


def made_by_humectl(description: str | None) -> bool:
    return bool(description and _MARKER.search(description))


def run_id_of(description: str | None) -> str | None:
    """The run id in humectl's marker, if the description has one."""
    match = _MARKER.search(description or "")
    return match.group("run") if match else None


def is_protected(description: str | None) -> bool:
    match = _MARKER.search(description or "")
    return bool(match and match.group("protect"))


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
