"""Pulling the images of a plan: every distinct image that must be pulled, concurrently within a bound,
before anything is created, with the credentials of its imagePullSecrets.

Credentials go with each pull request in libpod's ``X-Registry-Auth`` header: base64 (URL alphabet) of
``{registry: {"username", "password"}}``, which Podman 4.3 (pkg/auth ``getAuthCredentials``: the
multi-registry form) turns into a temporary auth file of its own for that one pull and removes. So
kube2pod never writes registry credentials to disk, nothing is left to clean up after a crash, and
another pull on the host never sees them. Events: ``pulling`` when a pull starts, ``progress`` as Podman
reports it (``PullProgress``), ``pulled`` (layers, size, time) or ``failed`` (with the cause) when it ends.
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
    progress = PullProgress(image, emit)
    try:
        pulled = api.pull(image, policy, auth=auth, on_report=progress)
        size = api.image_size(pulled or image)
    except ApplyError as exc:
        return str(exc).removeprefix(f"pulling {image}: ")
    emit(Event("pulled", "image", image, progress.summary(size, time.monotonic() - began)))
    return None


class PullProgress:
    """Turns what Podman streams during one pull into ``progress`` events.

    libpod's ``/images/pull`` (4.3 and 5.x, not quiet) streams c/image's text lines as
    ``{"stream": ...}``: ``Copying blob sha256:...`` when a layer's copy starts (``... skipped:
    already exists`` when present), ``Copying config`` once the layers are in, ``Writing manifest``.
    It sends no byte counts; Docker-style objects with ``progressDetail: {current, total}`` (the
    compatible endpoint's form) are counted as bytes too, should a Podman stream them."""

    def __init__(self, image: str, emit: Reporter):
        self.image, self.emit = image, emit
        self.layers: dict[str, str] = {}  # blob digest -> copying | present | done
        self.bytes: dict[str, tuple[int, int]] = {}  # layer id -> (current, total) when reported

    def __call__(self, item: dict) -> None:
        text = str(item.get("stream") or "").strip()
        if text.startswith("Copying blob "):
            digest, _, rest = text.removeprefix("Copying blob ").partition(" ")
            self.layers[digest] = "present" if "skipped" in rest else "copying"
        elif text.startswith("Copying config"):
            self.layers = {d: ("present" if s == "present" else "done") for d, s in self.layers.items()}
        elif isinstance(item.get("progressDetail"), dict) and item.get("id"):
            detail = item["progressDetail"]
            if isinstance(detail.get("current"), int) and isinstance(detail.get("total"), int):
                self.bytes[item["id"]] = (detail["current"], detail["total"])
        else:
            return
        self.emit(Event("progress", "image", self.image, self.state()))

    def state(self) -> str:
        """``layers 1/3 copied (1 present), 1.2/4.0 MB``: the parts Podman has reported so far."""
        states = list(self.layers.values())
        parts = []
        if states:
            present = states.count("present")
            parts.append(f"layers {states.count('done')}/{len(states) - present} copied"
                         + (f" ({present} present)" if present else ""))
        if self.bytes:
            current, total = (sum(v) for v in zip(*self.bytes.values()))
            parts.append(f"{_mb(current)}/{_mb(total)}")
        return ", ".join(parts) or "started"

    def summary(self, size: int | None, seconds: float) -> str:
        """The ``pulled`` event's detail: layers copied, the image's size, the time."""
        copied = sum(1 for s in self.layers.values() if s != "present")
        parts = [f"{copied} layer{'s' * (copied != 1)}"] if self.layers else []
        if size is not None:
            parts.append(_mb(size))
        return ", ".join([*parts, f"{seconds:.1f} s"])


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
