"""The target Podman version per output (no podman needed): what the script, the REST bodies and the
Quadlet units become for Podman 4.3, 4.4, 4.9, 5.0 and 5.4, and the positioned diagnostics for what
a target lacks.

Extend ROWS with (case, target, Expect(...)) for a new fixture or target: CASES holds the manifests.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest
from support.k2p import run_cli

from kube2pod import pipeline
from kube2pod.plan import VolumeMount
from kube2pod.render import rest
from kube2pod.snapshot.outputs import FORMATS, QUADLET_ERROR, snapshot_files
from kube2pod.spec import Version, build, gaps
from kube2pod.spec.mount import SubPathBind, option_text

TARGETS = ("4.3", "4.4", "4.9", "5.0", "5.4")

APP = """\
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cret}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: "x=1\\n"}
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: lan}
spec:
  config: '{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth9", "mode": "bridge", "ipam": {"type": "host-local", "subnet": "10.77.0.0/24"}}'
---
apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    k8s.v1.cni.cncf.io/networks: '[{"name": "lan", "ips": ["10.77.0.20/24"], "mac": "02:42:0a:4d:00:14", "interface": "lan0"}]'
spec:
  initContainers:
    - name: prepare
      image: localhost/busybox:latest
      command: [sh, -c, "true"]
  containers:
    - name: main
      image: localhost/busybox:latest
      workingDir: /srv
      command: [sleep, "1000"]
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
      livenessProbe:
        exec: {command: [cat, /etc/conf/app.conf]}
        periodSeconds: 5
      volumeMounts:
        - {name: conf, mountPath: /etc/conf}
        - {name: creds, mountPath: /etc/creds}
  volumes:
    - {name: conf, configMap: {name: conf}}
    - {name: creds, secret: {secretName: creds}}
