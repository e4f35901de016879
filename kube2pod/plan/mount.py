"""Mounts of a container: host binds, named volumes, devices."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from kube2pod.plan.base import Frozen


class BindMount(Frozen):
    """``--mount type=bind,source=...,destination=...[,ro][,z|Z][,propagation]``."""

    type: Literal["bind"] = "bind"
    source: str
    destination: str
    read_only: bool = False
    relabel: Literal["", "z", "Z"] = ""
    propagation: Literal["", "private", "rslave", "rshared"] = ""


class VolumeMount(Frozen):
    """``--mount type=volume,source=<volume>,destination=...[,ro][,subpath]``."""

    type: Literal["volume"] = "volume"
    volume: str
    destination: str
    read_only: bool = False
    subpath: str = ""


Mount = Annotated[Union[BindMount, VolumeMount], Field(discriminator="type")]


class ImageMount(Frozen):
    """``--mount type=image,source=<image>,destination=...`` (an image volume: read-only);
    ``pull_policy``: how the image is got before the container starts (podman does not pull it)."""

    image: str
    destination: str
    pull_policy: str = "missing"


class DeviceMapping(Frozen):
    """``--device host_path[:container_path]`` (hostPath CharDevice/BlockDevice)."""

    host_path: str
    container_path: str


class SecretFile(Frozen):
    """``--secret SECRET,type=mount,target=/abs/path,mode=0NNN``: one key of a secret volume
    as a read-only file (the value lives in podman's secret store, never in the plan output)."""

    secret: str
    target: str
    mode: int = 0o644
