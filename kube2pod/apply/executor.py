"""Plan -> host, transactionally and idempotently.

apply, under the project's lock (lock.py):
1. roll back a journal a dead earlier run left behind (journal.py);
2. decide without changing anything (decisions.py, on observed.py): images
   per pull policy, host paths, ownership clashes, create / unchanged /
   recreate / start / completed per pod, orphans of the project;
3. change the host, recording each change in the journal: host paths,
   networks, secrets, volumes, their sub-paths (sub_paths.py), then the pods,
   concurrently in a small pool; each pod:
   (recreate: stop the old one, remove it, remembering its definition) create
   pod, init containers, containers, start; a pod decided ``start`` is only
   started (recorded first, so that a rollback stops it again); then
   ``--wait``; then ``--prune``;
4. on any failure or Ctrl-C, undo the journal: remove what this run created,
   restore the pods it replaced or pruned, stop again the pods it started;
   nothing else is touched.

down stops and removes the pods, containers and pod-lifetime volumes kube2pod
owns for the plan or the project; persistent (PVC) volumes only with
``volumes``; then the project's networks that nothing uses any more; anything
not labelled as kube2pod's is left alone.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass

from kube2pod.apply import decisions, host_env, hostpaths, labels, lock, sub_paths, volume_content
from kube2pod.apply import wait as waiting
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter, ignore
from kube2pod.apply.journal import Journal
from kube2pod.apply.podman_api import PodmanAPI, PodmanGone
from kube2pod.plan import Plan, Pod
from kube2pod.render import rest
from kube2pod.spec import NotInVersion, Spec, build, container_spec, pod_spec
from kube2pod.spec.version import Version
from kube2pod.plan import ownership_labels

WORKERS = 3
DOWN_WORKERS = 8  # under podman-py's 10 pooled connections; stopping mostly waits on grace periods, not on Podman


@dataclass(frozen=True)
class Options:
    """project: the input set's name (labels, lock, pruning scope)."""

    project: str = "default"
    start: bool = True
    replace: bool = False
    prune: bool = False
    dry_run: bool = False
    wait: bool = False
    timeout: float = 120.0
    lock_timeout: float = lock.DEFAULT_TIMEOUT
    workers: int = WORKERS
    version: Version | None = None  # the Podman the spec is built for (None: the service's, from /info)


class _Recorder:
    """Events of one run, forwarded to the reporter (thread-safe)."""

    def __init__(self, report: Reporter):
        self.events: list[Event] = []
        self._report = report
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)
            self._report(event)


def apply(plan: Plan, client, options: Options = Options(), report: Reporter = ignore) -> list[Event]:
    """Apply the plan; raises ApplyError (after rolling back) when anything fails."""
    api, emit = PodmanAPI(client), _Recorder(report)
    try:
        spec = build(plan, options.version or api.version(), "rest")
    except NotInVersion as exc:
        raise ApplyError(f"{exc.source}: {exc}; nothing was changed") from None
    stem = lock.key(api.store_id(), options.project)
    with lock.hold(stem, timeout=options.lock_timeout,
                   on_wait=lambda: emit(Event("waiting", "lock", options.project, "another kube2pod run holds it"))):
        journal_path = lock.state_dir() / f"{stem}.journal"
        _recover(journal_path, api, emit)
        try:
            d = decisions.decide(plan, api, options.project, replace=options.replace,
                                 pull=not options.dry_run, emit=emit, start=options.start)
        except ApplyError as exc:
            raise type(exc)(f"{exc}; nothing was changed") from None
        if options.dry_run:
            _report_decisions(plan, api, d, options, emit)
            return emit.events
        journal = Journal(journal_path)
        try:
            _change(plan, spec, api, d, journal, options, emit)
        except BaseException as exc:
            _fail(exc, journal, api, emit)
        journal.close()
    return emit.events


