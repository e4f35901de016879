"""initContainers -> pod init containers (``podman create --init-ctr once|always``).

Each is translated like a container (named ``<pod>-<name>``) and created
before the pod's containers; podman runs them in order, each to completion,
before it starts the others. ``once`` (the default) runs them on the pod's
first start only, ``always`` on every start (the
``io.podman.annotations.init.container.type`` annotation). Like Kubernetes and
kube play, an init container with lifecycle or a probe is refused (by the
loader, as are name clashes); a sidecar (restartPolicy: Always) is refused here.
"""

from __future__ import annotations

from collections.abc import Callable

from kube2pod.plan import Container
from kube2pod.translate.container import translate_container
from kube2pod.translate.context import Context
from kube2pod.translate.volumes import Resolved


def init_containers(
    ctx: Context,
    spec,
    pod_name: str,
    resolved: dict[str, Resolved],
    relabel: Callable[[str], str],
    labels: dict[str, str],
    init_type: str,
) -> list[tuple[int, object, Container]]:
    """(index, Kubernetes container, plan container) for each init container, in order."""
    out: list[tuple[int, object, Container]] = []
    for i, c in enumerate(spec.init_containers or []):
        path = ("initContainers", i)
        if c.restart_policy == "Always":
            ctx.error(path + ("restartPolicy",), f"init container {c.name!r}: sidecar init containers "
                      "(restartPolicy: Always) are not supported", "make it a regular container")
            continue
        tc = translate_container(ctx, i, c, pod_name, resolved, relabel, labels, field="initContainers")
        if tc is not None:
            out.append((i, c, tc.replace(init_type=init_type)))
    return out
