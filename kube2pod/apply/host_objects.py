"""The ConfigMaps and Secrets an earlier apply kept on the host, read back as plain objects.

translate/kept.py says how they are kept: a Secret as one podman secret per key (labelled
``io.kube2pod.shared=true`` and ``io.kube2pod.key``), a ConfigMap as a volume holding
``configmap.json``. Only kube2pod's objects so labelled are read, of any project. A Secret comes
back with its keys only (Podman never shows a value): pods use its podman secrets by name.
The loader makes them manifests and resolves the references its input lacks against them
(load/references.py), and
translate gets them as input marked as from the host (``Source.on_host``); ``report`` tells
which ones a plan used (diff, apply).
"""

from __future__ import annotations

import json
import os

from kube2pod.apply import labels
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan.ownership_labels import KEY, MANAGED, SHARED, SOURCE
from kube2pod.plan.volume import KEPT_CONFIG_MAP_FILE

#: Largest configmap.json read back (a ConfigMap holds at most 1 MiB; base64 and JSON add some).
MAX_FILE = 4 * 1024 * 1024


def read(client) -> list[dict]:
    """Every kept ConfigMap and Secret on the host (``ApplyError`` when it cannot be read)."""
    api = PodmanAPI(client)
    return _config_maps(api) + _secrets(api)


def report(used: list, emit: Reporter) -> None:
    """One event per host object the plan used (load's manifests): ``kind`` configmap/secret,
    ``name`` namespace/name, ``detail`` the project that kept it."""
    for m in used:
        project = ((m.data.get("metadata") or {}).get("labels") or {}).get(labels.PROJECT, "")
        detail = f"kept by project {project}" if project else ""
        emit(Event("from host", m.kind.lower(), f"{m.namespace or 'default'}/{m.name}", detail))


def _config_maps(api: PodmanAPI) -> list[dict]:
    out = []
    for vol in api.volumes(f"{MANAGED}=true", f"{SHARED}=true"):
        have = vol.get("Labels") or {}
        kind, namespace, name = _source(have)
        if kind != "ConfigMap":
            continue
        content = _content(vol)
        out.append(_manifest(kind, namespace, name, have, {k: v for k, v in content.items()
                                                         if k in ("data", "binaryData") and isinstance(v, dict)}))
    return out


def _content(vol: dict) -> dict:
    path = os.path.join(vol.get("Mountpoint") or "", KEPT_CONFIG_MAP_FILE)
    try:  # never through a symlink: a pod given the volume could have planted one
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
            data = json.loads(f.read(MAX_FILE))
    except (OSError, ValueError) as exc:
        raise ApplyError(f"volume {vol.get('Name')}: cannot read the ConfigMap kept in it ({exc}); "
                             "kept ConfigMaps need a local Podman, or apply the ConfigMap again") from None
    return data if isinstance(data, dict) else {}


def _secrets(api: PodmanAPI) -> list[dict]:
    found: dict[tuple[str, str], tuple[dict, dict[str, str]]] = {}
    for info in api.secrets():
        have = (info.get("Spec") or {}).get("Labels") or {}
        if not labels.owned(have) or have.get(SHARED) != "true" or not have.get(KEY):
            continue
        kind, namespace, name = _source(have)
        if kind == "Secret":
            found.setdefault((namespace, name), (have, {}))[1][have[KEY]] = ""
    return [_manifest("Secret", ns, name, have, {"data": keys}) for (ns, name), (have, keys) in sorted(found.items())]




def _source(have: dict) -> tuple[str, str, str]:
    parts = str(have.get(SOURCE, "")).split("/", 2)
    return tuple(parts) if len(parts) == 3 else ("", "", "")  # type: ignore[return-value]


def _manifest(kind: str, namespace: str, name: str, have: dict, fields: dict) -> dict:
    return {"apiVersion": "v1", "kind": kind,
            "metadata": {"name": name, "namespace": namespace, "labels": dict(have)}, **fields}
