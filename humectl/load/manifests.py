"""Read manifest files into a ManifestSet: source positions, variables, ``text_file``, references by name.

Pipeline of :func:`load_manifests`, every step collecting problems instead of stopping:

1. the project file ``humectl.yaml`` (optional) and ``--var-file`` files -> the variables and the
   name prefix of this load (:mod:`humectl.load.variables` documents the precedence);
2. discovery: every ``*.yaml``/``*.yml`` under the root, sorted, hidden directories (so also
   ``.humectl/``) skipped, directory symlinks followed once, symlink loops reported;
3. each file read safely and parsed with positions (:mod:`humectl.load.yamldoc`), ``${var}`` substituted;
4. the JSON Schema (:mod:`humectl.load.schema`), then the semantic rules (:mod:`humectl.load.rules`);
5. entries become :class:`DesiredResource` objects: ``text_file`` read, tool ``parameters`` as
   canonical JSON, references as ``{"name": …}`` / ``{"name": …, "version": …}``, names prefixed.

The result is returned only when nothing is an error; otherwise :class:`ManifestError` carries
every problem (warnings included), sorted by file and position.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from humectl.core import stages
from humectl.core.errors import ManifestError, Problem, UsageError
from humectl.core.kinds import KINDS, REPORT_ORDER, KindName
from humectl.core.problems import format_problem, summary_line
from humectl.core.sensitive import MIN_LENGTH, SECRET_PREFIX, secrets_from_environ, too_short
from humectl.core.text import normalise_line_endings
from humectl.load import lint, rules
from humectl.load.cache import ManifestCache, key_parts
from humectl.load.entries import META_KEYS, ManifestEntry
from humectl.load.positions import DocumentPositions, EntryPositions
from humectl.load.project import Endpoint, Resolved, looks_like_workflow, read_endpoint, real_path, resolve_options
from humectl.load.removed import SECTION as REMOVED_SECTION
from humectl.load.removed import removed_entries
from humectl.load.schema import schema_violations
from humectl.load.variables import ENV_PREFIX, parse_var_flags, undecodable, variables_from_environ
from humectl.load.yamldoc import MAX_FILE_BYTES, Document, parse_many, read_text, relative_display
from humectl.model.desired import DesiredResource, LoadOptions, ManifestSet, Source

MANIFEST_SUFFIXES = (".yaml", ".yml")
_PLURAL_TO_KIND = {kind.plural: kind.name for kind in KINDS.values()}


def build_load_options(
    *,
    var_flags: Sequence[str] = (),
    var_files: Sequence[str] = (),
    environment: str | None = None,
    name_prefix: str | None = None,
    root: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    environment_required: bool = False,
) -> LoadOptions:
    """LoadOptions from the flags of :func:`humectl.cli.app.manifest_options` (and ``HUMECTL_VAR_*``).

    ``var_flags`` are the raw ``--var NAME=VALUE`` strings (a malformed one raises UsageError);
    ``var_files`` are paths as given on the command line; ``environ`` defaults to ``os.environ``,
    of which only ``HUMECTL_VAR_*`` is kept. ``root`` (the manifest directory) is accepted for
    symmetry with the commands; the project file is found from the root at load time.
    """
    del root  # humectl.yaml is located by load_manifests, which gets the root itself
    if name_prefix and (why := rules.prefix_problem(name_prefix)):
        raise UsageError(f"--name-prefix {name_prefix!r} {why}", hint=rules.NAME_HINT)
    environ = os.environ if environ is None else environ
    env_variables = variables_from_environ(environ)
    secret_variables = secrets_from_environ(environ)
    variables = parse_var_flags(var_flags)
    # A value read from bytes that are not UTF-8 would be sent (or shown) as something else: refused,
    # naming where it came from and never the value (it may be a secret).
    for where, found in (
        (f"{ENV_PREFIX}{{}}", env_variables),
        (f"the sensitive variable {{}} ({SECRET_PREFIX}…)", secret_variables),
        ("--var {}", variables),
    ):
        for name, value in found.items():
            if undecodable(value):
                raise UsageError(
                    f"{where.format(name)} holds bytes that are not UTF-8 text",
                    hint="set it to UTF-8 text (check the shell's or the CI secret's encoding)",
                )
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
        variables=variables,
        name_prefix=name_prefix or "",
        environment=environment or None,
        var_files=tuple(var_files),
        env_variables=env_variables,
        secret_variables=secret_variables,
        environment_required=environment_required,
    )


def environment_endpoint(root: str | Path, options: LoadOptions) -> Endpoint:
    """Where the API of the environment this load chooses is (humectl.yaml's ``base_url`` and
    ``api_key_env``), read before a command connects. A project file with problems raises them as a
    load would (the manifests' own problems wait for the load)."""
    root_path = Path(root)
    single_file = root_path.is_file()
    base = root_path.parent if single_file else root_path
    shown = os.path.normpath(str(root)) if str(root) not in ("", ".") else "."
    problems: list[Problem] = []
    endpoint = read_endpoint(base, (os.path.dirname(shown) or ".") if single_file else shown, options, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise _manifest_error(errors)
    return endpoint


_NOT_A_MANIFEST_HINT = (
    "a manifest is a mapping holding the lists prompts:, tools: and/or configs:; keep other YAML files "
    "out of the manifest directory (or in a hidden directory)"
)
_TYPE_NAMES = {str: "a string", int: "a number", float: "a number", bool: "true or false", list: "a list"}


def not_a_manifest(data: Any) -> str | None:
    """Why a parsed file cannot be a manifest at all, by its shape alone (None when it may be one).

    A mapping is a manifest when it is empty or one of its keys is, or nearly is (a typo),
    ``prompts``, ``tools``, ``configs`` or ``removed``; then each problem is reported where it is.
    """
    if isinstance(data, dict):
        keys = [str(k) for k in data]
        plurals = [*_PLURAL_TO_KIND, REMOVED_SECTION]
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
                if real_path(path) in excluded or (child.is_symlink() and outside(path, "manifest")):
                    continue
                found.append(path)

    walk(root, ())
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found, problems


# --- entries and resources ----------------------------------------------------------------------


def _entries(doc: Document, prefix: str) -> list[ManifestEntry]:
    entries: list[ManifestEntry] = []
    if not isinstance(doc.data, dict):
        return entries
    for plural, kind in _PLURAL_TO_KIND.items():
        items = doc.data.get(plural)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict):
                entries.append(ManifestEntry(kind, doc, f"/{plural}/{i}", item, prefix))
    if len(entries) > 1 and entries[0].kind != entries[-1].kind:
        entries.sort(key=lambda e: doc.position(e.pointer))  # the order they are written in
    return entries


def read_text_file(entry: ManifestEntry, root_real: Path, key: str) -> tuple[str | None, list[Problem]]:
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


def build_spec(
    entry: ManifestEntry, root_real: Path, positions: EntryPositions
) -> tuple[dict[str, Any], list[Problem]]:
    """The spec of ``entry``, written once over its kind's declarations: every field as written (meta
    keys left out), a ``text_file`` read into its text field, each JSON Schema field as canonical JSON
    text, references as ``{name, version?}`` with the environment's prefix."""
    kind = KINDS[entry.kind]
    references = _references_of(entry.kind)
    text_file = kind.text_file
    spec: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in entry.data.items():
        if key in META_KEYS:
            continue
        reference = references.get(key)
        if text_file is not None and key == text_file.key:
            if text_file.field in entry.data:
                continue  # both given: the schema reports it; the inline text is what is compared
            text, found = read_text_file(entry, root_real, key)
            problems += found
            if text is not None:
                spec[text_file.field] = text
                problems += rules.check_text_file_variables(entry, key, text)
            positions.alias(f"/{text_file.field}", f"/{key}")
        elif key in kind.json_schema_fields:
            canonical, found = rules.parse_json_schema(entry, key)
            problems += found
            if canonical is not None:
                spec[key] = canonical
        elif reference is None:
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
    return spec, problems


@functools.cache
def _references_of(kind: KindName) -> dict[str, Any]:
    return {r.field: r for r in KINDS[kind].references}


def _build_resource(
    entry: ManifestEntry, root_real: Path, positions: EntryPositions
) -> tuple[DesiredResource | None, list[Problem]]:
    spec, problems = build_spec(entry, root_real, positions)
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


def _names_a_secret(entry: ManifestEntry, resource: DesiredResource, secrets: Mapping[str, str]) -> Problem | None:
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


def load_manifests(
    root: str | Path, options: LoadOptions | None = None, *, cache: ManifestCache | None = None
) -> ManifestSet:
    """Load and fully validate every manifest under ``root``; raise ManifestError with all problems.

    ``root`` is a directory (or a single manifest file, read alone). Warnings never fail a load:
    they come back as ``ManifestSet.warnings`` (and inside ManifestError with the errors). With a
    ``cache`` (:mod:`humectl.load.cache`), the files are found and read, and when the same files and
    options were loaded before, that result is returned instead of converting and checking them again.
    """
    options = options or LoadOptions()
    read = _read(root, options)
    key = None
    if cache is not None and not read.resolved.sensitive and not read.problems:
        texts = [(display, text) for text, _, _, display in read.texts]
        resolved = read.resolved
        scope = repr(
            (
                read.root_display,
                read.single_file,
                resolved.name_prefix,
                resolved.declared_prefixes,
                resolved.environment,
            )
        )
        key = cache.key(key_parts(options, read.resolved.variables, texts, scope))
        with stages.span("load"):
            hit = cache.get(key)
        if hit is not None:
            return hit
    with stages.span("load"):
        parsed = parse_many(read.texts, variables=read.resolved.variables)
    loaded = _finish(read, options, parsed)
    if key is not None and cache is not None:
        cache.put(key, loaded, {str(path): text for text, path, _, _ in read.texts}, read.resolved.variables)
    return loaded


@dataclass
class _Read:
    """What a load has found and read before any YAML is converted."""

    root_display: str
    single_file: bool
    base: Path
    root_real: Path
    resolved: Resolved
    problems: list[Problem]
    texts: list[tuple[str, Path, str, str]]  # (text, path, rel, display) of every file that could be read


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

    resolved = resolve_options(base, base_display, options, problems)
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
        positions = {id(doc): DocumentPositions(doc) for doc in documents}
        for entry in entries:
            resource, found = _build_resource(entry, root_real, EntryPositions(positions[id(entry.doc)], entry.pointer))
            problems += rules.drop_ignored(entry, found)
            if resource is not None:
                resources.append(resource)
                if resolved.sensitive and (named := _names_a_secret(entry, resource, resolved.sensitive)):
                    problems.append(named)

    removed, found = removed_entries(documents, resolved.name_prefix, resources)
    problems += found
    problems = _unique(sorted(problems, key=_sort_key))
    if any(p.severity == "error" for p in problems):
        raise _manifest_error(problems)
    inputs = [str(path) for _, path, _, _ in read.texts]
    inputs += sorted(str(path) for path in resolved.excluded)  # humectl.yaml and the var files
    inputs += _text_files(entries)
    return ManifestSet(
        root=base,
        resources=resources,
        warnings=problems,
        files=[d.rel for d in documents],
        environment=resolved.environment or options.environment,
        name_prefix=resolved.name_prefix,
        declared_prefixes=resolved.declared_prefixes,
        sensitive=resolved.sensitive,
        policy=resolved.policy,
        removed=removed,
        retention=resolved.retention,
        inputs=tuple(dict.fromkeys(inputs)),
    )


def _text_files(entries: list[ManifestEntry]) -> list[str]:
    """The files the entries' text fields were read from (``Kind.text_file``), as real paths."""
    out = []
    for entry in entries:
        text_file = KINDS[entry.kind].text_file
        value = entry.data.get(text_file.key) if text_file is not None else None
        if isinstance(value, str) and value:
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                out.append(str((entry.doc.path.parent / value).resolve()))
    return out


def _manifest_error(problems: list[Problem]) -> ManifestError:
    """ManifestError whose message lists the problems, so commands other than validate show them too."""
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


def validate_manifests(
    root: str | Path, options: LoadOptions | None = None, *, cache: ManifestCache | None = None
) -> ValidationResult:
    """Load ``root`` and collect the outcome instead of raising (validate = load + report)."""
    try:
        manifest_set = load_manifests(root, options, cache=cache)
    except ManifestError as exc:
        return ValidationResult(list(exc.problems))
    counts: dict[str, int] = {kind: len(manifest_set.of_kind(kind)) for kind in REPORT_ORDER}
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
