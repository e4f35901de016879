"""The downward API: a fieldRef or resourceFieldRef -> its value (env and downwardAPI volume files).

| fieldRef                              | value                                                      |
|---------------------------------------|------------------------------------------------------------|
| metadata.name, metadata.namespace     | the pod's name, its namespace (default ``default``)        |
| metadata.uid                          | a UUID v5 of ``<namespace>/<pod name>``: stable across applies, unique per pod |
| metadata.labels['k'], annotations['k'] | that value ("" when absent)                               |
| metadata.labels, metadata.annotations (volumes only) | ``key="value"`` lines sorted by key, values quoted as Go's %q (the kubelet's format) |
| spec.serviceAccountName               | the pod's (default ``default``)                             |
| spec.nodeName, status.hostIP, status.hostIPs, status.podIP, status.podIPs (env only) | a ``HostFact``: known on the host only, resolved by apply, the script and the units (docs/mapping.md) |

resourceFieldRef: limits/requests cpu|memory|ephemeral-storage of the named container, divided
by ``divisor`` (default 1) and rounded up; requests default to limits; an unset limit is
refused (Kubernetes would use the node's capacity).
"""

from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal
from typing import NamedTuple

from kube2pod.translate.context import Context
from kube2pod.translate.quantity import parse

_FIELD_KEY = re.compile(r"^metadata\.(labels|annotations)\['([^']*)'\]$")
RESOURCES = ("limits.cpu", "limits.memory", "limits.ephemeral-storage",
             "requests.cpu", "requests.memory", "requests.ephemeral-storage")
_UUID_NS = uuid.UUID("6f1c0f5e-5b1a-4d4c-9a51-6b7562653270")
#: fieldRefs whose value only the host knows -> the HostFact name.
HOST_FIELDS = {"spec.nodeName": "node-name", "status.hostIP": "host-ip", "status.hostIPs": "host-ip",
               "status.podIP": "pod-ip", "status.podIPs": "pod-ip"}
METADATA_FIELDS = ("metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels['k']",
                   "metadata.annotations['k']")


class HostFact(NamedTuple):
    """A value only the host knows: ``node-name`` (its hostname, lower case, as the kubelet's
    node name), ``host-ip`` (the source address of its default route), ``pod-ip``."""

    fact: str


def pod_metadata(ctx: Context):
    """The metadata of the pod (a Pod's own, a workload's template's)."""
    obj = ctx.manifest.obj
    if ctx.manifest.kind == "Pod":
        return obj.metadata
    template = _template(ctx)
    return template.metadata if template is not None else None


def pod_spec(ctx: Context):
    obj = ctx.manifest.obj
    return obj.spec if ctx.manifest.kind == "Pod" else _template(ctx).spec


def _template(ctx: Context):
    """A workload's pod template (a CronJob's: of its jobTemplate)."""
    spec = ctx.manifest.obj.spec
    if spec is not None and ctx.manifest.kind == "CronJob":
        spec = spec.job_template.spec if spec.job_template is not None else None
    return spec.template if spec is not None else None


def pod_uid(namespace: str, pod_name: str) -> str:
    """The pod's ``metadata.uid``: the same for the same pod on every apply, different for every pod."""
    return str(uuid.uuid5(_UUID_NS, f"{namespace}/{pod_name}"))


def field_value(ctx: Context, path: tuple, field_path: str, pod_name: str, volume: bool = False) -> str | HostFact | None:
    """The value of ``fieldRef.fieldPath``; ``volume``: a downwardAPI file (whole label and annotation
    maps allowed, no host facts, as the API server validates). None after an error."""
    namespace = ctx.manifest.namespace or "default"
    meta = pod_metadata(ctx)
    if field_path == "metadata.name":
        return pod_name
    if field_path == "metadata.namespace":
        return namespace
    if field_path == "metadata.uid":
        return pod_uid(namespace, pod_name)
    if volume and field_path in ("metadata.labels", "metadata.annotations"):
        values = (getattr(meta, field_path.split(".")[1]) if meta is not None else None) or {}
        return format_map(values)
    m = _FIELD_KEY.match(field_path)
    if m:
        values = (getattr(meta, m.group(1)) if meta is not None else None) or {}
        return str(values.get(m.group(2), ""))
    if not volume and field_path == "spec.serviceAccountName":
        return pod_spec(ctx).service_account_name or "default"
    if not volume and field_path in HOST_FIELDS:
        return HostFact(HOST_FIELDS[field_path])
    supported = METADATA_FIELDS + (("metadata.labels", "metadata.annotations") if volume else
                                   ("spec.serviceAccountName", *HOST_FIELDS))
    what = "a downwardAPI volume's fieldRef" if volume else "fieldRef"
    ctx.error(path, f"{what} {field_path!r} is not supported" + (" (Kubernetes allows only metadata fields in "
              "volumes)" if volume and field_path in HOST_FIELDS else ""), "supported: " + ", ".join(supported))
    return None


def format_map(values: dict) -> str:
    """``key="value"`` lines sorted by key, without a final newline (the kubelet's fieldpath.FormatMap)."""
    return "\n".join(f"{k}={go_quote(str(values[k]))}" for k in sorted(values))


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """Go's ``%q`` of a valid UTF-8 string: printable characters as they are, the others escaped."""
    out = []
    for ch in text:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def resource_value(ctx: Context, path: tuple, ref, container) -> str | None:
    """``resourceFieldRef`` of ``container`` (or of ``ref.containerName``); None after an error."""
    if ref.resource not in RESOURCES:
        ctx.error(path + ("resource",), f"unknown resource {ref.resource!r}", "one of: " + ", ".join(RESOURCES))
        return None
    target = container
    if ref.container_name and (container is None or ref.container_name != container.name):
        target = next((c for c in pod_spec(ctx).containers or [] if c.name == ref.container_name), None)
        if target is None:
            ctx.error(path + ("containerName",), f"no container named {ref.container_name!r} in the pod")
            return None
    if target is None:
        ctx.error(path, "a downwardAPI volume's resourceFieldRef needs containerName")
        return None
    kind, res = ref.resource.split(".", 1)
    resources = target.resources
    limits = (resources.limits if resources else None) or {}
    requests = (resources.requests if resources else None) or {}
    text = limits.get(res) if kind == "limits" else requests.get(res, limits.get(res, "0"))
    if text is None:
        ctx.error(path + ("resource",), f"{ref.resource} is not set on container {target.name!r}; Kubernetes "
                  "would use the node's capacity", f"set resources.{ref.resource}")
        return None
    divisor_text = str(ref.divisor) if ref.divisor is not None else "1"
    value, divisor = parse(str(text)), parse(divisor_text)
    if value is None or divisor is None or divisor <= 0:
        bad = divisor_text if value is not None else text
        ctx.error(path + ("divisor",) if value is not None else path, f"invalid quantity {bad!r}")
        return None
    return str(math.ceil(Decimal(value) / divisor))
