"""The project file ``humectl.yaml``: variables, environments (name prefix, variables, sensitive names,
policy, retention, endpoint), ``default_env``, and the ``--var-file`` files, resolved into what one load
of the manifests uses. Its shape is ``schemas/project.schema.json``'s to check (one source of truth,
violations at file:line:col as a manifest's); this module checks what a schema cannot say.

:mod:`humectl.load.variables` documents the precedence of variables; docs/manifests.md the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.core import sensitive as sensitive_values
from humectl.core.errors import Problem
from humectl.load import rules, variables
from humectl.load.schema import project_violations
from humectl.load.yamldoc import Document, parse, read_text, relative_display
from humectl.model.desired import LoadOptions, Retention
from humectl.model.review import FAIL_ON_LEVELS, LEVELS, Policy, is_override_key, risk_level, rule_ids

PROJECT_FILENAMES = ("humectl.yaml", "humectl.yml")


def looks_like_workflow(data: Any) -> bool:
    """A GitHub Actions workflow (top-level ``on:`` and ``jobs:``): never a manifest or a project file."""
    return isinstance(data, dict) and "jobs" in data and "on" in data


def _is_workflow_file(path: Path) -> bool:
    text, problem = read_text(path, path.name, what="project file")
    if problem is not None or text is None:
        return False  # reported when it is read as the project file
    doc, problems = parse(text, path=path, rel=path.name, display=path.name, variables=None)
    return not problems and looks_like_workflow(doc.data)


@dataclass(frozen=True)
class Endpoint:
    """Where an environment's API is: its ``base_url`` and the name of the variable holding its key
    (``api_key_env``), as humectl.yaml says (None: the defaults, HUME_BASE_URL / HUME_API_KEY)."""

    environment: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None


@dataclass
class Resolved:
    variables: dict[str, str] = field(repr=False)
    name_prefix: str
    excluded: set[Path]
    declared_prefixes: tuple[str, ...] = ()
    sensitive: dict[str, str] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)
    environment: str | None = None  # as chosen: --env, else humectl.yaml's default_env
    retention: Retention = field(default_factory=Retention)  # the environment's, else the top level's
    endpoint: Endpoint = field(default_factory=Endpoint)


def _scalar_mapping(doc: Document, value: Any, pointer: str, what: str, problems: list[Problem]) -> dict[str, str]:
    """A ``{name: scalar}`` mapping of variables (a ``--var-file``); bad names or values become problems."""
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


def _values(value: Any) -> dict[str, str]:
    """The well-formed variables of a ``variables:`` section of humectl.yaml (its schema reports the rest)."""
    if not isinstance(value, dict):
        return {}
    found = {}
    for name, raw in value.items():
        text = variables.scalar_to_text(raw)
        if variables.is_variable_name(name) and text is not None:
            found[name] = text
    return found


def _sensitive_names(doc: Document, value: Any, pointer: str) -> dict[str, tuple[Document, str]]:
    """``sensitive: [name, ...]``: the variables whose values humectl must never show (the schema
    reports what is not a variable name)."""
    if not isinstance(value, list):
        return {}
    return {
        name: (doc, f"{pointer}/{i}")
        for i, name in enumerate(value)
        if isinstance(name, str) and variables.is_variable_name(name)
    }


@dataclass
class _Project:
    """What ``humectl.yaml`` says for this load: variables, name prefix, policy, retention and endpoint
    of the chosen environment, and the name prefixes of every environment it declares (whose resources
    ``--prune`` and ``destroy`` of another environment must leave alone)."""

    variables: dict[str, str] = field(default_factory=dict, repr=False)
    name_prefix: str = ""
    path: Path | None = None
    declared_prefixes: tuple[str, ...] = ()
    # Variables listed under ``sensitive:`` (top level and the chosen environment) -> where, for problems.
    sensitive: dict[str, tuple[Document, str]] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)  # of the chosen environment (humectl.decide.policy)
    environment: str | None = None
    retention: Retention = field(default_factory=Retention)  # of the chosen environment (--prune-versions)
    endpoint: Endpoint = field(default_factory=Endpoint)
    # Every environment's name prefix ("" when it has none), by environment name.
    prefixes: dict[str, str] = field(default_factory=dict)


def _schema_rule(pointer: str) -> str:
    """The rule id of a schema violation in humectl.yaml, by where it is."""
    parts = pointer.split("/")
    if "policy" in parts:
        return "policy"
    if "variables" in parts or "sensitive" in parts:
        return "variables"
    return "project-file"


def find_project_file(root: Path, options: LoadOptions) -> Path | None:
    """The project file of this load: ``options.project_file``, else humectl.yaml (or .yml) at ``root``."""
    if options.project_file:
        return Path(options.project_file)
    for candidate in PROJECT_FILENAMES:
        if (root / candidate).is_file() and not _is_workflow_file(root / candidate):
            return root / candidate
    return None


def _read_project(root: Path, root_display: str, options: LoadOptions, problems: list[Problem]) -> _Project:
    """What ``humectl.yaml`` says for the chosen environment. Its shape is checked against
    ``schemas/project.schema.json`` (one source of truth); here only what a schema cannot say: the
    environment chosen (``--env``, else ``default_env``) exists, and one is chosen when environments
    are declared and the command needs one; prefixes are valid names and do not overlap."""
    path = find_project_file(root, options)
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
    for violation in project_violations(data, path.name):
        rule = _schema_rule(violation.pointer)
        problems.append(
            doc.problem(violation.pointer, violation.message, violation.hint, rule=rule, key=violation.at_key)
        )
    if not isinstance(data, dict):
        return _Project(path=path)
    listed = data.get("environments")
    environments: dict[str, dict[str, Any]] = {
        str(name): settings if isinstance(settings, dict) else {}
        for name, settings in (listed.items() if isinstance(listed, dict) else [])
    }
    prefixes = {name: _text(e.get("name_prefix")) or "" for name, e in environments.items()}
    for env_name, prefix in prefixes.items():
        if prefix and (why := rules.prefix_problem(prefix)):
            problems.append(
                doc.problem(
                    f"/environments/{env_name}/name_prefix",
                    f"name_prefix '{prefix}' of environment '{env_name}' {why}",
                    rules.NAME_HINT,
                    rule="name",
                )
            )
    problems.extend(_overlapping_prefixes(doc, environments, prefixes))
    env = _chosen_environment(doc, path, data.get("default_env"), environments, options, problems)
    chosen = environments.get(env) if env else None
    found = _values(data.get("variables"))
    sensitive = _sensitive_names(doc, data.get("sensitive"), "/sensitive")
    if env and chosen is not None:
        found.update(_values(chosen.get("variables")))
        sensitive.update(_sensitive_names(doc, chosen.get("sensitive"), f"/environments/{env}/sensitive"))
    # Every environment's policy is checked (a typo in prod's must not wait for a run with --env prod);
    # the chosen one's refines the top level's.
    policy = read_policy(doc, "/policy", data.get("policy"), problems)
    for env_name, settings in environments.items():
        if "policy" in settings:
            own = read_policy(doc, f"/environments/{env_name}/policy", settings["policy"], problems)
            if env_name == env:
                policy = policy.refined_by(own)
    own_settings = chosen or {}
    return _Project(
        variables=found,
        name_prefix=prefixes.get(env, "") if env else "",
        path=path,
        declared_prefixes=tuple(sorted({p for p in prefixes.values() if p})),
        sensitive=sensitive,
        policy=policy,
        environment=env,
        retention=Retention(_keep_versions(own_settings.get("retention")) or _keep_versions(data.get("retention"))),
        endpoint=Endpoint(
            env if chosen is not None else None,
            _text(own_settings.get("base_url")),
            _text(own_settings.get("api_key_env")),
        ),
        prefixes=prefixes,
    )


def _chosen_environment(
    doc: Document,
    path: Path,
    default: Any,
    environments: Mapping[str, Any],
    options: LoadOptions,
    problems: list[Problem],
) -> str | None:
    """The environment of this load: ``--env``, else ``default_env``. Environments are scopes, so a
    command that needs one (``LoadOptions.environment_required``) is refused without it, unless an
    explicit ``--name-prefix`` names its scope."""
    if isinstance(default, str) and default not in environments:
        message = f"default_env '{default}' is not an environment of {path.name}"
        problems.append(doc.problem("/default_env", message, _defined(default, environments), rule="environment"))
    env = options.environment
    if not env and isinstance(default, str) and default in environments:
        env = default
    if env and env not in environments:
        problems.append(
            doc.problem(
                "/environments",
                f"environment '{env}' is not defined in {path.name}",
                _defined(env, environments),
                rule="environment",
                key=True,
            )
        )
    elif not env and environments and options.environment_required and not options.name_prefix:
        problems.append(
            doc.problem(
                "/environments",
                f"{path.name} declares environments ({', '.join(environments)}): choose one with --env NAME "
                "(or HUMECTL_ENV)",
                "or name the one to use without --env in humectl.yaml: default_env: NAME",
                rule="environment",
                key=True,
            )
        )
    return env


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _keep_versions(value: Any) -> int | None:
    keep = value.get("keep_versions") if isinstance(value, dict) else None
    return keep if isinstance(keep, int) and not isinstance(keep, bool) and keep >= 1 else None


def _defined(name: str, environments: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(environments), n=1)
    return f"did you mean '{close[0]}'?" if close else f"defined environments: {', '.join(environments) or 'none'}"


def overlaps(one: str, other: str) -> bool:
    """Whether two name prefixes overlap: one is the start of the other (so a name can have both)."""
    return one.startswith(other) or other.startswith(one)


def _overlapping_prefixes(
    doc: Document, environments: Mapping[str, Mapping[str, Any]], prefixes: Mapping[str, str]
) -> list[Problem]:
    """Two environments that share an account (the same ``base_url`` and ``api_key_env``) whose name
    prefixes overlap, one the start of the other (``dev-`` and ``dev-eu-``): a name like ``dev-eu-x``
    would belong to both. The account scope (no prefix) is apart: humectl's marker records which scope
    made a resource (docs/manifests.md)."""
    out = []
    seen: list[str] = []
    for name in environments:
        mine = prefixes[name]
        if not mine:
            continue
        where = (environments[name].get("base_url"), environments[name].get("api_key_env"))
        for other in seen:
            theirs = prefixes[other]
            if (environments[other].get("base_url"), environments[other].get("api_key_env")) != where:
                continue
            if overlaps(mine, theirs):
                same = "is the name prefix of" if mine == theirs else "overlaps the name prefix of"
                out.append(
                    doc.problem(
                        f"/environments/{name}/name_prefix",
                        f"name_prefix '{mine}' of environment '{name}' {same} environment '{other}' ('{theirs}'): "
                        "a resource name would belong to both",
                        "give each environment that shares an account a prefix no other one's starts with "
                        "(e.g. dev- and eu-dev-), or an account of its own (base_url, api_key_env)",
                        rule="environment",
                    )
                )
                break
        seen.append(name)
    return out


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


def read_endpoint(root: Path, root_display: str, options: LoadOptions, problems: list[Problem]) -> Endpoint:
    """Where the chosen environment's API is, as humectl.yaml says (read before a command connects)."""
    return _read_project(root, root_display, options, problems).endpoint


