"""Boot-time units per target Podman (render/units.py, docs/quadlet.md "systemd units per version"):
4.3 plain services (checked by `systemd-analyze verify` and, on Podman, by running their command
lines in systemd's order), 4.4 - 4.9 Quadlet .container units bound to plain pod services, 5.0+
native Quadlet; `-o quadlet` refused below 4.4; every Quadlet key within the target's allow-list."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from support.k2p import FIXTURES, REPO, run_cli
from support.podman_env import in_ci
from support.quadlet import exec_words, generate, quadlet_cases, systemd_words

from kube2pod.load import load
from kube2pod.plan import Container, ObjectRef, Plan, Pod
from kube2pod.render import quadlet, units
from kube2pod.render.formats import render_all
from kube2pod.spec import build
from kube2pod.spec.mount import NATIVE_SUBPATH
from kube2pod.spec.version import Version

CASES = sorted({p.parent.parent.name for p in FIXTURES.glob("*/systemd/*-pod.service")})
SRC = ObjectRef(kind="Pod", name="p", file="m.yaml", line=3)
V = Version

#: The first Podman whose Quadlet reads each key kube2pod may write, per unit kind: read from the
#: supported*Keys tables of podman's pkg/systemd/quadlet/quadlet.go at v4.4.0 ... v5.4.0.
QUADLET_KEYS = {
    "container": {"ContainerName": V(4, 4), "Image": V(4, 4), "Exec": V(4, 4), "Environment": V(4, 4),
                  "Label": V(4, 4), "Annotation": V(4, 4), "AddDevice": V(4, 4), "AddCapability": V(4, 4),
                  "DropCapability": V(4, 4), "User": V(4, 4), "PodmanArgs": V(4, 4), "Mount": V(4, 5),
                  "Secret": V(4, 5), "Pull": V(4, 6), "WorkingDir": V(4, 6), "Pod": V(5, 0),
                  "Entrypoint": V(5, 0), "GroupAdd": V(5, 1),
                  "EnvironmentFile": V(5, 0)},  # at the latest (kube2pod writes it from 5.0: host_env_keys)
    "volume": {"Label": V(4, 4), "Type": V(4, 4), "Device": V(4, 4), "Options": V(4, 4), "PodmanArgs": V(4, 6),
               "VolumeName": V(4, 7), "Driver": V(4, 8)},
    "network": {"Driver": V(4, 4), "Label": V(4, 4), "Subnet": V(4, 4), "Gateway": V(4, 4), "IPRange": V(4, 4),
                "Options": V(4, 4), "Internal": V(4, 4), "DisableDNS": V(4, 4), "PodmanArgs": V(4, 6),
                "NetworkName": V(4, 7)},
    "pod": {"PodName": V(5, 0), "PublishPort": V(5, 0), "Network": V(5, 0), "PodmanArgs": V(5, 0),
            "AddHost": V(5, 3), "DNS": V(5, 3), "DNSSearch": V(5, 3), "DNSOption": V(5, 3)},
}
TARGETS = [V(4, 3), V(4, 4), V(4, 5), V(4, 6), V(4, 9), V(5, 0), V(5, 2), V(5, 4)]


def _plan(case: str) -> Plan:
    return _translate(f"fixtures/{case}/input.yaml")


def _translate(path: str) -> Plan:
    from kube2pod.translate import translate

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return translate(load([path]).manifests).plan
    finally:
        os.chdir(cwd)


def _analyzer() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        if in_ci():
            pytest.fail("systemd-analyze missing (CI=true: the unit checks must run)", pytrace=False)
        pytest.skip("systemd-analyze missing")
    return found


# --- which form for which target -------------------------------------------------------------------


@pytest.mark.parametrize("version", TARGETS, ids=str)
def test_each_target_gets_its_form(version):
    plan = _plan("conformance-configmap-volume")
    out = units.render(plan, build(plan, version))
    kinds = {name.rsplit(".", 1)[1] for name in out}
    if version < V(4, 4):
        assert kinds == {"service"}
        assert "ExecStartPre=/usr/bin/podman create --pod=cmvol " in out["cmvol-pod.service"]
    elif version < V(5, 0):
        assert kinds == {"service", "container"} and "cmvol-pod.service" in out
        assert "PodmanArgs=--pod=cmvol\n" in out["cmvol-main.container"]
        assert "BindsTo=cmvol-pod.service\n" in out["cmvol-main.container"]
        assert "podman create" not in out["cmvol-pod.service"] and "--exit-policy" not in out["cmvol-pod.service"]
    else:
        assert kinds == {"pod", "container", "volume", "network"} and out == quadlet.render(plan, build(plan, version))


def test_quadlet_is_refused_below_4_4_with_the_hint(tmp_path, monkeypatch):
    plan = _plan("pod-basic")
    files, diags = render_all(plan, ["quadlet"], version=V(4, 3))
    assert not files and "Podman 4.3 has no Quadlet" in diags[0].message and "-o systemd" in diags[0].message
    monkeypatch.chdir(REPO)
    code, _, err = run_cli("convert", "-o", "quadlet", "--podman-version", "4.3", "--out-dir", str(tmp_path),
                           "fixtures/pod-basic/input.yaml")
    assert code == 2 and "use `kube2pod convert -o systemd`" in err and not list(tmp_path.iterdir())
    code, _, _ = run_cli("convert", "-o", "quadlet", "--podman-version", "4.4", "--out-dir", str(tmp_path),
                         "fixtures/pod-basic/input.yaml")
    assert code == 0 and list(tmp_path.iterdir())


def _unit_keys(text: str) -> list[tuple[str, str]]:
    """(section, key) of every key of a unit file."""
    section, out = "", []
    for line in text.split("\n"):
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            out.append((section, line.split("=", 1)[0]))
    return out


@pytest.mark.parametrize("version", [v for v in TARGETS if v >= V(4, 4)], ids=str)
def test_every_quadlet_key_is_in_the_targets_allow_list(version):
    """No Quadlet unit of any fixture uses a key the target's Quadlet lacks (it would reject the unit)."""
    seen = set()
    for case in CASES:
        try:
            out = units.render(_plan(case), build(_plan(case), version))
        except ValueError:
            continue
        for name, text in out.items():
            kind = name.rsplit(".", 1)[1]
            if kind in ("service", "timer"):  # plain systemd units (render/units.py, render/timer.py)
                continue
            for section, key in _unit_keys(text):
                if section.lower() == kind:
                    assert QUADLET_KEYS[kind].get(key, V(99, 0)) <= version, (case, name, key)
                    seen.add(key)
    assert {"PodmanArgs", "Image"} <= seen


