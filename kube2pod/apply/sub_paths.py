"""Volume sub-paths on the local host: each one a directory when missing (as the kubelet makes
it), and the volume mountpoints a sub-path bind needs (spec/mount.py ``SubPathBind``).

The directories are made before any container is created, as the script's ``mkdir -p`` does;
rootless, in a volume a container's user owns, through ``podman unshare`` (as the container's
root). Those this run made are journalled, so a failed apply removes them again (if still empty).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from kube2pod.apply import hostpaths
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import HostPath, Plan
from kube2pod.spec.mount import SubPathBind, sub_paths, with_mountpoints


def mountpoint(api: PodmanAPI, volume: str) -> str:
    """The volume's directory on this host (Podman's ``Mountpoint``)."""
    root = (api.volume_inspect(volume) or {}).get("Mountpoint") or ""
    if not root or not os.path.isdir(root):
        raise ApplyError(f"volume {volume}: its mountpoint {root!r} is not a directory on this host; "
                         "a volume sub-path needs a local Podman")
    return root


def prepare(api: PodmanAPI, plan: Plan) -> list[str]:
    """Make every missing sub-path of the plan's containers a directory; returns what was made."""
    made: list[str] = []
    try:
        for volume, sub in sub_paths(c for p in plan.pods for c in [*p.init_containers, *p.containers]):
            path = os.path.join(mountpoint(api, volume), sub)
            if not os.path.lexists(path):
                made += _create(path, plan.pods[0].source)
    except BaseException:
        hostpaths.remove(made)
        raise
    return made


def missing(api: PodmanAPI, plan: Plan, new_volumes: set[str]) -> list[str]:
    """The sub-paths ``prepare`` would make (dry run): each one missing in an existing volume, and
    every one of a volume to be created (``volume V: P``)."""
    out = []
    for volume, sub in sub_paths(c for p in plan.pods for c in [*p.init_containers, *p.containers]):
        if volume in new_volumes:
            out.append(f"volume {volume}: {sub}")
            continue
        path = os.path.join(mountpoint(api, volume), sub)
        if not os.path.lexists(path):
            out.append(path)
    return out


def _create(path: str, source) -> list[str]:
    try:
        return hostpaths.create(HostPath.make(path=path, source=source, expect="directory", create=True))
    except ApplyError:
        if os.geteuid() == 0 or shutil.which("podman") is None:
            raise
    missing = []
    p = path
    while not os.path.lexists(p):
        missing.append(p)
        p = os.path.dirname(p)
    done = subprocess.run(["podman", "unshare", "mkdir", "-p", path], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ApplyError(f"creating the volume sub-path {path}: {done.stderr.strip() or done.returncode}")
    return missing[::-1]


def resolved(node, api: PodmanAPI):
    """A ContainerSpec with the mountpoints of its sub-path binds filled in."""
    if not any(isinstance(m, SubPathBind) for m in node.mounts):
        return node
    return node.replace(mounts=with_mountpoints(node.mounts, lambda v: mountpoint(api, v)))
