"""Progress renderers and the project lock, without Podman."""

from __future__ import annotations

import io
import json
import threading
import time

import pytest

from kube2pod.apply import lock, progress
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event
from kube2pod.pipeline import default_project


def test_live_redraws_one_line_per_pod_and_container():
    out = io.StringIO()
    live = progress.Live(out)
    live(Event("creating", "pod", "web"))
    live(Event("created", "container", "web-main", pod="web"))
    live(Event("pulled", "image", "busybox"))
    live(Event("started", "pod", "web"))
    text = out.getvalue()
    assert "image busybox: pulled" in text
    last_block = text.rsplit("\x1b[J", 1)[1].splitlines()
    assert [line.split() for line in last_block] == [["pod", "web", "started"],
                                                     ["container", "web-main", "created"]]


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
