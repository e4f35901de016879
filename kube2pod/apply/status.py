"""``kube2pod status``: what runs, whether it is ready, and what differs from the manifests.

``collect(api, pods, volumes, project)`` reads the host and changes nothing: observed.py (one
inspect per pod, one container listing for all) and one inspect per present container (its
health, restart count, last exit code). It returns a :class:`Status`, one record per workload,
pod (with its containers) and volume; ``Status.data()`` is the plain data that
render/status.py writes as a table, JSON or YAML.

Ready, as kubectl counts it:

* a container: running and, when it has a healthcheck, healthy. The healthcheck is the
  translated livenessProbe, else the readinessProbe (translate/probes.py: one whose failure does
  nothing); its state is Podman's ``State.Health`` and a failing one is named;
* a pod: phase Running with every app container ready, or Succeeded (every app container
  exited 0 and its restart policy leaves it so); and no drift;
* a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job): ``ready/desired`` pods.

Drift is what apply would do about the pod (decisions.pod_decision, the table of docs/apply.md):
``create``: the pod is missing; ``recreate``: its spec changed (io.kube2pod.hash), a container
was removed or replaced by hand; ``other-project``: it belongs to another project; ``foreign``: a same-named pod
kube2pod did not make; ``start``: containers that should run do not.

Services and their endpoints come with the networking issue, as a ``services`` list of records
beside ``workloads``.
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime

from kube2pod.apply import decisions, labels, observed
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.podman_api import PodmanAPI, PodmanGone
from kube2pod.plan import Container, Pod, ServiceRecord, Volume
from kube2pod.plan import ownership_labels

WORKLOAD_GROUPS = {"Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps", "ReplicaSet": "apps",
                   "Job": "batch"}


@dataclass(frozen=True)
class Health:
    """A container's healthcheck as Podman last ran it; ``probe`` the manifest probe it runs."""

    status: str  # healthy | unhealthy | starting
    probe: str  # livenessProbe, or "healthcheck" (one kube2pod did not make)
    check: str  # the command
    failing_streak: int = 0
    retries: int = 3  # failures in a row that make it unhealthy
    last_exit_code: int | None = None
    last_output: str = ""


@dataclass(frozen=True)
class ContainerStatus:
    name: str  # the manifest's
    container: str  # podman's
    init: bool = False
    state: str = "missing"  # Podman's: running, exited, created, ...; missing
    ready: bool = False
    health: Health | None = None
    restarts: int = 0
    exit_code: int | None = None  # of its last run; None when it has not exited
    problem: str = ""


@dataclass(frozen=True)
class PodStatus:
    name: str  # the podman pod
    source: str  # Kind/namespace/name of the manifest object
    project: str
    phase: str  # Running, Pending, Succeeded, Failed, Stopped, Missing, Unknown
    ready: str  # ready/all app containers
    ok: bool
    restarts: int = 0
    age: str = ""
    created: str = ""
    ports: tuple[str, ...] = ()
    action: str = ""  # what apply would do (decisions.pod_decision): unchanged, create, recreate, start, ...
    reason: str = ""  # and why
    drift: str = ""  # missing, spec changed, a container removed or replaced by hand, another project
    problems: tuple[str, ...] = ()  # the pod's own (drift, not running); its containers' are theirs
    containers: tuple[ContainerStatus, ...] = ()


@dataclass(frozen=True)
class WorkloadStatus:
    name: str  # kind.group/name, as kubectl -o name
    source: str
    project: str
    ready: str  # ready/desired pods
    ok: bool
    restarts: int = 0
    age: str = ""
    pods: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolumeStatus:
    name: str
    source: str
    project: str
    lifetime: str  # pod (emptyDir, configMap) | persistent (PVC: kept across down)
    present: bool
    ok: bool
    kept_across_down: bool = False
    problem: str = ""


