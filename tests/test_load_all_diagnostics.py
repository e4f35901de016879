"""All diagnostics of an input in one run: decode errors do not hide the semantic checks,
and a problem decoding reported is not reported again by them."""

from __future__ import annotations

import pytest

from support.k2p import REPO, run_cli
from kube2pod.load import load_text

FIXTURE = "fixtures/bad-input/all-diagnostics.yaml"


def test_unknown_field_wrong_type_name_and_port_in_one_validate_run(monkeypatch):
    monkeypatch.chdir(REPO)
    code, _, err = run_cli("validate", FIXTURE)
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert code != 0
    assert errors == [
        f'{FIXTURE}:4:9: error: metadata.name: "Web_Server" is not a valid Pod name',
        f'{FIXTURE}:9:5: error: unknown field "spec.containers[0].imagePullPolicyy"',
        f'{FIXTURE}:10:11: error: spec.containers[0].args: expected a list, got string "--verbose"',
        f"{FIXTURE}:13:17: error: spec.containers[0].ports[0].hostPort: port 70000 is out of range (1-65535)",
    ]


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
"""


@pytest.mark.parametrize("spec, message", [
    ("  containers: web\n", "spec.containers: expected a list"),
    ("  containers:\n  - {name: web, imag: nginx}\n", 'unknown field "spec.containers[0].imag"'),
    ("  containers:\n  - {name: web, image: nginx, ports: [{containerPort: {port: 80}}]}\n",
     "spec.containers[0].ports[0].containerPort: expected an integer"),
    ("  containers:\n  - {name: web, image: nginx, volumeMounts: [{name: data, mountPath: /d}]}\n"
     "  volumes: {data: {emptyDir: {}}}\n", "spec.volumes: expected a list"),
    ("  containers:\n  - {name: web, image: nginx, volumeMounts: [{name: data, mountPath: /d}]}\n"
     "  volumes: [{name: data, emptydir: {}}]\n", 'unknown field "spec.volumes[0].emptydir"'),
    ("  containers:\n  - {name: web, image: nginx}\n  volumes: [{name: s, secret: {secretName: 5}}]\n",
     "spec.volumes[0].secret.secretName: expected a string"),
])
def test_a_decode_error_is_not_reported_again(spec, message):
    result = load_text(POD + spec)
    assert [d.message[:len(message)] for d in result.errors] == [message], [d.format() for d in result.errors]


def test_a_workload_without_a_usable_template_is_reported_once():
    result = load_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template: []
""")
    assert [d.message for d in result.errors] == ["spec.template: expected a mapping, got a list"]


def test_checks_after_a_rejected_list_item_keep_their_positions():
    result = load_text(POD + "  containers:\n  - nginx\n  - {name: Web, image: nginx}\n")
    assert [(d.pos.line, d.pos.col, d.message[:40]) for d in result.errors] == [
        (6, 5, "spec.containers[0]: expected a mapping, "),
        (7, 12, 'spec.containers[1].name: "Web" is not a '),
    ]