def resolve_options(root: Path, root_display: str, options: LoadOptions, problems: list[Problem]) -> Resolved:
    project = _read_project(root, root_display, options, problems)
    found = project.variables
    found.update(options.env_variables)
    found.update(options.secret_variables)
    excluded: set[Path] = set()
    if project.path is not None:
        excluded.add(real_path(project.path))
    for name in options.var_files:
        found.update(_read_var_file(name, problems))
        excluded.add(real_path(Path(name)))
    found.update(options.variables)
    secret = _register_sensitive(found, project, options, problems)
    prefix = options.name_prefix or project.name_prefix
    if options.name_prefix and project.path is not None:
        problems.extend(_foreign_prefix(options.name_prefix, project))
    return Resolved(
        found,
        prefix,
        excluded,
        project.declared_prefixes,
        sensitive=secret,
        policy=project.policy,
        environment=project.environment,
        retention=project.retention,
        endpoint=project.endpoint,
    )


def _foreign_prefix(prefix: str, project: _Project) -> list[Problem]:
    """``--name-prefix`` naming (or overlapping) another environment's scope: that scope's resources
    would be taken over without its variables and policy."""
    assert project.path is not None
    for env_name, theirs in project.prefixes.items():
        if theirs and overlaps(prefix, theirs) and not (env_name == project.environment and prefix == theirs):
            same = "is" if prefix == theirs else "overlaps"
            return [
                Problem(
                    project.path.name,
                    0,
                    0,
                    f"--name-prefix {prefix!r} {same} the name prefix of environment '{env_name}' ('{theirs}')",
                    f"use --env {env_name} for that environment, or a prefix no environment's starts with",
                    "environment",
                )
            ]
    return []


