"""Pod volumes -> host binds, devices and named podman volumes.

| Kubernetes volume            | plan                                                        |
|------------------------------|-------------------------------------------------------------|
| hostPath (type "", Directory, File, Socket) | bind mount; a HostPath check that it exists (and its type) |
| hostPath DirectoryOrCreate / FileOrCreate  | bind mount; a HostPath step creating it (0755 / 0644)     |
| hostPath CharDevice / BlockDevice          | ``--device``                                              |
| emptyDir                     | volume ``<pod>-<volume>``, private to the pod, removed by down |
| emptyDir medium Memory       | the same volume backed by tmpfs (``o=nr_blocks=<sizeLimit / 4 KiB>``) |
| persistentVolumeClaim        | volume named claimName, kept by down; PVC labels and its ``volume.podman.io/{driver,device,type,uid,gid,mount-options}`` annotations when the PVC is in the input |
| configMap, secret            | see configmaps.py                                           |
| image (reference, pullPolicy) | ``--mount type=image`` in each container that mounts it (translate/imagevolumes.py) |
| StatefulSet volumeClaimTemplates | per replica a persistent volume ``<claim>-<pod>`` (pod ``<sts>-<i>``), owned as the PVC of that name (kept by down unless ``--volumes``; removed by down with persistentVolumeClaimRetentionPolicy.whenDeleted: Delete), with the template's labels and ``volume.podman.io/*`` annotations; it replaces a pod volume of the claim's name, as the StatefulSet controller does |
| downwardAPI, projected       | see projected.py                                            |
"""

from __future__ import annotations

import posixpath
from typing import NamedTuple

from kube2pod.diagnostics import Diagnostics
from kube2pod.load.manifest import Manifest
from kube2pod.plan import HostPath, ObjectRef, Volume
from kube2pod.translate.configmaps import SecretKeyFile, config_map_volume, secret_files
from kube2pod.translate.context import Context
from kube2pod.translate.pullpolicy import pull_policy
from kube2pod.translate.projected import downward_api_volume, projected_volume
from kube2pod.plan.ownership_labels import owner_labels
from kube2pod.translate.quantity import bytes_of

HOSTPATH_TYPES = {
    "": ("any", False, 0o755),
    "Directory": ("directory", False, 0o755),
    "DirectoryOrCreate": ("directory", True, 0o755),
    "File": ("file", False, 0o644),
    "FileOrCreate": ("file", True, 0o644),
    "Socket": ("socket", False, 0o755),
    "CharDevice": ("char-device", False, 0o755),
    "BlockDevice": ("block-device", False, 0o755),
}
TMPFS_PAGE = 4096  # tmpfs counts nr_blocks in pages; podman 4.3 rejects o=size= without project quota
SUPPORTED = ("hostPath", "emptyDir", "persistentVolumeClaim", "configMap", "secret", "image", "downwardAPI", "projected")
PVC_ANNOTATIONS = {  # volume.podman.io/<key> -> podman volume option (driver: --driver)
    "volume.podman.io/device": "device",
    "volume.podman.io/type": "type",
    "volume.podman.io/uid": "uid",  # uid=, gid= go into o= (podman reads the volume owner there)
    "volume.podman.io/gid": "gid",
    "volume.podman.io/mount-options": "o",
}
PVC_DRIVER = "volume.podman.io/driver"


class Resolved(NamedTuple):
    """What one pod volume became: a bind (``host_path``), a device, a named volume, or secret files
    (a projected volume: a named volume with secret files mounted into it). ``mounted``: a named
    volume podman mounts only when a container starts (a driver, mount options)."""

    kind: str  # "bind" | "device" | "volume" | "secret" | "image"
    host_path: str = ""
    relabelable: bool = False
    volume: str = ""  # a named volume; an image volume's image reference
    secret_files: tuple[SecretKeyFile, ...] = ()
    mounted: bool = False
    pull_policy: str = ""  # an image volume's podman pull policy


class PodVolumes:
    def __init__(self, resolved: dict[str, Resolved], host_paths: list[HostPath], volumes: list[Volume]):
        self.resolved, self.host_paths, self.volumes = resolved, host_paths, volumes


def resolve(
    ctx: Context,
    spec,
    pod_name: str,
    claims: dict[str, ObjectRef],
    pvcs: dict[str, Manifest],
    labels: dict[str, str],
    templates: list = (),
    report: bool = True,
) -> PodVolumes:
    """Resolve every volume of ``spec``; ``claims``/``pvcs`` describe PVCs found in the input;
    ``templates``: a StatefulSet's volumeClaimTemplates (V1PersistentVolumeClaim, in order), their
    annotations reported when ``report`` (for the first replica only)."""
    out = PodVolumes({}, [], [])
    claimed = {t.metadata.name for t in templates if t.metadata is not None and t.metadata.name}
    for i, vol in enumerate(spec.volumes or []):
        if vol.name not in claimed:
            _resolve_one(ctx, i, vol, pod_name, claims, pvcs, labels, out)
    for j, t in enumerate(templates):
        if t.metadata is not None and t.metadata.name:
            volume = claim_template_volume(ctx, j, t, pod_name, report)
            out.volumes.append(volume)
            out.resolved[t.metadata.name] = Resolved("volume", volume=volume.name)
    return out


