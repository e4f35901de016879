"""Pod annotations: copied onto every container, and the ones kube play interprets.

| annotation                                        | effect                                         |
|---------------------------------------------------|------------------------------------------------|
| any                                               | container annotation (as kube play does)       |
| ``io.podman.annotations.init.container.type``     | init containers ``once`` (default) / ``always`` |
| ``io.podman.annotations.userns``                  | pod ``--userns`` (overrides hostUsers)          |
| ``io.podman.annotations.infra.name``              | pod ``--infra-name``                            |
| ``bind-mount-options``: ``<host path>:<z|Z>``      | relabel of binds of that host path             |
| ``seccomp.security.alpha.kubernetes.io/pod``, ``container.seccomp.security.alpha.kubernetes.io/<ctr>`` | seccomp profile: ``runtime/default``/``docker/default`` -> podman default, ``unconfined``, ``localhost/<file>`` -> ``/var/lib/kubelet/seccomp/<file>`` |
| ``io.containers.autoupdate[/<ctr>]``              | container label (podman auto-update reads labels) |
| ``k8s.v1.cni.cncf.io/networks``                 | the pod's extra networks (translate/multus.py)  |
| other ``io.podman.annotations.*``, ``io.containers.sdnotify*`` | kept as annotations, warned: not interpreted |
"""

from __future__ import annotations

import posixpath

from kube2pod.load.manifest import FieldPath
from kube2pod.translate.context import Context

INIT_TYPE = "io.podman.annotations.init.container.type"
USERNS = "io.podman.annotations.userns"
INFRA_NAME = "io.podman.annotations.infra.name"
BIND_MOUNT_OPTIONS = "bind-mount-options"
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
AUTOUPDATE = "io.containers.autoupdate"
SECCOMP_ROOT = "/var/lib/kubelet/seccomp"
_UNINTERPRETED = ("io.podman.annotations.", "io.containers.sdnotify")


class PodAnnotations:
    """What the annotations of one pod say (``all`` of them, and what each steers)."""

    def __init__(self, all: dict[str, str], paths: dict[str, FieldPath] | None = None):
        self.all = all
        self.paths: dict[str, FieldPath] = paths or {}  # key -> its document path (the one that won)
        self.init_type = "once"
        self.userns = ""
        self.infra_name = ""
        self.relabel: dict[str, str] = {}  # normalised host path -> z | Z
        self.seccomp_pod = ""
        self.seccomp_containers: dict[str, str] = {}
        self.autoupdate_labels: dict[str, str] = {}

    def seccomp_for(self, container: str) -> str:
        return self.seccomp_containers.get(container, self.seccomp_pod)


def read_annotations(ctx: Context, sources: list[tuple[dict | None, FieldPath]]) -> PodAnnotations:
    """Interpret annotation maps, each with its document path; a later map's key wins."""
    merged: dict[str, tuple[str, FieldPath]] = {}
    for annotations, path in sources:
        for key, value in (annotations or {}).items():
            merged[key] = (str(value), path + (key,))
    out = PodAnnotations(all={k: v for k, (v, _) in merged.items()}, paths={k: p for k, (_, p) in merged.items()})
    for key, (value, kpath) in merged.items():
        if key == INIT_TYPE:
            if value not in ("once", "always"):
                _error(ctx, kpath, f"{INIT_TYPE} must be once or always, got {value!r}")
            else:
                out.init_type = value
        elif key == USERNS:
            out.userns = value
        elif key == INFRA_NAME:
            out.infra_name = value
        elif key == BIND_MOUNT_OPTIONS:
            _bind_mount_options(ctx, kpath, value, out)
        elif key == SECCOMP_POD:
            out.seccomp_pod = _seccomp(ctx, kpath, value) or ""
        elif key.startswith(SECCOMP_CONTAINER):
            out.seccomp_containers[key[len(SECCOMP_CONTAINER):]] = _seccomp(ctx, kpath, value) or ""
        elif key == AUTOUPDATE or key.startswith(AUTOUPDATE + "/"):
            out.autoupdate_labels[key] = value
        elif key.startswith(_UNINTERPRETED):
            ctx.diags.warning(f"annotation {key} is not interpreted by kube2pod; it is only copied to the containers",
                              ctx.manifest.source.key_pos(kpath))
    return out


def _bind_mount_options(ctx: Context, kpath: FieldPath, value: str, out: PodAnnotations) -> None:
    host, sep, opt = value.rpartition(":")
    if not sep or not host.startswith("/") or opt not in ("z", "Z"):
        _error(ctx, kpath, f"{BIND_MOUNT_OPTIONS} must be <absolute host path>:z or :Z, got {value!r}")
        return
    out.relabel[posixpath.normpath(host)] = opt


def _seccomp(ctx: Context, kpath: FieldPath, value: str) -> str | None:
    if value in ("runtime/default", "docker/default"):
        return ""
    if value == "unconfined":
        return "unconfined"
    if value.startswith("localhost/") and len(value) > len("localhost/"):
        return posixpath.join(SECCOMP_ROOT, value[len("localhost/"):])
    _error(ctx, kpath, f"unknown seccomp profile {value!r}",
           "one of: runtime/default, docker/default, unconfined, localhost/<file>")
    return None


def _error(ctx: Context, kpath: FieldPath, message: str, hint: str | None = None) -> None:
    ctx.diags.error(message, ctx.manifest.source.pos(kpath), hint)
