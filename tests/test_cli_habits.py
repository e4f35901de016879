"""kubectl's and podman's spellings: each equal in effect to kube2pod's own."""

from __future__ import annotations

import json

import pytest
from support.k2p import run_cli

from kube2pod.apply import saved_connections
from kube2pod.apply.errors import ConnectionFailed
from kube2pod.load.selector import Selector, SelectorError

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s, labels: {app: %s}}\nspec:\n" \
      "  containers: [{name: c, image: 'localhost/busybox:latest', imagePullPolicy: Never, command: [sleep, '60']}]\n"
DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web, tier: fe}}\nspec:\n"
          "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
          "      containers: [{name: c, image: 'localhost/busybox:latest', imagePullPolicy: Never}]\n")


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(POD % ("a", "default", "a"))
    (tmp_path / "web.yaml").write_text(DEPLOY)
    (tmp_path / "sub" / "b.yaml").write_text(POD % ("b", "other", "b"))
    return tmp_path


def _out(*argv):
    code, out, err = run_cli(*argv)
    assert code == 0, err
    return out


def test_filename_equals_positional(tree):
    a, web = str(tree / "a.yaml"), str(tree / "web.yaml")
    assert _out("convert", "-f", a, "--filename", web) == _out("convert", a, web)
    assert _out("convert", "-f", str(tree), "-R") == _out("convert", str(tree))  # -R: the loader's walk
    assert _out("convert", "-f", str(tree)) == _out("convert", a, web)  # no -R: the directory's own files
    assert _out("validate", "-f", a, "-o", "json") == _out("validate", a, "-o", "json")


def test_no_input_and_empty_directory_are_usage_errors(tree):
    code, _, err = run_cli("convert")
    assert code == 2 and "no manifests" in err
    code, _, err = run_cli("convert", "-f", str(tree / "sub" / ".."), "-f", str(tree / "sub" / "none"))
    assert code == 2 and "Traceback" not in err
    (tree / "empty").mkdir()
    (tree / "empty" / "deep").mkdir()
    code, _, err = run_cli("apply", "-f", str(tree / "empty"))
    assert code == 2 and "has no .yaml, .yml, .json files (-R also reads its subdirectories)" in err


def test_namespace_and_selector_choose_objects(tree):
    every = ["-f", str(tree), "-R"]
    assert _out("convert", *every, "-o", "name") == "pod/a\npod/b\ndeployment.apps/web\n"
    assert _out("convert", *every, "-n", "other", "-o", "name") == "pod/b\n"
    assert _out("convert", *every, "-n", "default", "-o", "name") == "pod/a\ndeployment.apps/web\n"
    assert _out("convert", *every, "-l", "app in (a,b)", "-o", "name") == "pod/a\npod/b\n"
    assert _out("convert", *every, "-l", "tier", "-o", "name") == "deployment.apps/web\n"
    assert _out("convert", *every, "-l", "!tier,app!=b", "-o", "name") == "pod/a\n"
    assert _out("validate", *every, "-l", "app==web", "-o", "name") == "deployment.apps/web\n"
    # the chosen objects are what convert translates
    assert _out("convert", *every, "-l", "app=a", "--project", "p") == _out("convert", str(tree / "a.yaml"), "--project", "p")
    code, _, err = run_cli("convert", *every, "-l", "app in (a")
    assert code == 2 and "invalid selector" in err and "Traceback" not in err


@pytest.mark.parametrize("text, labels, expected", [
    ("app=web", {"app": "web"}, True), ("app==web", {"app": "db"}, False), ("app!=web", {}, True),
    ("app in (a, b)", {"app": "b"}, True), ("app notin (a,b)", {"app": "b"}, False), ("app notin (a)", {}, True),
    ("app", {"app": ""}, True), ("!app", {"app": "x"}, False), ("app=a,tier", {"app": "a"}, False),
])
def test_selector_forms(text, labels, expected):
    assert Selector(text).matches(labels) is expected


@pytest.mark.parametrize("text", ["=x", "a in ()", "a,,b", "a in (x", "a b"])
def test_selector_errors(text):
    with pytest.raises(SelectorError):
        Selector(text)


def test_dry_run_client_is_convert(tree):
    a = str(tree / "a.yaml")
    assert _out("apply", "--dry-run=client", a) == _out("convert", a)
    assert _out("apply", "--dry-run=client", "--no-start", a) == _out("convert", "--no-start", a)
    assert json.loads(_out("apply", "--dry-run=client", "-o", "json", a)) == json.loads(_out("convert", "-o", "json", a))
    assert _out("apply", "--dry-run=client", "-o", "name", "-f", a) == "pod/a\n"
    code, _, err = run_cli("apply", "--dry-run=bogus", a)
    assert code == 2 and "--dry-run" in err


