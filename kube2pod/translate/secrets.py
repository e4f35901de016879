"""Kubernetes Secret keys -> podman secrets (plan ``Secret``), one per key used.

Key ``KEY`` of Secret ``NAME`` becomes the podman secret ``NAME-KEY`` (``/``
and other characters podman refuses become ``_``), labelled as kube2pod's and
with its source. Containers get it through ``--secret ...,type=env`` or a
mounted file, so its value never appears in the container's create options.
Podman 4.3 refuses an empty secret: ``use`` returns None for an empty value
and the caller passes the empty string as a plain value instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import SecretBytes

from kube2pod.plan import ObjectRef, Secret
from kube2pod.translate.objects import Source
from kube2pod.plan.ownership_labels import KEY, SHARED, owner_labels

if TYPE_CHECKING:
    from kube2pod.translate.context import Context

PODMAN_SECRET_MAX = 253


def podman_name(secret: str, key: str) -> str:
    """``<secret>-<key>`` with characters outside ``[A-Za-z0-9_.-]`` replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{secret}-{key}")[:PODMAN_SECRET_MAX]


class SecretRegistry:
    """The podman secrets the plan needs, each made once however many containers use it."""

    def __init__(self) -> None:
        self.by_name: dict[str, Secret] = {}
        self._env_vars: dict[str, str] = {}

    def use(self, ctx: Context, source: Source, key: str, path: tuple, kept: bool = False) -> Secret | None:
        """The plan Secret for ``key`` of ``source`` (registered), or None if the value is empty
        or its name clashes with another Secret key (an error at ``path``). A Secret on the host
        (``source.on_host``) already has its podman secrets: the one of ``key`` is used by name,
        and not registered (this plan neither creates nor removes it). ``kept``: the Secret is kept
        on the host for later applies (translate/kept.py), labelled so with its key."""
        value = source.values[key]
        if not value:
            return None
        m = source.manifest
        name = podman_name(m.name, key)
        ref = ObjectRef.make(kind="Secret", name=m.name, namespace=m.namespace, file=m.source.file,
                             line=m.source.start.line)
        if source.on_host:
            return Secret.make(name=name, source=ref, secret=m.name, key=key)
        secret = Secret.make(name=name, source=ref, secret=m.name, key=key,
                             labels=_labels(m, key, kept), value=SecretBytes(value))
        prev = self.by_name.get(name)
        if prev is not None and (prev.secret, prev.key, prev.source.namespace) != (m.name, key, m.namespace):
            ctx.error(path, f"Secret {m.name} key {key!r} and Secret {prev.secret} key {prev.key!r} "
                            f"both become the podman secret {name!r}", "rename one of the keys")
            return None
        other = self._env_vars.get(secret.env_var)
        if other is not None and other != name:
            ctx.error(path, f"podman secrets {name!r} and {other!r} share the script variable {secret.env_var}",
                      "rename one of the keys")
            return None
        self.by_name[name] = secret
        self._env_vars[secret.env_var] = name
        return secret

    def secrets(self) -> list[Secret]:
        return list(self.by_name.values())


def _labels(m, key: str, kept: bool) -> dict[str, str]:
    labels = dict(owner_labels("Secret", m.namespace, m.name))
    if kept:
        labels.update({SHARED: "true", KEY: key})
    return labels
