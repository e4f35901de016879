"""JSON and YAML output of the plan: stable, equal to each other, secrets left out unless asked,
and docs/plan.schema.json is the schema the models generate (regenerate: bash scripts/gen-schema)."""

from __future__ import annotations

import json
import subprocess

from support.k2p import REPO, run_cli
from ruamel.yaml import YAML

from kube2pod.spec import secret_spec
from kube2pod.plan import ObjectRef, Plan, Secret
from kube2pod.render import json as json_renderer
from kube2pod.render import shell
from kube2pod.render import yaml as yaml_renderer

MANIFEST = """\
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: "hunter2-$x"}
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
    - name: c
      image: localhost/busybox:latest
      env:
        - name: PW
          valueFrom: {secretKeyRef: {name: db, key: password}}
        - {name: Z, value: "ü \\"q\\" 'x'"}
"""


def test_schema_in_docs_is_current():
    assert (REPO / "docs" / "plan.schema.json").read_text() == json_renderer.schema(), \
        "docs/plan.schema.json is stale: run `bash scripts/gen-schema`"


def test_yaml_and_json_hold_the_same_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(MANIFEST)
    code_j, out_j, _ = run_cli("convert", "-o", "json", "m.yaml")
    code_y, out_y, _ = run_cli("convert", "-o", "yaml", "m.yaml")
    assert code_j == code_y == 0
    assert YAML(typ="safe").load(out_y) == json.loads(out_j)
    assert "hunter2" not in out_j and "hunter2" not in out_y
    for out in (out_j, out_y):
        code, shown, _ = run_cli("convert", "-o", "yaml" if out is out_y else "json", "--show-secrets", "m.yaml")
        assert code == 0 and "hunter2-$x" in shown


def test_secrets_are_redacted_in_every_output_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(MANIFEST)
    for fmt in ("sh", "json", "yaml"):
        code, out, _ = run_cli("convert", "-o", fmt, "m.yaml")
        assert code == 0 and "hunter2" not in out, fmt
    for fmt, version in (("systemd", "4.3"), ("systemd", "4.9"), ("quadlet", "5.4")):
        code, _, _ = run_cli("convert", "-o", fmt, "--podman-version", version, "--out-dir", f"units{version}", "m.yaml")
        units = list((tmp_path / f"units{version}").iterdir())
        assert code == 0 and units and all("hunter2" not in p.read_text() for p in units), version
    code, _, _ = run_cli("convert", "--update-snapshots", "snap", "--formats",
                         "sh,json,yaml,quadlet,systemd,diagnostics", "m.yaml")
    assert code == 0 and all("hunter2" not in p.read_text() for p in (tmp_path / "snap").rglob("*.*"))


def test_show_secrets_script_sets_the_exact_bytes():
    secret = Secret(name="s", source=ObjectRef(kind="Secret", name="s"), secret="s", key="k",
                    value=b"a'b\"c $x `y`\n\n\xff")
    script = "\n".join([*shell.secret_commands(secret, secret_spec(secret), True)[:2], f'printf %s "${secret.env_var}"'])
    out = subprocess.run(["sh", "-c", script], capture_output=True, timeout=10).stdout
    assert out == b"a'b\"c $x `y`\n\n\xff"
    data = json.loads(json_renderer.render(Plan(secrets=[secret]), show_secrets=True))
    assert data["secrets"][0]["value_base64"] == "YSdiImMgJHggYHlgCgr/"
    assert "value" not in json.loads(json_renderer.render(Plan(secrets=[secret])))["secrets"][0]
    assert yaml_renderer.render(Plan(secrets=[secret])).count("YSdi") == 0
