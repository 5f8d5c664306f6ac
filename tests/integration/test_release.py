"""The release: tag -> sdist and wheel -> PyPI -> major tag, and every ref the docs name is one it makes.

* .github/release/release_version.py (the release's rules) on this checkout's real build, made offline
  with ``python -m build --no-isolation``: the tag must be the built version;
* .github/workflows/release.yml: the jobs in order, each with only the permission it needs, trusted
  publishing (an environment, ``id-token: write``, no token), the major tag moved last, by a script
  run here against a stand-in ``gh``;
* the refs that README, CONTRIBUTING, docs/, examples/, action.yml, .pre-commit-hooks.yaml and the
  workflows' own comments tell users to pin (``OWNER/humectl/...@v0``, ``rev: v0.1.0``): each must be
  one the release makes for this version.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version

from humectl import __version__
from tests.conftest import REPO_ROOT
from tests.integration.test_workflows import jobs, load, steps

RELEASE = REPO_ROOT / ".github" / "workflows" / "release.yml"
SCRIPT = REPO_ROOT / ".github" / "release" / "release_version.py"
DOCUMENTS = sorted(
    {
        *REPO_ROOT.glob("*.md"),
        *(REPO_ROOT / "docs").rglob("*.md"),
        *(p for p in (REPO_ROOT / "examples").rglob("*") if p.suffix in (".md", ".yml", ".yaml")),
        REPO_ROOT / "action.yml",
        REPO_ROOT / ".pre-commit-hooks.yaml",
        *(REPO_ROOT / ".github" / "workflows").glob("*.yml"),
    }
)
# `uses: OWNER/humectl@ref`, `OWNER/humectl/.github/workflows/x.yml@ref`, a bare "(e.g. @v0.3.1)", `rev: ref`
REFS = (
    re.compile(r"[\w.-]+/humectl(?:/\.github/workflows/[\w.-]+\.ya?ml)?@(?P<ref>[^\s`'\")\],]+)"),
    re.compile(r"(?<![\w/.-])@(?P<ref>v\d[\w.-]*\w)"),
    re.compile(r"\brev:\s*['\"]?(?P<ref>[^\s'\"`#]+)"),
)
PLACEHOLDER = re.compile(r"<[^>]*>|^vX(\.Y\.Z)?$")


def release_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_version", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("release_version", module)
    spec.loader.exec_module(module)
    return module


rv = release_module()


# ------------------------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("tag", "version", "major"),
    [
        ("v0.1.0", "0.1.0", "v0"),
        ("v1.20.3", "1.20.3", "v1"),
        ("v2.0.0rc1", "2.0.0rc1", None),
        ("v3.1.0b2", "3.1.0b2", None),
    ],
)
def test_a_release_tag_gives_its_version_and_major_tag(tag: str, version: str, major: str | None) -> None:
    assert rv.version_of_tag(tag) == version
    assert rv.major_tag(tag) == major


@pytest.mark.parametrize("tag", ["0.1.0", "v0.1", "v0", "v01.2.3", "v1.2.3-beta", "v1.2.3.post1", "v1.2.3 ", "main"])
def test_anything_else_is_not_a_release_tag(tag: str) -> None:
    with pytest.raises(rv.ReleaseError, match="not a release tag"):
        rv.version_of_tag(tag)


def test_the_major_tag_never_moves_back_to_an_older_line() -> None:
    assert rv.moves_major("v0.3.0", ["v0.1.0", "v0.2.5", "v1.0.0"]) == "v0"  # v1.0.0 is another major
    assert rv.moves_major("v0.1.5", ["v0.1.4", "v0.2.0"]) is None  # a fix to an older line
    assert rv.moves_major("v0.2.0", ["v0.2.0", "v0.3.0rc1"]) == "v0"  # a pre-release is not newer
    assert rv.moves_major("v0.3.0rc1", []) is None


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built as the release builds it (offline: the backend is installed here)."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def test_the_release_of_this_checkout_takes_its_version_from_the_tag(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"humectl-{__version__}-py3-none-any.whl", f"humectl-{__version__}.tar.gz"]
    assert rv.check(f"v{__version__}", dist, []) == {
        "version": __version__,
        "major-tag": f"v{Version(__version__).major}",
    }
    with pytest.raises(rv.ReleaseError) as wrong:
        rv.check("v99.0.0", dist, [])
    assert f"humectl-{__version__}.tar.gz says {__version__}" in str(wrong.value)
    assert f"humectl-{__version__}-py3-none-any.whl says {__version__}" in str(wrong.value)


def test_the_version_is_read_from_each_distributions_own_metadata(tmp_path: Path) -> None:
    """Not from the file names: a wheel renamed to the tag's version is still refused."""
    with zipfile.ZipFile(tmp_path / "humectl-2.0.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("humectl-1.9.0.dist-info/METADATA", "Metadata-Version: 2.3\nName: humectl\nVersion: 1.9.0\n\n")
    info = tmp_path / "PKG-INFO"
    info.write_text("Metadata-Version: 2.3\nName: humectl\nVersion: 2.0.0\n\n", encoding="utf-8")
    with tarfile.open(tmp_path / "humectl-2.0.0.tar.gz", "w:gz") as sdist:
        sdist.add(info, arcname="humectl-2.0.0/PKG-INFO")
    info.unlink()
    with pytest.raises(rv.ReleaseError, match=r"humectl-2\.0\.0-py3-none-any\.whl says 1\.9\.0"):
        rv.check("v2.0.0", tmp_path, [])
    (tmp_path / "humectl-2.0.0-py3-none-any.whl").unlink()
    with pytest.raises(rv.ReleaseError, match="one sdist and one wheel"):
        rv.check("v2.0.0", tmp_path, [])


def test_the_script_prints_the_outputs_or_an_annotation(dist: Path) -> None:
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), f"v{__version__}", str(dist), f"v{__version__}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and ok.stdout == f"version={__version__}\nmajor-tag=v{Version(__version__).major}\n"
    bad = subprocess.run(
        [sys.executable, str(SCRIPT), "v99.0.0", str(dist)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1 and bad.stdout.startswith("::error title=release::tag v99.0.0 but ")


# ---------------------------------------------------------------------------------------- the workflow


def test_the_release_runs_on_version_tags_only() -> None:
    assert load(RELEASE)["on"] == {"push": {"tags": ["v*.*.*"]}}
    assert load(RELEASE)["permissions"] == {}


def test_build_then_publish_then_move_the_major_tag_each_with_only_what_it_needs() -> None:
    found = jobs(RELEASE)
    assert list(found) == ["build", "publish", "major-tag"]
    build, publish, major = found["build"], found["publish"], found["major-tag"]
    assert build["permissions"] == {"contents": "read"}
    version_step = next(s for s in steps(build) if s.get("id") == "version")
    assert "release_version.py" in version_step["run"] and version_step["env"] == {"TAG": "${{ github.ref_name }}"}
    assert "python -m build" in "\n".join(s.get("run", "") for s in steps(build))
    # trusted publishing: an environment, the OIDC token, and no password or token anywhere
    assert publish["needs"] == "build" and publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    (upload,) = [s for s in steps(publish) if "pypi-publish" in s.get("uses", "")]
    assert re.fullmatch(r"pypa/gh-action-pypi-publish@[0-9a-f]{40}", upload["uses"])
    assert not upload.get("with"), "trusted publishing needs no password or token"
    assert not any("checkout" in s.get("uses", "") for s in steps(publish))
    # the major tag moves only after the upload, to the commit the build built
    assert major["needs"] == ["build", "publish"] and major["permissions"] == {"contents": "write"}
    assert major["if"] == "${{ needs.build.outputs.major-tag != '' }}"
    (move,) = steps(major)
    assert move["env"]["MAJOR_TAG"] == "${{ needs.build.outputs.major-tag }}"
    assert move["env"]["COMMIT"] == "${{ needs.build.outputs.commit }}"


@pytest.mark.parametrize("exists", [True, False], ids=["moved", "created"])
def test_the_major_tag_script_moves_or_creates_the_ref(tmp_path: Path, exists: bool) -> None:
    bash = shutil.which("bash")
    if not bash:
        pytest.skip("no bash")
    (move,) = steps(jobs(RELEASE)["major-tag"])
    log = tmp_path / "gh.log"
    gh = tmp_path / "gh"
    # the stand-in answers the "does the tag exist" GET as GitHub would, and records every call
    gh.write_text(
        f'#!/bin/sh\necho "$*" >> "{log}"\n'
        f'case "$*" in "api repos/"*"/git/ref/tags/"*) exit {0 if exists else 1} ;; esac\nexit 0\n',
        encoding="utf-8",
    )
    gh.chmod(0o755)
    commit = "0123456789abcdef0123456789abcdef01234567"
    env = {
        "PATH": f"{tmp_path}{os.pathsep}/usr/bin:/bin",
        "GH_TOKEN": "t",
        "REPOSITORY": "OWNER/humectl",
        "MAJOR_TAG": "v0",
        "COMMIT": commit,
    }
    result = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", move["run"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[0] == "api repos/OWNER/humectl/git/ref/tags/v0 --silent"
    if exists:
        assert calls[1:] == [
            f"api --method PATCH repos/OWNER/humectl/git/refs/tags/v0 -f sha={commit} -F force=true --silent"
        ]
    else:
        assert calls[1:] == [
            f"api --method POST repos/OWNER/humectl/git/refs -f ref=refs/tags/v0 -f sha={commit} --silent"
        ]


# ------------------------------------------------------------------------------- the refs the docs name


def _glob(pattern: str) -> re.Pattern[str]:
    """A GitHub Actions filter pattern: ``*`` is any run of characters but ``/``."""
    return re.compile("".join("[^/]*" if c == "*" else re.escape(c) for c in pattern) + r"\Z")


def named_refs() -> dict[str, list[str]]:
    """Every ref a document tells users to pin -> where (``file:line``)."""
    found: dict[str, list[str]] = {}
    for path in DOCUMENTS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in REFS:
                for match in pattern.finditer(line):
                    ref = match["ref"].rstrip(".")
                    if not PLACEHOLDER.search(ref):
                        found.setdefault(ref, []).append(f"{path.relative_to(REPO_ROOT)}:{number}")
    return found


def made_by_the_release(ref: str) -> str | None:
    """None when the release of this version makes ``ref`` (or made it earlier); else why not."""
    if re.fullmatch(r"[0-9a-f]{40}", ref):
        return None  # a commit: nothing to make
    current = Version(__version__)
    major = re.fullmatch(r"v(\d+)", ref)
    if major:
        # the major-tag job moves exactly what the release script names for this version
        made = rv.moves_major(f"v{current.base_version}", [])
        return None if made == ref else f"the release of {__version__} moves {made}, not {ref}"
    if not any(_glob(pattern).match(ref) for pattern in load(RELEASE)["on"]["push"]["tags"]):
        return "no tag the release runs on"
    try:
        version = Version(rv.version_of_tag(ref))
    except rv.ReleaseError as err:
        return str(err)
    return None if version <= current else f"a release after this version ({__version__})"


def test_every_ref_the_docs_name_is_one_the_release_makes() -> None:
    found = named_refs()
    assert {"v0", f"v{__version__}"} <= set(found), sorted(found)  # the scan sees what the docs pin
    problems = [
        f"{ref} ({', '.join(where)}): {why}" for ref, where in found.items() if (why := made_by_the_release(ref))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("ref", "why"),
    [
        ("main", "no tag"),
        ("v0.1", "no tag"),
        ("v1", "moves v0"),
        ("v9.0.0", "after this version"),
        ("v0.1.0-beta", "not a release tag"),
    ],
)
def test_a_ref_no_release_makes_is_reported(ref: str, why: str) -> None:
    assert why in (made_by_the_release(ref) or "")
