"""Cluster objects on one host (issue 17): a Secret, ConfigMap or PersistentVolumeClaim applied
from its own file is kept as an owned Podman object, and a later apply of another file resolves
its references against it (translate/kept.py, apply/host_objects.py, docs/apply.md)."""

from __future__ import annotations

import json

import pytest
from support.k2p import run_cli

pytestmark = pytest.mark.podman

SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: hunter2
  user: admin
"""

SECRET_APP = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    command: [sleep, "3600"]
    env:
    - name: PASSWORD
      valueFrom:
        secretKeyRef: {name: db, key: password}
    volumeMounts:
    - {name: creds, mountPath: /creds}
  volumes:
  - name: creds
    secret: {secretName: db}
"""

CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  MODE: prod
  app.conf: "level=3\\n"
"""

CONFIG_APP = """\
apiVersion: v1
kind: Pod
metadata: {name: site}
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    command: [sleep, "3600"]
    env:
    - name: THE_MODE
      valueFrom:
        configMapKeyRef: {name: settings, key: MODE}
    envFrom:
    - configMapRef: {name: settings}
      prefix: CM_
    volumeMounts:
    - {name: conf, mountPath: /etc/site}
  volumes:
  - name: conf
    configMap: {name: settings}
"""

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch
  labels: {tier: cache}
  annotations:
    volume.podman.io/driver: local
    volume.podman.io/type: tmpfs
    volume.podman.io/device: tmpfs
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""

MISSING = """\
apiVersion: v1
kind: Pod
metadata: {name: lost}
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    env:
    - name: TOKEN
      valueFrom:
        secretKeyRef: {name: nowhere, key: token}
