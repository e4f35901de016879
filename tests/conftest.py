"""Shared pytest fixtures.  Podman fixtures: see tests/support/podman_env.py.

Podman fixtures (all backed by ONE isolated Podman per test session):

* ``isolated_podman``   (session) the started ``support.podman_env.PodmanEnv``
* ``podman_url``        (session) ``"unix:///tmp/k2p-podman-…/podman.sock"``
* ``podman_cli``        (session; alias ``podman``) ``podman(*args, check=True, input=None,
                        timeout=300, remote=False) -> CompletedProcess`` (text,
                        captured) running the CLI on the isolated store
* ``podman_shell_env``  (session) env dict: bash scripts with plain ``podman``
                        commands use the isolated store (local mode)
* ``podman_client``     (function) podman-py ``PodmanClient`` on the service
* ``podman_clean``      (function) the ``PodmanEnv``; after the test every pod,
                        container and volume in the isolated store is removed

Tests marked ``@pytest.mark.podman`` get the isolated Podman started for them
and are skipped (with the reason) when Podman is unusable, except when
``CI`` is true (or ``K2P_REQUIRE_PODMAN=1``): then they fail.

``registries`` (session) real registries on loopback with test images pushed
(tests/support/registry.py): ``.plain`` (HTTP) and ``.secure`` (TLS + htpasswd), ``.images``.

``quadlet_bin`` (module) is podman 5's Quadlet generator (tests/support/quadlet.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.podman_env import PodmanEnv, in_ci
from support.quadlet import quadlet_path
from support.registry import LocalRegistry, build_image, push


def _podman_required() -> bool:
    return in_ci() or os.environ.get("K2P_REQUIRE_PODMAN", "") not in ("", "0")


@pytest.fixture(scope="session")
def isolated_podman():
    env = PodmanEnv()
    try:
        env.start()
    except Exception as exc:  # noqa: BLE001 - reported as skip/fail below
        reason = f"isolated Podman unusable: {type(exc).__name__}: {exc}"
        if _podman_required():
            pytest.fail(reason + "\n(CI=true or K2P_REQUIRE_PODMAN=1: Podman must work; "
                        "run `bash scripts/setup-podman` as root)", pytrace=False)
        pytest.skip(reason)
    try:
        yield env
    finally:
        env.stop()


@pytest.fixture(autouse=True)
def _podman_marker(request):
    if request.node.get_closest_marker("podman") is not None:
        request.getfixturevalue("isolated_podman")


@pytest.fixture(scope="session")
def podman_url(isolated_podman) -> str:
    return isolated_podman.url


@pytest.fixture(scope="session")
def podman_cli(isolated_podman):
    return isolated_podman.podman


@pytest.fixture(scope="session")
def podman(isolated_podman):
    """Alias of ``podman_cli`` (shadows the podman-py package name inside a
    test function; prefer ``podman_cli`` in new tests)."""
    return isolated_podman.podman


@pytest.fixture(scope="session")
def podman_shell_env(isolated_podman) -> dict[str, str]:
    return isolated_podman.env


@pytest.fixture
def podman_client(isolated_podman):
    client = isolated_podman.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def podman_clean(isolated_podman):
    yield isolated_podman
    isolated_podman.reset_pods()


@pytest.fixture(scope="module")
def quadlet_bin() -> Path:
    """Podman 5's Quadlet generator (support/quadlet.py); skipped when missing, failed when CI is true."""
    return quadlet_path()


class Registries:
    """The session's two registries and the images pushed to them: ``images[key]`` is the remote
    reference; ``PLAIN_IMAGES`` on the plain one, ``private`` on the secure one."""

    PLAIN_IMAGES = {"alpha": "k2p/alpha:v1", "beta": "k2p/beta:latest", "gamma": "k2p/gamma:v1",
                    "delta": "k2p/delta:v2"}

    def __init__(self, plain: LocalRegistry, secure: LocalRegistry):
        self.plain, self.secure = plain, secure
        self.images = {key: plain.image(ref) for key, ref in self.PLAIN_IMAGES.items()}
        self.images["private"] = secure.image("k2p/private:v1")

    def push_all(self, podman) -> None:
        for key, remote in self.images.items():
            local = f"localhost/k2p-pull-{key}:build"
            build_image(podman, local, f"k2p-{key}-")
            push(podman, self.secure if key == "private" else self.plain, local, remote)
            podman("rmi", local)


@pytest.fixture(scope="session")
def registries(isolated_podman):
    """Both registries started, the images pushed (and absent from the isolated store); stopped at the end."""
    plain = LocalRegistry.plain(isolated_podman.plain_registry_port)
    secure = LocalRegistry.secured()
    try:
        plain.start()
        secure.start()
        regs = Registries(plain, secure)
        regs.push_all(isolated_podman.podman)
    except Exception as exc:  # noqa: BLE001 - reported as skip/fail below
        plain.stop()
        secure.stop()
        reason = f"local registry unusable: {type(exc).__name__}: {exc}"
        if _podman_required():
            pytest.fail(reason + " (run `bash scripts/setup-podman` as root)", pytrace=False)
        pytest.skip(reason)
    try:
        yield regs
    finally:
        plain.stop()
        secure.stop()
