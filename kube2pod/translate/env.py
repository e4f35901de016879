"""envFrom and env -> plain env and secret-backed env, with Kubernetes precedence.

Order: envFrom sources in order (``prefix`` + key; a later source wins), then
env entries in order (a later entry wins, env beats envFrom). Plain ``value``s
are ``$(VAR)``-expanded against the variables defined before them.

valueFrom:
- configMapKeyRef / configMapRef: the ConfigMap of the input (same namespace);
  ``optional`` and missing: the variable is left out, with a warning (missing and
  not optional: the loader's error, load/validate.py)
- secretKeyRef / secretRef: a podman secret per key (translate/secrets.py),
  ``--secret NAME,type=env,target=VAR`` — the value never becomes a plain env;
  an empty value (podman refuses empty secrets) is passed as plain ``""``
- fieldRef: metadata.name (the pod name), metadata.namespace, metadata.uid
  (a stable UUID of namespace/pod name), metadata.labels['k'],
  metadata.annotations['k'], spec.serviceAccountName; run-time fields
  (status.podIP, spec.nodeName, ...) are refused
- resourceFieldRef: limits/requests cpu|memory|ephemeral-storage of the named
  container, divided by ``divisor`` (default 1) and rounded up; requests default
  to limits; an unset limit is refused (Kubernetes would use the node's capacity)
"""

from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal

from kube2pod.plan import EnvVar, SecretEnv
from kube2pod.translate.context import Context
from kube2pod.translate.expansion import expand
from kube2pod.translate.quantity import parse

_FIELD_LABEL = re.compile(r"^metadata\.(labels|annotations)\['([^']*)'\]$")
RUNTIME_FIELDS = ("spec.nodeName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")
RESOURCES = ("limits.cpu", "limits.memory", "limits.ephemeral-storage",
             "requests.cpu", "requests.memory", "requests.ephemeral-storage")
_UUID_NS = uuid.UUID("6f1c0f5e-5b1a-4d4c-9a51-6b7562653270")


class _Env:
    def __init__(self):
        self.plain: dict[str, str] = {}
        self.secret: dict[str, str] = {}
        self.order: list[str] = []

    def set_plain(self, name: str, value: str) -> None:
        self.secret.pop(name, None)
        self._touch(name)
        self.plain[name] = value

    def set_secret(self, name: str, secret: str) -> None:
        self.plain.pop(name, None)
        self._touch(name)
        self.secret[name] = secret

    def _touch(self, name: str) -> None:
        if name in self.order:
            self.order.remove(name)
        self.order.append(name)


def container_env(ctx: Context, cpath: tuple, container, pod_name: str) -> tuple[list[EnvVar], list[SecretEnv]]:
    """The container's plain env (in definition order) and its secret-backed env."""
    env = _Env()
    for k, src in enumerate(container.env_from or []):
        _env_from(ctx, cpath + ("envFrom", k), src, env)
    for k, var in enumerate(container.env or []):
        path = cpath + ("env", k)
        if var.value_from is None:
            _check_secret_refs(ctx, path + ("value",), var.value or "", env)
            env.set_plain(var.name, expand(var.value or "", env.plain))
        else:
            _value_from(ctx, path + ("valueFrom",), var.name, var.value_from, container, pod_name, env)
    plain = [EnvVar.make(name=n, value=env.plain[n]) for n in env.order if n in env.plain]
    secret = [SecretEnv.make(name=n, secret=env.secret[n]) for n in env.order if n in env.secret]
    return plain, secret


_REF = re.compile(r"(?<!\$)\$\(([^)]*)\)")


def secret_names_in(text: str, env_secret: dict[str, str]) -> list[str]:
    """The secret-backed variables a ``$(VAR)`` in ``text`` refers to."""
    if not env_secret or "$(" not in text:
        return []
    return [n for n in _REF.findall(text) if n in env_secret]


def _check_secret_refs(ctx: Context, path: tuple, text: str, env: _Env) -> None:
    for name in secret_names_in(text, env.secret):
        ctx.warning(path, f"$({name}) is not expanded: {name} comes from a Secret and kube2pod keeps "
                          "secret values out of plain env, command and args",
                    "read the variable in the container (e.g. sh -c '... $NAME') instead")


def _env_from(ctx: Context, path: tuple, src, env: _Env) -> None:
    prefix = src.prefix or ""
    if src.config_map_ref is not None:
        ref = src.config_map_ref
        cm = ctx.objects.config_map(ctx.manifest.namespace, ref.name)
        if cm is None:
            _missing(ctx, path + ("configMapRef", "name"), "ConfigMap", ref.name, ref.optional)
            return
        for key, value in cm.values.items():
            if _valid_name(ctx, path, prefix + key):
                env.set_plain(prefix + key, value)
    elif src.secret_ref is not None:
        ref = src.secret_ref
        sec = ctx.objects.secret(ctx.manifest.namespace, ref.name)
        if sec is None:
            _missing(ctx, path + ("secretRef", "name"), "Secret", ref.name, ref.optional)
            return
        for key in sec.values:
            if _valid_name(ctx, path, prefix + key):
                _secret_var(ctx, path, prefix + key, sec, key, env)
    else:
        ctx.error(path, "envFrom needs configMapRef or secretRef")


