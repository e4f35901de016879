"""resources -> cgroup limits, as the kubelet sets them.

- limits.memory -> ``--memory`` and ``--memory-swap`` (the same: no swap, as Kubernetes); requests.memory -> ``--memory-reservation`` (as kube play)
- limits.cpu -> ``--cpu-quota``/``--cpu-period``: quota = millicores x 100 per 100000 us period, at least 1000 (Kubernetes' minimum)
- requests.cpu (defaulting to limits.cpu) -> ``--cpu-shares`` = millicores x 1024 / 1000, at least 2
Other resources are warned about and ignored. Invalid quantities and a request above its limit are the
loader's errors (load/validate.py); such a container is skipped.
"""

from __future__ import annotations

import math

from kube2pod.translate.context import Context
from kube2pod.translate.quantity import bytes_of, parse

CPU_PERIOD = 100_000
MIN_QUOTA = 1000
MIN_SHARES = 2
KNOWN = ("cpu", "memory")


def container_resources(ctx: Context, cpath: tuple, container) -> dict | None:
    """Container fields memory, memory_reservation, cpu_quota, cpu_shares; None after an error."""
    res = container.resources
    if res is None:
        return {}
    path = cpath + ("resources",)
    limits, requests = dict(res.limits or {}), dict(res.requests or {})
    for kind, values in (("limits", limits), ("requests", requests)):
        for name in values:
            if name not in KNOWN:
                ctx.warning(path + (kind, name), f"resources.{kind}.{name} is ignored: Podman limits only cpu and memory")
    out: dict = {}
    parsed = {}
    for kind, values in (("limits", limits), ("requests", requests)):
        for name in KNOWN:
            if name in values:
                q = bytes_of(str(values[name])) if name == "memory" else _millis(values[name])
                if q is None:
                    return None  # refused by the loader
                parsed[(kind, name)] = q
    if ("limits", "memory") in parsed:
        out["memory"] = parsed[("limits", "memory")]
        out["memory_swap"] = out["memory"]  # Kubernetes runs without swap
    if ("requests", "memory") in parsed:
        out["memory_reservation"] = parsed[("requests", "memory")]
    if ("limits", "cpu") in parsed:
        out["cpu_quota"] = max(MIN_QUOTA, parsed[("limits", "cpu")] * CPU_PERIOD // 1000)
        out["cpu_period"] = CPU_PERIOD
    shares_from = parsed.get(("requests", "cpu"), parsed.get(("limits", "cpu")))
    if shares_from is not None:
        out["cpu_shares"] = max(MIN_SHARES, shares_from * 1024 // 1000)
    return out


def _millis(text) -> int | None:
    """A cpu quantity in millicores, rounded up (Kubernetes keeps millicore precision)."""
    value = parse(str(text))
    if value is None or value < 0:
        return None
    return math.ceil(value * 1000)

