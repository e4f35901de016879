"""Reaching Podman's REST API.

Order: ``--url``; ``CONTAINER_HOST``; the rootful socket ``/run/podman/podman.sock``
(as root) or the rootless one ``$XDG_RUNTIME_DIR/podman/podman.sock``. When
none answers, a private ``podman system service`` is started on a temporary
socket for the duration of the command and stopped afterwards.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator

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
    return urls


def normalize(url: str) -> str:
    """podman-py wants ``http+unix://`` for sockets; accept ``unix://`` and plain paths too."""
    if url.startswith("/"):
        return "http+unix://" + url
    if url.startswith("unix://"):
        return "http+unix://" + url[len("unix://"):]
    return url


def _client(url: str):
    from podman import PodmanClient

    return PodmanClient(base_url=normalize(url), timeout=120)


def _answers(url: str) -> bool:
    if url.startswith(("unix://", "/")):
        path = url[len("unix://"):] if url.startswith("unix://") else url
        if not os.path.exists(path):
            return False
    try:
        with _client(url) as client:
            return bool(client.ping())
    except Exception:
        return False


_prefetch: dict[str | None, tuple[threading.Thread, list]] = {}


def prefetch_info(url: str | None = None) -> None:
    """Start reading ``GET /info`` from the service :func:`connect` will reach, in a thread.

    Podman builds that answer afresh on each call (~0.25 s); fetched early it overlaps
    with importing, loading and translating. The thread speaks plain HTTP (stdlib) to
    unix sockets and ``tcp://`` only, so it needs no podman-py import; any failure is
    dropped (connect and the real call then behave as without prefetching).
    """
    found: list = []

    def run() -> None:
        for candidate in candidate_urls(url):
            with contextlib.suppress(Exception):
                info = _raw_info(candidate)
                if info is not None:
                    found.append((candidate, info))
                    return

    thread = threading.Thread(target=run, name="kube2pod-info", daemon=True)
    _prefetch[url] = (thread, found)
    thread.start()


def _raw_info(url: str) -> dict | None:
    """``GET /info`` over a unix socket or ``tcp://host:port``; None for other transports."""
    target = normalize(url)
    if target.startswith("http+unix://"):
        path = target[len("http+unix://"):]

        class UnixConnection(http.client.HTTPConnection):
            def connect(self) -> None:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(self.timeout)
                self.sock.connect(path)

        conn = UnixConnection("localhost", timeout=10)
    elif target.startswith(("tcp://", "http://")):
        conn = http.client.HTTPConnection(target.split("://", 1)[1].rstrip("/"), timeout=10)
    else:
        return None
    try:
        conn.request("GET", "/v4.0.0/libpod/info")
        resp = conn.getresponse()
        return json.loads(resp.read()) if resp.status == 200 else None
    finally:
        conn.close()


def drop_prefetched(url: str | None = None) -> None:
    """Forget a prefetch that no connect() will use (the run stopped before connecting)."""
    _prefetch.pop(url, None)


def _adopt_prefetched(url: str | None, candidate: str, client: object) -> None:
    """Give ``client`` the /info answer prefetched for ``candidate`` (see PodmanAPI.info)."""
    thread, found = _prefetch.pop(url, (None, []))
    if thread is None:
        return
    thread.join()
    if found and found[0][0] == candidate:
        client._kube2pod_info = found[0][1]


@contextlib.contextmanager
def connect(url: str | None = None) -> Iterator[object]:
    """A connected PodmanClient; starts and stops a private service when needed."""
    explicit = url or os.environ.get("CONTAINER_HOST")
    for candidate in candidate_urls(url):
        if _answers(candidate):
            with _client(candidate) as client:
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
    """Run ``podman system service`` on a temporary socket while the block runs."""
    podman = shutil.which("podman")
    if podman is None:
        raise ConnectionFailed("no Podman service is listening and the podman command is not installed")
    tmp = tempfile.mkdtemp(prefix="kube2pod-")
    sock = os.path.join(tmp, "podman.sock")
    url = f"unix://{sock}"
    proc = subprocess.Popen(
        [podman, "system", "service", "--time=0", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for(url, proc)
        yield url
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_for(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise ConnectionFailed(f"podman system service exited: {err or proc.returncode}")
        if _answers(url):
            return
        time.sleep(0.05)
    raise ConnectionFailed(f"podman system service did not answer within {START_TIMEOUT:.0f} s")


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
