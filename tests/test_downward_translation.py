"""The downward API and what real manifests use: fieldRef values (host facts too), downwardAPI and
projected volumes, fsGroup, hostNetwork's hostname, grpc probes — translation, script and apply forms."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import uuid

from support.k2p import translate_text
from support.quadlet import generate, systemd_words

from kube2pod.apply import host_env
from kube2pod.render import argv, quadlet, rest, shell
from kube2pod.spec import container_spec, pod_spec
from kube2pod.translate import Options
from kube2pod.translate.fieldref import format_map, go_quote, pod_uid
from kube2pod.translate.podip import subnet_of


def _errors(result) -> list[str]:
    return [d.format() for d in result.diagnostics if d.severity.value == "error"]


def _warnings(result) -> list[str]:
    return [d.format() for d in result.diagnostics if d.severity.value == "warning"]


def _pod(spec: str, meta: str = "{name: p}") -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata: {meta}\nspec:\n{spec}"


ENV_POD = _pod("""\
  hostNetwork: true
  serviceAccountName: robot
  containers:
  - name: c
    image: localhost/busybox:latest
    args: ["--node=$(NODE)", "--ns=$(NS)"]
    env:
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
    - {name: ZONE, valueFrom: {fieldRef: {fieldPath: "metadata.labels['zone']"}}}
    - {name: NOTE, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['note']"}}}
""", "{name: p, namespace: shop, labels: {zone: z1}, annotations: {note: hi}}")


def test_field_refs_known_from_the_manifest_are_plain_env(tmp_path):
    result = translate_text(tmp_path, ENV_POD)
    c = result.plan.pods[0].containers[0]
    env = {e.name: e.value for e in c.env}
    assert env == {"NS": "shop", "UID": pod_uid("shop", "p"), "SA": "robot", "ZONE": "z1", "NOTE": "hi"}
    assert uuid.UUID(env["UID"]).version == 5
    assert pod_uid("shop", "p") != pod_uid("shop", "q") != pod_uid("other", "p")


def test_host_field_refs_are_host_facts_and_not_expanded(tmp_path):
    result = translate_text(tmp_path, ENV_POD)
    c = result.plan.pods[0].containers[0]
    assert [(h.name, h.fact) for h in c.host_env] == [("NODE", "node-name"), ("HOST_IP", "host-ip"),
                                                      ("POD_IP", "host-ip")]
    assert c.command == ["--node=$(NODE)", "--ns=shop"]
    assert any("$(NODE) is not expanded" in w and ":10:" in w for w in _warnings(result)), _warnings(result)


def test_host_facts_in_the_script_are_read_when_it_runs(tmp_path):
    result = translate_text(tmp_path, ENV_POD)
    text = shell.render(result.plan)
    assert "k2p_node_name=$(hostname | tr '[:upper:]' '[:lower:]')" in text
    assert "k2p_host_ip=$(ip -o route get 1.0.0.0" in text
    create = next(line for line in text.splitlines() if line.startswith("podman create"))
    assert '--env=NODE="$k2p_node_name"' in create and '--env=POD_IP="$k2p_host_ip"' in create


def test_host_facts_in_apply(tmp_path):
    result = translate_text(tmp_path, ENV_POD)
    pod = result.plan.pods[0]
    cspec = container_spec(pod, pod.containers[0])
    assert "NODE" not in rest.body(cspec)["env"]  # apply adds it (apply/host_env.py)
    values = host_env.values(cspec.host_env)
    assert values["NODE"] == socket.gethostname().lower()
    assert values["HOST_IP"] == values["POD_IP"] and values["HOST_IP"].count(".") == 3


def test_host_facts_in_units_are_written_before_each_start(tmp_path, quadlet_bin):
    """Podman 5's Quadlet turns the unit into ``--env-file %t/kube2pod/p-c.env``; the service's
    ExecStartPre, run by sh as systemd would, writes that file with the host's values."""
    result = translate_text(tmp_path, ENV_POD)
    units = quadlet.render(result.plan)
    assert "EnvironmentFile=%t/kube2pod/p-c.env" in units["p-c.container"].splitlines()
    service = generate(quadlet_bin, units, tmp_path)["p-c.service"]
    start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert "--env-file %t/kube2pod/p-c.env" in start
    pre = next(line for line in service.splitlines() if line.startswith("ExecStartPre=/bin/sh"))
    words = [w.replace("%t", str(tmp_path / "run")) for w in systemd_words(pre.removeprefix("ExecStartPre="))]
    subprocess.run(words, check=True, timeout=30)
    written = (tmp_path / "run" / "kube2pod" / "p-c.env").read_text().splitlines()
    pod = result.plan.pods[0]
    expected = host_env.values(container_spec(pod, pod.containers[0]).host_env)
    assert written == [f"{k}={v}" for k, v in expected.items()]


POD_IP_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: localhost/busybox:latest
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
---
apiVersion: v1
kind: Pod
metadata: {name: other}
spec:
  containers:
  - {name: c, image: localhost/busybox:latest}
"""


def test_pod_ip_is_a_static_address_on_the_project_network(tmp_path):
    result = translate_text(tmp_path, POD_IP_DEPLOYMENT, Options(project="shop"))
    assert not _errors(result)
    net = next(n for n in result.plan.networks if n.name == "shop_default")
    subnet = ipaddress.ip_network(net.subnet)
    assert subnet == subnet_of("shop_default") and subnet.subnet_of(ipaddress.ip_network("10.90.0.0/15"))
    assert net.ip_range == str(ipaddress.ip_network((int(subnet.network_address) + 128, 25)))
    addresses = []
    for pod in result.plan.pods:
        c = pod.containers[0]
        if pod.name == "other":
            assert pod.networks[0].ips == [] and not c.host_env
            continue
        ip = pod.networks[0].ips[0]
        assert {e.name: e.value for e in c.env}["POD_IP"] == ip and not c.host_env
        assert 2 <= int(ipaddress.ip_address(ip)) - int(subnet.network_address) < 128  # outside netavark's range
        addresses.append(ip)
    assert len(set(addresses)) == 3
    again = translate_text(tmp_path, POD_IP_DEPLOYMENT, Options(project="shop"))
    assert again.plan == result.plan  # the same input, the same addresses


def test_pod_ip_is_expanded_in_args(tmp_path):
    text = POD_IP_DEPLOYMENT.replace("        env:\n", "        args: [\"--bind=$(POD_IP):80\", \"$$(POD_IP)\"]\n        env:\n", 1)
    result = translate_text(tmp_path, text, Options(project="shop"))
    assert not _warnings(result)
    pod = result.plan.pods[0]
    assert pod.containers[0].command == [f"--bind={pod.networks[0].ips[0]}:80", "$(POD_IP)"]


def test_pod_ip_with_a_network_override(tmp_path):
    result = translate_text(tmp_path, POD_IP_DEPLOYMENT, Options(network="theirs"))
    errors = _errors(result)
    assert len(errors) == 1 and ":14:" in errors[0] and "status.podIP is not known with --network theirs" in errors[0]
    result = translate_text(tmp_path, POD_IP_DEPLOYMENT, Options(network="host"))
    assert not _errors(result)
    assert {h.fact for p in result.plan.pods for c in p.containers for h in c.host_env} == {"host-ip"}


def test_unknown_field_ref_lists_the_supported_ones(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  containers:
  - name: c
    image: localhost/busybox:latest
    env:
    - {name: X, valueFrom: {fieldRef: {fieldPath: status.phase}}}
"""))
    errors = _errors(result)
    assert len(errors) == 1 and "'status.phase' is not supported" in errors[0] and "spec.nodeName" in errors[0]


