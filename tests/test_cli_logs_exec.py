"""kube2pod logs and exec on a real (isolated) Podman: a 2-replica Deployment's logs with
prefixes, -f stopped by SIGINT, exec into a Deployment's pod, and targets resolved from the
manifests or from the host."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from support.k2p import REPO, apply_cli, run_cli

pytestmark = pytest.mark.podman

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {name: talker, labels: {app: talker}}
spec:
  replicas: 2
  selector: {matchLabels: {app: talker}}
  template:
    metadata: {labels: {app: talker}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: say
        image: localhost/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, 'echo hello from $(hostname); echo to stderr >&2; trap "exit 0" TERM; while sleep 0.2; do :; done']
"""


@pytest.fixture
def talker(tmp_path, podman_url, podman_clean):
    manifest = tmp_path / "talker.yaml"
    manifest.write_text(DEPLOY)
    code, _, err = apply_cli(podman_url, manifest, "--wait", "--timeout", "60")
    assert code == 0, err
    return manifest


def _lines_seen(podman_url, *args) -> str:
    deadline = time.monotonic() + 20
    while True:
        code, out, err = run_cli("logs", "--url", podman_url, *args)
        assert code == 0, err
        if out.count("hello from") >= 2 or time.monotonic() > deadline:
            return out
        time.sleep(0.2)


def test_logs_of_a_deployment_prefix_every_replica(talker, podman_url):
    out = _lines_seen(podman_url, "deploy/talker", str(talker))
    assert sorted(out.splitlines()) == [
        "[pod/talker-pod-0/say] hello from talker-pod-0", "[pod/talker-pod-0/say] to stderr",
        "[pod/talker-pod-1/say] hello from talker-pod-1", "[pod/talker-pod-1/say] to stderr"]
    # the same from the host's kube2pod objects (no manifests), and with kubectl's --filename
    assert sorted(_lines_seen(podman_url, "deployment/talker").splitlines()) == sorted(out.splitlines())
    assert sorted(_lines_seen(podman_url, "deploy/talker", "--filename", str(talker)).splitlines()) \
        == sorted(out.splitlines())


def test_logs_of_one_pod_tail_and_prefix(talker, podman_url):
    out = _lines_seen(podman_url, "talker-pod-1")
    assert out.splitlines() == ["hello from talker-pod-1", "to stderr"]
    code, out, _ = run_cli("logs", "--url", podman_url, "pod/talker-pod-1", "--tail", "1", "--prefix", "-c", "say")
    assert code == 0 and out.splitlines() == ["[pod/talker-pod-1/say] to stderr"]
    code, out, _ = run_cli("logs", "--url", podman_url, "pod/talker-pod-1", "--since", "1h")
    assert code == 0 and "hello from talker-pod-1" in out


@pytest.mark.parametrize("argv, message", [
    (["pod/nothere"], "no target 'pod/nothere'; known: deploy/talker, pod/talker-pod-0, pod/talker-pod-1"),
    (["service/x"], "unknown target 'service/x'"),
    (["pod/talker-pod-0", "-c", "nope"], "container 'nope' is not in pod talker-pod-0; choose one of: say"),
    (["pod/talker-pod-0", "--since", "yesterday"], "invalid duration 'yesterday'"),
])
def test_logs_bad_target_is_a_usage_error(talker, podman_url, argv, message):
    code, out, err = run_cli("logs", "--url", podman_url, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_logs_follow_stops_cleanly_on_sigint(talker, podman_url):
    env = {k: v for k, v in os.environ.items() if k not in ("CONTAINER_HOST", "CONTAINER_CONNECTION")}
    proc = subprocess.Popen([sys.executable, "-m", "kube2pod", "logs", "-f", "--url", podman_url, "deploy/talker"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while seen.count(b"hello from") < 2 and time.monotonic() < deadline:
            seen += os.read(proc.stdout.fileno(), 4096)
        assert seen.count(b"hello from") == 2, seen
        assert proc.poll() is None  # following: still running
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, 130), err
    assert b"Traceback" not in err, err


def test_exec_into_a_deployment_pod(talker, podman_url):
    env = {k: v for k, v in os.environ.items() if k not in ("CONTAINER_HOST", "CONTAINER_CONNECTION")}
    base = [sys.executable, "-m", "kube2pod", "exec", "--url", podman_url]
    done = subprocess.run([*base, "deploy/talker", "--", "sh", "-c", "hostname; exit 7"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 7, done.stderr  # the command's exit status is kube2pod's
    assert done.stdout.strip() == "talker-pod-0"
    done = subprocess.run([*base, "pod/talker-pod-1", "-f", str(talker), "-c", "say", "--", "cat", "/proc/1/cmdline"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "hello from" in done.stdout, done.stderr
    done = subprocess.run([*base, "deploy/none", "--", "true"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "no target 'deploy/none'" in done.stderr and "Traceback" not in done.stderr


def test_completion_lists_the_host_targets(talker, podman_url):
    code, out, _ = run_cli("completion", "--targets", "--url", podman_url)
    assert code == 0 and out.split() == ["deploy/talker", "pod/talker-pod-0", "pod/talker-pod-1"]