@dataclass(frozen=True)
class ServiceStatus:
    name: str  # service/NAME
    source: str
    project: str
    mechanism: str  # aliases | proxy | headless (docs/networking.md)
    ready: str  # ready/selected endpoint pods
    ok: bool
    names: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    proxy: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Status:
    workloads: tuple[WorkloadStatus, ...] = ()
    pods: tuple[PodStatus, ...] = ()
    volumes: tuple[VolumeStatus, ...] = ()
    services: tuple[ServiceStatus, ...] = ()

    @property
    def ready(self) -> bool:
        """Everything ready, nothing missing or drifted."""
        return all(o.ok for o in (*self.workloads, *self.pods, *self.volumes, *self.services))

    @property
    def projects(self) -> tuple[str, ...]:
        return tuple(sorted({o.project for o in (*self.pods, *self.volumes) if o.project}))

    def data(self) -> dict:
        """JSON-compatible: ``ready``, ``projects`` and a list per kind of object."""
        return {"ready": self.ready, "projects": list(self.projects),
                **{k: [asdict(o) for o in getattr(self, k)] for k in ("workloads", "pods", "volumes", "services")}}


def collect(api: PodmanAPI, pods: list[Pod], volumes: list[Volume], project: str | None,
            now: float | None = None, services: list[ServiceRecord] = ()) -> Status:
    """The status of ``pods``, ``volumes`` and the Services of the manifests (``services``: the
    plan's records) on the host. ``project``: the manifests' project (a pod of another is drift);
    None: each pod's own (what is on the host, no manifests)."""
    now = time.time() if now is None else now
    seen = observed.observe(api, pods)
    rows = tuple(_pod(api, pod, seen[pod.name], project, now) for pod in pods)
    return Status(_workloads(pods, rows), rows, tuple(_volume(api, v, project) for v in volumes),
                  tuple(_service(r, rows, project or "") for r in services))


def _service(r: ServiceRecord, rows: tuple[PodStatus, ...], project: str) -> ServiceStatus:
    """A Service is ready when one of its endpoint pods is (and its proxy pod, for a proxied one)."""
    by_name = {p.name: p for p in rows}
    ready = [e for e in r.endpoints if e in by_name and by_name[e].ok]
    proxy = by_name.get(r.proxy)
    problem = ""
    if not r.endpoints:
        problem = "selects no pod: its names do not resolve"
    elif not ready:
        problem = "no endpoint pod is ready"
    elif r.proxy and (proxy is None or not proxy.ok):
        problem = f"its proxy pod {r.proxy} is not ready"
    return ServiceStatus(
        name=f"service/{r.name}", source=ownership_labels.source_value("Service", r.source.namespace, r.name),
        project=project, mechanism=r.mechanism, ready=f"{len(ready)}/{len(r.endpoints)}", ok=not problem,
        names=tuple(r.names), ports=tuple(r.ports), endpoints=tuple(r.endpoints), proxy=r.proxy, problem=problem)


def on_host(api: PodmanAPI, project: str | None = None, keep=None) -> tuple[list[Pod], list[Volume]]:
    """The kube2pod pods and volumes on the host (of ``project`` when given) that
    ``keep(namespace, labels)`` accepts (all when None), as plan pods and volumes."""
    pods = observed.applied_pods(api, project)
    volumes = _applied_volumes(api, project)
    if keep is None:
        return pods, volumes
    return ([p for p in pods if keep(p.source.namespace or "default", p.labels)],
            [v for v in volumes if keep(v.source.namespace or "default", v.labels)])


def narrow(pods: list[Pod], volumes: list[Volume], wanted: list[str],
           namespace: str | None = None) -> tuple[list[Pod], list[Volume]]:
    """Only the pods that the targets ``wanted`` name (``deploy/web``, ``pod/x``: targets.py), and
    the volumes they mount; targets.TargetError for a target that names nothing."""
    from kube2pod.apply import targets

    boxes = targets.from_pods(pods)
    chosen = {b.pod for t in wanted for found in targets.resolve(t, boxes, namespace) for b in found}
    pods = [p for p in pods if p.name in chosen]
    used = {m.volume for p in pods for c in (*p.init_containers, *p.containers) for m in c.mounts
            if m.type == "volume"}
    return pods, [v for v in volumes if v.name in used]


def projects(api: PodmanAPI) -> list[str]:
    """Every project with a kube2pod pod or volume on the host."""
    listed = [*api.pods(*labels.mine()), *api.volumes(*labels.mine())]
    return sorted({(o.get("Labels") or {}).get(labels.PROJECT, "") for o in listed} - {""})


def _applied_volumes(api: PodmanAPI, project: str | None) -> list[Volume]:
    found = []
    for v in sorted(api.volumes(*labels.mine(project)), key=lambda v: v.get("Name", "")):
        have = v.get("Labels") or {}
        found.append(Volume.make(name=v.get("Name", ""), labels=have, source=observed.source_ref(have),
                                 lifetime="persistent" if have.get(labels.LIFETIME) == "persistent" else "pod"))
    return found


