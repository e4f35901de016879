"""initContainers -> pod init containers (``podman create --init-ctr once|always``) and native
sidecars.

Each is translated like a container (named ``<pod>-<name>``). An init container is created
before the pod's containers; podman runs them in order, each to completion, before it starts
the others. ``once`` (the default) runs them on the pod's first start only, ``always`` on
every start (the ``io.podman.annotations.init.container.type`` annotation). Like Kubernetes
and kube play, an init container with lifecycle or a probe is refused (by the loader, as are
name clashes).

A native sidecar (``restartPolicy: Always``) becomes a regular container of the pod with
``--restart always`` (whatever the pod's restartPolicy, as the kubelet restarts sidecars),
placed before the app containers; every app container ``--requires`` the sidecars, so podman
starts them first (its pod start follows the dependency graph, after all init containers),
and the Quadlet units order the app services ``After=`` the sidecars' (systemd stops them in
reverse: the app first). Kubernetes starts a sidecar before the init containers that follow it;
podman runs every init container first, so such an init container is warned about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from kube2pod.plan import Container
from kube2pod.translate.container import translate_container
from kube2pod.translate.context import Context
from kube2pod.translate.volumes import Resolved


class InitContainers(NamedTuple):
    """(index, Kubernetes container, plan container) of the init containers and of the sidecars, in order."""

    inits: list[tuple[int, object, Container]]
    sidecars: list[tuple[int, object, Container]]


def init_containers(
    ctx: Context,
    spec,
    pod_name: str,
    resolved: dict[str, Resolved],
    relabel: Callable[[str], str],
    labels: dict[str, str],
    init_type: str,
) -> InitContainers:
    out = InitContainers([], [])
    for i, c in enumerate(spec.init_containers or []):
        sidecar = c.restart_policy == "Always"
        if not sidecar and out.sidecars:
            first = out.sidecars[0][1].name
            ctx.warning(("initContainers", i), f"init container {c.name!r} runs before sidecar {first!r}: "
                        "podman starts sidecars after every init container (Kubernetes starts it before)",
                        "move the sidecar after the init containers, or make it a regular container")
        tc = translate_container(ctx, i, c, pod_name, resolved, relabel, labels, field="initContainers")
        if tc is None:
            continue
        if sidecar:
            out.sidecars.append((i, c, tc))
        else:
            out.inits.append((i, c, tc.replace(init_type=init_type)))
    return out