"""

CASES = {"app": APP}


class Expect(NamedTuple):
    """``script``/``not_script``: lines of convert.sh that must start with / that no line starts with;
    ``quadlet``: unit lines that must be present (``file: line``); ``quadlet_error``: a part of the
    Quadlet error; ``units``: lines of ``-o systemd`` (``file: line``; else it is ``-o quadlet``'s
    output); ``errors``: parts of diagnostics.txt (then no output is written)."""

    script: tuple[str, ...] = ()
    not_script: tuple[str, ...] = ()
    quadlet: tuple[str, ...] = ()
    quadlet_error: str = ""
    errors: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


_CHECKS_43 = ("k2p_mine volume app-conf || podman volume create --label",
              "if k2p_mine network m_default_lan; then case \" $(podman network inspect --format",
              "k2p_mine secret creds-token && podman secret rm creds-token >/dev/null",
              "podman secret create --env")
_IGNORE = ("podman volume create --ignore --label",
           "[ \"$(podman volume inspect --format '{{index .Labels \"io.kube2pod.managed\"}}' app-conf)\" = true ] ||",
           "podman network create --ignore ",
           "[ \"$(podman network inspect --format '{{index .Labels \"io.kube2pod.managed\"}}' m_default_lan)\" = true ] ||")
_REPLACE = ("k2p_mine secret creds-token || :", "podman secret create --replace --env ")

ROWS = [
    ("app", "4.3", Expect(script=("# Target: Podman 4.3 or later", *_CHECKS_43),
                          not_script=("podman volume create --ignore", "podman secret create --replace"),
                          quadlet_error="Podman 4.3 has no Quadlet (it arrived in Podman 4.4); use `kube2pod convert "
                                        "-o systemd`",
                          units=("app-pod.service: Type=forking", "creds-token-secret.service: Type=oneshot"))),
    ("app", "4.4", Expect(script=("# Target: Podman 4.4 or later", *_IGNORE, *_CHECKS_43[2:]),
                          not_script=("k2p_mine volume", "k2p_mine network", "podman secret create --replace"),
                          quadlet=("app-main.container: PodmanArgs=--pod=app",  # no .pod units before 5.0
                                   "app-main.container: BindsTo=app-pod.service",
                                   "app-main.container: PodmanArgs=--secret=creds-token,type=env,target=TOKEN",  # 4.5
                                   "app-main.container: PodmanArgs=--workdir=/srv", "app-prepare.container: Type=oneshot",
                                   "app-pod.service: Wants=app-main.service"))),
    ("app", "4.9", Expect(script=("# Target: Podman 4.9 or later", *_IGNORE, *_REPLACE),
                          not_script=("k2p_mine volume", "podman secret rm"),
                          quadlet=("app-main.container: PodmanArgs=--pod=app",
                                   "app-main.container: Secret=creds-token,type=env,target=TOKEN",
                                   "app-main.container: WorkingDir=/srv",
                                   "m_default_lan-network.service: Type=oneshot"))),
    ("app", "5.0", Expect(script=("# Target: Podman 5.0 or later", *_IGNORE, *_REPLACE),
                          quadlet=("app-main.container: Secret=creds-token,type=env,target=TOKEN",
                                   "app-main.container: WorkingDir=/srv", "app.pod: PodName=app",
                                   "app.pod: PodmanArgs=--dns-search=cluster.local",  # DNSSearch= of .pod: 5.3
                                   "app.pod: Network=m_default_lan.network:ip=10.77.0.20,mac=02:42:0a:4d:00:14,"
                                   "interface_name=lan0"))),
    ("app", "5.4", Expect(script=("# Target: Podman 5.4 or later", *_IGNORE, *_REPLACE),
                          quadlet=("app-main.container: Secret=creds-token,type=env,target=TOKEN",
                                   "app-prepare.container: Type=oneshot", "app.pod: DNSSearch=cluster.local"))),
]


def _files(tmp_path: Path, case: str, target: str) -> dict[str, str]:
    (tmp_path / "m.yaml").write_text(CASES[case])
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return snapshot_files(["m.yaml"], FORMATS, version=Version.parse(target))
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("case,target,expect", ROWS, ids=[f"{c}-{t}" for c, t, _ in ROWS])
def test_outputs_per_target(case, target, expect, tmp_path):
    files = _files(tmp_path, case, target)
    diagnostics = files["diagnostics.txt"]
    assert diagnostics.startswith(f"exit {2 if expect.errors else 0}\npodman {target}\n"), diagnostics
    for part in expect.errors:
        assert part in diagnostics
    if expect.errors:
        assert set(files) == {"diagnostics.txt"}
        return
    assf = files["plan.json"]
    assert f'"podman_version": "{target}"' in assf
    lines = files["convert.sh"].splitlines()
    for start in expect.script:
        assert any(line.startswith(start) for line in lines), (start, files["convert.sh"])
    for start in expect.not_script:
        assert not any(line.startswith(start) for line in lines), (start, files["convert.sh"])
    if expect.quadlet_error:
        assert expect.quadlet_error in files[QUADLET_ERROR]
    else:
        assert QUADLET_ERROR not in files, files.get(QUADLET_ERROR)
    for item in expect.quadlet:
        unit, _, line = item.partition(": ")
        assert line in files[f"quadlet/{unit}"].splitlines(), (item, files[f"quadlet/{unit}"])
    for item in expect.units:
        unit, _, line = item.partition(": ")
        assert line in files[f"systemd/{unit}"].splitlines(), (item, files[f"systemd/{unit}"])
    if not expect.units:  # -o systemd is Quadlet's output where there is Quadlet
        assert {k[8:]: v for k, v in files.items() if k.startswith("systemd/")} == {
            k[8:]: v for k, v in files.items() if k.startswith("quadlet/")}


def _translated(tmp_path: Path, text: str) -> pipeline.Outcome:
    (tmp_path / "m.yaml").write_text(text)
    outcome = pipeline.run([str(tmp_path / "m.yaml")])
    assert not outcome.has_errors, [d.format() for d in outcome.diagnostics]
    return outcome


def test_rest_bodies_are_the_same_for_every_target(tmp_path):
    """kube2pod's REST bodies use no field that libpod renamed or removed between 4.3 and 5.4
    (only ``namespace``, which kube2pod never sends, went in 5.0): one body per object for all."""
    plan = _translated(tmp_path, APP).plan
    bodies = {}
    for target in TARGETS:
        spec = build(plan, Version.parse(target), "rest")
        bodies[target] = {name: rest.body(node) for group in spec[1:] for name, node in group.items()}
    main = bodies["4.3"]["app-main"]
    assert main["secret_env"] == {"TOKEN": "creds-token"} and main["healthconfig"]["Test"][0] == "CMD"
    assert main["health_check_on_failure_action"] == 3  # restart: a failing liveness probe restarts it
    assert bodies["4.3"]["app-prepare"]["init_container_type"] == "once"
    assert bodies["4.3"]["app"]["Networks"]["m_default_lan"] == {
        "static_ips": ["10.77.0.20"], "static_mac": "02:42:0a:4d:00:14", "interface_name": "lan0"}
    assert all(b == bodies["4.3"] for b in bodies.values())


SUBPATH = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: main
          image: localhost/busybox:latest
          volumeMounts:
            - {name: data, mountPath: /var/lib/app}
      volumes:
        - {name: data, persistentVolumeClaim: {claimName: data}}
"""


