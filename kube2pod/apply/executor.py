"""Plan -> host, transactionally.

apply: check images and host paths (no change yet), then create host paths,
volumes, pods, containers and start the pods. Everything created is recorded
in a journal; on any failure (or Ctrl-C) exactly what this run created is
removed and an ApplyError says what failed. A pod that kube2pod owns with the
same spec hash is left alone ("unchanged"); with another hash it is recreated.
A same-named pod or volume that kube2pod does not own is an error unless
``replace``.

down: stop and remove the pods (and their containers) kube2pod owns for the
plan, and their pod-lifetime volumes; persistent volumes only with ``volumes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kube2pod.apply import hostpaths, spec
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import Plan, Pod
from kube2pod.translate import ownership


@dataclass(frozen=True)
class Event:
    """One thing apply/down did or decided: action is created, started, unchanged,
    recreated, removed, kept, skipped, rolled-back or warning."""

    action: str
    kind: str
    name: str
    detail: str = ""

    def format(self) -> str:
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.kind} {self.name}: {self.action}{tail}"


Reporter = Callable[[Event], None]


@dataclass
class Journal:
    """What this run created, in order, so that a failure removes exactly that."""

    pods: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    paths: list[list[str]] = field(default_factory=list)

    def rollback(self, api: PodmanAPI, report: Reporter) -> list[str]:
        problems = []
        for name in reversed(self.pods):
            problems += _attempt(lambda: api.pod_remove(name))
            report(Event("rolled-back", "pod", name))
        for name in reversed(self.volumes):
            problems += _attempt(lambda: api.volume_remove(name))
            report(Event("rolled-back", "volume", name))
        for made in reversed(self.paths):
            hostpaths.remove(made)
        return problems


def _attempt(fn) -> list[str]:
    try:
        fn()
        return []
    except ApplyError as exc:
        return [str(exc)]


def _owned(labels: dict | None) -> bool:
    return (labels or {}).get(ownership.MANAGED) == "true"


def apply(plan: Plan, client, *, start: bool = True, replace: bool = False,
          report: Reporter = lambda e: None) -> list[Event]:
    api = PodmanAPI(client)
    events: list[Event] = []

    def emit(e: Event) -> None:
        events.append(e)
        report(e)

    decisions = _preflight(plan, api, replace, emit)
    journal = Journal()
    try:
        _apply_steps(plan, api, decisions, journal, start, emit)
    except BaseException as exc:
        problems = journal.rollback(api, emit)
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        tail = ("nothing this run created was left behind" if not problems
                else "could not remove everything this run created: " + "; ".join(problems))
        raise ApplyError(f"{reason}; {tail}") from (exc if isinstance(exc, ApplyError) else None)
    return events


@dataclass
class _Decisions:
    pods: dict[str, str]  # name -> create | unchanged | recreate
    volumes: dict[str, str]  # name -> create | exists
    paths_to_create: list


def _preflight(plan: Plan, api: PodmanAPI, replace: bool, emit: Reporter) -> _Decisions:
    """Every check that needs no change to the host: images, host paths, name clashes."""
    _ensure_images(plan, api, emit)
    missing = [hp for hp in plan.host_paths if not hostpaths.check(hp)]
    volumes = {}
    for vol in plan.volumes:
        info = api.volume_inspect(vol.name)
        if info is None:
            volumes[vol.name] = "create"
        elif _owned(info.get("Labels")) or replace:
            volumes[vol.name] = "exists"
        else:
            raise ApplyError(f"volume {vol.name} already exists and was not created by kube2pod; "
                             "remove it or use --replace to take it over")
    pods = {}
    for pod in plan.pods:
        info = api.pod_inspect(pod.name)
        if info is None:
            pods[pod.name] = "create"
        elif not _owned(info.get("Labels")) and not replace:
            raise ApplyError(f"pod {pod.name} already exists and was not created by kube2pod; "
                             "remove it or use --replace to take it over")
        elif (info.get("Labels") or {}).get(ownership.HASH) == pod.labels.get(ownership.HASH):
            pods[pod.name] = "unchanged"
        else:
            pods[pod.name] = "recreate"
    return _Decisions(pods, volumes, missing)


def _ensure_images(plan: Plan, api: PodmanAPI, emit: Reporter) -> None:
    wanted: dict[str, str] = {}
    for pod in plan.pods:
        for c in pod.containers:
            wanted.setdefault(c.image, c.pull_policy)
    for image, policy in wanted.items():
        present = api.image_exists(image)
        if policy == "never":
            if not present:
                raise ApplyError(f"image {image} is not present and imagePullPolicy is Never")
        elif policy == "missing" and present:
            continue
        else:
            try:
                api.pull(image, policy)
                emit(Event("pulled", "image", image))
            except ApplyError as exc:
                if policy == "newer" and present:
                    emit(Event("warning", "image", image, "could not check for a newer image; using the local one"))
                    continue
                raise ApplyError(f"image {image} is not available: {exc}") from None


def _apply_steps(plan: Plan, api: PodmanAPI, d: _Decisions, journal: Journal, start: bool, emit: Reporter) -> None:
    for hp in d.paths_to_create:
        journal.paths.append(hostpaths.create(hp))
        emit(Event("created", "host path", hp.path))
    for vol in plan.volumes:
        if d.volumes[vol.name] == "create":
            api.volume_create(spec.volume_body(vol))
            journal.volumes.append(vol.name)
            emit(Event("created", "volume", vol.name))
    for pod in plan.pods:
        action = d.pods[pod.name]
        if action == "unchanged":
            emit(Event("unchanged", "pod", pod.name))
            continue
        if action == "recreate":
            api.pod_remove(pod.name)
        _create_pod(pod, api, journal)
        emit(Event("recreated" if action == "recreate" else "created", "pod", pod.name))
        if start:
            api.pod_start(pod.name)
            emit(Event("started", "pod", pod.name))


def _create_pod(pod: Pod, api: PodmanAPI, journal: Journal) -> None:
    api.pod_create(spec.pod_body(pod))
    journal.pods.append(pod.name)
    for c in pod.containers:
        api.container_create(spec.container_body(pod, c))


def down(plan: Plan, client, *, volumes: bool = False, report: Reporter = lambda e: None) -> list[Event]:
    api = PodmanAPI(client)
    events: list[Event] = []

    def emit(e: Event) -> None:
        events.append(e)
        report(e)

    for pod in plan.pods:
        info = api.pod_inspect(pod.name)
        if info is None:
            emit(Event("absent", "pod", pod.name))
        elif not _owned(info.get("Labels")):
            emit(Event("skipped", "pod", pod.name, "not created by kube2pod; left alone"))
        else:
            api.pod_stop(pod.name)
            api.pod_remove(pod.name)
            emit(Event("removed", "pod", pod.name))
    for vol in plan.volumes:
        info = api.volume_inspect(vol.name)
        if info is None:
            continue
        if not _owned(info.get("Labels")):
            emit(Event("skipped", "volume", vol.name, "not created by kube2pod; left alone"))
        elif vol.lifetime == "persistent" and not volumes:
            emit(Event("kept", "volume", vol.name, "persistent; use --volumes to remove"))
        else:
            api.volume_remove(vol.name)
            emit(Event("removed", "volume", vol.name))
    return events
