"""Plan -> YAML: the same document as the JSON plan (sorted keys, block style)."""

from __future__ import annotations

import io
import json

from ruamel.yaml import YAML

from kube2pod.plan import Plan
from kube2pod.spec.version import DEFAULT, Version
from kube2pod.render.json import plan_data


def render(plan: Plan, show_secrets: bool = False, version: Version = DEFAULT) -> str:
    data = json.loads(json.dumps(plan_data(plan, show_secrets, version), sort_keys=True))
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = True
    yaml.width = 4096
    yaml.dump(data, out)
    return out.getvalue()
