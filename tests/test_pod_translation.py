"""Pod-level and volume translation: namespaces, DNS, restart, init containers, annotations,
configMap/secret volumes, subPath, PVC annotations — and that the script and API agree."""

from __future__ import annotations

import pytest
from support.k2p import translate_text

from kube2pod.plan import BindMount
from kube2pod.render import argv, rest, shell
from kube2pod.spec import container_spec, pod_spec
from kube2pod.translate import Options


def _errors(result) -> list[str]:
    return [d.message for d in result.diagnostics if d.severity.value == "error"]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    example.com/a: "1"
    io.podman.annotations.init.container.type: always
    bind-mount-options: /srv/data:z
    container.seccomp.security.alpha.kubernetes.io/c: unconfined
spec:
  hostname: h
  hostIPC: true
  hostPID: true
  hostUsers: false
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 5
  hostAliases: [{ip: 10.0.0.1, hostnames: [a, b]}]
  dnsConfig: {nameservers: [192.0.2.1], searches: [x.test], options: [{name: ndots, value: "1"}, {name: rotate}]}
  securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: "1"}]}
  initContainers:
  - {name: init, image: "localhost/busybox:latest", volumeMounts: [{name: data, mountPath: /d}]}
  containers:
  - name: c
    image: "localhost/busybox:latest"
    volumeMounts:
    - {name: data, mountPath: /d}
    - {name: data, mountPath: /sub, subPath: inner}
  volumes:
  - {name: data, hostPath: {path: /srv/data}}
"""


def test_pod_settings_reach_pod_and_containers(tmp_path):
    result = translate_text(tmp_path, POD)
    assert not _errors(result)
    pod = result.plan.pods[0]
    assert (pod.hostname, pod.pid, pod.userns, pod.share) == ("h", "host", "auto", ["net", "uts", "pid"])
    assert pod.add_hosts == ["a:10.0.0.1", "b:10.0.0.1"]
    assert (pod.dns_servers, pod.dns_search, pod.dns_options) == (
        ["192.0.2.1"], ["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "x.test"], ["ndots:1", "rotate"])
    assert pod.sysctls == {"kernel.shm_rmid_forced": "1"}
    c, init = pod.containers[0], pod.init_containers[0]
    assert (c.restart_policy, c.stop_timeout, c.ipc, c.init_type) == ("on-failure", 5, "host", "")
    assert (init.name, init.restart_policy, init.init_type) == ("p-init", "no", "always")
    assert c.annotations["example.com/a"] == "1" and init.annotations["example.com/a"] == "1"
    assert c.seccomp_profile == "unconfined" and init.seccomp_profile == ""
    binds = [m for m in c.mounts if isinstance(m, BindMount)]
    assert [(m.source, m.relabel) for m in binds] == [("/srv/data", "z"), ("/srv/data/inner", "z")]
    assert any(hp.path == "/srv/data/inner" and hp.create for hp in result.plan.host_paths)
    assert pod.stop_timeout == 5


def test_script_and_api_carry_the_same_pod_settings(tmp_path):
    pod = translate_text(tmp_path, POD).plan.pods[0]
    args = argv.pod_create(pod_spec(pod))
    body = rest.body(pod_spec(pod))
    assert "--share=net,uts,pid" in args and body["shared_namespaces"] == ["net", "uts", "pid"]
    assert "--pid=host" in args and body["pidns"] == {"nsmode": "host"}
    assert "--userns=auto" in args and body["userns"] == {"nsmode": "auto"}
    assert [a for a in args if a.startswith("--add-host=")] == [f"--add-host={h}" for h in body["hostadd"]]
    assert [a for a in args if a.startswith("--dns-option=")] == [f"--dns-option={o}" for o in body["dns_option"]]
    assert "--sysctl=kernel.shm_rmid_forced=1" in args and body["sysctl"] == {"kernel.shm_rmid_forced": "1"}
    c = pod.containers[0]
    cargs = argv.container_create(container_spec(pod, c))
    cbody = rest.body(container_spec(pod, c))
    assert "--restart=on-failure" in cargs and cbody["restart_policy"] == "on-failure"
    assert "--stop-timeout=5" in cargs and cbody["stop_timeout"] == 5
    assert "--ipc=host" in cargs and cbody["ipcns"] == {"nsmode": "host"}
    assert "--security-opt=seccomp=unconfined" in cargs and cbody["seccomp_profile_path"] == "unconfined"
    init = pod.init_containers[0]
    assert "--init-ctr=always" in argv.container_create(container_spec(pod, init))
    assert rest.body(container_spec(pod, init))["init_container_type"] == "always"
    script = shell.render(translate_text(tmp_path, POD).plan)
    assert script.index("--name=p-init") < script.index("--name=p-c ")


def test_host_network_publishes_nothing_and_refuses_net_sysctls(tmp_path):
    result = translate_text(tmp_path, """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  securityContext: {sysctls: [{name: net.ipv4.ip_forward, value: "1"}]}
  containers:
  - {name: c, image: "localhost/busybox:latest", ports: [{containerPort: 80, hostPort: 8080}]}
