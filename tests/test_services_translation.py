"""Services, the project network and cluster DNS in the plan and in every output (no Podman):
aliases or a proxy pod per Service, headless and StatefulSet names, the Service variables,
dnsPolicy, --network, and the positioned warnings for what one host cannot give."""

from __future__ import annotations

import pytest
from support.k2p import run_cli, translate_text

from kube2pod.render import argv, quadlet, rest, shell
from kube2pod.spec import build
from kube2pod.translate import OptionError, Options, check
from kube2pod.translate.network import network_name

BACKEND = """apiVersion: apps/v1
kind: Deployment
metadata: {name: be, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: be}}
  template:
    metadata: {labels: {app: be}}
    spec:
      containers:
      - name: web
        image: img
        ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
"""


def _service(spec: str, name: str = "svc", namespace: str = "shop") -> str:
    return f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec: {spec}\n"


def _plan(tmp_path, text, **options):
    t = translate_text(tmp_path, text, Options(project="p", proxy_image="proxy:1", **options))
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    return t


def _pods(t):
    return {p.name: p for p in t.plan.pods}


def test_equal_ports_are_aliases_on_every_selected_pod(tmp_path):
    t = _plan(tmp_path, BACKEND + _service("{selector: {app: be}, ports: [{port: 8080, targetPort: http}]}"))
    pods = _pods(t)
    assert set(pods) == {"be-pod-0", "be-pod-1"}  # no proxy
    for pod in pods.values():
        assert [(a.network, a.aliases) for a in pod.networks] == [
            ("p_shop", ["svc", "svc.shop", "svc.shop.svc", "svc.shop.svc.cluster.local"])]
        assert pod.dns_search == ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"]
        assert pod.dns_options == ["ndots:5"]
    assert [(n.name, n.shared, n.labels["io.kube2pod.managed"]) for n in t.plan.networks] == [("p_shop", False, "true")]


def test_a_remapped_port_gets_a_proxy_pod_that_picks_a_pod_per_connection(tmp_path):
    t = _plan(tmp_path, BACKEND + _service("{selector: {app: be}, ports: [{name: web, port: 80, targetPort: http}]}"))
    pods = _pods(t)
    proxy = pods["svc-service"]
    assert proxy.networks[0].aliases == ["svc", "svc.shop", "svc.shop.svc", "svc.shop.svc.cluster.local"]
    assert pods["be-pod-1"].networks[0].aliases == ["be-pod-1.shop.endpoints.kube2pod"]
    [c] = proxy.containers
    assert (c.name, c.image, c.restart_policy) == ("svc-service-web", "proxy:1", "always")
    assert c.entrypoint[:6] == ["nc", "-ll", "-p", "80", "-e", "sh"]
    assert "set -- be-pod-0.shop.endpoints.kube2pod.:8080 be-pod-1.shop.endpoints.kube2pod.:8080;" in c.entrypoint[7]
    assert proxy.labels["io.kube2pod.source"] == "Service/shop/svc" and proxy.ports == []


def test_node_port_and_load_balancer_are_published_by_the_proxy(tmp_path):
    t = _plan(tmp_path, BACKEND
              + _service("{type: NodePort, selector: {app: be}, ports: [{port: 8080, nodePort: 30080}]}", "np")
              + _service("{type: LoadBalancer, selector: {app: be}, ports: [{port: 9090, targetPort: 8080}]}", "lb"))
    pods = _pods(t)
    assert [(p.host_port, p.container_port) for p in pods["np-service"].ports] == [(30080, 8080)]
    assert [(p.host_port, p.container_port) for p in pods["lb-service"].ports] == [(9090, 9090)]


def test_headless_and_statefulset_names(tmp_path):
    sts = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: img}]
---
apiVersion: v1
kind: Pod
metadata: {name: one, labels: {app: other}}
spec:
  hostname: h
  subdomain: db
  containers: [{name: c, image: img}]
