"""apply pulls from real registries on loopback (conftest ``registries``): every pull policy, the
TLS + htpasswd registry through imagePullSecrets, concurrent pulls, and the three failures (a
missing tag, refused credentials, a registry that is down) leaving the host unchanged."""

from __future__ import annotations

import base64
import json
import re

import pytest
from support.apply_cases import host_state, pod, write
from support.k2p import apply_cli, run_cli
from support.podman_env import free_port
from support.registry import PASSWORD, USER, build_image, push

pytestmark = pytest.mark.podman


def _events(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _image_events(out: str, image: str) -> list[str]:
    return [e["action"] for e in _events(out) if e.get("kind") == "image" and e.get("name") == image]


def _image_id(podman, image: str) -> str | None:
    proc = podman("image", "inspect", "--format", "{{.Id}}", image, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _forget(podman, *images: str) -> None:
    for image in images:
        podman("rmi", "-f", image, check=False)


def _pod(name: str, image: str, policy: str | None) -> str:
    text = pod(name, image=image, command="sleep 600", policy=policy or "IfNotPresent")
    return text if policy else text.replace("    imagePullPolicy: IfNotPresent\n", "")


def _apply(url: str, path) -> tuple[int, str, str]:
    return apply_cli(url, "-o", "json", path)


# ------------------------------------------------------------------------------------------ policies

@pytest.mark.parametrize("policy, present, pulls", [
    ("IfNotPresent", False, True),
    ("IfNotPresent", True, False),
    ("Always", True, True),
    ("Always", False, True),
    ("Never", True, False),
    (None, False, True),   # default for a tag other than latest: IfNotPresent
    (None, True, False),
], ids=["ifnotpresent-absent", "ifnotpresent-present", "always-present", "always-absent", "never-present",
        "default-tag-absent", "default-tag-present"])
def test_policy(tmp_path, podman, podman_url, podman_clean, registries, policy, present, pulls):
    image = registries.images["alpha"]
    _forget(podman, image)
    if present:
        podman("pull", "-q", image)
    manifest = write(tmp_path / "p.yaml", _pod("pol", image, policy))
    code, out, err = _apply(podman_url, manifest)
    assert code == 0, err
    assert ("pulled" in _image_events(out, image)) == pulls, out
    assert _image_id(podman, image) is not None
    assert podman("pod", "exists", "pol", check=False).returncode == 0


def test_default_for_latest_checks_the_registry(tmp_path, podman, podman_url, podman_clean, registries):
    """``:latest`` without a policy is Kubernetes' Always: the registry is asked even when present."""
    image = registries.images["beta"]
    podman("pull", "-q", image)
    manifest = write(tmp_path / "p.yaml", _pod("latest", image, None))
    code, out, err = _apply(podman_url, manifest)
    assert code == 0, err
    assert [a for a in _image_events(out, image) if a != "progress"] == ["pulling", "pulled"], out


def test_never_without_the_image_fails_before_anything(tmp_path, podman, podman_url, podman_clean, registries):
    image = registries.images["alpha"]
    _forget(podman, image)
    manifest = write(tmp_path / "p.yaml", _pod("never", image, "Never"))
    before = host_state(podman)
    code, _, err = _apply(podman_url, manifest)
    assert code == 1
    assert f"image {image} is not present and imagePullPolicy is Never" in err
    assert host_state(podman) == before
    assert _image_id(podman, image) is None


def test_always_fetches_a_moved_tag_ifnotpresent_keeps_the_local_one(tmp_path, podman, podman_url, podman_clean,
                                                                     registries):
    image = registries.plain.image("k2p/moving:v1")
    build_image(podman, "localhost/k2p-moving:one", "one-")
    push(podman, registries.plain, "localhost/k2p-moving:one", image)
    _forget(podman, image)
    podman("pull", "-q", image)
    old = _image_id(podman, image)
    build_image(podman, "localhost/k2p-moving:two", "two-")
    push(podman, registries.plain, "localhost/k2p-moving:two", image)
    new = _image_id(podman, "localhost/k2p-moving:two")
    _forget(podman, "localhost/k2p-moving:one", "localhost/k2p-moving:two")
    assert _image_id(podman, image) == old != new

    code, _, err = _apply(podman_url, write(tmp_path / "a.yaml", _pod("keep", image, "IfNotPresent")))
    assert code == 0, err
    assert _image_id(podman, image) == old
    code, _, err = _apply(podman_url, write(tmp_path / "b.yaml", _pod("fresh", image, "Always")))
    assert code == 0, err
    assert _image_id(podman, image) == new


# -------------------------------------------------------------------------------- concurrent pulls

def test_distinct_images_are_pulled_concurrently_before_any_pod(tmp_path, podman, podman_url, podman_clean,
                                                                 registries):
    keys = ["alpha", "beta", "gamma", "delta"]
    images = [registries.images[k] for k in keys]
    _forget(podman, *images)
    docs = [_pod(f"c{i}", image, "IfNotPresent") for i, image in enumerate(images)]
    docs.append(_pod("c9", images[0], "IfNotPresent"))  # the same image twice: pulled once
    code, out, err = _apply(podman_url, write(tmp_path / "four.yaml", *docs))
    assert code == 0, err
    events = _events(out)
    pulls = [(e["action"], e["name"]) for e in events if e.get("kind") == "image"]
    assert sorted(name for action, name in pulls if action == "pulling") == sorted(images)
    assert sorted(name for action, name in pulls if action == "pulled") == sorted(images)
    in_flight, most = 0, 0
    for action, _ in pulls:
        in_flight += {"pulling": 1, "pulled": -1}.get(action, 0)
        most = max(most, in_flight)
    assert 2 <= most <= 3, pulls
    first_pod = next(i for i, e in enumerate(events) if e.get("kind") in ("pod", "container"))
    last_pull = max(i for i, e in enumerate(events) if e.get("kind") == "image")
    assert last_pull < first_pod


def test_pull_progress_reports_layers_and_size(tmp_path, podman, podman_url, podman_clean, registries):
    """Podman's streamed report of each pull becomes ``progress`` events between ``pulling`` and
    ``pulled``: the image's own layer copied, and the pulled image's size from Podman."""
    image = registries.images["beta"]
    _forget(podman, image)
    code, out, err = _apply(podman_url, write(tmp_path / "p.yaml", _pod("prog", image, "Always")))
    assert code == 0, err
    events = [e for e in _events(out) if e.get("kind") == "image" and e.get("name") == image]
    actions = [e["action"] for e in events]
    assert actions[0] == "pulling" and actions[-1] == "pulled" and "progress" in actions, actions
    progress = [e["detail"] for e in events if e["action"] == "progress"]
    assert all(d.startswith("layers ") for d in progress), progress
    assert progress[-1].startswith("layers ") and progress[-1].split()[1].split("/")[0] == progress[-1].split()[1].split("/")[1]
    size = int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout)
    layers, mb, _ = events[-1]["detail"].split(", ")
    assert layers.endswith(("layer", "layers")) and int(layers.split()[0]) >= 1
    assert mb == f"{size / 1e6:.1f} MB"


# ---------------------------------------------------------------------------- TLS + imagePullSecrets

def dockerconfigjson(name: str, registry: str, user: str, password: str) -> str:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    value = json.dumps({"auths": {registry: {"auth": auth}}})
    data = base64.b64encode(value.encode()).decode()
    return (f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}}}\ntype: kubernetes.io/dockerconfigjson\n"
            f"data: {{.dockerconfigjson: {data}}}\n")


