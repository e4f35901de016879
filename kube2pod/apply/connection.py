"""Reaching Podman's REST API.

Order: ``--url``; ``CONTAINER_HOST``; the rootful socket ``/run/podman/podman.sock``
(as root) or the rootless one ``$XDG_RUNTIME_DIR/podman/podman.sock``; then the
service an earlier kube2pod command started and kept (apply/kept_service.py). When
none answers, kube2pod starts that kept service (it stops itself when idle), or with
``KUBE2POD_SERVICE_IDLE=0`` (or no private directory of this user's) a private
``podman system service`` on a temporary socket for the duration of the command.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

from kube2pod.apply import kept_service, prefetch
from kube2pod.apply.errors import ConnectionFailed

START_TIMEOUT = 20.0


def candidate_urls(url: str | None = None, environ: dict | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    if url:
        return [url]
    if env.get("CONTAINER_HOST"):
        return [env["CONTAINER_HOST"]]
    urls = []
    if os.geteuid() == 0:
        urls.append("unix:///run/podman/podman.sock")
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.geteuid()}"
    urls.append(f"unix://{runtime}/podman/podman.sock")
    podman = shutil.which("podman", path=env.get("PATH"))
    if podman and kept_service.idle_seconds(env) and kept_service.trusted(kept_service.directory(env)):
        urls.append(f"unix://{kept_service.socket_path(podman, env)}")
    return urls


def normalize(url: str) -> str:
    """podman-py wants ``http+unix://`` for sockets; accept ``unix://`` and plain paths too."""
    if url.startswith("/"):
        return "http+unix://" + url
    if url.startswith("unix://"):
        return "http+unix://" + url[len("unix://"):]
    return url


def _client(url: str, identity: str = ""):
    from podman import PodmanClient

    extra = {"identity": identity} if identity else {}  # an ssh:// URL's key (--connection)
    return PodmanClient(base_url=normalize(url), timeout=120, **extra)


def _answers(url: str, identity: str = "") -> bool:
    if url.startswith(("unix://", "/")):
        path = url[len("unix://"):] if url.startswith("unix://") else url
        if not os.path.exists(path):
            return False
    try:
        with _client(url, identity) as client:
            return bool(client.ping())
    except Exception:
        return False


def prefetch_info(url: str | None = None) -> None:
    """Start reading ``GET /info`` from the service :func:`connect` will reach, in a thread
    (see :mod:`kube2pod.apply.prefetch`); :func:`connect` hands it to its client. When no URL is
    given and no service answers, the thread starts the kept service (apply/kept_service.py) that
    :func:`connect` would start, so that its start and first ``/info`` overlap the command's own
    loading and translating instead of following them."""
    start = None
    if not (url or os.environ.get("CONTAINER_HOST")):
        podman, idle = shutil.which("podman"), kept_service.idle_seconds()
        if podman and idle:
            start = functools.partial(_kept_service, podman, idle)
    prefetch.prefetch_info(url, candidate_urls(url), start)


def drop_prefetched(url: str | None = None) -> None:
    """Forget a prefetch that no connect() will use (the run stopped before connecting)."""
    prefetch.drop(url)


def _adopt_prefetched(url: str | None, candidate: str, client: object) -> None:
    """Give ``client`` the /info answer prefetched for ``candidate`` (see PodmanAPI.info)."""
    info = prefetch.take(url, candidate)
    if info is not None:
        client._kube2pod_info = info


@contextlib.contextmanager
def connect(url: str | None = None, identity: str = "") -> Iterator[object]:
    """A connected PodmanClient; starts and stops a private service when needed. ``identity``:
    the ssh key of an ``ssh://`` URL (``--connection``, apply/saved_connections.py)."""
    explicit = url or os.environ.get("CONTAINER_HOST")
    prefetch.settled(url)  # a service the prefetch is starting answers once it is done
    for candidate in candidate_urls(url):
        if _answers(candidate, identity):
            with _client(candidate, identity) as client:
                _adopt_prefetched(url, candidate, client)
                yield client
            return
    drop_prefetched(url)
    if explicit:
        raise ConnectionFailed(f"Podman does not answer at {explicit}")
    with private_service() as socket_url:
        with _client(socket_url) as client:
            yield client


@contextlib.contextmanager
def private_service() -> Iterator[str]:
    """The URL of a service started here: the kept one (see apply/kept_service.py), or one on a
    temporary socket while the block runs."""
    podman = shutil.which("podman")
    if podman is None:
        raise ConnectionFailed("no Podman service is listening and the podman command is not installed")
    idle = kept_service.idle_seconds()
    url = _kept_service(podman, idle) if idle else None
    if url is not None:
        yield url
        return
    tmp = tempfile.mkdtemp(prefix="kube2pod-")
    sock = os.path.join(tmp, "podman.sock")
    url = f"unix://{sock}"
    proc = subprocess.Popen(
        [podman, "system", "service", "--time=0", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for(url, proc, lambda: proc.stderr.read().decode(errors="replace").strip())
        yield url
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _kept_service(podman: str, idle: int) -> str | None:
    """The kept service's URL, started when it does not answer; None without a trusted directory."""
    if kept_service.make_directory() is None:
        return None
    sock = kept_service.socket_path(podman)
    url = f"unix://{sock}"
    with kept_service.start_lock(sock):
        if _answers(url):  # started by a command that held the lock before this one
            return url
        proc = kept_service.launch(podman, sock, idle)
        try:
            _wait_for(url, proc, lambda: kept_service.log_tail(sock))
        except ConnectionFailed:
            _stop(proc)
            raise
    return url


def _wait_for(url: str, proc: subprocess.Popen, error) -> None:
    """Until ``url`` answers; ``error()``: what the service said when it exited."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConnectionFailed(f"podman system service exited: {error() or proc.returncode}")
        if _listens(url.removeprefix("unix://")):
            return
        time.sleep(0.02)
    raise ConnectionFailed(f"podman system service did not answer within {START_TIMEOUT:.0f} s")


def _listens(path: str) -> bool:
    """A process accepts connections on the unix socket ``path`` (Podman listens once it is ready)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(path)
        except OSError:
            return False
    return True


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stderr:
        proc.stderr.close()
