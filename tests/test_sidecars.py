"""Native sidecars (init containers with restartPolicy: Always): translation, units, and on Podman."""

from __future__ import annotations

import json
import time

import pytest
from support.k2p import run_cli, translate_text

from kube2pod.render import quadlet

SIDECAR_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: wl-sidecar}
spec:
  restartPolicy: Never
  initContainers:
  - name: prep
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'echo prep >> /shared/order']
    volumeMounts: [{name: shared, mountPath: /shared}]
  - name: side
    image: localhost/busybox:latest
    imagePullPolicy: Never
    restartPolicy: Always
    command: [sh, -c, 'echo side >> /shared/order; while [ ! -f /shared/crash ]; do sleep 0.2; done; rm /shared/crash; exit 3']
    volumeMounts: [{name: shared, mountPath: /shared}]
  containers:
  - name: app
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'echo app >> /shared/order; sleep 600']
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - {name: shared, emptyDir: {}}
"""


def test_sidecar_is_a_restarting_container_the_app_requires(tmp_path):
    t = translate_text(tmp_path, SIDECAR_POD)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    pod = t.plan.pods[0]
    assert [c.name for c in pod.init_containers] == ["wl-sidecar-prep"]
    assert [c.name for c in pod.containers] == ["wl-sidecar-side", "wl-sidecar-app"]
    side, app = pod.containers
    assert side.restart_policy == "always" and side.init_type == "" and side.requires == []
    assert app.restart_policy == "no" and app.requires == ["wl-sidecar-side"]
    assert pod.init_containers[0].restart_policy == "no" and pod.init_containers[0].init_type == "once"
    assert not [d for d in t.diagnostics if "restartPolicy" in d.message]


def test_sidecar_units_order_the_app_after_it(tmp_path):
    units = quadlet.render(translate_text(tmp_path, SIDECAR_POD).plan)
    side, app = units["wl-sidecar-side.container"], units["wl-sidecar-app.container"]
    assert "Requires=wl-sidecar-prep.service\nAfter=wl-sidecar-prep.service" in side
    assert "Restart=always" in side and "Type=oneshot" not in side
    assert "Requires=wl-sidecar-side.service\nAfter=wl-sidecar-side.service" in app
    assert "--requires" not in app


def test_init_container_after_a_sidecar_is_warned(tmp_path):
    text = SIDECAR_POD.replace("  containers:\n", "  - name: late\n    image: localhost/busybox:latest\n"
                               "    command: [\"true\"]\n  containers:\n", 1)
    t = translate_text(tmp_path, text)
    warned = [d for d in t.diagnostics if "late" in d.message]
    assert len(warned) == 1 and warned[0].severity.value == "warning", [d.format() for d in t.diagnostics]
    assert warned[0].pos.line == text.splitlines().index("  - name: late") + 1


def test_sidecar_script_requires_it(tmp_path):
    (tmp_path / "p.yaml").write_text(SIDECAR_POD)
    code, out, err = run_cli("convert", "-o", "sh", str(tmp_path / "p.yaml"))
    assert code == 0, err
    side = out.index("--name=wl-sidecar-side")
    app = out.index("--name=wl-sidecar-app")
    assert side < app and "--requires=wl-sidecar-side" in out[app:out.index("\n", app)]


def _inspect(podman, name: str) -> dict:
    return json.loads(podman("container", "inspect", name).stdout)[0]


def _wait(predicate, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.mark.podman
def test_sidecar_on_podman(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "sidecar.yaml"
    manifest.write_text(SIDECAR_POD)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    order = _wait(lambda: podman("exec", "wl-sidecar-app", "cat", "/shared/order").stdout.split()
                  if "app" in podman("exec", "wl-sidecar-app", "cat", "/shared/order").stdout else None)
    assert order[0] == "prep" and sorted(order[1:]) == ["app", "side"]
    side, app = _inspect(podman, "wl-sidecar-side"), _inspect(podman, "wl-sidecar-app")
    assert side["HostConfig"]["RestartPolicy"]["Name"] == "always"
    assert app["HostConfig"]["RestartPolicy"]["Name"] == "no"
    assert side["Id"] in app["Dependencies"] or "wl-sidecar-side" in app["Dependencies"]
    assert side["State"]["StartedAt"] <= app["State"]["StartedAt"]  # podman started the dependency first
    assert side["State"]["Running"] and app["State"]["Running"]

    before = side["RestartCount"]
    podman("exec", "wl-sidecar-app", "touch", "/shared/crash")  # the sidecar exits with 3
    _wait(lambda: _inspect(podman, "wl-sidecar-side")["RestartCount"] > before
          and _inspect(podman, "wl-sidecar-side")["State"]["Running"])
    assert _inspect(podman, "wl-sidecar-app")["State"]["Running"]  # the app kept running
    assert podman("exec", "wl-sidecar-app", "cat", "/shared/order").stdout.split().count("side") == 2

    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert podman("ps", "-aq", "--filter", "pod=wl-sidecar").stdout.split() == []


STOP_ORDER = """\
apiVersion: v1
kind: Pod
metadata: {name: wl-sidestop}
spec:
  terminationGracePeriodSeconds: 5
  initContainers:
  - name: side
    image: localhost/busybox:latest
    imagePullPolicy: Never
    restartPolicy: Always
    command: [sh, -c, 'trap "echo side >> /log/stops; exit 0" TERM; sleep 600 & wait']
    volumeMounts: [{name: log, mountPath: /log}]
  containers:
  - name: app
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'trap "sleep 2; echo app >> /log/stops; exit 0" TERM; sleep 600 & wait']
    volumeMounts: [{name: log, mountPath: /log}]
  volumes:
  - {name: log, hostPath: {path: LOG, type: Directory}}
"""


@pytest.mark.podman
def test_down_stops_the_app_before_its_sidecar(tmp_path, podman, podman_url, podman_clean):
    log = tmp_path / "log"
    log.mkdir()
    log.chmod(0o777)
    manifest = tmp_path / "stop.yaml"
    manifest.write_text(STOP_ORDER.replace("LOG", str(log)))
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    _wait(lambda: _inspect(podman, "wl-sidestop-app")["State"]["Running"])
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    # the app takes 2 s to stop: signalled together (podman's pod stop), the sidecar would write first
    assert (log / "stops").read_text().split() == ["app", "side"]
