"""What the host has for the pods of a plan: pod and container states, and drift.

``observe(api, pods)`` reads, for each plan pod, the Podman pod of that name
(one inspect) and, for every pod that exists, its containers (one listing for
all of them), and returns an :class:`ObservedPod` per pod name. It changes
nothing. apply's decisions (decisions.py) use it; it is also what a status
view reads (for a pod on the host without manifests, observe the pod decoded
from its ``io.kube2pod.definition`` label, labels.decode).

Per pod: whether it exists, is kube2pod's, its project, its Podman state and
whether its ``io.kube2pod.hash`` matches the plan's. Per planned container
(init containers first): present, Podman state, exit code, restart count
(None where Podman's listing does not give it), ID, and whether kube2pod
created it (it carries ``io.kube2pod.managed=true`` and the pod's hash).

Drift (``ObservedPod.drift``) is what was changed by hand on the host under an
unchanged spec:

* ``container X was removed``: an app container, or an init container of type
  ``always``, is missing (Podman removes a ``once`` init container after it
  ran, so that one missing is not drift);
* ``container X was replaced``: a container of that name is in the pod but
  kube2pod did not create it for this pod (no ownership labels, or another
  hash).

Containers of the pod that the plan does not name (other than the infra
container) are listed in ``ObservedPod.extra``; they are not drift.

``applied_pods(api, project)`` gives the plan pods of what is on the host
without manifests: each kube2pod pod's stored definition, or (a pod made by
the shell script) a pod of its listed containers.
"""

from __future__ import annotations

from dataclasses import dataclass

from kube2pod.apply import labels
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import Container, ObjectRef, Pod
from kube2pod.plan import ownership_labels

RUNNING = frozenset({"running", "paused", "stopping"})  # alive: nothing to start
NEVER_RAN = frozenset({"created", "configured", "initialized"})  # created, never started
POD_RUNNING = frozenset({"Running", "Degraded"})


@dataclass(frozen=True)
class ObservedContainer:
    """One planned container as the host has it; ``present`` False: no container of that name."""

    name: str
    init: bool = False
    init_type: str = ""  # once | always, for init containers
    restart_policy: str = ""  # the plan's: always | on-failure | no
    present: bool = False
    id: str = ""
    state: str = ""  # Podman's: created, running, exited, stopped, paused, ...
    exit_code: int | None = None  # of its last run; None when it never ran
    restart_count: int | None = None  # None: not given by Podman's listing
    created_by_kube2pod: bool = False

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def never_ran(self) -> bool:
        return self.state in NEVER_RAN

    @property
    def exited(self) -> bool:
        """Present, ran, and not alive any more (exited, stopped, or an unknown state)."""
        return self.present and not self.running and not self.never_ran


@dataclass(frozen=True)
class ObservedPod:
    """A plan pod as the host has it; ``exists`` False: no pod of that name."""

    name: str
    exists: bool = False
    owned: bool = False  # carries io.kube2pod.managed=true
    project: str = ""
    id: str = ""
    state: str = ""  # Podman's pod state: Created, Running, Degraded, Exited, Stopped, ...
    hash: str = ""  # its io.kube2pod.hash
    wanted_hash: str = ""  # the plan's
    definition: str = ""  # io.kube2pod.definition (what a rollback re-creates)
    created: str = ""  # Podman's creation time (RFC 3339)
    ports: tuple[str, ...] = ()  # published: [HOST_IP:]HOST_PORT->PORT/PROTO
    infra_running: bool = False
    containers: tuple[ObservedContainer, ...] = ()  # the plan's, init containers first
    extra: tuple[str, ...] = ()  # containers in the pod the plan does not name (infra excluded)

    @property
    def hash_matches(self) -> bool:
        return self.exists and self.hash == self.wanted_hash

    @property
    def running(self) -> bool:
        """Some container of it runs (Podman's Running or Degraded)."""
        return self.state in POD_RUNNING

    @property
    def app(self) -> tuple[ObservedContainer, ...]:
        return tuple(c for c in self.containers if not c.init)

    @property
    def drift(self) -> tuple[str, ...]:
        """What was removed or replaced by hand (see the module docstring)."""
        if not self.exists:
            return ()
        out = []
        for c in self.containers:
            if not c.present:
                if not c.init or c.init_type == "always":
                    out.append(f"container {c.name} was removed")
            elif not c.created_by_kube2pod:
                out.append(f"container {c.name} was replaced")
        return tuple(out)


