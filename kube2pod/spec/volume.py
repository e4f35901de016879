"""A named volume as podman options (``podman volume create``, libpod VolumeCreateOptions,
Quadlet ``.volume``). What goes into the volume afterwards (configMap files) is a host step
(render/volume_script.py, apply/volume_content.py), not an option."""

from __future__ import annotations

from typing import Annotated

from kube2pod.plan import Volume
from kube2pod.plan.base import Frozen
from kube2pod.spec.option import Option, mapping, pairs

_POSITIONAL = {"cli": "the last argument of podman volume create"}


class VolumeSpec(Frozen):
    name: Annotated[str, Option("", "Name", "VolumeName", absent=_POSITIONAL)]
    driver: Annotated[str, Option("--driver", "Driver", "Driver")] = ""
    labels: Annotated[dict[str, str], Option("--label", "Label", "Label", words=pairs, body=mapping,
                                             unit="words")] = {}
    options: Annotated[dict[str, str], Option("--opt", "Options", "PodmanArgs", words=pairs, body=mapping,
                                              unit="volume-option")] = {}


#: Volume options with a Quadlet key of their own; the others go through ``PodmanArgs=--opt``.
QUADLET_OPTION_KEYS = {"type": "Type", "device": "Device", "o": "Options"}


def volume_spec(v: Volume) -> VolumeSpec:
    return VolumeSpec.make(name=v.name, driver=v.driver, labels=v.labels, options=v.options)
