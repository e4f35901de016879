"""Semantic checks: what Kubernetes would reject and what would break the pod on Podman.

The one home of every rule that needs only the manifests; translate relies on
them. Runs on the plain data of every manifest, with references (ConfigMap /
Secret keys, volumes) resolved across the whole input. A manifest with decode
errors is checked too, on its data without the rejected values (rejected.py),
so all of an input's diagnostics come in one run, none of them twice.
"""

from __future__ import annotations

from typing import Any

from kube2pod.diagnostics import Diagnostics
from kube2pod.load import cni, enums, names
from kube2pod.load.decode import boolean
from kube2pod.load.names import quote
from kube2pod.load.manifest import dotted
from kube2pod.load.kinds import WORKLOADS, lookup
from kube2pod.load.manifest import FieldPath, Manifest
from kube2pod.load.references import ENV, FILES, HostReader, References
from kube2pod.load.rejected import Rejected
from kube2pod.load.secretdata import decode_base64

#: Largest total size of one object's annotations (Kubernetes' own limit).
MAX_ANNOTATIONS_BYTES = 256 * 1024
#: Largest ConfigMap / Secret payload (Kubernetes' own limit).
MAX_CONFIG_BYTES = 1024 * 1024
_SELECTOR_KINDS = frozenset({"Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"})
_RESTART_POLICIES = {k: ("Always",) for k in ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")}
_RESTART_POLICIES["Job"] = _RESTART_POLICIES["CronJob"] = ("OnFailure", "Never")
_VOLUME_META = frozenset({"name"})


_NO_REJECTS = Rejected()  # a cleanly decoded manifest's


def validate_all(read: list[tuple[Manifest, Rejected | None]], diags: Diagnostics,
                 host: HostReader | None = None) -> list[Manifest]:
    """Check every manifest, each with what its decoding rejected (None: nothing); references the
    input lacks are looked up with ``host`` (references.py). The host's objects that were used."""
    refs = References.collect(read, host)
    for m, rejected in read:
        Checker(m, diags, refs, rejected).run()
    return list(refs.from_host.values())


def _get(d: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(d, dict):
            d = d.get(k)
        elif isinstance(d, list) and isinstance(k, int) and 0 <= k < len(d):
            d = d[k]
        else:
            return None
    return d


def _matching(root: Any, base: FieldPath, pattern: enums.Pattern) -> list[tuple[FieldPath, Any]]:
    """(path, value) of every field at ``pattern`` under ``root`` (the value at ``base``; "*": each
    list index) that is set."""
    found = [(base, root)]
    for step in pattern:
        nxt = []
        for path, value in found:
            if step == "*":
                nxt.extend((path + (i,), v) for i, v in enumerate(_list(value)))
            elif isinstance(value, dict) and value.get(step) is not None:
                nxt.append((path + (step,), value[step]))
        found = nxt
    return found


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _quantity_text(q: Any) -> str | None:
    """A quantity as text (YAML may give a number); None when absent."""
    if isinstance(q, str):
        return q
    if isinstance(q, (int, float)) and not isinstance(q, bool):
        return str(q)
    return None


class Checker:
    """All checks for one manifest; ``data``: its plain data without what decoding rejected."""

    def __init__(self, m: Manifest, diags: Diagnostics, refs: References, rejected: Rejected | None = None):
        self.m, self.diags, self.refs = m, diags, refs
        self.rejected = _NO_REJECTS if rejected is None else rejected
        self.data = m.data if rejected is None else rejected.prune(m.data)

    def error(self, path: FieldPath, message: str, hint: str | None = None, key: bool = False) -> None:
        """Report at ``path``, unless a decode error already did (at it or above it)."""
        if self.rejected.covers(path):
            return
        pos = self.m.source.key_pos(path) if key else self.m.source.pos(path)
        where = dotted(path)
        self.diags.error(f"{where}: {message}" if where else message, pos, hint)

    def missing(self, path: FieldPath, field: str, note: str = "", hint: str | None = None) -> None:
        """``field`` is missing at ``path``, unless it was there and decoding rejected it (or a misspelling)."""
        if not self.rejected.touches(path + (field,)):
            self.error(path, f'missing required field "{field}"{note}', hint)

    def run(self) -> None:
        self.metadata(("metadata",), top=True)
        info = lookup(self.m.kind)
        if info is not None and info.pod_template is not None:
            spec_path = info.pod_template
            if self.m.kind in WORKLOADS and self.m.kind != "Pod" and not self.workload(spec_path[:-2]):
                spec_path = None  # no template: already reported
            if spec_path is not None:
                self.pod_spec(spec_path)
        self.enums((), enums.BY_KIND.get(self.m.kind, {}))
        getattr(self, f"kind_{self.m.kind}", lambda: None)()

    # --- enumerated values -------------------------------------------------

    def enums(self, base: FieldPath, table: dict[enums.Pattern, enums.Values]) -> None:
        """Every enumerated field of ``table`` under ``base`` holds one of its values."""
        root = _get(self.data, *base) if base else self.data
        if not isinstance(root, dict):
            return
        for pattern, allowed in table.items():
            if pattern[0] in root:
                for path, value in _matching(root, base, pattern):
                    self.enum(path, value, allowed)

    def enum(self, path: FieldPath, value: Any, allowed: enums.Values, context: str = "") -> bool:
        """``value`` (at ``path``) is one of ``allowed``, else an error with the value it probably meant."""
        if not isinstance(value, str) or value in allowed:
            return True
        field = next(p for p in reversed(path) if isinstance(p, str))
        guess = enums.meant(value, allowed)
        hint = (f'did you mean "{guess}"? ({enums.listing(allowed)})' if guess is not None
                else f"use {enums.listing(allowed)}")
        self.error(path, f"unsupported {field} {quote(value)}{context}", hint)
        return False

    # --- metadata --------------------------------------------------------

    def metadata(self, path: FieldPath, top: bool = False) -> None:
        meta = _dict(_get(self.data, *path))
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
            self.missing(path, "name", "" if not meta.get("generateName") else " (generateName is not supported)")
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

    def workload(self, spec: FieldPath) -> bool:
        """Selector and template of a Deployment/DaemonSet/ReplicaSet/StatefulSet/Job; False without a template."""
        template = _get(self.data, *spec, "template")
        if not isinstance(template, dict):
            self.missing(spec, "template")
            return False
        self.metadata(spec + ("template", "metadata"))
        replicas = _get(self.data, *spec, "replicas")
        if isinstance(replicas, int) and replicas < 0:
            self.error(spec + ("replicas",), f"must be 0 or more, got {replicas}")
        selector = _get(self.data, *spec, "selector")
        if self.m.kind in _SELECTOR_KINDS and (
                not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions"))):
            self.missing(spec, "selector",
                         hint="apps/v1 needs spec.selector.matchLabels matching spec.template.metadata.labels")
            return True
        labels = _dict(_get(template, "metadata", "labels"))
        for key, value in _dict(_get(selector, "matchLabels")).items():
            if labels.get(key) != value:
                self.error(spec + ("selector", "matchLabels", key),
                           f"selector {key}={value} does not match the template's labels",
                           "spec.template.metadata.labels must contain every selector.matchLabels entry")
        return True

    # --- pod spec --------------------------------------------------------

    def pod_spec(self, path: FieldPath) -> None:
        spec = _get(self.data, *path)
        if not isinstance(spec, dict):
            if not self.rejected.touches(path):
                self.diags.error(f'missing required field "{dotted(path)}"', self.m.source.key_pos(path))
            return
        containers = _list(spec.get("containers"))
        if not containers:
            self.error(path + ("containers",), "a pod needs at least one container")
        volumes = self.volumes(path, spec)
        self.restart_policy(path, spec.get("restartPolicy"))
        self.enums(path, enums.POD_SPEC)
        seen_names: dict[str, FieldPath] = {}
        for group in ("initContainers", "containers"):
            host_ports: dict[tuple, FieldPath] = {}  # checked per group, as Kubernetes does
            for i, c in enumerate(_list(spec.get(group))):
                if isinstance(c, dict):
                    self.enums(path + (group, i), enums.CONTAINER)
                    if group == "initContainers":
                        self.enum(path + (group, i, "restartPolicy"), c.get("restartPolicy"), ("Always",))
                    self.container(path + (group, i), c, volumes, seen_names)
                    self.host_ports(path + (group, i), c, host_ports)
                    if group == "initContainers":
                        self.init_container(path + (group, i), c)

    def restart_policy(self, path: FieldPath, policy: Any) -> None:
        allowed = _RESTART_POLICIES.get(self.m.kind, ("Always", "OnFailure", "Never"))
        if policy is None:
            if self.m.kind in ("Job", "CronJob"):
                self.missing(path, "restartPolicy", hint="a Job's pods need OnFailure or Never")
            return
        self.enum(path + ("restartPolicy",), policy, allowed, f" for a {self.m.kind}")

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

    def volumes(self, path: FieldPath, spec: dict) -> set[str] | None:
        """The names of the pod's volumes; None when decoding rejected some of them (not all known)."""
        declared: dict[str, FieldPath] = {}
        known = not self.rejected.covers(path + ("volumes",))
        for i, v in enumerate(_list(spec.get("volumes"))):
            vp = path + ("volumes", i)
            if self.rejected.touches(vp + ("name",)):
                known = False
            if not isinstance(v, dict):
                continue
            name = v.get("name")
            if not name:
                self.missing(vp, "name")
            elif not names.dns1123_label(name):
                self.error(vp + ("name",), f"{quote(name)} is not a valid volume name",
                           names.DNS1123_LABEL_RULE)
            elif name in declared:
                self.error(vp + ("name",), f'duplicate volume name "{name}" '
                           f"(first declared at line {self.m.source.pos(declared[name]).line})")
            else:
                declared[name] = vp + ("name",)
            self.volume_source(vp, v)
        claims = _get(self.data, "spec", "volumeClaimTemplates") if self.m.kind == "StatefulSet" else None
        for claim in _list(claims):
            claim_name = _get(claim, "metadata", "name")
            if isinstance(claim_name, str):
                declared.setdefault(claim_name, ())
        return set(declared) if known else None

    def volume_source(self, path: FieldPath, v: dict) -> None:
        sources = [k for k, val in v.items() if k not in _VOLUME_META and val is not None]
        if not sources:
            empty = [k for k in v if k not in _VOLUME_META]
            hint = (f"write `{empty[0]}: {{}}` (an empty mapping), not `{empty[0]}:` (null)" if empty else
                    "add one of emptyDir, hostPath, configMap, secret, persistentVolumeClaim, ...")
            if not self.rejected.touches(path):  # else the source is what decoding rejected
                self.error(path, "volume has no source", hint)
        elif len(sources) > 1:
            self.error(path + (sources[1],), f"volume has more than one source ({', '.join(sources)})",
                       key=True)
        host_path = v.get("hostPath")
        if isinstance(host_path, dict) and not host_path.get("path"):
            self.missing(path + ("hostPath",), "path")
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
        for j, src in enumerate(_list(_get(v, "projected", "sources"))):
            if not isinstance(src, dict):
                continue
            spath = path + ("projected", "sources", j)
            for kind, field in (("ConfigMap", "configMap"), ("Secret", "secret")):
                ref = src.get(field)
                if isinstance(ref, dict):
                    self.reference(spath + (field,), kind, ref.get("name"), ref.get("optional"),
                                   [(spath + (field, "items", i, "key"), _get(it, "key"))
                                    for i, it in enumerate(_list(ref.get("items")))])
        size = _quantity_text(_get(v, "emptyDir", "sizeLimit"))
        if size is not None:
            self.quantity(path + ("emptyDir", "sizeLimit"), size)

    def container(self, path: FieldPath, c: dict, volumes: set[str] | None,
                  seen_names: dict[str, FieldPath]) -> None:
        name = c.get("name")
        if not name:
            self.missing(path, "name")
        elif not names.dns1123_label(name):
            self.error(path + ("name",), f"{quote(name)} is not a valid container name", names.DNS1123_LABEL_RULE)
        elif name in seen_names:
            first = self.m.source.pos(seen_names[name])
            self.error(path + ("name",), f'duplicate container name "{name}" (first used at line {first.line})',
                       "container names must be unique across containers and initContainers")
        else:
            seen_names[name] = path + ("name",)
        if not c.get("image"):
            self.missing(path, "image")
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
            self.missing(path, "containerPort")
        else:
            self.port(path + ("containerPort",), p["containerPort"])
        if p.get("hostPort"):
            self.port(path + ("hostPort",), p["hostPort"])
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
                q = _quantity_text(q)
                if q is not None and self.quantity(path + (kind, rname), q):
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
                self.missing(ep, "name")
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
                        self.missing(rp, "key")
                    self.reference(rp, kind, r.get("name"), r.get("optional"), [(rp + ("key",), r.get("key"))],
                                   use=ENV)
        for i, src in enumerate(_list(c.get("envFrom"))):
            if not isinstance(src, dict):
                continue
            for ref, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                r = src.get(ref)
                if isinstance(r, dict):
                    self.reference(path + ("envFrom", i, ref), kind, r.get("name"), r.get("optional"), [],
                                   use=ENV)

    def reference(self, path: FieldPath, kind: str, name: Any, optional: Any,
                  keys: list[tuple[FieldPath, Any]], name_field: str = "name", use: str = FILES) -> None:
        """A ConfigMap/Secret (and keys in it) must be defined in the input, in the pod's
        namespace, unless optional; ``use``: env keys or file keys (references.py)."""
        if not name:
            self.missing(path, name_field)
            return
        if boolean(optional) is True:
            return
        namespace = self.m.namespace
        if not self.refs.defined(kind, namespace, name):
            where = f' (namespace "{namespace}")' if namespace and namespace != "default" else ""
            elsewhere = self.refs.namespaces(kind, name)
            nowhere = "in the input nor on the host" if self.refs.reads_host else "in the input"
            self.error(path + (name_field,), f'{kind} "{name}" is not defined {nowhere}{where}',
                       f"it is in namespace {', '.join(elsewhere)}: a pod reads only its own namespace's"
                       if elsewhere else f"apply the {kind} first (kube2pod apply FILE), define it in the input, "
                       "or set optional: true")
            return
        defined = self.refs.keys(kind, namespace, name, use)
        if defined is None:
            return
        for key_path, key in keys:
            if isinstance(key, str) and key and key not in defined:
                known = ", ".join(sorted(defined)) or "none"
                as_file = use == ENV and key in (self.refs.keys(kind, namespace, name, FILES) or ())
                self.error(key_path, f'{kind} "{name}" has no key "{key}"',
                           "binaryData is not read into environment variables" if as_file else f"its keys: {known}")

    def volume_mount(self, path: FieldPath, mount: dict, volumes: set[str] | None,
                     seen: dict[str, FieldPath]) -> None:
        name = mount.get("name")
        if not name:
            self.missing(path, "name")
        elif volumes is not None and name not in volumes:
            declared = ", ".join(sorted(volumes)) or "none"
            self.error(path + ("name",), f'volume "{name}" is not declared in the pod\'s volumes',
                       f"declared volumes: {declared}")
        mount_path = mount.get("mountPath")
        if not mount_path:
            self.missing(path, "mountPath")
        elif mount_path in seen:
            self.error(path + ("mountPath",), f'mount path "{mount_path}" is used twice in this container '
                       f"(first at line {self.m.source.pos(seen[mount_path]).line})")
        else:
            seen[mount_path] = path + ("mountPath",)
        if mount.get("subPath") and mount.get("subPathExpr"):
            self.error(path + ("subPathExpr",), "subPath and subPathExpr are mutually exclusive")

    # --- other kinds -----------------------------------------------------

    def kind_ConfigMap(self) -> None:
        self.config_keys(("data",), ("binaryData",))
        data, binary = _dict(self.data.get("data")), _dict(self.data.get("binaryData"))
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
                   for k, v in _dict(self.data.get(f)).items() if isinstance(v, str))
        if size > MAX_CONFIG_BYTES:
            self.error(("data",), f"Secret holds {size} bytes, more than the 1 MiB Kubernetes allows")
        for key, value in _dict(self.data.get("data")).items():
            self.base64(("data", key), value)

    def config_keys(self, *paths: FieldPath) -> None:
        for path in paths:
            for key in _dict(_get(self.data, *path)):
                if not names.config_key_ok(key):
                    self.error(path + (key,), f"invalid key {quote(key)}",
                               "keys may contain only letters, digits, '-', '_' and '.'", key=True)

    def base64(self, path: FieldPath, value: Any) -> None:
        if isinstance(value, str) and decode_base64(value) is None:
            self.error(path, "value is not valid base64",
                       "encode it with base64, or put the plain text under stringData")

    def kind_CronJob(self) -> None:
        """A CronJob needs its schedule (translate/cron.py reads it)."""
        if isinstance(_get(self.data, "spec"), dict) and not _get(self.data, "spec", "schedule"):
            self.missing(("spec",), "schedule", hint='a cron schedule, e.g. "0 2 * * *" or @daily')

    def kind_PersistentVolumeClaim(self) -> None:
        for kind in ("requests", "limits"):
            for rname, q in _dict(_get(self.data, "spec", "resources", kind)).items():
                q = _quantity_text(q)
                if q is not None:
                    self.quantity(("spec", "resources", kind, rname), q)

    def kind_NetworkAttachmentDefinition(self) -> None:
        config = _get(self.data, "spec", "config")
        if config is None:
            self.missing(("spec",), "config")
            return
        try:
            cni.ip_range(cni.read(config))
        except cni.CniError as exc:
            self.error(("spec", "config"), str(exc))

    def kind_Service(self) -> None:
        for i, p in enumerate(_list(_get(self.data, "spec", "ports"))):
            if not isinstance(p, dict):
                continue
            pp = ("spec", "ports", i)
            if "port" not in p:
                self.missing(pp, "port")
            else:
                self.port(pp + ("port",), p["port"])
            self.port(pp + ("targetPort",), p.get("targetPort"))
            if p.get("nodePort"):
                self.port(pp + ("nodePort",), p["nodePort"])
