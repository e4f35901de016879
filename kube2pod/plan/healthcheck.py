"""A container healthcheck (``podman create --health-*``), from a liveness probe."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen


class Healthcheck(Frozen):
    """``test`` is ``["CMD", argv...]`` (run directly) or ``["CMD-SHELL", script]``;
    durations are whole seconds; ``on_failure`` is podman's ``--health-on-failure``."""

    test: list[str]
    interval: int = 10
    timeout: int = 1
    retries: int = 3
    start_period: int = 0
    on_failure: Literal["none", "kill", "restart", "stop"] = "none"