def source(obj) -> str:
    """``Kind/namespace/name`` of a plan pod's or volume's manifest object."""
    return obj.labels.get(ownership_labels.SOURCE) or ownership_labels.source_value(
        obj.source.kind, obj.source.namespace, obj.source.name)


def _pod(api: PodmanAPI, pod: Pod, seen: observed.ObservedPod, project: str | None, now: float) -> PodStatus:
    decision = decisions.pod_decision(seen, seen.project if project is None else project)
    planned = {c.name: c for c in (*pod.init_containers, *pod.containers)}
    containers = tuple(_container(api, pod.name, planned[c.name], c) for c in seen.containers
                       if seen.exists and (not c.init or c.present or c.init_type == "always"))
    app = [c for c in containers if not c.init]
    phase = _phase(seen, [c for c in seen.containers if not c.init], decision.action)
    drift = _drift(decision)
    problems = [drift] if drift else []
    if decision.action == "start":
        problems.append(f"not running ({decision.reason}): apply starts it again")
    containers_ok = phase == "Succeeded" or all(c.ready for c in app)
    return PodStatus(
        name=pod.name, source=source(pod), project=seen.project or (project or ""), phase=phase,
        ready=f"{sum(c.ready for c in app)}/{len(app)}",
        ok=not problems and containers_ok and phase in ("Running", "Succeeded"),
        restarts=sum(c.restarts for c in containers), age=age(seen.created, now), created=seen.created,
        ports=seen.ports, action=decision.action, reason=decision.reason, drift=drift, problems=tuple(problems),
        containers=containers)


def _probe_name(planned: Container) -> str:
    """The manifest probe a healthcheck runs: a readinessProbe's does nothing on failure (translate/probes.py)."""
    if planned.healthcheck is None:
        return "healthcheck"
    return "readinessProbe" if planned.healthcheck.on_failure == "none" else "livenessProbe"


def _drift(decision: decisions.PodDecision) -> str:
    """The pod's drift from the manifests, as apply would act on it ("" when none)."""
    if decision.action == "create":
        return "missing: no such pod (removed by hand, or not applied yet); apply creates it"
    if decision.action == "foreign":
        return "a pod of this name was not created by kube2pod"
    if decision.action == "other-project":
        return f"{decision.reason}; apply --replace takes it over"
    if decision.action == "recreate":
        return f"{decision.reason}; apply recreates it"
    return ""


def _phase(seen: observed.ObservedPod, app: list[observed.ObservedContainer], action: str) -> str:
    """Kubernetes' pod phase where it applies; Stopped: apply would start it again; Missing."""
    if not seen.exists:
        return "Missing"
    if action in ("foreign", "other-project"):
        return "Unknown"
    present = [c for c in app if c.present]
    if any(c.running for c in present):
        return "Running"
    if not present or any(c.never_ran for c in present):
        return "Pending"
    if action == "completed":
        return "Succeeded" if all(c.exit_code == 0 for c in present) else "Failed"
    return "Stopped"


def _container(api: PodmanAPI, pod_name: str, planned: Container,
               seen: observed.ObservedContainer) -> ContainerStatus:
    name, short = seen.name, seen.name.removeprefix(pod_name + "-")
    if not seen.present:
        return ContainerStatus(short, name, init=seen.init)  # the pod's drift says it
    try:
        info = api.container_inspect(seen.id or name)
    except PodmanGone:
        raise
    except ApplyError:  # removed since the listing
        return ContainerStatus(short, name, init=seen.init)
    state = info.get("State") or {}
    status = (state.get("Status") or seen.state or "unknown").lower()
    health = _health(info, planned)
    restarts = int(info.get("RestartCount") or 0)
    exited = status not in observed.RUNNING and status not in observed.NEVER_RAN
    exit_code = int(state.get("ExitCode") or 0) if exited or restarts else None
    ready = status == "running" and (health is None or health.status == "healthy")
    return ContainerStatus(short, name, init=seen.init, state=status, ready=ready, health=health, restarts=restarts,
                           exit_code=exit_code, problem="" if ready or seen.init else
                           _container_problem(status, exit_code, health))


