"""End to end on a real (isolated) Podman: apply the example pod, use it, inspect it, take it down."""

from __future__ import annotations

import json

import pytest
from support.inspect_facts import pod_inspect
from support.k2p import EXAMPLES, run_cli
from support.podman_env import free_port, wait_http

pytestmark = pytest.mark.podman


def _example(tmp_path, port: int):
    """examples/httpd.yaml with its host directory and host port moved into this test's reach."""
    www = tmp_path / "www"
    text = (EXAMPLES / "httpd.yaml").read_text()
    text = text.replace("/tmp/kube2pod-demo/www", str(www)).replace("hostPort: 18080", f"hostPort: {port}")
    manifest = tmp_path / "httpd.yaml"
    manifest.write_text(text)
    return manifest, www


def _our_objects(podman) -> dict:
    return {
        "pods": podman("pod", "ps", "-q", "--filter", "label=io.kube2pod.managed=true").stdout.split(),
        "containers": podman("ps", "-aq", "--filter", "label=io.kube2pod.managed=true").stdout.split(),
        "volumes": podman("volume", "ls", "-q", "--filter", "label=io.kube2pod.managed=true").stdout.split(),
    }


def test_apply_serves_inspect_and_down(tmp_path, podman, podman_url, podman_clean):
    port = free_port()
    manifest, www = _example(tmp_path, port)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert www.is_dir()  # DirectoryOrCreate made it
    (www / "index.html").write_text("<p>served by kube2pod</p>")

    status, body = wait_http(f"http://127.0.0.1:{port}/index.html")
    assert status == 200 and "served by kube2pod" in body

    info = json.loads(podman("container", "inspect", "hello-httpd-httpd").stdout)[0]
    assert "GREETING=hello from kube2pod" in info["Config"]["Env"]
    mounts = {m["Destination"]: m for m in info["Mounts"]}
    assert mounts["/www"]["Source"] == str(www) and mounts["/www"]["RW"] is False
    assert mounts["/scratch"]["Type"] == "volume" and mounts["/scratch"]["Name"] == "hello-httpd-scratch"
    assert sorted(info["EffectiveCaps"]) == ["CAP_NET_BIND_SERVICE", "CAP_SETGID", "CAP_SETUID"]
    assert info["Config"]["Labels"]["app"] == "hello"
    pod = pod_inspect(podman, "hello-httpd")
    pod = pod[0] if isinstance(pod, list) else pod
    assert pod["State"] == "Running"

    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert _our_objects(podman) == {"pods": [], "containers": [], "volumes": []}


def test_reapply_unchanged_keeps_containers(tmp_path, podman, podman_url, podman_clean):
    manifest, _ = _example(tmp_path, free_port())
    assert run_cli("apply", "--no-start", "--url", podman_url, str(manifest))[0] == 0
    before = podman("ps", "-aq", "--no-trunc", "--filter", "pod=hello-httpd").stdout.split()
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, str(manifest))
    assert code == 0 and "unchanged" in err
    assert podman("ps", "-aq", "--no-trunc", "--filter", "pod=hello-httpd").stdout.split() == before


def test_failed_apply_leaves_nothing(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "two.yaml"
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n  - name: c\n"
           "    image: localhost/busybox:latest\n    imagePullPolicy: Never\n    command: [%s]\n"
           "    volumeMounts: [{name: v, mountPath: /v}]\n  volumes: [{name: v, emptyDir: {}}]\n")
    manifest.write_text(pod % ("first", "sleep, '100'") + "---\n" + pod % ("second", "/no/such/binary"))
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 1
    assert "nothing this run created was left behind" in err
    assert _our_objects(podman) == {"pods": [], "containers": [], "volumes": []}


def test_down_leaves_foreign_pod_alone(tmp_path, podman, podman_url, podman_clean):
    manifest, _ = _example(tmp_path, free_port())
    podman("pod", "create", "--name", "hello-httpd")
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 1 and "not created by kube2pod" in err
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0 and "left alone" in err
    assert podman("pod", "exists", "hello-httpd", check=False).returncode == 0
