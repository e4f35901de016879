"""Cluster objects kept on the host: what no pod of the input uses, for later applies of other files.

``kubectl apply -f secret.yaml`` stores a Secret that a later ``apply -f app.yaml`` reads. On
one host kube2pod keeps such an object (a ConfigMap, Secret or PersistentVolumeClaim that no
pod of the same input uses) as an owned Podman object, labelled ``io.kube2pod.shared=true``
with its ``io.kube2pod.source``; apply/host_objects.py reads them back:

| object | kept as |
|---|---|
| Secret | a podman secret ``<secret>-<key>`` per key (every key, not only used ones), labelled ``io.kube2pod.key=<key>``; an empty value cannot be stored (podman 4.3 refuses empty secrets): a warning |
| ConfigMap | a volume ``configmap.<namespace>.<name>`` holding one file, ``configmap.json`` (``data`` and ``binaryData``, mode 0600) |
| PersistentVolumeClaim | its volume, named after it, with its ``volume.podman.io/*`` annotations (as for a claim a pod uses) |

An object a pod of the input uses lives with those pods as before. Pure: no I/O.
"""

from __future__ import annotations

import json

from kube2pod.diagnostics import Diagnostics
from kube2pod.load.manifest import Manifest
from kube2pod.plan import ObjectRef, Volume
from kube2pod.plan.ownership_labels import SHARED, owner_labels
from kube2pod.plan.volume import KEPT_CONFIG_MAP_FILE, VolumeFile
from kube2pod.translate.context import Context
from kube2pod.translate.objects import ObjectIndex
from kube2pod.translate.secrets import SecretRegistry
from kube2pod.translate.volumes import pvc_volume


def config_map_volume_name(namespace: str | None, name: str) -> str:
    """``configmap.<namespace>.<name>`` (a namespace has no dots, so the name is unambiguous)."""
    return f"configmap.{namespace or 'default'}.{name}"


def keep(manifests: list[Manifest], objects: ObjectIndex, secrets: SecretRegistry, claimed: set[str],
         diags: Diagnostics) -> list[Volume]:
    """Register the kept Secrets' keys in ``secrets``; the volumes of the kept ConfigMaps and of
    the PersistentVolumeClaims no pod claims (``claimed``: the volume names the pods have)."""
    volumes = []
    for m in manifests:
        if m.kind == "Secret" and not objects.is_used(m):
            _keep_secret(Context(m, diags, spec_path=()), objects, secrets)
        elif m.kind == "ConfigMap" and not objects.is_used(m):
            volumes.append(_config_map_volume(m))
        elif m.kind == "PersistentVolumeClaim" and m.name not in claimed:
            ctx = Context(m, diags, spec_path=())
            volumes.append(pvc_volume(ctx, m.name, ctx.ref, m, m.namespace))
    return volumes


def _keep_secret(ctx: Context, objects: ObjectIndex, secrets: SecretRegistry) -> None:
    m = ctx.manifest
    source = objects.secrets.get((m.namespace or "default", m.name))
    if source is None or source.manifest is not m:
        return
    for key in source.values:
        field = "stringData" if key in (m.data.get("stringData") or {}) else "data"
        if secrets.use(ctx, source, key, (field, key), kept=True) is None and not source.values[key]:
            ctx.warning((field, key), f"Secret {m.name} key {key!r} is empty: podman cannot store an empty "
                                      "secret, so later applies cannot use this key")


def _config_map_volume(m: Manifest) -> Volume:
    content = {field: m.data[field] for field in ("data", "binaryData") if isinstance(m.data.get(field), dict)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    ref = ObjectRef.make(kind=m.kind, name=m.name, namespace=m.namespace, file=m.source.file,
                         line=m.source.start.line)
    labels = {**owner_labels("ConfigMap", m.namespace, m.name), SHARED: "true"}
    return Volume.make(name=config_map_volume_name(m.namespace, m.name), source=ref, lifetime="pod",
                       labels=labels, files=[VolumeFile.make(path=KEPT_CONFIG_MAP_FILE, mode=0o600, text=text)])
