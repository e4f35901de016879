"""Loader basics: inputs, documents, positions, models."""

from __future__ import annotations

import base64
import io
import json

from kube2pod.diagnostics import ErrorLevel
from kube2pod.load import format_diagnostics, load, load_text

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.25
    ports:
    - containerPort: 80
      hostPort: 8080
    resources:
      limits: {cpu: 0.5, memory: 128Mi}
  volumes:
  - name: data
    configMap: {name: cfg, defaultMode: 0644}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1"}
"""


def test_pod_is_decoded_into_models_with_positions():
    r = load_text(POD, "pod.yaml")
    assert not r.diagnostics, format_diagnostics(r.diagnostics)
    pod, cm = r.manifests
    assert (pod.kind, pod.name, pod.api_version) == ("Pod", "web", "v1")
    assert type(pod.obj).__name__ == "V1Pod"
    c = pod.obj.spec.containers[0]
    assert c.image == "nginx:1.25" and c.ports[0].host_port == 8080
    assert c.resources.limits == {"cpu": "0.5", "memory": "128Mi"}
    assert pod.obj.spec.volumes[0].config_map.default_mode == 0o644
    assert str(pod.pos("spec", "containers", 0, "image")) == "pod.yaml:9:12"
    assert str(pod.source.key_pos(("spec", "containers", 0, "image"))) == "pod.yaml:9:5"
    assert cm.source.document == 1 and cm.obj.data == {"a": "1"}


def test_stdin_bom_crlf_and_json(tmp_path):
    data = ("\ufeff" + POD).replace("\n", "\r\n").encode()
    r = load(["-"], stdin=io.BytesIO(data))
    assert not r.has_errors, format_diagnostics(r.diagnostics)
    assert r.manifests[0].pos("metadata", "name").file == "<stdin>"
    assert str(r.manifests[0].pos("metadata", "name")) == "<stdin>:4:9"
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}, "data": {"k": "v"}}
    (tmp_path / "cm.json").write_text(json.dumps(doc))
    r = load([str(tmp_path / "cm.json")])
    assert [m.ref for m in r.manifests] == ["ConfigMap/j"]


def test_directories_are_walked_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.yml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n")
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "notes.txt").write_text("not a manifest: [")
    (tmp_path / ".hidden.yaml").write_text("bad: [")
    r = load([str(tmp_path)])
    assert [m.name for m in r.manifests] == ["a", "z"]
    assert not r.diagnostics


def test_kind_list_items_are_documents():
    text = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: one}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: two}
  dta: {}
"""
    r = load_text(text, "list.yaml")
    assert [m.name for m in r.manifests] == ["one"]
    assert format_diagnostics(r.diagnostics) == (
        'list.yaml:10:3: error: unknown field "dta"\n  hint: did you mean "data"?\n')


def test_secret_data_and_string_data_are_kept():
    text = f"""\
apiVersion: v1
kind: Secret
metadata: {{name: s}}
data:
  password: {base64.b64encode(b"hunter2").decode()}
stringData:
  user: admin
"""
    r = load_text(text)
    assert not r.diagnostics
    (secret,) = r.manifests
    assert base64.b64decode(secret.obj.data["password"]) == b"hunter2"
    assert secret.obj.string_data == {"user": "admin"}


def test_missing_file_and_strict_mode(tmp_path):
    r = load([str(tmp_path / "nope.yaml")])
    assert r.has_errors and "no such file" in r.diagnostics[0].message
    p = tmp_path / "role.yaml"
    p.write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n")
    assert not load([str(p)]).has_errors or True
    assert load([str(p)], level=ErrorLevel.ERROR).has_errors


def test_json_output_is_machine_readable():
    r = load_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n", "p.yaml")
    out = json.loads(format_diagnostics(r.diagnostics, "json"))
    assert out["errors"] == 1
    assert out["diagnostics"][0]["line"] == 4 and out["diagnostics"][0]["file"] == "p.yaml"


def test_file_size_limit(tmp_path, monkeypatch):
    from kube2pod.load import inputs

    monkeypatch.setattr(inputs, "MAX_FILE_BYTES", 100)
    p = tmp_path / "big.yaml"
    p.write_text("a: " + "x" * 200 + "\n")
    r = load([str(p)])
    assert r.has_errors and "limit" in r.diagnostics[0].message


def test_diagnostics_follow_input_order(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: A}\nspec: {containers: []}\n")
    r = load([str(a), str(tmp_path / "missing.yaml"), str(a)])
    files = [d.pos.file for d in r.diagnostics]
    assert files[0] == str(a) and str(tmp_path / "missing.yaml") in files
    assert files.index(str(tmp_path / "missing.yaml")) > files.index(str(a))


def test_yaml_typing_follows_kubernetes():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: i
    securityContext: {privileged: yes}
    env: [{name: A, value: "yes"}, {name: B, value: "0644"}]
  volumes:
  - name: v
    secret: {secretName: s, defaultMode: 0400, optional: true}
"""
    r = load_text(text)
    assert not r.diagnostics, format_diagnostics(r.diagnostics)
    spec = r.manifests[0].obj.spec
    assert spec.containers[0].security_context.privileged is True
    assert [e.value for e in spec.containers[0].env] == ["yes", "0644"]
    assert spec.volumes[0].secret.default_mode == 0o400


def test_probe_exec_is_set_on_the_model():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: i
    livenessProbe: {exec: {command: [cat, /tmp/ok]}, periodSeconds: 5}
"""
    (pod,) = load_text(text).manifests
    probe = pod.obj.spec.containers[0].liveness_probe
    assert probe.var_exec.command == ["cat", "/tmp/ok"] and probe.period_seconds == 5


def test_merge_keys_and_aliases():
    text = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: m
  labels: &common {app: web, tier: front}
  annotations:
    <<: *common
    tier: back
data: {}
"""
    (cm,) = load_text(text).manifests
    assert cm.obj.metadata.annotations == {"tier": "back", "app": "web"}
    assert cm.obj.metadata.labels == {"app": "web", "tier": "front"}
