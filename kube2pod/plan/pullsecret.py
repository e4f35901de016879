"""Registry credentials from an ``imagePullSecrets`` Secret, for the pulls of the images that name it.

The credentials are never serialised: the plan's serialisation leaves the whole list out
(``Plan.pull_secrets`` is excluded) and ``value`` is masked in ``repr``. apply sends them with each
pull (``X-Registry-Auth``); the script reads them from the variable ``env_var`` into an auth file of
its own (render/shell.py); the units read the auth file the user writes at a fixed path
(spec/authfile.py).
"""

from __future__ import annotations

import base64
import json
import re

from pydantic import Field, SecretBytes

from kube2pod.plan.base import Frozen, ObjectRef


#: Docker Hub: the registry an image reference without one names; its other host names in docker configs.
DOCKER_HUB, DOCKER_HUB_ALIASES = "docker.io", ("index.docker.io", "registry-1.docker.io")


def hub(host: str) -> str:
    """A registry host with Docker Hub's other names read as ``docker.io``."""
    return DOCKER_HUB if host in DOCKER_HUB_ALIASES else host


class PullSecret(Frozen):
    """Secret ``name`` (type dockerconfigjson or dockercfg) as ``{registry: {"username", "password"}}``
    JSON in ``value``; ``key`` the Secret's key that held it (``.dockerconfigjson``: ``{"auths": {...}}``,
    ``.dockercfg``: the registries at the top); ``registries`` its registries (not secret); ``images``
    those it is used for, by the pods ``pods`` (plan pod names) that name it."""

    name: str
    source: ObjectRef
    key: str = ".dockerconfigjson"
    registries: list[str] = []
    images: list[str] = []
    pods: list[str] = []
    value: SecretBytes = Field(default=SecretBytes(b""), exclude=True, repr=False)

    def data(self) -> bytes:
        return self.value.get_secret_value()

    @property
    def ident(self) -> str:
        """The name the outputs give its credentials: ``NAME``, or ``NAMESPACE.NAME`` outside ``default``."""
        ns = self.source.namespace
        return self.name if ns in (None, "", "default") else f"{ns}.{self.name}"

    @property
    def env_var(self) -> str:
        """``K2P_PULL_SECRET_<IDENT>``: upper case, every other character ``_`` (the script reads it)."""
        return "K2P_PULL_SECRET_" + re.sub(r"[^A-Z0-9]", "_", self.ident.upper())

    def config(self) -> bytes:
        """The credentials as the Secret's key holds them (``auth``: base64 of ``user:password``)."""
        entries = {registry: {"auth": base64.b64encode(f"{c['username']}:{c['password']}".encode()).decode()}
                   for registry, c in json.loads(self.data()).items()}
        return json.dumps({"auths": entries} if self.key == ".dockerconfigjson" else entries).encode()
