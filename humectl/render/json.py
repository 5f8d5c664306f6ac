"""A Plan as JSON: exactly ``Plan.to_dict()`` (documented in docs/plan-format.md), stable key order."""

from __future__ import annotations

from humectl.plan import Plan
from humectl.render.escape import json_text


def render_json(plan: Plan) -> str:
    return json_text(plan.to_dict(), indent=2, sort_keys=True) + "\n"
