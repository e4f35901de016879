"""A Kubernetes container -> a plan Container.

name -> ``<pod>-<name>``; image; imagePullPolicy -> pull policy; command/args
-> entrypoint/command (Kubernetes semantics); workingDir -> workdir; env
(plain values, ``$(VAR)``-expanded) -> env; volumeMounts -> mounts;
securityContext.capabilities add/drop -> cap_add/cap_drop; pod labels and
annotations -> container labels and annotations (as kube play does).
"""

from __future__ import annotations

from collections.abc import Callable

from kube2pod.plan import Container, EnvVar
from kube2pod.translate.command import entrypoint_and_command
from kube2pod.translate.context import Context
from kube2pod.translate.expansion import expand
from kube2pod.translate.mounts import container_mounts
from kube2pod.translate.pullpolicy import pull_policy
from kube2pod.translate.volumes import Resolved


def translate_container(
    ctx: Context,
    index: int,
    container,
    pod_name: str,
    resolved: dict[str, Resolved],
    relabel: Callable[[str], str],
    labels: dict[str, str],
) -> Container | None:
    cpath = ("containers", index)
    image = container.image or ""
    if not image:
        ctx.error(cpath, f"container {container.name!r} has no image")
        return None
    policy = pull_policy(container.image_pull_policy, image)
    if policy is None:
        ctx.error(cpath + ("imagePullPolicy",), f"unknown imagePullPolicy {container.image_pull_policy!r}",
                  "one of: Always, IfNotPresent, Never")
        return None
    env = _env(ctx, cpath, container)
    envmap = {e.name: e.value for e in env}
    entrypoint, command = entrypoint_and_command(container.command, container.args, envmap)
    mounts, devices = container_mounts(ctx, cpath, container, resolved, relabel)
    cap_add, cap_drop = _capabilities(container)
    return Container(
        name=f"{pod_name}-{container.name}",
        image=image,
        pull_policy=policy,
        entrypoint=entrypoint,
        command=command,
        workdir=container.working_dir or "",
        env=env,
        mounts=mounts,
        devices=devices,
        cap_add=cap_add,
        cap_drop=cap_drop,
        labels=dict(labels),
    )


def _env(ctx: Context, cpath: tuple, container) -> list[EnvVar]:
    """Plain env values in order, each expanded against the ones before it; a later duplicate wins."""
    values: dict[str, str] = {}
    for k, var in enumerate(container.env or []):
        if var.value_from is not None:
            ctx.error(cpath + ("env", k, "valueFrom"), f"env {var.name!r}: valueFrom is not supported yet")
            continue
        values[var.name] = expand(var.value or "", values)
    return [EnvVar(name=n, value=v) for n, v in values.items()]


def _capabilities(container) -> tuple[list[str], list[str]]:
    sc = container.security_context
    caps = sc.capabilities if sc is not None else None
    if caps is None:
        return [], []
    return [_cap(c) for c in caps.add or []], [_cap(c) for c in caps.drop or []]


def _cap(name: str) -> str:
    """Kubernetes ``NET_ADMIN`` / ``CAP_NET_ADMIN`` -> podman ``CAP_NET_ADMIN``; ``ALL`` stays."""
    name = str(name).upper()
    if name == "ALL" or name.startswith("CAP_"):
        return name
    return "CAP_" + name