def test_a_newer_key_becomes_podman_args_and_a_positional_one_an_error():
    c = Container(name="p-c", image="localhost/busybox:latest", group_add=["wheel"], workdir="/w",
                  entrypoint=["/bin/sh"])
    plan = Plan(pods=[Pod(name="p", source=SRC, containers=[c], dns_servers=["10.0.0.1"])])
    new = quadlet.render(plan, build(plan, V(5, 4)))
    assert "GroupAdd=wheel\n" in new["p-c.container"] and "DNS=10.0.0.1\n" in new["p.pod"]
    v50 = quadlet.render(plan, build(plan, V(5, 0)))
    assert "PodmanArgs=--group-add=wheel\n" in v50["p-c.container"] and "PodmanArgs=--dns=10.0.0.1\n" in v50["p.pod"]
    v45 = quadlet.render(plan, build(plan, V(4, 5)))["p-c.container"]
    assert "PodmanArgs=--workdir=/w\n" in v45 and 'PodmanArgs="--entrypoint=[\\"/bin/sh\\"]"\n' in v45
    from kube2pod.spec import NotInVersion
    from kube2pod.spec.container import ContainerSpec

    node = ContainerSpec.make(image="i", pod="p", name="n", pull="newer")
    keys, _ = quadlet.unit_keys(node, V(4, 4))
    assert "PodmanArgs=--pull=newer" in keys
    from kube2pod.spec.volume import VolumeSpec

    with pytest.raises(NotInVersion, match=r"VolumeName= \(name\) needs Podman 4.7 or later \(Quadlet\); the "
                                           r"target is Podman 4.6"):
        quadlet.unit_keys(VolumeSpec.make(name="x"), V(4, 6))


# --- checked by systemd and the generator ----------------------------------------------------------


