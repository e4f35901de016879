"""Thin wrappers over podman-py for the calls the executor makes; every failure becomes an ApplyError."""

from __future__ import annotations

import json
from urllib.parse import quote

from kube2pod.apply.errors import ApplyError
from kube2pod.spec.version import Version


def _check(resp, what: str):
    if resp.status_code >= 400:
        try:
            body = resp.json()
            errs = body.get("Errs") if isinstance(body, dict) else None  # a pod start's, per container
            msg = "; ".join(map(str, errs)) if errs else body.get("message") or resp.text
        except (ValueError, AttributeError):
            msg = resp.text
        raise ApplyError(f"{what}: {msg.strip()}")
    return resp


class PodmanGone(ApplyError):
    """The Podman service stopped answering (died, restarted, socket gone)."""


def _api_error(what: str, exc) -> ApplyError:
    """podman-py wraps a dead connection (OSError) in APIError; name it for what it is."""
    if isinstance(exc.__cause__, OSError):
        return PodmanGone(f"{what}: the Podman service stopped answering ({exc.__cause__.__class__.__name__})")
    return ApplyError(f"{what}: {exc.explanation or exc}")


def _call(what: str, fn, *args, **kwargs):
    from podman.errors import APIError

    try:
        return _check(fn(*args, **kwargs), what)
    except APIError as exc:
        raise _api_error(what, exc) from exc


