"""downwardAPI and projected volumes -> a volume of files, plus secret keys mounted into it.

| Kubernetes volume                        | plan                                                     |
|------------------------------------------|----------------------------------------------------------|
| downwardAPI items (fieldRef, resourceFieldRef) | volume ``<pod>-<volume>`` private to the pod, one file per item (translate/fieldref.py's values) |
| projected configMap / downwardAPI sources | the same volume, their files together                   |
| projected secret sources                 | each key a podman secret mounted read-only at ``<mountPath>/<path>`` over the volume (as secret volumes), over an empty file of the volume that marks its place (a read-only volume mount cannot take a new mount point) |
| projected serviceAccountToken, clusterTrustBundle, podCertificate | refused: no API server issues them on one host |

The volume's files are written by apply and the script like a configMap volume's (rewritten on
every apply, only into kube2pod's own volume). File modes: the item's ``mode``, else the volume's
``defaultMode``, else 0644. Two sources writing one path are an error (as the API server says).
"""

from __future__ import annotations

from typing import NamedTuple

from kube2pod.plan import Volume
from kube2pod.plan.volume import VolumeFile
from kube2pod.translate.configmaps import SecretKeyFile, config_map_files, item_path, mode_ok, secret_key_files
from kube2pod.translate.context import Context
from kube2pod.translate.fieldref import field_value, resource_value

NO_API_SERVER = {
    "serviceAccountToken": "a service account token is issued by the Kubernetes API server, and there is none "
                           "on one host to issue or accept it",
    "clusterTrustBundle": "ClusterTrustBundles are objects of a Kubernetes API server; there is none on one host",
    "podCertificate": "pod certificates are issued through a Kubernetes API server; there is none on one host",
}


class Projected(NamedTuple):
    """What a downwardAPI or projected volume became: its volume of files and its secret keys."""

    volume: Volume
    secret_files: tuple[SecretKeyFile, ...]


def downward_api_volume(ctx: Context, i: int, vol, name: str, labels: dict[str, str], pod_name: str
                        ) -> Volume | None:
    """The pod volume of downwardAPI volume ``vol`` (index ``i``); None after an error."""
    dv = vol.downward_api
    vpath = ("volumes", i, "downwardAPI")
    default = dv.default_mode if dv.default_mode is not None else 0o644
    if not mode_ok(ctx, vpath + ("defaultMode",), default):
        return None
    files = downward_files(ctx, vpath, dv.items, default, pod_name)
    if files is None or not _unique(ctx, vpath, [(f.path, vpath) for f in files]):
        return None
    return Volume.make(name=name, source=ctx.ref, lifetime="pod", labels=dict(labels), files=files)


def downward_files(ctx: Context, vpath: tuple, items, default: int, pod_name: str) -> list[VolumeFile] | None:
    """One file per downwardAPI item; None after an error."""
    files, ok = [], True
    for j, item in enumerate(items or []):
        ipath = vpath + ("items", j)
        path = item_path(ctx, ipath, item.path)
        mode = item.mode if item.mode is not None else default
        if path is None or not mode_ok(ctx, ipath + ("mode",), mode):
            ok = False
            continue
        if item.field_ref is not None:
            value = field_value(ctx, ipath + ("fieldRef", "fieldPath"), item.field_ref.field_path or "", pod_name,
                                volume=True)
        elif item.resource_field_ref is not None:
            value = resource_value(ctx, ipath + ("resourceFieldRef",), item.resource_field_ref, None)
        else:
            ctx.error(ipath, "a downwardAPI item needs fieldRef or resourceFieldRef")
            value = None
        if not isinstance(value, str):
            ok = False
            continue
        files.append(VolumeFile.make(path=path, mode=mode, text=value))
    return files if ok else None


def projected_volume(ctx: Context, i: int, vol, name: str, labels: dict[str, str], pod_name: str
                     ) -> Projected | None:
    """The volume and secret keys of projected volume ``vol`` (index ``i``); None after an error."""
    pv = vol.projected
    vpath = ("volumes", i, "projected")
    default = pv.default_mode if pv.default_mode is not None else 0o644
    if not mode_ok(ctx, vpath + ("defaultMode",), default):
        return None
    files: list[VolumeFile] = []
    secrets: list[SecretKeyFile] = []
    paths: list[tuple[str, tuple]] = []
    ok = True
    for j, src in enumerate(pv.sources or []):
        spath = vpath + ("sources", j)
        refused = [k for k, attr in (("serviceAccountToken", "service_account_token"),
                                     ("clusterTrustBundle", "cluster_trust_bundle"),
                                     ("podCertificate", "pod_certificate")) if getattr(src, attr, None) is not None]
        if refused:
            ctx.diags.error(f"a projected {refused[0]} source is not supported: {NO_API_SERVER[refused[0]]}",
                            ctx.key_pos(*spath, refused[0]),
                            "remove the source; mount a Secret with the credential the application needs instead")
            ok = False
        elif src.config_map is not None:
            got = config_map_files(ctx, spath + ("configMap",), src.config_map, default)
            ok = ok and got is not None
            files += got or []
            paths += [(f.path, spath) for f in got or []]
        elif src.secret is not None:
            got_s = secret_key_files(ctx, spath + ("secret",), src.secret, src.secret.name or "", default)
            ok = ok and got_s is not None
            secrets += got_s or []
            paths += [(f.path, spath) for f in got_s or []]
        elif src.downward_api is not None:
            got = downward_files(ctx, spath + ("downwardAPI",), src.downward_api.items, default, pod_name)
            ok = ok and got is not None
            files += got or []
            paths += [(f.path, spath) for f in got or []]
        else:
            ctx.error(spath, "a projected source needs configMap, secret or downwardAPI")
            ok = False
    if not ok or not _unique(ctx, vpath, paths):
        return None
    marks = [VolumeFile.make(path=f.path, mode=f.mode, text="") for f in secrets]
    volume = Volume.make(name=name, source=ctx.ref, lifetime="pod", labels=dict(labels), files=files + marks)
    return Projected(volume, tuple(secrets))


def _unique(ctx: Context, vpath: tuple, paths: list[tuple[str, tuple]]) -> bool:
    """No path twice, and no path inside another one's file (the API server refuses both)."""
    seen: dict[str, tuple] = {}
    for path, where in paths:
        clash = path in seen or any(p.startswith(path + "/") or path.startswith(p + "/") for p in seen)
        if clash:
            ctx.error(where, f"the file {path!r} is written by two items of the volume")
            return False
        seen[path] = where
    return True
