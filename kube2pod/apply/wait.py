"""``apply --wait``: until every app container runs and is healthy, or a timeout.

A container is ready when it is seen running on two polls in a row (same
start time) and, if it has a healthcheck (the translated probe), its health
is "healthy".
A container that exited, or was restarted after a failing exit, fails the wait
at once (init containers are not waited for: podman ran them before the start).
"""

from __future__ import annotations

import time

from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import Pod

POLL = 0.5


def until_ready(pods: list[Pod], api: PodmanAPI, timeout: float, emit: Reporter) -> None:
    deadline = time.monotonic() + timeout
    pending = {(p.name, c.name) for p in pods for c in p.containers}
    first_seen: dict[str, str] = {}  # container -> StartedAt when first seen running
    while pending:
        for pod, name in sorted(pending):
            info = api.container_inspect(name)
            state = _state(info)
            if state.startswith("exited"):
                raise ApplyError(f"container {name} of pod {pod} {state} while waiting for it to be ready")
            if state == "ready" and _settled(info, first_seen, name):
                pending.discard((pod, name))
                emit(Event("ready", "container", name, pod=pod))
        if pending and time.monotonic() > deadline:
            names = ", ".join(n for _, n in sorted(pending))
            raise ApplyError(f"not ready after {timeout:g} s: {names}")
        if pending:
            time.sleep(POLL)


def _settled(info: dict, first_seen: dict[str, str], name: str) -> bool:
    """Healthy, or running on two polls in a row with the same start time (a
    command that exits at once is briefly "running")."""
    st = info.get("State") or {}
    if (st.get("Health") or {}).get("Status") == "healthy":
        return True
    started = st.get("StartedAt", "")
    if first_seen.get(name) == started:
        return True
    first_seen[name] = started
    return False


def _state(info: dict) -> str:
    st = info.get("State") or {}
    status = st.get("Status", "")
    if status in ("exited", "stopped"):
        return f"exited with code {st.get('ExitCode', '?')}"
    if info.get("RestartCount") and st.get("ExitCode"):
        return f"exited with code {st['ExitCode']} (restarted {info['RestartCount']} times)"
    if status != "running":
        return status or "unknown"
    health = (st.get("Health") or st.get("Healthcheck") or {}).get("Status", "")
    return "ready" if health in ("", "healthy") else health
