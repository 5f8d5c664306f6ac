"""A content-addressed cache of loaded manifests: the same files, options and humectl load once.

Converting YAML with positions and checking it against the schema and the rules is most of what a
plan of a large account spends before its first request, and it gives the same result for the same
input every time. So a load's result is kept in the user's cache directory, under a key made of
everything that can change it: humectl's version, the schema and the catalogs it checks against, the
load's options and resolved variables, and the path and content of every manifest file. The entry
also lists the other files the load read (``text_file`` prompts) with their digests; a hit whose
inputs changed is a miss.

What is kept is plain data (marshal: no code runs when an entry is read), signed with a key of the
cache directory's own, so an entry nobody but this user wrote is never believed. A load that holds a
sensitive value is never cached: secrets are never written to disk. Entries are written to a
temporary file and renamed into place, so runs sharing the directory never read half an entry; the
oldest entries beyond :data:`MAX_ENTRIES` are removed. Any problem with the cache (unreadable,
foreign, corrupt, a full disk) is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from humectl import catalog
from humectl.core.errors import Problem
from humectl.core.version import __version__
from humectl.load.positions import DocumentPositions, EntryPositions
from humectl.load.schema import manifest_schema_text
from humectl.load.yamldoc import lazy_document
from humectl.model.desired import DesiredResource, LoadOptions, ManifestSet, Removed, Retention, Source
from humectl.model.review import Policy

CACHE_ENV = "HUMECTL_CACHE_DIR"
FORMAT = b"humectl-load-cache/1\n"
MAX_ENTRIES = 32
_KEY_FILE = "signing.key"
_SUFFIX = ".load"


def default_directory(environ: Mapping[str, str] | None = None) -> Path:
    """``$HUMECTL_CACHE_DIR``, else ``$XDG_CACHE_HOME/humectl/loads``, else ``~/.cache/humectl/loads``."""
    env = os.environ if environ is None else environ
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "humectl" / "loads"


@dataclass(frozen=True)
class ManifestCache:
    """The cache in ``directory`` (created 0700 when missing)."""

    directory: Path

    def key(self, parts: list[bytes]) -> str:
        digest = hashlib.sha256()
        for part in (__version__.encode(), manifest_schema_text().encode(), *_catalog_bytes(), *parts):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def get(self, key: str) -> ManifestSet | None:
        """The load cached under ``key`` whose inputs are unchanged, else None."""
        signer = self._signer(create=False)
        if signer is None:
            return None
        try:
            blob = (self.directory / (key + _SUFFIX)).read_bytes()
        except OSError:
            return None
        head = len(FORMAT) + 32
        if not blob.startswith(FORMAT) or len(blob) < head:
            return None
        body = blob[head:]
        if not hmac.compare_digest(blob[len(FORMAT) : head], hmac.new(signer, body, "sha256").digest()):
            return None
        try:
            data = marshal.loads(body)
            if any(_digest_of(Path(path)) != digest for path, digest in data["inputs"]):
                return None
            return _thaw(data)
        except (ValueError, EOFError, TypeError, KeyError, IndexError):
            return None

    def put(self, key: str, loaded: ManifestSet, texts: Mapping[str, str], variables: Mapping[str, str]) -> None:
        """Keep ``loaded`` under ``key`` (never one holding a sensitive value): its resources, and each
        document's text (``texts``: path -> text) and the marks its fast parse gave, so positions are
        worked out later exactly as for a fresh load. Failures are ignored."""
        if loaded.sensitive:
            return
        signer = self._signer(create=True)
        if signer is None:
            return
        try:
            body = marshal.dumps(_freeze(loaded, texts, variables))
        except ValueError:  # a value marshal cannot hold: not cached
            return
        blob = FORMAT + hmac.new(signer, body, "sha256").digest() + body
        with contextlib.suppress(OSError):
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=_SUFFIX)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(blob)
                os.replace(temporary, self.directory / (key + _SUFFIX))
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
            self._evict()

    def _signer(self, *, create: bool) -> bytes | None:
        """The directory's signing key; None when the directory is not safely this user's own."""
        try:
            if create:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = self.directory.stat()
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022:
            return None  # others could write entries here
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        path = self.directory / _KEY_FILE
        try:
            return path.read_bytes()
        except FileNotFoundError:
            if not create:
                return None
        except OSError:
            return None
        fresh = secrets.token_bytes(32)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another run made it meanwhile: use theirs
            with contextlib.suppress(OSError):
                return path.read_bytes()
            return None
        except OSError:
            return None
        with os.fdopen(handle, "wb") as out:
            out.write(fresh)
        return fresh

    def _evict(self) -> None:
        entries = []
        for path in self.directory.glob("*" + _SUFFIX):
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime, path))
        for _, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
            with contextlib.suppress(OSError):
                path.unlink()


def key_parts(
    options: LoadOptions, variables: Mapping[str, str], texts: list[tuple[str, str]], scope: str
) -> list[bytes]:
    """What a load's result depends on besides humectl itself: its options and resolved variables, and
    each manifest file's path and text (``texts``: (path as shown, text)); ``scope`` is the rest of
    what the loader resolved (root, name prefix, environment)."""
    head = repr(
        (
            scope,
            options.environment,
            options.name_prefix,
            sorted(variables.items()),
            sorted(options.allowed_models),
            sorted(options.allowed_voices),
        )
    ).encode()
    return [head, *(part for path, text in texts for part in (path.encode(), text.encode()))]


def _digest_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _catalog_bytes() -> list[bytes]:
    return [p.read_bytes() for p in sorted(Path(catalog.__file__).parent.glob("*.json"))]


def _freeze(loaded: ManifestSet, texts: Mapping[str, str], variables: Mapping[str, str]) -> dict[str, Any]:
    documents: dict[str, tuple[Any, ...]] = {}
    resources = []
    for res in loaded.resources:
        positions = res.positions
        if not isinstance(positions, EntryPositions):
            raise ValueError("only a fresh load is cached")
        doc = positions.document
        if doc.rel not in documents:
            documents[doc.rel] = (str(doc.path), doc.display, texts[str(doc.path)], doc._marks, doc._key_marks)
        resources.append(
            (
                res.kind,
                res.name,
                res.spec,
                (res.source.file, res.source.line, res.source.col),
                res.version_description,
                res.previous_names,
                res.protect,
                res.ignore_warnings,
                doc.rel,
                positions.entry_pointer,
                positions.aliases,
            )
        )
    return {
        "root": str(loaded.root),
        "variables": dict(variables),
        "documents": documents,
        "resources": resources,
        "warnings": [tuple(p.to_dict().values()) for p in loaded.warnings],
        "files": list(loaded.files),
        "environment": loaded.environment,
        "name_prefix": loaded.name_prefix,
        "declared_prefixes": loaded.declared_prefixes,
        "policy": loaded.policy.to_dict(),
        "removed": [(r.kind, r.name, (r.source.file, r.source.line, r.source.col)) for r in loaded.removed],
        "keep_versions": loaded.retention.keep_versions,
        "inputs": [(path, _digest_of(Path(path))) for path in loaded.inputs],
    }


def _thaw(data: dict[str, Any]) -> ManifestSet:
    variables = data["variables"]
    documents = {
        rel: DocumentPositions(
            lazy_document(
                text, path=Path(path), rel=rel, display=display, variables=variables, marks=marks, key_marks=key_marks
            )
        )
        for rel, (path, display, text, marks, key_marks) in data["documents"].items()
    }
    resources = []
    for kind, name, spec, source, description, previous, protect, ignored, rel, pointer, aliases in data["resources"]:
        positions = EntryPositions(documents[rel], pointer)
        for field_pointer, written_at in aliases.items():
            positions.alias(field_pointer, written_at)
        resources.append(
            DesiredResource(
                kind=kind,
                name=name,
                spec=spec,
                source=Source(*source),
                version_description=description,
                previous_names=tuple(previous),
                protect=protect,
                positions=positions,
                ignore_warnings=tuple(ignored),
            )
        )
    return ManifestSet(
        root=Path(data["root"]),
        resources=resources,
        warnings=[Problem(*fields) for fields in data["warnings"]],
        files=list(data["files"]),
        environment=data["environment"],
        name_prefix=data["name_prefix"],
        declared_prefixes=tuple(data["declared_prefixes"]),
        policy=Policy.from_dict(data["policy"]),
        removed=[Removed(kind, name, Source(*source)) for kind, name, source in data["removed"]],
        retention=Retention(data["keep_versions"]),
        inputs=tuple(path for path, _ in data["inputs"]),
    )