def test_dry_run_spellings_parse_as_today():
    from kube2pod.cli import build_parser

    parse = build_parser("apply").parse_args
    assert parse(["apply", "--dry-run", "a.yaml"]).dry_run == parse(["apply", "--dry-run=server", "a.yaml"]).dry_run
    assert parse(["apply", "--dry-run=none", "a.yaml"]).dry_run is None is parse(["apply", "a.yaml"]).dry_run


@pytest.mark.podman
def test_dry_run_server_equals_dry_run(tree, podman_url, podman_clean):
    a = str(tree / "a.yaml")
    old = run_cli("apply", "--dry-run", "--url", podman_url, "-o", "json", a)
    new = run_cli("apply", "--dry-run=server", "--url", podman_url, "-o", "json", "-f", a)
    strip = lambda o: [{k: v for k, v in json.loads(l).items() if k not in ("elapsed", "time")}  # noqa: E731
                       for l in o[1].splitlines()]
    assert old[0] == new[0] == 0 and strip(old) == strip(new)


# --- podman's --connection -------------------------------------------------------------------

def _env(tmp_path, json_text=None, conf_text=None):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    if json_text is not None:
        (tmp_path / "conns.json").write_text(json_text)
        env["PODMAN_CONNECTIONS_CONF"] = str(tmp_path / "conns.json")
    else:
        env["PODMAN_CONNECTIONS_CONF"] = str(tmp_path / "missing.json")
    if conf_text is not None:
        (tmp_path / "containers.conf").write_text(conf_text)
        env["CONTAINERS_CONF"] = str(tmp_path / "containers.conf")
    return env


def test_connection_from_podman5_json_and_podman4_conf(tmp_path):
    env = _env(tmp_path, json.dumps({"Connection": {"Default": "box", "Connections": {
        "box": {"URI": "ssh://core@10.0.0.5:2222/run/user/1000/podman/podman.sock",
                "Identity": "/home/me/.ssh/id_ed25519", "IsMachine": False}}}}),
        '[engine]\nactive_service = "old"\n[engine.service_destinations]\n'
        '[engine.service_destinations.old]\nuri = "ssh://root@host/run/podman/podman.sock"\nidentity = "/k"\n')
    assert saved_connections.lookup("box", env) == saved_connections.Destination(
        "box", "ssh://core@10.0.0.5:2222/run/user/1000/podman/podman.sock", "/home/me/.ssh/id_ed25519")
    assert saved_connections.lookup("old", env) == saved_connections.Destination("old", "ssh://root@host/run/podman/podman.sock", "/k")
    with pytest.raises(ConnectionFailed, match="no podman connection named 'nope'.*known: box, old"):
        saved_connections.lookup("nope", env)


def test_ssh_connection_makes_a_podman_py_client(tmp_path):
    """podman-py takes the ssh URL and identity as podman-remote does (no connection is made)."""
    from kube2pod.apply.connection import _client
    from kube2pod.apply.exec_command import argv, service_url

    key = tmp_path / "id"
    key.write_text("")
    env = _env(tmp_path, conf_text=f'[engine.service_destinations.r]\nuri = "ssh://core@h:2222/run/p.sock"\n'
                                   f'identity = "{key}"\n')
    dest = saved_connections.lookup("r", env)
    client = _client(dest.url, dest.identity)
    assert service_url(client) == "ssh://core@h:2222/run/p.sock"
    assert argv(service_url(client), "x", ["ls"], identity=dest.identity)[:5] == [
        "podman", "--url", "ssh://core@h:2222/run/p.sock", "--identity", str(key)]


def test_unknown_connection_is_a_usage_error(tmp_path, monkeypatch):
    for k, v in _env(tmp_path, conf_text="").items():
        monkeypatch.setenv(k, v)
    code, _, err = run_cli("diff", "--connection", "nope", "a.yaml")
    assert code == 2 and "no podman connection named 'nope'" in err and "Traceback" not in err
    code, _, err = run_cli("diff", "--connection", "x", "--url", "unix:///x", "a.yaml")
    assert code == 2 and "not both" in err


@pytest.mark.podman
def test_connection_reaches_the_isolated_podman(tmp_path, tree, monkeypatch, podman_url, podman_clean):
    for k, v in _env(tmp_path, json.dumps({"Connection": {"Connections": {"t": {"URI": podman_url}}}})).items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("CONTAINER_HOST", raising=False)
    a = str(tree / "a.yaml")
    by_url = run_cli("diff", "--url", podman_url, a)
    by_name = run_cli("diff", "--connection", "t", a)
    assert by_url[0] == by_name[0] == 0 and by_url[2] == by_name[2]
    monkeypatch.setenv("CONTAINER_CONNECTION", "t")
    assert run_cli("diff", a)[2] == by_url[2]
