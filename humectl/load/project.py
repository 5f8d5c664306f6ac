"""The project file ``humectl.yaml``: variables, environments (name prefix, variables, sensitive names,
policy), and the ``--var-file`` files, resolved into what one load of the manifests uses.

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
from humectl.load.yamldoc import Document, parse, read_text, relative_display
from humectl.model.desired import LoadOptions, Retention
from humectl.model.review import FAIL_ON_LEVELS, LEVELS, POLICY_KEYS, Policy, is_override_key, risk_level, rule_ids

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


@dataclass
class Resolved:
    variables: dict[str, str] = field(repr=False)
    name_prefix: str
    excluded: set[Path]
    declared_prefixes: tuple[str, ...] = ()
    sensitive: dict[str, str] = field(default_factory=dict, repr=False)
    policy: Policy = field(default_factory=Policy)
    retention: Retention = field(default_factory=Retention)


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
    policy: Policy = field(default_factory=Policy)  # of the chosen environment (humectl.decide.policy)
    retention: Retention = field(default_factory=Retention)  # of the chosen environment (--prune-versions)


def read_retention(doc: Document, pointer: str, value: Any, problems: list[Problem]) -> int | None:
    """``retention: {keep_versions: N}`` at ``pointer``: N (a whole number, at least 1), or None."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(doc.problem(pointer, "retention must be a mapping (keep_versions)", rule="project-file"))
        return None
    for key in value:
        if key != "keep_versions":
            problems.append(
                doc.problem(
                    f"{pointer}/{key}",
                    f"unknown field '{key}' in retention",
                    "allowed: keep_versions",
                    rule="project-file",
                    key=True,
                )
            )
    keep = value.get("keep_versions")
    if keep is None:
        return None
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        problems.append(
            doc.problem(
                f"{pointer}/keep_versions",
                "keep_versions must be a whole number of at least 1 (the head is always kept)",
                rule="project-file",
            )
        )
        return None
    return keep


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
    allowed = ("variables", "environments", "sensitive", "policy", "retention")
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            problems.append(
                doc.problem(
                    f"/{key}",
                    f"unknown field '{key}' in {path.name}",
                    f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}",
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
    policy = read_policy(doc, "/policy", data.get("policy"), problems)
    for env_name, settings in environments.items():
        if isinstance(settings, dict) and "policy" in settings:
            own = read_policy(doc, f"/environments/{env_name}/policy", settings["policy"], problems)
            if env_name == env:
                policy = policy.refined_by(own)
    keep = read_retention(doc, "/retention", data.get("retention"), problems)
    for env_name, settings in environments.items():
        if isinstance(settings, dict) and "retention" in settings:
            own_keep = read_retention(doc, f"/environments/{env_name}/retention", settings["retention"], problems)
            if env_name == env and own_keep is not None:
                keep = own_keep
    return _Project(found, prefix, path, declared, sensitive, policy, Retention(keep))


_ENVIRONMENT_KEYS = ("name_prefix", "variables", "description", "sensitive", "policy", "retention")


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
    resolved = Resolved(found, options.name_prefix or project.name_prefix, excluded, project.declared_prefixes)
    resolved.sensitive = secret
    resolved.policy = project.policy
    resolved.retention = project.retention
    return resolved


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
    """The ``policy:`` section at ``pointer`` of ``doc``; its problems are reported at their place."""
    if value is None:
        return Policy()
    if not isinstance(value, dict):
        problems.append(doc.problem(pointer, "policy must be a mapping (fail_on, risk, deny)", rule="policy"))
        return Policy()
    for key in value:
        if key not in POLICY_KEYS:
            close = difflib.get_close_matches(str(key), POLICY_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(POLICY_KEYS)}"
            problems.append(
                doc.problem(f"{pointer}/{key}", f"unknown field '{key}' in policy", hint, rule="policy", key=True)
            )
    fail_on = value.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON_LEVELS:
        problems.append(
            doc.problem(f"{pointer}/fail_on", f"fail_on must be one of {', '.join(FAIL_ON_LEVELS)}", rule="policy")
        )
        fail_on = None
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
    if value is None:
        return {}
    if not isinstance(value, dict):
        message = "policy.risk must be a mapping of rule or field path: level"
        problems.append(doc.problem(pointer, message, rule="policy"))
        return {}
    out = {}
    for key, level in value.items():
        if _key_problem(doc, f"{pointer}/{key}", key, problems, at_key=True):
            continue
        if level not in LEVELS:
            problems.append(
                doc.problem(f"{pointer}/{key}", f"risk level must be one of {', '.join(LEVELS)}", rule="policy")
            )
            continue
        out[str(key)] = str(level)
    return out


def _deny(doc: Document, value: Any, pointer: str, problems: list[Problem]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(doc.problem(pointer, "policy.deny must be a list of field paths or rule ids", rule="policy"))
        return []
    return [str(e) for i, e in enumerate(value) if not _key_problem(doc, f"{pointer}/{i}", e, problems, at_key=False)]
