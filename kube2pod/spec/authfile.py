"""imagePullSecrets -> ``--authfile``: the auth file Podman reads for the pulls of a container's images.

Each output keeps a pull secret's (plan PullSecret) credentials in a file of its own, so the option's
value is the pull secret (``PullSecret.ident``) and each output says where its file is:

* the script: a temporary file (mode 0600) written from the variable ``PullSecret.env_var`` and
  removed when the script ends (render/shell.py);
* the units: ``UNIT_DIR/<ident>.json``, which the user writes once (``podman login --authfile``);
  systemd expands ``%E`` to ``/etc`` in the system's units and to ``$XDG_CONFIG_HOME`` (``~/.config``)
  in a user's, so rootful and rootless units each read their own;
* apply: no file: the credentials go with each pull (``X-Registry-Auth``, apply/pulls.py).

Quadlet's ``.container`` has no ``AuthFile=`` key (only ``.image``, ``.build`` and ``.artifact`` do, up to
Podman 5.8), so units pass ``--authfile`` through ``PodmanArgs=``. An image that several of its pod's
pull secrets are for gets the first that lists the image's registry (:func:`choose`), else the first:
the kubelet would try each in turn, but Podman reads one auth file per pull.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from kube2pod.plan import PullSecret
from kube2pod.plan.pullsecret import DOCKER_HUB, hub
from kube2pod.spec.option import Option

#: Where the units read pull secret ``<ident>``'s credentials: ``UNIT_DIR/<ident>.json``.
UNIT_DIR = "%E/containers/kube2pod/auth"


class AuthFile(str):
    """A CLI word ``<prefix><the auth file of pull secret ident>``: the text is ``prefix`` alone
    and each output fills in its file (the script: its temporary file's variable; units: :func:`unit_path`)."""

    ident: str

    def __new__(cls, ident: str, prefix: str = "") -> "AuthFile":
        word = super().__new__(cls, prefix)
        word.ident = ident
        return word


class ImagePull(NamedTuple):
    """An image volume's pull: the image, its policy and the pull secret it uses (``ident``, or "")."""

    image: str
    pull_policy: str
    auth: str = ""


AUTH_FILE = Option("--authfile", None, "PodmanArgs", words=lambda ident: [AuthFile(ident)], unit="authfile", absent={
    "rest": "apply sends the credentials with each pull in the X-Registry-Auth header and writes no file "
            "(apply/pulls.py); a REST create pulls nothing"})


def unit_path(ident: str) -> str:
    """The units' auth file of pull secret ``ident`` (systemd expands its ``%E``)."""
    return f"{UNIT_DIR}/{ident}.json"


def registry(image: str) -> str:
    """The registry of an image reference as Podman and the kubelet read it: the first component when
    it has a ``.`` or ``:`` or is ``localhost``, else ``docker.io``; ``index.docker.io`` is ``docker.io``."""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return hub(first)
    return DOCKER_HUB


def _repository(image: str) -> str:
    """``registry/path`` of an image reference, without tag and digest (``docker.io/library/x`` for ``x``)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1])] + last[-1].split(":", 1)[0]
    host = registry(image)
    first, slash, rest = name.partition("/")
    path = rest if slash and ("." in first or ":" in first or first == "localhost") else name
    if host == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return f"{host}/{path}"


def matches(key: str, image: str) -> bool:
    """Whether a docker config key (a registry, or a registry and a path) is for ``image``."""
    repo = _repository(image)
    return repo == key or repo.startswith(key.rstrip("/") + "/")


def choose(image: str, pod: str, pull_secrets: Sequence[PullSecret]) -> PullSecret | None:
    """The pull secret pod ``pod`` pulls ``image`` with: of those it names (in the order of the plan:
    the first pod's order), the first with a key for the image's registry, else the first; None when
    the pod names none (a pod without imagePullSecrets pulls without, as in Kubernetes)."""
    used = [ps for ps in pull_secrets if pod in ps.pods and image in ps.images]
    return next((ps for ps in used if any(matches(k, image) for k in ps.registries)), used[0] if used else None)
