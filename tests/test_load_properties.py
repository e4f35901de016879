"""Property tests: no input makes the loader raise; it returns models or diagnostics."""

from __future__ import annotations

import io
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from kube2pod.load import load
from kube2pod.load.yamlsource import resolve_plain

#: K2P_EXAMPLES=5000 for a longer run.
SETTINGS = settings(max_examples=int(os.environ.get("K2P_EXAMPLES", "300")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def check(result) -> None:
    assert isinstance(result.manifests, list) and isinstance(result.diagnostics, list)
    for d in result.diagnostics:
        assert "internal error" not in d.message, d.format()
        d.format()
    if result.has_errors:
        return
    for m in result.manifests:
        assert m.obj is not None


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data):
    check(load(["-"], stdin=io.BytesIO(data)))


YAML_FRAGMENTS = st.sampled_from([
    "apiVersion: v1\n", "kind: Pod\n", "kind: List\n", "items:\n", "- ", "  ", "\t", "---\n", "...\n",
    "metadata:\n  name: x\n", "spec:\n", "  containers:\n", "  - name: c\n", "    image: i\n",
    "&a ", "*a", "[", "]", "{", "}", ",", ": ", "'", '"', "|\n", ">\n", "#", "!!int ", "!x ", "<<: ",
    "0644", "1e3", "~", "null", "true", "é", "\ufeff", "\r\n", "\x00", "%YAML 1.1\n", "? ",
])


@SETTINGS
@given(st.lists(YAML_FRAGMENTS, max_size=60))
def test_yaml_like_text(parts):
    check(load(["-"], stdin=io.BytesIO("".join(parts).encode("utf-8", "surrogatepass"))))


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=20))
KEYS = st.sampled_from(["apiVersion", "kind", "metadata", "name", "spec", "containers", "image",
                        "ports", "containerPort", "hostPort", "env", "value", "valueFrom",
                        "configMapKeyRef", "key", "volumes", "volumeMounts", "mountPath", "data",
                        "stringData", "labels", "resources", "limits", "cpu", "items", "template",
                        "selector", "matchLabels", "initContainers", "x"]) | st.text(max_size=8)
TREES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(KEYS, children, max_size=5), max_leaves=40)
KINDS = st.sampled_from(["Pod", "Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "Job",
                         "ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "List", "Role"])
API = st.sampled_from(["v1", "apps/v1", "batch/v1", "x/v2"])


def to_yaml(value, block: bool = False) -> str:
    """JSON (flow style) or ruamel.yaml block-style text for ``value``."""
    if not block:
        return json.dumps(value)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue()


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"apiVersion": API, "kind": KINDS}, optional={
    "metadata": TREES, "spec": TREES, "data": TREES, "items": TREES, "stringData": TREES}), max_size=4),
    st.booleans())
def test_arbitrary_trees_of_known_kinds(docs, block):
    text = "\n---\n".join(to_yaml(d, block) for d in docs)
    check(load(["-"], stdin=io.BytesIO(text.encode())))


@SETTINGS
@given(TREES, st.booleans())
def test_arbitrary_trees(tree, block):
    check(load(["-"], stdin=io.BytesIO(to_yaml(tree, block).encode())))


@given(st.text(min_size=1, max_size=12))
def test_resolve_plain_never_raises(s):
    resolve_plain(s)


BASE_OBJECTS = [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
     "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                  "initContainers": [{"name": "init", "image": "busybox", "command": ["true"]}],
                  "containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080}],
                                  "env": [{"name": "A", "value": "b"},
                                          {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}}],
                                  "envFrom": [{"secretRef": {"name": "sec"}}],
                                  "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                                  "livenessProbe": {"httpGet": {"path": "/", "port": 80}},
                                  "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                  "volumes": [{"name": "data", "configMap": {"name": "cfg", "items": [{"key": "k", "path": "k"}]}}]}}}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": "v"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "data": {"p": "aGk="},
     "stringData": {"u": "x"}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
     "spec": {"ports": [{"port": 80, "targetPort": "http"}], "selector": {"app": "web"}}},
]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated_objects(draw):
    docs = json.loads(json.dumps(BASE_OBJECTS))
    for _ in range(draw(st.integers(1, 4))):
        doc = draw(st.sampled_from(docs))
        path = draw(st.sampled_from(list(_paths(doc))[1:]))
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        parent[path[-1]] = draw(TREES)
    return docs


@SETTINGS
@given(mutated_objects(), st.booleans())
def test_mutated_valid_objects(docs, block):
    text = "\n---\n".join(to_yaml(d, block) for d in docs)
    check(load(["-"], stdin=io.BytesIO(text.encode())))


def test_base_objects_are_valid():
    text = "\n---\n".join(to_yaml(d, True) for d in BASE_OBJECTS)
    result = load(["-"], stdin=io.BytesIO(text.encode()))
    assert not result.diagnostics, [d.format() for d in result.diagnostics]
    assert len(result.manifests) == 4