def _fail(exc: BaseException, journal: Journal, api: PodmanAPI, emit: Reporter) -> None:
    reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
    if not journal.entries:
        raise ApplyError(f"{reason}; nothing was changed") from None
    problems = journal.rollback(_undo(api), emit)
    if not problems:
        raise ApplyError(f"{reason}; rolled back: nothing this run created was left behind") from None
    hint = ("the next kube2pod apply or down of this project finishes the rollback"
            if isinstance(exc, PodmanGone) or any("stopped answering" in p for p in problems) else "")
    raise ApplyError(f"{reason}; could not undo everything this run did: " + "; ".join(problems)
                     + (f"; {hint}" if hint else "")) from None


def _recover(path, api: PodmanAPI, emit: Reporter) -> None:
    """Roll back what a run that died left recorded."""
    stale = Journal.load(path)
    if stale is None:
        return
    emit(Event("warning", "journal", str(path), "a previous run did not finish; rolling it back"))
    problems = stale.rollback(_undo(api), emit)
    if problems:
        raise ApplyError("could not roll back the previous unfinished run: " + "; ".join(problems))


def _report_decisions(plan: Plan, api: PodmanAPI, d: decisions.Decisions, options: Options,
                      emit: Reporter) -> None:
    for image, status in d.images.items():
        if status == "pull":
            emit(Event("pull", "image", image))
    for hp in d.paths_to_create:
        emit(Event("create", "host path", hp.path))
    for name, what in d.networks.items():
        emit(Event("create" if what == "create" else "unchanged", "network", name))
    for name, what in d.secrets.items():
        emit(Event(what, "secret", name))
    for name, what in d.volumes.items():
        emit(Event("create" if what == "create" else "unchanged", "volume", name))
    for path in sub_paths.missing(api, plan, {n for n, what in d.volumes.items() if what == "create"}):
        emit(Event("create", "host path", path, "volume sub-path"))
    for pod in plan.pods:
        emit(Event(d.pods[pod.name], "pod", pod.name, d.reasons.get(pod.name, "")))
    verb = "prune" if options.prune else "orphan"
    for name in d.orphan_pods:
        emit(Event(verb, "pod", name, "" if options.prune else "no longer in the manifests; --prune removes it"))
    for name, lifetime in d.orphan_volumes.items():
        if lifetime == "persistent":
            emit(Event("keep", "volume", name, "persistent; no longer in the manifests"))
        else:
            emit(Event(verb, "volume", name))


# ---------------------------------------------------------------- changing the host

def _change(plan: Plan, spec: Spec, api: PodmanAPI, d: decisions.Decisions, journal: Journal,
            options: Options, emit: Reporter) -> None:
    for hp in d.paths_to_create:
        journal.paths(hostpaths.create(hp))
        emit(Event("created", "host path", hp.path))
    for net in plan.networks:
        if d.networks[net.name] == "create":
            body = rest.body(spec.networks[net.name])
            body["labels"] = labels.object_labels(net.labels, options.project)
            api.network_create(body)
            journal.created("network", net.name)
            emit(Event("created", "network", net.name))
    _secrets(plan, spec, api, d, journal, options, emit)
    for vol in plan.volumes:
        if d.volumes[vol.name] == "create":
            body = rest.body(spec.volumes[vol.name])
            body["Label"] = labels.volume_labels(vol, options.project)
            api.volume_create(body)
            journal.created("volume", vol.name)
            emit(Event("created", "volume", vol.name))
        if vol.files is not None:
            volume_content.write(api, vol)
    made = sub_paths.prepare(api, plan)
    journal.paths(made)
    for path in made:
        emit(Event("created", "host path", path))
    _pods(plan, spec, api, d, journal, options, emit)
    if options.wait and options.start:
        waiting.until_ready(_to_wait_for(plan, d), api, options.timeout, emit)
    if options.prune:
        _prune(api, d, journal, options.project, emit)
    else:
        for name in d.orphan_pods:
            emit(Event("orphan", "pod", name, "no longer in the manifests; --prune removes it"))


