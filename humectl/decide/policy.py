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
lists what a Plan (already assessed by :mod:`humectl.decide.risk`, with those overrides) does against the
policy; ``plan`` prints them after the plan and exits 1, and ``apply`` refuses such a plan unless ``--override-policy``.

A ``deny`` entry is a field path ``kind.field[.sub…]`` (``config.evi_version``, ``config.voice``) or a
rule id (``delete``, ``config.tools.removed``): it matches a new version or delete that changes that
field or fires that rule. A create sets fields but changes nothing live, so only a rule id (``create``)
can deny it.
"""

from __future__ import annotations

from dataclasses import replace

from humectl.core.errors import PolicyError
from humectl.core.provenance import mark_overridden
from humectl.decide import risk
from humectl.model.plan import CREATE, Change, Plan
from humectl.model.review import DENY, FAIL_ON, Policy, RiskLevel, RiskReason, Violation, at_least


def _denied_by(entry: str, change: Change) -> list[RiskReason]:
    """The reasons of ``change`` that ``entry`` (a rule id, or ``kind.path``) denies."""
    kind, _, path = entry.partition(".")
    out = []
    for reason in change.risk_reasons:
        if reason.rule == entry:
            out.append(reason)
        elif not change.does(CREATE) and reason.path is not None and kind == change.kind:
            fields = [f for f in change.fields if f.path == reason.path]
            # The entry names the field, a section it is in, or a part of it that this change changes.
            if any(risk.covers(path, f) for f in fields) or reason.path == path:
                out.append(reason)
    return out


def violations(plan: Plan, policy: Policy) -> list[Violation]:
    """What ``plan`` (assessed: :func:`humectl.decide.risk.assess`) does against ``policy``, in plan order."""
    found: list[Violation] = []
    for change in plan.changes:
        for entry in policy.deny:
            for reason in _denied_by(entry, change):
                found.append(
                    Violation(change.address, DENY, f"{entry} must not change here: {reason.message}", reason.source)
                )
        if policy.fail_on and change.risk_reasons and at_least(change.risk, policy.fail_on):
            # One per deciding reason, each at the manifest line of its own field.
            for reason in risk.deciding(change):
                message = f"{change.risk} risk (fail_on: {policy.fail_on}): {reason.message}"
                found.append(Violation(change.address, FAIL_ON, message, reason.source or change.source))
    return found


def reviewed(plan: Plan, policy: Policy) -> Plan:
    """``plan`` under ``policy``: the policy recorded and what the plan does against it."""
    return replace(plan, policy=policy, violations=tuple(violations(plan, policy)))


def gate(plan: Plan, fail_on: RiskLevel | None) -> Plan:
    """``--fail-on``: the plan under its policy with that ``fail_on`` (None: the plan as it is)."""
    return plan if fail_on is None else reviewed(plan, plan.policy.with_fail_on(fail_on))


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


def record_override(plan: Plan) -> Plan:
    """--override-policy: the plan whose every version description says, in humectl's marker, that
    the policy was overridden and what it violated (``[humectl <run> policy-overridden=deny,fail_on]``)."""
    if not plan.violations:
        return plan
    violated = [v.rule.removeprefix("policy.") for v in plan.violations]
    return plan.with_changes(
        replace(c, version_description=mark_overridden(c.version_description, violated))
        if c.version_description is not None
        else c
        for c in plan.changes
    )
