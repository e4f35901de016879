"""Smoke tests for the isolated Podman test environment (tests/podman_env.py)."""

from __future__ import annotations

import os
import subprocess

import pytest

from support.podman_env import BUSYBOX_IMAGE, ENTRY_IMAGE, free_port, oci_runtime, wait_http

pytestmark = pytest.mark.podman


def _host_env() -> dict[str, str]:
    """Environment of a plain `podman` on the machine's default store."""
    drop = ("CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF")
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_service_reachable_by_podman_py(podman_client, podman_url):
    assert podman_url.startswith("unix:///") and podman_url.endswith("/podman.sock")
    assert podman_client.ping()
    assert podman_client.version()["Version"].split(".")[0] >= "4"


def test_store_is_isolated(isolated_podman, podman_cli):
    info = isolated_podman.podman_json("info", "--format", "json")
    root = str(isolated_podman.root)
    assert info["store"]["graphRoot"].startswith(root)
    assert info["store"]["runRoot"].startswith(root)
    assert info["host"]["ociRuntime"]["name"] == oci_runtime()
    assert info["store"]["graphRoot"] != "/var/lib/containers/storage"


def test_test_images_present(podman_cli, podman_client):
    names = podman_cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    assert BUSYBOX_IMAGE in names and ENTRY_IMAGE in names
    cfg = podman_client.images.get(ENTRY_IMAGE).attrs["Config"]
    assert cfg["Entrypoint"] == ["/bin/echo", "from-entrypoint"]
    assert cfg["Cmd"] == ["from-cmd"]
    assert cfg["WorkingDir"] == "/srv"
    assert cfg["User"] == "1234:1234"
    assert "K2P_IMAGE_ENV=image" in cfg["Env"]
    assert podman_client.images.get(BUSYBOX_IMAGE).attrs["Config"]["Cmd"] == ["sh"]


def test_entry_image_runs(podman_cli, podman_clean):
    out = podman_cli("run", "--rm", ENTRY_IMAGE).stdout
    assert out.strip() == "from-entrypoint from-cmd"
    out = podman_cli("run", "--rm", "--entrypoint", "sh", ENTRY_IMAGE,
                 "-c", 'echo "$(id -u):$(id -g) $(pwd) $K2P_IMAGE_ENV"').stdout
    assert out.strip() == "1234:1234 /srv image"


def test_pod_with_port_forwarding_serves_http(podman_cli, podman_clean, podman_client):
    port = free_port()
    podman_cli("pod", "create", "--name", "k2p-smoke-web", "-p", f"{port}:8080")
    podman_cli("run", "-d", "--pod", "k2p-smoke-web", "--name", "k2p-smoke-httpd",
           BUSYBOX_IMAGE, "httpd", "-f", "-p", "8080", "-h", "/www")
    status, body = wait_http(f"http://127.0.0.1:{port}/index.html")
    assert (status, body.strip()) == (200, "k2p-httpd-ok")

    # the service (podman-py) sees the pod the CLI created
    pods = {p.name: p for p in podman_client.pods.list()}
    assert "k2p-smoke-web" in pods
    inspect = pods["k2p-smoke-web"].attrs
    assert inspect["Status"] == "Running"
    bindings = podman_client.pods.get("k2p-smoke-web").attrs["InfraConfig"]["PortBindings"]
    assert bindings["8080/tcp"][0]["HostPort"] == str(port)

    # ... and the machine's default store does not
    host = subprocess.run(["podman", "pod", "ps", "--format", "{{.Name}}"],
                          env=_host_env(), capture_output=True, text=True, timeout=60)
    assert "k2p-smoke-web" not in host.stdout.split()

    podman_cli("pod", "rm", "--force", "--time", "0", "k2p-smoke-web")
    assert "k2p-smoke-web" not in [p.name for p in podman_client.pods.list()]


def test_shell_env_and_remote_env_share_the_store(isolated_podman, podman_shell_env, podman_clean):
    script = "set -e\npodman pod create --name k2p-smoke-sh >/dev/null\npodman pod ps --format '{{.Name}}'\n"
    proc = subprocess.run(["bash", "-c", script], env=podman_shell_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "k2p-smoke-sh" in proc.stdout.split()
    # CONTAINER_HOST switches the podman 4.3 CLI to remote mode (the service)
    proc = subprocess.run(["podman", "pod", "ps", "--format", "{{.Name}}"],
                          env=isolated_podman.remote_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "k2p-smoke-sh" in proc.stdout.split()
    assert "k2p-smoke-sh" in isolated_podman.podman("pod", "ps", remote=True).stdout


KUBE_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: k2p-smoke-kube
spec:
  containers:
  - name: web
    image: localhost/busybox:latest
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports:
    - containerPort: 8080
      hostPort: {port}
  - name: entry
    image: localhost/k2p-entry:latest
    args: ["over"]
"""


def test_kube_play_start_false(podman_cli, podman_clean):
    port = free_port()
    podman_cli("kube", "play", "--start=false", "-", input=KUBE_YAML.format(port=port))
    states = dict(line.lower().split() for line in podman_cli(
        "ps", "-a", "--filter", "pod=k2p-smoke-kube", "--format", "{{.Names}} {{.State}}").stdout.splitlines())
    assert states["k2p-smoke-kube-web"] == "created"
    assert states["k2p-smoke-kube-entry"] == "created"
    cfg = podman_clean.podman_json("inspect", "k2p-smoke-kube-entry")[0]["Config"]
    # podman 4.x inspect joins the entrypoint into one string, 5.x keeps the list
    assert cfg["Entrypoint"] in ("/bin/echo from-entrypoint", ["/bin/echo", "from-entrypoint"])
    assert cfg["Cmd"] == ["over"]
    podman_cli("pod", "start", "k2p-smoke-kube")
    assert wait_http(f"http://127.0.0.1:{port}/")[0] == 200