def claim_template_volume(ctx: Context, j: int, template, pod_name: str, report: bool = True) -> Volume:
    """The persistent volume ``<claim>-<pod>`` that volumeClaimTemplates[j] gives pod ``pod_name``."""
    m = ctx.manifest
    name = f"{template.metadata.name}-{pod_name}"
    path = ("spec", "volumeClaimTemplates", j)
    if report and template.spec is not None and template.spec.volume_mode == "Block":
        ctx.diags.error(f"volumeClaimTemplates[{j}] {template.metadata.name!r}: volumeMode Block is not supported: "
                        "a podman volume is a filesystem", m.source.pos(path + ("spec", "volumeMode")),
                        "use volumeMode: Filesystem, or a hostPath volume of type BlockDevice")
    source = ObjectRef.make(kind="PersistentVolumeClaim", name=name, namespace=m.namespace,
                            file=m.source.file, line=m.source.pos(path).line)
    vlabels = {**dict(template.metadata.labels or {}), **owner_labels("PersistentVolumeClaim", m.namespace, name)}
    driver, options = _claim_options(ctx.diags if report else Diagnostics(), template.metadata.annotations or {},
                                     lambda key: m.source.pos(path + ("metadata", "annotations", key)),
                                     lambda key: m.source.key_pos(path + ("metadata", "annotations", key)))
    policy = m.obj.spec.persistent_volume_claim_retention_policy
    lifetime = "pod" if policy is not None and policy.when_deleted == "Delete" else "persistent"
    return Volume.make(name=name, source=source, lifetime=lifetime, labels=vlabels, driver=driver,
                       options=options)


def _resolve_one(ctx, i, vol, pod_name, claims, pvcs, labels, out: PodVolumes) -> None:
    ref = ctx.ref
    if vol.host_path is not None:
        _host_path(ctx, i, vol, ref, out)
    elif vol.empty_dir is not None:
        name = f"{pod_name}-{vol.name}"
        options: dict[str, str] = {}
        if (vol.empty_dir.medium or "") == "Memory":
            options = {"type": "tmpfs", "device": "tmpfs"}
            if vol.empty_dir.size_limit is not None:
                size = bytes_of(str(vol.empty_dir.size_limit))
                if size is None:
                    return  # refused by the loader
                options["o"] = f"nr_blocks={-(-size // TMPFS_PAGE)}"
        elif vol.empty_dir.size_limit is not None:
            ctx.warning(
                ("volumes", i, "emptyDir", "sizeLimit"),
                "emptyDir sizeLimit is not enforced for a disk-backed volume; ignored",
                "use medium: Memory to get a size-limited tmpfs",
            )
        out.volumes.append(Volume.make(name=name, source=ref, lifetime="pod", labels=dict(labels),
                                       options=options))
        out.resolved[vol.name] = Resolved("volume", volume=name, mounted=needs_mount(out.volumes[-1]))
    elif vol.persistent_volume_claim is not None:
        claim = vol.persistent_volume_claim.claim_name
        pvc = claims.get(claim)
        source = pvc if pvc is not None else ObjectRef.make(kind="PersistentVolumeClaim", name=claim,
                                                            namespace=ref.namespace)
        volume = pvc_volume(ctx, claim, source, pvcs.get(claim), ref.namespace)
        out.volumes.append(volume)
        out.resolved[vol.name] = Resolved("volume", volume=claim, mounted=needs_mount(volume))
    elif vol.config_map is not None:
        volume = config_map_volume(ctx, i, vol, f"{pod_name}-{vol.name}", labels)
        if volume is not None:
            out.volumes.append(volume)
            out.resolved[vol.name] = Resolved("volume", volume=volume.name)
    elif vol.secret is not None:
        files = secret_files(ctx, i, vol)
        if files is not None:
            out.resolved[vol.name] = Resolved("secret", secret_files=tuple(files))
    elif vol.image is not None:
        resolved = image_volume(ctx, i, vol)
        if resolved is not None:
            out.resolved[vol.name] = resolved
    elif vol.downward_api is not None:
        volume = downward_api_volume(ctx, i, vol, f"{pod_name}-{vol.name}", labels, pod_name)
        if volume is not None:
            out.volumes.append(volume)
            out.resolved[vol.name] = Resolved("volume", volume=volume.name)
    elif vol.projected is not None:
        got = projected_volume(ctx, i, vol, f"{pod_name}-{vol.name}", labels, pod_name)
        if got is not None:
            out.volumes.append(got.volume)
            out.resolved[vol.name] = Resolved("volume", volume=got.volume.name, secret_files=got.secret_files)
    else:
        kind = _volume_kind(ctx, i)
        if kind is None:
            return  # no source: refused by the loader
        ctx.error(("volumes", i, kind), f"volume {vol.name!r}: {kind} volumes are not supported",
                  "supported volume types: " + ", ".join(SUPPORTED))


