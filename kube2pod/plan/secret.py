"""A podman secret holding one key of a Kubernetes Secret (``podman secret create``).

The value is kept in the plan for the executor and for opt-in embedding, but it
is never serialised: ``model_dump``/JSON leave ``value`` out and ``repr`` masks it.
"""

from __future__ import annotations

import re

from pydantic import Field, SecretBytes

from kube2pod.plan.base import Frozen, ObjectRef


class Secret(Frozen):
    """``podman secret create --label ... NAME`` with the bytes of Secret ``secret`` key ``key``.

    Containers reach it as ``--secret NAME,type=env,target=VAR`` (env) or as a
    mounted file; ``env_var`` names the variable a shell script reads the value from.
    """

    name: str
    source: ObjectRef
    secret: str
    key: str
    labels: dict[str, str] = {}
    value: SecretBytes = Field(default=SecretBytes(b""), exclude=True, repr=False)

    @property
    def env_var(self) -> str:
        """``K2P_SECRET_<SECRET>_<KEY>``: upper case, every other character ``_``."""
        return "K2P_SECRET_" + re.sub(r"[^A-Z0-9]", "_", f"{self.secret}_{self.key}".upper())

    def data(self) -> bytes:
        return self.value.get_secret_value()
