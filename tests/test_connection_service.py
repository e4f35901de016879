"""The Podman service kube2pod starts when none listens: kept for the next command at a private
per-user socket of the store's environment, stopped by Podman when idle (apply/kept_service.py)."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest

from kube2pod.apply import connection, kept_service, prefetch

PODMAN = shutil.which("podman") or "/usr/bin/podman"


# ---------------------------------------------------------------------------- without Podman

def test_directory_trusted_only_when_private_and_ours(tmp_path):
    d = tmp_path / "d"
    d.mkdir(0o700)
    assert kept_service.trusted(str(d))
    d.chmod(0o750)
    assert not kept_service.trusted(str(d))  # group may enter
    d.chmod(0o700)
    link = tmp_path / "link"
    link.symlink_to(d)
    assert not kept_service.trusted(str(link))
    assert not kept_service.trusted(str(tmp_path / "missing"))
    if os.geteuid() == 0:
        os.chown(d, 65534, 65534)  # another user's directory
        assert not kept_service.trusted(str(d))


def test_directory_per_user():
    if os.geteuid() == 0:
        assert kept_service.directory({}) == "/run/kube2pod"
    else:
        assert kept_service.directory({"XDG_RUNTIME_DIR": "/run/user/7"}) == "/run/user/7/kube2pod"
        assert kept_service.directory({}) == f"/tmp/kube2pod-{os.geteuid()}"


def test_socket_differs_per_store_environment():
    base = {"HOME": "/root"}
    one = kept_service.socket_path(PODMAN, base)
    assert one == kept_service.socket_path(PODMAN, dict(base, UNRELATED="x"))
    assert one != kept_service.socket_path(PODMAN, dict(base, CONTAINERS_CONF="/other/containers.conf"))
    assert one != kept_service.socket_path(PODMAN, dict(base, CONTAINERS_STORAGE_CONF="/s.conf"))
    assert one != kept_service.socket_path("/opt/podman/bin/podman", base)


def test_idle_seconds():
    assert kept_service.idle_seconds({}) == kept_service.DEFAULT_IDLE
    assert kept_service.idle_seconds({kept_service.IDLE_ENV: "0"}) == 0
    assert kept_service.idle_seconds({kept_service.IDLE_ENV: "5"}) == 5
    assert kept_service.idle_seconds({kept_service.IDLE_ENV: "soon"}) == kept_service.DEFAULT_IDLE


def test_untrusted_directory_is_neither_a_candidate_nor_used(tmp_path, monkeypatch):
    if os.geteuid() == 0:
        pytest.skip("root's directory is /run/kube2pod")
    runtime = tmp_path / "run"
    (runtime / "kube2pod").mkdir(parents=True, mode=0o777)
    (runtime / "kube2pod").chmod(0o777)
    env = {"XDG_RUNTIME_DIR": str(runtime), "PATH": os.environ["PATH"]}
    assert not any("kube2pod" in u for u in connection.candidate_urls(environ=env))


# ---------------------------------------------------------------------------- with the isolated Podman

@pytest.fixture
def store_env(isolated_podman, monkeypatch):
    """This process as a user of the isolated store with no service listening: connect() must start one."""
    for name in ("CONTAINER_HOST", "CONTAINER_CONNECTION", kept_service.IDLE_ENV):
        monkeypatch.delenv(name, raising=False)
    for name in ("CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "CONTAINERS_REGISTRIES_CONF", "TMPDIR"):
        monkeypatch.setenv(name, isolated_podman.env[name])
    for url in connection.candidate_urls():
        if "/kube2pod" not in url and os.path.exists(url.removeprefix("unix://")):
            pytest.skip(f"a Podman service listens at {url}")
    kept_service.stop(PODMAN)
    yield
    kept_service.stop(PODMAN)


def _service_url(client) -> str:
    return "unix://" + client.api.base_url.netloc.replace("%2F", "/")


@pytest.mark.podman
def test_started_service_is_kept_and_reused(store_env):
    sock = kept_service.socket_path(PODMAN)
    with connection.connect() as client:
        assert client.ping()
        assert _service_url(client) == f"unix://{sock}"
    pid = kept_service.running_pid(sock)
    assert pid is not None  # still running after the command
    st = os.stat(os.path.dirname(sock))
    assert st.st_uid == os.geteuid() and not st.st_mode & 0o077
    assert f"unix://{sock}" in connection.candidate_urls()
    with connection.connect() as client:  # the next command reuses it
        assert client.ping()
    assert kept_service.running_pid(sock) == pid
    assert kept_service.stop(PODMAN)
    assert kept_service.running_pid(sock) is None
    assert not any(os.path.exists(sock + suffix) for suffix in ("", ".pid", ".log"))


@pytest.mark.podman
def test_kept_service_stops_when_idle(store_env, monkeypatch):
    monkeypatch.setenv(kept_service.IDLE_ENV, "2")
    sock = kept_service.socket_path(PODMAN)
    with connection.connect() as client:
        assert client.ping()
    pid = kept_service.running_pid(sock)
    assert pid is not None
    deadline = time.monotonic() + 30
    while kept_service._alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not kept_service._alive(pid), "podman's idle timeout did not end the service"


@pytest.mark.podman
def test_commands_started_together_start_one_service(store_env):
    sock = kept_service.socket_path(PODMAN)
    urls, errors = [], []

    def command():
        try:
            with connection.connect() as client:
                client.ping()
                urls.append(_service_url(client))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=command) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and urls == [f"unix://{sock}"] * 3
    procs = [p for p in os.listdir("/proc") if p.isdigit()]
    services = []
    for p in procs:
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if f"unix://{sock}".encode() in f.read().split(b"\0"):
                    services.append(p)
        except OSError:
            pass
    assert len(services) == 1, services


@pytest.mark.podman
def test_idle_zero_runs_a_service_per_command(store_env, monkeypatch):
    monkeypatch.setenv(kept_service.IDLE_ENV, "0")
    with connection.connect() as client:
        assert client.ping()
        url = _service_url(client)
    assert "kube2pod-" in url and not os.path.exists(url.removeprefix("unix://"))
    assert kept_service.running_pid(kept_service.socket_path(PODMAN)) is None


@pytest.mark.podman
def test_prefetch_starts_the_kept_service_and_connect_adopts_its_info(store_env):
    """With no service listening, the CLI's /info prefetch starts the kept service early (so its start
    overlaps loading and translating); connect() then uses that service and the /info read from it."""
    sock = kept_service.socket_path(PODMAN)
    assert kept_service.running_pid(sock) is None
    connection.prefetch_info()
    with connection.connect() as client:
        assert _service_url(client) == f"unix://{sock}"
        info = getattr(client, "_kube2pod_info", None)
        assert info is not None, "connect() did not adopt the /info the prefetch read"
        assert info["store"]["graphRoot"] == client.info()["store"]["graphRoot"]
    assert kept_service.running_pid(sock) is not None


@pytest.mark.podman
def test_prefetch_starts_nothing_with_a_service_per_command(store_env, monkeypatch):
    monkeypatch.setenv(kept_service.IDLE_ENV, "0")
    connection.prefetch_info()
    prefetch.settled(None)
    connection.drop_prefetched()
    assert kept_service.running_pid(kept_service.socket_path(PODMAN)) is None
