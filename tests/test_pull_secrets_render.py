"""imagePullSecrets in the script and the units (no Podman): the script reads each pull secret's
value from its variable before it changes anything, writes it to an auth file of its own (mode 0600)
that it removes when it ends, and passes ``--authfile`` to the commands that pull (``podman create``,
the image volumes' ``podman pull``) and only those; the units read a per-secret auth file at
``%E/containers/kube2pod/auth/<secret>.json`` (``PodmanArgs=--authfile=`` in Quadlet), which an
``ExecStartPre=`` checks first. Checked by ``systemd-analyze verify`` and the real Quadlet generator."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess

import pytest
from support.k2p import run_cli, translate_text
from support.quadlet import exec_words, generate, systemd_words

from kube2pod.render import shell, units
from kube2pod.spec import build
from kube2pod.spec.authfile import choose, matches, registry
from kube2pod.spec.version import Version as V

USER, PASSWORD = "pull-robot", "Zq8-Distinct-Pull-Pw"
AUTH = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = {"regcred": ("kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                       {"auths": {"https://reg.example:5000": {"auth": AUTH}}}),
           "hubcfg": ("kubernetes.io/dockercfg", ".dockercfg", {"https://index.docker.io/v1/": {"auth": AUTH}})}
TEXT = "\n---\n".join(
    [f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {n}}}\ntype: {t}\n"
     f"data: {{{k}: {base64.b64encode(json.dumps(v).encode()).decode()}}}" for n, (t, k, v) in SECRETS.items()]
    + ["""apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  imagePullSecrets: [{name: hubcfg}, {name: regcred}]
  containers:
  - {name: app, image: "reg.example:5000/team/app:1", command: [sleep, "600"]}
  - name: side
    image: docker.io/library/busybox:1
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    image: {reference: "reg.example:5000/team/data:1", pullPolicy: Always}
---
apiVersion: v1
kind: Pod
metadata: {name: open}
spec:
  containers: [{name: plain, image: "reg.example:5000/team/app:1"}]
