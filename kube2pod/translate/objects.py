"""The ConfigMaps and Secrets of the input, indexed once by (namespace, name).

A pod reads only objects of its own namespace (unset = ``default``), as in
Kubernetes. Secret values are ``data`` (base64-decoded) overlaid by
``stringData``; ConfigMap values are ``data`` (``binaryData`` is kept apart:
Kubernetes never puts it into env). A value that is not valid base64 is the
loader's error (load/validate.py) and left out here.

Objects read from the host (apply/host_objects.py: what an earlier apply kept, see
translate/kept.py) come as ``host`` manifests: a ConfigMap with its values, a Secret with
its keys only (``on_host``: Podman never shows a secret's value back; its podman secrets
exist and are used by name). ``used`` records every object a pod looked up.
"""

from __future__ import annotations

from kube2pod.load.manifest import Manifest
from kube2pod.load.secretdata import decode_base64, secret_values


def _key(namespace: str | None, name: str) -> tuple[str, str]:
    return (namespace or "default", name)


class Source:
    """One ConfigMap or Secret: its manifest and its values (bytes for Secrets, str for ConfigMaps)."""

    def __init__(self, manifest: Manifest, values: dict, binary: dict[str, bytes] | None = None,
                 on_host: bool = False):
        self.manifest, self.values, self.on_host = manifest, values, on_host
        self.binary: dict[str, bytes] = {} if binary is None else binary


class ObjectIndex:
    def __init__(self):
        self.config_maps: dict[tuple[str, str], Source] = {}
        self.secrets: dict[tuple[str, str], Source] = {}
        self.used: set[tuple[str, str, str]] = set()

    def config_map(self, namespace: str | None, name: str) -> Source | None:
        self.used.add(("ConfigMap", *_key(namespace, name)))
        return self.config_maps.get(_key(namespace, name))

    def secret(self, namespace: str | None, name: str) -> Source | None:
        self.used.add(("Secret", *_key(namespace, name)))
        return self.secrets.get(_key(namespace, name))

    def is_used(self, m: Manifest) -> bool:
        return (m.kind, *_key(m.namespace, m.name)) in self.used

    def from_host(self) -> list[Source]:
        """The host's objects a pod of the input used."""
        return [s for kind, table in (("ConfigMap", self.config_maps), ("Secret", self.secrets))
                for key, s in sorted(table.items()) if s.on_host and (kind, *key) in self.used]


def build_index(manifests: list[Manifest], host: list[Manifest] = ()) -> ObjectIndex:
    """Index every ConfigMap and Secret; the input's win over the host's of the same name."""
    index = ObjectIndex()
    for m in host:
        table = index.config_maps if m.kind == "ConfigMap" else index.secrets
        values = _values(m) if m.kind == "ConfigMap" else dict.fromkeys(m.data.get("data") or {}, b"(on the host)")
        table[_key(m.namespace, m.name)] = Source(m, values, _binary(m.data.get("binaryData")), on_host=True)
    for m in manifests:
        if m.kind == "ConfigMap":
            index.config_maps[_key(m.namespace, m.name)] = Source(m, _values(m), _binary(m.data.get("binaryData")))
        elif m.kind == "Secret":
            index.secrets[_key(m.namespace, m.name)] = Source(m, secret_values(m))
    return index


def _values(m: Manifest) -> dict[str, str]:
    data = m.data.get("data") or {}
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def _binary(data) -> dict[str, bytes]:
    """``binaryData`` decoded, without the values that are not valid base64."""
    out = {}
    for k, v in (data.items() if isinstance(data, dict) else ()):
        decoded = decode_base64(v) if isinstance(v, str) else None
        if decoded is not None:
            out[k] = decoded
    return out
