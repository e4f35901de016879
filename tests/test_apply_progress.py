"""Progress renderers and the project lock, without Podman."""

from __future__ import annotations

import io
import json
import threading
import time

import pytest

from kube2pod.apply import lock, progress, pulls
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event
from kube2pod.pipeline import default_project


def test_live_redraws_one_line_per_pod_and_container():
    out = io.StringIO()
    live = progress.Live(out)
    live(Event("creating", "pod", "web"))
    live(Event("created", "container", "web-main", pod="web"))
    live(Event("removed", "volume", "data"))
    live(Event("started", "pod", "web"))
    text = out.getvalue()
    assert "volume data: removed" in text
    last_block = text.rsplit("\x1b[J", 1)[1].splitlines()
    assert [line.split() for line in last_block] == [["pod", "web", "started"],
                                                     ["container", "web-main", "created"]]


def test_live_shows_a_row_per_pull_redrawn_with_its_progress():
    out = io.StringIO()
    live = progress.Live(out)
    live(Event("pulling", "image", "reg/a:1", "policy always"))
    live(Event("pulling", "image", "reg/b:1", "policy always"))
    live(Event("progress", "image", "reg/a:1", "layers 0/2 copied"))
    live(Event("creating", "pod", "web"))
    live(Event("pulled", "image", "reg/a:1", "2 layers, 4.2 MB, 0.3 s"))
    last_block = out.getvalue().rsplit("\x1b[J", 1)[1].splitlines()
    assert [line.split(None, 2) for line in last_block] == [
        ["image", "reg/a:1", "pulled: 2 layers, 4.2 MB, 0.3 s"],
        ["image", "reg/b:1", "pulling: policy always"],
        ["pod", "web", "creating"]]


def test_pull_progress_from_podmans_stream():
    events = []
    p = pulls.PullProgress("reg/a:1", events.append)
    p({"stream": "Trying to pull reg/a:1...\n"})
    p({"stream": "Getting image source signatures\n"})
    p({"stream": "Copying blob sha256:aa\n"})
    p({"stream": "Copying blob sha256:bb skipped: already exists\n"})
    p({"stream": "Copying blob sha256:cc\n"})
    p({"stream": "Copying config sha256:dd\n"})
    p({"stream": "Writing manifest to image destination\n"})
    p({"images": ["dd"], "id": "dd"})
    assert [e.detail for e in events] == ["layers 0/1 copied", "layers 0/1 copied (1 present)",
                                          "layers 0/2 copied (1 present)", "layers 2/2 copied (1 present)"]
    assert {e.action for e in events} == {"progress"}
    assert p.summary(4_200_000, 0.31) == "2 layers, 4.2 MB, 0.3 s"
    assert pulls.PullProgress("x", events.append).summary(None, 1) == "1.0 s"


def test_pull_progress_counts_bytes_where_reported():
    events = []
    p = pulls.PullProgress("x", events.append)
    p({"id": "l1", "status": "Downloading", "progressDetail": {"current": 1_000_000, "total": 3_000_000}})
    p({"id": "l2", "status": "Downloading", "progressDetail": {"current": 500_000, "total": 1_000_000}})
    assert events[-1].detail == "1.5 MB/4.0 MB"


def test_json_lines_are_events():
    out = io.StringIO()
    progress.JsonLines(out)(Event("failed", "container", "c", "exit 1", pod="p"))
    assert json.loads(out.getvalue()) == {"action": "failed", "kind": "container", "name": "c",
                                          "detail": "exit 1", "pod": "p"}


def test_default_project_is_first_input_stem(tmp_path):
    assert default_project([str(tmp_path / "app.prod.yaml"), "x.yaml"]) == "app"
    assert default_project(["-"]) == "stdin"
    assert default_project([str(tmp_path)]) == tmp_path.name


def test_lock_serialises_and_times_out(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBE2POD_STATE_DIR", str(tmp_path))
    order, waited = [], []

    def second():
        with lock.hold("k", on_wait=lambda: waited.append(True)):
            order.append("second")

    with lock.hold("k"):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        order.append("first")
        with pytest.raises(ApplyError, match="still holds"):
            with lock.hold("k", timeout=0.2):
                pass
    t.join(5)
    assert order == ["first", "second"] and waited == [True]
