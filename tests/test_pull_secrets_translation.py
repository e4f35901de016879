"""imagePullSecrets at the translation level: dockerconfigjson and dockercfg Secrets become the
plan's PullSecrets (never serialised, never in the script), and a missing Secret, one of the wrong
type, or one that is not a docker config is a positioned error."""

from __future__ import annotations

import base64
import json

import pytest
from support.k2p import run_cli, translate_text

from kube2pod.apply.pulls import auth_headers
from kube2pod.translate.pullsecrets import BadCredentials, parse, registry_key

PASSWORD = "s3cr3t-Pw"
AUTH = base64.b64encode(f"robot:{PASSWORD}".encode()).decode()

CONFIGJSON = json.dumps({"auths": {"https://reg.example:5000": {"auth": AUTH}}})
CFG = json.dumps({"reg.example:5000": {"username": "robot", "password": PASSWORD, "email": "r@example"}})


def secret(name: str, secret_type: str, key: str, value: str) -> str:
    return (f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}}}\ntype: {secret_type}\n"
            f"stringData:\n  {key}: {json.dumps(value)}\n")


def pod(*secrets: str, image: str = "reg.example:5000/app:v1") -> str:
    refs = ", ".join(f"{{name: {s}}}" for s in secrets)
    return ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
            f"  imagePullSecrets: [{refs}]\n"
            f"  initContainers: [{{name: i, image: reg.example:5000/init:v1}}]\n"
            f"  containers: [{{name: c, image: {json.dumps(image)}}}]\n")


@pytest.mark.parametrize("secret_type, key, value", [
    ("kubernetes.io/dockerconfigjson", ".dockerconfigjson", CONFIGJSON),
    ("kubernetes.io/dockercfg", ".dockercfg", CFG),
], ids=["dockerconfigjson", "dockercfg"])
def test_pull_secret_in_the_plan(tmp_path, secret_type, key, value):
    t = translate_text(tmp_path, secret("regcred", secret_type, key, value) + "---\n" + pod("regcred"))
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    assert not [d for d in t.diagnostics if "imagePullSecrets" in d.message]
    [ps] = t.plan.pull_secrets
    assert (ps.name, ps.registries) == ("regcred", ["reg.example:5000"])
    assert ps.images == ["reg.example:5000/init:v1", "reg.example:5000/app:v1"]
    assert json.loads(ps.data()) == {"reg.example:5000": {"username": "robot", "password": PASSWORD}}
    assert PASSWORD not in repr(ps) and PASSWORD not in repr(t.plan)
    header = auth_headers(t.plan)["reg.example:5000/app:v1"]
    assert json.loads(base64.urlsafe_b64decode(header)) == {
        "reg.example:5000": {"username": "robot", "password": PASSWORD}}


def test_credentials_never_in_outputs(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(secret("regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", CONFIGJSON)
                 + "---\n" + pod("regcred"))
    for fmt in ("sh", "json", "yaml"):
        for extra in ((), ("--show-secrets",)):
            code, out, err = run_cli("convert", "-o", fmt, *extra, str(f))
            assert code == 0, err
            assert PASSWORD not in out + err and AUTH not in out + err and "robot" not in out + err
    code, out, _ = run_cli("convert", str(f))
    assert ": ${K2P_PULL_SECRET_REGCRED:?" in out and '--authfile="$k2p_auth"/regcred.json' in out


@pytest.mark.parametrize("doc, message, where", [
    (secret("regcred", "Opaque", "x", "y"), "imagePullSecrets: Secret 'regcred' has type Opaque", "p"),
    (secret("regcred", "kubernetes.io/dockerconfigjson", ".dockercfg", CFG),
     "imagePullSecrets: Secret 'regcred' (type kubernetes.io/dockerconfigjson) has no key .dockerconfigjson", "p"),
    (secret("regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", "{not json"),
     "Secret 'regcred' key .dockerconfigjson: not a docker config: it is not JSON", "s"),
], ids=["wrong-type", "wrong-key", "not-json"])
def test_bad_pull_secret_is_a_positioned_error(tmp_path, doc, message, where):
    f = tmp_path / "m.yaml"
    f.write_text((doc + "---\n" if doc else "") + pod("regcred"))
    code, out, err = run_cli("convert", str(f))
    assert code == 2 and "Traceback" not in err
    [line] = [ln for ln in err.splitlines() if message in ln]
    pos = line.split(": error:")[0]
    file, row, col = pos.rsplit(":", 2)
    assert file == str(f) and int(col) > 0
    lines = f.read_text().splitlines()
    assert ("imagePullSecrets" in lines[int(row) - 1]) == (where == "p")
    assert "{not json" not in err


def test_missing_pull_secret_is_a_positioned_warning(tmp_path):
    """As the kubelet does: the pod runs, its images are pulled without the Secret."""
    f = tmp_path / "m.yaml"
    f.write_text(pod("regcred"))
    code, out, err = run_cli("convert", "-o", "json", str(f))
    assert code == 0, err
    [line] = [ln for ln in err.splitlines() if "Secret 'regcred' not found in namespace default" in ln]
    file, row, col = line.split(": warning:")[0].rsplit(":", 2)
    assert file == str(f) and "imagePullSecrets" in f.read_text().splitlines()[int(row) - 1]
    assert "pulled without it" in line and json.loads(out)["pods"]
    code, _, err = run_cli("convert", "--strict", str(f))
    assert code != 0 and "regcred" in err


def test_parse_rules():
    assert registry_key("https://index.docker.io/v1/") == "docker.io"
    assert registry_key("http://reg:5000") == "reg:5000"
    assert parse("kubernetes.io/dockercfg", json.dumps({"r": {"auth": AUTH}}).encode()) == {
        "r": {"username": "robot", "password": PASSWORD}}
    for bad in ('{"auths": {}}', '{"auths": {"r": {"auth": "bm9jb2xvbg=="}}}', '{"auths": {"r": {}}}', "[]"):
        with pytest.raises(BadCredentials):
            parse("kubernetes.io/dockerconfigjson", bad.encode())
