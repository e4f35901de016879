"""Multus-style networks: NetworkAttachmentDefinitions become podman networks and the pod
annotation attaches pods to them, with static addresses, MAC and interface names. On a real
(isolated) Podman: a macvlan network on a veth parent the test makes, two pods with static IPs
that reach each other, through apply and through the script."""

from __future__ import annotations

import os
import subprocess

import pytest
from support.apply_cases import host_state
from support.k2p import run_cli, translate_text

from kube2pod.render import quadlet, rest
from kube2pod.spec import build
from kube2pod.translate import Options

NAD = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {{name: lan}}
spec:
  config: '{{"cniVersion": "0.3.1", "type": "macvlan", "master": "{parent}", "mode": "bridge", "ipam": {ipam}}}'
"""
IPAM = ('{"type": "host-local", "subnet": "10.77.0.0/24", "rangeStart": "10.77.0.16", "rangeEnd": "10.77.0.31", '
        '"gateway": "10.77.0.1"}')
PODS = """---
apiVersion: v1
kind: Pod
metadata:
  name: mva
  annotations:
    k8s.v1.cni.cncf.io/networks: '[{"name": "lan", "ips": ["10.77.0.20/24"], "mac": "02:42:0a:4d:00:14", "interface": "lan0"}]'
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'mkdir -p /tmp/w && echo hello-from-a > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w']
---
apiVersion: v1
kind: Pod
metadata:
  name: mvb
  annotations:
    k8s.v1.cni.cncf.io/networks: 'lan@lan1'
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sleep, "600"]
"""


def _manifest(parent="eth9", ipam=IPAM, pods=PODS) -> str:
    return NAD.format(parent=parent, ipam=ipam) + pods


# ---------------------------------------------------------------- the plan and every output

def test_a_definition_becomes_a_macvlan_network_and_the_annotation_attaches_pods(tmp_path):
    t = translate_text(tmp_path, _manifest(), Options(project="p"))
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    [lan] = [n for n in t.plan.networks if n.name == "p_default_lan"]
    assert (lan.driver, lan.subnet, lan.gateway, lan.ip_range, lan.options) == (
        "macvlan", "10.77.0.0/24", "10.77.0.1", "10.77.0.16/28", {"parent": "eth9", "mode": "bridge"})
    pods = {p.name: p for p in t.plan.pods}
    assert [(a.network, a.ips, a.mac, a.interface) for a in pods["mva"].networks] == [
        ("p_default", [], "", ""), ("p_default_lan", ["10.77.0.20"], "02:42:0a:4d:00:14", "lan0")]
    assert [(a.network, a.interface) for a in pods["mvb"].networks] == [("p_default", ""), ("p_default_lan", "lan1")]
    spec = build(t.plan)
    assert rest.body(spec.networks["p_default_lan"]) == {
        "name": "p_default_lan", "driver": "macvlan", "dns_enabled": True,
        "labels": {"io.kube2pod.managed": "true", "io.kube2pod.source": "NetworkAttachmentDefinition/default/lan"},
        "subnets": [{"subnet": "10.77.0.0/24", "gateway": "10.77.0.1",
                     "lease_range": {"start_ip": "10.77.0.17", "end_ip": "10.77.0.31"}}],
        "options": {"mode": "bridge"}, "network_interface": "eth9"}
    assert rest.body(spec.pods["mva"])["Networks"]["p_default_lan"] == {
        "static_ips": ["10.77.0.20"], "static_mac": "02:42:0a:4d:00:14", "interface_name": "lan0"}
    units = quadlet.render(t.plan)
    unit = units["p_default_lan.network"]
    for key in ("Driver=macvlan", "Subnet=10.77.0.0/24", "Gateway=10.77.0.1", "IPRange=10.77.0.16/28",
                "Options=parent=eth9", "Options=mode=bridge"):
        assert key in unit.splitlines(), (key, unit)
    assert ("Network=p_default_lan.network:ip=10.77.0.20,mac=02:42:0a:4d:00:14,interface_name=lan0"
            in units["mva.pod"].splitlines())


@pytest.mark.parametrize("config, message", [
    ('{"type": "ipvlan", "master": "eth0"}', "CNI type 'ipvlan' has no podman network driver"),
    ('{"type": "macvlan", "master": "eth0", "ipam": {"type": "dhcp"}}', "IPAM type 'dhcp' is not one Podman has"),
    ('{"type": "macvlan", "master": "eth0", "ipam": {"type": "whereabouts", "range": "10.1.0.0/24"}}',
     "IPAM type 'whereabouts' is not one Podman has"),
    ('{"type": "macvlan", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24"}}', "needs master"),
    ('{"type": "macvlan", "master": "eth0", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24", '
     '"rangeStart": "10.1.0.10", "rangeEnd": "10.1.0.20"}}', "is not one CIDR block"),
    ('{"type": "macvlan", "master": "eth0", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24", '
     '"gateway": "10.2.0.1"}}', "outside the subnet"),
    ("{not json", "spec.config is not valid JSON"),
])
def test_a_configuration_podman_cannot_make_is_a_positioned_error(tmp_path, config, message):
    f = tmp_path / "nad.yaml"
    f.write_text("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: x}\n"
                 f"spec:\n  config: '{config}'\n")
    code, _, err = run_cli("validate", str(f))
    assert code == 2 and f"{f}:5:11: error: spec.config: " in err and message in err, err


@pytest.mark.parametrize("annotation, message", [
    ("nope", "no NetworkAttachmentDefinition nope in namespace default"),
    ('[{"name": "lan", "ips": ["10.9.0.5/24"]}]', "10.9.0.5 is outside the subnet 10.77.0.0/24"),
    ('[{"name": "lan", "ips": "10.77.0.5"}]', "ips of lan must be a list"),
    ("[1, 2]", "the JSON form is a list of objects with a name"),
])
def test_a_bad_annotation_is_an_error_at_it(tmp_path, annotation, message):
    pod = ("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  annotations:\n"
           f"    k8s.v1.cni.cncf.io/networks: '{annotation}'\nspec:\n  containers: [{{name: c, image: img}}]\n")
    t = translate_text(tmp_path, _manifest(pods=pod), Options(project="p"))
    [e] = t.errors
    assert message in e.message and e.pos.line == 12, e.format()


def test_static_addresses_on_several_replicas_are_refused(tmp_path):
    deploy = """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 2
  selector: {matchLabels: {app: d}}
  template:
    metadata:
      labels: {app: d}
      annotations:
        k8s.v1.cni.cncf.io/networks: '[{"name": "lan", "ips": ["10.77.0.5/24"]}]'
    spec:
      containers: [{name: c, image: img}]