"""
    t = _plan(tmp_path, sts + _service("{clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}", "db", "default"))
    pods = _pods(t)
    assert pods["db-1"].networks[0].aliases == [
        "db", "db.default", "db.default.svc", "db.default.svc.cluster.local",
        "db-1.db", "db-1.db.default", "db-1.db.default.svc", "db-1.db.default.svc.cluster.local"]
    assert pods["one"].networks[0].aliases == ["h.db", "h.db.default", "h.db.default.svc",
                                               "h.db.default.svc.cluster.local"]
    env = {e.name for c in pods["one"].containers for e in c.env}
    assert not any(n.startswith("DB_") for n in env)  # headless: no variables


def test_service_variables_unless_disabled_and_the_containers_own_win(tmp_path):
    pod = """---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec:
  containers: [{name: c, image: img, env: [{name: SVC_SERVICE_PORT, value: mine}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: shop}
spec:
  enableServiceLinks: false
  containers: [{name: c, image: img}]
"""
    t = _plan(tmp_path, BACKEND + pod + _service(
        "{selector: {app: be}, ports: [{name: web, port: 80, targetPort: 8080}, {port: 53, protocol: UDP}]}"))
    env = {e.name: e.value for e in _pods(t)["client"].containers[0].env}
    host = "svc.shop.svc.cluster.local"
    assert env["SVC_SERVICE_HOST"] == host and env["SVC_SERVICE_PORT"] == "mine"
    assert env["SVC_SERVICE_PORT_WEB"] == "80" and env["SVC_PORT"] == f"tcp://{host}:80"
    assert (env["SVC_PORT_53_UDP"], env["SVC_PORT_53_UDP_PROTO"], env["SVC_PORT_53_UDP_PORT"],
            env["SVC_PORT_53_UDP_ADDR"]) == (f"udp://{host}:53", "udp", "53", host)
    assert [e.name for e in _pods(t)["quiet"].containers[0].env] == []


def test_dns_policy_decides_the_search_path(tmp_path):
    text = """apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  dnsPolicy: None
  dnsConfig: {nameservers: [192.0.2.1], searches: [x.test]}
  containers: [{name: c, image: img}]
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  dnsPolicy: Default
  containers: [{name: c, image: img}]
"""
    pods = _pods(_plan(tmp_path, text))
    assert (pods["a"].dns_search, pods["a"].dns_options) == (["x.test"], [])
    assert (pods["b"].dns_search, pods["b"].dns_options) == ([], [])
    assert pods["a"].networks[0].network == "p_default"


@pytest.mark.parametrize("mode", ["host", "none"])
def test_network_host_or_none_has_no_service_names(tmp_path, mode):
    t = translate_text(tmp_path, BACKEND + _service("{selector: {app: be}, ports: [{port: 8080}]}"),
                       Options(project="p", network=mode))
    assert {(p.network, tuple(p.networks)) for p in t.plan.pods} == {(mode, ())} and t.plan.networks == []
    [w] = [d for d in t.diagnostics if "Service/svc" in d.message]
    assert f"with --network {mode}" in w.message and w.pos.line == 15


def test_network_name_override_is_shared(tmp_path):
    t = _plan(tmp_path, BACKEND, network="lan")
    assert [(n.name, n.shared) for n in t.plan.networks] == [("lan", True)]
    script = shell.render(t.plan)
    assert "podman network exists lan || podman network create" in script


def test_warnings_for_what_one_host_cannot_give(tmp_path):
    t = translate_text(tmp_path, BACKEND
                       + _service("{type: ExternalName, externalName: db.example.com}", "ext")
                       + _service("{ports: [{port: 80}]}", "manual")
                       + _service("{selector: {app: be}, sessionAffinity: ClientIP, ports: [{port: 80, targetPort: x}]}",
                                  "sticky")
                       + _service("{selector: {app: be}, ports: [{port: 5353, targetPort: dns, protocol: UDP}]}", "udp"),
                       Options(project="p"))
    text = "\n".join(d.message for d in t.diagnostics)
    assert "Service/ext (ExternalName db.example.com) is not created: podman's DNS (aardvark-dns) has no CNAME" in text
    assert "Service/manual has no selector" in text
    assert "sessionAffinity ClientIP is not kept" in text
    assert "pod be-pod-0 has no container port named 'x'" in text
    assert "port 5353/udp is not forwarded: the proxy forwards TCP only" in text
    assert all(d.severity.value == "warning" for d in t.diagnostics)
    assert all(d.pos.file.endswith("m.yaml") and d.pos.line > 0 for d in t.diagnostics)


def test_network_names_and_bad_overrides():
    assert network_name("my app", "default") == "my-app_default"
    assert network_name("-x", "ns") == "x_ns"
    with pytest.raises(OptionError, match="--network 'a b'"):
        check(Options(network="a b"))


def test_cli_refuses_a_bad_network_name(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: img}]}\n")
    code, out, err = run_cli("convert", "--network", "bad name", str(f))
    assert (code, out) == (2, "") and "--network 'bad name'" in err and "Traceback" not in err


def test_every_output_carries_the_network(tmp_path):
    t = _plan(tmp_path, BACKEND + _service("{selector: {app: be}, ports: [{port: 8080}]}"))
    spec = build(t.plan)
    pod = spec.pods["be-pod-0"]
    alias = "p_shop:alias=svc,alias=svc.shop,alias=svc.shop.svc,alias=svc.shop.svc.cluster.local"
    assert f"--network={alias}" in argv.pod_create(pod)
    body = rest.body(pod)
    assert body["netns"] == {"nsmode": "bridge"}
    assert body["Networks"] == {"p_shop": {"aliases": ["svc", "svc.shop", "svc.shop.svc", "svc.shop.svc.cluster.local"]}}
    assert rest.body(spec.networks["p_shop"]) == {
        "name": "p_shop", "dns_enabled": True,
        "labels": {"io.kube2pod.managed": "true", "io.kube2pod.source": "Namespace/shop"}}
    units = quadlet.render(t.plan)
    assert f"Network=p_shop.network:{alias.partition(':')[2]}" in units["be-pod-0.pod"]
    assert "NetworkName=p_shop" in units["p_shop.network"]
    assert "k2p_mine network p_shop || podman network create" in shell.render(t.plan)


def test_two_pods_on_one_host_port_is_an_error(tmp_path):
    text = BACKEND + _service("{type: NodePort, selector: {app: be}, ports: [{port: 8080, nodePort: 30080}]}") + """---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: c, image: img, ports: [{containerPort: 80, hostPort: 30080}]}]
"""
    t = translate_text(tmp_path, text, Options(project="p"))
    [e] = t.errors
    assert "host port 30080/tcp of Service/svc is also published by Pod/p" in e.message and e.pos.line == 15


def test_the_proxy_image_comes_from_the_flag_else_the_environment(tmp_path, monkeypatch):
    f = tmp_path / "app.yaml"
    f.write_text(BACKEND + _service("{selector: {app: be}, ports: [{port: 80, targetPort: http}]}"))
    code, out, _ = run_cli("convert", str(f))
    assert code == 0 and " docker.io/library/busybox:1.36\n" in out
    monkeypatch.setenv("KUBE2POD_SERVICE_PROXY_IMAGE", "localhost/env-proxy:1")
    code, out, _ = run_cli("convert", str(f))
    assert code == 0 and " localhost/env-proxy:1\n" in out
    code, out, _ = run_cli("convert", "--service-proxy-image", "localhost/flag-proxy:2", str(f))
    assert code == 0 and " localhost/flag-proxy:2\n" in out and "env-proxy" not in out