def _register_sensitive(
    found: Mapping[str, str], project: _Project, options: LoadOptions, problems: list[Problem]
) -> dict[str, str]:
    """The sensitive variables' values, registered with :func:`humectl.core.sensitive.current` before any
    manifest is read (so even a problem that quotes one is masked); too short a value is a problem."""
    registry = sensitive_values.current()
    out: dict[str, str] = {}
    for name in sorted({*project.sensitive, *options.secret_variables}):
        value = found.get(name)
        if value is None:
            continue
        if sensitive_values.too_short(value):
            where = project.sensitive.get(name)
            message = (
                f"the sensitive variable '{name}' has a value of {len(value)} characters; humectl needs at "
                f"least {sensitive_values.MIN_LENGTH} to keep it out of its output"
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


def real_path(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


# --- the policy: sections ----------------------------------------------------------------------


def read_policy(doc: Document, pointer: str, value: Any, problems: list[Problem]) -> Policy:
    """The ``policy:`` section at ``pointer`` of ``doc``. Its shape is the schema's to check; a key that
    is neither a rule id nor a field path is reported here, at its place, with a did-you-mean."""
    if not isinstance(value, dict):
        return Policy()
    fail_on = value.get("fail_on") if value.get("fail_on") in FAIL_ON_LEVELS else None
    levels = _risk_levels(doc, value.get("risk"), f"{pointer}/risk", problems)
    deny = _deny(doc, value.get("deny"), f"{pointer}/deny", problems)
    return Policy({k: risk_level(v) for k, v in levels.items()}, fail_on, tuple(dict.fromkeys(deny)))


_KEY_HINT = "a rule id (humectl's docs/review.md lists them) or a field path such as config.voice"


def _key_problem(doc: Document, pointer: str, key: Any, problems: list[Problem], *, at_key: bool) -> bool:
    if isinstance(key, str) and is_override_key(key):
        return False
    close = difflib.get_close_matches(str(key), rule_ids(), n=1)
    hint = f"did you mean '{close[0]}'?" if close else _KEY_HINT
    problems.append(
        doc.problem(pointer, f"'{key}' is neither a risk rule nor a field path", hint, rule="policy", key=at_key)
    )
    return True


def _risk_levels(doc: Document, value: Any, pointer: str, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {
        str(key): str(level)
        for key, level in value.items()
        if not _key_problem(doc, f"{pointer}/{key}", key, problems, at_key=True) and level in LEVELS
    }


def _deny(doc: Document, value: Any, pointer: str, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(e) for i, e in enumerate(value) if not _key_problem(doc, f"{pointer}/{i}", e, problems, at_key=False)]
