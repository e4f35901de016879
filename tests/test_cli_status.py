"""kube2pod status on a real (isolated) Podman: a healthy app (workload, pods, containers, ports,
a PVC volume), a failing probe, drift (a container removed by hand, a pod removed, a changed
spec), -o json/yaml, and every kube2pod project on the host when no file is given.

There is no systemd in the test machines, so Podman's healthcheck timers never fire: the tests
run ``podman healthcheck run`` themselves, as the timer would."""

from __future__ import annotations

import io
import json

import pytest
from ruamel.yaml import YAML
from support.k2p import apply_cli, run_cli
from support.podman_env import free_port

pytestmark = pytest.mark.podman

APP = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, labels: {{app: web}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: http
        image: localhost/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, 'trap "exit 0" TERM; while sleep 0.2; do :; done']
        {kind}:
          exec: {{command: [sh, -c, '{probe}']}}
          periodSeconds: 30
          failureThreshold: 3
---
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  selector: {{app: web}}
  ports: [{{port: 8080}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data}}
spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: db, labels: {{app: db}}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'trap "exit 0" TERM; while sleep 0.2; do :; done']
    ports: [{{containerPort: 5432, hostPort: {port}}}]
    env: [{{name: MODE, value: "{mode}"}}]
    volumeMounts: [{{name: data, mountPath: /data}}]
  volumes: [{{name: data, persistentVolumeClaim: {{claimName: data}}}}]