class PodmanAPI:
    """The libpod endpoints kube2pod uses, on a connected PodmanClient."""

    def __init__(self, client):
        self.client = client
        self.api = client.api

    def _get(self, path: str, what: str, **params):
        return _call(what, self.api.get, path, params=params or None)

    def _post(self, path: str, what: str, body=None, **params):
        data = json.dumps(body) if body is not None else None
        return _call(what, self.api.post, path, data=data, params=params or None,
                     headers={"Content-Type": "application/json"})

    def _delete(self, path: str, what: str, **params):
        return _call(what, self.api.delete, path, params=params or None)

    def _exists(self, path: str, what: str) -> bool:
        from podman.errors import APIError

        try:
            resp = self.api.get(path)
        except APIError as exc:
            raise _api_error(what, exc) from exc
        if resp.status_code == 404:
            return False
        _check(resp, what)
        return True

    @property
    def local(self) -> bool:
        """Whether the service runs on this machine (a unix socket): host checks made here are its host's."""
        return getattr(getattr(self.api, "base_url", None), "scheme", "") == "http+unix"

    def info(self) -> dict:
        """``GET /info``, once per client: Podman builds it afresh each time (runs the
        OCI runtime and conmon for their versions, counts the store), ~0.25 s here."""
        cached = getattr(self.client, "_kube2pod_info", None)
        if cached is None:
            cached = self._get("/info", "reading Podman info").json()
            self.client._kube2pod_info = cached
        return cached

    def version(self) -> Version:
        """The service's Podman version (``version.Version`` of /info): the target of apply's spec."""
        text = (self.info().get("version") or {}).get("Version") or ""
        try:
            return Version.parse(text)
        except ValueError:
            raise ApplyError(f"Podman reported no usable version ({text!r}) in /info") from None

    def store_id(self) -> str:
        """The identity of the store this service manages (graph root and run root)."""
        store = self.info().get("store", {})
        return f"{store.get('graphRoot', '')}|{store.get('runRoot', '')}"

    # images
    def image_exists(self, image: str) -> bool:
        return self._exists(f"/images/{quote(image, safe='')}/exists", f"checking image {image}")

    def pull(self, image: str, policy: str, auth: str | None = None, on_report=None) -> str:
        """The pulled image's ID ("" when Podman names none). ``auth``: an ``X-Registry-Auth`` value
        (apply/pulls.py), sent with this request only. ``on_report``: called with each JSON object
        Podman streams while it pulls (``{"stream": "Copying blob sha256:..."}`` lines, then the
        result); without it the pull is quiet and answered once at the end."""
        headers = {"X-Registry-Auth": auth} if auth else None
        params = {"reference": image, "policy": policy, "quiet": "false" if on_report else "true"}
        resp = _call(f"pulling {image}", self.api.post, "/images/pull", headers=headers, params=params,
                     stream=bool(on_report))
        lines = resp.iter_lines() if on_report else resp.text.splitlines()
        pulled = ""
        for line in lines:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if not isinstance(item, dict):
                continue
            if item.get("error"):
                raise ApplyError(f"pulling {image}: {item['error']}")
            pulled = item.get("id") or pulled
            if on_report:
                on_report(item)
        return pulled

    def image_size(self, image: str) -> int | None:
        """The image's size in bytes as Podman reports it (None when it does not)."""
        size = self._get(f"/images/{quote(image, safe='')}/json", f"inspecting image {image}").json().get("Size")
        return size if isinstance(size, int) else None

    # pods
    def pod_inspect(self, name: str) -> dict | None:
        """The pod named exactly ``name``, or None (podman also matches ID prefixes: a pod
        called "b" must not be mistaken for another pod whose ID starts with b)."""
        if not self._exists(f"/pods/{quote(name, safe='')}/exists", f"checking pod {name}"):
            return None
        info = self._get(f"/pods/{quote(name, safe='')}/json", f"inspecting pod {name}").json()
        return info if info.get("Name") == name else None

    def pod_create(self, body: dict) -> str:
        return self._post("/pods/create", f"creating pod {body['name']}", body).json().get("Id", "")

    def pod_start(self, name: str) -> None:
        resp = self._post(f"/pods/{quote(name, safe='')}/start", f"starting pod {name}")
        errs = resp.json().get("Errs") if resp.content else None
        if errs:
            raise ApplyError(f"starting pod {name}: {'; '.join(map(str, errs))}")

    def pod_stop(self, name: str, timeout: int | None = None) -> None:
        params = {"t": timeout} if timeout is not None else {}
        self._post(f"/pods/{quote(name, safe='')}/stop", f"stopping pod {name}", **params)

    def pod_remove(self, name: str) -> None:
        self._delete(f"/pods/{quote(name, safe='')}", f"removing pod {name}", force="true")

    def pods(self, *labels: str) -> list[dict]:
        """Pods carrying every ``key=value`` label given."""
        filters = json.dumps({"label": list(labels)})
        return self._get("/pods/json", "listing pods", filters=filters).json() or []

    def volumes(self, *labels: str) -> list[dict]:
        """Volumes carrying every ``key=value`` label given (Podman 4.3 lists the volumes carrying
        any of them: checked here again)."""
        filters = json.dumps({"label": list(labels)})
        found = self._get("/volumes/json", "listing volumes", filters=filters).json() or []
        wanted = [label.partition("=") for label in labels]
        return [v for v in found if all((v.get("Labels") or {}).get(k) == value for k, _, value in wanted)]

    def pod_containers(self, pod: str) -> list[dict]:
        """The pod's containers (infra included), as listed by /containers/json."""
        filters = json.dumps({"pod": [pod]})
        return self._get("/containers/json", f"listing containers of pod {pod}", all="true",
                         filters=filters).json() or []

    def containers_of_pods(self, pod_ids: list[str]) -> list[dict]:
        """Every container (infra included, running or not) of the pods with these full IDs, as
        listed by /containers/json (labels, state, exit code), in one call; full IDs match exactly."""
        filters = json.dumps({"pod": list(pod_ids)})
        return self._get("/containers/json", "listing containers", all="true", filters=filters).json() or []

    # containers
    def container_create(self, body: dict) -> str:
        return self._post("/containers/create", f"creating container {body['name']}", body).json().get("Id", "")

    def container_start(self, name: str) -> None:
        self._post(f"/containers/{quote(name, safe='')}/start", f"starting container {name}")

    def container_stop(self, name: str, timeout: int | None = None) -> None:
        params = {"timeout": timeout} if timeout is not None else {}
        self._post(f"/containers/{quote(name, safe='')}/stop", f"stopping container {name}", **params)

    def container_wait(self, name: str, condition: str = "stopped") -> int:
        """Block until the container reaches ``condition``; its exit code."""
        resp = self._post(f"/containers/{quote(name, safe='')}/wait", f"waiting for container {name}",
                          condition=condition)
        try:
            return int(resp.text.strip() or 0)
        except ValueError:
            return 0

    def container_inspect(self, name: str) -> dict:
        return self._get(f"/containers/{quote(name, safe='')}/json", f"inspecting container {name}").json()

    # volumes
    def volume_inspect(self, name: str) -> dict | None:
        """The volume named exactly ``name``, or None (not one whose name merely starts so)."""
        if not self._exists(f"/volumes/{quote(name, safe='')}/exists", f"checking volume {name}"):
            return None
        info = self._get(f"/volumes/{quote(name, safe='')}/json", f"inspecting volume {name}").json()
        return info if info.get("Name") == name else None

    def volume_create(self, body: dict) -> None:
        self._post("/volumes/create", f"creating volume {body['Name']}", body)

    def volume_remove(self, name: str) -> None:
        self._delete(f"/volumes/{quote(name, safe='')}", f"removing volume {name}", force="true")

    # networks
    def network_inspect(self, name: str) -> dict | None:
        """The network named exactly ``name``, or None."""
        if not self._exists(f"/networks/{quote(name, safe='')}/exists", f"checking network {name}"):
            return None
        info = self._get(f"/networks/{quote(name, safe='')}/json", f"inspecting network {name}").json()
        if isinstance(info, list):  # podman 4.x answers with a list of one
            info = info[0] if info else {}
        return info if info.get("name") == name else None

    def network_create(self, body: dict) -> None:
        self._post("/networks/create", f"creating network {body['name']}", body)

    def network_remove(self, name: str) -> None:
        self._delete(f"/networks/{quote(name, safe='')}", f"removing network {name}")

    def networks(self, *labels: str) -> list[dict]:
        """Networks carrying every ``key=value`` label given."""
        filters = json.dumps({"label": list(labels)})
        return self._get("/networks/json", "listing networks", filters=filters).json() or []

    def network_users(self, name: str) -> list[str]:
        """The names of the containers (running or not) attached to network ``name``."""
        filters = json.dumps({"network": [name]})
        found = self._get("/containers/json", f"listing containers on network {name}", all="true",
                          filters=filters).json() or []
        return [(c.get("Names") or [""])[0] for c in found]

    # secrets
    def secret_inspect(self, name: str) -> dict | None:
        from podman.errors import APIError

        what = f"checking secret {name}"
        try:
            resp = self.api.get(f"/secrets/{quote(name, safe='')}/json")
        except APIError as exc:
            raise _api_error(what, exc) from exc
        if resp.status_code == 404:
            return None
        info = _check(resp, what).json()
        return info if (info.get("Spec") or {}).get("Name") == name else None  # not an ID-prefix match

    def secret_create(self, name: str, data: bytes, labels: dict[str, str]) -> None:
        """The secret's bytes go in the request body; labels as a JSON query parameter."""
        _call(f"creating secret {name}", self.api.post, "/secrets/create", data=data,
              params={"name": name, "labels": json.dumps(labels)})

    def secret_remove(self, name: str) -> None:
        self._delete(f"/secrets/{quote(name, safe='')}", f"removing secret {name}")

    def secrets(self) -> list[dict]:
        """Every secret as listed, with its labels: Podman 4.3's listing gives them as null (its
        inspect has them), so those are read from the inspect."""
        found = self._get("/secrets/json", "listing secrets").json() or []
        for listed in found:
            spec = listed.get("Spec") or {}
            if spec.get("Labels") is None and spec.get("Name"):
                info = self.secret_inspect(spec["Name"])
                listed["Spec"] = {**spec, "Labels": ((info or {}).get("Spec") or {}).get("Labels") or {}}
        return found
