"""The whole plan, in apply order: host paths, volumes, secrets, pods (with containers)."""

from __future__ import annotations

from pydantic import Field

from kube2pod.plan.base import Frozen
from kube2pod.plan.hostpath import HostPath
from kube2pod.plan.pod import Pod
from kube2pod.plan.secret import Secret
from kube2pod.plan.volume import Volume


class Plan(Frozen):
    sources: list[str] = Field(default_factory=list)
    host_paths: list[HostPath] = Field(default_factory=list)
    volumes: list[Volume] = Field(default_factory=list)
    secrets: list[Secret] = Field(default_factory=list)
    pods: list[Pod] = Field(default_factory=list)
