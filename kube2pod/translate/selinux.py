"""SELinux relabeling of host binds, decided per host path across the whole plan.

A host path used by the containers of one pod is relabeled private (``Z``);
used by several pods, shared (``z``). System locations are never relabeled
(relabeling /etc or /usr would break the host; podman refuses some of them),
nor sockets and devices. A ``:z``/``:Z`` suffix on mountPath or
``--selinux-relabel=none`` overrides the decision.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

SYSTEM_PREFIXES = (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
    "/run", "/sbin", "/sys", "/usr", "/var/run", "/var/lib/containers", "/var/lib/kubelet",
    "/var/log",
)


def is_system_path(path: str) -> bool:
    norm = posixpath.normpath(path)
    if norm in ("/", "/home", "/root", "/var", "/tmp", "/opt", "/srv", "/mnt", "/media"):
        return True
    return any(norm == p or norm.startswith(p + "/") for p in SYSTEM_PREFIXES)


def relabel_for(path: str, pods_using: int) -> str:
    """``Z`` for a path of one pod, ``z`` for a shared one, ``""`` for system paths."""
    if is_system_path(path):
        return ""
    return "Z" if pods_using <= 1 else "z"


def count_pods_per_path(uses: Iterable[tuple[str, str]]) -> dict[str, int]:
    """From (pod name, normalised host path) pairs: how many distinct pods use each path."""
    pods: dict[str, set[str]] = {}
    for pod, path in uses:
        pods.setdefault(path, set()).add(pod)
    return {path: len(names) for path, names in pods.items()}
