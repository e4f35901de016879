"""Plan node -> the manifest field it was translated from: where a diagnostic about it points.

Used after translation (the pipeline's version gates): a plan object knows its manifest object
(``source``: file and first line); this finds the field inside it. ``field_path(manifest,
container, plan_field, item)``: the pod spec of the manifest (a Pod's ``spec``, a workload's
``spec.template.spec``, a CronJob's ``spec.jobTemplate.spec.template.spec``), the container
whose podman name ends with its Kubernetes name, then the key the plan field comes from:

| plan field            | manifest field                                             |
|-----------------------|------------------------------------------------------------|
| Container.healthcheck | ``livenessProbe``                                          |
| Container.mounts      | the ``volumeMounts`` item of the mount's destination       |
| Container.secret_env  | ``env`` (``envFrom`` when no env item names the variable)  |
| Container.init_type   | the ``initContainers`` item                                |
| Pod.networks          | the Multus ``networks`` annotation of the pod              |
| Pod.add_hosts, dns_*  | ``hostAliases``, ``dnsConfig``                             |

Anything else: the container, else the object.
"""

from __future__ import annotations

from kube2pod.diagnostics import SourcePos
from kube2pod.load.manifest import FieldPath, Manifest

_POD_SPECS = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"), ("spec",))
_CONTAINER_KEYS = {"Container.healthcheck": "livenessProbe", "Container.secret_env": "env",
                   "Container.secret_files": "volumeMounts", "Container.mounts": "volumeMounts",
                   "Container.env": "env", "Container.entrypoint": "command",
                   "Container.command": "args", "Container.workdir": "workingDir"}
_POD_KEYS = {"Pod.networks": ("metadata", "annotations", "k8s.v1.cni.cncf.io/networks"),
             "Pod.add_hosts": ("spec", "hostAliases"), "Pod.dns_servers": ("spec", "dnsConfig"),
             "Pod.dns_search": ("spec", "dnsConfig"), "Pod.dns_options": ("spec", "dnsConfig")}


def find_manifest(manifests: list[Manifest], source) -> Manifest | None:
    """The manifest a plan ObjectRef names (its file, first line, kind and name)."""
    for m in manifests:
        if (m.kind, m.name, m.source.file, m.source.start.line) == (source.kind, source.name, source.file,
                                                                     source.line):
            return m
    return None


def position(manifests: list[Manifest], source, container=None, plan_field: str = "", item=None) -> SourcePos | None:
    """Where the plan value came from; None when the object is not among ``manifests``."""
    if source is None:
        return None
    m = find_manifest(manifests, source)
    if m is None:
        return SourcePos(source.file, source.line, 1) if source.file else None
    return m.source.pos(field_path(m, container, plan_field, item))


def field_path(m: Manifest, container=None, plan_field: str = "", item=None) -> FieldPath:
    """The deepest field of ``m`` that exists on the way to the plan value."""
    base = next((p for p in _POD_SPECS if isinstance(_at(m.data, p), dict)), ())
    if container is None:
        where = _POD_KEYS.get(plan_field)
        if where is None:
            return ()
        path = base[:-1] + where if where[0] == "metadata" else base + where[1:]
        return path if _at(m.data, path) is not None else base
    found = _container(m.data, base, container.name)
    if found is None:
        return base
    key = _CONTAINER_KEYS.get(plan_field)
    if key is None or _at(m.data, found + (key,)) is None:
        return found
    path = found + (key,)
    if key == "volumeMounts" and item is not None:
        for i, vm in enumerate(_at(m.data, path) or []):
            if isinstance(vm, dict) and vm.get("mountPath") in (getattr(item, "destination", None),
                                                                getattr(item, "target", None)):
                return path + (i,)
    return path


def _container(data: dict, base: FieldPath, podman_name: str) -> FieldPath | None:
    """The containers/initContainers item whose name ends ``podman_name`` (the longest such name)."""
    best: tuple[int, FieldPath] | None = None
    for key in ("initContainers", "containers"):
        for i, c in enumerate(_at(data, base + (key,)) or []):
            name = c.get("name") if isinstance(c, dict) else None
            if isinstance(name, str) and (podman_name == name or podman_name.endswith("-" + name)):
                if best is None or len(name) > best[0]:
                    best = (len(name), base + (key, i))
    return None if best is None else best[1]


def _at(data, path: FieldPath):
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data
