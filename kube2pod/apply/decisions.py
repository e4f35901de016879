"""Everything apply decides before it changes anything.

For each pod, from what the host has (observed.py):

* ``create``: absent;
* ``recreate``: kube2pod's but its spec changed, a secret it uses changed, or it drifted (a container removed or replaced by
  hand: reason ``drift: container X was removed``); a same-named pod kube2pod
  does not own is an error unless ``replace`` (then: taken over), and so is one
  (or a volume, or a network) of another kube2pod project (``OwnershipConflict``);
* ``start``: unchanged, but containers that should run do not (created and
  never started, or exited and their restart policy says run again:
  ``always``; ``on-failure`` after a non-zero exit code); with ``start``
  False (``--no-start``) such a pod is ``unchanged``;
* ``completed``: unchanged, nothing runs, and every container's restart
  policy says leave it (``no``, i.e. Never; ``on-failure`` after exit code 0;
  so a Job that completed);
* ``unchanged``: otherwise (what should run runs).

For each volume: ``create`` or ``exists`` (same ownership rule). For each network: ``create``
or ``exists``; a same-named network kube2pod does not own is an error (never taken over), unless
the user named it with ``--network`` (then pods join it as it is). ``orphans``:
pods and volumes labelled with this project that the plan no longer has.
Images are checked against their pull policy (pulling only when ``pull``),
host paths are checked, and host paths to create are listed. With a local Podman, every host port
a pod to be created publishes must be free (host_ports.py): one that another process or another
pod holds stops the run before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from kube2pod.apply import host_ports, hostpaths, labels, observed, pulls
from kube2pod.apply.errors import ApplyError, OwnershipConflict
from kube2pod.apply.events import Event, Reporter
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import HostPath, Plan, Pod
from kube2pod.plan import ownership_labels


POLICY_NAMES = {"always": "Always", "on-failure": "OnFailure", "no": "Never", "": "Always"}


@dataclass(frozen=True)
class Start:
    """What starting an unchanged pod means: ``whole`` (nothing of it runs and nothing must stay
    stopped: ``podman pod start``, which also runs its init containers of type always) or the
    ``containers`` one by one (the others are running or completed); ``was`` its state before."""

    containers: tuple[str, ...]
    whole: bool
    was: str


@dataclass
class Decisions:
    pods: dict[str, str] = field(default_factory=dict)  # name -> create | unchanged | recreate | start | completed
    reasons: dict[str, str] = field(default_factory=dict)  # name -> why recreate / takeover / start / completed
    starts: dict[str, Start] = field(default_factory=dict)  # pod decided "start" -> what to start
    observed: dict[str, observed.ObservedPod] = field(default_factory=dict)
    running: dict[str, bool] = field(default_factory=dict)  # existing pod name -> was running
    definitions: dict[str, str] = field(default_factory=dict)  # existing pod -> stored definition
    volumes: dict[str, str] = field(default_factory=dict)  # name -> create | exists
    networks: dict[str, str] = field(default_factory=dict)  # name -> create | exists
    secrets: dict[str, str] = field(default_factory=dict)  # name -> create | unchanged | replace
    images: dict[str, str] = field(default_factory=dict)  # image -> present | pull | missing
    paths_to_create: list[HostPath] = field(default_factory=list)
    orphan_pods: list[str] = field(default_factory=list)
    orphan_volumes: dict[str, str] = field(default_factory=dict)  # name -> pod | persistent


def decide(plan: Plan, api: PodmanAPI, project: str, *, replace: bool, pull: bool,
           emit: Reporter, start: bool = True) -> Decisions:
    """Check images, host paths and names; raise ApplyError on anything that would fail.
    ``start`` False (``--no-start``): pods that do not run are left so (``unchanged``)."""
    d = Decisions()
    d.images = check_images(plan, api, pull, emit)
    d.paths_to_create = [hp for hp in plan.host_paths if not hostpaths.check(hp)]
    for net in plan.networks:
        d.networks[net.name] = _network_decision(api, net, project, replace)
    for vol in plan.volumes:
        d.volumes[vol.name] = _volume_decision(api, vol.name, project, replace)
    for secret in plan.secrets:
        d.secrets[secret.name] = _secret_decision(api, secret, project, replace)
    changed = {n for n, what in d.secrets.items() if what == "replace"}
    d.observed = observed.observe(api, plan.pods)
    for pod in plan.pods:
        _pod_decision(d.observed[pod.name], project, replace, d)
        used = changed.intersection(s.secret for c in _all_containers(pod) for s in [*c.secret_env, *c.secret_files])
        if d.pods[pod.name] in ("unchanged", "start", "completed") and used:
            d.pods[pod.name], d.reasons[pod.name] = "recreate", "secret changed: " + ", ".join(sorted(used))
            d.starts.pop(pod.name, None)
        if d.pods[pod.name] == "start" and not start:
            d.pods[pod.name] = "unchanged"
            d.reasons[pod.name] = d.reasons[pod.name] + "; --no-start leaves it so"
            d.starts.pop(pod.name)
    _orphans(plan, api, project, d)
    if api.local:
        fresh = [p for p in plan.pods if d.pods[p.name] == "create"]
        busy = host_ports.taken(fresh)
        if busy:
            raise ApplyError("; ".join(f"host port {port} of {pod.source} ({pod.source.location}) is already in use "
                                       "on this host" for pod, port in busy))
    return d


def _other_project(kind: str, name: str, have: dict, project: str, replace: bool) -> None:
    """``OwnershipConflict`` for an object kube2pod made for another project, unless ``replace``."""
    other = (have or {}).get(labels.PROJECT, "")
    if labels.owned(have) and other and other != project and not replace:
        raise OwnershipConflict(f"{kind} {name} belongs to kube2pod project {other}, not to project {project}; "
                                f"use --project {other} to apply to that project, or --replace to take it over")


def _volume_decision(api: PodmanAPI, name: str, project: str, replace: bool) -> str:
    info = api.volume_inspect(name)
    if info is None:
        return "create"
    _other_project("volume", name, info.get("Labels"), project, replace)
    if labels.owned(info.get("Labels")) or replace:
        return "exists"
    raise ApplyError(f"volume {name} already exists and was not created by kube2pod; "
                     "remove it or use --replace to take it over")


def _network_decision(api: PodmanAPI, net, project: str, replace: bool) -> str:
    info = api.network_inspect(net.name)
    if info is None:
        return "create"
    if net.shared:  # named with --network: any project may join it
        return "exists"
    _other_project("network", net.name, info.get("labels"), project, replace)
    if labels.owned(info.get("labels")):
        _same_subnet(net, info)
        return "exists"
    raise ApplyError(f"network {net.name} already exists and was not created by kube2pod; kube2pod never "
                     "changes it: remove or rename it, choose another project name with --project, or join it "
                     f"deliberately with --network {net.name}")


def _same_subnet(net, info: dict) -> None:
    """A subnet the plan gives kube2pod's own network (static pod addresses: translate/podip.py) must be
    the existing one's: a network is never changed in place."""
    have = [s.get("subnet") for s in info.get("subnets") or []]
    if net.subnet and net.subnet not in have:
        raise ApplyError(f"network {net.name} exists with subnet {', '.join(have) or 'none'}, but the pods now need "
                         f"subnet {net.subnet} (their static addresses for status.podIP); kube2pod does not change a "
                         "network in place: run `kube2pod down` for this input first, then apply")


