"""Concurrent runs are serialised by the project lock; Podman dying mid-apply is recoverable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from support.apply_cases import pod, write
from support.k2p import run_cli
from support.podman_env import PodmanEnv

from kube2pod.apply import executor
from kube2pod.apply.errors import ApplyError
from kube2pod.load import load
from kube2pod.translate import translate

pytestmark = pytest.mark.podman


def test_two_concurrent_applies_end_in_one_set(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "race.yaml", *(pod(f"p{i}") for i in range(4)))
    cmd = [sys.executable, "-m", "kube2pod", "apply", "--url", podman_url, str(manifest)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0], results
    assert sum(err.count(": unchanged") for _, err in results) == 4, results  # the later run found all done
    names = sorted(podman("pod", "ps", "--format", "{{.Name}}").stdout.split())
    assert names == ["p0", "p1", "p2", "p3"]
    for i in range(4):
        assert len(podman("ps", "-aq", "--filter", f"pod=p{i}").stdout.split()) == 2  # infra + main


def _plan(path):
    loaded = load([str(path)])
    return translate(loaded.manifests).plan


@pytest.fixture
def own_podman():
    """A second isolated Podman that this test may kill."""
    env = PodmanEnv()
    env.start()
    try:
        yield env
    finally:
        env.stop()


def test_podman_dying_mid_apply_then_next_apply_succeeds(tmp_path, own_podman, monkeypatch):
    monkeypatch.setenv("KUBE2POD_STATE_DIR", str(tmp_path / "state"))
    manifest = write(tmp_path / "victim.yaml", *(pod(f"v{i}") for i in range(3)))
    plan = _plan(manifest)
    killed = threading.Event()

    def kill_on_first_pod(event):
        if event.kind == "pod" and event.action == "created" and not killed.is_set():
            killed.set()
            os.killpg(own_podman.service.pid, signal.SIGKILL)
            own_podman.service.wait()

    with own_podman.client() as client:
        with pytest.raises(ApplyError) as failure:
            executor.apply(plan, client, executor.Options(project="victim", workers=1), report=kill_on_first_pod)
    message = str(failure.value)
    assert "stopped answering" in message and "next kube2pod apply or down" in message
    assert killed.is_set()

    own_podman._start_service()
    code, _, err = run_cli("apply", "--url", own_podman.url, "--project", "victim", str(manifest))
    assert code == 0, err
    assert "rolling it back" in err
    names = sorted(own_podman.podman("pod", "ps", "--format", "{{.Name}}").stdout.split())
    assert names == ["v0", "v1", "v2"]
    states = own_podman.podman("ps", "-a", "--filter", "name=main", "--format", "{{.Names}} {{.Status}}").stdout
    assert states.count(" Up ") == 3, states  # Status: "Up 2 seconds" (4.3 adds " ago"); State differs