""")
    assert any("net.ipv4.ip_forward cannot be set with hostNetwork" in e for e in _errors(result))
    assert result.plan.pods[0].network == "host" and result.plan.pods[0].ports == []


CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a.conf: "x=1\\n", b: two}
binaryData: {bin: AAEC}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {pw: aHVudGVyMg==}
stringData: {user: admin, empty: ""}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: "localhost/busybox:latest"
    volumeMounts:
    - {name: all, mountPath: /all}
    - {name: some, mountPath: /some}
    - {name: sec, mountPath: /sec}
    - {name: sec, mountPath: /etc/pw, subPath: pw}
  volumes:
  - {name: all, configMap: {name: cfg}}
  - {name: some, configMap: {name: cfg, defaultMode: 0400, items: [{key: a.conf, path: d/a.conf, mode: 0600}, {key: b, path: b}]}}
  - {name: sec, secret: {secretName: s, defaultMode: 0440}}
"""


def test_config_map_and_secret_volumes(tmp_path):
    result = translate_text(tmp_path, CONFIG)
    assert not _errors(result)
    vols = {v.name: v for v in result.plan.volumes}
    every = {f.path: (f.text, f.base64, f.mode) for f in vols["p-all"].files}
    assert every == {"a.conf": ("x=1\n", None, 0o644), "b": ("two", None, 0o644), "bin": (None, "AAEC", 0o644)}
    some = {f.path: (f.text, f.mode) for f in vols["p-some"].files}
    assert some == {"d/a.conf": ("x=1\n", 0o600), "b": ("two", 0o400)}
    c = result.plan.pods[0].containers[0]
    files = {(f.secret, f.target, f.mode) for f in c.secret_files}
    assert files == {("s-pw", "/sec/pw", 0o440), ("s-user", "/sec/user", 0o440), ("s-pw", "/etc/pw", 0o440)}
    assert any("key 'empty' is empty" in d.message for d in result.diagnostics)
    assert "hunter2" not in shell.render(result.plan) and "admin" not in shell.render(result.plan)
    secrets = rest.body(container_spec(result.plan.pods[0], c))["secrets"]
    assert {"Source": "s-pw", "Target": "/etc/pw", "Mode": 0o440} in secrets
    assert "--secret=s-pw,type=mount,target=/etc/pw,mode=0440" in argv.container_create(container_spec(result.plan.pods[0], c))


