"""The whole plan, in apply order: host paths, networks, volumes, secrets, pods (with containers)."""

from __future__ import annotations

from kube2pod.plan.base import Frozen
from kube2pod.plan.hostpath import HostPath
from kube2pod.plan.network import Network
from kube2pod.plan.pod import Pod
from kube2pod.plan.secret import Secret
from kube2pod.plan.service import ServiceRecord
from kube2pod.plan.volume import Volume


class Plan(Frozen):
    sources: list[str] = []
    host_paths: list[HostPath] = []
    networks: list[Network] = []
    volumes: list[Volume] = []
    secrets: list[Secret] = []
    pods: list[Pod] = []
    services: list[ServiceRecord] = []  # what the Services became (comments, status)
