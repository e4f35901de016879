"""Manifests and host snapshots for the apply tests (tests/test_apply_*.py)."""

from __future__ import annotations

import contextlib
import json
import socket

BUSYBOX = "localhost/busybox:latest"


def pod(name: str, *, image: str = BUSYBOX, command: str = "sleep 600", env: dict | None = None,
        host_port: int | None = None, volume: str = "", claim: str = "", policy: str = "IfNotPresent",
        argv: list[str] | None = None) -> str:
    """One Pod document: a busybox container running ``command`` under sh -c (or ``argv`` as is)."""
    lines = ["apiVersion: v1", "kind: Pod", f"metadata: {{name: {name}}}", "spec:",
             "  containers:", "  - name: main",
             f"    image: {image}", f"    imagePullPolicy: {policy}",
             f"    command: {json.dumps(argv or ['sh', '-c', command])}"]
    if env:
        lines.append("    env: [" + ", ".join(f"{{name: {json.dumps(k)}, value: {json.dumps(v)}}}" for k, v in env.items()) + "]")
    if host_port:
        lines.append(f"    ports: [{{containerPort: 8080, hostPort: {host_port}}}]")
    if volume or claim:
        lines.append(f"    volumeMounts: [{{name: data, mountPath: {volume or '/data'}}}]")
        source = f"persistentVolumeClaim: {{claimName: {claim}}}" if claim else "emptyDir: {}"
        lines.append(f"  volumes: [{{name: data, {source}}}]")
    return "\n".join(lines) + "\n"


def claim(name: str) -> str:
    return (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}}}\n"
            "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")


def write(path, *docs: str):
    path.write_text("---\n".join(docs))
    return path


def host_state(podman) -> dict:
    """Every pod, container (with ID), volume, secret and network in the store."""
    def lines(*args):
        return sorted(podman(*args).stdout.split("\n"))

    return {
        "pods": lines("pod", "ps", "--format", "{{.Name}} {{.Id}}"),
        "containers": lines("ps", "-a", "--format", "{{.Names}} {{.ID}}"),
        "volumes": lines("volume", "ls", "--format", "{{.Name}}"),
        "secrets": lines("secret", "ls", "--format", "{{.Name}}"),
        "networks": lines("network", "ls", "--format", "{{.Name}}"),
    }


def container_ids(podman, pod_name: str) -> list[str]:
    """IDs of the containers of the pod named exactly ``pod_name`` (podman's ``pod=`` filter
    and ``pod exists`` also match pod ID prefixes, so a pod named "b" would match an ID b3f…)."""
    rows = podman("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.PodName}}").stdout.split("\n")
    return sorted(r.split()[0] for r in rows if r.split()[1:] == [pod_name])


def pod_names(podman) -> set[str]:
    """Names of every pod in the store (exact names, unlike ``podman pod exists``)."""
    return set(podman("pod", "ps", "--format", "{{.Name}}").stdout.split())


@contextlib.contextmanager
def port_taken(port: int):
    """Another process's listener on ``port`` (all addresses) for the duration of the block."""
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("0.0.0.0", port))
        holder.listen()
        yield
