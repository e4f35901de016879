"""Semantic checks: what Kubernetes would reject and what would break the pod on Podman.

Runs on the plain data of cleanly decoded manifests (types are already right),
with references (ConfigMap/Secret keys, volumes) resolved across the whole input.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from kube2pod.diagnostics import Diagnostics
from kube2pod.load import names
from kube2pod.load.names import quote
from kube2pod.load.manifest import dotted
from kube2pod.load.kinds import WORKLOADS, lookup
from kube2pod.load.manifest import FieldPath, Manifest

#: Largest total size of one object's annotations (Kubernetes' own limit).
MAX_ANNOTATIONS_BYTES = 256 * 1024
#: Largest ConfigMap / Secret payload (Kubernetes' own limit).
MAX_CONFIG_BYTES = 1024 * 1024
_SELECTOR_KINDS = frozenset({"Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"})
_PROTOCOLS = ("TCP", "UDP", "SCTP")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_RESTART_POLICIES = {k: ("Always",) for k in ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")}
_RESTART_POLICIES["Job"] = ("OnFailure", "Never")
_VOLUME_META = frozenset({"name"})


class References:
    """ConfigMaps and Secrets defined in the input: name -> keys (None if unknown)."""

    def __init__(self):
        self.config_maps: dict[str, set[str] | None] = {}
        self.secrets: dict[str, set[str] | None] = {}

    @classmethod
    def collect(cls, manifests: list[Manifest]) -> "References":
        refs = cls()
        for m in manifests:
            if m.kind == "ConfigMap":
                refs.config_maps[m.name] = _keys(m, "data", "binaryData")
            elif m.kind == "Secret":
                refs.secrets[m.name] = _keys(m, "data", "stringData")
        return refs


def _keys(m: Manifest, *fields: str) -> set[str] | None:
    if m.obj is None:
        return None
    keys: set[str] = set()
    for f in fields:
        if isinstance(m.data.get(f), dict):
            keys.update(m.data[f])
    return keys


def validate_all(manifests: list[Manifest], diags: Diagnostics) -> None:
    """Check every cleanly decoded manifest."""
    refs = References.collect(manifests)
    for m in manifests:
        if m.obj is not None:
            Checker(m, diags, refs).run()


def _get(d: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(d, dict):
            d = d.get(k)
        elif isinstance(d, list) and isinstance(k, int) and 0 <= k < len(d):
            d = d[k]
        else:
            return None
    return d


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


class Checker:
    """All checks for one manifest."""

    def __init__(self, m: Manifest, diags: Diagnostics, refs: References):
        self.m, self.diags, self.refs = m, diags, refs

    def error(self, path: FieldPath, message: str, hint: str | None = None, key: bool = False) -> None:
        pos = self.m.source.key_pos(path) if key else self.m.source.pos(path)
        where = dotted(path)
        self.diags.error(f"{where}: {message}" if where else message, pos, hint)

    def run(self) -> None:
        self.metadata(("metadata",), top=True)
        info = lookup(self.m.kind)
        if info is not None and info.pod_template is not None:
            spec_path = info.pod_template
            if self.m.kind in WORKLOADS and self.m.kind != "Pod":
                self.workload(spec_path[:-2])
            self.pod_spec(spec_path)
        getattr(self, f"kind_{self.m.kind}", lambda: None)()

    # --- metadata --------------------------------------------------------

    def metadata(self, path: FieldPath, top: bool = False) -> None:
        meta = _dict(_get(self.m.data, *path))
        if top:
            self.object_name(path, meta)
            ns = meta.get("namespace")
            if isinstance(ns, str) and not names.dns1123_label(ns):
                self.error(path + ("namespace",), f"{quote(ns)} is not a valid namespace name",
                           names.DNS1123_LABEL_RULE)
        for key, value in _dict(meta.get("labels")).items():
            self.label(path + ("labels", key), key, value)
        annotations = _dict(meta.get("annotations"))
        for key in annotations:
            problem = names.qualified_name_problem(key)
            if problem:
                self.error(path + ("annotations", key), f"invalid annotation key {quote(key)}: {problem}",
                           key=True)
        size = sum(len(k) + len(v) for k, v in annotations.items() if isinstance(v, str))
        if size > MAX_ANNOTATIONS_BYTES:
            self.error(path + ("annotations",), f"annotations total {size} bytes, more than the "
                       f"{MAX_ANNOTATIONS_BYTES // 1024} KiB Kubernetes allows")

    def object_name(self, path: FieldPath, meta: dict) -> None:
        name = meta.get("name")
        if not name:
            self.error(path, 'missing required field "name"' if not meta.get("generateName") else
                       'missing required field "name" (generateName is not supported)')
            return
        if self.m.kind == "Service":
            ok, rule = names.dns1035_label(name), names.DNS1035_LABEL_RULE
        else:
            ok, rule = names.dns1123_subdomain(name), names.DNS1123_SUBDOMAIN_RULE
        if not ok:
            self.error(path + ("name",), f"{quote(name)} is not a valid {self.m.kind} name", rule)

    def label(self, path: FieldPath, key: str, value: Any) -> None:
        problem = names.qualified_name_problem(key)
        if problem:
            self.error(path, f"invalid label key {quote(key)}: {problem}", key=True)
        if isinstance(value, str) and not names.label_value_ok(value):
            self.error(path, f"invalid label value {quote(value)}: at most 63 characters: letters, digits, "
                       "'-', '_' or '.', starting and ending with a letter or digit")

    # --- workloads -------------------------------------------------------

    def workload(self, spec: FieldPath) -> None:
        """Selector and template of a Deployment/DaemonSet/ReplicaSet/StatefulSet/Job."""
        template = _get(self.m.data, *spec, "template")
        if not isinstance(template, dict):
            self.error(spec, 'missing required field "template"')
            return
        self.metadata(spec + ("template", "metadata"))
        replicas = _get(self.m.data, *spec, "replicas")
        if isinstance(replicas, int) and replicas < 0:
            self.error(spec + ("replicas",), f"must be 0 or more, got {replicas}")
        if self.m.kind not in _SELECTOR_KINDS:
            return
        selector = _get(self.m.data, *spec, "selector")
        if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
            self.error(spec, 'missing required field "selector"',
                       "apps/v1 needs spec.selector.matchLabels matching spec.template.metadata.labels")
            return
        labels = _dict(_get(template, "metadata", "labels"))
        for key, value in _dict(selector.get("matchLabels")).items():
            if labels.get(key) != value:
                self.error(spec + ("selector", "matchLabels", key),
                           f"selector {key}={value} does not match the template's labels",
                           "spec.template.metadata.labels must contain every selector.matchLabels entry")

    # --- pod spec --------------------------------------------------------

    def pod_spec(self, path: FieldPath) -> None:
        spec = _get(self.m.data, *path)
        if not isinstance(spec, dict):
            where = dotted(path)
            self.diags.error(f'missing required field "{where}"', self.m.source.key_pos(path))
            return
        containers = _list(spec.get("containers"))
        if not containers:
            self.error(path + ("containers",), "a pod needs at least one container")
        volumes = self.volumes(path, spec)
        self.restart_policy(path, spec.get("restartPolicy"))
        seen_names: dict[str, FieldPath] = {}
        for group in ("initContainers", "containers"):
            host_ports: dict[tuple, FieldPath] = {}  # checked per group, as Kubernetes does
            for i, c in enumerate(_list(spec.get(group))):
                if isinstance(c, dict):
                    self.container(path + (group, i), c, volumes, seen_names)
                    self.host_ports(path + (group, i), c, host_ports)
                    if group == "initContainers":
                        self.init_container(path + (group, i), c)

    def restart_policy(self, path: FieldPath, policy: Any) -> None:
        allowed = _RESTART_POLICIES.get(self.m.kind, ("Always", "OnFailure", "Never"))
        if policy is None:
            if self.m.kind == "Job":
                self.error(path, 'missing required field "restartPolicy"', "a Job's pods need OnFailure or Never")
            return
        if policy not in allowed:
            self.error(path + ("restartPolicy",),
                       f"unsupported restartPolicy {quote(policy)} for a {self.m.kind}",
                       "use " + " or ".join(allowed))

    def host_ports(self, path: FieldPath, c: dict, seen: dict[tuple, FieldPath]) -> None:
        """Two containers cannot publish the same host port (the second bind fails)."""
        for i, p in enumerate(_list(c.get("ports"))):
            if not isinstance(p, dict) or not isinstance(p.get("hostPort"), int) or not p["hostPort"]:
                continue
            key = (p.get("hostIP") or "", p["hostPort"], p.get("protocol") or "TCP")
            if key in seen:
                first = self.m.source.pos(seen[key]).line
                self.error(path + ("ports", i, "hostPort"), f"host port {key[1]}/{key[2]} is already "
                           f"published by this pod (line {first})")
            else:
                seen[key] = path + ("ports", i, "hostPort")

    def init_container(self, path: FieldPath, c: dict) -> None:
        """Init containers run to completion: no probes or lifecycle hooks (unless a sidecar)."""
        if c.get("restartPolicy") == "Always":
            return
        for f in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
            if c.get(f) is not None:
                self.error(path + (f,), f"init containers may not have {f}",
                           "only sidecar init containers (restartPolicy: Always) may")

    def volumes(self, path: FieldPath, spec: dict) -> set[str]:
        declared: dict[str, FieldPath] = {}
        for i, v in enumerate(_list(spec.get("volumes"))):
            vp = path + ("volumes", i)
            if not isinstance(v, dict):
                continue
            name = v.get("name")
            if not name:
                self.error(vp, 'missing required field "name"')
            elif not names.dns1123_label(name):
                self.error(vp + ("name",), f"{quote(name)} is not a valid volume name",
                           names.DNS1123_LABEL_RULE)
            elif name in declared:
                self.error(vp + ("name",), f'duplicate volume name "{name}" '
                           f"(first declared at line {self.m.source.pos(declared[name]).line})")
            else:
                declared[name] = vp + ("name",)
            self.volume_source(vp, v)
        claims = _get(self.m.data, "spec", "volumeClaimTemplates") if self.m.kind == "StatefulSet" else None
        for claim in _list(claims):
            claim_name = _get(claim, "metadata", "name")
            if isinstance(claim_name, str):
                declared.setdefault(claim_name, ())
        return set(declared)

    def volume_source(self, path: FieldPath, v: dict) -> None:
        sources = [k for k, val in v.items() if k not in _VOLUME_META and val is not None]
        if not sources:
            empty = [k for k in v if k not in _VOLUME_META]
            hint = (f"write `{empty[0]}: {{}}` (an empty mapping), not `{empty[0]}:` (null)" if empty else
                    "add one of emptyDir, hostPath, configMap, secret, persistentVolumeClaim, ...")
            self.error(path, "volume has no source", hint)
        elif len(sources) > 1:
            self.error(path + (sources[1],), f"volume has more than one source ({', '.join(sources)})",
                       key=True)
        host_path = v.get("hostPath")
        if isinstance(host_path, dict) and not host_path.get("path"):
            self.error(path + ("hostPath",), 'missing required field "path"')
        cm = v.get("configMap")
        if isinstance(cm, dict):
            self.reference(path + ("configMap",), "ConfigMap", cm.get("name"), cm.get("optional"),
                           [(path + ("configMap", "items", i, "key"), _get(it, "key"))
                            for i, it in enumerate(_list(cm.get("items")))])
        secret = v.get("secret")
        if isinstance(secret, dict):
            self.reference(path + ("secret",), "Secret", secret.get("secretName"), secret.get("optional"),
                           [(path + ("secret", "items", i, "key"), _get(it, "key"))
                            for i, it in enumerate(_list(secret.get("items")))], name_field="secretName")
        size = _get(v, "emptyDir", "sizeLimit")
        if isinstance(size, str):
            self.quantity(path + ("emptyDir", "sizeLimit"), size)

    def container(self, path: FieldPath, c: dict, volumes: set[str],
                  seen_names: dict[str, FieldPath]) -> None:
        name = c.get("name")
        if not name:
            self.error(path, 'missing required field "name"')
        elif not names.dns1123_label(name):
            self.error(path + ("name",), f"{quote(name)} is not a valid container name", names.DNS1123_LABEL_RULE)
        elif name in seen_names:
            first = self.m.source.pos(seen_names[name])
            self.error(path + ("name",), f'duplicate container name "{name}" (first used at line {first.line})',
                       "container names must be unique across containers and initContainers")
        else:
            seen_names[name] = path + ("name",)
        if not c.get("image"):
            self.error(path, 'missing required field "image"')
        pull = c.get("imagePullPolicy")
        if pull is not None and pull not in _PULL_POLICIES:
            self.error(path + ("imagePullPolicy",), f"unsupported imagePullPolicy {quote(pull)}",
                       "use " + ", ".join(_PULL_POLICIES))
        seen_ports: dict[str, FieldPath] = {}
        for i, p in enumerate(_list(c.get("ports"))):
            if isinstance(p, dict):
                self.container_port(path + ("ports", i), p, seen_ports)
        self.resources(path + ("resources",), _dict(c.get("resources")))
        self.env(path, c)
        mount_paths: dict[str, FieldPath] = {}
        for i, mount in enumerate(_list(c.get("volumeMounts"))):
            if isinstance(mount, dict):
                self.volume_mount(path + ("volumeMounts", i), mount, volumes, mount_paths)

    def container_port(self, path: FieldPath, p: dict, seen: dict[str, FieldPath]) -> None:
        if "containerPort" not in p:
            self.error(path, 'missing required field "containerPort"')
        else:
            self.port(path + ("containerPort",), p["containerPort"])
        if p.get("hostPort"):
            self.port(path + ("hostPort",), p["hostPort"])
        proto = p.get("protocol")
        if proto is not None and proto not in _PROTOCOLS:
            self.error(path + ("protocol",), f"unsupported protocol {quote(proto)}", "use TCP, UDP or SCTP")
        name = p.get("name")
        if isinstance(name, str):
            if not names.port_name_ok(name):
                self.error(path + ("name",), f"{quote(name)} is not a valid port name",
                           "at most 15 characters: lower case letters, digits and '-', with at least one letter")
            elif name in seen:
                self.error(path + ("name",), f'duplicate port name "{name}" '
                           f"(first used at line {self.m.source.pos(seen[name]).line})")
            else:
                seen[name] = path + ("name",)

    def port(self, path: FieldPath, value: Any) -> None:
        if isinstance(value, int) and not 1 <= value <= 65535:
            self.error(path, f"port {value} is out of range (1-65535)")

    def resources(self, path: FieldPath, res: dict) -> None:
        values: dict[str, dict[str, float]] = {}
        for kind in ("limits", "requests"):
            for rname, q in _dict(res.get(kind)).items():
                if isinstance(q, (int, float)):
                    q = str(q)
                if isinstance(q, str) and self.quantity(path + (kind, rname), q):
                    values.setdefault(kind, {})[rname] = names.quantity_value(q)
        for rname, req in values.get("requests", {}).items():
            limit = values.get("limits", {}).get(rname)
            if limit is not None and req > limit:
                self.error(path + ("requests", rname), f"request for {rname} is greater than its limit",
                           "a request must be less than or equal to the limit")

    def quantity(self, path: FieldPath, q: str) -> bool:
        if names.quantity_ok(q.strip()) and not q.strip().startswith("-"):
            return True
        self.error(path, f"{quote(q)} is not a valid quantity",
                   "use a number with an optional suffix, e.g. 500m, 2, 128Mi, 1G")
        return False

    def env(self, path: FieldPath, c: dict) -> None:
        for i, e in enumerate(_list(c.get("env"))):
            if not isinstance(e, dict):
                continue
            ep = path + ("env", i)
            name = e.get("name")
            if not name:
                self.error(ep, 'missing required field "name"')
            elif "=" in name:
                self.error(ep + ("name",),
                           f"invalid environment variable name {quote(name)}: must not contain '='")
            value_from = _dict(e.get("valueFrom"))
            if e.get("value") not in (None, "") and value_from:
                self.error(ep + ("valueFrom",), "value and valueFrom cannot both be set")
            for ref, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                r = value_from.get(ref)
                if isinstance(r, dict):
                    rp = ep + ("valueFrom", ref)
                    if not r.get("key"):
                        self.error(rp, 'missing required field "key"')
                    self.reference(rp, kind, r.get("name"), r.get("optional"), [(rp + ("key",), r.get("key"))])
        for i, src in enumerate(_list(c.get("envFrom"))):
            if not isinstance(src, dict):
                continue
            for ref, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                r = src.get(ref)
                if isinstance(r, dict):
                    self.reference(path + ("envFrom", i, ref), kind, r.get("name"), r.get("optional"), [])

    def reference(self, path: FieldPath, kind: str, name: Any, optional: Any,
                  keys: list[tuple[FieldPath, Any]], name_field: str = "name") -> None:
        """A ConfigMap/Secret (and keys in it) must be defined in the input unless optional."""
        if not name:
            self.error(path, f'missing required field "{name_field}"')
            return
        if optional is True:
            return
        table = self.refs.config_maps if kind == "ConfigMap" else self.refs.secrets
        hint = "define it in the input, or set optional: true"
        if name not in table:
            self.error(path + (name_field,), f'{kind} "{name}" is not defined in the input', hint)
            return
        defined = table[name]
        if defined is None:
            return
        for key_path, key in keys:
            if isinstance(key, str) and key and key not in defined:
                known = ", ".join(sorted(defined)) or "none"
                self.error(key_path, f'{kind} "{name}" has no key "{key}"', f"its keys: {known}")

    def volume_mount(self, path: FieldPath, mount: dict, volumes: set[str], seen: dict[str, FieldPath]) -> None:
        name = mount.get("name")
        if not name:
            self.error(path, 'missing required field "name"')
        elif name not in volumes:
            declared = ", ".join(sorted(volumes)) or "none"
            self.error(path + ("name",), f'volume "{name}" is not declared in the pod\'s volumes',
                       f"declared volumes: {declared}")
        mount_path = mount.get("mountPath")
        if not mount_path:
            self.error(path, 'missing required field "mountPath"')
        elif mount_path in seen:
            self.error(path + ("mountPath",), f'mount path "{mount_path}" is used twice in this container '
                       f"(first at line {self.m.source.pos(seen[mount_path]).line})")
        else:
            seen[mount_path] = path + ("mountPath",)

    # --- other kinds -----------------------------------------------------

    def kind_ConfigMap(self) -> None:
        self.config_keys(("data",), ("binaryData",))
        data, binary = _dict(self.m.data.get("data")), _dict(self.m.data.get("binaryData"))
        for key, value in binary.items():
            self.base64(("binaryData", key), value)
            if key in data:
                self.error(("binaryData", key), f"key {quote(key)} is also in data", key=True)
        size = sum(len(k) + len(v) for d in (data, binary) for k, v in d.items() if isinstance(v, str))
        if size > MAX_CONFIG_BYTES:
            self.error(("data",), f"ConfigMap holds {size} bytes, more than the 1 MiB Kubernetes allows")

    def kind_Secret(self) -> None:
        self.config_keys(("data",), ("stringData",))
        size = sum(len(k) + len(v) for f in ("data", "stringData")
                   for k, v in _dict(self.m.data.get(f)).items() if isinstance(v, str))
        if size > MAX_CONFIG_BYTES:
            self.error(("data",), f"Secret holds {size} bytes, more than the 1 MiB Kubernetes allows")
        for key, value in _dict(self.m.data.get("data")).items():
            self.base64(("data", key), value)

    def config_keys(self, *paths: FieldPath) -> None:
        for path in paths:
            for key in _dict(_get(self.m.data, *path)):
                if not names.config_key_ok(key):
                    self.error(path + (key,), f"invalid key {quote(key)}",
                               "keys may contain only letters, digits, '-', '_' and '.'", key=True)

    def base64(self, path: FieldPath, value: Any) -> None:
        if not isinstance(value, str):
            return
        try:
            base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            self.error(path, "value is not valid base64",
                       "encode it with base64, or put the plain text under stringData")

    def kind_PersistentVolumeClaim(self) -> None:
        for kind in ("requests", "limits"):
            for rname, q in _dict(_get(self.m.data, "spec", "resources", kind)).items():
                if isinstance(q, str):
                    self.quantity(("spec", "resources", kind, rname), q)

    def kind_Service(self) -> None:
        for i, p in enumerate(_list(_get(self.m.data, "spec", "ports"))):
            if not isinstance(p, dict):
                continue
            pp = ("spec", "ports", i)
            if "port" not in p:
                self.error(pp, 'missing required field "port"')
            else:
                self.port(pp + ("port",), p["port"])
            self.port(pp + ("targetPort",), p.get("targetPort"))
            if p.get("nodePort"):
                self.port(pp + ("nodePort",), p["nodePort"])