"""


def _write(path, probe: str = "true", port: int = 0, mode: str = "a", kind: str = "livenessProbe"):
    path.write_text(APP.format(probe=probe, port=port, mode=mode, kind=kind))
    return path


def _ageless(data):
    """``data`` without its ``age`` fields (two calls a second apart may differ there)."""
    if isinstance(data, dict):
        return {k: _ageless(v) for k, v in data.items() if k != "age"}
    if isinstance(data, list):
        return [_ageless(v) for v in data]
    return data


def _status(podman_url, *args) -> tuple[int, str, str]:
    return run_cli("status", "--url", podman_url, *map(str, args))


def _json(podman_url, *args) -> tuple[int, dict]:
    code, out, err = _status(podman_url, "-o", "json", *args)
    assert "Traceback" not in err, err
    return code, json.loads(out)


def _probe_all(podman, names) -> None:
    """Run each container's healthcheck once (what Podman's systemd timer does)."""
    for name in names:
        podman("healthcheck", "run", name, check=False)


@pytest.fixture
def app(tmp_path, podman_url, podman_clean, podman):
    port = free_port()
    manifest = _write(tmp_path / "shop.yaml", port=port)
    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    return manifest, port


def test_status_of_a_healthy_app(app, podman_url, podman):
    manifest, port = app
    # the healthchecks have not run yet: not ready, the probe named
    code, out, err = _status(podman_url, manifest)
    assert code == 3, out + err
    assert "livenessProbe has not passed yet" in out
    assert "no endpoint pod is ready" in out  # the Service's endpoints are its ready pods
    _probe_all(podman, ["web-pod-0-http", "web-pod-1-http"])
    code, out, err = _status(podman_url, manifest)
    assert code == 0, out + err
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert rows["project"] == ["project", "shop"]
    assert rows["deployment.apps/web"][1:3] == ["2/2", "ready"]
    assert "pods: web-pod-0, web-pod-1" in out
    for pod in ("pod/web-pod-0", "pod/web-pod-1", "pod/db"):
        assert rows[pod][1:4] == ["1/1", "Running", "0"], out
    assert f"{port}->5432/tcp" in out
    assert rows["http"][1:4] == ["yes", "running", "0"] and "healthy (livenessProbe)" in out
    assert rows["main"][1:4] == ["yes", "running", "0"]
    assert rows["volume/data"][1:3] == ["-", "present"]
    assert "PersistentVolumeClaim/default/data: persistent, kept across down" in out
    assert rows["service/web"][1:3] == ["2/2", "ready"]
    assert "aliases; web 8080/tcp; endpoints web-pod-0, web-pod-1" in out


def test_json_and_yaml_carry_the_same_facts_and_no_file_lists_the_project(app, podman_url, podman):
    manifest, port = app
    _probe_all(podman, ["web-pod-0-http", "web-pod-1-http"])
    code, data = _json(podman_url, manifest)
    assert code == 0 and data["ready"] is True and data["projects"] == ["shop"]
    (web,) = data["workloads"]
    assert (web["name"], web["ready"], web["ok"], web["pods"]) == ("deployment.apps/web", "2/2", True,
                                                                  ["web-pod-0", "web-pod-1"])
    pods = {p["name"]: p for p in data["pods"]}
    assert set(pods) == {"web-pod-0", "web-pod-1", "db"}
    assert all(p["phase"] == "Running" and p["ok"] and not p["drift"] and p["action"] == "unchanged"
               for p in pods.values())
    assert any(x.endswith(f"{port}->5432/tcp") for x in pods["db"]["ports"])
    http = pods["web-pod-0"]["containers"][0]
    assert (http["name"], http["state"], http["ready"], http["restarts"]) == ("http", "running", True, 0)
    assert http["health"]["status"] == "healthy" and http["health"]["probe"] == "livenessProbe"
    assert pods["db"]["containers"][0]["health"] is None
    (vol,) = data["volumes"]
    assert (vol["name"], vol["present"], vol["lifetime"], vol["kept_across_down"]) == ("data", True, "persistent", True)

    code, out, _ = _status(podman_url, "-o", "yaml", manifest)
    assert code == 0 and _ageless(YAML(typ="safe", pure=True).load(io.StringIO(out))) == _ageless(data)

    # no file: every project on the host; the same pods
    code, host = _json(podman_url)
    assert code == 0 and host["projects"] == ["shop"]
    assert {p["name"] for p in host["pods"]} == set(pods) and host["workloads"][0]["ready"] == "2/2"
    assert _ageless(_json(podman_url, "--project", "shop")[1]["pods"]) == _ageless(host["pods"])
    assert {p["name"] for p in _json(podman_url, "-l", "app=db")[1]["pods"]} == {"db"}
    assert {p["name"] for p in _json(podman_url, "deploy/web")[1]["pods"]} == {"web-pod-0", "web-pod-1"}
    code, out, err = _status(podman_url, "--project", "nope")
    assert code == 2 and "no project 'nope' on this Podman; known: shop" in err and "Traceback" not in err

    # down keeps the PVC's volume: without manifests, the project still shows it
    assert run_cli("down", "--url", podman_url, str(manifest))[0] == 0
    code, host = _json(podman_url)
    assert code == 0 and host["pods"] == [] and host["projects"] == ["shop"]
    assert [(v["name"], v["kept_across_down"]) for v in host["volumes"]] == [("data", True)]
    code, data = _json(podman_url, manifest)
    assert code == 3 and {p["phase"] for p in data["pods"]} == {"Missing"}


@pytest.mark.parametrize("kind", ["livenessProbe", "readinessProbe"])
def test_a_failing_probe_is_named_and_exits_3(kind, tmp_path, podman_url, podman_clean, podman):
    manifest = _write(tmp_path / "sick.yaml", probe="echo database unreachable; exit 1", port=free_port(), kind=kind)
    assert apply_cli(podman_url, manifest)[0] == 0
    _probe_all(podman, ["web-pod-0-http", "web-pod-1-http"])
    code, out, err = _status(podman_url, manifest)
    assert code == 3, out + err
    assert "0/2" in out and "not ready" in out
    assert (f"{kind} failed 1 of 3 times (exit code 1: database unreachable); "
            "check: sh -c 'echo database unreachable; exit 1'") in out
    code, data = _json(podman_url, manifest)
    assert code == 3 and data["ready"] is False
    http = {p["name"]: p for p in data["pods"]}["web-pod-1"]["containers"][0]
    assert http["ready"] is False and http["state"] == "running"
    assert http["health"]["probe"] == kind and http["health"]["failing_streak"] == 1
    assert http["health"]["last_output"] == "database unreachable"
    assert {p["name"]: p["ok"] for p in data["pods"]} == {"web-pod-0": False, "web-pod-1": False, "db": True}


def test_drift_a_container_removed_a_pod_removed_a_spec_changed(app, podman_url, podman):
    manifest, port = app
    _probe_all(podman, ["web-pod-0-http", "web-pod-1-http"])
    podman("rm", "-f", "-t", "0", "db-main")
    code, out, err = _status(podman_url, manifest)
    assert code == 3 and "container db-main was removed; apply recreates it" in out, out + err
    assert "1 object(s) not ready, missing or drifted" in err
    code, data = _json(podman_url, manifest)
    db = {p["name"]: p for p in data["pods"]}["db"]
    assert (db["action"], db["ok"], db["containers"][0]["state"]) == ("recreate", False, "missing")
    assert db["drift"] == "drift: container db-main was removed; apply recreates it"

    podman("pod", "rm", "-f", "-t", "0", "web-pod-1")
    code, data = _json(podman_url, manifest)
    assert code == 3 and data["workloads"][0]["ready"] == "1/2"
    web1 = {p["name"]: p for p in data["pods"]}["web-pod-1"]
    assert web1["phase"] == "Missing" and web1["drift"].startswith("missing: no such pod")

    _write(manifest, port=port, mode="b")  # the db pod's spec changes: its hash no longer matches
    code, out, _ = _status(podman_url, manifest)
    assert code == 3 and "spec changed; apply recreates it" in out
    # apply repairs all of it; status is clean again
    assert apply_cli(podman_url, manifest)[0] == 0
    _probe_all(podman, ["web-pod-0-http", "web-pod-1-http"])
    code, out, err = _status(podman_url, manifest)
    assert code == 0, out + err


@pytest.mark.parametrize("argv, message", [
    (["-l", "app in"], "selector"),
    (["-o", "xml"], "invalid choice: 'xml'"),
    (["deploy/none"], "no target 'deploy/none'"),
    (["nofile.yaml"], "nofile.yaml"),
])
def test_bad_usage_is_exit_2(app, podman_url, argv, message):
    code, _, err = _status(podman_url, *argv)
    assert code == 2 and message in err and "Traceback" not in err, err
