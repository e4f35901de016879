"""A Service as kube2pod emulates it: no podman object of its own (but its proxy pod), recorded in
the plan so that the script's comments, the JSON plan and ``kube2pod status`` can show it."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen, ObjectRef


class ServiceRecord(Frozen):
    """``mechanism``: ``aliases`` (its names on the selected pods), ``proxy`` (the pod ``proxy``
    holds its names and forwards), ``headless`` (its names on every selected pod); ``names`` it
    answers to; ``ports`` ``PORT[->TARGET]/PROTO``; ``endpoints``: the selected pods;
    ``host_ports``: NodePort/LoadBalancer ports published on the host."""

    name: str
    source: ObjectRef
    mechanism: Literal["aliases", "proxy", "headless"]
    names: list[str] = []
    ports: list[str] = []
    endpoints: list[str] = []
    proxy: str = ""
    host_ports: list[int] = []
