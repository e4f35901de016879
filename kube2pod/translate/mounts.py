"""volumeMounts -> plan mounts.

readOnly -> ro; mountPropagation None/HostToContainer/Bidirectional ->
private/rslave/rshared (binds only); a ``:z``/``:Z``/``:ro`` suffix on
mountPath (kube play syntax) sets relabeling / read-only explicitly.
subPath: on a hostPath, the bind source ``<path>/<subPath>`` (which must
exist); on a secret volume, that one file; on a named volume (emptyDir, PVC,
configMap) refused, as podman 4.3 cannot mount part of a volume. subPathExpr
is refused. Secret volumes, and the secret sources of a projected volume (over its volume),
become ``--secret ...,type=mount`` files (``secret_mounts``).
"""

from __future__ import annotations

from collections.abc import Callable

import posixpath

from kube2pod.plan import BindMount, DeviceMapping, HostPath, SecretFile, VolumeMount
from kube2pod.translate.context import Context
from kube2pod.translate.volumes import Resolved

PROPAGATION = {"None": "private", "HostToContainer": "rslave", "Bidirectional": "rshared"}
_SUFFIX_OPTIONS = {"z", "Z", "ro", "rw"}


def split_mount_path(path: str) -> tuple[str, list[str]]:
    """``/data:Z,ro`` -> (``/data``, [``Z``, ``ro``]); a path without known options is left whole."""
    head, sep, tail = path.rpartition(":")
    if sep and head and tail and all(o in _SUFFIX_OPTIONS for o in tail.split(",")):
        return head, tail.split(",")
    return path, []


def container_mounts(
    ctx: Context,
    cpath: tuple,
    container,
    resolved: dict[str, Resolved],
    relabel: Callable[[str], str],
) -> tuple[list, list[DeviceMapping]]:
    mounts: list = []
    devices: list[DeviceMapping] = []
    for j, vm in enumerate(container.volume_mounts or []):
        mpath = cpath + ("volumeMounts", j)
        res = resolved.get(vm.name)
        if res is None:
            continue  # its volume failed (its own error), or none is declared (the loader's error)
        dest, opts = split_mount_path(vm.mount_path or "")
        read_only = bool(vm.read_only) or "ro" in opts
        if res.kind == "secret":
            continue  # secret_mounts
        source = _sub_path_source(ctx, mpath, vm, res)
        if source is None:
            continue
        propagation = PROPAGATION.get(vm.mount_propagation or "", "")
        if vm.mount_propagation and vm.mount_propagation not in PROPAGATION:
            continue  # refused by load/validate.py (load/enums.py)
        if res.kind == "device":
            devices.append(DeviceMapping.make(host_path=res.host_path, container_path=dest))
        elif res.kind == "bind":
            explicit = next((o for o in opts if o in ("z", "Z")), None)
            label = explicit if explicit is not None else (relabel(res.host_path) if res.relabelable else "")
            mounts.append(BindMount.make(source=source, destination=dest, read_only=read_only,
                                         relabel=label, propagation=propagation))
        else:
            if propagation:
                ctx.warning(mpath + ("mountPropagation",), "mountPropagation applies to host paths only; ignored")
            mounts.append(VolumeMount.make(volume=res.volume, destination=dest, read_only=read_only))
    return mounts, devices


def _sub_path_source(ctx: Context, mpath: tuple, vm, res: Resolved) -> str | None:
    """The bind source for this mount (``host_path[/subPath]``); None after an error."""
    if vm.sub_path_expr:
        ctx.error(mpath + ("subPathExpr",), "subPathExpr is not supported", "use a literal subPath")
        return None
    if not vm.sub_path:
        return res.host_path
    if not _relative_ok(vm.sub_path):
        ctx.error(mpath + ("subPath",), f"subPath must be relative and must not contain '..', got {vm.sub_path!r}")
        return None
    if res.kind != "bind":
        ctx.error(mpath + ("subPath",), "subPath is supported on hostPath and secret volumes only: "
                  "podman 4.3 cannot mount part of a named volume",
                  "mount the whole volume, or select the files with items")
        return None
    return posixpath.join(res.host_path, posixpath.normpath(vm.sub_path))


def _relative_ok(path: str) -> bool:
    return not path.startswith("/") and ".." not in path.split("/")


def sub_path_host_paths(ctx: Context, spec, resolved: dict[str, Resolved]) -> list[HostPath]:
    """Each hostPath subPath source: created as a directory when missing, as Kubernetes does."""
    out = []
    for c in [*(spec.init_containers or []), *(spec.containers or [])]:
        for vm in c.volume_mounts or []:
            res = resolved.get(vm.name)
            if res is not None and res.kind == "bind" and vm.sub_path and _relative_ok(vm.sub_path):
                out.append(HostPath.make(path=posixpath.join(res.host_path, posixpath.normpath(vm.sub_path)),
                                         source=ctx.ref, expect="any", create=True))
    return out


def secret_mounts(ctx: Context, cpath: tuple, container, resolved: dict[str, Resolved]) -> list[SecretFile]:
    """Secret volume mounts -> one read-only file per key at ``<mountPath>/<path>``; with subPath,
    only that key, at mountPath itself."""
    out: list[SecretFile] = []
    for j, vm in enumerate(container.volume_mounts or []):
        res = resolved.get(vm.name)
        if res is None or not (res.kind == "secret" or res.secret_files):
            continue
        if res.kind != "secret" and (vm.sub_path or vm.sub_path_expr):
            continue  # a part of a named volume: container_mounts reports it
        mpath = cpath + ("volumeMounts", j)
        dest, _ = split_mount_path(vm.mount_path or "")
        if "," in dest:
            ctx.error(mpath + ("mountPath",), "a secret volume's mountPath must not contain ','")
            continue
        if vm.sub_path_expr:
            ctx.error(mpath + ("subPathExpr",), "subPathExpr is not supported", "use a literal subPath")
            continue
        if vm.sub_path:
            sub = posixpath.normpath(vm.sub_path)
            match = [f for f in res.secret_files if f.path == sub]
            if not match:
                ctx.error(mpath + ("subPath",), f"subPath {vm.sub_path!r} is not a file of the secret volume")
                continue
            out.append(SecretFile.make(secret=match[0].secret, target=dest, mode=match[0].mode))
            continue
        out.extend(SecretFile.make(secret=f.secret, target=posixpath.join(dest, f.path), mode=f.mode)
                   for f in res.secret_files)
    return out
