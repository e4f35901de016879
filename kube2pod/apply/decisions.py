"""Everything apply decides before it changes anything.

For each pod: ``create`` (absent), ``unchanged`` (owned, same hash and project,
all its containers present), ``recreate`` (owned but different or incomplete);
a same-named pod kube2pod does not own is an error unless ``replace``. For each
volume: ``create`` or ``exists`` (same ownership rule). ``orphans``: pods and
volumes labelled with this project that the plan no longer has. Images are
checked against their pull policy (pulling only when ``pull``), host paths
are checked, and host paths to create are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kube2pod.apply import hostpaths, labels
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import HostPath, Plan, Pod
from kube2pod.plan import ownership_labels


@dataclass
class Decisions:
    pods: dict[str, str] = field(default_factory=dict)  # name -> create | unchanged | recreate
    reasons: dict[str, str] = field(default_factory=dict)  # name -> why recreate / takeover
    running: dict[str, bool] = field(default_factory=dict)  # existing pod name -> was running
    definitions: dict[str, str] = field(default_factory=dict)  # existing pod -> stored definition
    volumes: dict[str, str] = field(default_factory=dict)  # name -> create | exists
    secrets: dict[str, str] = field(default_factory=dict)  # name -> create | unchanged | replace
    images: dict[str, str] = field(default_factory=dict)  # image -> present | pull | missing
    paths_to_create: list[HostPath] = field(default_factory=list)
    orphan_pods: list[str] = field(default_factory=list)
    orphan_volumes: dict[str, str] = field(default_factory=dict)  # name -> pod | persistent


def decide(plan: Plan, api: PodmanAPI, project: str, *, replace: bool, pull: bool,
           emit: Reporter) -> Decisions:
    """Check images, host paths and names; raise ApplyError on anything that would fail."""
    d = Decisions()
    d.images = check_images(plan, api, pull, emit)
    d.paths_to_create = [hp for hp in plan.host_paths if not hostpaths.check(hp)]
    for vol in plan.volumes:
        d.volumes[vol.name] = _volume_decision(api, vol.name, replace)
    for secret in plan.secrets:
        d.secrets[secret.name] = _secret_decision(api, secret, replace)
    changed = {n for n, what in d.secrets.items() if what == "replace"}
    for pod in plan.pods:
        _pod_decision(api, pod, project, replace, d)
        used = changed.intersection(s.secret for c in _all_containers(pod) for s in [*c.secret_env, *c.secret_files])
        if d.pods[pod.name] == "unchanged" and used:
            d.pods[pod.name], d.reasons[pod.name] = "recreate", "secret changed: " + ", ".join(sorted(used))
    _orphans(plan, api, project, d)
    return d


def _volume_decision(api: PodmanAPI, name: str, replace: bool) -> str:
    info = api.volume_inspect(name)
    if info is None:
        return "create"
    if labels.owned(info.get("Labels")) or replace:
        return "exists"
    raise ApplyError(f"volume {name} already exists and was not created by kube2pod; "
                     "remove it or use --replace to take it over")


def _secret_decision(api: PodmanAPI, secret, replace: bool) -> str:
    info = api.secret_inspect(secret.name)
    if info is None:
        return "create"
    have = (info.get("Spec") or {}).get("Labels") or {}
    if not labels.owned(have) and not replace:
        raise ApplyError(f"secret {secret.name} already exists and was not created by kube2pod; "
                         "remove it or use --replace to take it over")
    return "unchanged" if have.get(ownership_labels.HASH) == labels.secret_hash(secret) else "replace"


def _pod_decision(api: PodmanAPI, pod: Pod, project: str, replace: bool, d: Decisions) -> None:
    info = api.pod_inspect(pod.name)
    if info is None:
        d.pods[pod.name] = "create"
        return
    have = info.get("Labels") or {}
    d.running[pod.name] = info.get("State") in ("Running", "Degraded")
    if not labels.owned(have):
        if not replace:
            raise ApplyError(f"pod {pod.name} already exists and was not created by kube2pod; "
                             "remove it or use --replace to take it over")
        d.pods[pod.name], d.reasons[pod.name] = "recreate", "taking over a pod not created by kube2pod"
        return
    if have.get(labels.DEFINITION):
        d.definitions[pod.name] = have[labels.DEFINITION]
    present = {c.get("Name") for c in info.get("Containers") or []}
    missing = [c.name for c in pod.containers if c.name not in present]
    if have.get(ownership_labels.HASH) != pod.labels.get(ownership_labels.HASH):
        d.pods[pod.name], d.reasons[pod.name] = "recreate", "spec changed"
    elif have.get(labels.PROJECT) != project:
        d.pods[pod.name], d.reasons[pod.name] = "recreate", f"moving from project {have.get(labels.PROJECT)}"
    elif missing:
        d.pods[pod.name], d.reasons[pod.name] = "recreate", "incomplete: no container " + ", ".join(missing)
    else:
        d.pods[pod.name] = "unchanged"


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
    pulled and the outcome is predicted: present, pull, or missing (an error)."""
    wanted: dict[str, str] = {}
    for pod in plan.pods:
        for c in _all_containers(pod):
            wanted.setdefault(c.image, c.pull_policy)
    status = {}
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
            status[image] = _pull(api, image, policy, present, emit)
    return status


def _pull(api: PodmanAPI, image: str, policy: str, present: bool, emit: Reporter) -> str:
    try:
        api.pull(image, policy)
    except ApplyError as exc:
        if policy == "newer" and present:
            emit(Event("warning", "image", image, "could not check for a newer image; using the local one"))
            return "present"
        raise ApplyError(f"image {image} is not present and cannot be pulled: {exc}") from None
    emit(Event("pulled", "image", image))
    return "pulled"


def _secrets_used(pod: Pod) -> set[str]:
    """Podman secrets the pod's containers reference (as env or as files)."""
    return {ref.secret for c in _all_containers(pod)
            for ref in [*c.secret_env, *getattr(c, "secret_files", [])]}


def _all_containers(pod: Pod) -> list:
    """Init containers (when the plan has them) and app containers."""
    return [*pod.init_containers, *pod.containers]