def _with_subpath(outcome: pipeline.Outcome) -> pipeline.Outcome:
    """The outcome whose plan mounts the volume's ``sub`` directory (a sub-path mount in the plan)."""
    plan = outcome.plan
    pod = plan.pods[0]
    c = pod.containers[0]
    mounts = [m.replace(subpath="sub") if isinstance(m, VolumeMount) else m for m in c.mounts]
    plan = plan.replace(pods=[pod.replace(containers=[c.replace(mounts=mounts)])])
    translation = pipeline.Translation(plan, list(outcome.translation.diagnostics))
    return pipeline.Outcome(outcome.options, outcome.loaded, translation)


@pytest.mark.parametrize("target", ["4.3", "4.4", "4.9", "5.0", "5.3", "5.4"])
def test_a_sub_path_mount_is_native_from_5_4_and_a_bind_before(target, tmp_path):
    """A named volume's sub-path: ``--mount ...,subpath=`` (and REST ``SubPath``) from 5.4, where every
    output has it; before, a bind of the volume's directory in every output (spec/mount.py), so no target
    refuses it and the script, apply and the units make the same containers."""
    outcome = _with_subpath(_translated(tmp_path, SUBPATH))
    version = Version.parse(target)
    for output in ("cli", "rest"):
        checked = pipeline.check_version(outcome, version, (output,))
        assert not checked.has_errors and checked.plan is not None
    assert not gaps(outcome.plan, version, ("rest",))
    (c,) = build(outcome.plan, version).containers.values()
    (m,) = [m for m in c.mounts if getattr(m, "subpath", "")]
    if version >= Version(5, 4):
        assert isinstance(m, VolumeMount) and "subpath=sub" in option_text(m)
    else:
        assert isinstance(m, SubPathBind) and m.source().endswith("/sub")


def test_a_gate_is_a_positioned_cli_error_never_a_traceback(tmp_path):
    """--health-on-failure came in 4.3: converting a liveness probe for 4.2 is an error at the probe."""
    (tmp_path / "m.yaml").write_text(APP)
    code, out, err = run_cli("convert", "--podman-version", "4.2", str(tmp_path / "m.yaml"))
    assert code == 2 and out == ""
    assert f"{tmp_path / 'm.yaml'}:35:9: error: --health-on-failure needs Podman 4.3 or later (the podman CLI); " \
           "the target is Podman 4.2" in err
    assert "Traceback" not in err
    code, out, err = run_cli("validate", "--podman-version", "4.2", str(tmp_path / "m.yaml"))
    assert code == 2 and ":35:9: error: --health-on-failure" in err
    code, out, _ = run_cli("convert", "--podman-version", "4.3", str(tmp_path / "m.yaml"))
    assert code == 0 and "--health-on-failure=restart" in out


@pytest.mark.parametrize("value,why", [("five", "not a Podman version: 'five'"), ("5", "not a Podman version"),
                                       ("3.4", "Podman 3.4 is not supported")])
@pytest.mark.parametrize("command", ["convert", "validate"])
def test_a_bad_podman_version_is_a_usage_error(command, value, why, tmp_path):
    (tmp_path / "m.yaml").write_text(APP)
    code, out, err = run_cli(command, "--podman-version", value, str(tmp_path / "m.yaml"))
    assert code == 2 and out == ""
    assert f"argument --podman-version: {why}" in err and "usage:" in err


