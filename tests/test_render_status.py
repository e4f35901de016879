"""render/status.py without Podman: the table's rows and columns, JSON/YAML of the same data;
apply/status.age as kubectl writes ages."""

from __future__ import annotations

import io
import json

from ruamel.yaml import YAML

from kube2pod.apply.status import age
from kube2pod.render.status import render

CONTAINER = {"name": "main", "container": "db-main", "init": False, "state": "exited", "ready": False,
             "health": None, "restarts": 2, "exit_code": 1, "problem": "exited with code 1"}
DATA = {
    "ready": False, "projects": ["a", "b"],
    "workloads": [{"name": "deployment.apps/web", "source": "Deployment/default/web", "project": "a", "ready": "1/1",
                   "ok": True, "restarts": 0, "age": "5m", "pods": ["web-pod-0"]}],
    "pods": [{"name": "web-pod-0", "project": "a", "phase": "Running", "ready": "1/1", "restarts": 0, "age": "5m",
              "ports": ["8080->80/tcp"], "problems": [], "containers": [
                  {**CONTAINER, "name": "http", "state": "running", "ready": True, "restarts": 0, "exit_code": None,
                   "problem": "", "health": {"status": "healthy", "probe": "livenessProbe"}}]},
             {"name": "db", "project": "b", "phase": "Stopped", "ready": "0/1", "restarts": 2, "age": "1h",
              "ports": [], "problems": ["not running (was exited): apply starts it again"],
              "containers": [CONTAINER]}],
    "volumes": [{"name": "data", "source": "PersistentVolumeClaim/default/data", "project": "b",
                 "lifetime": "persistent", "present": True, "ok": True, "kept_across_down": True, "problem": ""}],
    "services": [{"name": "service/web", "project": "a", "mechanism": "proxy", "ready": "1/2", "ok": True,
                  "names": ["web", "web.default"], "ports": ["80->http/tcp"], "endpoints": ["web-pod-0", "web-pod-1"],
                  "proxy": "web-service", "problem": ""}],
}


def test_table_groups_by_project_one_row_per_object():
    assert render(DATA, "table").splitlines() == [
        "project a",
        "NAME                 READY  STATUS   RESTARTS  AGE  DETAILS",
        "deployment.apps/web  1/1    ready    0         5m   pods: web-pod-0",
        "pod/web-pod-0        1/1    Running  0         5m   ports 8080->80/tcp",
        "  http               yes    running  0              healthy (livenessProbe)",
        "service/web          1/2    ready    -         -    proxy pod web-service; web 80->http/tcp; endpoints "
        "web-pod-0, web-pod-1",
        "",
        "project b",
        "NAME                 READY  STATUS   RESTARTS  AGE  DETAILS",
        "pod/db               0/1    Stopped  2         1h   not running (was exited): apply starts it again",
        "  main               no     exited   2              exited with code 1",
        "volume/data          -      present  -         -    PersistentVolumeClaim/default/data: persistent, "
        "kept across down",
    ]


def test_json_and_yaml_are_the_data():
    assert json.loads(render(DATA, "json")) == DATA
    assert YAML(typ="safe", pure=True).load(io.StringIO(render(DATA, "yaml"))) == DATA


def test_age_as_kubectl_writes_it():
    now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    assert age("2027-01-15T07:59:15.123456789Z", now) == "45s"
    assert age("2027-01-15 07:50:00.5 +0000 UTC", now) == "10m"
    assert age("2027-01-15T05:00:00+00:00", now) == "3h"
    assert age("2027-01-12T08:00:00Z", now) == "3d"
    assert age("", now) == "" and age("yesterday", now) == ""
