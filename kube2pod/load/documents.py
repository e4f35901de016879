"""Documents -> Manifests: kind dispatch, ``kind: List`` expansion, decoding.

Unsupported kinds are reported (warning) and skipped; supported ones are
decoded strictly into their model class. Each manifest comes with what its
decoding rejected (None when it decoded cleanly), for the semantic checks.
"""

from __future__ import annotations

from typing import Any, Iterator

from kube2pod.diagnostics import Diagnostics
from kube2pod.load.decode import Decoder, describe, suggest
from kube2pod.load.kinds import LIST_KIND, SUPPORTED, lookup
from kube2pod.load.manifest import FieldPath, Manifest, SourceMap
from kube2pod.load.rejected import Rejected
from kube2pod.load.yamlsource import iter_documents

#: A manifest and what its decoding rejected (None: it decoded cleanly).
Read = tuple[Manifest, Rejected | None]


def read_manifests(file: str, text: str, diags: Diagnostics) -> list[Read]:
    """Every supported object in one file, in order (broken ones with ``obj=None``)."""
    manifests = []
    for doc in iter_documents(file, text, diags):
        for data, source in _objects(doc.data, doc.source, diags):
            read = to_manifest(data, source, diags)
            if read is not None:
                manifests.append(read)
    return manifests


def _objects(data: Any, source: SourceMap, diags: Diagnostics) -> Iterator[tuple[dict, SourceMap]]:
    """The objects of one document: itself, or the items of a ``kind: List``."""
    if not isinstance(data, dict):
        diags.error(f"a document must be a Kubernetes object (a mapping), got {describe(data)}", source.pos(()))
        return
    if data.get("kind") != LIST_KIND:
        yield data, source
        return
    items = data.get("items")
    if items is None:
        return
    if not isinstance(items, list):
        diags.error(f"items: expected a list, got {describe(items)}", source.pos(("items",)))
        return
    for i, item in enumerate(items):
        sub = sub_source(source, ("items", i))
        if isinstance(item, dict):
            yield item, sub
        else:
            diags.error(f"items[{i}]: a list item must be a Kubernetes object (a mapping), got {describe(item)}",
                        sub.start)


def sub_source(source: SourceMap, prefix: FieldPath) -> SourceMap:
    """The source map of the value at ``prefix``, re-rooted."""
    n = len(prefix)
    positions = {p[n:]: pos for p, pos in source.positions.items() if p[:n] == prefix}
    keys = {p[n:]: pos for p, pos in source.key_positions.items() if p[:n] == prefix and len(p) > n}
    return SourceMap(source.file, source.document, source.pos(prefix), positions, keys)


def to_manifest(data: dict, source: SourceMap, diags: Diagnostics) -> Read | None:
    """Decode one object; None (after a diagnostic) if its kind is not read."""
    kind, api_version = data.get("kind"), data.get("apiVersion")
    if not _header_ok(kind, api_version, source, diags):
        return None
    info = lookup(kind)
    if info is None:
        close = suggest(kind, list(SUPPORTED))
        hint = (f'did you mean "{close}"?' if close else
                "kube2pod reads Pod, Deployment, DaemonSet, ReplicaSet, StatefulSet, Job, CronJob, "
                "ConfigMap, Secret, PersistentVolumeClaim, Service and NetworkAttachmentDefinition")
        diags.warning(f"unsupported kind {kind} ({api_version}) skipped", source.key_pos(("kind",)), hint=hint)
        return None
    if api_version != info.api_version:
        diags.error(f"{kind} is not served by apiVersion {api_version}; use apiVersion: {info.api_version}",
                    source.pos(("apiVersion",)))
        return None
    decoder = Decoder(source, diags)
    obj = decoder.model(info.model, data)
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) else ""
    namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
    manifest = Manifest(kind, api_version, name, namespace, obj if decoder.errors == 0 else None, data, source)
    return manifest, decoder.rejected


def _header_ok(kind: Any, api_version: Any, source: SourceMap, diags: Diagnostics) -> bool:
    ok = True
    for field, value in (("apiVersion", api_version), ("kind", kind)):
        if value is None:
            diags.error(f'missing required field "{field}"', source.start)
            ok = False
        elif not isinstance(value, str) or not value:
            diags.error(f"{field}: expected a non-empty string, got {describe(value)}", source.pos((field,)))
            ok = False
    return ok
