"""A Plan as JSON: exactly ``Plan.to_dict()`` (documented in docs/plan-format.md), stable key order."""

from __future__ import annotations

import json

from humectl.plan import Plan


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
