"""The whole plan, in apply order: host paths, networks, volumes, secrets, pods (with containers)."""

from __future__ import annotations

from pydantic import Field

from kube2pod.plan.base import Frozen
from kube2pod.plan.hostpath import HostPath
from kube2pod.plan.network import Network
from kube2pod.plan.pod import Pod
from kube2pod.plan.pullsecret import PullSecret
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
    # credentials for apply's pulls only: never serialised (plan/pullsecret.py)
    pull_secrets: list[PullSecret] = Field(default=[], exclude=True, repr=False)
