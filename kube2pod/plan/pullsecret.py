"""Registry credentials from an ``imagePullSecrets`` Secret, for the pulls of the images that name it.

The credentials never leave apply: the plan's serialisation leaves the whole list out
(``Plan.pull_secrets`` is excluded) and ``value`` is masked in ``repr``. apply sends them with each
pull (``X-Registry-Auth``); the script and the units name the registries to ``podman login`` to.
"""

from __future__ import annotations

from pydantic import Field, SecretBytes

from kube2pod.plan.base import Frozen, ObjectRef


class PullSecret(Frozen):
    """Secret ``name`` (type dockerconfigjson or dockercfg) as ``{registry: {"username", "password"}}``
    JSON in ``value``; ``registries`` its registries (not secret); ``images`` those it is used for."""

    name: str
    source: ObjectRef
    registries: list[str] = []
    images: list[str] = []
    value: SecretBytes = Field(default=SecretBytes(b""), exclude=True, repr=False)

    def data(self) -> bytes:
        return self.value.get_secret_value()