def _valid_name(ctx: Context, path: tuple, name: str) -> bool:
    if name and "=" not in name:
        return True
    ctx.warning(path, f"envFrom key {name!r} is not a valid environment variable name; skipped")
    return False


def _secret_var(ctx: Context, path: tuple, name: str, source, key: str, env: _Env) -> None:
    secret = ctx.secrets.use(ctx, source, key, path)
    if secret is not None:
        env.set_secret(name, secret.name)
    elif not source.values[key]:
        env.set_plain(name, "")


def _missing(ctx: Context, path: tuple, kind: str, name: str, optional: bool | None, key: str | None = None) -> None:
    """An absent source, left out: with a warning when optional (else the loader refused it)."""
    if optional:
        what = f"{kind} {name!r}" + (f" has no key {key!r}" if key is not None else " is not in the input")
        ctx.warning(path, f"{what}; optional, so it is left out")


def _key_source(ctx: Context, path: tuple, kind: str, ref, find):
    """The ConfigMap/Secret that ``ref`` names when it holds ``ref.key``; else report it (None)."""
    obj = find(ctx.manifest.namespace, ref.name)
    if obj is None:
        _missing(ctx, path + ("name",), kind, ref.name, ref.optional)
    elif ref.key not in obj.values:
        _missing(ctx, path + ("key",), kind, ref.name, ref.optional, ref.key)
    else:
        return obj
    return None


def _value_from(ctx: Context, path: tuple, name: str, vf, container, pod_name: str, env: _Env) -> None:
    if vf.config_map_key_ref is not None:
        ref = vf.config_map_key_ref
        cm = _key_source(ctx, path + ("configMapKeyRef",), "ConfigMap", ref, ctx.objects.config_map)
        if cm is not None:
            env.set_plain(name, cm.values[ref.key])
    elif vf.secret_key_ref is not None:
        ref = vf.secret_key_ref
        sec = _key_source(ctx, path + ("secretKeyRef",), "Secret", ref, ctx.objects.secret)
        if sec is not None:
            _secret_var(ctx, path + ("secretKeyRef",), name, sec, ref.key, env)
    elif vf.field_ref is not None:
        value = _field_ref(ctx, path + ("fieldRef", "fieldPath"), vf.field_ref.field_path or "", pod_name)
        if value is not None:
            env.set_plain(name, value)
    elif vf.resource_field_ref is not None:
        value = _resource_ref(ctx, path + ("resourceFieldRef",), vf.resource_field_ref, container)
        if value is not None:
            env.set_plain(name, value)
    else:
        ctx.error(path, f"env {name!r}: valueFrom names no source")


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


def _field_ref(ctx: Context, path: tuple, field_path: str, pod_name: str) -> str | None:
    namespace = ctx.manifest.namespace or "default"
    meta = pod_metadata(ctx)
    if field_path == "metadata.name":
        return pod_name
    if field_path == "metadata.namespace":
        return namespace
    if field_path == "metadata.uid":
        return str(uuid.uuid5(_UUID_NS, f"{namespace}/{pod_name}"))
    if field_path == "spec.serviceAccountName":
        return pod_spec(ctx).service_account_name or "default"
    m = _FIELD_LABEL.match(field_path)
    if m:
        values = (getattr(meta, m.group(1)) if meta is not None else None) or {}
        return str(values.get(m.group(2), ""))
    if field_path in RUNTIME_FIELDS:
        ctx.error(path, f"fieldRef {field_path} is known only to a Kubernetes node; not supported",
                  "set the value explicitly")
    else:
        ctx.error(path, f"unknown fieldRef {field_path!r}",
                  "supported: metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'], "
                  "metadata.annotations['k'], spec.serviceAccountName")
    return None


def _resource_ref(ctx: Context, path: tuple, ref, container) -> str | None:
    if ref.resource not in RESOURCES:
        ctx.error(path + ("resource",), f"unknown resource {ref.resource!r}", "one of: " + ", ".join(RESOURCES))
        return None
    target = container
    if ref.container_name and ref.container_name != container.name:
        target = next((c for c in pod_spec(ctx).containers or [] if c.name == ref.container_name), None)
        if target is None:
            ctx.error(path + ("containerName",), f"no container named {ref.container_name!r} in the pod")
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
