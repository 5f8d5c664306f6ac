"""Review policy: what a team says about risky changes, per environment, and the violations of a plan.

``policy:`` in humectl.yaml (top level, and per environment, which refines it)::

    policy:
      fail_on: high                 # a plan with a change of this risk or worse violates the policy
      risk:                         # the level of a rule id or field path (the longest key wins)
        config.language_model.temperature: high
        prompt.text: low
      deny: [config.evi_version]    # field paths (or rule ids) that must not change here

An environment's ``policy:`` refines the top level's: its ``risk`` keys and ``fail_on`` win, its
``deny`` entries are added. ``plan --fail-on LEVEL`` sets ``fail_on`` for one run. :func:`violations`
lists what a Plan (already assessed by :mod:`humectl.risk`, with those overrides) does against the
policy; ``plan`` prints them after the plan and exits 1, and ``apply`` refuses such a plan unless ``--override-policy``.

A ``deny`` entry is a field path ``kind.field[.sub…]`` (``config.evi_version``, ``config.voice``) or a
rule id (``delete``, ``config.tools.removed``): it matches a new version or delete that changes that
field or fires that rule. A create sets fields but changes nothing live, so only a rule id (``create``)
can deny it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from humectl import risk
from humectl.errors import PolicyError, Problem

if TYPE_CHECKING:
    from humectl.plan import Change, Plan
    from humectl.yamldoc import Document

FAIL_ON_LEVELS = (risk.HIGH, risk.MEDIUM)
POLICY_KEYS = ("fail_on", "risk", "deny")


@dataclass(frozen=True)
class Policy:
    """The policy of one environment (the top level refined by the environment's own)."""

    risk: Mapping[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    deny: tuple[str, ...] = ()

    def refined_by(self, other: Policy) -> Policy:
        """This (the top level's) policy with an environment's: its risk keys and fail_on win, its
        deny entries are added."""
        deny = tuple(dict.fromkeys((*self.deny, *other.deny)))
        return Policy({**self.risk, **other.risk}, other.fail_on or self.fail_on, deny)

    def with_fail_on(self, level: str | None) -> Policy:
        """This policy with ``--fail-on`` (None: as it is)."""
        return self if level is None else Policy(self.risk, level, self.deny)

    @property
    def empty(self) -> bool:
        return not (self.risk or self.fail_on or self.deny)

    def to_dict(self) -> dict[str, Any]:
        return {"fail_on": self.fail_on, "risk": dict(sorted(self.risk.items())), "deny": list(self.deny)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Policy:
        data = data or {}
        fail_on = data.get("fail_on")
        if fail_on is not None and fail_on not in FAIL_ON_LEVELS:
            raise ValueError(f"unknown fail_on {fail_on!r}")
        levels = {str(k): str(v) for k, v in (data.get("risk") or {}).items()}
        if any(v not in risk.LEVELS for v in levels.values()):
            raise ValueError("unknown risk level in policy")
        return cls(levels, fail_on, tuple(str(d) for d in data.get("deny") or ()))


@dataclass(frozen=True)
class Violation:
    """One way a plan breaks the policy: a denied field changed, or a change at or over ``fail_on``."""

    address: str
    rule: str  # "policy.deny" or "policy.fail_on"
    message: str
    source: str | None = None  # "file:line:col" in the manifests (relative to their root), when known

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "rule": self.rule, "message": self.message, "source": self.source}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Violation:
        source = data.get("source")
        address, rule, message = str(data["address"]), str(data["rule"]), str(data["message"])
        return cls(address, rule, message, None if source is None else str(source))


DENY = "policy.deny"
FAIL_ON = "policy.fail_on"


def _denied_by(entry: str, change: Change) -> list[risk.RiskReason]:
    """The reasons of ``change`` that ``entry`` (a rule id, or ``kind.path``) denies."""
    kind, _, path = entry.partition(".")
    out = []
    for reason in change.risk_reasons:
        if reason.rule == entry:
            out.append(reason)
        elif change.action != "create" and reason.path is not None and kind == change.kind:
            fields = [f for f in change.fields if f.path == reason.path]
            # The entry names the field, a section it is in, or a part of it that this change changes.
            if any(risk.covers(path, f) for f in fields) or reason.path == path:
                out.append(reason)
    return out


def violations(plan: Plan, policy: Policy) -> list[Violation]:
    """What ``plan`` (assessed: :func:`humectl.risk.assess`) does against ``policy``, in plan order."""
    found: list[Violation] = []
    for change in plan.changes:
        for entry in policy.deny:
            for reason in _denied_by(entry, change):
                found.append(
                    Violation(change.address, DENY, f"{entry} must not change here: {reason.message}", reason.source)
                )
        if policy.fail_on and change.risk_reasons and risk.at_least(change.risk, policy.fail_on):
            # One per deciding reason, each at the manifest line of its own field.
            for reason in risk.deciding(change):
                message = f"{change.risk} risk (fail_on: {policy.fail_on}): {reason.message}"
                found.append(Violation(change.address, FAIL_ON, message, reason.source or change.source))
    return found


def gate(plan: Plan, fail_on: str | None) -> None:
    """``--fail-on``: the plan's policy with that ``fail_on`` (None: as it is), its violations again."""
    if fail_on is not None:
        plan.policy = plan.policy.with_fail_on(fail_on)
        plan.violations = violations(plan, plan.policy)


def refuse(plan: Plan, *, override: bool = False) -> None:
    """Raise PolicyError when ``plan`` violates its policy, unless ``override`` (--override-policy)."""
    if not plan.violations or override:
        return
    count = len(plan.violations)
    raise PolicyError(
        f"the plan violates the review policy ({count} violation{'' if count == 1 else 's'}): "
        + "; ".join(f"{v.address}: {v.message}" for v in plan.violations[:5])
        + (f"; and {count - 5} more" if count > 5 else ""),
        hint="change the manifests, or have the policy changed in humectl.yaml; to apply it anyway, "
        "apply with --override-policy (recorded in the version descriptions it writes)",
        violations=plan.violations,
    )


def record_override(plan: Plan) -> None:
    """--override-policy: every version description the plan writes says, in humectl's marker, that
    the policy was overridden and what it violated (``[humectl <run> policy-overridden=deny,fail_on]``)."""
    if not plan.violations:
        return
    from humectl.provenance import mark_overridden

    violated = [v.rule.removeprefix("policy.") for v in plan.violations]
    for change in plan.changes:
        if change.version_description is not None:
            change.version_description = mark_overridden(change.version_description, violated)


# --- reading humectl.yaml's policy: sections ---------------------------------------------------


def read(doc: Document, pointer: str, value: Any, problems: list[Problem]) -> Policy:
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
            problems.append(doc.problem(f"{pointer}/{key}", f"unknown field '{key}' in policy", hint,
                                        rule="policy", key=True))  # fmt: skip
    fail_on = value.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON_LEVELS:
        problems.append(doc.problem(f"{pointer}/fail_on", f"fail_on must be one of {', '.join(FAIL_ON_LEVELS)}",
                                    rule="policy"))  # fmt: skip
        fail_on = None
    levels = _risk_levels(doc, value.get("risk"), f"{pointer}/risk", problems)
    deny = _deny(doc, value.get("deny"), f"{pointer}/deny", problems)
    return Policy(levels, fail_on, tuple(dict.fromkeys(deny)))


_KEY_HINT = "a rule id (humectl's docs/review.md lists them) or a field path such as config.voice"


def _key_problem(doc: Document, pointer: str, key: Any, problems: list[Problem], *, at_key: bool) -> bool:
    if isinstance(key, str) and risk.is_override_key(key):
        return False
    close = difflib.get_close_matches(str(key), risk.rule_ids(), n=1)
    hint = f"did you mean '{close[0]}'?" if close else _KEY_HINT
    problems.append(doc.problem(pointer, f"'{key}' is neither a risk rule nor a field path", hint, rule="policy",
                                key=at_key))  # fmt: skip
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
        if level not in risk.LEVELS:
            problems.append(doc.problem(f"{pointer}/{key}", f"risk level must be one of {', '.join(risk.LEVELS)}",
                                        rule="policy"))  # fmt: skip
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
