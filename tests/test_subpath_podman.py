"""Volume sub-paths on the host's Podman, through apply and through the script: a configMap key
as one file (/etc/app/app.conf), a PVC sub-path and an emptyDir sub-path (each a directory made
in the volume when missing); ``down`` keeps the PVC's data unless ``--volumes``."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from support.k2p import run_cli

pytestmark = pytest.mark.podman

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: k2psp-conf}
data: {app.conf: "greeting=hello from a sub-path\\n", unused: "x"}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: k2psp-claim}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: k2psp}
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    command: [sh, -c, "cat /etc/app/app.conf > /var/log/app/seen; ls /etc/app > /scratch/list; sleep 1000"]
    env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
    volumeMounts:
    - {name: conf, mountPath: /etc/app/app.conf, subPath: app.conf, readOnly: true}
    - {name: data, mountPath: /var/log/app, subPathExpr: "logs/$(POD)"}
    - {name: data, mountPath: /keep, subPath: kept}
    - {name: scratch, mountPath: /scratch, subPath: deep/er}
  volumes:
  - {name: conf, configMap: {name: k2psp-conf}}
  - {name: data, persistentVolumeClaim: {claimName: k2psp-claim}}
  - {name: scratch, emptyDir: {}}
"""


def _mountpoint(podman, volume: str) -> Path:
    return Path(podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume).stdout.strip())


def _wait_for(path: Path, timeout: float = 30) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.is_file() and path.stat().st_size:
            return path.read_text()
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written")


def _check_running(podman):
    """The three sub-paths as the container sees them, and as the host has them."""
    assert podman("exec", "k2psp-main", "cat", "/etc/app/app.conf").stdout == "greeting=hello from a sub-path\n"
    data = _mountpoint(podman, "k2psp-claim")
    assert _wait_for(data / "logs" / "k2psp" / "seen") == "greeting=hello from a sub-path\n"
    assert (data / "kept" / "old.txt").read_text() == "user data"  # made before: left as it was
    assert podman("exec", "k2psp-main", "cat", "/keep/old.txt").stdout == "user data"
    podman("exec", "k2psp-main", "sh", "-c", "echo written inside > /var/log/app/inside.txt")
    assert (data / "logs" / "k2psp" / "inside.txt").read_text() == "written inside\n"
    scratch = _mountpoint(podman, "k2psp-scratch")
    assert _wait_for(scratch / "deep" / "er" / "list") == "app.conf\n"  # one file, not the whole volume
    assert podman("exec", "k2psp-main", "ls", "/scratch").stdout == "list\n"


def _user_data(podman) -> None:
    """The PVC exists before, with the user's file in a sub-path."""
    podman("volume", "create", "--label", "io.kube2pod.managed=true", "--label",
           "io.kube2pod.source=PersistentVolumeClaim/default/k2psp-claim", "k2psp-claim")
    kept = _mountpoint(podman, "k2psp-claim") / "kept"
    kept.mkdir()
    (kept / "old.txt").write_text("user data")


def test_apply_mounts_sub_paths_and_down_keeps_the_claims_data(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "sp.yaml"
    manifest.write_text(MANIFEST)
    _user_data(podman)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    _check_running(podman)
    data = _mountpoint(podman, "k2psp-claim")

    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert (data / "logs" / "k2psp" / "inside.txt").read_text() == "written inside\n"
    assert (data / "kept" / "old.txt").read_text() == "user data"
    assert podman("volume", "exists", "k2psp-scratch", check=False).returncode == 1  # emptyDir: gone

    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))  # again, over the kept data
    assert code == 0, err
    _check_running(podman)
    code, _, err = run_cli("down", "--volumes", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert podman("volume", "exists", "k2psp-claim", check=False).returncode == 1


def test_the_script_mounts_the_same_sub_paths(tmp_path, podman, podman_shell_env, podman_clean):
    manifest = tmp_path / "sp.yaml"
    manifest.write_text(MANIFEST)
    _user_data(podman)
    code, script, err = run_cli("convert", str(manifest))
    assert code == 0, err
    run = subprocess.run(["sh", "-c", script], env=podman_shell_env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    _check_running(podman)
    mounts = podman("container", "inspect", "--format", "{{range .Mounts}}{{.Destination}}={{.Source}} {{end}}",
                    "k2psp-main").stdout.split()
    data = _mountpoint(podman, "k2psp-claim")
    # a bind of the sub-directory where the target emulates sub-paths (before 5.4), else the volume
    # itself with a native sub-path; the file written inside is read back below either way
    assert f"/var/log/app={data}/logs/k2psp" in mounts or f"/var/log/app={data}" in mounts, mounts
    run = subprocess.run(["sh", "-c", script], env=podman_shell_env, capture_output=True, text=True)
    assert run.returncode != 0 and "k2psp" in run.stderr  # the pod exists: stops, changes nothing
    assert (data / "logs" / "k2psp" / "inside.txt").read_text() == "written inside\n"


def test_a_failed_apply_removes_the_sub_path_directories_it_made(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "sp.yaml"
    manifest.write_text(MANIFEST.replace("command: [sh,", "command: [/no/such/binary,"))
    _user_data(podman)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 1 and "rolled back" in err, err
    data = _mountpoint(podman, "k2psp-claim")
    assert sorted(p.name for p in data.iterdir()) == ["kept"]  # logs/k2psp made and removed again
    assert (data / "kept" / "old.txt").read_text() == "user data"


def test_quadlet_units_for_5_4_through_the_real_generator(tmp_path, quadlet_bin, podman, podman_shell_env,
                                                          podman_clean):
    """Target 5.4: Quadlet's generator passes the native ``subpath=`` mount through to podman run, and
    the service's ExecStartPre=, run on Podman, makes the missing sub-path directories."""
    from support.k2p import translate_text
    from support.quadlet import exec_words, generate

    from kube2pod.render import quadlet
    from kube2pod.spec import Version, build

    plan = translate_text(tmp_path, MANIFEST).plan
    services = generate(quadlet_bin, quadlet.render(plan, spec=build(plan, Version(5, 4))), tmp_path)
    service = services["k2psp-main.service"]
    start = exec_words(service, "ExecStart", "podman")
    assert "type=volume,source=k2psp-claim,destination=/var/log/app,subpath=logs/k2psp" in start
    assert "type=volume,source=k2psp-conf,destination=/etc/app/app.conf,subpath=app.conf,ro=true" in start
    pre = exec_words(service, "ExecStartPre", "k2p_mp_")
    for volume in ("k2psp-conf", "k2psp-claim", "k2psp-scratch"):
        podman("volume", "create", volume)  # as the volume units have made them
    run = subprocess.run(pre, env=podman_shell_env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert (_mountpoint(podman, "k2psp-claim") / "logs" / "k2psp").is_dir()
    assert (_mountpoint(podman, "k2psp-scratch") / "deep" / "er").is_dir()


def test_dry_run_lists_the_sub_paths_it_would_make(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "sp.yaml"
    manifest.write_text(MANIFEST)
    _user_data(podman)
    code, _, err = run_cli("apply", "--dry-run", "--url", podman_url, str(manifest))
    assert code == 0, err
    data = _mountpoint(podman, "k2psp-claim")
    assert f"{data}/logs/k2psp" in err and "volume k2psp-scratch: deep/er" in err, err
    assert f"{data}/kept" not in err  # already there
    assert sorted(p.name for p in data.iterdir()) == ["kept"]  # nothing made
