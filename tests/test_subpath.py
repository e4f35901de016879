"""Volume sub-paths (subPath, subPathExpr) on every volume kind: the translation, and the spec's
one decision per target Podman (native ``subpath`` from 5.4, a bind of the volume's directory
before) in each output: CLI arguments, REST bodies, the script, Quadlet units."""

from __future__ import annotations

import subprocess

import pytest
from support.k2p import translate_text

from kube2pod.load import load
from kube2pod.plan import BindMount, HostPath, VolumeMount
from kube2pod.render import argv, quadlet, rest, shell
from kube2pod.spec import Version, build
from kube2pod.spec.mount import MARK, NATIVE_SUBPATH, SUBPATH, SubPathBind, with_mountpoints
from kube2pod.translate import translate

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: team}
data: {app.conf: "key=value\\n", other: x}
---
apiVersion: v1
kind: Pod
metadata: {name: sp, namespace: team}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    env:
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: PLAIN, value: v1}
    volumeMounts:
    - {name: conf, mountPath: /etc/app/app.conf, subPath: app.conf, readOnly: true}
    - {name: data, mountPath: /var/log/app, subPathExpr: "logs/$(NS)/$(POD)"}
    - {name: scratch, mountPath: /scratch, subPath: a/./b/}
    - {name: host, mountPath: /h, subPathExpr: "$(PLAIN)"}
  volumes:
  - {name: conf, configMap: {name: app}}
  - {name: data, persistentVolumeClaim: {claimName: sp-data}}
  - {name: scratch, emptyDir: {}}
  - {name: host, hostPath: {path: /srv/k2p-sp}}
"""

TARGETS_EMULATED = [Version(4, 3), Version(4, 4), Version(4, 9), Version(5, 0), Version(5, 3)]
TARGETS_NATIVE = [Version(5, 4), Version(5, 6)]


@pytest.fixture()
def plan(tmp_path):
    result = translate_text(tmp_path, MANIFEST)
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return result.plan


def _all_errors(tmp_path, text: str) -> list[str]:
    """The loader's and the translation's errors of ``text``."""
    f = tmp_path / "m.yaml"
    f.write_text(text)
    loaded = load([str(f)])
    found = [*loaded.diagnostics, *translate(loaded.manifests).diagnostics]
    return [d.format() for d in found if d.severity.value == "error"]


def _errors(result) -> list[str]:
    return [d.format() for d in result.diagnostics if d.severity.value == "error"]


def test_sub_paths_of_every_volume_kind_are_planned(plan):
    (c,) = plan.pods[0].containers
    assert c.mounts == [
        VolumeMount.make(volume="sp-conf", destination="/etc/app/app.conf", read_only=True, subpath="app.conf"),
        VolumeMount.make(volume="sp-data", destination="/var/log/app", subpath="logs/team/sp"),
        VolumeMount.make(volume="sp-scratch", destination="/scratch", subpath="a/b"),
        BindMount.make(source="/srv/k2p-sp/v1", destination="/h", relabel=c.mounts[3].relabel),
    ]
    made = [hp for hp in plan.host_paths if hp.path == "/srv/k2p-sp/v1"]
    assert made == [HostPath.make(path="/srv/k2p-sp/v1", source=made[0].source, expect="any", create=True)]


@pytest.mark.parametrize("mount, message, column", [
    ("{name: d, mountPath: /x, subPathExpr: 'a/$(SECRET)'}", "subPathExpr refers to $(SECRET), which has no value", 45),
    ("{name: d, mountPath: /x, subPathExpr: '$(NOPE)/$(POD)'}", "subPathExpr refers to $(NOPE), which", 45),
    ("{name: d, mountPath: /x, subPathExpr: '$(POD)/../..'}", "subPathExpr must be relative", 45),
    ("{name: t, mountPath: /x, subPath: a}", "'t', which podman mounts only when a container starts", 41),
    ("{name: s, mountPath: /x, subPathExpr: '$(POD)'}", "subPathExpr 'p' is not a file of the secret volume", 45),
    ("{name: t, mountPath: /x, subPathExpr: '$(POD)'}", "'t', which podman mounts only when a container starts", 45),
    ("{name: dev, mountPath: /x, subPath: a}", "a device (hostPath /dev/null) has no sub-paths", 43),
    ("{name: d, mountPath: /x, subPath: a, subPathExpr: b}", "subPath and subPathExpr are mutually exclusive", 57),
])
def test_bad_sub_paths_are_positioned_errors(tmp_path, mount, message, column):
    errors = _all_errors(tmp_path, f"""\
