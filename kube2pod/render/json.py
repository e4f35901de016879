"""Plan -> JSON, with stable ordering (sorted keys; lists in plan order).

Secret values are not part of the plan's serialisation (plan/secret.py); ``show_secrets``
adds each one as ``value`` (UTF-8 text) or ``value_base64`` (other bytes). ``podman_version``
records the target Podman the plan was converted for (``MAJOR.MINOR``).
"""

from __future__ import annotations

import base64
import json

from kube2pod.plan import Plan
from kube2pod.spec.version import DEFAULT, Version


def plan_data(plan: Plan, show_secrets: bool = False, version: Version = DEFAULT) -> dict:
    """The plan as JSON-compatible data for target ``version``; secret values only with ``show_secrets``."""
    data = {**plan.model_dump(mode="json"), "podman_version": str(version)}
    if show_secrets:
        for secret, out in zip(plan.secrets, data.get("secrets", [])):
            raw = secret.data()
            try:
                out["value"] = raw.decode("utf-8")
            except UnicodeDecodeError:
                out["value_base64"] = base64.b64encode(raw).decode("ascii")
    return data


def render(plan: Plan, show_secrets: bool = False, version: Version = DEFAULT) -> str:
    return json.dumps(plan_data(plan, show_secrets, version), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema() -> str:
    """The JSON Schema of ``convert -o json`` (docs/plan.schema.json; scripts/gen-schema writes it)."""
    doc = Plan.model_json_schema(mode="serialization")
    doc["properties"]["podman_version"] = {"description": "the target Podman (MAJOR.MINOR)", "type": "string",
                                           "pattern": r"^[0-9]+\.[0-9]+$"}
    doc["required"] = sorted({*doc.get("required", []), "podman_version"})
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": "https://kube2pod.invalid/plan.schema.json",
           "title": "kube2pod plan", **{k: v for k, v in doc.items() if k != "title"}}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
