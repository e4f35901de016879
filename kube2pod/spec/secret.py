"""A podman secret as options (``podman secret create``, the libpod secrets API).

The value is never an option: the script passes it through an environment variable
(``--env NAME VAR``), apply sends the bytes as the request body, and units never hold it
(the pod's service checks that the secret exists).
"""

from __future__ import annotations

from typing import Annotated

from kube2pod.plan import Secret
from kube2pod.plan.base import Frozen
from kube2pod.spec.option import Option, bare, pairs
from kube2pod.spec.version import DEFAULT, Version

_NO_UNIT = {"quadlet": "a secret is created outside the units (its value is never written to one); "
                       "the pod's service checks that it exists"}


#: ``podman secret create --replace`` (REST query ``replace``, also 4.7): the value changes in place.
REPLACE = Option("--replace", None, None, since=Version(4, 7), words=bare, absent={
    "rest": "apply removes its own secret and creates it again (apply/executor.py) and never sends replace",
    **_NO_UNIT})


class SecretSpec(Frozen):
    replace_existing: Annotated[bool, REPLACE] = False
    from_env: Annotated[bool, Option("--env", None, None, words=bare, absent={
        "rest": "the request body is the value itself", **_NO_UNIT})] = False
    labels: Annotated[dict[str, str], Option("--label", "labels", None, words=pairs, absent=_NO_UNIT)] = {}
    name: Annotated[str, Option("", "name", None, absent={"cli": "a positional argument", **_NO_UNIT})]
    env_var: Annotated[str, Option("", None, None, absent={
        "cli": "a positional argument", "rest": "the request body is the value itself", **_NO_UNIT})] = ""


def secret_spec(s: Secret, version: Version = DEFAULT) -> SecretSpec:
    """The script reads the value from the variable ``s.env_var``; ``--replace`` where the target has it."""
    return SecretSpec.make(replace_existing=version >= REPLACE.since, from_env=True, labels=s.labels, name=s.name, env_var=s.env_var)
