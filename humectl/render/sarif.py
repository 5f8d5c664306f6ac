"""SARIF 2.1.0 logs for GitHub code scanning: validate's problems, and a plan's policy violations and
high-risk changes, each a result at its manifest file:line:col.

GitHub shows at most 10 error annotations per step; a SARIF log uploaded with
``github/codeql-action/upload-sarif`` has no such cap, and its results stay on the pull request.
What GitHub reads (docs/review.md): ``runs[0].tool.driver`` (name, version, every rule a result
names, with its help text and default level), and per result ``ruleId``/``ruleIndex``, ``level``,
``message.text`` and one ``physicalLocation`` (a URI relative to the repository root, a region with
1-based ``startLine``/``startColumn``). A result without a place in the manifests (a delete: the
resource is no longer in them) is placed at the manifest directory's project file or first manifest.

Pure functions returning the document's text; the CLI prints it through its one masking layer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from humectl.core.escape import json_text
from humectl.core.version import __version__
from humectl.load.lint import HELP
from humectl.model.review import HIGH, RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/humectl/"  # the package's page (SARIF2005: tools say where they are)

# What every validate rule checks, for the rule list's help text (docs/manifests.md has the details).
VALIDATE_HELP: dict[str, str] = {
    "schema": "The entry does not match the manifest schema (humectl schema): a missing, unknown or mistyped field.",
    "yaml": "The file is not valid YAML.",
    "yaml-limits": "The YAML is nested too deeply, or has too many nodes or aliases, to be read safely.",
    "encoding": "The file is not UTF-8 text.",
    "binary": "The file holds NUL bytes: it is not a text manifest.",
    "file": "The file cannot be read.",
    "file-too-large": "The file is larger than humectl reads.",
    "not-a-manifest": "A YAML file under the manifest directory that is not a humectl manifest.",
    "no-manifests": "The directory holds no manifest files.",
    "no-resources": "The manifests hold no prompt, tool or config; plan and apply refuse that without --allow-empty.",
    "symlink-loop": "The manifest directory cannot be resolved (a symlink loop).",
    "project-file": "humectl.yaml is not what humectl expects (variables, sensitive, environments, policy).",
    "environment": "The environment given with --env is not defined in humectl.yaml.",
    "policy": "The review policy in humectl.yaml is not valid: a level, a rule id or a field path humectl does "
    "not know (docs/review.md).",
    "variables": "A variable name or value is not valid.",
    "variable-syntax": "A ${...} reference is not written as ${name}.",
    "undefined-variable": "A ${name} variable has no value (humectl.yaml, --var, --var-file, HUMECTL_VAR_name).",
    "sensitive": "A sensitive variable is used where humectl would show it (a name), or its value is too short.",
    "name": "A name is not valid for the EVI API.",
    "tool-name": "A tool name is not valid for the EVI API.",
    "reserved-name": "The name is reserved by humectl (the account lock).",
    "duplicate-name": "Two entries of one kind have the same name.",
    "duplicate-reference": "A config references the same tool twice.",
    "unresolved-reference": "A config references a prompt or tool that the manifests do not define.",
    "previous-names": "A previous_names entry is not valid, or names another entry.",
    "pinned-managed": "A config pins a version of a prompt or tool that these manifests manage: it will not follow "
    "their new versions.",
    "text-file": "A text_file cannot be read, or is outside the project directory.",
    "prompt-text": "The prompt text is empty or too long.",
    "tool-parameters": "A tool's parameters are not a valid JSON Schema object.",
    "evi-version": "The evi_version is not one the EVI API accepts.",
    "voice": "The voice is not written as the EVI API expects.",
    "voice-name": "A Hume Voice Library voice humectl does not know (--allow-voice, or ignore_warnings: [voice-name]).",
    "voice-provider": "A voice provider humectl does not know.",
    "model-resource": "A language model humectl does not know for its provider (--allow-model, or "
    "ignore_warnings: [model-resource]).",
    "webhook-https": "A webhook URL must be https.",
    "unknown-field": "A field humectl does not know (one Hume added later, or a typo of a known one): sent to Hume "
    "as written (ignore_warnings: [unknown-field]).",
    "server-field": "A field Hume sets on every version (id, created_on, ...): a manifest cannot set it.",
}
DEFAULT_HELP = "A problem humectl validate reports in the manifests (docs/manifests.md)."


@dataclass(frozen=True)
class Finding:
    """One result: the rule, its level (error | warning | note), the message, where (a path relative
    to the repository root, 1-based line and column; 0: unknown), and the rule's help text."""

    rule: str
    level: str
    message: str
    file: str
    line: int = 0
    col: int = 0
    help: str = DEFAULT_HELP


def _region(finding: Finding) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if finding.line > 0:
        region["startLine"] = finding.line
        if finding.col > 0:
            region["startColumn"] = finding.col
    return region


def _artifact(path: str) -> dict[str, Any]:
    """A path relative to the repository root (the working directory, as in a GitHub Actions job);
    one outside it stays an absolute file URI (code scanning then cannot place it on the diff)."""

    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative.startswith(".."):
            return {"uri": Path(path).as_uri()}
        path = relative
    return {"uri": quote(path.replace(os.sep, "/").removeprefix("./"), safe="/"), "uriBaseId": "%SRCROOT%"}