def image_volume(ctx: Context, i: int, vol) -> Resolved | None:
    """An image volume: its reference and podman pull policy (Kubernetes' defaults, as for a
    container image); None after an error."""
    ref = vol.image.reference or ""
    if not ref:
        ctx.error(("volumes", i, "image"), f"volume {vol.name!r}: image volume needs a reference")
        return None
    policy = pull_policy(vol.image.pull_policy, ref)
    if policy is None:
        return None  # refused by the loader (load/enums.py)
    return Resolved("image", volume=ref, pull_policy=policy)


def needs_mount(v: Volume) -> bool:
    """Whether podman mounts volume ``v`` only while a container uses it (a driver, or the local
    driver's ``type``/``device``: a tmpfs, a device); ``o=uid=,gid=`` alone only sets the owner."""
    return bool(v.driver) or "type" in v.options or "device" in v.options


def pvc_volume(ctx: Context, claim: str, source: ObjectRef, pvc: Manifest | None, namespace: str | None) -> Volume:
    """The persistent volume of claim ``claim`` (``pvc``: its manifest when the input has it)."""
    vlabels = {**(dict(pvc.obj.metadata.labels or {}) if pvc else {}),
               **owner_labels("PersistentVolumeClaim", namespace, claim)}
    driver, options = _pvc_options(ctx, pvc)
    return Volume.make(name=claim, source=source, lifetime="persistent", labels=vlabels, driver=driver,
                       options=options)


def _pvc_options(ctx: Context, pvc: Manifest | None) -> tuple[str, dict[str, str]]:
    """``--driver`` and ``--opt``s from the PVC's ``volume.podman.io/*`` annotations (as kube play)."""
    if pvc is None:
        return "", {}
    return _claim_options(ctx.diags, pvc.obj.metadata.annotations or {},
                          lambda key: pvc.source.pos(("metadata", "annotations", key)),
                          lambda key: pvc.source.key_pos(("metadata", "annotations", key)))


def _claim_options(diags: Diagnostics, notes: dict, value_pos, key_pos) -> tuple[str, dict[str, str]]:
    """``--driver`` and ``--opt``s of a claim's annotations (``value_pos``/``key_pos``: where an
    annotation's value/key is)."""
    options: dict[str, str] = {}
    mount_opts: list[str] = []
    for key, opt in PVC_ANNOTATIONS.items():
        if key not in notes:
            continue
        value = str(notes[key])
        if opt in ("uid", "gid"):
            if not value.isdigit():
                diags.error(f"{key} must be a numeric id, got {value!r}", value_pos(key))
                continue
            mount_opts.append(f"{opt}={value}")
        elif opt == "o":
            mount_opts.append(value)
        else:
            options[opt] = value
    if mount_opts:
        options["o"] = ",".join(mount_opts)
    for key in notes:
        if key.startswith("volume.podman.io/") and key != PVC_DRIVER and key not in PVC_ANNOTATIONS:
            diags.warning(f"annotation {key} is not interpreted by kube2pod", key_pos(key))
    return str(notes.get(PVC_DRIVER, "")), options


def _host_path(ctx, i, vol, ref, out: PodVolumes) -> None:
    hp = vol.host_path
    htype = hp.type or ""
    if htype not in HOSTPATH_TYPES:
        return  # refused by load/validate.py (load/enums.py)
    path = hp.path or ""
    if not path.startswith("/"):
        ctx.error(("volumes", i, "hostPath", "path"), f"hostPath path must be absolute, got {path!r}")
        return
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = path[1:]
    expect, create, mode = HOSTPATH_TYPES[htype]
    out.host_paths.append(HostPath.make(path=path, source=ref, expect=expect, create=create, mode=mode))
    if expect in ("char-device", "block-device"):
        out.resolved[vol.name] = Resolved("device", host_path=path)
    else:
        out.resolved[vol.name] = Resolved("bind", host_path=path, relabelable=expect != "socket")


def _volume_kind(ctx: Context, i: int) -> str | None:
    vols = ctx.spec_volumes()
    if i < len(vols) and isinstance(vols[i], dict):
        kinds = [k for k, v in vols[i].items() if k != "name" and v is not None]
        return kinds[0] if kinds else None
    return None
