"""Plan -> JSON, with stable ordering (model field order, sorted maps)."""

from __future__ import annotations

import json

from kube2pod.plan import Plan


def render(plan: Plan) -> str:
    return json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