@pytest.mark.parametrize("version", [V(4, 3), V(4, 9)], ids=str)
def test_plain_units_pass_systemd_analyze_verify(version, tmp_path):
    analyzer = _analyzer()
    checked = 0
    for case in CASES:
        try:
            out = units.render(_plan(case), build(_plan(case), version))
        except ValueError:  # Quadlet refuses it (4.9: an empty Exec= argument), tested elsewhere
            assert version >= V(4, 4)
            continue
        d = tmp_path / case
        d.mkdir()
        services = [name for name in out if name.endswith((".service", ".timer"))]
        for name in services:
            (d / name).write_text(out[name])
        proc = subprocess.run([analyzer, "verify", "--man=no", *services], cwd=d, capture_output=True, text=True,
                              timeout=60)
        noise = [ln for ln in proc.stderr.splitlines() if ".container.service" not in ln  # the Quadlet units
                 and not re.search(r"Unit [\w.@-]+\.service not found", ln)]
        assert proc.returncode == 0 or not noise, (case, proc.stderr)
        assert not noise, (case, proc.stderr)
        checked += len(services)
    assert checked > len(CASES)


def test_verify_catches_a_bad_unit(tmp_path):
    """The check above can fail: systemd-analyze rejects a relative executable."""
    analyzer = _analyzer()
    text = units.render(_plan("pod-basic"), build(_plan("pod-basic"), V(4, 3)))["hello-httpd-pod.service"]
    (tmp_path / "bad.service").write_text(text.replace("ExecStart=/usr/bin/podman", "ExecStart=usr/bin/podman"))
    proc = subprocess.run([analyzer, "verify", "--man=no", "bad.service"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0


@pytest.mark.parametrize("case", quadlet_cases(), ids=str)
def test_generator_accepts_the_4_x_container_units(case, quadlet_bin, tmp_path):
    """Quadlet 5.4's generator (the allow-list above holds the keys to 4.4 - 4.9): each .container unit
    of the 4.9 form runs its container in the pod, bound to the pod's plain service (a pod with a
    volume sub-path has none: its service creates the containers as in the 4.3 form)."""
    plan = _plan(case)
    spec = build(plan, V(4, 9))
    out = units.render(plan, spec)
    containers = {k: v for k, v in out.items() if k.endswith(".container")}
    services = generate(quadlet_bin, containers, tmp_path) if containers else {}
    for pod in plan.pods:
        if units.has_containers(pod, spec, False):  # its pod service creates them (tested below)
            assert "podman create --pod=" in out[f"{pod.name}-pod.service"]
            continue
        for c in [*pod.init_containers, *pod.containers]:
            service = services[f"{c.name}.service"]
            words = exec_words(service, "ExecStart", "podman run")
            assert f"--pod={pod.name}" in words and words[-1 - len(c.command or [])] == c.image
            assert f"\nBindsTo={pod.name}-pod.service\n" in service


# --- on Podman: the 4.3 units' command lines in systemd's order --------------------------------------


def _expand(line: str, unit: str, runtime: Path, config: Path) -> str:
    return (line.replace("%%", "\0").replace("%t", str(runtime)).replace("%n", unit).replace("%E", str(config))
            .replace("\0", "%%"))


def _commands(text: str, key: str) -> list[str]:
    return [ln.split("=", 1)[1] for ln in text.split("\n") if ln.startswith(key + "=")]


def _run_unit(name: str, text: str, keys: tuple[str, ...], env: dict, runtime: Path, config: Path) -> None:
    """Run ``keys``' command lines of a unit as systemd would (``-`` prefix: failure ignored)."""
    unit_env = dict(env)
    for assignment in _commands(text, "Environment"):
        k, v = _expand(assignment, name, runtime, config).split("=", 1)
        unit_env[k] = v
    for key in keys:
        for line in _commands(text, key):
            ignore = line.startswith("-")
            words = systemd_words(_expand(line.lstrip("-"), name, runtime, config))
            proc = subprocess.run(words, env=unit_env, capture_output=True, text=True, timeout=300)
            if proc.returncode and not ignore:
                raise subprocess.CalledProcessError(proc.returncode, words, proc.stdout, proc.stderr
                                                    ) from AssertionError(f"{name} {key}: {proc.stderr}")


START, STOP = ("ExecStartPre", "ExecStart", "ExecStartPost"), ("ExecStop", "ExecStopPost")


@pytest.mark.podman
def test_plain_units_run_on_podman_4_3(tmp_path, podman, podman_shell_env, podman_clean):
    """The 4.3 units of a pod with a configMap volume (also mounted by a sub-path), a Secret and a
    host fact (spec.nodeName): started in dependency order the pod runs, a second start (after a crash: the pod left behind) runs it again, stop removes the
    pod and its containers and keeps the volumes; someone else's pod of the name is never removed."""
    from support.inspect_facts import reset

    reset(podman_clean)
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST)
    plan = _translate(str(manifest))
    out = units.render(plan, build(plan, V(4, 3)))
    runtime, config = tmp_path / "run", tmp_path / "config"
    runtime.mkdir()
    (secret,) = plan.secrets
    secret_file = config / "kube2pod" / "secrets" / secret.name
    secret_file.parent.mkdir(parents=True)
    secret_file.write_bytes(secret.data())
    order = sorted(out, key=lambda n: (n.endswith("-pod.service"), n))

    def start():
        for name in order:
            _run_unit(name, out[name], START, podman_shell_env, runtime, config)

    def state(pod: str) -> str:
        return podman("pod", "inspect", "--format", "{{.State}}", pod).stdout.strip()

    start()
    assert state("unitapp") == "Running"
    assert podman("exec", "unitapp-main", "cat", "/etc/app/app.conf").stdout == "key = 1\n"
    assert podman("exec", "unitapp-main", "sh", "-c", "echo $TOKEN").stdout == "s3cret\n"
    # a host fact and a volume sub-path: the create runs through the script's lines
    assert podman("exec", "unitapp-main", "sh", "-c", "echo $NODE").stdout == socket.gethostname().lower() + "\n"
    assert podman("exec", "unitapp-main", "cat", "/etc/one.conf").stdout == "key = 1\n"
    start()  # the service restarted without its stop commands (a crash): kube2pod's leftover pod is replaced
    assert state("unitapp") == "Running"
    _run_unit("unitapp-pod.service", out["unitapp-pod.service"], STOP, podman_shell_env, runtime, config)
    assert podman("pod", "exists", "unitapp", check=False).returncode == 1
    assert podman("container", "exists", "unitapp-main", check=False).returncode == 1
    assert podman("volume", "exists", "unitapp-conf", check=False).returncode == 0

    podman("pod", "create", "--name", "unitapp")  # someone else's pod of that name: the start stops
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _run_unit("unitapp-pod.service", out["unitapp-pod.service"], START, podman_shell_env, runtime, config)
    assert "kube2pod: pod unitapp already exists and was not created by kube2pod" in failed.value.stderr
    # systemd runs ExecStopPost= (not ExecStop=) after a failed start: it removes only its own pod
    _run_unit("unitapp-pod.service", out["unitapp-pod.service"], STOP[1:], podman_shell_env, runtime, config)
    assert podman("pod", "exists", "unitapp", check=False).returncode == 0
    reset(podman_clean)


MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: "key = 1\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: token}
stringData: {value: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: unitapp}
spec:
  containers:
    - name: main
      image: localhost/busybox:latest
      command: [sleep, "1000"]
      env:
        - {name: TOKEN, valueFrom: {secretKeyRef: {name: token, key: value}}}
        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
      volumeMounts:
        - {name: conf, mountPath: /etc/app}
        - {name: conf, mountPath: /etc/one.conf, subPath: app.conf}
  volumes: [{name: conf, configMap: {name: conf}}]
"""


# --- on Podman: the 4.3 and 4.9 forms make what apply makes --------------------------------------

CONFORMANCE = [case.removeprefix("conformance-") for case in CASES if case.startswith("conformance-")]


@pytest.mark.podman
@pytest.mark.parametrize("version", [V(4, 3), V(4, 9)], ids=str)
@pytest.mark.parametrize("case", CONFORMANCE)
def test_units_make_what_apply_makes(case, version, quadlet_bin, tmp_path, monkeypatch, podman, podman_url,
                                     podman_shell_env, podman_clean):
    """Every conformance fixture: the units' start commands (the pod created, not started: the
    pod service's ``ExecStartPre=``; 4.9: each ``.container`` unit's generated ``podman run`` as
    ``podman create``, as tests/test_quadlet_conformance.py does) make the same pods, containers
    and volumes as `kube2pod apply --no-start`. The 4.9 containers' restart policy is systemd's
    ``Restart=`` (checked there), not podman's. The units of a target newer than the host's podman
    use its commands (``--ignore``, ``--replace``): run where that podman is (the 5.4 one in CI)."""
    host = Version.parse(podman("version", "--format", "{{.Client.Version}}").stdout.strip())
    if version > host:
        pytest.skip(f"the units for Podman {version} run podman {version} commands; this podman is {host}")
    if case == "subpath" and version < NATIVE_SUBPATH <= host:
        pytest.skip(f"apply on this podman {host} mounts volume sub-paths natively, the units for {version} bind "
                    "the directory: other mounts by design (tests/test_subpath_podman.py runs both on each Podman)")
    from support.inspect_facts import at, collect, differences, reset, without_bookkeeping, without_cli_tty
    from test_quadlet_conformance import _plain

    path = f"fixtures/conformance-{case}/input.yaml"
    monkeypatch.chdir(REPO)
    reset(podman_clean)
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, path)
    assert code == 0, err
    from_apply = collect(podman)
    reset(podman_clean)

    plan = _translate(path)
    try:
        out = units.render(plan, build(plan, version))
    except ValueError:
        assert version >= V(4, 4)  # Quadlet refuses it (tested in test_render_quadlet.py)
        return
    runtime, config = tmp_path / "run", tmp_path / "config"
    (config / "kube2pod" / "secrets").mkdir(parents=True)
    runtime.mkdir()
    for secret in plan.secrets:
        (config / "kube2pod" / "secrets" / secret.name).write_bytes(secret.data())
    for name in sorted(n for n in out if n.endswith(("-network.service", "-volume.service", "-secret.service"))):
        _run_unit(name, out[name], START, podman_shell_env, runtime, config)
    containers = {k: v for k, v in out.items() if k.endswith(".container")}
    services = generate(quadlet_bin, containers, tmp_path) if containers else {}
    for pod in plan.pods:
        _run_unit(f"{pod.name}-pod.service", out[f"{pod.name}-pod.service"], ("ExecStartPre",), podman_shell_env,
                  runtime, config)
        for c in [*pod.init_containers, *pod.containers] if containers else []:
            podman(*_plain(exec_words(services[f"{c.name}.service"], "ExecStart", "podman run"), pod.name))
    from_units = collect(podman)
    reset(podman_clean)

    without_cli_tty(from_units)
    without_bookkeeping(from_apply)
    for key, facts in from_units.items():  # podman records the unit it runs in (auto-update reads it)
        if "labels" in facts and "PODMAN_SYSTEMD_UNIT" in facts["labels"]:
            assert facts["labels"].pop("PODMAN_SYSTEMD_UNIT") == f"{key.split('/')[0]}-pod.service", key
    if containers:
        for key, facts in from_apply.items():
            if "/" in key and key in from_units:
                facts.pop("restart"), from_units[key].pop("restart")
    diff = differences(from_units, from_apply)
    detail = {k: {"units": at(from_units, k), "apply": at(from_apply, k)} for k in sorted(diff)}
    import json

    assert not diff, json.dumps(detail, indent=1, sort_keys=True)


@pytest.mark.podman
def test_native_quadlet_pod_makes_its_secret_from_the_file(quadlet_bin, tmp_path, podman, podman_shell_env,
                                                           podman_clean):
    """5.x: the pod service's ExecStartPre= (as the generator writes it) creates kube2pod's podman
    secret from ``%E/kube2pod/secrets/<name>``, and without the file accepts an existing one."""
    from support.inspect_facts import reset

    reset(podman_clean)
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST)
    plan = _translate(str(manifest))
    (secret,) = plan.secrets
    # the 5.4 units with this podman's secret commands (5.4's `secret create --replace` is 4.7's)
    host = Version.parse(podman("version", "--format", "{{.Client.Version}}").stdout.strip())
    spec = build(plan, V(5, 4))._replace(secrets=build(plan, host).secrets)
    service = generate(quadlet_bin, quadlet.render(plan, spec), tmp_path)["unitapp-pod.service"]
    config = tmp_path / "config"
    (config / "kube2pod" / "secrets").mkdir(parents=True)
    (config / "kube2pod" / "secrets" / secret.name).write_bytes(secret.data())
    only_sh = service.replace("ExecStartPre=/usr/bin/podman", "X=")  # not the pod create
    _run_unit("unitapp-pod.service", only_sh, ("ExecStartPre",), podman_shell_env, tmp_path, config)
    labels = podman("secret", "inspect", "--format", "{{.Spec.Labels}}", secret.name).stdout
    assert "io.kube2pod.managed:true" in labels
    (config / "kube2pod" / "secrets" / secret.name).unlink()
    podman("secret", "rm", secret.name)
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _run_unit("unitapp-pod.service", only_sh, ("ExecStartPre",), podman_shell_env, tmp_path, config)
    assert f"podman secret {secret.name} (key value of Secret token) is missing" in failed.value.stderr
    podman("secret", "create", secret.name, "-", input="mine")  # the user's own: used as it is
    _run_unit("unitapp-pod.service", only_sh, ("ExecStartPre",), podman_shell_env, tmp_path, config)
    reset(podman_clean)


# --- today's features in the plain forms -------------------------------------------------------------


@pytest.mark.parametrize("version", [V(4, 3), V(4, 9)], ids=str)
def test_a_cronjob_gets_its_timer_in_the_plain_forms(version, tmp_path):
    """The scheduled pod's plain service is started by its timer (no [Install]); its pod stops
    with the run (--exit-policy=stop, once); 4.9 too creates the containers in the pod service;
    systemd accepts both."""
    from support.k2p import translate_text
    from test_cronjob import CRON

    plan = translate_text(tmp_path, CRON).plan
    out = units.render(plan, build(plan, version))
    service, timer = out["wl-backup-pod-pod.service"], out["wl-backup-pod.timer"]
    assert "Unit=wl-backup-pod-pod.service\n" in timer and "OnCalendar=Mon..Fri *-*-* 02:30:00 Europe/Berlin\n" in timer
    assert "[Install]" not in service and service.count("--exit-policy=stop") == 1
    # every form: the service creates the containers before the pod starts (no Quadlet unit that
    # would create one after another has ended the run)
    assert "ExecStartPre=/usr/bin/podman create --pod=wl-backup-pod " in service
    assert not [n for n in out if n.endswith(".container")]
    d = tmp_path / "units"
    d.mkdir()
    for name, text in out.items():
        (d / name).write_text(text)
    proc = subprocess.run([_analyzer(), "verify", "--man=no", "wl-backup-pod-pod.service", "wl-backup-pod.timer"],
                          cwd=d, capture_output=True, text=True, timeout=60)
    noise = [ln for ln in proc.stderr.splitlines() if ".container.service" not in ln
             and not re.search(r"Unit [\w.@-]+\.service not found", ln)]
    assert not noise, proc.stderr


def test_the_4_3_pod_service_pulls_image_volumes_and_reads_host_facts(tmp_path):
    """4.3: an image volume's pull runs before its container's create; a container with host facts
    (HostWord arguments) is created through /bin/sh -ec with the script's lines for them."""
    from support.k2p import translate_text
    from test_image_volumes import POD

    from kube2pod.render import shell

    plan = translate_text(tmp_path, POD).plan
    service = units.render(plan, build(plan, V(4, 3)))["wl-imgvol-pod.service"]
    pre = _commands(service, "ExecStartPre")
    pull = pre.index("/bin/sh -c \"podman image exists localhost/k2p-entry:latest\"")
    assert pre[pull + 1].startswith("/usr/bin/podman create ") and "--mount=type=image," in pre[pull + 1]

    facts = translate_text(tmp_path, POD.replace("    command: [sleep, \"600\"]\n", (
        "    command: [sleep, \"600\"]\n    env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]\n")))
    assert not facts.has_errors, [d.format() for d in facts.diagnostics]
    service = units.render(facts.plan, build(facts.plan, V(4, 3)))["wl-imgvol-pod.service"]
    (create,) = [line for line in _commands(service, "ExecStartPre") if "podman create" in line]
    script = systemd_words(create)
    assert script[:2] == ["/bin/sh", "-ec"]
    lines = script[2].split("\n")
    assert lines[0] == shell.HOST_FACTS["node-name"][0] and ' --env=NODE="$k2p_node_name" ' in lines[-1]


def test_a_volume_sub_path_before_5_4_is_bound_by_the_pod_service_in_the_4_x_form():
    """4.4 - 4.9: the pod service reads the mountpoint and creates the containers (as 4.3 does);
    5.0 - 5.3: native Quadlet cannot, refused with the hint to the plain units."""
    plan = _plan("conformance-subpath")
    out = units.render(plan, build(plan, V(4, 9)))
    assert not [n for n in out if n.endswith(".container")]
    service = out["subpath-pod.service"]
    assert "k2p_mp_1=$$(podman volume inspect --format '{{.Mountpoint}}' subpath-conf)" in service
    assert "--exit-policy=stop" in service and "[Install]" in service
    with pytest.raises(quadlet.Unsupported, match=r"-o systemd --podman-version 4.9"):
        units.render(plan, build(plan, V(5, 3)))
