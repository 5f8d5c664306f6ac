"""The desired state as data: each resource the manifests define, where it was written, and the set
of them one load produced (with its environment, name prefix, policy and sensitive values)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.core.errors import Problem
from humectl.core.kinds import KindName
from humectl.model.review import Policy


@dataclass(frozen=True)
class Source:
    """Where a node came from: file relative to the manifest root, 1-based line and column."""

    file: str
    line: int
    col: int


@dataclass
class DesiredResource:
    """One prompt/tool/config as the manifests want it.

    ``spec`` holds only the fields the manifest sets, with the API's field names, ready to diff:
    - prompt: ``text`` (``text_file`` already read), ``prompt_expansion``
    - tool: ``parameters`` (canonical JSON string: sorted keys, no spaces), ``description``,
      ``fallback_content``
    - config: every config field; ``prompt`` is ``{"name": n}`` or ``{"name": n, "version": v}``,
      ``tools`` a list of those; everything else exactly as written.
    Names already carry the environment's name prefix.
    """

    kind: KindName
    name: str
    spec: dict[str, Any]
    source: Source
    version_description: str | None = None
    previous_names: tuple[str, ...] = ()
    protect: bool = False
    positions: Mapping[str, Source] = field(default_factory=dict)  # JSON pointer in spec -> source
    ignore_warnings: tuple[str, ...] = ()  # the entry's ignore_warnings (humectl.load.lint reads them)

    @functools.cached_property
    def address(self) -> str:  # asked for ten times per resource in a plan (kept in the instance's dict)
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class Removed:
    """A manifest's ``removed:`` entry: a resource humectl stops managing and leaves live (Terraform's
    ``removed`` block). ``name`` carries the environment's name prefix, as resource names do."""

    kind: KindName
    name: str
    source: Source

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class Retention:
    """humectl.yaml's ``retention:`` for this load (the environment's over the top level):
    ``keep_versions`` is how many of each managed resource's newest versions ``--prune-versions`` keeps."""

    keep_versions: int | None = None


@dataclass(frozen=True)
class LoadOptions:
    """Variables and environment for one load.

    ``variables`` are the ``--var`` values (highest precedence). ``name_prefix``, when not empty,
    overrides the environment's prefix. ``environment`` picks an entry of ``humectl.yaml``.
    ``var_files`` are read in order (paths as given, relative to the working directory),
    ``env_variables`` are the ``HUMECTL_VAR_*`` values with the prefix already removed: the loader
    never reads the process environment itself. Build these from CLI flags with
    :func:`build_load_options`.
    """

    variables: dict[str, str] = field(default_factory=dict, repr=False)
    name_prefix: str = ""
    environment: str | None = None
    var_files: tuple[str, ...] = ()
    env_variables: dict[str, str] = field(default_factory=dict, repr=False)
    project_file: str | None = None  # default: humectl.yaml (or .yml) at the root
    # Models and HUME_AI voice names to take as known (validate --allow-model / --allow-voice).
    allowed_models: tuple[str, ...] = ()
    allowed_voices: tuple[str, ...] = ()
    # HUMECTL_SECRET_<NAME> (and HUMECTL_SECRETS) values: variables that are sensitive (humectl.core.sensitive).
    secret_variables: dict[str, str] = field(default_factory=dict, repr=False)
    # The command acts on one scope (plan, apply, destroy, drift, rollback): when humectl.yaml declares
    # environments, one must be chosen (--env, default_env) or an explicit --name-prefix given.
    environment_required: bool = False


@dataclass
class ManifestSet:
    """Every desired resource under one root, in deterministic order."""

    root: Path
    resources: list[DesiredResource] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # manifest files read, relative to root
    environment: str | None = None
    name_prefix: str = ""
    # The name prefixes of every environment humectl.yaml declares (provenance.owner_prefix).
    declared_prefixes: tuple[str, ...] = ()
    # The sensitive variables of this load, name -> value (humectl.core.sensitive): masked in every output.
    sensitive: dict[str, str] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)  # humectl.yaml's policy: for this environment
    removed: list[Removed] = field(default_factory=list)  # the manifests' removed: entries
    retention: Retention = field(default_factory=Retention)  # humectl.yaml's retention: for this environment
    # Every file the load read (manifests, humectl.yaml, var files, text files), as real paths: what a
    # cached load (humectl.load.cache) must find unchanged to stand for a new one.
    inputs: tuple[str, ...] = ()

    def get(self, kind: KindName, name: str) -> DesiredResource | None:
        for resource in self.resources:
            if resource.kind == kind and resource.name == name:
                return resource
        return None

    def of_kind(self, kind: KindName) -> list[DesiredResource]:
        return [r for r in self.resources if r.kind == kind]
