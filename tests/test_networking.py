"""Services, DNS and the project network on a real (isolated) Podman: a guestbook-shaped app
whose Service remaps its port to a named targetPort over 2 replicas, a Service with equal
ports (network aliases), a headless Service with StatefulSet hostnames, a NodePort reached
from the host, the Service variables, and the network's ownership (down, a foreign network,
a failed run)."""

from __future__ import annotations

import pytest
from support.apply_cases import host_state, port_taken
from support.k2p import run_cli
from support.podman_env import free_port, wait_http

pytestmark = pytest.mark.podman

PROXY = ("--service-proxy-image", "localhost/busybox:latest")
NODE_PORT = free_port()  # free when the module is loaded; concurrent test sessions get others

#: Each pod serves its own hostname on 8080 (busybox httpd), under the port name "http".
SERVE = """        image: localhost/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, 'mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
        ports: [{name: http, containerPort: 8080}]
"""

APP = f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: backend}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: backend}}}}
  template:
    metadata: {{labels: {{app: backend}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
{SERVE}---
apiVersion: v1
kind: Service
metadata: {{name: backend}}
spec:
  selector: {{app: backend}}
  ports: [{{name: web, port: 80, targetPort: http}}]
---
apiVersion: v1
kind: Service
metadata: {{name: direct}}
spec:
  selector: {{app: backend}}
  ports: [{{port: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: public}}
spec:
  type: NodePort
  selector: {{app: backend}}
  ports: [{{port: 81, targetPort: 8080, nodePort: {NODE_PORT}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db}}
spec:
  serviceName: db
  replicas: 2
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: db
{SERVE}---
apiVersion: v1
kind: Service
metadata: {{name: db}}
spec:
  clusterIP: None
  selector: {{app: db}}
  ports: [{{port: 8080}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: client}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sleep, "600"]
"""


@pytest.fixture
def app(tmp_path, podman_url, podman_clean):
    manifest = tmp_path / "shop.yaml"
    manifest.write_text(APP)
    code, _, err = run_cli("apply", "--url", podman_url, *PROXY, "--wait", "--timeout", "60", str(manifest))
    assert code == 0, err
    yield manifest
    run_cli("down", "--url", podman_url, str(manifest))


def _get(podman_cli, url: str) -> str:
    """What the client pod gets for ``url`` (retried while the name or the server comes up)."""
    proc = podman_cli("exec", "client-c", "sh", "-c",
                      f"for i in $(seq 50); do timeout 5 wget -qO- {url} && exit 0; sleep 0.2; done; exit 1", check=False)
    assert proc.returncode == 0, (url, proc.stderr)
    return proc.stdout.strip()


def test_a_remapped_named_port_reaches_every_replica_by_each_service_name(app, podman_cli):
    for name in ("backend", "backend.default", "backend.default.svc", "backend.default.svc.cluster.local"):
        assert _get(podman_cli, f"http://{name}/") in ("backend-pod-0", "backend-pod-1")
    seen = {_get(podman_cli, "http://backend:80/") for _ in range(30)}
    assert seen == {"backend-pod-0", "backend-pod-1"}


def test_equal_ports_resolve_to_the_pods_themselves(app, podman_cli):
    assert _get(podman_cli, "http://direct:8080/") in ("backend-pod-0", "backend-pod-1")
    lookup = podman_cli("exec", "client-c", "nslookup", "direct.default.svc.cluster.local").stdout
    addresses = {line.split()[-1] for line in lookup.splitlines() if line.startswith("Address") and "#" not in line
                 and ":53" not in line}
    assert len(addresses) == 2, lookup  # one per replica: aardvark-dns answers with both pods


def test_headless_service_names_each_statefulset_pod(app, podman_cli):
    assert _get(podman_cli, "http://db-0.db:8080/") == "db-0"  # the StatefulSet's stable pod names
    assert _get(podman_cli, "http://db-1.db.default.svc.cluster.local:8080/") == "db-1"
    assert _get(podman_cli, "http://db:8080/") in ("db-0", "db-1")


def test_node_port_is_published_on_the_host(app):
    status, body = wait_http(f"http://127.0.0.1:{NODE_PORT}/")
    assert status == 200 and body.strip() in ("backend-pod-0", "backend-pod-1")


def test_service_variables_and_search_path_inside_a_pod(app, podman_cli):
    env = dict(line.split("=", 1) for line in podman_cli("exec", "client-c", "env").stdout.splitlines() if "=" in line)
    assert env["BACKEND_SERVICE_HOST"] == "backend.default.svc.cluster.local"
    assert env["BACKEND_SERVICE_PORT"] == "80" and env["BACKEND_SERVICE_PORT_WEB"] == "80"
    assert env["BACKEND_PORT"] == "tcp://backend.default.svc.cluster.local:80"
    assert env["PUBLIC_PORT_81_TCP_PORT"] == "81" and env["DIRECT_PORT_8080_TCP_PROTO"] == "tcp"
    assert "DB_SERVICE_HOST" not in env  # headless: no variables, as the kubelet
    resolv = podman_cli("exec", "client-c", "cat", "/etc/resolv.conf").stdout
    assert "search default.svc.cluster.local svc.cluster.local cluster.local" in resolv and "ndots:5" in resolv


def test_down_removes_the_project_network(app, podman_url, podman_cli):
    assert "shop_default" in podman_cli("network", "ls", "--format", "{{.Name}}").stdout.split()
    code, _, err = run_cli("down", "--url", podman_url, str(app))
    assert code == 0, err
    assert "shop_default" not in podman_cli("network", "ls", "--format", "{{.Name}}").stdout.split()
    assert podman_cli("pod", "ps", "-q").stdout.strip() == ""


def _one_pod(tmp_path, name="lone"):
    manifest = tmp_path / f"{name}.yaml"
    manifest.write_text(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n"
                        "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n"
                        "    image: localhost/busybox:latest\n    imagePullPolicy: Never\n"
                        "    command: [sleep, '600']\n    ports: [{containerPort: 8080, hostPort: %d}]\n" % free_port())
    return manifest


def test_a_foreign_network_of_the_same_name_is_never_touched(tmp_path, podman_url, podman_cli, podman_clean):
    podman_cli("network", "create", "lone_default")
    podman_cli("run", "-d", "--name", "theirs", "--network", "lone_default", "localhost/busybox:latest", "sleep", "600")
    before = host_state(podman_cli)
    manifest = _one_pod(tmp_path)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 1 and "network lone_default already exists and was not created by kube2pod" in err
    assert host_state(podman_cli) == before
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0 and "network lone_default" in err and "left alone" in err
    assert host_state(podman_cli) == before
    # --network joins it deliberately, and down leaves it and its container alone
    code, _, err = run_cli("apply", "--url", podman_url, "--network", "lone_default", str(manifest))
    assert code == 0, err
    code, _, err = run_cli("down", "--url", podman_url, "--network", "lone_default", str(manifest))
    assert code == 0, err
    assert host_state(podman_cli) == before


def test_a_taken_node_port_stops_the_run_before_anything_is_created(tmp_path, podman_url, podman_cli,
                                                                     podman_clean):
    manifest = tmp_path / "np.yaml"
    port = free_port()
    manifest.write_text(APP.replace(f"nodePort: {NODE_PORT}", f"nodePort: {port}"))
    before = host_state(podman_cli)
    with port_taken(port):
        code, _, err = run_cli("apply", "--url", podman_url, *PROXY, str(manifest))
    assert code == 1 and f"host port {port}/tcp of Service/public" in err and "nothing was changed" in err, err
    assert host_state(podman_cli) == before


def test_the_script_creates_the_network_and_refuses_a_foreign_one(tmp_path, podman_cli, podman_shell_env,
                                                                   podman_clean):
    import subprocess

    manifest = tmp_path / "app.yaml"
    manifest.write_text(APP)
    code, script, err = run_cli("convert", *PROXY, str(manifest))
    assert code == 0, err
    podman_cli("network", "create", "app_default")
    before = host_state(podman_cli)
    run = subprocess.run(["sh", "-c", script], env=podman_shell_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "network app_default already exists and was not created by kube2pod" in run.stderr
    assert host_state(podman_cli) == before
    podman_cli("network", "rm", "app_default")
    run = subprocess.run(["sh", "-c", script], env=podman_shell_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    labels = podman_cli("network", "inspect", "--format", "{{index .Labels \"io.kube2pod.managed\"}}",
                        "app_default").stdout.strip()
    assert labels == "true"
    aliases = podman_cli("pod", "inspect", "backend-service", "--format", "{{.Name}}").stdout.strip()
    assert aliases == "backend-service"


def test_objects_of_another_project_are_a_conflict(tmp_path, podman_url, podman_cli, podman_clean):
    manifest = tmp_path / "shared.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: both}\nspec:\n"
                        "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n"
                        "    image: localhost/busybox:latest\n    imagePullPolicy: Never\n    command: [sleep, '600']\n"
                        "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
                        "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")
    code, _, err = run_cli("apply", "--url", podman_url, "--project", "one", "--network", "common", str(manifest))
    assert code == 0, err
    before = host_state(podman_cli)
    for command in ("apply", "diff"):
        code, _, err = run_cli(command, "--url", podman_url, "--project", "two", "--network", "common", str(manifest))
        assert code == 2, err
        assert "belongs to kube2pod project one, not to project two" in err and "Traceback" not in err
    assert host_state(podman_cli) == before
    code, _, err = run_cli("down", "--url", podman_url, "--project", "two", "--network", "common", str(manifest))
    assert code == 0 and "belongs to kube2pod project one; left alone" in err, err
    assert host_state(podman_cli) == before
    code, _, err = run_cli("apply", "--url", podman_url, "--project", "two", "--network", "common", "--replace",
                           str(manifest))
    assert code == 0 and "taking over from project one" in err, err
    code, _, err = run_cli("down", "--url", podman_url, "--project", "two", "--volumes", "--network", "common",
                           str(manifest))
    assert code == 0, err
    assert podman_cli("pod", "ps", "-q").stdout.strip() == ""