def _secrets(plan: Plan, spec: Spec, api: PodmanAPI, d: decisions.Decisions, journal: Journal,
             options: Options, emit: Reporter) -> None:
    """Create missing secrets; a changed one is removed and created again (podman
    cannot show a secret's value, so the old value cannot be restored on failure)."""
    for secret in plan.secrets:
        what = d.secrets[secret.name]
        if what == "unchanged":
            continue
        if what == "replace":
            api.secret_remove(secret.name)
        body = rest.body(spec.secrets[secret.name])
        api.secret_create(body["name"], secret.data(), labels.secret_labels(secret, options.project))
        journal.created("secret", secret.name)
        emit(Event("replaced" if what == "replace" else "created", "secret", secret.name))


def _pods(plan: Plan, spec: Spec, api: PodmanAPI, d: decisions.Decisions, journal: Journal,
          options: Options, emit: Reporter) -> None:
    """Create/recreate/start the pods in a bounded pool; the first failure cancels the rest."""
    todo = [p for p in plan.pods if d.pods[p.name] in ("create", "recreate", "start")]
    for pod in plan.pods:
        if d.pods[pod.name] in ("unchanged", "completed"):
            emit(Event(d.pods[pod.name], "pod", pod.name, d.reasons.get(pod.name, "")))
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="kube2pod-pod")
    try:
        futures = [pool.submit(_one_pod, pod, spec, api, d, journal, options, emit, cancel) for pod in todo]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for f in done:
            if f.exception() is not None:
                raise f.exception()
    finally:
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)


def _one_pod(pod: Pod, spec: Spec, api: PodmanAPI, d: decisions.Decisions, journal: Journal,
             options: Options, emit: Reporter, cancel: threading.Event) -> None:
    def step():
        if cancel.is_set():
            raise ApplyError("cancelled")

    step()
    if d.pods[pod.name] == "start":
        resume_pod(pod, api, d.starts[pod.name], journal, emit)
        return
    if d.pods[pod.name] == "recreate":
        emit(Event("stopping", "pod", pod.name, "to recreate it: " + d.reasons.get(pod.name, "")))
        api.pod_stop(pod.name, _stop_timeout(pod))
        journal.replaced(pod.name, options.project, d.definitions.get(pod.name, ""), d.running.get(pod.name, False))
        api.pod_remove(pod.name)
    step()
    create_pod(pod, api, options.project, journal, emit, spec)
    step()
    if options.start:
        start_pod(pod, api, emit)


def create_pod(pod: Pod, api: PodmanAPI, project: str, journal: Journal | None, emit: Reporter,
               spec: Spec | None = None) -> None:
    """Pod, then its containers (labels: the plan's plus project and definition); their
    options from ``spec``, else (a pod restored from its stored definition) built here."""
    emit(Event("creating", "pod", pod.name))
    body = rest.body(spec.pods[pod.name] if spec else pod_spec(pod))
    body["labels"] = labels.pod_labels(pod, project)
    api.pod_create(body)
    if journal is not None:
        journal.created("pod", pod.name)
    for c in [*pod.init_containers, *pod.containers]:
        cspec = spec.containers[c.name] if spec else container_spec(pod, c)
        body = rest.body(sub_paths.resolved(cspec, api))
        body["labels"] = labels.object_labels(c.labels, project)
        if cspec.host_env:
            body["env"] = {**body.get("env", {}), **host_env.values(cspec.host_env)}
        api.container_create(body)
        emit(Event("created", "container", c.name, pod=pod.name))
    emit(Event("created", "pod", pod.name))