def test_go_quote_and_format_map_follow_the_kubelet():
    assert go_quote('a"b\\c\n\x01é') == '"a\\"b\\\\c\\n\\x01é"'
    assert format_map({"b": "2", "a": "x y"}) == 'a="x y"\nb="2"'


VOLUMES = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {config: hello, other: x}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {username: admin}
---
""" + _pod("""\
  containers:
  - name: c
    image: localhost/busybox:latest
    resources: {limits: {cpu: 250m, memory: 64Mi}}
    volumeMounts:
    - {name: info, mountPath: /etc/podinfo}
    - {name: all, mountPath: /etc/all, readOnly: true}
  volumes:
  - name: info
    downwardAPI:
      defaultMode: 0440
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - {path: sub/cpu, resourceFieldRef: {containerName: c, resource: limits.cpu, divisor: 1m}, mode: 0400}
  - name: all
    projected:
      defaultMode: 0444
      sources:
      - secret: {name: sec, items: [{key: username, path: my-group/my-username, mode: 0400}]}
      - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
      - configMap: {name: cfg, items: [{key: config, path: my-group/my-config}]}
""", "{name: p, labels: {zone: z1, app: web}, annotations: {note: 'say \"hi\"'}}")


def test_downward_api_volume_files(tmp_path):
    result = translate_text(tmp_path, VOLUMES)
    assert not _errors(result)
    vol = next(v for v in result.plan.volumes if v.name == "p-info")
    files = {f.path: (f.text, f.mode) for f in vol.files}
    assert files == {"labels": ('app="web"\nzone="z1"', 0o440), "annotations": ('note="say \\"hi\\""', 0o440),
                     "sub/cpu": ("250", 0o400)}
    assert vol.lifetime == "pod"


def test_projected_volume_files_and_secret_keys(tmp_path):
    result = translate_text(tmp_path, VOLUMES)
    vol = next(v for v in result.plan.volumes if v.name == "p-all")
    files = {f.path: (f.text, f.mode) for f in vol.files}
    assert files == {"name": ("p", 0o444), "my-group/my-config": ("hello", 0o444),
                     "my-group/my-username": ("", 0o400)}  # the empty file marks the secret's mount point
    c = result.plan.pods[0].containers[0]
    assert [(f.secret, f.target, f.mode) for f in c.secret_files] == [
        ("sec-username", "/etc/all/my-group/my-username", 0o400)]
    mounts = {m.destination: (m.volume, m.read_only) for m in c.mounts}
    assert mounts == {"/etc/podinfo": ("p-info", False), "/etc/all": ("p-all", True)}
    assert "admin" not in shell.render(result.plan)  # the value stays in podman's secret store


def test_service_account_token_is_refused_with_the_reason(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  containers:
  - {name: c, image: localhost/busybox:latest, volumeMounts: [{name: t, mountPath: /var/run/token}]}
  volumes:
  - name: t
    projected:
      sources:
      - serviceAccountToken: {path: token, expirationSeconds: 3600}
"""))
    errors = _errors(result)
    assert len(errors) == 1 and ":11:9:" in errors[0], errors
    assert "serviceAccountToken source is not supported" in errors[0]
    assert "Kubernetes API server, and there is none on one host" in errors[0]
    assert not result.plan.volumes