def test_volume_files_script_writes_exact_bytes(tmp_path):
    """The script's file-writing lines, run by sh against a directory, produce the plan's files."""
    import subprocess

    vol = {v.name: v for v in translate_text(tmp_path, CONFIG).plan.volumes}["p-some"]
    from kube2pod.render import volume_script

    lines = volume_script.commands(vol, owner_checked=True)[1:]  # without the podman volume inspect
    root = tmp_path / "vol"
    root.mkdir()
    (root / "stale").write_text("old")
    subprocess.run(["sh", "-euc", f"k2p_dir={root}\n" + "\n".join(lines)], check=True)
    assert not (root / "stale").exists()
    assert (root / "d" / "a.conf").read_text() == "x=1\n" and (root / "b").read_text() == "two"
    assert (root / "d" / "a.conf").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("mount, message", [
    ("{name: m, mountPath: /x, subPath: a}", "which podman mounts only when a container starts"),
    ("{name: e, mountPath: /x, subPathExpr: $(A)}", "subPathExpr refers to $(A)"),
    ("{name: e, mountPath: /x, subPathExpr: /abs}", "subPathExpr must be relative"),
    ("{name: h, mountPath: /x, subPath: ../up}", "subPath must be relative"),
])
def test_unsupported_sub_paths_are_refused(tmp_path, mount, message):
    result = translate_text(tmp_path, f"""\
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
  - {{name: c, image: "localhost/busybox:latest", volumeMounts: [{mount}]}}
  volumes:
  - {{name: e, emptyDir: {{}}}}
  - {{name: m, emptyDir: {{medium: Memory}}}}
  - {{name: h, hostPath: {{path: /srv/h}}}}
""")
    assert any(message in e for e in _errors(result)), _errors(result)


def test_bad_annotations_are_positioned_errors(tmp_path):
    result = translate_text(tmp_path, """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    io.podman.annotations.init.container.type: sometimes
    seccomp.security.alpha.kubernetes.io/pod: strict
    bind-mount-options: relative:z
spec:
  initContainers:
  - {name: i, image: "localhost/busybox:latest", restartPolicy: Always}
  containers:
  - {name: c, image: "localhost/busybox:latest"}
""")
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    texts = " | ".join(d.message for d in errors)
    assert "must be once or always" in texts and "unknown seccomp profile" in texts
    assert "bind-mount-options must be" in texts and len(errors) == 3  # the sidecar is fine (tests/test_sidecars.py)
    assert all(d.pos is not None and d.pos.line > 1 for d in errors)


def test_pvc_annotations_become_volume_options(tmp_path):
    result = translate_text(tmp_path, """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  annotations:
    volume.podman.io/driver: local
    volume.podman.io/type: tmpfs
    volume.podman.io/device: tmpfs
    volume.podman.io/uid: "1000"
    volume.podman.io/mount-options: nr_blocks=8
    volume.podman.io/import-source: /x.tar
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: c, image: "localhost/busybox:latest", volumeMounts: [{name: d, mountPath: /d}]}
  volumes:
  - {name: d, persistentVolumeClaim: {claimName: data}}
""")
    vol = result.plan.volumes[0]
    assert vol.driver == "local"
    assert vol.options == {"type": "tmpfs", "device": "tmpfs", "o": "uid=1000,nr_blocks=8"}
    assert any("volume.podman.io/import-source is not interpreted" in d.message for d in result.diagnostics)


def test_an_unsupported_volume_is_reported_once(tmp_path):
    result = translate_text(tmp_path, """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: c, image: "localhost/busybox:latest", volumeMounts: [{name: info, mountPath: /info}]}
  volumes:
  - name: info
    nfs: {server: nfs.example.com, path: /export}
""")
    errors = _errors(result)
    assert len(errors) == 1 and "nfs volumes are not supported" in errors[0]


def test_publish_all_refuses_a_container_port_on_a_host_port_published_for_another(tmp_path):
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: a, image: "localhost/busybox:latest", ports: [{containerPort: 80, hostPort: 8080}]}
  - {name: b, image: "localhost/busybox:latest", ports: [{containerPort: 8080}, {containerPort: 80}]}
"""
    assert not _errors(translate_text(tmp_path, text))
    result = translate_text(tmp_path, text, Options(publish_all=True))
    assert [(d.pos.line, d.message) for d in result.errors] == [
        (7, "host port 8080/tcp is already published by this pod")]
