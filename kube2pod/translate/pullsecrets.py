"""``imagePullSecrets`` -> plan ``PullSecret``: the credentials apply sends with the pulls of the pod's images.

A Secret of type ``kubernetes.io/dockerconfigjson`` (key ``.dockerconfigjson``: ``{"auths": {REGISTRY:
{...}}}``) or ``kubernetes.io/dockercfg`` (key ``.dockercfg``: ``{REGISTRY: {...}}``), each entry with
``auth`` (base64 of ``user:password``) or ``username`` and ``password``. A Secret of another type, or
whose value is not such JSON, is an error at the reference. A Secret missing from the input and the
host is a warning, as in Kubernetes (the kubelet pulls without it): the pull may still work through
Podman's own credentials (``podman login``). A Secret kept on the host by an earlier apply is a warning
too: Podman does not show a secret's value back, so its credentials cannot be sent.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING

from pydantic import SecretBytes

from kube2pod.plan import Container, ObjectRef, PullSecret
from kube2pod.plan.pullsecret import hub

if TYPE_CHECKING:
    from kube2pod.translate.context import Context
    from kube2pod.translate.objects import Source

KEYS = {"kubernetes.io/dockerconfigjson": ".dockerconfigjson", "kubernetes.io/dockercfg": ".dockercfg"}


class BadCredentials(ValueError):
    """The Secret's value is not a docker config (the message says why, never what it holds)."""


def registry_key(key: str) -> str:
    """A docker config key as a registry: without ``http(s)://`` and a trailing path (``/v1/``)."""
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            key = key[len(scheme):].split("/", 1)[0]
    return hub(key)


def _credentials(entry) -> dict[str, str]:
    if not isinstance(entry, dict):
        raise BadCredentials("an entry is not an object")
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        try:
            user, sep, password = base64.b64decode(entry["auth"], validate=True).decode("utf-8").partition(":")
        except (binascii.Error, ValueError):
            raise BadCredentials("an auth value is not base64 of user:password") from None
        if not sep:
            raise BadCredentials("an auth value is not base64 of user:password")
        return {"username": user, "password": password}
    if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
        return {"username": entry["username"], "password": entry["password"]}
    raise BadCredentials("an entry has neither auth nor username and password")


def parse(secret_type: str, raw: bytes) -> dict[str, dict[str, str]]:
    """``{registry: {"username", "password"}}`` of a Secret's value; BadCredentials when malformed."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadCredentials("it is not JSON") from None
    auths = doc.get("auths") if secret_type == "kubernetes.io/dockerconfigjson" and isinstance(doc, dict) else doc
    if not isinstance(auths, dict) or not auths:
        raise BadCredentials("it names no registry" + (" under \"auths\"" if KEYS[secret_type] == ".dockerconfigjson"
                                                       else ""))
    return {registry_key(str(k)): _credentials(v) for k, v in auths.items()}


class PullSecretRegistry:
    """The pull secrets the plan needs, each once with every image it is used for."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], PullSecret] = {}

    def use(self, ctx: Context, refs, containers: list[Container], pod: str = "") -> None:
        """Register ``refs`` (the imagePullSecrets of pod ``pod``) for the images of ``containers`` (and
        of their image volumes, which the kubelet pulls with the same credentials)."""
        images = [c.image for c in containers] + [m.image for c in containers for m in c.image_mounts]
        for i, ref in enumerate(refs or []):
            name = ref.name or ""
            path = ("imagePullSecrets", i, "name")
            found = self._secret(ctx, path, name)
            if found is not None:
                merged = list(dict.fromkeys([*found.images, *images]))
                pods = list(dict.fromkeys([*found.pods, pod])) if pod else found.pods
                self._found[(found.source.namespace or "default", name)] = found.model_copy(
                    update={"images": merged, "pods": pods})

    def _secret(self, ctx: Context, path: tuple, name: str) -> PullSecret | None:
        known = self._found.get((ctx.manifest.namespace or "default", name))
        if known is not None:
            return known
        src = ctx.objects.secret(ctx.manifest.namespace, name)
        if src is None:
            ctx.warning(path, f"imagePullSecrets: Secret {name!r} not found in namespace "
                              f"{ctx.manifest.namespace or 'default'}; the images are pulled without it, "
                              "as Kubernetes does", "add the Secret to the input, or `podman login` the registry")
            return None
        if src.on_host:
            ctx.warning(path, f"imagePullSecrets: Secret {name!r} is kept on the host, and Podman does not show a "
                              "secret's value back; the images are pulled without it",
                        "apply the Secret with the pod, or `podman login` the registry")
            return None
        return _pull_secret(ctx, path, name, src)

    def secrets(self) -> list[PullSecret]:
        return list(self._found.values())


def _pull_secret(ctx: Context, path: tuple, name: str, src: Source) -> PullSecret | None:
    m = src.manifest
    secret_type = m.data.get("type") or "Opaque"
    key = KEYS.get(secret_type)
    if key is None:
        ctx.error(path, f"imagePullSecrets: Secret {name!r} has type {secret_type}; registry credentials need "
                        "type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg")
        return None
    if key not in src.values:
        ctx.error(path, f"imagePullSecrets: Secret {name!r} (type {secret_type}) has no key {key}")
        return None
    try:
        creds = parse(secret_type, src.values[key])
    except BadCredentials as exc:
        where = "stringData" if key in (m.data.get("stringData") or {}) else "data"
        ctx.diags.error(f"Secret {name!r} key {key}: not a docker config: {exc}", m.source.pos((where, key)))
        return None
    ref = ObjectRef.make(kind="Secret", name=m.name, namespace=m.namespace, file=m.source.file,
                         line=m.source.start.line)
    return PullSecret.make(name=name, source=ref, key=key, registries=sorted(creds), images=[], pods=[],
                           value=SecretBytes(json.dumps(creds, sort_keys=True).encode()))
