"""The ConfigMaps and Secrets of the input, indexed once by (namespace, name).

A pod reads only objects of its own namespace (unset = ``default``), as in
Kubernetes. Secret values are ``data`` (base64-decoded) overlaid by
``stringData``; ConfigMap values are ``data`` (``binaryData`` is kept apart:
Kubernetes never puts it into env). A value that is not valid base64 is the
loader's error (load/validate.py) and left out here.
"""

from __future__ import annotations

from kube2pod.load.manifest import Manifest
from kube2pod.load.secretdata import decode_base64, secret_values


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


def build_index(manifests: list[Manifest]) -> ObjectIndex:
    """Index every ConfigMap and Secret."""
    index = ObjectIndex()
    for m in manifests:
        if m.kind == "ConfigMap":
            data = m.data.get("data") or {}
            binary = _binary(m.data.get("binaryData"))
            index.config_maps[_key(m.namespace, m.name)] = Source(
                m, {str(k): "" if v is None else str(v) for k, v in data.items()}, binary)
        elif m.kind == "Secret":
            index.secrets[_key(m.namespace, m.name)] = Source(m, secret_values(m))
    return index


def _binary(data) -> dict[str, bytes]:
    """``binaryData`` decoded, without the values that are not valid base64."""
    out = {}
    for k, v in (data.items() if isinstance(data, dict) else ()):
        decoded = decode_base64(v) if isinstance(v, str) else None
        if decoded is not None:
            out[k] = decoded
    return out
