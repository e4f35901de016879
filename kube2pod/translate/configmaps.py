"""configMap and secret volumes -> files in the container.

| Kubernetes volume | plan                                                                |
|-------------------|---------------------------------------------------------------------|
| configMap         | volume ``<pod>-<volume>`` private to the pod, its ``files`` written by apply (every key of ``data`` and ``binaryData``, or the ``items``) |
| secret            | each key (or item) a podman secret mounted read-only as ``<mountPath>/<path>`` (``--secret ...,type=mount``), so no value reaches the script or the JSON plan |

File modes: the item's ``mode``, else ``defaultMode``, else 0644. ``optional``
and absent: an empty volume (configMap) or no files (secret), as in Kubernetes.
Item paths must be relative and free of ``..``. An object or key that is absent
and not optional is the loader's error (load/validate.py): such a volume is skipped.
"""

from __future__ import annotations

import base64
import posixpath
from typing import NamedTuple

from kube2pod.plan import Volume
from kube2pod.plan.volume import VolumeFile
from kube2pod.translate.context import Context

DEFAULT_MODE = 0o644


class SecretKeyFile(NamedTuple):
    """One key of a secret volume: the podman secret that holds it and where it goes."""

    path: str
    secret: str
    mode: int


def config_map_volume(ctx: Context, i: int, vol, name: str, labels: dict[str, str]) -> Volume | None:
    """The pod volume for configMap volume ``vol`` (index ``i``), None after an error."""
    files = config_map_files(ctx, ("volumes", i, "configMap"), vol.config_map, vol.config_map.default_mode)
    if files is None:
        return None
    return Volume.make(name=name, source=ctx.ref, lifetime="pod", labels=dict(labels), files=files)


def config_map_files(ctx: Context, vpath: tuple, cm, default_mode: int | None) -> list[VolumeFile] | None:
    """The files of a configMap volume or projection ``cm`` at ``vpath``; None after an error."""
    source = ctx.objects.config_map(ctx.manifest.namespace, cm.name or "")
    if source is None:
        return [] if cm.optional else None  # not optional: refused by the loader
    entries = {k: VolumeFile.make(path=k, text=v) for k, v in source.values.items()}
    entries.update({k: VolumeFile.make(path=k, base64=base64.b64encode(v).decode())
                    for k, v in source.binary.items()})
    picked = pick(ctx, vpath, cm, entries, default_mode)
    if picked is None:
        return None
    return [f.replace(path=path, mode=mode) for path, (f, mode) in picked.items()]


def secret_files(ctx: Context, i: int, vol) -> list[SecretKeyFile] | None:
    """The files of secret volume ``vol``, each registered as a podman secret; None after an error."""
    sv = vol.secret
    return secret_key_files(ctx, ("volumes", i, "secret"), sv, sv.secret_name or "", sv.default_mode)


def secret_key_files(ctx: Context, vpath: tuple, sv, name: str, default_mode: int | None
                     ) -> list[SecretKeyFile] | None:
    """The files of a secret volume or projection ``sv`` (of Secret ``name``), each key registered as a
    podman secret; None after an error."""
    source = ctx.objects.secret(ctx.manifest.namespace, name)
    if source is None:
        return [] if sv.optional else None  # not optional: refused by the loader
    picked = pick(ctx, vpath, sv, dict.fromkeys(source.values), default_mode)
    if picked is None:
        return None
    out = []
    for path, (key, mode) in picked.items():
        secret = ctx.secrets.use(ctx, source, key, vpath)
        if secret is None:
            if not source.values[key]:
                ctx.warning(vpath, f"Secret {name} key {key!r} is empty: podman cannot store an empty "
                                   f"secret, so the file {path} is not created")
            continue
        out.append(SecretKeyFile(path=path, secret=secret.name, mode=mode))
    return out


def pick(ctx: Context, vpath: tuple, src, entries: dict, default_mode: int | None) -> dict | None:
    """path -> (entry, mode) for the whole object or its ``items``; None after an error.
    ``default_mode``'s position: the ``defaultMode`` next to ``vpath`` (projected: of the volume)."""
    default = default_mode if default_mode is not None else DEFAULT_MODE
    if not mode_ok(ctx, vpath + ("defaultMode",), default):
        return None
    if not src.items:
        return {k: (e if e is not None else k, default) for k, e in entries.items()}
    out = {}
    for j, item in enumerate(src.items):
        ipath = vpath + ("items", j)
        if item.key not in entries:
            if not src.optional:
                return None  # refused by the loader
            continue
        norm = item_path(ctx, ipath, item.path)
        mode = item.mode if item.mode is not None else default
        if norm is None or not mode_ok(ctx, ipath + ("mode",), mode):
            return None
        entry = entries[item.key]
        out[norm] = (entry if entry is not None else item.key, mode)
    return out


def item_path(ctx: Context, ipath: tuple, path: str | None) -> str | None:
    """An item's ``path``, normalised; None (after an error) unless relative and free of ``..``."""
    path = path or ""
    norm = posixpath.normpath(path) if path else ""
    if not path or path.startswith("/") or norm.startswith("..") or ".." in path.split("/"):
        ctx.error(ipath + ("path",), f"item path must be relative and must not contain '..', got {path!r}")
        return None
    return norm


def mode_ok(ctx: Context, path: tuple, mode: int) -> bool:
    if not 0 <= int(mode) <= 0o777:
        ctx.error(path, f"file mode must be between 0 and 0777 (511), got {mode}")
        return False
    return True
