"""Cluster objects on one host, without Podman: what translate keeps (translate/kept.py) and how
references resolve against objects read from the host (load/references.py, translate/objects.py).
The Podman side is tests/test_apply_host_objects.py."""

from __future__ import annotations

import json

import pytest

from kube2pod import pipeline
from kube2pod.load import HostUnreadable
from kube2pod.pipeline import Options

SECRET = """apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: hunter2, user: admin, empty: ""}
"""
CONFIG = """apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {MODE: prod}
binaryData: {logo: aGk=}
"""
CLAIM = """apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch
  annotations: {volume.podman.io/type: tmpfs, volume.podman.io/device: tmpfs}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""
APP = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
    - name: MODE
      valueFrom: {configMapKeyRef: {name: settings, key: MODE}}
    volumeMounts: [{name: conf, mountPath: /conf}]
  volumes:
  - name: conf
    configMap: {name: settings}
"""
HOST = [
    {"apiVersion": "v1", "kind": "Secret",
     "metadata": {"name": "db", "namespace": "default", "labels": {"io.kube2pod.project": "secret"}},
     "data": {"password": "", "user": ""}},
    {"apiVersion": "v1", "kind": "ConfigMap",
     "metadata": {"name": "settings", "namespace": "default", "labels": {"io.kube2pod.project": "config"}},
     "data": {"MODE": "prod", "a.conf": "x=1\n"}},
]


def _run(tmp_path, text: str, name: str = "in.yaml", host=None):
    path = tmp_path / name
    path.write_text(text)
    return pipeline.run([str(path)], Options(), host_objects=host)


def test_a_standalone_secret_keeps_every_key(tmp_path):
    outcome = _run(tmp_path, SECRET)
    assert not outcome.has_errors
    secrets = {s.name: s for s in outcome.plan.secrets}
    assert set(secrets) == {"db-password", "db-user"}
    assert secrets["db-user"].labels["io.kube2pod.shared"] == "true"
    assert secrets["db-user"].labels["io.kube2pod.key"] == "user"
    assert secrets["db-user"].data() == b"admin"
    warned = [d.message for d in outcome.diagnostics]
    assert any("key 'empty' is empty" in m for m in warned)
    assert not any("nothing to run" in m for m in warned)


def test_a_standalone_config_map_is_a_volume_with_its_data(tmp_path):
    outcome = _run(tmp_path, CONFIG)
    [vol] = outcome.plan.volumes
    assert vol.name == "configmap.shop.settings" and vol.lifetime == "pod"
    assert vol.labels["io.kube2pod.source"] == "ConfigMap/shop/settings"
    assert vol.labels["io.kube2pod.shared"] == "true"
    [f] = vol.files
    assert f.path == "configmap.json" and f.mode == 0o600
    assert json.loads(f.text) == {"data": {"MODE": "prod"}, "binaryData": {"logo": "aGk="}}


def test_a_standalone_claim_is_its_volume(tmp_path):
    outcome = _run(tmp_path, CLAIM)
    [vol] = outcome.plan.volumes
    assert (vol.name, vol.lifetime, vol.options) == ("scratch", "persistent", {"type": "tmpfs", "device": "tmpfs"})


def test_objects_a_pod_of_the_input_uses_are_not_kept(tmp_path):
    outcome = _run(tmp_path, SECRET + "---\n" + CONFIG.replace("namespace: shop", "namespace: default") + "---\n" + APP)
    assert not outcome.has_errors
    assert [s.name for s in outcome.plan.secrets] == ["db-password"]
    assert [v.name for v in outcome.plan.volumes] == ["web-conf"]


def test_references_resolve_against_the_host(tmp_path):
    calls = []

    def host():
        calls.append(1)
        return HOST

    outcome = _run(tmp_path, APP, host=host)
    assert not outcome.has_errors, outcome.diagnostics
    assert calls == [1]  # read once
    assert outcome.plan.secrets == []  # the host's podman secrets are used, never made nor removed here
    [pod] = outcome.plan.pods
    [c] = pod.containers
    assert [(e.name, e.secret) for e in c.secret_env] == [("PASSWORD", "db-password")]
    assert ("MODE", "prod") in [(e.name, e.value) for e in c.env]
    [vol] = outcome.plan.volumes
    assert {f.path: f.text for f in vol.files} == {"MODE": "prod", "a.conf": "x=1\n"}
    assert sorted(m.ref for m in outcome.loaded.host) == ["ConfigMap/settings", "Secret/db"]


def test_the_host_is_not_read_when_the_input_has_everything(tmp_path):
    def host():
        raise AssertionError("read")

    outcome = _run(tmp_path, SECRET + "---\n" + CONFIG.replace("namespace: shop", "namespace: default") + "---\n" + APP,
                   host=host)
    assert not outcome.has_errors


def test_a_key_missing_on_the_host_is_positioned(tmp_path):
    app = APP.replace("key: password", "key: token")
    outcome = _run(tmp_path, app, host=lambda: HOST)
    errors = [f"{d.pos.line}:{d.pos.col} {d.message}" for d in outcome.diagnostics if d.severity.name == "ERROR"]
    assert errors == ['10:49 spec.containers[0].env[0].valueFrom.secretKeyRef.key: Secret "db" has no key "token"'], errors


def test_missing_everywhere(tmp_path):
    outcome = _run(tmp_path, APP, host=lambda: [])
    messages = [(d.message, d.hint) for d in outcome.diagnostics]
    assert any('Secret "db" is not defined in the input nor on the host' in m and "apply the Secret first" in h
               for m, h in messages), messages


def test_an_unreadable_host_is_not_a_loader_bug(tmp_path):
    def host():
        raise HostUnreadable("Podman does not answer")

    with pytest.raises(HostUnreadable):
        _run(tmp_path, APP, host=host)