"""
    t = translate_text(tmp_path, _manifest(pods=deploy), Options(project="p"))
    [e] = t.errors
    assert "would be given to each of 2 replicas" in e.message and e.pos.line == 17


# ---------------------------------------------------------------- on a real Podman

@pytest.fixture
def parent():
    """A veth pair made for the test (the macvlan parent), removed afterwards."""
    name = f"k2p-mv{os.getpid() % 10000}"
    subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"], check=True)
    try:
        for link in (name, name + "p"):
            subprocess.run(["ip", "link", "set", link, "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "link", "del", name], check=False)


def _reach(podman_cli) -> None:
    addr = podman_cli("exec", "mva-web", "ip", "addr", "show", "lan0").stdout
    assert "inet 10.77.0.20/24" in addr and "link/ether 02:42:0a:4d:00:14" in addr, addr
    assert "lan1" in podman_cli("exec", "mvb-c", "ip", "addr", "show", "lan1").stdout
    got = podman_cli("exec", "mvb-c", "sh", "-c",
                     "for i in $(seq 50); do wget -qO- http://10.77.0.20:8080/ && exit 0; sleep 0.2; done; exit 1")
    assert got.stdout.strip() == "hello-from-a"


@pytest.mark.podman
def test_two_pods_with_static_addresses_reach_each_other_on_macvlan(parent, tmp_path, podman_url, podman_cli,
                                                                    podman_shell_env, podman_clean):
    # netavark's IPAM database is one for every rootful store (/run/containers/networks): a
    # network name of this session only, so that no static address is held by another's leftovers
    project = f"mv{os.getpid()}"
    manifest = tmp_path / f"{project}.yaml"
    manifest.write_text(_manifest(parent=parent))
    before = host_state(podman_cli)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    _reach(podman_cli)
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0 and f"network {project}_default_lan: removed" in err, err
    assert host_state(podman_cli) == before
    # the script makes the same
    code, script, err = run_cli("convert", str(manifest))
    assert code == 0, err
    run = subprocess.run(["sh", "-c", script], env=podman_shell_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    _reach(podman_cli)


@pytest.mark.podman
def test_a_run_that_fails_on_a_subnet_conflict_leaves_the_host_as_it_was(tmp_path, podman_url, podman_cli,
                                                                        podman_clean):
    subnet = f"10.78.{os.getpid() % 250}.0/24"  # concurrent test sessions use other subnets
    podman_cli("network", "create", "--subnet", subnet, "theirs")
    podman_cli("run", "-d", "--name", "their-c", "--network", "theirs", "localhost/busybox:latest", "sleep", "600")
    before = host_state(podman_cli)
    pod = ("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  annotations:\n"
           "    k8s.v1.cni.cncf.io/networks: lan\nspec:\n  terminationGracePeriodSeconds: 1\n"
           "  containers: [{name: c, image: localhost/busybox:latest, imagePullPolicy: Never, command: [sleep, '600']}]\n")
    manifest = tmp_path / f"clash{os.getpid()}.yaml"
    manifest.write_text(NAD.replace('"macvlan", "master": "{parent}", "mode": "bridge"', '"bridge"').format(
        ipam='{"type": "host-local", "subnet": "%s"}' % subnet) + pod)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 1 and f"creating network clash{os.getpid()}_default_lan" in err and "rolled back" in err, err
    assert host_state(podman_cli) == before