@pytest.mark.parametrize("installed,header", [("5.4.2", "5.4"), ("4.3.1", "4.3"), (None, "4.3"), ("dev", "4.3")])
def test_convert_targets_the_installed_podman_else_the_default(installed, header, tmp_path, monkeypatch):
    from kube2pod.host import podman_version

    monkeypatch.setattr(podman_version, "start", lambda: lambda: installed)
    (tmp_path / "m.yaml").write_text(APP)
    code, out, _ = run_cli("convert", str(tmp_path / "m.yaml"))
    assert code == 0 and f"# Target: Podman {header} or later\n" in out
    code, out, _ = run_cli("convert", "-o", "json", str(tmp_path / "m.yaml"))
    assert code == 0 and f'"podman_version": "{header}"' in out
    code, out, _ = run_cli("convert", "--podman-version", "4.9", str(tmp_path / "m.yaml"))
    assert "# Target: Podman 4.9 or later\n" in out


def test_snapshot_paths_never_use_the_installed_podman(tmp_path, monkeypatch):
    from kube2pod.host import podman_version

    monkeypatch.setattr(podman_version, "start", lambda: lambda: "5.4.0")
    (tmp_path / "m.yaml").write_text(APP)
    for args, target in (((), "4.3"), (("--podman-version", "5.0"), "5.0")):
        out_dir = tmp_path / f"snap-{target}"
        code, _, err = run_cli("convert", *args, "--update-snapshots", str(out_dir), str(tmp_path / "m.yaml"))
        assert code == 0, err
        assert (out_dir / "diagnostics.txt").read_text().startswith(f"exit 0\npodman {target}\n")
        assert f"# Target: Podman {target} or later\n" in (out_dir / "convert.sh").read_text()
        code, _, _ = run_cli("convert", *args, "--check", str(out_dir), str(tmp_path / "m.yaml"))
        assert code == 0


# A stand-in for podman that keeps volumes, networks and secrets as files (NAME holds the
# io.kube2pod.managed label's value) and logs every call: the script's ownership logic per target.
FAKE_PODMAN = r"""#!/bin/sh
state=$K2P_FAKE_STATE
echo "$*" >> "$state/calls"
kind=$1; shift
case "$kind" in volume|network|secret) ;; *) exit 0 ;; esac
verb=$1; shift
last=""; prev=""; ignore=""; replace=""; mine=false; subnet=""
for a in "$@"; do
  case "$a" in --ignore) ignore=1 ;; --replace) replace=1 ;; --label=io.kube2pod.managed=true) mine=true ;;
    --subnet=*) subnet=${a#--subnet=} ;; esac
  prev=$last; last=$a
done
name=$last
[ "$kind" = secret ] && [ "$verb" = create ] && name=$prev
f="$state/$kind.$name"
case "$verb" in
  create)
    if [ -e "$f" ]; then
      [ -n "$ignore" ] && exit 0
      [ -n "$replace" ] && { echo "$mine" > "$f"; exit 0; }
      echo "Error: $kind $name already exists" >&2; exit 125
    fi
    echo "$mine" > "$f"; [ -z "$subnet" ] || echo "$subnet" > "$f.subnet" ;;
  inspect)
    [ -e "$f" ] || { echo "Error: no such $kind $name" >&2; exit 125; }
    case "$*" in *Mountpoint*) mkdir -p "$state/mnt.$name"; echo "$state/mnt.$name" ;;
      *Subnets*) cat "$f.subnet" 2>/dev/null ;; *) cat "$f" ;; esac ;;
  rm) rm "$f" ;;
  exists) [ -e "$f" ] ;;
esac
"""