def start_pod(pod: Pod, api: PodmanAPI, emit: Reporter) -> None:
    """Start the pod: Podman runs its init containers (``init_container_type``) in
    order to completion first and fails the start when one fails."""
    emit(Event("starting", "pod", pod.name))
    try:
        api.pod_start(pod.name)
    except ApplyError as exc:
        emit(Event("failed", "pod", pod.name, str(exc)))
        raise
    for c in pod.init_containers:
        emit(Event("completed" if c.init_type == "once" else "started", "container", c.name, pod=pod.name))
    for c in pod.containers:
        emit(Event("started", "container", c.name, pod=pod.name))
    emit(Event("started", "pod", pod.name))


def resume_pod(pod: Pod, api: PodmanAPI, start: decisions.Start, journal: Journal, emit: Reporter) -> None:
    """Start an unchanged pod that does not run: journalled first (a rollback stops again what
    this started); the whole pod with ``podman pod start`` (its init containers of type once
    ran and were removed by Podman, so they do not run again), else only the containers that
    should run, one by one (Podman starts the infra container with the first)."""
    emit(Event("starting", "pod", pod.name, start.was))
    journal.started(pod.name, list(start.containers), start.whole, _stop_timeout(pod))
    try:
        if start.whole:
            api.pod_start(pod.name)
        else:
            for name in start.containers:
                api.container_start(name)
    except ApplyError as exc:
        emit(Event("failed", "pod", pod.name, str(exc)))
        raise
    for name in start.containers:
        emit(Event("started", "container", name, pod=pod.name))
    emit(Event("started", "pod", pod.name, start.was))


def _to_wait_for(plan: Plan, d: decisions.Decisions) -> list[Pod]:
    """The pods ``--wait`` waits for, without the containers that completed (every container of
    a pod decided ``completed``; in a pod left running or started, those that stay stopped)."""
    out = []
    for pod in plan.pods:
        what = d.pods[pod.name]
        if what == "completed":
            continue
        if what in ("unchanged", "start"):
            starting = d.starts[pod.name].containers if what == "start" else ()
            done = {c.name for c in d.observed[pod.name].app if c.exited and c.name not in starting}
            pod = pod.replace(containers=[c for c in pod.containers if c.name not in done]) if done else pod
        out.append(pod)
    return out


def _stop_timeout(pod: Pod) -> int | None:
    """terminationGracePeriodSeconds (carried by every container), else Podman's default."""
    values = [c.stop_timeout for c in pod.containers if c.stop_timeout is not None]
    return max(values) if values else None


def _prune(api: PodmanAPI, d: decisions.Decisions, journal: Journal, project: str, emit: Reporter) -> None:
    for name in d.orphan_pods:
        info = api.pod_inspect(name)
        if info is None or not labels.owned(info.get("Labels")):
            continue
        have = info.get("Labels") or {}
        api.pod_stop(name)
        journal.replaced(name, project, have.get(labels.DEFINITION, ""), info.get("State") in ("Running", "Degraded"))
        api.pod_remove(name)
        emit(Event("pruned", "pod", name))
    for name, lifetime in d.orphan_volumes.items():
        if lifetime == "persistent":
            emit(Event("kept", "volume", name, "persistent; no longer in the manifests; down --volumes removes it"))
        else:
            api.volume_remove(name)
            emit(Event("pruned", "volume", name))


# ---------------------------------------------------------------- undo

