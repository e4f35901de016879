"""Image volumes (volumes[].image): --mount type=image in every output, the image got by its pull
policy first (podman does not pull it); on Podman: the image's files, read-only."""

from __future__ import annotations

import json

import pytest
from support.k2p import run_cli, translate_text

from kube2pod.render import quadlet
from kube2pod.spec import build
from kube2pod.spec.container import pull_command
from kube2pod.render import rest

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: wl-imgvol}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [sleep, "600"]
    volumeMounts: [{name: tools, mountPath: /tools}]
  volumes:
  - name: tools
    image: {reference: "localhost/k2p-entry:latest", pullPolicy: Never}
"""


def test_plan_and_outputs(tmp_path):
    t = translate_text(tmp_path, POD)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    (c,) = t.plan.pods[0].containers
    assert [(m.image, m.destination, m.pull_policy) for m in c.image_mounts] == [
        ("localhost/k2p-entry:latest", "/tools", "never")]
    assert c.mounts == [] and t.plan.volumes == []
    spec = build(t.plan).containers["wl-imgvol-c"]
    assert rest.body(spec)["image_volumes"] == [
        {"Source": "localhost/k2p-entry:latest", "Destination": "/tools", "ReadWrite": False}]
    unit = quadlet.render(t.plan)["wl-imgvol-c.container"]
    assert "Mount=type=image,source=localhost/k2p-entry:latest,destination=/tools\n" in unit
    assert "ExecStartPre=/bin/sh -c 'podman image exists localhost/k2p-entry:latest' image-volume\n" in unit


def test_default_pull_policy_as_for_container_images(tmp_path):
    t = translate_text(tmp_path, POD.replace(', pullPolicy: Never', '').replace(
        '"localhost/k2p-entry:latest"', "quay.io/x/y:v2"))
    assert t.plan.pods[0].containers[0].image_mounts[0].pull_policy == "missing"


def test_script_gets_the_image_before_the_container(tmp_path):
    (tmp_path / "p.yaml").write_text(POD)
    code, out, err = run_cli("convert", "-o", "sh", str(tmp_path / "p.yaml"))
    assert code == 0, err
    get = out.index("podman image exists localhost/k2p-entry:latest\n")
    assert get < out.index("--name=wl-imgvol-c")
    assert "--mount=type=image,source=localhost/k2p-entry:latest,destination=/tools" in out


@pytest.mark.parametrize("policy, command", [
    ("never", "podman image exists 'a b'"),
    ("missing", "podman image exists 'a b' || podman pull 'a b'"),
    ("newer", "podman pull 'a b' || podman image exists 'a b'"),
    ("always", "podman pull 'a b'"),
])
def test_pull_commands(policy, command):
    assert pull_command("a b", policy) == command


def test_sub_path_of_an_image_volume_is_refused_at_it(tmp_path):
    text = POD.replace("mountPath: /tools}", "mountPath: /tools, subPath: bin}")
    t = translate_text(tmp_path, text)
    (err,) = [d for d in t.diagnostics if d.severity.value == "error"]
    assert "subPath of an image volume" in err.message and "5.1" in err.message
    assert err.pos.line == text.splitlines().index("    volumeMounts: [{name: tools, mountPath: /tools, subPath: bin}]") + 1


def test_reference_is_required(tmp_path):
    t = translate_text(tmp_path, POD.replace('reference: "localhost/k2p-entry:latest", ', ""))
    assert any("needs a reference" in d.message and d.severity.value == "error" for d in t.diagnostics)


@pytest.mark.podman
def test_image_volume_on_podman(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "img.yaml"
    manifest.write_text(POD)
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    listing = podman("exec", "wl-imgvol-c", "ls", "/tools").stdout.split()
    own = podman("run", "--rm", "--entrypoint", "ls", "localhost/k2p-entry:latest", "/").stdout.split()
    assert listing == own  # the image's root filesystem
    write = podman("exec", "wl-imgvol-c", "touch", "/tools/x", check=False)
    assert write.returncode != 0 and "Read-only" in write.stderr
    info = json.loads(podman("container", "inspect", "wl-imgvol-c").stdout)[0]
    assert any(m.get("Type") == "image" and m.get("Destination") == "/tools" for m in info["Mounts"]), info["Mounts"]
    assert run_cli("down", "--url", podman_url, str(manifest))[0] == 0


def test_pull_secrets_cover_the_volume_image(tmp_path):
    text = POD.replace("spec:\n", "spec:\n  imagePullSecrets: [{name: regcred}]\n", 1).replace(
        '"localhost/k2p-entry:latest", pullPolicy: Never', "reg.example:5000/tools:v1")
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: regcred}\ntype: kubernetes.io/dockerconfigjson\n"
              'stringData: {.dockerconfigjson: \'{"auths": {"reg.example:5000": {"auth": "cm9ib3Q6cHc="}}}\'}\n')
    t = translate_text(tmp_path, secret + "---\n" + text)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    [ps] = t.plan.pull_secrets
    assert "reg.example:5000/tools:v1" in ps.images
