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
- fieldRef, resourceFieldRef: translate/fieldref.py; a field only the host knows
  (spec.nodeName, status.hostIP; status.podIP of a hostNetwork pod) becomes a ``HostEnv``
  (resolved by apply, the script and the units; a ``$(VAR)`` of it is not expanded: a warning);
  status.podIP of another pod is its static address (translate/podip.py)
"""

from __future__ import annotations

import re

from kube2pod.plan import EnvVar, HostEnv, SecretEnv
from kube2pod.translate.context import Context
from kube2pod.translate.expansion import expand
from kube2pod.translate.fieldref import HostFact, field_value, pod_spec, resource_value


class _Env:
    def __init__(self):
        self.plain: dict[str, str] = {}
        self.secret: dict[str, str] = {}
        self.host: dict[str, str] = {}
        self.order: list[str] = []

    def set_plain(self, name: str, value: str) -> None:
        self._drop(name)
        self.plain[name] = value

    def set_secret(self, name: str, secret: str) -> None:
        self._drop(name)
        self.secret[name] = secret

    def set_host(self, name: str, fact: str) -> None:
        self._drop(name)
        self.host[name] = fact

    def _drop(self, name: str) -> None:
        self.plain.pop(name, None)
        self.secret.pop(name, None)
        self.host.pop(name, None)
        self._touch(name)

    def _touch(self, name: str) -> None:
        if name in self.order:
            self.order.remove(name)
        self.order.append(name)


def container_env(ctx: Context, cpath: tuple, container, pod_name: str
                  ) -> tuple[list[EnvVar], list[SecretEnv], list[HostEnv]]:
    """The container's plain env (in definition order), its secret-backed env and its host-fact env."""
    env = _Env()
    for k, src in enumerate(container.env_from or []):
        _env_from(ctx, cpath + ("envFrom", k), src, env)
    for k, var in enumerate(container.env or []):
        path = cpath + ("env", k)
        if var.value_from is None:
            _check_secret_refs(ctx, path + ("value",), var.value or "", env)
            _check_host_refs(ctx, path + ("value",), var.value or "", env.host)
            env.set_plain(var.name, expand(var.value or "", env.plain))
        else:
            _value_from(ctx, path + ("valueFrom",), var.name, var.value_from, container, pod_name, env)
    plain = [EnvVar.make(name=n, value=env.plain[n]) for n in env.order if n in env.plain]
    secret = [SecretEnv.make(name=n, secret=env.secret[n]) for n in env.order if n in env.secret]
    host = [HostEnv.make(name=n, fact=env.host[n]) for n in env.order if n in env.host]
    return plain, secret, host


_REF = re.compile(r"(?<!\$)\$\(([^)]*)\)")


def secret_names_in(text: str, env_secret: dict[str, str]) -> list[str]:
    """The secret-backed variables a ``$(VAR)`` in ``text`` refers to."""
    if not env_secret or "$(" not in text:
        return []
    return [n for n in _REF.findall(text) if n in env_secret]


def host_names_in(text: str, env_host: dict[str, str]) -> list[str]:
    """The host-fact variables a ``$(VAR)`` in ``text`` refers to."""
    return secret_names_in(text, env_host)


def _check_host_refs(ctx: Context, path: tuple, text: str, env_host: dict[str, str]) -> None:
    for name in host_names_in(text, env_host):
        ctx.warning(path, f"$({name}) is not expanded: {name} is a value of the host or of the pod's address, "
                          "known after translation", "read the variable in the container (e.g. sh -c '... $NAME') instead")


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
        value = field_value(ctx, path + ("fieldRef", "fieldPath"), vf.field_ref.field_path or "", pod_name)
        if value is not None and not isinstance(value, str) and value.fact == "pod-ip":
            value = _pod_ip(ctx, pod_name)
        if isinstance(value, str):
            env.set_plain(name, value)
        elif value is not None:
            env.set_host(name, value.fact)
    elif vf.resource_field_ref is not None:
        value = resource_value(ctx, path + ("resourceFieldRef",), vf.resource_field_ref, container)
        if value is not None:
            env.set_plain(name, value)
    else:
        ctx.error(path, f"env {name!r}: valueFrom names no source")


def _pod_ip(ctx: Context, pod_name: str):
    """status.podIP: the static address translate/podip.py gave the pod; else (a hostNetwork pod, or
    ``--network host``) the host's address, as in Kubernetes. (With ``--network NAME|none`` podip.py
    reported an error: that plan is not used.)"""
    address = ctx.pod_ips.get(pod_name)
    return address if address is not None else HostFact("host-ip")