def observe(api: PodmanAPI, pods: list[Pod]) -> dict[str, ObservedPod]:
    """Each plan pod's ``ObservedPod``, by name: one inspect per pod, one container listing in all."""
    infos = {pod.name: api.pod_inspect(pod.name) for pod in pods}
    ids = [info["Id"] for info in infos.values() if info and info.get("Id")]
    listed = {}
    if ids:
        for entry in api.containers_of_pods(ids):
            for name in entry.get("Names") or []:
                listed[(entry.get("Pod", ""), name)] = entry
    return {pod.name: _pod(pod, infos[pod.name], listed) for pod in pods}


def _pod(pod: Pod, info: dict | None, listed: dict) -> ObservedPod:
    wanted = pod.labels.get(ownership_labels.HASH, "")
    if info is None:
        return ObservedPod(pod.name, wanted_hash=wanted,
                           containers=tuple(_planned(c, init) for init, c in _containers(pod)))
    have = info.get("Labels") or {}
    members = {c.get("Name"): c for c in info.get("Containers") or []}
    infra = info.get("InfraContainerID", "")
    planned = {c.name for _, c in _containers(pod)}
    containers = tuple(_container(c, init, members.get(c.name), listed.get((info.get("Id", ""), c.name)),
                                  have.get(ownership_labels.HASH, ""))
                       for init, c in _containers(pod))
    return ObservedPod(
        pod.name, exists=True, owned=labels.owned(have), project=have.get(labels.PROJECT, ""),
        id=info.get("Id", ""), state=info.get("State", ""), hash=have.get(ownership_labels.HASH, ""),
        wanted_hash=wanted, definition=have.get(labels.DEFINITION, ""), created=str(info.get("Created", "")),
        ports=_ports(info),
        infra_running=any(m.get("Id") == infra and m.get("State") in RUNNING for m in members.values()),
        containers=containers,
        extra=tuple(sorted(n for n, m in members.items() if n not in planned and m.get("Id") != infra)),
    )


def _ports(info: dict) -> tuple[str, ...]:
    """The pod's published ports, as ``podman ps`` writes them."""
    bindings = (info.get("InfraConfig") or {}).get("PortBindings") or {}
    return tuple(f"{b.get('HostIp') + ':' if b.get('HostIp') else ''}{b.get('HostPort', '')}->{port}"
                 for port, bound in sorted(bindings.items()) for b in bound or [])


def applied_pods(api: PodmanAPI, project: str | None = None) -> list[Pod]:
    """The kube2pod pods on the host (of ``project`` when given), by name: each its stored
    definition, else (made by the shell script, or unreadable) its listed containers."""
    return [_applied(entry) for entry in sorted(api.pods(*labels.mine(project)), key=lambda e: e.get("Name", ""))]


def _applied(entry: dict) -> Pod:
    have = entry.get("Labels") or {}
    try:
        return labels.decode(have[labels.DEFINITION])
    except (KeyError, ValueError):
        pass
    containers = [Container.make(name=c["Names"], image="") for c in entry.get("Containers") or []
                  if c.get("Id") != entry.get("InfraId") and c.get("Names")]
    return Pod.make(name=entry.get("Name", ""), source=source_ref(have), containers=containers,
                    labels={k: v for k, v in have.items() if k != labels.DEFINITION})


def source_ref(have: dict) -> ObjectRef:
    """The manifest object an ``io.kube2pod.source=Kind/namespace/name`` label names."""
    kind, _, rest = have.get(ownership_labels.SOURCE, "").partition("/")
    namespace, _, name = rest.partition("/")
    return ObjectRef.make(kind=kind, name=name, namespace=namespace or None)


def _containers(pod: Pod) -> list[tuple[bool, Container]]:
    return [(True, c) for c in pod.init_containers] + [(False, c) for c in pod.containers]


def _planned(c: Container, init: bool) -> ObservedContainer:
    return ObservedContainer(c.name, init=init, init_type=c.init_type, restart_policy=c.restart_policy)


def _container(c: Container, init: bool, member: dict | None, entry: dict | None, pod_hash: str) -> ObservedContainer:
    """``member``: the pod inspect's entry (ID, state); ``entry``: the container listing's (labels, exit code)."""
    if member is None:
        return _planned(c, init)
    state = (member.get("State") or (entry or {}).get("State") or "").lower()
    have = (entry or {}).get("Labels") or {}
    restarts = (entry or {}).get("Restarts")
    return ObservedContainer(
        c.name, init=init, init_type=c.init_type, restart_policy=c.restart_policy, present=True,
        id=member.get("Id", ""), state=state,
        exit_code=None if state in NEVER_RAN or entry is None else int(entry.get("ExitCode") or 0),
        restart_count=restarts if isinstance(restarts, int) else None,
        created_by_kube2pod=labels.owned(have) and have.get(ownership_labels.HASH) == pod_hash,
    )
