"""The ConfigMaps and Secrets of the input, indexed once by (namespace, name).

A pod reads only objects of its own namespace (unset = ``default``), as in
Kubernetes. Secret values are ``data`` (base64-decoded) overlaid by
``stringData``; ConfigMap values are ``data`` (``binaryData`` is kept apart:
Kubernetes never puts it into env).
"""

from __future__ import annotations

import base64
import binascii

from kube2pod.diagnostics import Diagnostics
from kube2pod.load.manifest import Manifest


def _key(namespace: str | None, name: str) -> tuple[str, str]:
    return (namespace or "default", name)


class Source:
    """One ConfigMap or Secret: its manifest and its values (bytes for Secrets, str for ConfigMaps)."""

    def __init__(self, manifest: Manifest, values: dict, binary: dict[str, bytes] | None = None):
        self.manifest, self.values = manifest, values
        self.binary: dict[str, bytes] = {} if binary is None else binary


class ObjectIndex:
    def __init__(self):
        self.config_maps: dict[tuple[str, str], Source] = {}
        self.secrets: dict[tuple[str, str], Source] = {}

    def config_map(self, namespace: str | None, name: str) -> Source | None:
        return self.config_maps.get(_key(namespace, name))

    def secret(self, namespace: str | None, name: str) -> Source | None:
        return self.secrets.get(_key(namespace, name))


def build_index(manifests: list[Manifest], diags: Diagnostics) -> ObjectIndex:
    """Index every ConfigMap and Secret; a value that is not valid base64 is a positioned error."""
    index = ObjectIndex()
    for m in manifests:
        if m.kind == "ConfigMap":
            data = m.data.get("data") or {}
            binary = _decoded(m, "binaryData", diags)
            index.config_maps[_key(m.namespace, m.name)] = Source(
                m, {str(k): "" if v is None else str(v) for k, v in data.items()}, binary)
        elif m.kind == "Secret":
            values = _decoded(m, "data", diags)
            for k, v in (m.data.get("stringData") or {}).items():
                values[str(k)] = ("" if v is None else str(v)).encode()
            index.secrets[_key(m.namespace, m.name)] = Source(m, values)
    return index


def _decoded(m: Manifest, field_name: str, diags: Diagnostics) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for k, v in (m.data.get(field_name) or {}).items():
        try:
            out[str(k)] = base64.b64decode(str(v or ""), validate=True)
        except (binascii.Error, ValueError):
            diags.error(f"{m.ref}: {field_name}.{k} is not valid base64", m.source.pos((field_name, k)))
    return out
