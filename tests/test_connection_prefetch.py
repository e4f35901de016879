"""connection.prefetch_info: Podman's /info is read in a thread before connect() and handed to its client."""

from __future__ import annotations

import pytest

from kube2pod.apply import connection, prefetch
from kube2pod.apply.errors import ConnectionFailed
from kube2pod.apply.podman_api import PodmanAPI


@pytest.mark.podman
def test_prefetched_info_is_the_services_own(podman_url, podman_client):
    connection.prefetch_info(podman_url)
    with connection.connect(podman_url) as client:
        prefetched = getattr(client, "_kube2pod_info", None)
        assert prefetched is not None, "the prefetch over the unix socket did not reach the service"
        fresh = podman_client.api.get("/info").json()
        assert prefetched["store"]["graphRoot"] == fresh["store"]["graphRoot"]
        assert prefetched["host"]["security"]["rootless"] == fresh["host"]["security"]["rootless"]
        assert PodmanAPI(client).store_id() == PodmanAPI(podman_client).store_id()
    assert podman_url not in prefetch._prefetch


def test_prefetch_of_a_silent_url_changes_nothing(tmp_path):
    url = f"unix://{tmp_path}/none.sock"
    connection.prefetch_info(url)
    with pytest.raises(ConnectionFailed, match="does not answer"):
        with connection.connect(url):
            pass
    assert url not in prefetch._prefetch


@pytest.mark.podman
def test_dropped_prefetch_is_not_adopted(podman_url):
    connection.prefetch_info(podman_url)
    connection.drop_prefetched(podman_url)
    with connection.connect(podman_url) as client:
        assert getattr(client, "_kube2pod_info", None) is None


def _serve_once(path, response: bytes):
    import socket
    import threading

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(1)
    seen = []

    def run():
        conn, _ = srv.accept()
        with conn:
            seen.append(conn.recv(4096))
            conn.sendall(response)
        srv.close()

    threading.Thread(target=run, daemon=True).start()
    return seen


@pytest.mark.parametrize("response, expected", [
    (b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"store": {"graphRoot": "/g"}}', {"store": {"graphRoot": "/g"}}),
    (b"HTTP/1.0 500 Internal Server Error\r\n\r\n{}", None),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{...}\r\n0\r\n\r\n", None),
])
def test_raw_info_reads_a_plain_http_answer(tmp_path, response, expected):
    sock = tmp_path / "s.sock"
    seen = _serve_once(sock, response)
    assert prefetch.raw_info(f"unix://{sock}") == expected
    assert seen[0].startswith(b"GET /v4.0.0/libpod/info HTTP/1.0\r\n")