def _undo(api: PodmanAPI) -> dict:
    def remove_pod(entry):
        info = api.pod_inspect(entry["name"])
        if info is not None and labels.owned(info.get("Labels")):
            api.pod_remove(entry["name"])

    def remove_volume(entry):
        info = api.volume_inspect(entry["name"])
        if info is not None and labels.owned(info.get("Labels")):
            api.volume_remove(entry["name"])

    def restore_pod(entry):
        if not entry.get("definition"):
            raise ApplyError(f"pod {entry['name']} was removed to be replaced and, not having been "
                             "created by kube2pod, cannot be restored")
        try:
            pod = labels.decode(entry["definition"])
        except ValueError as exc:
            raise ApplyError(f"pod {entry['name']} cannot be restored: {exc}") from None
        if api.pod_inspect(pod.name) is not None:
            return
        create_pod(pod, api, entry.get("project") or "default", None, ignore)
        if entry.get("running"):
            api.pod_start(pod.name)

    def stop_again(entry):
        info = api.pod_inspect(entry["name"])
        if info is None or not labels.owned(info.get("Labels")):
            return
        if entry.get("whole"):
            api.pod_stop(entry["name"], entry.get("timeout"))
        else:
            for name in entry.get("containers") or []:
                api.container_stop(name, entry.get("timeout"))

    def remove_network(entry):
        info = api.network_inspect(entry["name"])
        if info is not None and labels.owned(info.get("labels")) and not api.network_users(entry["name"]):
            api.network_remove(entry["name"])

    def remove_secret(entry):
        info = api.secret_inspect(entry["name"])
        if info is not None and labels.owned((info.get("Spec") or {}).get("Labels")):
            api.secret_remove(entry["name"])

    return {"created pod": remove_pod, "created volume": remove_volume, "created secret": remove_secret,
            "created network": remove_network,
            "replaced pod": restore_pod, "started pod": stop_again}


# ---------------------------------------------------------------- down

def down(plan: Plan, client, options: Options = Options(), *, volumes: bool = False,
         report: Reporter = ignore) -> list[Event]:
    """Remove what kube2pod owns for the plan and the project; never anything else."""
    api, emit = PodmanAPI(client), _Recorder(report)
    stem = lock.key(api.store_id(), options.project)
    with lock.hold(stem, timeout=options.lock_timeout,
                   on_wait=lambda: emit(Event("waiting", "lock", options.project, "another kube2pod run holds it"))):
        _recover(lock.state_dir() / f"{stem}.journal", api, emit)
        mine = (f"{ownership_labels.MANAGED}=true", f"{labels.PROJECT}={options.project}")
        stop = {p.name: _stop_timeout(p) for p in plan.pods}
        names = [p.name for p in plan.pods]
        names += sorted(p["Name"] for p in api.pods(*mine) if p.get("Name") not in stop)
        first = {p.name: [c.name for c in p.containers if c.requires] for p in plan.pods}
        _down_pods(api, names, stop, options.project, emit, first)
        lifetimes = {v.name: v.lifetime for v in plan.volumes}
        for v in api.volumes(*mine):
            lifetimes.setdefault(v["Name"], (v.get("Labels") or {}).get(labels.LIFETIME, "pod"))
        for name, lifetime in lifetimes.items():
            _down_volume(api, name, lifetime, volumes, options.project, emit)
        _down_secrets(plan, api, options.project, emit)
        _down_networks(plan, api, options.project, emit)
    return emit.events


def _other_project(info: dict | None, project: str) -> str:
    """The kube2pod project other than ``project`` that an inspected object belongs to, else ""."""
    have = (info or {}).get("Labels") or (info or {}).get("labels") or {}
    other = have.get(labels.PROJECT, "")
    return other if labels.owned(have) and other and other != project else ""


def _down_networks(plan: Plan, api: PodmanAPI, project: str, emit: Reporter) -> None:
    """The plan's networks and the project's others, once nothing is attached to them, if kube2pod
    made them for this project; a network another project made, or still in use, stays."""
    names = {n.name for n in plan.networks}
    names.update(n.get("name", "") for n in api.networks(f"{ownership_labels.MANAGED}=true",
                                                          f"{labels.PROJECT}={project}"))
    for name in sorted(n for n in names if n):
        info = api.network_inspect(name)
        if info is None:
            continue
        have = info.get("labels") or {}
        users = api.network_users(name)
        if not labels.owned(have):
            emit(Event("skipped", "network", name, "not created by kube2pod; left alone"))
        elif have.get(labels.PROJECT) != project:
            emit(Event("kept", "network", name, f"created by project {have.get(labels.PROJECT)}"))
        elif users:
            emit(Event("kept", "network", name, "still used by " + ", ".join(sorted(users))))
        else:
            api.network_remove(name)
            emit(Event("removed", "network", name))


