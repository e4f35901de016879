"""Reading Podman's ``GET /info`` early, in a thread, before anything else needs it.

Podman builds that answer afresh on each call (~0.25 s: it runs the OCI runtime and
conmon for their versions and counts the store). ``apply``/``diff``/``down`` need it
(host preflight, the store identity that keys the project lock), so the CLI starts
reading it first thing and it overlaps importing, loading and translating.

The thread speaks plain HTTP/1.0 over a socket with the standard library's
``socket`` and ``json`` only: it can start before ``http.client`` or podman-py are
imported. Unix sockets and ``tcp://`` only; any failure is dropped (connect and the
real call then behave as without prefetching). Given ``start`` (connection.py: the kept
service), when no candidate answers the thread starts that service and reads /info from it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

_prefetch: dict[str | None, tuple[threading.Thread, list]] = {}
_PATH = "/v4.0.0/libpod/info"


def prefetch_info(url: str | None, candidates: list[str], start: Callable[[], str | None] | None = None) -> None:
    """Start reading /info from the first of ``candidates`` that answers, else from the service
    ``start()`` starts (its URL; None or an error: none); remembered under ``url``."""
    found: list = []

    def run() -> None:
        for candidate in candidates:
            with contextlib.suppress(Exception):
                info = raw_info(candidate)
                if info is not None:
                    found.append((candidate, info))
                    return
        if start is not None:
            with contextlib.suppress(Exception):
                started = start()
                info = raw_info(started) if started else None
                if info is not None:
                    found.append((started, info))

    thread = threading.Thread(target=run, name="kube2pod-info", daemon=True)
    _prefetch[url] = (thread, found)
    thread.start()


def raw_info(url: str, timeout: float = 10.0) -> dict | None:
    """``GET /info`` over ``unix://PATH``, a plain socket path, or ``tcp://HOST:PORT``; None otherwise."""
    if url.startswith(("unix://", "http+unix://", "/")):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        address: object = url.split("://", 1)[1] if "://" in url else url
    elif url.startswith(("tcp://", "http://")):
        host, _, port = url.split("://", 1)[1].rstrip("/").rpartition(":")
        sock = socket.socket(socket.AF_INET6 if host.startswith("[") else socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        address = (host.strip("[]"), int(port))
    else:
        return None
    with sock:
        sock.connect(address)
        sock.sendall(f"GET {_PATH} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if lines[0].split()[1:2] != ["200"] or any(
            line.lower().startswith("transfer-encoding:") for line in lines[1:]):
        return None
    return json.loads(body)


def settled(url: str | None) -> None:
    """Wait until the prefetch under ``url`` (if any) is done, keeping its answer for :func:`take`."""
    thread, _ = _prefetch.get(url, (None, []))
    if thread is not None:
        thread.join()


def drop(url: str | None) -> None:
    """Forget a prefetch nobody will use (the run stopped before connecting)."""
    _prefetch.pop(url, None)


def take(url: str | None, candidate: str) -> dict | None:
    """The /info prefetched under ``url`` if it came from ``candidate`` (waits for it); forgotten after."""
    thread, found = _prefetch.pop(url, (None, []))
    if thread is None:
        return None
    thread.join()
    return found[0][1] if found and found[0][0] == candidate else None