def dockercfg(name: str, registry: str, user: str, password: str) -> str:
    value = json.dumps({f"https://{registry}": {"username": user, "password": password, "email": "k2p@invalid"}})
    return (f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}}}\ntype: kubernetes.io/dockercfg\n"
            f"stringData: {{.dockercfg: {json.dumps(value)}}}\n")


def _with_pull_secret(doc: str, secret: str) -> str:
    return doc.replace("spec:\n", f"spec:\n  imagePullSecrets: [{{name: {secret}}}]\n", 1)


@pytest.mark.parametrize("make_secret", [dockerconfigjson, dockercfg], ids=["dockerconfigjson", "dockercfg"])
def test_pull_secret_pulls_from_the_tls_registry(tmp_path, podman, podman_url, podman_clean, registries,
                                                 make_secret):
    image = registries.images["private"]
    _forget(podman, image)
    manifest = write(tmp_path / "private.yaml", make_secret("regcred", registries.secure.host, USER, PASSWORD),
                     _with_pull_secret(_pod("private", image, "IfNotPresent"), "regcred"))
    code, out, err = _apply(podman_url, manifest)
    assert code == 0, err
    assert "pulled" in _image_events(out, image)
    assert _image_id(podman, image) is not None
    assert podman("pod", "exists", "private", check=False).returncode == 0
    for text in (out, err, *run_cli("convert", str(manifest))[1:], *run_cli("convert", "-o", "json", str(manifest))[1:],
                 *apply_cli(podman_url, "--dry-run", manifest)[1:]):
        assert PASSWORD not in text and base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in text
    assert not list(tmp_path.rglob("auth*.json"))