def _secret_decision(api: PodmanAPI, secret, project: str, replace: bool) -> str:
    """A Secret kept on the host (``io.kube2pod.shared``, translate/kept.py) is its project's: another
    project neither replaces it nor takes its keys over, unless ``replace``."""
    info = api.secret_inspect(secret.name)
    if info is None:
        return "create"
    have = (info.get("Spec") or {}).get("Labels") or {}
    if ownership_labels.SHARED in have or ownership_labels.SHARED in secret.labels:
        _other_project("secret", secret.name, have, project, replace)
    if not labels.owned(have) and not replace:
        raise ApplyError(f"secret {secret.name} already exists and was not created by kube2pod; "
                         "remove it or use --replace to take it over")
    return "unchanged" if have.get(ownership_labels.HASH) == labels.secret_hash(secret) else "replace"


class PodDecision(NamedTuple):
    """What apply does with one pod: ``action`` create | recreate | start | completed | unchanged,
    ``foreign`` (a same-named pod kube2pod did not make) or ``other-project`` (one of another kube2pod
    project): errors without ``replace``; ``reason``
    as reported (``drift: container X was removed``); ``start`` what to start for ``start``."""

    action: str
    reason: str = ""
    start: Start | None = None


def pod_decision(seen: observed.ObservedPod, project: str, replace: bool = False) -> PodDecision:
    """The decision table of docs/apply.md for one observed pod (apply, diff and status use it)."""
    if not seen.exists:
        return PodDecision("create")
    if not seen.owned:
        return (PodDecision("recreate", "taking over a pod not created by kube2pod") if replace
                else PodDecision("foreign", "not created by kube2pod"))
    if seen.project and seen.project != project:
        return (PodDecision("recreate", f"taking over from project {seen.project}") if replace
                else PodDecision("other-project", f"belongs to kube2pod project {seen.project}"))
    if not seen.hash_matches:
        return PodDecision("recreate", "spec changed")
    if seen.drift:
        return PodDecision("recreate", "drift: " + ", ".join(seen.drift))
    return _run_state(seen)


