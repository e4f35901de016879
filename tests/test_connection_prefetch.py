"""connection.prefetch_info: Podman's /info is read in a thread before connect() and handed to its client."""

from __future__ import annotations

import pytest

from kube2pod.apply import connection
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
    assert podman_url not in connection._prefetch


def test_prefetch_of_a_silent_url_changes_nothing(tmp_path):
    url = f"unix://{tmp_path}/none.sock"
    connection.prefetch_info(url)
    with pytest.raises(ConnectionFailed, match="does not answer"):
        with connection.connect(url):
            pass
    assert url not in connection._prefetch


@pytest.mark.podman
def test_dropped_prefetch_is_not_adopted(podman_url):
    connection.prefetch_info(podman_url)
    connection.drop_prefetched(podman_url)
    with connection.connect(podman_url) as client:
        assert getattr(client, "_kube2pod_info", None) is None
