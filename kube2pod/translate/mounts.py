"""volumeMounts -> plan mounts.

readOnly -> ro; mountPropagation None/HostToContainer/Bidirectional ->
private/rslave/rshared (binds only); a ``:z``/``:Z``/``:ro`` suffix on
mountPath (kube play syntax) sets relabeling / read-only explicitly.
subPath (relative, no ``..``): on a hostPath, the bind source ``<path>/<subPath>``
(created as a directory when missing, as the kubelet does); on a named volume
(emptyDir, PVC, configMap) the plan's ``VolumeMount.subpath`` (how podman mounts it
is the spec's decision per target version: spec/mount.py); on a secret volume,
that one file. A volume podman mounts only when a container starts (a driver, or
mount options: emptyDir medium Memory, PVC device/type annotations) has no
directory to prepare the sub-path in beforehand: refused. subPathExpr: ``$(VAR)``
expanded from the container's env (translate/expansion.py); a variable with no
value known here (undefined, or from a Secret) is an error naming it. Secret
volumes, and the secret sources of a projected volume (over its volume), become
``--secret ...,type=mount`` files (``secret_mounts``). Image volumes
become ``--mount type=image`` (``image_mounts``): read-only, as in Kubernetes; a
subPath of one is refused (podman's image mounts take a subpath only from 5.1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import posixpath

from kube2pod.plan import BindMount, DeviceMapping, HostPath, ImageMount, SecretFile, VolumeMount
from kube2pod.translate.context import Context
from kube2pod.translate.expansion import expand
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
    env: Mapping[str, str] = {},
) -> tuple[list, list[DeviceMapping]]:
    """``env``: the container's plain env values (for subPathExpr)."""
    mounts: list = []
    devices: list[DeviceMapping] = []
    for j, vm in enumerate(container.volume_mounts or []):
        mpath = cpath + ("volumeMounts", j)
        res = resolved.get(vm.name)
        if res is None:
            continue  # its volume failed (its own error), or none is declared (the loader's error)
        dest, opts = split_mount_path(vm.mount_path or "")
        read_only = bool(vm.read_only) or "ro" in opts
        if res.kind in ("secret", "image"):
            continue  # secret_mounts, image_mounts
        sub = sub_path(ctx, mpath, vm, env)
        if sub is None:
            continue
        propagation = PROPAGATION.get(vm.mount_propagation or "", "")
        if vm.mount_propagation and vm.mount_propagation not in PROPAGATION:
            continue  # refused by load/validate.py (load/enums.py)
        field = "subPathExpr" if vm.sub_path_expr else "subPath"
        if res.kind == "device":
            if sub:
                ctx.error(mpath + (field,), f"a device (hostPath {res.host_path}) has no sub-paths")
                continue
            devices.append(DeviceMapping.make(host_path=res.host_path, container_path=dest))
        elif res.kind == "bind":
            explicit = next((o for o in opts if o in ("z", "Z")), None)
            label = explicit if explicit is not None else (relabel(res.host_path) if res.relabelable else "")
            source = posixpath.join(res.host_path, sub) if sub else res.host_path
            mounts.append(BindMount.make(source=source, destination=dest, read_only=read_only,
                                         relabel=label, propagation=propagation))
        else:
            if propagation:
                ctx.warning(mpath + ("mountPropagation",), "mountPropagation applies to host paths only; ignored")
            if sub and res.mounted:
                ctx.error(mpath + (field,), f"a sub-path of volume {vm.name!r}, which podman mounts only when a "
                          "container starts (a volume driver or mount options), cannot be prepared beforehand",
                          "mount the whole volume")
                continue
            mounts.append(VolumeMount.make(volume=res.volume, destination=dest, read_only=read_only, subpath=sub))
    return mounts, devices


def sub_path(ctx: Context, mpath: tuple, vm, env: Mapping[str, str]) -> str | None:
    """The mount's sub-path, normalised (``""``: none); subPathExpr expanded from ``env``; None
    after an error."""
    field, text = ("subPathExpr", vm.sub_path_expr) if vm.sub_path_expr else ("subPath", vm.sub_path or "")
    if field == "subPathExpr":
        missing: list[str] = []
        text = expand(text, env, missing)
        if missing:
            ctx.error(mpath + (field,), "subPathExpr refers to " + ", ".join(f"$({n})" for n in missing)
                      + ", which has no value known before the container runs (undefined, or from a Secret)",
                      "define it with value: or a fieldRef to metadata.name, metadata.namespace, metadata.uid, "
                      "metadata.labels or metadata.annotations")
            return None
    if not text:
        return ""
    if not _relative_ok(text):
        ctx.error(mpath + (field,), f"{field} must be relative and must not contain '..', got {text!r}")
        return None
    norm = posixpath.normpath(text)
    return "" if norm == "." else norm


def _relative_ok(path: str) -> bool:
    return not path.startswith("/") and ".." not in path.split("/")


def sub_path_host_paths(ctx: Context, containers, resolved: dict[str, Resolved]) -> list[HostPath]:
    """Each hostPath sub-path source of the translated ``containers`` (plan Containers): created
    as a directory when missing, as the kubelet does."""
    roots = {res.host_path for res in resolved.values() if res.kind == "bind"}
    out = []
    for c in containers:
        for m in c.mounts:
            if isinstance(m, BindMount) and m.source not in roots:
                out.append(HostPath.make(path=m.source, source=ctx.ref, expect="any", create=True))
    return out


def secret_mounts(ctx: Context, cpath: tuple, container, resolved: dict[str, Resolved],
                  env: Mapping[str, str] = {}) -> list[SecretFile]:
    """Secret volume mounts -> one read-only file per key at ``<mountPath>/<path>``; with a
    sub-path, only that key, at mountPath itself."""
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
        sub = sub_path(ctx, mpath, vm, env)
        if sub is None:
            continue
        if sub:
            match = [f for f in res.secret_files if f.path == sub]
            if not match:
                field = "subPathExpr" if vm.sub_path_expr else "subPath"
                ctx.error(mpath + (field,), f"{field} {sub!r} is not a file of the secret volume")
                continue
            out.append(SecretFile.make(secret=match[0].secret, target=dest, mode=match[0].mode))
            continue
        out.extend(SecretFile.make(secret=f.secret, target=posixpath.join(dest, f.path), mode=f.mode)
                   for f in res.secret_files)
    return out


def image_mounts(ctx: Context, cpath: tuple, container, resolved: dict[str, Resolved]) -> list[ImageMount]:
    """The container's mounts of image volumes (read-only whatever readOnly says, as in Kubernetes)."""
    out = []
    for j, vm in enumerate(container.volume_mounts or []):
        res = resolved.get(vm.name)
        if res is None or res.kind != "image":
            continue
        if vm.sub_path or vm.sub_path_expr:
            field = "subPath" if vm.sub_path else "subPathExpr"
            ctx.error(cpath + ("volumeMounts", j, field), f"{field} of an image volume is not supported: "
                      "kube2pod mounts the whole image (Podman takes a subpath of an image mount from 5.1 on)",
                      "mount the whole image")
            continue
        dest, _ = split_mount_path(vm.mount_path or "")
        out.append(ImageMount.make(image=res.volume, destination=dest, pull_policy=res.pull_policy))
    return out