def _pod_decision(seen: observed.ObservedPod, project: str, replace: bool, d: Decisions) -> None:
    name = seen.name
    decision = pod_decision(seen, project, replace)
    if decision.action == "foreign":
        raise ApplyError(f"pod {name} already exists and was not created by kube2pod; "
                         "remove it or use --replace to take it over")
    if decision.action == "other-project":
        _other_project("pod", name, {labels.PROJECT: seen.project, ownership_labels.MANAGED: "true"}, project, replace)
    if seen.exists:
        d.running[name] = seen.running
    if seen.owned and seen.definition:
        d.definitions[name] = seen.definition
    d.pods[name] = decision.action
    if decision.reason:
        d.reasons[name] = decision.reason
    if decision.start is not None:
        d.starts[name] = decision.start


def _run_state(seen: observed.ObservedPod) -> PodDecision:
    """start / completed / unchanged for a pod whose spec and containers are as planned."""
    app = seen.app
    start = [c for c in app if _should_start(c)]
    done = [c for c in app if c.exited and not _should_start(c)]
    if start:
        whole = not seen.infra_running and not done and not any(c.running for c in app)
        was = f"was {seen.state.lower()}" if whole else ", ".join(f"{c.name} was {_was(c)}" for c in start)
        return PodDecision("start", was, Start(tuple(c.name for c in start), whole, was))
    if done and not any(c.running for c in app):
        return PodDecision("completed", "; ".join(_completed(done)))
    return PodDecision("unchanged")


def _should_start(c: observed.ObservedContainer) -> bool:
    """The kubelet's rule: never started, or exited and its restart policy restarts it."""
    if c.never_ran:
        return True
    if not c.exited:
        return False
    policy = c.restart_policy or "always"
    return policy == "always" or (policy == "on-failure" and c.exit_code != 0)


def _was(c: observed.ObservedContainer) -> str:
    return "created" if c.never_ran else f"{c.state} with code {c.exit_code}"


def _completed(done: list[observed.ObservedContainer]) -> list[str]:
    """``restartPolicy Never: exited with code 0`` (one phrase per distinct policy and code)."""
    phrases = {f"restartPolicy {POLICY_NAMES.get(c.restart_policy, c.restart_policy)}: "
               f"exited with code {c.exit_code}": None for c in done}
    return list(phrases)


def _orphans(plan: Plan, api: PodmanAPI, project: str, d: Decisions) -> None:
    mine = (f"{ownership_labels.MANAGED}=true", f"{labels.PROJECT}={project}")
    wanted_pods = {p.name for p in plan.pods}
    d.orphan_pods = sorted(p["Name"] for p in api.pods(*mine) if p.get("Name") not in wanted_pods)
    wanted_vols = {v.name for v in plan.volumes}
    for v in api.volumes(*mine):
        if v.get("Name") not in wanted_vols:
            d.orphan_volumes[v["Name"]] = (v.get("Labels") or {}).get(labels.LIFETIME, "pod")


def check_images(plan: Plan, api: PodmanAPI, pull: bool, emit: Reporter) -> dict[str, str]:
    """Honour each image's pull policy. With ``pull`` False (diff, dry run) nothing is
    pulled and the outcome is predicted: present, pull, or missing (an error). With ``pull``,
    the images to pull are pulled concurrently (pulls.py) before anything is created."""
    wanted: dict[str, str] = {}
    for pod in plan.pods:
        for c in _all_containers(pod):
            wanted.setdefault(c.image, c.pull_policy)
            for m in c.image_mounts:  # image volumes: podman does not pull them
                wanted.setdefault(m.image, m.pull_policy)
    status, todo, fallback = {}, {}, set()
    for image, policy in wanted.items():
        present = api.image_exists(image)
        if policy == "never":
            if not present:
                raise ApplyError(f"image {image} is not present and imagePullPolicy is Never")
            status[image] = "present"
        elif policy == "missing" and present:
            status[image] = "present"
        elif not pull:
            status[image] = "pull"
        else:
            todo[image] = policy
            if policy == "newer" and present:
                fallback.add(image)
    status.update(pulls.pull_all(api, todo, plan, emit, fallback))
    return {image: status[image] for image in wanted}


def _secrets_used(pod: Pod) -> set[str]:
    """Podman secrets the pod's containers reference (as env or as files)."""
    return {ref.secret for c in _all_containers(pod)
            for ref in [*c.secret_env, *getattr(c, "secret_files", [])]}


def _all_containers(pod: Pod) -> list:
    """Init containers (when the plan has them) and app containers."""
    return [*pod.init_containers, *pod.containers]
