"""Pulling the images of a plan: every distinct image that must be pulled, concurrently within a bound,
before anything is created, with the credentials of its imagePullSecrets.

Credentials go with each pull request in libpod's ``X-Registry-Auth`` header: base64 (URL alphabet) of
``{registry: {"username", "password"}}``, which Podman 4.3 (pkg/auth ``getAuthCredentials``: the
multi-registry form) turns into a temporary auth file of its own for that one pull and removes. So
kube2pod never writes registry credentials to disk, nothing is left to clean up after a crash, and
another pull on the host never sees them. Events: ``pulling`` when a pull starts, ``pulled`` (with its
time) or ``failed`` (with the cause) when it ends.
"""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor

from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import Plan

WORKERS = 3


def auth_headers(plan: Plan) -> dict[str, str]:
    """image -> ``X-Registry-Auth`` value for the images some pull secret is used for (the first
    secret naming a registry wins, as the kubelet tries them in order)."""
    merged: dict[str, dict] = {}
    for ps in plan.pull_secrets:
        creds = json.loads(ps.data())
        for image in ps.images:
            for registry, entry in creds.items():
                merged.setdefault(image, {}).setdefault(registry, entry)
    return {image: base64.urlsafe_b64encode(json.dumps(auths).encode()).decode("ascii")
            for image, auths in merged.items()}


def pull_all(api: PodmanAPI, todo: dict[str, str], plan: Plan, emit: Reporter,
             fallback: set[str] = frozenset()) -> dict[str, str]:
    """Pull ``todo`` (image -> podman policy) concurrently; image -> ``pulled`` (or ``present`` for an
    image in ``fallback``: present locally, and a failure only means no newer one could be checked).
    Raises ApplyError naming every image that could not be pulled and why, after all pulls ended."""
    if not todo:
        return {}
    auth = auth_headers(plan)
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(todo)), thread_name_prefix="kube2pod-pull") as pool:
        futures = {image: pool.submit(_pull_one, api, image, policy, auth.get(image), emit)
                   for image, policy in todo.items()}
    status, failures = {}, []
    for image, future in futures.items():
        cause = future.result()
        if cause is None:
            status[image] = "pulled"
        elif image in fallback:
            emit(Event("warning", "image", image, "could not check for a newer image; using the local one"))
            status[image] = "present"
        else:
            emit(Event("failed", "image", image, cause))
            failures.append(f"image {image} cannot be pulled: {cause}")
    if failures:
        raise ApplyError("; ".join(failures))
    return status


def _pull_one(api: PodmanAPI, image: str, policy: str, auth: str | None, emit: Reporter) -> str | None:
    """None when pulled, else the cause (Podman's message)."""
    emit(Event("pulling", "image", image, f"policy {policy}"))
    began = time.monotonic()
    try:
        api.pull(image, policy, auth=auth)
    except ApplyError as exc:
        return str(exc).removeprefix(f"pulling {image}: ")
    emit(Event("pulled", "image", image, f"{time.monotonic() - began:.1f} s"))
    return None