"""])
APP_FILE, HUB_FILE = "regcred.json", "hubcfg.json"
UNIT_DIR = "%E/containers/kube2pod/auth"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    t = translate_text(tmp_path_factory.mktemp("ps"), TEXT)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    return t.plan


def _script(plan, **kw) -> str:
    return shell.render(plan, **kw)


def _no_credentials(text: str) -> None:
    for secret in (PASSWORD, AUTH, USER, base64.b64encode(PASSWORD.encode()).decode()):
        assert secret not in text


# --------------------------------------------------------------------------------------- the rule

@pytest.mark.parametrize("image, expected", [
    ("busybox", "docker.io"), ("library/busybox:1", "docker.io"), ("docker.io/busybox", "docker.io"),
    ("index.docker.io/library/busybox", "docker.io"), ("reg.example:5000/a/b:1", "reg.example:5000"),
    ("localhost/x", "localhost"), ("team/app@sha256:00", "docker.io")])
def test_registry_of_an_image(image, expected):
    assert registry(image) == expected


@pytest.mark.parametrize("key, image, expected", [
    ("docker.io", "busybox:1", True), ("docker.io", "quay.io/busybox", False),
    ("reg.example:5000/team", "reg.example:5000/team/app:1", True),
    ("reg.example:5000/team", "reg.example:5000/teamx/app:1", False),
    ("docker.io/library", "busybox@sha256:00", True), ("reg.example", "reg.example:5000/app", False)])
def test_a_key_matches_the_registry_and_path(key, image, expected):
    assert matches(key, image) is expected


def test_an_image_uses_the_secret_of_its_registry_else_the_first(plan):
    names = lambda image: choose(image, "web", plan.pull_secrets).name  # noqa: E731
    assert names("reg.example:5000/team/app:1") == "regcred"  # second in the pod's list, but its registry
    assert names("docker.io/library/busybox:1") == "hubcfg"
    assert names("reg.example:5000/team/data:1") == "regcred"  # an image volume's
    # a pod that names no pull secret pulls without, though another pod's secret is for the image
    assert choose("reg.example:5000/team/app:1", "open", plan.pull_secrets) is None


# --------------------------------------------------------------------------------------- the script

def test_the_script_holds_no_credentials(plan):
    text = _script(plan)
    _no_credentials(text)
    assert "K2P_PULL_SECRET_REGCRED" in text and "K2P_PULL_SECRET_HUBCFG" in text


def test_the_variables_are_checked_before_any_change(plan):
    lines = _script(plan).splitlines()
    checks = [i for i, ln in enumerate(lines) if ln.startswith(": ${K2P_PULL_SECRET_")]
    assert len(checks) == 2
    first_change = next(i for i, ln in enumerate(lines) if re.match(r"(k2p_mine|podman|mkdir|\[)", ln)
                        or "mktemp" in ln)
    assert max(checks) < first_change
    assert "decoded value of key .dockerconfigjson of Secret regcred" in lines[checks[1]]


def test_authfile_only_on_the_commands_that_pull(plan):
    lines = _script(plan).splitlines()
    with_flag = [ln for ln in lines if "--authfile" in ln]
    assert [ln.split()[1] for ln in with_flag] == ["create", "pull", "create"]
    assert with_flag[0].startswith("podman create") and "--name=web-app" in with_flag[0]
    assert f' --authfile="$k2p_auth"/{APP_FILE} ' in with_flag[0]
    assert with_flag[1] == f'podman pull --authfile "$k2p_auth"/{APP_FILE} reg.example:5000/team/data:1'
    assert "--name=web-side" in with_flag[2] and f'--authfile="$k2p_auth"/{HUB_FILE}' in with_flag[2]
    # the pod without imagePullSecrets pulls as before
    assert any("--name=open-plain" in ln and "--authfile" not in ln for ln in lines)


def _prologue(text: str) -> str:
    """The script up to (and with) its auth files: no podman command."""
    lines = text.splitlines()
    end = max(i for i, ln in enumerate(lines) if "> \"$k2p_auth\"/" in ln)
    return "\n".join(lines[:end + 1])


def test_the_auth_files_are_podmans_form_0600_and_removed_at_exit(plan, tmp_path):
    values = {"K2P_PULL_SECRET_" + n.upper(): json.dumps(v) for n, (_, _, v) in SECRETS.items()}
    probe = ('\nls -ld "$k2p_auth" | cut -c1-10; for f in "$k2p_auth"/*; do ls -l "$f" | cut -c1-10; done; '
             'cat "$k2p_auth"/' + APP_FILE + '; echo; cat "$k2p_auth"/' + HUB_FILE + "\n")
    proc = subprocess.run(["sh", "-c", _prologue(_script(plan)) + probe], capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "TMPDIR": str(tmp_path), **values}, timeout=30)
    assert proc.returncode == 0, proc.stderr
    modes, app, hub = proc.stdout.splitlines()[:3], *proc.stdout.splitlines()[3:5]
    assert modes == ["drwx------", "-rw-------", "-rw-------"]
    assert json.loads(app) == SECRETS["regcred"][2]
    assert json.loads(hub) == {"auths": SECRETS["hubcfg"][2]}  # .dockercfg wrapped
    assert not list(tmp_path.iterdir())  # removed when the script ended


@pytest.mark.parametrize("ending", ["exit 3", "false", "kill -TERM $$", "kill -HUP $$"])
def test_the_auth_files_are_removed_when_the_script_fails(plan, tmp_path, ending):
    env = {"PATH": os.environ["PATH"], "TMPDIR": str(tmp_path),
           **{"K2P_PULL_SECRET_" + n.upper(): "{}" for n in SECRETS}}
    proc = subprocess.run(["sh", "-c", _prologue(_script(plan)) + f"\n{ending}\necho not-reached\n"],
                          capture_output=True, text=True, env=env, timeout=30)
    assert proc.returncode != 0 and "not-reached" not in proc.stdout
    assert not list(tmp_path.iterdir())


def test_a_missing_variable_stops_with_the_message(plan, tmp_path):
    env = {"PATH": os.environ["PATH"], "TMPDIR": str(tmp_path), "K2P_PULL_SECRET_HUBCFG": "{}"}
    proc = subprocess.run(["sh", "-c", _script(plan)], capture_output=True, text=True, env=env, timeout=30)
    assert proc.returncode != 0
    assert "K2P_PULL_SECRET_REGCRED" in proc.stderr and "Secret regcred" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_show_secrets_embeds_the_value_only_escaped(plan, tmp_path):
    text = _script(plan, show_secrets=True)
    _no_credentials(text)
    proc = subprocess.run(["sh", "-c", _prologue(text) + '\ncat "$k2p_auth"/' + APP_FILE], capture_output=True,
                          text=True, env={"PATH": os.environ["PATH"], "TMPDIR": str(tmp_path)}, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"auths": {"reg.example:5000": {"auth": AUTH}}}


def test_the_script_is_valid_shell(plan, tmp_path):
    assert subprocess.run(["sh", "-n", "-c", _script(plan)], timeout=30).returncode == 0


# ---------------------------------------------------------------------------------------- the units

def _units(plan, version):
    return units.render(plan, build(plan, version))


def _check_script(line: str) -> str:
    words = systemd_words(line.split("=", 1)[1])
    assert words[:2] == ["/bin/sh", "-c"]
    return words[2]


@pytest.mark.parametrize("version", [V(4, 3), V(4, 6), V(5, 4)], ids=str)
def test_units_check_the_auth_files_first(plan, version, tmp_path):
    out = _units(plan, version)
    pod_unit = out["web.pod"] if version >= V(5, 0) else out["web-pod.service"]
    pre = [ln for ln in pod_unit.splitlines() if ln.startswith("ExecStartPre=")]
    checks = [ln for ln in pre if "/containers/kube2pod/auth/" in ln and "[ -f" in ln]
    assert len(checks) == 2 and pre[:2] == checks  # before anything else the service does
    open_unit = out["open.pod"] if version >= V(5, 0) else out["open-pod.service"]
    assert "kube2pod/auth" not in open_unit
    config = tmp_path / "config"
    for line in checks:
        assert f"k2p_file={UNIT_DIR}/" in line  # the one specifier systemd expands here
        script = _check_script(line).replace("%E", str(config))
        proc = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 1
        path = re.search(r"k2p_file=(\S+);", script).group(1)
        assert f"write the file {path}, e.g. with podman login --authfile {path} " in proc.stderr
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
        assert subprocess.run(["sh", "-c", script], timeout=30).returncode == 0
    for text in out.values():
        _no_credentials(text)


def test_plain_units_pass_authfile_to_create_and_pull(plan):
    text = _units(plan, V(4, 3))["web-pod.service"]
    flagged = [ln for ln in text.splitlines() if "--authfile" in ln and "podman login" not in ln]
    assert len(flagged) == 3
    assert "--name=web-app" in flagged[0] and f"--authfile={UNIT_DIR}/{APP_FILE} " in flagged[0]
    assert flagged[1] == f'ExecStartPre=/bin/sh -c "podman pull --authfile {UNIT_DIR}/{APP_FILE} ' \
                         'reg.example:5000/team/data:1"'
    assert "--name=web-side" in flagged[2] and f"--authfile={UNIT_DIR}/{HUB_FILE} " in flagged[2]
    assert "%%E" not in text


@pytest.mark.parametrize("version", [V(4, 3), V(4, 9)], ids=str)
def test_plain_units_pass_systemd_analyze_verify(plan, version, tmp_path):
    from test_render_units import _analyzer

    out = _units(plan, version)
    names = [n for n in out if n.endswith(".service")]
    for n in names:
        (tmp_path / n).write_text(out[n])
    proc = subprocess.run([_analyzer(), "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    noise = [ln for ln in proc.stderr.splitlines() if not re.search(r"Unit [\w.@-]+\.service not found", ln)]
    assert not noise, proc.stderr


@pytest.mark.parametrize("version", [V(4, 9), V(5, 4)], ids=str)
def test_quadlet_runs_the_containers_with_the_auth_file(plan, version, quadlet_bin, tmp_path):
    out = _units(plan, version)
    assert f"PodmanArgs=--authfile={UNIT_DIR}/{APP_FILE}" in out["web-app.container"].splitlines()
    assert "AuthFile=" not in "".join(out.values())  # Quadlet's .container has no such key
    services = generate(quadlet_bin, {k: v for k, v in out.items() if not k.endswith(".service")}, tmp_path)
    app = services["web-app.service"]
    assert f"--authfile={UNIT_DIR}/{APP_FILE}" in exec_words(app, "ExecStart", "podman run")
    assert f"--authfile={UNIT_DIR}/" in app and "%%E" not in app  # systemd expands %E
    side = services["web-side.service"]
    assert f"--authfile={UNIT_DIR}/{HUB_FILE}" in exec_words(side, "ExecStart", "podman run")
    pull = [ln for ln in side.splitlines() if ln.startswith("ExecStartPre=") and "podman pull" in ln]
    assert len(pull) == 1 and f"--authfile {UNIT_DIR}/{APP_FILE} " in pull[0]
    assert "--authfile" not in services["open-plain.service"]


def test_cli_script_and_units_agree(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(TEXT)
    code, out, err = run_cli("convert", str(f))
    assert code == 0, err
    _no_credentials(out + err)
    assert '--authfile="$k2p_auth"/regcred.json' in out


def test_a_create_through_the_shell_gets_the_auth_file_too(tmp_path):
    """A 4.3 ``podman create`` that needs the host's facts runs through ``/bin/sh -ec``: the script's
    auth file variable is set to the units' path there."""
    text = TEXT.replace('command: [sleep, "600"]}',
                        'command: [sleep, "600"], env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]}')
    t = translate_text(tmp_path, text)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    service = _units(t.plan, V(4, 3))["web-pod.service"]
    [line] = [ln for ln in service.splitlines() if "--name=web-app" in ln]
    script = _check_script(line.replace("/bin/sh -ec", "/bin/sh -c", 1))
    assert script.startswith(f"k2p_auth={UNIT_DIR}\n") and '--authfile="$k2p_auth"/regcred.json' in script
    assert "%%E" not in line
