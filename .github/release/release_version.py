"""The release's rules for tags: run by .github/workflows/release.yml, tested by tests/integration/test_release.py.

A release is a pushed tag ``vX.Y.Z`` (or a pre-release ``vX.Y.ZrcN``, ``aN``, ``bN``). The version
is the tag's: the release refuses to publish unless every built distribution (sdist and wheel) says
exactly that version in its own metadata, so the version can live wherever the build reads it.
A final release also moves the major tag ``vX`` to its commit, unless a newer ``vX.*.*`` is already
tagged (a fix to an older line never takes ``vX`` back).

    python .github/release/release_version.py TAG DIST_DIR [EXISTING_TAG ...]

prints ``version=X.Y.Z`` and ``major-tag=vX`` (empty when it is not to move) for ``$GITHUB_OUTPUT``,
or exits 1 with a workflow error annotation.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

NUMBER = r"(0|[1-9][0-9]*)"
TAG = re.compile(rf"^v(?P<major>{NUMBER})\.(?P<minor>{NUMBER})\.(?P<patch>{NUMBER})(?P<pre>(a|b|rc){NUMBER})?$")
PROJECT = "humectl"


class ReleaseError(Exception):
    pass


def version_of_tag(tag: str) -> str:
    """``v1.2.3`` -> ``1.2.3``; anything else is not a release tag."""
    if not TAG.match(tag):
        raise ReleaseError(f"{tag!r} is not a release tag: vMAJOR.MINOR.PATCH, optionally followed by aN, bN or rcN")
    return tag[1:]


def major_tag(tag: str) -> str | None:
    """The moving tag a final release updates (``v1.2.3`` -> ``v1``); None for a pre-release."""
    match = TAG.match(tag)
    if match is None:
        raise ReleaseError(f"{tag!r} is not a release tag")
    return None if match["pre"] else f"v{match['major']}"


def _final_key(tag: str) -> tuple[int, int, int] | None:
    match = TAG.match(tag)
    if match is None or match["pre"]:
        return None
    return int(match["major"]), int(match["minor"]), int(match["patch"])


def moves_major(tag: str, existing: list[str]) -> str | None:
    """The major tag to move to this release, or None (a pre-release, or a newer final of that major exists)."""
    major = major_tag(tag)
    key = _final_key(tag)
    if major is None or key is None:
        return None
    newer = [t for t in existing if (k := _final_key(t)) is not None and k[0] == key[0] and k > key]
    return None if newer else major


def dist_versions(dist: Path) -> dict[str, str]:
    """Each built distribution in ``dist`` -> the version its own metadata states."""
    found: dict[str, str] = {}
    for path in sorted(dist.iterdir()):
        if path.name.endswith(".whl"):
            with zipfile.ZipFile(path) as wheel:
                name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
                text = wheel.read(name).decode("utf-8")
        elif path.name.endswith(".tar.gz"):
            with tarfile.open(path) as sdist:
                member = next(m for m in sdist.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
                handle = sdist.extractfile(member)
                assert handle is not None
                text = handle.read().decode("utf-8")
        else:
            continue
        headers = HeaderParser().parsestr(text)
        if headers["Name"] != PROJECT:
            raise ReleaseError(f"{path.name} is {headers['Name']!r}, not {PROJECT}")
        found[path.name] = headers["Version"]
    return found


def check(tag: str, dist: Path, existing: list[str]) -> dict[str, str]:
    """The outputs of a release of ``tag`` whose distributions are in ``dist``."""
    version = version_of_tag(tag)
    versions = dist_versions(dist)
    kinds = {name.endswith(".whl") for name in versions}
    if kinds != {True, False}:
        raise ReleaseError(f"{dist} must hold one sdist and one wheel, not {sorted(versions) or 'nothing'}")
    wrong = {name: v for name, v in versions.items() if v != version}
    if wrong:
        listed = ", ".join(f"{name} says {v}" for name, v in wrong.items())
        raise ReleaseError(f"tag {tag} but {listed}: set the version to {version} in the source, then tag again")
    return {"version": version, "major-tag": moves_major(tag, existing) or ""}


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 1
    try:
        outputs = check(argv[0], Path(argv[1]), argv[2:])
    except ReleaseError as err:
        print(f"::error title=release::{err}")
        return 1
    for key, value in outputs.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
