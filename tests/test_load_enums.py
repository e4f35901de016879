"""Every enumerated field (load/enums.py): a value in the wrong case or misspelt is one error at
the value, with the value it meant; a valid value passes."""

from __future__ import annotations

import copy
import json

import pytest

from kube2pod.load import enums, load_text

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "busybox", "ports": [{"containerPort": 80}],
                                "volumeMounts": [{"name": "v", "mountPath": "/m"}]}],
                "volumes": [{"name": "v", "hostPath": {"path": "/tmp"}}]}}
OBJECTS = {
    "Service": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                "spec": {"ports": [{"port": 80}]}},
    "Deployment": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                   "spec": {"selector": {"matchLabels": {"a": "b"}},
                            "template": {"metadata": {"labels": {"a": "b"}}, "spec": POD["spec"]}}},
    "PersistentVolumeClaim": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
                              "spec": {"accessModes": ["ReadWriteOnce"],
                                       "resources": {"requests": {"storage": "1Gi"}}}},
}
OBJECTS["DaemonSet"] = {**OBJECTS["Deployment"], "kind": "DaemonSet"}
OBJECTS["StatefulSet"] = {**OBJECTS["Deployment"], "kind": "StatefulSet"}
OBJECTS["Job"] = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                  "spec": {"template": {"spec": {**POD["spec"], "restartPolicy": "Never"}}}}
OBJECTS["CronJob"] = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
                      "spec": {"schedule": "@daily", "jobTemplate": {"spec": OBJECTS["Job"]["spec"]}}}


def _set(data: dict, path: tuple, value) -> None:
    """Set ``path`` ("*": the first list item, made if missing) to ``value``."""
    node = data
    for step, nxt in zip(path, path[1:]):
        if step == "*":
            if not node:
                node.append({} if nxt != "*" else [])
            node = node[0]
        else:
            node = node.setdefault(step, [] if nxt == "*" else {})
    if path[-1] == "*":
        node[:] = [value]
    else:
        node[path[-1]] = value


def _cases():
    for pattern, allowed in enums.POD_SPEC.items():
        yield "Pod", ("spec",) + pattern, allowed
    for pattern, allowed in enums.CONTAINER.items():
        yield "Pod", ("spec", "containers", "*") + pattern, allowed
    for kind, table in enums.BY_KIND.items():
        for pattern, allowed in table.items():
            yield kind, pattern, allowed


CASES = list(_cases())


def _load(kind: str, path: tuple, value):
    data = copy.deepcopy(POD if kind == "Pod" else OBJECTS[kind])
    if "httpGet" in path:
        _set(data, path[:-1] + ("port",), 80)
    if "volumeClaimTemplates" in path:
        _set(data, ("spec", "volumeClaimTemplates", "*", "metadata", "name"), "data")
    if path[:3] == ("spec", "volumes", "*") and path[3] != "hostPath":
        del data["spec"]["volumes"][0]["hostPath"]  # one source per volume
    _set(data, path, value)
    return load_text(json.dumps(data, indent=1))


@pytest.mark.parametrize("kind, path, allowed", CASES, ids=[f"{k}:{'.'.join(p)}" for k, p, _ in CASES])
def test_wrong_case_gets_did_you_mean(kind, path, allowed):
    valid = next(v for v in allowed if v)
    result = _load(kind, path, valid.lower() if valid.lower() != valid else valid.upper())
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert len(errors) == 1, [d.format() for d in result.diagnostics]
    assert errors[0].hint is not None and f'did you mean "{valid}"?' in errors[0].hint, errors[0].format()
    assert errors[0].pos is not None and errors[0].pos.line > 1


@pytest.mark.parametrize("kind, path, allowed", CASES, ids=[f"{k}:{'.'.join(p)}" for k, p, _ in CASES])
def test_valid_values_pass(kind, path, allowed):
    for value in allowed:
        result = _load(kind, path, value)
        assert not [d for d in result.diagnostics if "unsupported" in d.message], (value, result.diagnostics)


def test_positioned_and_far_values_get_the_list():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n"
            "    imagePullPolicy: always\n    ports: [{containerPort: 80, protocol: icmp}]\n")
    got = [d.format() for d in load_text(text, "pod.yaml").diagnostics]
    assert got == [
        'pod.yaml:8:22: error: spec.containers[0].imagePullPolicy: unsupported imagePullPolicy "always"\n'
        '  hint: did you mean "Always"? (Always, IfNotPresent or Never)',
        'pod.yaml:9:43: error: spec.containers[0].ports[0].protocol: unsupported protocol "icmp"\n'
        "  hint: use TCP, UDP or SCTP",
    ]


@pytest.mark.parametrize("value, meant", [("tcp", "TCP"), ("Tcp", "TCP"), ("always", "Always"),
                                          ("if-not-present", "IfNotPresent"), ("ifnotpresent", "IfNotPresent"),
                                          ("Allways", "Always"), ("icmp", None)])
def test_meant(value, meant):
    allowed = ("TCP", "UDP", "SCTP") if value.lower() in ("tcp", "icmp") else ("Always", "IfNotPresent", "Never")
    assert enums.meant(value, allowed) == meant
