"""Read manifest files into a ManifestSet: source positions, variables, ``text_file``, references by name.

Pipeline of :func:`load_manifests`, every step collecting problems instead of stopping:

1. the project file ``humectl.yaml`` (optional) and ``--var-file`` files -> the variables and the
   name prefix of this load (:mod:`humectl.variables` documents the precedence);
2. discovery: every ``*.yaml``/``*.yml`` under the root, sorted, hidden directories (so also
   ``.humectl/``) skipped, directory symlinks followed once, symlink loops reported;
3. each file read safely and parsed with positions (:mod:`humectl.yamldoc`), ``${var}`` substituted;
4. the JSON Schema (:mod:`humectl.schema`), then the semantic rules (:mod:`humectl.rules`);
5. entries become :class:`DesiredResource` objects: ``text_file`` read, tool ``parameters`` as
   canonical JSON, references as ``{"name": …}`` / ``{"name": …, "version": …}``, names prefixed.

The result is returned only when nothing is an error; otherwise :class:`ManifestError` carries
every problem (warnings included), sorted by file and position.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl import policy as policies
from humectl import rules, stages, variables
from humectl.collector import fewer_collections
from humectl.diff import normalise_line_endings
from humectl.errors import ManifestError, Problem, UsageError
from humectl.kinds import KINDS, REPORT_ORDER
from humectl.policy import Policy
from humectl.schema import schema_violations
from humectl.yamldoc import MAX_FILE_BYTES, Document, parse, parse_many, read_text, relative_display

PROJECT_FILENAMES = ("humectl.yaml", "humectl.yml")
MANIFEST_SUFFIXES = (".yaml", ".yml")
_PLURAL_TO_KIND = {kind.plural: kind.name for kind in KINDS.values()}


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

    kind: str
    name: str
    spec: dict[str, Any]
    source: Source
    version_description: str | None = None
    previous_names: tuple[str, ...] = ()
    protect: bool = False
    positions: Mapping[str, Source] = field(default_factory=dict)  # JSON pointer in spec -> source
    ignore_warnings: tuple[str, ...] = ()  # the entry's ignore_warnings (humectl.lint reads them)

    @functools.cached_property
    def address(self) -> str:  # asked for ten times per resource in a plan (kept in the instance's dict)
        return f"{self.kind}/{self.name}"


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
    # HUMECTL_SECRET_<NAME> (and HUMECTL_SECRETS) values: variables that are sensitive (humectl.sensitive).
    secret_variables: dict[str, str] = field(default_factory=dict, repr=False)


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
    # The sensitive variables of this load, name -> value (humectl.sensitive): masked in every output.
    sensitive: dict[str, str] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)  # humectl.yaml's policy: for this environment

    def get(self, kind: str, name: str) -> DesiredResource | None:
        for resource in self.resources:
            if resource.kind == kind and resource.name == name:
                return resource
        return None

    def of_kind(self, kind: str) -> list[DesiredResource]:
        return [r for r in self.resources if r.kind == kind]


def build_load_options(
    *,
    var_flags: Sequence[str] = (),
    var_files: Sequence[str] = (),
    environment: str | None = None,
    name_prefix: str | None = None,
    root: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> LoadOptions:
    """LoadOptions from the flags of :func:`humectl.cli.manifest_options` (and ``HUMECTL_VAR_*``).

    ``var_flags`` are the raw ``--var NAME=VALUE`` strings (a malformed one raises UsageError);
    ``var_files`` are paths as given on the command line; ``environ`` defaults to ``os.environ``,
    of which only ``HUMECTL_VAR_*`` is kept. ``root`` (the manifest directory) is accepted for
    symmetry with the commands; the project file is found from the root at load time.
    """
    from humectl.sensitive import MIN_LENGTH, SECRET_PREFIX, secrets_from_environ, too_short
    from humectl.variables import ENV_PREFIX, parse_var_flags, variables_from_environ

    del root  # humectl.yaml is located by load_manifests, which gets the root itself
    if name_prefix and (why := rules.prefix_problem(name_prefix)):
        raise UsageError(f"--name-prefix {name_prefix!r} {why}", hint=rules.NAME_HINT)
    environ = os.environ if environ is None else environ
    env_variables = variables_from_environ(environ)
    secret_variables = secrets_from_environ(environ)
    for name, value in secret_variables.items():
        if name in env_variables:
            raise UsageError(
                f"{name} is set both as {ENV_PREFIX}{name} and as a sensitive {SECRET_PREFIX}{name}",
                hint=f"keep only {SECRET_PREFIX}{name}",
            )
        if too_short(value):
            raise UsageError(
                f"the sensitive value of {name} ({SECRET_PREFIX}{name}) is {len(value)} characters long; humectl "
                f"needs at least {MIN_LENGTH} to keep it out of its output",
                hint="use the real secret; a value this short would mask ordinary text",
            )
    return LoadOptions(
        variables=parse_var_flags(var_flags),
        name_prefix=name_prefix or "",
        environment=environment or None,
        var_files=tuple(var_files),
        env_variables=env_variables,
        secret_variables=secret_variables,
    )


# --- project file and variables -----------------------------------------------------------------


@dataclass
class _Resolved:
    variables: dict[str, str] = field(repr=False)
    name_prefix: str
    excluded: set[Path]
    declared_prefixes: tuple[str, ...] = ()
    sensitive: dict[str, str] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)


def _scalar_mapping(doc: Document, value: Any, pointer: str, what: str, problems: list[Problem]) -> dict[str, str]:
    """A ``{name: scalar}`` mapping of variables; bad names or values become problems."""
    found: dict[str, str] = {}
    if value is None:
        return found
    if not isinstance(value, dict):
        problems.append(doc.problem(pointer, f"{what} must be a mapping of name: value", rule="variables"))
        return found
    for name, raw in value.items():
        sub = f"{pointer}/{name}"
        if not variables.is_variable_name(name):
            problems.append(
                doc.problem(
                    sub,
                    f"'{name}' is not a variable name",
                    "use letters, digits and _ (not first)",
                    rule="variables",
                    key=True,
                )
            )
            continue
        text = variables.scalar_to_text(raw)
        if text is None:
            problems.append(
                doc.problem(sub, f"variable '{name}' must be a string, number or boolean", rule="variables")
            )
            continue
        found[name] = text
    return found


@dataclass
class _Project:
    """What ``humectl.yaml`` says for this load: variables and name prefix of the chosen environment,
    and the name prefixes of every environment it declares (whose resources ``--prune`` and
    ``destroy`` of another environment must leave alone)."""

    variables: dict[str, str] = field(default_factory=dict, repr=False)
    name_prefix: str = ""
    path: Path | None = None
    declared_prefixes: tuple[str, ...] = ()
    # Variables listed under ``sensitive:`` (top level and the chosen environment) -> where, for problems.
    sensitive: dict[str, tuple[Document, str]] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)  # of the chosen environment (humectl.policy)


def _read_project(root: Path, root_display: str, options: LoadOptions, problems: list[Problem]) -> _Project:
    """Variables and name prefix from ``humectl.yaml`` for the chosen environment."""
    path: Path | None = None
    if options.project_file:
        path = Path(options.project_file)
    else:
        for candidate in PROJECT_FILENAMES:
            if (root / candidate).is_file() and not _is_workflow_file(root / candidate):
                path = root / candidate
                break
    env = options.environment
    if path is None:
        if env:
            problems.append(
                Problem(
                    relative_display(root_display, PROJECT_FILENAMES[0]),
                    0,
                    0,
                    f"--env {env} was given but there is no {PROJECT_FILENAMES[0]} (or {PROJECT_FILENAMES[1]}) "
                    f"in {root_display or '.'}",
                    "define environments in humectl.yaml at the manifest root (see docs/manifests.md)",
                    "environment",
                )
            )
        return _Project()
    display = relative_display(root_display, path.name) if not options.project_file else str(path)
    text, problem = read_text(path, display, what="project file")
    if problem is not None:
        problems.append(problem)
        return _Project(path=path)
    assert text is not None
    doc, parse_problems = parse(text, path=path, rel=path.name, display=display, variables=None)
    problems.extend(parse_problems)
    if parse_problems:
        return _Project(path=path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        problems.append(doc.problem("", f"{path.name} must be a mapping", rule="project-file"))
        return _Project(path=path)
    allowed = ("variables", "environments", "sensitive", "policy")
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            problems.append(
                doc.problem(
                    f"/{key}",
                    f"unknown field '{key}' in {path.name}",
                    f"did you mean '{close[0]}'?" if close else "allowed: variables, environments, sensitive, policy",
                    rule="project-file",
                    key=True,
                )
            )
    found = _scalar_mapping(doc, data.get("variables"), "/variables", "variables", problems)
    sensitive = _sensitive_names(doc, data.get("sensitive"), "/sensitive", problems)
    prefix = ""
    environments = data.get("environments") or {}
    if not isinstance(environments, dict):
        problems.append(
            doc.problem("/environments", "environments must be a mapping of name: settings", rule="project-file")
        )
        environments = {}
    for env_name, settings in environments.items():
        base = f"/environments/{env_name}"
        if settings is None:
            continue
        if not isinstance(settings, dict):
            problems.append(doc.problem(base, f"environment '{env_name}' must be a mapping", rule="project-file"))
            continue
        for key in settings:
            if key not in _ENVIRONMENT_KEYS:
                close = difflib.get_close_matches(key, _ENVIRONMENT_KEYS, n=1)
                problems.append(
                    doc.problem(
                        f"{base}/{key}",
                        f"unknown field '{key}' in environment '{env_name}'",
                        f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(_ENVIRONMENT_KEYS)}",
                        rule="project-file",
                        key=True,
                    )
                )
        if "name_prefix" in settings and not isinstance(settings["name_prefix"], str):
            problems.append(
                doc.problem(f"{base}/name_prefix", "name_prefix must be a string (quote it)", rule="project-file")
            )
        elif isinstance(settings.get("name_prefix"), str) and (why := rules.prefix_problem(settings["name_prefix"])):
            problems.append(
                doc.problem(
                    f"{base}/name_prefix",
                    f"name_prefix '{settings['name_prefix']}' of environment '{env_name}' {why}",
                    rules.NAME_HINT,
                    rule="name",
                )
            )
    if env:
        settings = environments.get(env)
        if env not in environments:
            close = difflib.get_close_matches(env, [str(k) for k in environments], n=1)
            names = ", ".join(str(k) for k in environments) or "none"
            problems.append(
                doc.problem(
                    "/environments",
                    f"environment '{env}' is not defined in {path.name}",
                    f"did you mean '{close[0]}'?" if close else f"defined environments: {names}",
                    rule="environment",
                    key=True,
                )
            )
        elif isinstance(settings, dict):
            found.update(
                _scalar_mapping(doc, settings.get("variables"), f"/environments/{env}/variables", "variables", problems)
            )
            if isinstance(settings.get("name_prefix"), str):
                prefix = settings["name_prefix"]
            sensitive.update(
                _sensitive_names(doc, settings.get("sensitive"), f"/environments/{env}/sensitive", problems)
            )
    declared = tuple(
        sorted({str(e["name_prefix"]) for e in environments.values() if isinstance(e, dict) and e.get("name_prefix")})
    )
    # Every environment's policy is checked (a typo in prod's must not wait for a run with --env prod);
    # the chosen one's refines the top level's.
    policy = policies.read(doc, "/policy", data.get("policy"), problems)
    for env_name, settings in environments.items():
        if isinstance(settings, dict) and "policy" in settings:
            own = policies.read(doc, f"/environments/{env_name}/policy", settings["policy"], problems)
            if env_name == env:
                policy = policy.refined_by(own)
    return _Project(found, prefix, path, declared, sensitive, policy)


_ENVIRONMENT_KEYS = ("name_prefix", "variables", "description", "sensitive", "policy")


def _sensitive_names(
    doc: Document, value: Any, pointer: str, problems: list[Problem]
) -> dict[str, tuple[Document, str]]:
    """``sensitive: [name, ...]``: the variables whose values humectl must never show."""
    found: dict[str, tuple[Document, str]] = {}
    if value is None:
        return found
    if not isinstance(value, list):
        problems.append(doc.problem(pointer, "sensitive must be a list of variable names", rule="project-file"))
        return found
    for i, name in enumerate(value):
        if not isinstance(name, str) or not variables.is_variable_name(name):
            message = f"{name!r} is not a variable name"
            problems.append(doc.problem(f"{pointer}/{i}", message, "use letters, digits and _", rule="variables"))
            continue
        found[name] = (doc, f"{pointer}/{i}")
    return found


def looks_like_workflow(data: Any) -> bool:
    """A GitHub Actions workflow (top-level ``on:`` and ``jobs:``): never a manifest or a project file."""
    return isinstance(data, dict) and "jobs" in data and "on" in data


def _is_workflow_file(path: Path) -> bool:
    text, problem = read_text(path, path.name, what="project file")
    if problem is not None or text is None:
        return False  # reported when it is read as the project file
    doc, problems = parse(text, path=path, rel=path.name, display=path.name, variables=None)
    return not problems and looks_like_workflow(doc.data)


_NOT_A_MANIFEST_HINT = (
    "a manifest is a mapping holding the lists prompts:, tools: and/or configs:; keep other YAML files "
    "out of the manifest directory (or in a hidden directory)"
)
_TYPE_NAMES = {str: "a string", int: "a number", float: "a number", bool: "true or false", list: "a list"}


def not_a_manifest(data: Any) -> str | None:
    """Why a parsed file cannot be a manifest at all, by its shape alone (None when it may be one).

    A mapping is a manifest when it is empty or one of its keys is, or nearly is (a typo),
    ``prompts``, ``tools`` or ``configs``; then each problem is reported where it is.
    """
    if isinstance(data, dict):
        keys = [str(k) for k in data]
        plurals = list(_PLURAL_TO_KIND)
        if not keys or any(k in plurals or difflib.get_close_matches(k, plurals, n=1, cutoff=0.6) for k in keys):
            return None
        listed = ", ".join(f"{KINDS[kind].plural}:" for kind in REPORT_ORDER)
        return f"a mapping with none of {listed} ({len(keys)} other key(s))"
    return f"its content is {_TYPE_NAMES.get(type(data), 'not a mapping')}, not a mapping"


def _workflow_skipped(display: str) -> Problem:
    return Problem(
        display,
        0,
        0,
        "a GitHub Actions workflow, not a humectl manifest; skipped",
        "keep workflows in .github/workflows/ (hidden directories are not read as manifests)",
        "not-a-manifest",
        "warning",
    )


def _read_var_file(name: str, problems: list[Problem]) -> dict[str, str]:
    path = Path(name)
    text, problem = read_text(path, name, what="variable file")
    if problem is not None:
        problems.append(problem)
        return {}
    assert text is not None
    doc, parse_problems = parse(text, path=path, rel=name, display=name, variables=None)
    problems.extend(parse_problems)
    if parse_problems:
        return {}
    return _scalar_mapping(doc, doc.data, "", "a variable file", problems)


def _resolve_options(root: Path, root_display: str, options: LoadOptions, problems: list[Problem]) -> _Resolved:
    project = _read_project(root, root_display, options, problems)
    found = project.variables
    found.update(options.env_variables)
    found.update(options.secret_variables)
    excluded: set[Path] = set()
    if project.path is not None:
        excluded.add(_real(project.path))
    for name in options.var_files:
        found.update(_read_var_file(name, problems))
        excluded.add(_real(Path(name)))
    found.update(options.variables)
    secret = _register_sensitive(found, project, options, problems)
    resolved = _Resolved(found, options.name_prefix or project.name_prefix, excluded, project.declared_prefixes)
    resolved.sensitive = secret
    resolved.policy = project.policy
    return resolved


def _register_sensitive(
    found: Mapping[str, str], project: _Project, options: LoadOptions, problems: list[Problem]
) -> dict[str, str]:
    """The sensitive variables' values, registered with :func:`humectl.sensitive.current` before any
    manifest is read (so even a problem that quotes one is masked); too short a value is a problem."""
    from humectl import sensitive

    registry = sensitive.current()
    out: dict[str, str] = {}
    for name in sorted({*project.sensitive, *options.secret_variables}):
        value = found.get(name)
        if value is None:
            continue
        if sensitive.too_short(value):
            where = project.sensitive.get(name)
            message = (
                f"the sensitive variable '{name}' has a value of {len(value)} characters; humectl needs at "
                f"least {sensitive.MIN_LENGTH} to keep it out of its output"
            )
            hint = "use the real secret; a value this short would mask ordinary text"
            if where is not None:
                problems.append(where[0].problem(where[1], message, hint, rule="sensitive"))
            else:
                problems.append(Problem("humectl.yaml", 0, 0, message, hint, "sensitive"))
            continue
        registry.add(name, value)
        out[name] = value
    return out


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


# --- discovery ----------------------------------------------------------------------------------


def discover_manifest_files(root: Path, root_display: str, excluded: set[Path]) -> tuple[list[Path], list[Problem]]:
    """Every manifest file under ``root``, sorted by relative path.

    Symlink loops, and symlinks (to files or directories) that lead out of ``root``, become problems:
    a manifest is read from inside the manifest directory only, as a ``text_file`` is.
    """
    problems: list[Problem] = []
    found: list[Path] = []
    visited: set[str] = set()
    root_real = os.path.realpath(root)

    def outside(path: Path, what: str) -> bool:
        real = os.path.realpath(path)
        if real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep):
            return False
        problems.append(
            Problem(
                relative_display(root_display, path.relative_to(root).as_posix()),
                0,
                0,
                f"{what} is a symlink that leads outside the manifest directory; not read",
                "keep manifests inside the manifest directory (text_file has the same rule), or copy the file in",
                "symlink-outside",
            )
        )
        return True

    def walk(directory: Path, ancestors: tuple[str, ...]) -> None:
        real = os.path.realpath(directory)
        if directory != root and outside(directory, "directory"):
            return
        if real in ancestors:
            rel = directory.relative_to(root).as_posix()
            problems.append(
                Problem(
                    relative_display(root_display, rel),
                    0,
                    0,
                    "symlink loop: this directory links back to a directory that contains it",
                    "remove the symlink or point it elsewhere",
                    "symlink-loop",
                )
            )
            return
        if real in visited:
            return  # the same directory reached twice through symlinks: read it once
        visited.add(real)
        try:
            children = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            rel = directory.relative_to(root).as_posix() if directory != root else "."
            problems.append(
                Problem(
                    relative_display(root_display, rel),
                    0,
                    0,
                    f"directory cannot be read: {exc.strerror or exc}",
                    rule="file",
                )
            )
            return
        for child in children:
            if child.name.startswith("."):
                continue  # hidden files and directories, .humectl/ and .git/ among them
            path = Path(child.path)
            try:
                is_dir = child.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                walk(path, (*ancestors, real))
            elif child.name.endswith(MANIFEST_SUFFIXES):
                if _real(path) in excluded or (child.is_symlink() and outside(path, "manifest")):
                    continue
                found.append(path)

    walk(root, ())
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found, problems


# --- entries and resources ----------------------------------------------------------------------


def _entries(doc: Document, prefix: str) -> list[rules.ManifestEntry]:
    entries: list[rules.ManifestEntry] = []
    if not isinstance(doc.data, dict):
        return entries
    for plural, kind in _PLURAL_TO_KIND.items():
        items = doc.data.get(plural)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict):
                entries.append(rules.ManifestEntry(kind, doc, f"/{plural}/{i}", item, prefix))
    if len(entries) > 1 and entries[0].kind != entries[-1].kind:
        entries.sort(key=lambda e: doc.position(e.pointer))  # the order they are written in
    return entries


def read_text_file(entry: rules.ManifestEntry, root_real: Path, key: str) -> tuple[str | None, list[Problem]]:
    """The text of the file ``entry[key]`` names (a prompt's ``text_file``): relative to the manifest,
    inside the root, UTF-8."""
    value = entry.data.get(key)
    if not isinstance(value, str) or not value:
        return None, []  # a schema violation
    sub = f"/{key}"
    if "\x00" in value:
        return None, [entry.problem(sub, f"{key} contains a NUL character", rule="text-file")]
    if os.path.isabs(value):
        return None, [
            entry.problem(
                sub,
                f"{key} '{value}' must be a relative path",
                "write it relative to this manifest file",
                rule="text-file",
            )
        ]
    target = entry.doc.path.parent / value
    try:
        real = target.resolve(strict=True)
    except FileNotFoundError:
        return None, [
            entry.problem(
                sub,
                f"{key} '{value}' does not exist",
                f"looked for {target.as_posix()} (paths are relative to the manifest file)",
                rule="text-file",
            )
        ]
    except (OSError, RuntimeError, ValueError):
        return None, [entry.problem(sub, f"{key} '{value}' cannot be resolved (a symlink loop?)", rule="text-file")]
    if not real.is_relative_to(root_real):
        return None, [
            entry.problem(
                sub,
                f"{key} '{value}' is outside the project directory",
                "keep prompt files inside the manifest directory",
                rule="text-file",
            )
        ]
    if real.is_dir():
        return None, [entry.problem(sub, f"{key} '{value}' is a directory", rule="text-file")]
    text, problem = read_text(real, entry.doc.display, what=f"{key} '{value}'")
    if problem is not None:
        line, col = entry.doc.position(entry.pointer + sub)
        why = problem.message
        return None, [
            Problem(
                entry.doc.display,
                line,
                col,
                why,
                problem.hint or f"prompt files must be UTF-8 text under {MAX_FILE_BYTES // 2**20} MB",
                "text-file",
            )
        ]
    # Line endings as git and editors may check them out (CRLF, or a lone CR) are one "\n", so the
    # same file plans the same on every platform (docs/manifests.md: text_file).
    return (None if text is None else normalise_line_endings(text)), []


def _reference(value: Any, prefix: str) -> Any:
    name, version = rules.reference_parts(value)
    if name is None:
        return value
    ref: dict[str, Any] = {"name": prefix + name}
    if version is not None:
        ref["version"] = version
    return ref


def _positions_by_entry(doc: Document) -> dict[str, dict[str, Source]]:
    """The positions of every entry of ``doc``, keyed by entry pointer, in one pass over the marks."""
    out: dict[str, dict[str, Source]] = {}
    for pointer, (line, col) in doc.marks.items():
        parts = pointer.split("/", 3)  # "", plural, index, rest
        if len(parts) < 3 or parts[1] not in _PLURAL_TO_KIND:
            continue
        entry_pointer = f"/{parts[1]}/{parts[2]}"
        rest = "/" + parts[3] if len(parts) == 4 else ""
        out.setdefault(entry_pointer, {})[rest] = Source(doc.rel, line, col)
    return out


class _DocumentPositions:
    """:func:`_positions_by_entry` of one document, worked out when a resource's positions are first read."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._by_entry: dict[str, dict[str, Source]] | None = None

    def of(self, entry_pointer: str) -> dict[str, Source]:
        if self._by_entry is None:
            self._by_entry = _positions_by_entry(self.doc)
        return self._by_entry.get(entry_pointer, {})


class EntryPositions(Mapping[str, Source]):
    """``DesiredResource.positions``: JSON pointer within the spec -> Source, read lazily.

    A valid load never needs the position of every field, so these are only worked out (for the
    whole document at once) when something reads them. ``alias`` makes a spec field answer with the
    position of the manifest field it came from (``/text`` with that of ``/text_file``).
    """

    def __init__(self, document: _DocumentPositions, entry_pointer: str) -> None:
        self._document = document
        self._pointer = entry_pointer
        self._aliases: dict[str, str] = {}
        self._found: dict[str, Source] | None = None

    def alias(self, field: str, written_at: str) -> None:
        self._aliases[field] = written_at
        self._found = None

    def _all(self) -> dict[str, Source]:
        if self._found is None:
            found = dict(self._document.of(self._pointer))
            for field, written_at in self._aliases.items():
                if written_at in found:
                    found[field] = found[written_at]
            self._found = found
        return self._found

    def __getitem__(self, pointer: str) -> Source:
        return self._all()[pointer]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"EntryPositions({self._document.doc.rel}{self._pointer})"


def spec_as_written(entry: rules.ManifestEntry, positions: EntryPositions) -> dict[str, Any]:
    """Every field of ``entry`` as written (meta keys left out), references (from the kind registry)
    as ``{name, version?}``: the spec of a kind whose fields go to the API as they are (a config)."""
    references = _references_of(entry.kind)
    spec: dict[str, Any] = {}
    for key, value in entry.data.items():
        if key in rules.META_KEYS:
            continue
        reference = references.get(key)
        if reference is None:
            spec[key] = value
        elif not reference.many:
            spec[key] = _reference(value, entry.prefix)
            if isinstance(value, str):
                positions.alias(f"/{key}/name", f"/{key}")
        elif isinstance(value, list):
            spec[key] = [_reference(item, entry.prefix) for item in value]
            for i, item in enumerate(value):
                if isinstance(item, str):
                    positions.alias(f"/{key}/{i}/name", f"/{key}/{i}")
        else:
            spec[key] = value
    return spec


@functools.cache
def _references_of(kind: str) -> dict[str, Any]:
    return {r.field: r for r in KINDS[kind].references}


def _build_resource(
    entry: rules.ManifestEntry, root_real: Path, positions: EntryPositions
) -> tuple[DesiredResource | None, list[Problem]]:
    spec, problems = KINDS[entry.kind].build_spec(entry, root_real, positions)
    data = entry.data
    full = entry.full_name
    if full is None:
        return None, problems
    olds = data.get("previous_names")
    description = data.get("version_description")
    resource = DesiredResource(
        kind=entry.kind,
        name=full,
        spec=spec,
        source=Source(entry.doc.rel, *entry.doc.position(entry.pointer)),
        version_description=description if isinstance(description, str) else None,
        previous_names=tuple(entry.prefix + o for o in olds if isinstance(o, str)) if isinstance(olds, list) else (),
        protect=data.get("protect") is True,
        positions=positions,
        ignore_warnings=tuple(map(str, ignored)) if isinstance(ignored := data.get("ignore_warnings"), list) else (),
    )
    return resource, problems


def _names_a_secret(
    entry: rules.ManifestEntry, resource: DesiredResource, secrets: Mapping[str, str]
) -> Problem | None:
    """A name is shown everywhere (plans, ids tables, the account), so it may not hold a sensitive value."""
    for name in (resource.name, *resource.previous_names):
        held = sorted(n for n, value in secrets.items() if value and value in name)
        if held:
            return entry.problem(
                "/name",
                f"this {resource.kind}'s name holds the sensitive value of {', '.join(held)}",
                "names are shown in every plan and in the account: keep sensitive values out of them",
                rule="sensitive",
            )
    return None


def _sort_key(problem: Problem) -> tuple[str, int, int]:
    return (problem.file, problem.line, problem.col)


# --- the loader ---------------------------------------------------------------------------------


def load_manifests(root: str | Path, options: LoadOptions | None = None) -> ManifestSet:
    """Load and fully validate every manifest under ``root``; raise ManifestError with all problems.

    ``root`` is a directory (or a single manifest file, read alone). Warnings never fail a load:
    they come back as ``ManifestSet.warnings`` (and inside ManifestError with the errors).
    """
    with fewer_collections():  # the documents and entries are long-lived and acyclic
        return _load_manifests(root, options)


class PendingLoad:
    """:func:`load_manifests` with its YAML converted in a forked child (:class:`humectl.forked.Pending`)
    begun now, so that this process imports the HTTP stack and starts listing the account meanwhile
    instead of taking turns with the conversion for one core.

    The files are found and read here at once (so are humectl.yaml and the sensitive values, which are
    registered here, as in any load); only each text's fast conversion (plain data, marshal) comes from
    the child, and :meth:`result` finishes the load exactly as :func:`load_manifests` does: the same
    ManifestSet or the same ManifestError. A failed child means the texts are converted here."""

    def __init__(self, root: str | Path, options: LoadOptions | None = None) -> None:
        from humectl import forked
        from humectl.yamldoc import fast_results

        self._options = options or LoadOptions()
        with fewer_collections():
            self._read = _read(root, self._options)
        texts = [text for text, *_ in self._read.texts]
        self._converting = forked.Pending(
            functools.partial(fast_results, texts, self._read.resolved.variables),
            fork=sum(map(len, texts)) >= forked.MIN_WEIGHT,
        )

    def result(self) -> ManifestSet:
        from humectl.yamldoc import documents

        with fewer_collections():
            with stages.span("load"):
                fast = self._converting.result()
                parsed = documents(self._read.texts, fast, variables=self._read.resolved.variables)
            return _finish(self._read, self._options, parsed)

    def close(self) -> None:
        self._converting.close()


@dataclass
class _Read:
    """What a load has found and read before any YAML is converted."""

    root_display: str
    single_file: bool
    base: Path
    root_real: Path
    resolved: _Resolved
    problems: list[Problem]
    texts: list[tuple[str, Path, str, str]]  # (text, path, rel, display) of every file that could be read


def _load_manifests(root: str | Path, options: LoadOptions | None) -> ManifestSet:
    options = options or LoadOptions()
    read = _read(root, options)
    with stages.span("load"):
        parsed = parse_many(read.texts, variables=read.resolved.variables)
    return _finish(read, options, parsed)


def _read(root: str | Path, options: LoadOptions) -> _Read:
    """Find the manifest files under ``root`` (with humectl.yaml's options) and read their texts."""
    root_display = os.path.normpath(str(root)) if str(root) not in ("", ".") else "."
    root_path = Path(root)
    problems: list[Problem] = []

    if not root_path.exists():
        kind = "is a broken symlink or a symlink loop" if root_path.is_symlink() else "does not exist"
        raise _manifest_error([Problem(root_display, 0, 0, f"manifest directory {kind}", rule="no-manifests")])
    single_file = root_path.is_file()
    base = root_path.parent if single_file else root_path
    base_display = (os.path.dirname(root_display) or ".") if single_file else root_display
    try:
        root_real = base.resolve(strict=True)
    except (OSError, RuntimeError):
        message = "manifest directory cannot be resolved (a symlink loop?)"
        raise _manifest_error([Problem(root_display, 0, 0, message, rule="symlink-loop")]) from None

    resolved = _resolve_options(base, base_display, options, problems)
    if single_file:
        files = [root_path]
    else:
        files, found = discover_manifest_files(base, base_display, resolved.excluded)
        problems += found
        if not files and not problems:
            message = f"no manifest files (*.yaml, *.yml) under {root_display}"
            hint = "point humectl at the directory holding your manifests"
            raise _manifest_error([Problem(root_display, 0, 0, message, hint, "no-manifests")])

    texts: list[tuple[str, Path, str, str]] = []
    for path in files:
        rel = path.relative_to(base).as_posix()
        display = relative_display(base_display, rel)
        text, problem = read_text(path, display)
        if problem is not None:
            problems.append(problem)
            continue
        assert text is not None
        texts.append((text, path, rel, display))
    return _Read(root_display, single_file, base, root_real, resolved, problems, texts)


def _finish(read: _Read, options: LoadOptions, parsed: list[tuple[Document, list[Problem]]]) -> ManifestSet:
    """The rest of a load, from the converted documents: schema, rules, resources."""
    root_display, single_file, base, root_real = read.root_display, read.single_file, read.base, read.root_real
    resolved, problems, texts = read.resolved, list(read.problems), read.texts
    documents: list[Document] = []
    workflows: list[str] = []
    for (_, _, _, display), (doc, parse_problems) in zip(texts, parsed, strict=True):
        if looks_like_workflow(doc.data):  # its ${{ }} expressions are not humectl's variables
            problems.append(_workflow_skipped(display))
            workflows.append(display)
            continue
        problems += parse_problems
        if doc.data is None:
            continue  # an empty file, or one that did not parse (its problems are recorded)
        why = not_a_manifest(doc.data)
        if why is not None:  # described by its shape only: never quote what may be someone's secret
            message = f"not a humectl manifest: {why}"
            problems.append(doc.problem("", message, _NOT_A_MANIFEST_HINT, rule="not-a-manifest"))
            continue
        documents.append(doc)
        with stages.span("validate"):
            violations = schema_violations(doc.data)
        for violation in violations:
            if any(violation.pointer.startswith(p) for p in doc.suppressed if p):
                continue  # already reported as what it really is (an undefined variable, a bad tag)
            problems.append(
                doc.problem(violation.pointer, violation.message, violation.hint, rule="schema", key=violation.at_key)
            )

    if workflows and not documents and not single_file:
        message = f"no manifest files (*.yaml, *.yml) under {root_display}, only GitHub Actions workflows"
        hint = "point humectl at the directory holding your manifests"
        problems.append(Problem(root_display, 0, 0, message, hint, "no-manifests"))
    entries = [e for doc in documents for e in _entries(doc, resolved.name_prefix)]
    with stages.span("validate"):
        allowed = rules.Allowances(frozenset(options.allowed_models), frozenset(options.allowed_voices))
        problems += rules.check_entries(entries, allowed)
    resources: list[DesiredResource] = []
    with stages.span("load"):
        positions = {id(doc): _DocumentPositions(doc) for doc in documents}
        for entry in entries:
            resource, found = _build_resource(entry, root_real, EntryPositions(positions[id(entry.doc)], entry.pointer))
            problems += rules.drop_ignored(entry, found)
            if resource is not None:
                resources.append(resource)
                if resolved.sensitive and (named := _names_a_secret(entry, resource, resolved.sensitive)):
                    problems.append(named)

    problems = _unique(sorted(problems, key=_sort_key))
    if any(p.severity == "error" for p in problems):
        raise _manifest_error(problems)
    return ManifestSet(
        root=base,
        resources=resources,
        warnings=problems,
        files=[d.rel for d in documents],
        environment=options.environment,
        name_prefix=resolved.name_prefix,
        declared_prefixes=resolved.declared_prefixes,
        sensitive=resolved.sensitive,
        policy=resolved.policy,
    )


def _manifest_error(problems: list[Problem]) -> ManifestError:
    """ManifestError whose message lists the problems, so commands other than validate show them too."""
    from humectl.render.problems import format_problem, summary_line

    shown = [format_problem(p) for p in problems[:_MAX_PROBLEMS_IN_MESSAGE]]
    if len(problems) > _MAX_PROBLEMS_IN_MESSAGE:
        shown.append(f"… and {len(problems) - _MAX_PROBLEMS_IN_MESSAGE} more (run humectl validate)")
    return ManifestError(problems, "\n".join([summary_line(problems), *shown]))


_MAX_PROBLEMS_IN_MESSAGE = 50


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


@dataclass
class ValidationResult:
    """What ``humectl validate`` reports: every problem, and what was read when the load succeeded."""

    problems: list[Problem]
    resources: dict[str, int] | None = None  # kind -> count, when valid
    files: int | None = None
    placeholders: dict[str, list[str]] | None = None  # prompt address -> its {{placeholder}} names

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def validate_manifests(root: str | Path, options: LoadOptions | None = None) -> ValidationResult:
    """Load ``root`` and collect the outcome instead of raising (validate = load + report)."""
    try:
        manifest_set = load_manifests(root, options)
    except ManifestError as exc:
        return ValidationResult(list(exc.problems))
    from humectl import lint

    counts = {kind: len(manifest_set.of_kind(kind)) for kind in REPORT_ORDER}
    display = os.path.normpath(str(root)) if str(root) not in ("", ".") else "."
    base = (os.path.dirname(display) or ".") if Path(root).is_file() else display
    problems = sorted([*manifest_set.warnings, *lint.check(manifest_set, base)], key=_sort_key)
    if not manifest_set.resources:
        problems.append(
            Problem(
                display,
                0,
                0,
                f"no resources: the manifests hold no {', '.join(REPORT_ORDER[:-1])} or {REPORT_ORDER[-1]}",
                "plan and apply refuse an empty desired state without --allow-empty",
                "no-resources",
                "warning",
            )
        )
    return ValidationResult(problems, counts, len(manifest_set.files), lint.prompt_placeholders(manifest_set))
