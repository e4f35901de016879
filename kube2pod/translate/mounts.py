"""volumeMounts -> plan mounts.

readOnly -> ro; mountPropagation None/HostToContainer/Bidirectional ->
private/rslave/rshared (binds only); a ``:z``/``:Z``/``:ro`` suffix on
mountPath (kube play syntax) sets relabeling / read-only explicitly.
"""

from __future__ import annotations

from collections.abc import Callable

from kube2pod.plan import BindMount, DeviceMapping, VolumeMount
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
            ctx.error(mpath + ("name",), f"volumeMount {vm.name!r} names no volume of the pod")
            continue
        dest, opts = split_mount_path(vm.mount_path or "")
        read_only = bool(vm.read_only) or "ro" in opts
        if vm.sub_path or vm.sub_path_expr:
            key = "subPath" if vm.sub_path else "subPathExpr"
            ctx.error(mpath + (key,), f"{key} is not supported yet")
            continue
        propagation = PROPAGATION.get(vm.mount_propagation or "", "")
        if vm.mount_propagation and vm.mount_propagation not in PROPAGATION:
            ctx.error(mpath + ("mountPropagation",), f"unknown mountPropagation {vm.mount_propagation!r}",
                      "one of: None, HostToContainer, Bidirectional")
            continue
        if res.kind == "device":
            devices.append(DeviceMapping(host_path=res.host_path, container_path=dest))
        elif res.kind == "bind":
            explicit = next((o for o in opts if o in ("z", "Z")), None)
            label = explicit if explicit is not None else (relabel(res.host_path) if res.relabelable else "")
            mounts.append(BindMount(source=res.host_path, destination=dest, read_only=read_only,
                                    relabel=label, propagation=propagation))
        else:
            if propagation:
                ctx.warning(mpath + ("mountPropagation",), "mountPropagation applies to host paths only; ignored")
            mounts.append(VolumeMount(volume=res.volume, destination=dest, read_only=read_only))
    return mounts, devices