def _rule_name(rule_id: str) -> str:
    """A PascalCase name for a rule, never its id in other letters (SARIF1001: name and id differ)."""
    words = rule_id.replace(".", "-").split("-")
    return "".join(w.capitalize() for w in words) + ("Problem" if len(words) == 1 else "")


def document(findings: Sequence[Finding], category: str) -> dict[str, Any]:
    """The SARIF log of ``findings``: one run, every rule a result names in ``tool.driver.rules``, its
    ``automationDetails.id`` the ``category`` (``validate``, ``plan``): code scanning keeps one set of
    results per category, so validate's and plan's logs never replace each other."""
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.rule not in rules:
            rules[f.rule] = {
                "id": f.rule,
                "name": _rule_name(f.rule),
                "shortDescription": {"text": f.help.split(": ")[0].split(". ")[0].rstrip(".") + "."},
                "fullDescription": {"text": f.help},
                "help": {"text": f.help, "markdown": f.help},
                "defaultConfiguration": {"level": f.level},
                "properties": {"tags": ["humectl"]},
            }
        elif rules[f.rule]["defaultConfiguration"]["level"] != "error" and f.level == "error":
            rules[f.rule]["defaultConfiguration"]["level"] = "error"
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    results = []
    for f in findings:
        location: dict[str, Any] = {"artifactLocation": _artifact(f.file)}
        region = _region(f)
        if region:
            location["region"] = region
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": f.level,
                "message": {"text": f.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            # SARIF's "tool" (the analyser), not humectl's kind: written as a keyword.
            dict(
                tool={
                    "driver": {
                        "name": "humectl",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                automationDetails={"id": f"humectl/{category}/"},
                originalUriBaseIds={"%SRCROOT%": {"description": {"text": "The repository root."}}},
                columnKind="unicodeCodePoints",
                results=results,
            )
        ],
    }


def render(findings: Sequence[Finding], category: str) -> str:
    """The log as JSON text, every code point a terminal or a log would act on escaped (render.escape)."""

    return json_text(document(findings, category), indent=2) + "\n"


def fallback_file(directory: str, files: Sequence[str]) -> str:
    """Where a result without a place in the manifests goes: humectl.yaml when there is one, else the
    first manifest file, else the directory."""
    for name in ("humectl.yaml", "humectl.yml"):
        if os.path.isfile(os.path.join(directory, name)):
            return os.path.normpath(os.path.join(directory, name))
    return os.path.normpath(os.path.join(directory, files[0])) if files else directory


def problem_findings(problems: Iterable[Any], directory: str) -> list[Finding]:
    """validate's problems (their ``file`` already as the user's path shows it); one without a file
    position is placed at the manifest directory's file it names, or the directory."""
    out = []
    for p in problems:
        help_text = VALIDATE_HELP.get(p.rule) or _lint_help(p.rule) or DEFAULT_HELP
        message = p.message if not p.hint else f"{p.message} (hint: {p.hint})"
        out.append(
            Finding(
                p.rule,
                "error" if p.severity == "error" else "warning",
                message,
                p.file or directory,
                max(p.line, 0),
                max(p.col, 0),
                help_text,
            )
        )
    return out


def _lint_help(rule: str) -> str | None:

    return HELP.get(rule)


def _split_source(source: str | None) -> tuple[str, int, int] | None:
    """``file:line:col`` (or ``file:line``) → its parts; None when it is not one."""
    if not source:
        return None
    head, _, last = source.rpartition(":")
    if not last.isdigit() or not head:
        return None
    file, _, middle = head.rpartition(":")
    if file and middle.isdigit():
        return file, int(middle), int(last)
    return head, int(last), 0


def plan_findings(plan: Any, directory: str, fallback_file: str) -> list[Finding]:
    """A plan's policy violations (errors) and high-risk reasons (warnings), at their manifest lines
    (``directory``: the manifests' root as the user gave it; ``fallback_file``: where a result without
    a place in the manifests goes, e.g. a delete)."""

    def place(source: str | None) -> tuple[str, int, int]:
        parts = _split_source(source)
        if parts is None:
            return fallback_file, 0, 0
        file, line, col = parts
        return (file if directory in ("", ".") else os.path.normpath(os.path.join(directory, file))), line, col

    rule_words = {r.id: r.words for r in RULES}
    out: list[Finding] = []
    for v in plan.violations:
        file, line, col = place(v.source)
        help_text = POLICY_HELP.get(v.rule, "The plan violates the review policy (docs/review.md).")
        out.append(Finding(v.rule, "error", f"{v.address}: {v.message}", file, line, col, help_text))
    for change in plan.changes:
        for reason in change.risk_reasons:
            if reason.level != HIGH:
                continue
            file, line, col = place(reason.source or (change.source if change.source else None))
            words = rule_words.get(reason.rule, "a risk rule")
            help_text = f"High risk: {words} (risk rule {reason.rule}, docs/review.md). Review it before it is applied."
            out.append(
                Finding(
                    f"risk.{reason.rule}", "warning", f"{change.address}: {reason.message}", file, line, col, help_text
                )
            )
    return out


POLICY_HELP: Mapping[str, str] = {
    "policy.deny": "A change of a field (or rule) that the review policy denies in this environment "
    "(policy.deny in humectl.yaml, docs/review.md). apply refuses the plan without --override-policy.",
    "policy.fail_on": "A change whose risk is at or over the review policy's fail_on level (policy.fail_on in "
    "humectl.yaml, or plan --fail-on; docs/review.md). apply refuses the plan without --override-policy.",
}