def test_downward_volume_refuses_host_fields_and_clashing_paths(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  containers:
  - {name: c, image: localhost/busybox:latest, volumeMounts: [{name: i, mountPath: /i}]}
  volumes:
  - name: i
    downwardAPI:
      items:
      - {path: node, fieldRef: {fieldPath: spec.nodeName}}
"""))
    assert len(_errors(result)) == 1 and "only metadata fields in volumes" in _errors(result)[0]
    result = translate_text(tmp_path, _pod("""\
  containers:
  - {name: c, image: localhost/busybox:latest, volumeMounts: [{name: i, mountPath: /i}]}
  volumes:
  - name: i
    projected:
      sources:
      - downwardAPI: {items: [{path: a, fieldRef: {fieldPath: metadata.name}}]}
      - downwardAPI: {items: [{path: a/b, fieldRef: {fieldPath: metadata.name}}]}
"""))
    assert len(_errors(result)) == 1 and "written by two items" in _errors(result)[0]


def test_fs_group_is_a_supplementary_group_of_every_container(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  securityContext: {fsGroup: 2000, supplementalGroups: [3000, 2000]}
  initContainers:
  - {name: i, image: localhost/busybox:latest}
  containers:
  - {name: c, image: localhost/busybox:latest, volumeMounts: [{name: d, mountPath: /d}]}
  volumes:
  - {name: d, emptyDir: {}}
"""))
    pod = result.plan.pods[0]
    assert [c.group_add for c in [*pod.init_containers, *pod.containers]] == [["3000", "2000"]] * 2
    assert "--group-add=2000" in argv.container_create(container_spec(pod, pod.containers[0]))
    warnings = _warnings(result)
    assert len(warnings) == 1 and "fsGroup 2000 is added to every container's groups" in warnings[0]
    assert "emptyDir" in warnings[0] and ":5:" in warnings[0]


def test_fs_group_without_writable_volumes_is_quiet(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  securityContext: {fsGroup: 2000}
  containers:
  - {name: c, image: localhost/busybox:latest}
"""))
    assert not result.diagnostics
    assert result.plan.pods[0].containers[0].group_add == ["2000"]


def test_host_network_pod_has_the_hosts_uts_namespace(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  hostNetwork: true
  hostname: ignored
  containers:
  - {name: c, image: localhost/busybox:latest}
"""))
    pod = result.plan.pods[0]
    assert pod.uts == "host" and pod.hostname == ""
    args = argv.pod_create(pod_spec(pod))
    assert "--uts=host" in args and not any(a.startswith("--hostname") for a in args)
    assert rest.body(pod_spec(pod))["utsns"] == {"nsmode": "host"}
    assert any("hostname is ignored" in w for w in _warnings(result))


def test_grpc_probe_is_refused_naming_what_is_missing(tmp_path):
    result = translate_text(tmp_path, _pod("""\
  containers:
  - name: c
    image: localhost/busybox:latest
    livenessProbe: {grpc: {port: 9555, service: health}}
"""))
    errors = _errors(result)
    assert len(errors) == 1 and ":8:" in errors[0]
    assert "Podman has no gRPC healthcheck" in errors[0]
    assert '["grpc_health_probe", "-addr=localhost:9555", "-service=health"]' in errors[0]


def test_two_namespaces_never_share_a_subnet(tmp_path):
    from kube2pod.translate import podip

    first = podip.subnet_of("a_x")
    assert podip.subnet_of("a_x", frozenset({first})) != first
    text = "\n---\n".join(_pod("""\
  containers:
  - name: c
    image: localhost/busybox:latest
    env: [{name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
""", f"{{name: p{i}, namespace: ns{i}}}") for i in range(12))
    result = translate_text(tmp_path, text)
    subnets = [n.subnet for n in result.plan.networks]
    assert len(subnets) == 12 and len(set(subnets)) == 12