@pytest.fixture
def fake_podman(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "podman").write_text(FAKE_PODMAN)
    (bindir / "podman").chmod(0o755)
    state = tmp_path / "state"
    state.mkdir()
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "K2P_FAKE_STATE": str(state)}
    return state, env


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("foreign", ["volume.app-conf", "network.m_default_lan", "secret.creds-token", None])
def test_the_script_never_takes_over_what_kube2pod_does_not_own(target, foreign, fake_podman, tmp_path):
    """Every target's form (exists checks on 4.3, --ignore from 4.4, --replace from 4.7): an object of
    the name made by someone else stops the script with a message and stays as it was; kube2pod's
    own are reused (and its secret replaced), run after run."""
    state, env = fake_podman
    (tmp_path / "m.yaml").write_text(APP)
    code, script, err = run_cli("convert", "--podman-version", target, "--show-secrets", "--no-start",
                                str(tmp_path / "m.yaml"))
    assert code == 0, err
    if foreign:
        (state / foreign).write_text("\n")
    for _ in range(2):
        done = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=60)
        if foreign:
            kind, name = foreign.split(".", 1)
            assert done.returncode == 1
            assert f"kube2pod: {kind} {name} already exists and was not created by kube2pod" in done.stderr
            assert (state / foreign).read_text() == "\n"
            assert not any(line.startswith("create ") for line in (state / "calls").read_text().splitlines())
        else:
            assert done.returncode == 0, done.stderr
            assert all((state / f).read_text() == "true\n"
                       for f in ("volume.app-conf", "network.m_default_lan", "secret.creds-token"))
    calls = (state / "calls").read_text()
    if not foreign:
        assert ("secret create --replace" in calls) == (Version.parse(target) >= (4, 7))
        assert ("volume create --ignore" in calls) == (Version.parse(target) >= (4, 4))


PROBED = """\
apiVersion: v1
kind: Pod
metadata: {name: k2p-version-gate}
spec:
  containers:
    - name: main
      image: localhost/busybox:latest
      imagePullPolicy: Never
      command: [sleep, "1000"]
      livenessProbe:
        exec: {command: ["true"]}
"""


@pytest.mark.podman
def test_apply_and_diff_target_the_service_version(tmp_path, podman, podman_url, podman_clean, monkeypatch):
    """apply and diff build for the service's Podman (/info): what it lacks is a positioned error
    before anything changes (exit 2); its own version is read from /info."""
    from kube2pod.apply.podman_api import PodmanAPI

    manifest = tmp_path / "m.yaml"
    manifest.write_text(PROBED)
    seen = []
    real = PodmanAPI.version
    monkeypatch.setattr(PodmanAPI, "version", lambda self: seen.append(real(self)) or seen[-1])
    code, _, err = run_cli("diff", "--url", podman_url, str(manifest))
    assert code == 0, err
    installed = podman("version", "--format", "{{.Server.Version}}").stdout.strip()
    assert seen and seen[0] == Version.parse(installed)
    monkeypatch.setattr(PodmanAPI, "version", lambda self: Version(4, 2))
    for command in ("diff", "apply"):
        code, _, err = run_cli(command, "--url", podman_url, str(manifest))
        assert code == 2, err
        assert f"{manifest}:11:9: error: --health-on-failure needs Podman 4.3 or later (the Podman REST API); " \
               "the target is Podman 4.2" in err
        assert "hint: this Podman service is 4.2: use Podman 4.3 or later, or leave the field out" in err
    assert podman("pod", "exists", "k2p-version-gate", check=False).returncode != 0


@pytest.mark.podman
def test_validate_host_targets_the_service(tmp_path, podman_url, monkeypatch):
    """validate --host checks against the service's Podman (read once from /info, with the host
    facts); --podman-version still chooses the target."""
    from kube2pod.apply.podman_api import PodmanAPI

    manifest = tmp_path / "m.yaml"
    manifest.write_text(PROBED)
    assert run_cli("validate", "--host", "--url", podman_url, str(manifest))[0] == 0
    monkeypatch.setattr(PodmanAPI, "version", lambda self: Version(4, 2))
    code, _, err = run_cli("validate", "--host", "--url", podman_url, str(manifest))
    assert code == 2 and f"{manifest}:11:9: error: --health-on-failure needs Podman 4.3 or later (the Podman REST " \
                         "API); the target is Podman 4.2" in err
    code, _, err = run_cli("validate", "--host", "--podman-version", "4.3", "--url", podman_url, str(manifest))
    assert code == 0, err