def test_tls_is_verified_against_the_ca_in_certs_d(podman, registries):
    """The secure registry is trusted only through its certs.d CA: without it the pull fails on
    the certificate (no insecure entry, no --tls-verify=false)."""
    ca = registries.secure.certs_dir / "ca.crt"
    saved = ca.read_bytes()
    ca.unlink()
    try:
        proc = podman("pull", "-q", "--creds", f"{USER}:{PASSWORD}", registries.images["private"], check=False)
    finally:
        ca.write_bytes(saved)
    assert proc.returncode != 0
    assert "certificate signed by unknown authority" in proc.stderr


# ------------------------------------------------------------------------------------------ failures

def _fails_unchanged(tmp_path, podman, url, docs: list[str], image: str, cause: str) -> str:
    _forget(podman, image)
    podman("pod", "create", "--name", "bystander")
    podman("volume", "create", "bystander-vol")
    try:
        manifest = write(tmp_path / "bad.yaml", pod("fine", command="sleep 600"), *docs)
        before = host_state(podman)
        code, _, err = _apply(url, manifest)
        assert code == 1, err
        assert f"image {image} cannot be pulled" in err, err
        assert re.search(cause, err.lower()), err
        assert "nothing was changed" in err
        assert "Traceback" not in err
        assert host_state(podman) == before
        return err
    finally:
        podman("pod", "rm", "-f", "bystander", check=False)
        podman("volume", "rm", "-f", "bystander-vol", check=False)


def test_missing_tag(tmp_path, podman, podman_url, podman_clean, registries):
    image = registries.plain.image("k2p/alpha:no-such-tag")
    _fails_unchanged(tmp_path, podman, podman_url, [_pod("bad", image, "IfNotPresent")], image, "manifest unknown")


# podman 4.3 reports the registry's 401 as "unauthorized", podman 5 as "authentication required"
AUTH_REFUSED = r"unauthorized|authentication required"


def test_refused_credentials(tmp_path, podman, podman_url, podman_clean, registries):
    image = registries.images["private"]
    docs = [dockerconfigjson("regcred", registries.secure.host, USER, "wrong-password"),
            _with_pull_secret(_pod("bad", image, "IfNotPresent"), "regcred")]
    err = _fails_unchanged(tmp_path, podman, podman_url, docs, image, AUTH_REFUSED)
    assert "wrong-password" not in err


def test_no_credentials(tmp_path, podman, podman_url, podman_clean, registries):
    image = registries.images["private"]
    _fails_unchanged(tmp_path, podman, podman_url, [_pod("bad", image, "IfNotPresent")], image, AUTH_REFUSED)


def test_registry_down(tmp_path, podman, podman_url, podman_clean, registries):
    image = f"127.0.0.1:{free_port()}/k2p/alpha:v1"
    _fails_unchanged(tmp_path, podman, podman_url, [_pod("bad", image, "Always")], image, "connection refused")
