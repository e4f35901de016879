"""A Kubernetes container -> a plan Container.

name -> ``<pod>-<name>``; image; imagePullPolicy -> pull policy; command/args
-> entrypoint/command (Kubernetes semantics, ``$(VAR)``-expanded); workingDir
-> workdir; envFrom/env -> env and secret env (translate/env.py);
volumeMounts -> mounts; resources -> cgroup limits (translate/resources.py);
securityContext (+ the pod's) -> user, groups, capabilities, security options
(translate/security.py); livenessProbe/startupProbe -> healthcheck
(translate/probes.py); tty -> ``--tty``; stdin -> ``--interactive``;
lifecycle.stopSignal -> ``--stop-signal``; pod labels -> container labels.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable

from kube2pod.plan import Container
from kube2pod.translate.command import entrypoint_and_command
from kube2pod.translate.context import Context
from kube2pod.translate.env import container_env, host_names_in, pod_spec, secret_names_in
from kube2pod.translate.mounts import container_mounts, image_mounts
from kube2pod.translate.probes import healthcheck
from kube2pod.translate.pullpolicy import pull_policy
from kube2pod.translate.resources import container_resources
from kube2pod.translate.security import security_fields
from kube2pod.translate.volumes import Resolved


def translate_container(
    ctx: Context,
    index: int,
    container,
    pod_name: str,
    resolved: dict[str, Resolved],
    relabel: Callable[[str], str],
    labels: dict[str, str],
    field: str = "containers",
) -> Container | None:
    cpath = (field, index)
    image = container.image or ""
    policy = pull_policy(container.image_pull_policy, image)
    if not image or policy is None:
        return None  # no image, or an unknown pull policy: refused by the loader (load/validate.py)
    spec = pod_spec(ctx)
    env, secret_env, host_env = container_env(ctx, cpath, container, pod_name)
    _warn_secret_refs(ctx, cpath, container, {s.name: s.secret for s in secret_env})
    _warn_host_refs(ctx, cpath, container, {h.name: h.fact for h in host_env})
    values = {e.name: e.value for e in env}
    entrypoint, command = entrypoint_and_command(container.command, container.args, values)
    mounts, devices = container_mounts(ctx, cpath, container, resolved, relabel, values)
    resources = container_resources(ctx, cpath, container)
    security = security_fields(ctx, cpath, container, spec.security_context)
    stop_signal = _stop_signal(ctx, cpath, container)
    if resources is None or security is None or stop_signal is False:
        return None
    return Container.make(
        name=f"{pod_name}-{container.name}",
        image=image,
        pull_policy=policy,
        entrypoint=entrypoint,
        command=command,
        workdir=container.working_dir or "",
        env=env,
        secret_env=secret_env,
        host_env=host_env,
        mounts=mounts,
        image_mounts=image_mounts(ctx, cpath, container, resolved),
        devices=devices,
        **resources,
        **security,
        tty=bool(container.tty),
        stdin=bool(container.stdin),
        stop_signal=stop_signal,
        healthcheck=healthcheck(ctx, cpath, container, spec.restart_policy),
        labels=dict(labels),
    )


def _warn_secret_refs(ctx: Context, cpath: tuple, container, secret_env: dict[str, str]) -> None:
    for key, items in (("command", container.command), ("args", container.args)):
        for i, text in enumerate(items or []):
            for name in secret_names_in(text, secret_env):
                ctx.warning(cpath + (key, i), f"$({name}) is not expanded: {name} comes from a Secret and "
                            "kube2pod keeps secret values out of the container's command line",
                            f"use a shell: [sh, -c, '... \"${name}\"']")


def _warn_host_refs(ctx: Context, cpath: tuple, container, host_env: dict[str, str]) -> None:
    for key, items in (("command", container.command), ("args", container.args)):
        for i, text in enumerate(items or []):
            for name in host_names_in(text, host_env):
                ctx.warning(cpath + (key, i), f"$({name}) is not expanded: {name} is a value of the host or of the "
                            "pod's address, known after translation", f"use a shell: [sh, -c, '... \"${name}\"']")


def _stop_signal(ctx: Context, cpath: tuple, container) -> int | None | bool:
    """lifecycle.stopSignal as a signal number; None when unset, False after an error."""
    lifecycle = container.lifecycle
    name = getattr(lifecycle, "stop_signal", None) if lifecycle is not None else None
    if not name:
        return None
    number = signal_number(name)
    if number is None:
        ctx.error(cpath + ("lifecycle", "stopSignal"), f"unknown signal {name!r}")
        return False
    return number


def signal_number(name: str) -> int | None:
    """``SIGTERM`` / ``TERM`` / ``SIGRTMIN+3`` / ``SIGRTMAX-1`` -> the Linux signal number."""
    name = name.upper()
    if not name.startswith("SIG"):
        name = "SIG" + name
    m = re.fullmatch(r"(SIGRTMIN|SIGRTMAX)([+-]\d+)?", name)
    if m:
        value = int(getattr(signal, m.group(1))) + int(m.group(2) or 0)
        return value if signal.SIGRTMIN <= value <= signal.SIGRTMAX else None
    sig = signal.Signals.__members__.get(name)
    return int(sig) if sig is not None else None