"""


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _secret_names(podman) -> set[str]:
    return set(podman("secret", "ls", "--format", "{{.Name}}").stdout.split())


def test_secret_then_app_across_two_files(tmp_path, podman, podman_url, podman_clean):
    secret, app = _write(tmp_path, "secret.yaml", SECRET), _write(tmp_path, "app.yaml", SECRET_APP)
    code, _, err = run_cli("apply", "--url", podman_url, secret)
    assert code == 0, err
    assert _secret_names(podman) == {"db-password", "db-user"}  # every key, not only those used later
    labels = json.loads(podman("secret", "inspect", "db-user").stdout)[0]["Spec"]["Labels"]
    assert labels["io.kube2pod.managed"] == "true" and labels["io.kube2pod.project"] == "secret"
    assert labels["io.kube2pod.shared"] == "true" and labels["io.kube2pod.key"] == "user"

    code, out, err = run_cli("diff", "--url", podman_url, app)
    assert code == 0, err
    assert "secret default/db: from host (kept by project secret)" in err
    code, _, err = run_cli("apply", "--url", podman_url, app)
    assert code == 0, err
    assert podman("exec", "web-main", "sh", "-c", "echo $PASSWORD").stdout.strip() == "hunter2"
    assert podman("exec", "web-main", "cat", "/creds/user").stdout == "admin"
    assert podman("exec", "web-main", "cat", "/creds/password").stdout == "hunter2"

    code, _, err = run_cli("down", "--url", podman_url, app)  # the app's down leaves the Secret
    assert code == 0, err
    assert podman("pod", "exists", "web", check=False).returncode != 0
    assert _secret_names(podman) == {"db-password", "db-user"}

    code, _, err = run_cli("down", "--url", podman_url, secret)  # the Secret's own down removes it
    assert code == 0, err
    assert _secret_names(podman) == set()


def test_config_map_then_app_across_two_files(tmp_path, podman, podman_url, podman_clean):
    config, app = _write(tmp_path, "config.yaml", CONFIG), _write(tmp_path, "site.yaml", CONFIG_APP)
    code, _, err = run_cli("apply", "--url", podman_url, config)
    assert code == 0, err
    vol = json.loads(podman("volume", "inspect", "configmap.default.settings").stdout)[0]
    assert vol["Labels"]["io.kube2pod.source"] == "ConfigMap/default/settings"
    assert vol["Labels"]["io.kube2pod.project"] == "config"

    code, _, err = run_cli("diff", "--url", podman_url, app)
    assert code == 0, err
    assert "configmap default/settings: from host (kept by project config)" in err
    code, _, err = run_cli("apply", "--url", podman_url, app)
    assert code == 0, err
    env = podman("exec", "site-main", "env").stdout.splitlines()
    assert "THE_MODE=prod" in env and "CM_MODE=prod" in env
    assert podman("exec", "site-main", "cat", "/etc/site/app.conf").stdout == "level=3\n"

    code, _, err = run_cli("down", "--url", podman_url, app)
    assert code == 0, err
    assert podman("volume", "exists", "configmap.default.settings", check=False).returncode == 0
    code, _, err = run_cli("down", "--url", podman_url, config)
    assert code == 0, err
    assert podman("volume", "exists", "configmap.default.settings", check=False).returncode != 0


def test_standalone_claim_becomes_its_tmpfs_volume(tmp_path, podman, podman_url, podman_clean):
    claim = _write(tmp_path, "claim.yaml", CLAIM)
    code, _, err = run_cli("apply", "--url", podman_url, claim)
    assert code == 0, err
    vol = json.loads(podman("volume", "inspect", "scratch").stdout)[0]
    assert vol["Driver"] == "local"
    assert vol["Options"] == {"device": "tmpfs", "type": "tmpfs"}
    assert vol["Labels"]["io.kube2pod.managed"] == "true" and vol["Labels"]["tier"] == "cache"
    assert vol["Labels"]["io.kube2pod.lifetime"] == "persistent"
    code, _, err = run_cli("down", "--url", podman_url, claim)
    assert code == 0 and "volume scratch: kept" in err, err
    code, _, err = run_cli("down", "--volumes", "--url", podman_url, claim)
    assert code == 0, err
    assert podman("volume", "exists", "scratch", check=False).returncode != 0


def test_reference_neither_in_the_input_nor_on_the_host(tmp_path, podman_url, podman_clean):
    app = _write(tmp_path, "lost.yaml", MISSING)
    code, _, err = run_cli("apply", "--url", podman_url, app)
    assert code == 2, err
    assert f'{app}:11:30: error: spec.containers[0].env[0].valueFrom.secretKeyRef.name: Secret "nowhere" ' \
           "is not defined in the input nor on the host" in err
    assert "hint: apply the Secret first" in err


def test_convert_never_reads_the_host(tmp_path):
    app = _write(tmp_path, "app.yaml", SECRET_APP)
    code, _, err = run_cli("convert", app)
    assert code == 2
    assert f'{app}:12:30: error: spec.containers[0].env[0].valueFrom.secretKeyRef.name: Secret "db" ' \
           "is not defined in the input\n" in err
    assert "hint: apply the Secret first" in err


def test_another_project_neither_replaces_nor_removes_a_kept_secret(tmp_path, podman, podman_url, podman_clean):
    secret = _write(tmp_path, "secret.yaml", SECRET)
    other = _write(tmp_path, "other.yaml", SECRET.replace("hunter2", "changed"))
    assert run_cli("apply", "--url", podman_url, secret)[0] == 0
    code, _, err = run_cli("apply", "--url", podman_url, other)
    assert code == 2, err
    assert "secret db-password belongs to kube2pod project secret, not to project other" in err
    code, _, err = run_cli("down", "--url", podman_url, other)
    assert code == 0, err
    assert "secret db-password: kept (kept on the host by project secret)" in err
    assert _secret_names(podman) == {"db-password", "db-user"}
    code, _, err = run_cli("apply", "--url", podman_url, _write(tmp_path, "app.yaml", SECRET_APP))
    assert code == 0, err
    assert podman("exec", "web-main", "cat", "/creds/password").stdout == "hunter2"  # the first value, unchanged
