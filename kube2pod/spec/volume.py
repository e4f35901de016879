"""A named volume as podman options (``podman volume create``, libpod VolumeCreateOptions,
Quadlet ``.volume``). What goes into the volume afterwards (configMap files) is a host step
(render/volume_script.py, apply/volume_content.py), not an option."""

from __future__ import annotations

from typing import Annotated

from kube2pod.plan import Volume
from kube2pod.plan.base import Frozen
from kube2pod.spec.option import Feature, Option, bare, mapping, pairs
from kube2pod.spec.version import DEFAULT, Version

_POSITIONAL = {"cli": "the last argument of podman volume create"}
#: ``podman volume create --ignore`` (REST query ``ignoreIfExist``, also 4.4): an existing volume of
#: the name is left as it is.
IGNORE = Option("--ignore", None, None, since=Version(4, 4), words=bare, absent={
    "rest": "apply decides from what Podman has (apply/decisions.py) and never sends ignoreIfExist",
    "quadlet": "Quadlet's volume service passes --ignore itself"})


class VolumeSpec(Frozen):
    ignore: Annotated[bool, IGNORE] = False
    name: Annotated[str, Option("", "Name", "VolumeName", absent=_POSITIONAL, since_by={"quadlet": Version(4, 7)})]
    driver: Annotated[str, Option("--driver", "Driver", "Driver", since_by={"quadlet": Version(4, 8)})] = ""
    labels: Annotated[dict[str, str], Option("--label", "Label", "Label", words=pairs, body=mapping,
                                             unit="words")] = {}
    options: Annotated[dict[str, str], Option("--opt", "Options", "PodmanArgs", words=pairs, body=mapping,
                                              unit="volume-option", features=lambda opts: _unit_args(opts))] = {}


#: Volume options with a Quadlet key of their own; the others go through ``PodmanArgs=--opt``.
QUADLET_OPTION_KEYS = {"type": "Type", "device": "Device", "o": "Options"}


def _unit_args(options: dict) -> list[Feature]:
    """A volume option without a Quadlet key of its own goes through ``PodmanArgs=`` of the
    ``.volume`` unit, which Quadlet has since 4.6."""
    return [Feature(f"--opt {k} (PodmanArgs= of a .volume unit)", Version(4, 0), since_by={"quadlet": Version(4, 6)})
            for k in options if k not in QUADLET_OPTION_KEYS]


def volume_spec(v: Volume, version: Version = DEFAULT) -> VolumeSpec:
    """``--ignore`` where the target has it: the script then checks ownership after creating."""
    return VolumeSpec.make(ignore=version >= IGNORE.since, name=v.name, driver=v.driver, labels=v.labels, options=v.options)