def _down_secrets(plan: Plan, api: PodmanAPI, project: str, emit: Reporter) -> None:
    """The plan's secrets and any other secret labelled with the project, if kube2pod's; a Secret
    another project kept on the host (translate/kept.py) stays."""
    names = {s.name for s in plan.secrets}
    for info in api.secrets():
        have = (info.get("Spec") or {}).get("Labels") or {}
        if have.get(labels.PROJECT) == project and labels.owned(have):
            names.add((info.get("Spec") or {}).get("Name", ""))
    for name in sorted(n for n in names if n):
        info = api.secret_inspect(name)
        if info is None:
            continue
        have = (info.get("Spec") or {}).get("Labels") or {}
        if not labels.owned(have):
            emit(Event("skipped", "secret", name, "not created by kube2pod; left alone"))
        elif have.get(ownership_labels.SHARED) == "true" and _other_project(info.get("Spec"), project):
            emit(Event("kept", "secret", name, f"kept on the host by project {_other_project(info.get('Spec'), project)}"))
        else:
            api.secret_remove(name)
            emit(Event("removed", "secret", name))


def _down_pods(api: PodmanAPI, names: list[str], stop: dict[str, int | None], project: str,
               emit: Reporter, first: dict[str, list[str]] | None = None) -> None:
    """Stop and remove the pods all at once: each still gets its grace period, but
    pods whose processes ignore SIGTERM wait for it side by side, not one after another.
    ``first``: per pod, the containers stopped before the pod (the app containers of a pod
    with native sidecars, so the sidecars stop after them, as in Kubernetes)."""
    first = first or {}
    if len(names) <= 1:
        for name in names:
            _down_pod(api, name, stop.get(name), project, emit, first.get(name, []))
        return
    with ThreadPoolExecutor(max_workers=min(len(names), DOWN_WORKERS), thread_name_prefix="kube2pod-down") as pool:
        futures = [pool.submit(_down_pod, api, name, stop.get(name), project, emit, first.get(name, []))
                   for name in names]
    for f in futures:
        f.result()  # the first failure, after every pod had its turn


def _down_pod(api: PodmanAPI, name: str, timeout: int | None, project: str, emit: Reporter,
              first: list[str] = ()) -> None:
    info = api.pod_inspect(name)
    other = _other_project(info, project)
    if info is None:
        emit(Event("absent", "pod", name))
    elif not labels.owned(info.get("Labels")):
        emit(Event("skipped", "pod", name, "not created by kube2pod; left alone"))
    elif other:
        emit(Event("skipped", "pod", name, f"belongs to kube2pod project {other}; left alone"))
    else:
        emit(Event("stopping", "pod", name))
        running = {c.get("Name") for c in info.get("Containers") or [] if c.get("State") == "running"}
        for c in first:  # podman's pod stop is not ordered: the app containers before their sidecars
            if c in running:
                api.container_stop(c, timeout)
        api.pod_stop(name, timeout)
        api.pod_remove(name)
        emit(Event("removed", "pod", name))


def _down_volume(api: PodmanAPI, name: str, lifetime: str, volumes: bool, project: str, emit: Reporter) -> None:
    info = api.volume_inspect(name)
    if info is None:
        return
    other = _other_project(info, project)
    if not labels.owned(info.get("Labels")):
        emit(Event("skipped", "volume", name, "not created by kube2pod; left alone"))
    elif other:
        emit(Event("skipped", "volume", name, f"belongs to kube2pod project {other}; left alone"))
    elif lifetime == "persistent" and not volumes:
        emit(Event("kept", "volume", name, "persistent; use --volumes to remove"))
    else:
        api.volume_remove(name)
        emit(Event("removed", "volume", name))
