"""The downward API on the real (isolated) Podman, through apply and through the script: fieldRef
values read inside the containers (the pod's own address, the host's name and address, uid,
service account), downwardAPI and projected volume files, fsGroup among the groups `id` shows,
and a hostNetwork pod's hostname (the host's)."""

from __future__ import annotations

import json
import socket
import subprocess
import uuid

import pytest
from support.k2p import run_cli

from kube2pod.translate.fieldref import pod_uid

pytestmark = pytest.mark.podman

#: Names of this session only: netavark's IPAM database and the host's routes are shared by every
#: store, and the project network's subnet follows its name (translate/podip.py).
TAG = uuid.uuid4().hex[:6]

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: dw-settings-TAG}
data: {config: "mode=prod\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: dw-creds-TAG}
stringData: {username: admin}
---
apiVersion: v1
kind: Pod
metadata:
  name: dw-info-TAG
  labels: {app: info, zone: z1}
  annotations: {build: 'say "two"'}
spec:
  serviceAccountName: reporter
  securityContext: {runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000]}
  containers:
    - name: main
      image: localhost/busybox:latest
      imagePullPolicy: Never
      command: ["sleep", "1000"]
      resources: {limits: {cpu: 250m, memory: 64Mi}}
      env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
        - {name: ACCOUNT, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
      volumeMounts:
        - {name: podinfo, mountPath: /etc/podinfo}
        - {name: bundle, mountPath: /etc/bundle, readOnly: true}
  volumes:
    - name: podinfo
      downwardAPI:
        items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
          - {path: cpu_limit, resourceFieldRef: {containerName: main, resource: limits.cpu, divisor: 1m}}
    - name: bundle
      projected:
        sources:
          - secret: {name: dw-creds-TAG, items: [{key: username, path: auth/username, mode: 0444}]}
          - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
          - configMap: {name: dw-settings-TAG, items: [{key: config, path: app/config}]}
---
apiVersion: v1
kind: Pod
metadata: {name: dw-agent-TAG}
spec:
  hostNetwork: true
  containers:
    - name: main
      image: localhost/busybox:latest
      imagePullPolicy: Never
      command: ["sleep", "1000"]
      env:
        - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
""".replace("TAG", TAG)


def _host_ip() -> str:
    """The source address of the default route, read with iproute2 (as the script does)."""
    out = subprocess.run(["ip", "-o", "route", "get", "1.0.0.0"], capture_output=True, text=True, check=True).stdout
    words = out.split()
    return words[words.index("src") + 1]


def _exec(podman, container: str, script: str) -> str:
    return podman("exec", container, "sh", "-c", script).stdout


def _check_pods(podman) -> None:
    info, agent = f"dw-info-{TAG}-main", f"dw-agent-{TAG}-main"
    env = dict(line.split("=", 1) for line in _exec(podman, info, "env").splitlines() if "=" in line)
    address = _exec(podman, info, "ip -4 -o addr show eth0").split()[3].split("/")[0]
    assert env["POD_IP"] == address  # the address the pod really has on its network
    assert env["POD_UID"] == pod_uid("default", f"dw-info-{TAG}") and env["ACCOUNT"] == "reporter"
    ids = _exec(podman, info, "id").split()
    assert ids[0].startswith("uid=1000") and "2000" in ids[2] and "3000" in ids[2], ids  # fsGroup, supplementalGroups
    files = _exec(podman, info, "cd /etc/podinfo && for f in labels annotations cpu_limit; do cat $f; echo '|'; done")
    assert files == 'app="info"\nzone="z1"|\nbuild="say \\"two\\""|\n250|\n'
    bundle = _exec(podman, info, "cd /etc/bundle && cat auth/username; echo '|'; cat name; echo '|'; cat app/config")
    assert bundle == f"admin|\ndw-info-{TAG}|\nmode=prod\n"
    assert _exec(podman, info, "hostname").strip() == f"dw-info-{TAG}"

    env = dict(line.split("=", 1) for line in _exec(podman, agent, "env").splitlines() if "=" in line)
    assert env["NODE_NAME"] == socket.gethostname().lower()
    assert env["HOST_IP"] == env["POD_IP"] == _host_ip()
    assert _exec(podman, agent, "hostname").strip() == socket.gethostname()  # the host's UTS namespace
    infra = json.loads(podman("pod", "inspect", f"dw-agent-{TAG}").stdout)
    infra = infra[0] if isinstance(infra, list) else infra
    assert infra["Hostname"] == ""


def test_apply_gives_the_downward_api_values(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / f"dw-{TAG}.yaml"
    manifest.write_text(MANIFEST)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    try:
        _check_pods(podman)
        code, _, err = run_cli("apply", "--url", podman_url, str(manifest))  # the host facts are no drift
        assert code == 0 and err.count("unchanged") == 2 and "recreate" not in err, err
        _check_pods(podman)
    finally:
        code, _, err = run_cli("down", "--url", podman_url, str(manifest))
        assert code == 0, err


def test_the_script_gives_the_same_values(tmp_path, podman, podman_url, podman_shell_env, podman_clean):
    manifest = tmp_path / f"dws-{TAG}.yaml"
    manifest.write_text(MANIFEST)
    code, script, err = run_cli("convert", "-o", "sh", str(manifest))
    assert code == 0, err
    run = subprocess.run(["sh", "-c", script], env={**podman_shell_env, "K2P_SECRET_DW_CREDS_%s_USERNAME" % TAG.upper(): "admin"},
                         capture_output=True, text=True, timeout=180)
    try:
        assert run.returncode == 0, run.stderr
        _check_pods(podman)
    finally:
        code, _, err = run_cli("down", "--url", podman_url, str(manifest))
        assert code == 0, err


PLAIN = """\
apiVersion: v1
kind: Pod
metadata: {name: dw-plain-TAG}
spec:
  containers:
    - name: main
      image: localhost/busybox:latest
      imagePullPolicy: Never
      command: ["sleep", "1000"]
""".replace("TAG", TAG)


def _pod_state(podman) -> list:
    """The ids and states of the pod's containers (inspect orders a pod's namespaces at random)."""
    ctrs = json.loads(podman("ps", "-a", "--filter", f"pod=dw-plain-{TAG}", "--format", "json").stdout)
    return sorted((c["Id"], c["State"]) for c in ctrs)


def test_an_owned_network_of_another_subnet_is_not_changed(tmp_path, podman, podman_url, podman_shell_env,
                                                           podman_clean):
    """The project network was made before a pod asked for status.podIP: apply and the script stop
    before changing anything."""
    manifest = tmp_path / f"dwn-{TAG}.yaml"
    manifest.write_text(PLAIN)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    try:
        before = _pod_state(podman)
        manifest.write_text(PLAIN + "      env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]\n")
        code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
        assert code != 0 and f"network dwn-{TAG}_default exists with subnet" in err and "kube2pod down" in err, err
        assert _pod_state(podman) == before
        code, script, err = run_cli("convert", "-o", "sh", str(manifest))
        assert code == 0, err
        run = subprocess.run(["sh", "-c", script], env=podman_shell_env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 1 and "exists with another subnet" in run.stderr, run.stderr
        assert _pod_state(podman) == before
    finally:
        code, _, err = run_cli("down", "--url", podman_url, str(manifest))
        assert code == 0, err