def _container_problem(status: str, exit_code: int | None, health: Health | None) -> str:
    if status in observed.NEVER_RAN:
        return "never started"
    if status != "running":
        return f"{status} with code {exit_code}" if exit_code is not None else status
    if health is None:
        return ""
    check = f"; check: {health.check}"
    if health.status == "unhealthy":
        return f"unhealthy: {health.probe} failed {health.failing_streak} times in a row{_last(health)}{check}"
    if health.failing_streak:
        return f"{health.probe} failed {health.failing_streak} of {health.retries} times{_last(health)}{check}"
    return f"{health.probe} has not passed yet{check}"


def _last(health: Health) -> str:
    if health.last_exit_code is None:
        return ""
    return f" (exit code {health.last_exit_code}" + (f": {health.last_output})" if health.last_output else ")")


def _health(info: dict, planned: Container) -> Health | None:
    """The container's healthcheck state (None when it has none)."""
    configured = (info.get("Config") or {}).get("Healthcheck") or {}
    test = configured.get("Test") or []
    if planned.healthcheck is None and not test:
        return None
    test = list(planned.healthcheck.test) if planned.healthcheck is not None else test
    state = info.get("State") or {}
    seen = state.get("Health") or state.get("Healthcheck") or {}
    log = seen.get("Log") or []
    last = log[-1] if log else {}
    output = (last.get("Output") or "").strip().splitlines()
    return Health(status=seen.get("Status") or "starting",
                  probe=_probe_name(planned),
                  check=_check(test), failing_streak=int(seen.get("FailingStreak") or 0),
                  retries=planned.healthcheck.retries if planned.healthcheck else int(configured.get("Retries") or 3),
                  last_exit_code=last.get("ExitCode") if last else None,
                  last_output=output[-1][:200] if output else "")


def _check(test: list[str]) -> str:
    """A healthcheck test as a command line: ``["CMD", argv...]`` or ``["CMD-SHELL", script]``."""
    kind, *rest = test or [""]
    if kind == "CMD-SHELL":
        return " ".join(rest)
    return shlex.join(rest if kind == "CMD" else test)


def _workloads(pods: list[Pod], rows: tuple[PodStatus, ...]) -> tuple[WorkloadStatus, ...]:
    """One record per workload object, over its pods (a bare Pod has none)."""
    by_source: dict[str, list[PodStatus]] = {}
    for pod, row in zip(pods, rows):
        if pod.source.kind in WORKLOAD_GROUPS:
            by_source.setdefault(row.source, []).append(row)
    out = []
    for src, members in sorted(by_source.items()):
        kind, _, rest = src.partition("/")
        ok = sum(p.ok for p in members)
        oldest = min((p for p in members if p.created), key=lambda p: p.created, default=None)
        out.append(WorkloadStatus(
            name=f"{kind.lower()}.{WORKLOAD_GROUPS[kind]}/{rest.partition('/')[2]}", source=src,
            project=members[0].project, ready=f"{ok}/{len(members)}", ok=ok == len(members),
            restarts=sum(p.restarts for p in members), age=oldest.age if oldest else "",
            pods=tuple(p.name for p in members)))
    return tuple(out)


def _volume(api: PodmanAPI, vol: Volume, project: str | None) -> VolumeStatus:
    info = api.volume_inspect(vol.name)
    have = (info or {}).get("Labels") or {}
    lifetime = have.get(labels.LIFETIME) or vol.lifetime
    problem = "" if info else "missing"
    if info and not labels.owned(have):
        problem = "a volume of this name was not created by kube2pod"
    return VolumeStatus(name=vol.name, source=source(vol), project=have.get(labels.PROJECT) or (project or ""),
                        lifetime=lifetime, present=info is not None, ok=not problem,
                        kept_across_down=lifetime == "persistent", problem=problem)


_TIME = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?")


def age(created: str, now: float) -> str:
    """``45s``, ``12m``, ``5h``, ``3d`` since Podman's RFC 3339 time ("" when unreadable)."""
    m = _TIME.match(created or "")
    if not m:
        return ""
    zone = (m.group(3) or "Z").replace("Z", "+00:00")
    try:
        then = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}").timestamp()
    except ValueError:
        return ""
    secs = max(0, int(now - then))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= 2 * size:
            return f"{secs // size}{unit}"
    return f"{secs}s"