apiVersion: v1
kind: Secret
metadata: {{name: s}}
stringData: {{k: v}}
---
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    env:
    - {{name: POD, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}
    - {{name: SECRET, valueFrom: {{secretKeyRef: {{name: s, key: k}}}}}}
    volumeMounts:
    - {mount}
  volumes:
  - {{name: d, persistentVolumeClaim: {{claimName: d}}}}
  - {{name: t, emptyDir: {{medium: Memory}}}}
  - {{name: s, secret: {{secretName: s}}}}
  - {{name: dev, hostPath: {{path: /dev/null, type: CharDevice}}}}
""")
    assert any(message in e and f":17:{column}:" in e for e in errors), errors


def test_secret_sub_path_expr_mounts_the_one_key(tmp_path):
    result = translate_text(tmp_path, """\
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {p: v}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
    volumeMounts: [{name: s, mountPath: /etc/pw, subPathExpr: "$(POD)"}]
  volumes: [{name: s, secret: {secretName: s}}]
""")
    assert not _errors(result)
    (f,) = result.plan.pods[0].containers[0].secret_files
    assert f.target == "/etc/pw"


def test_the_native_version_is_the_data_of_every_output():
    assert SUBPATH.first_version("rest") == Version(4, 4)
    assert SUBPATH.first_version("cli") == SUBPATH.first_version("quadlet") == Version(5, 4)
    assert NATIVE_SUBPATH == Version(5, 4)


@pytest.mark.parametrize("version", TARGETS_EMULATED)
def test_before_5_4_a_sub_path_is_a_bind_of_the_volume_directory(plan, version):
    node = build(plan, version).containers["sp-c"]
    words = [a for a in argv.container_create(node) if a.startswith("--mount=")]
    assert words[:3] == [
        f"--mount=type=bind,source={MARK}sp-conf{MARK}/app.conf,destination=/etc/app/app.conf,ro=true",
        f"--mount=type=bind,source={MARK}sp-data{MARK}/logs/team/sp,destination=/var/log/app",
        f"--mount=type=bind,source={MARK}sp-scratch{MARK}/a/b,destination=/scratch"]
    with pytest.raises(ValueError, match="mountpoint of volume sp-conf is not known"):
        rest.body(node)
    resolved = node.replace(mounts=with_mountpoints(node.mounts, lambda v: f"/var/lib/vol/{v}/_data"))
    body = rest.body(resolved)
    assert body.get("volumes", []) == []
    assert body["mounts"][:3] == [
        {"type": "bind", "source": "/var/lib/vol/sp-conf/_data/app.conf", "destination": "/etc/app/app.conf",
         "options": ["rbind", "ro"]},
        {"type": "bind", "source": "/var/lib/vol/sp-data/_data/logs/team/sp", "destination": "/var/log/app",
         "options": ["rbind"]},
        {"type": "bind", "source": "/var/lib/vol/sp-scratch/_data/a/b", "destination": "/scratch",
         "options": ["rbind"]}]


@pytest.mark.parametrize("version", TARGETS_NATIVE)
def test_from_5_4_a_sub_path_is_a_volume_mount(plan, version):
    node = build(plan, version).containers["sp-c"]
    words = [a for a in argv.container_create(node) if a.startswith("--mount=")]
    assert words[:3] == [
        "--mount=type=volume,source=sp-conf,destination=/etc/app/app.conf,subpath=app.conf,ro=true",
        "--mount=type=volume,source=sp-data,destination=/var/log/app,subpath=logs/team/sp",
        "--mount=type=volume,source=sp-scratch,destination=/scratch,subpath=a/b"]
    assert not any(isinstance(m, SubPathBind) for m in node.mounts)
    assert rest.body(node)["volumes"] == [
        {"Name": "sp-conf", "Dest": "/etc/app/app.conf", "Options": ["ro"], "SubPath": "app.conf"},
        {"Name": "sp-data", "Dest": "/var/log/app", "Options": [], "SubPath": "logs/team/sp"},
        {"Name": "sp-scratch", "Dest": "/scratch", "Options": [], "SubPath": "a/b"}]


def test_the_script_reads_the_mountpoints_and_makes_the_directories(plan):
    text = shell.render(plan, spec=build(plan, Version(4, 3)))
    assert "k2p_mp_2=$(podman volume inspect --format '{{.Mountpoint}}' sp-data)" in text
    assert ('[ -e "$k2p_mp_2"/logs/team/sp ] || mkdir -p "$k2p_mp_2"/logs/team/sp 2>/dev/null '
            '|| podman unshare mkdir -p "$k2p_mp_2"/logs/team/sp') in text
    assert "--mount=type=bind,source=\"$k2p_mp_2\"/logs/team/sp,destination=/var/log/app " in text
    assert "\0" not in text
    assert text.index("k2p_mp_1=") > text.index("chmod 0644")  # after the configMap files are written
    native = shell.render(plan, spec=build(plan, Version(5, 4)))
    assert "--mount=type=volume,source=sp-data,destination=/var/log/app,subpath=logs/team/sp " in native
    assert '[ -e "$k2p_mp_2"/logs/team/sp ]' in native  # podman needs the directory too


def test_the_script_word_passes_odd_sub_paths_exactly(tmp_path):
    """A sub-path with a space, quote and comma: the shell word the script writes, run by sh."""
    result = translate_text(tmp_path, """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    volumeMounts: [{name: d, mountPath: /x, subPath: "it's a,b"}]
  volumes: [{name: d, emptyDir: {}}]
""")
    text = shell.render(result.plan, spec=build(result.plan, Version(4, 3)))
    create = next(line for line in text.splitlines() if line.startswith("podman create"))
    out = subprocess.run(["sh", "-c", "podman() { printf '%s\\n' \"$@\"; }; k2p_mp_1=/v/d; " + create],
                         capture_output=True, text=True, check=True)
    assert '--mount=type=bind,"source=/v/d/it\'s a,b",destination=/x' in out.stdout.splitlines()


def test_quadlet_units_mount_natively_and_prepare_the_directory(plan):
    units = quadlet.render(plan, spec=build(plan, Version(5, 4)))
    unit = units["sp-c.container"]
    assert "Mount=type=volume,source=sp-data.volume,destination=/var/log/app,subpath=logs/team/sp" in unit
    pre = next(line for line in unit.splitlines() if line.startswith("ExecStartPre="))
    assert "podman volume inspect" in pre and "mkdir -p" in pre and "logs/team/sp" in pre


@pytest.mark.parametrize("version", [v for v in TARGETS_EMULATED if v >= Version(5, 0)])
def test_quadlet_units_refuse_a_sub_path_before_5_4(plan, version):
    """(Targets before 5.0 have no ``.pod`` units: tests/test_version_gates.py.)"""
    with pytest.raises(quadlet.Unsupported, match="subpath= from Podman 5.4"):
        quadlet.render(plan, spec=build(plan, version))
