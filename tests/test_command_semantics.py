"""command/args against an image with ENTRYPOINT and CMD: kube2pod gives what `podman kube play` gives
(and what Kubernetes defines) for all four combinations."""

from __future__ import annotations

import json

import pytest
from support.k2p import run_cli

pytestmark = pytest.mark.podman

CASES = {
    "neither": "",
    "command": "      command: [/bin/echo, from-command]\n",
    "args": "      args: [from-args]\n",
    "both": "      command: [/bin/echo, from-command]\n      args: [from-args]\n",
}
EXPECTED = {
    "neither": ["/bin/echo", "from-entrypoint", "from-cmd"],
    "command": ["/bin/echo", "from-command"],
    "args": ["/bin/echo", "from-entrypoint", "from-args"],
    "both": ["/bin/echo", "from-command", "from-args"],
}


def _manifest() -> str:
    docs = []
    for case, lines in CASES.items():
        docs.append(
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: cmd-{case}\nspec:\n  containers:\n"
            f"    - name: c\n      image: localhost/k2p-entry:latest\n      imagePullPolicy: IfNotPresent\n{lines}"
        )
    return "---\n".join(docs)


def _argv(podman) -> dict:
    out = {}
    for case in CASES:
        info = json.loads(podman("container", "inspect", f"cmd-{case}-c").stdout)[0]
        out[case] = {"argv": [info["Path"], *info["Args"]], "workdir": info["Config"]["WorkingDir"],
                     "user": info["Config"]["User"]}
    return out


def test_four_combinations_match_kube_play(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "cmd.yaml"
    manifest.write_text(_manifest())
    podman("kube", "play", "--start=false", str(manifest))
    kube_play = _argv(podman)
    podman("pod", "rm", "-af")

    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, str(manifest))
    assert code == 0, err
    ours = _argv(podman)
    assert ours == kube_play
    assert {case: v["argv"] for case, v in ours.items()} == EXPECTED
