"""Script = apply = Quadlet: for every conformance fixture, the podman commands that podman 5's
real Quadlet generator makes of kube2pod's units, run on the isolated Podman, make the same networks,
pods, containers and volumes as `kube2pod apply --no-start` (tests/test_script_conformance.py holds
the script to apply). All three are serialized from one spec (kube2pod/spec/).

What Quadlet adds to run under systemd (pid and id files, --replace, --rm, -d, sdnotify, cgroups)
is taken out, ``podman run`` becomes ``podman create`` and the pod id file the pod's name, so the
containers are made but not started. Differences by design, each checked, not ignored: the
restart policy is the service's ``Restart=`` (spec ``Service.Restart``), init containers are
oneshot services without ``--init-ctr``, the CLI records the tty setting as an annotation, and
apply's bookkeeping labels."""

from __future__ import annotations

import json
import subprocess

import pytest
from support.inspect_facts import at, collect, differences, reset, without_bookkeeping, without_cli_tty
from support.k2p import FIXTURES, REPO, run_cli
from support.quadlet import exec_words, generate, quadlet_cases, systemd_words

from kube2pod.load import load
from kube2pod.render import quadlet
from kube2pod.translate import translate

CASES = [case.removeprefix("conformance-") for case in quadlet_cases("conformance-*")]
#: Quadlet's systemd plumbing: flags with a value, and flags alone.
SYSTEMD_VALUED = ("--cidfile", "--pod-id-file", "--infra-conmon-pidfile", "--exit-policy", "--sdnotify", "--cgroups")
SYSTEMD_ALONE = ("--replace", "--rm", "-d", "--ignore")
INIT_TYPE = "io.podman.annotations.init.container.type"


def _plain(words: list[str], pod: str | None = None) -> list[str]:
    """A generated podman command without the systemd plumbing; ``run`` as ``create`` in ``pod``."""
    out, skip = [], False
    for w in words[1:]:  # words[0] is /usr/bin/podman
        if skip:
            skip = False
            continue
        if w in SYSTEMD_VALUED:
            skip = True
            continue
        if w in SYSTEMD_ALONE or w.split("=", 1)[0] in SYSTEMD_VALUED:
            continue
        out.append(w)
    if out[0] == "run":
        out = ["create", f"--pod={pod}", *out[1:]]
    return out


def _sh_lines(service: str, key: str) -> list[list[str]]:
    return [systemd_words(ln.split("=", 1)[1]) for ln in service.split("\n") if ln.startswith(key + "=")]


@pytest.mark.podman
@pytest.mark.parametrize("case", CASES)
def test_quadlet_makes_what_apply_makes(case, quadlet_bin, tmp_path, monkeypatch, podman, podman_url,
                                        podman_shell_env, podman_clean):
    path = f"fixtures/conformance-{case}/input.yaml"
    monkeypatch.chdir(REPO)
    reset(podman_clean)
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, path)
    assert code == 0, err
    from_apply = collect(podman)
    reset(podman_clean)

    plan = translate(load([path]).manifests).plan
    from kube2pod.spec import Version, build

    host = Version.parse(podman("version", "--format", "{{.Client.Version}}").stdout.strip())
    if build(plan, host).containers != build(plan, quadlet.LATEST).containers:  # e.g. a native volume sub-path
        pytest.skip(f"the Quadlet {quadlet.LATEST} units create other containers than podman {host} can "
                    "(tests/test_render_units.py runs the units of this podman's version)")
    services = generate(quadlet_bin, quadlet.render(plan), tmp_path)
    for secret in plan.secrets:  # units never hold a secret's value: made as the script makes them
        podman("secret", "create", secret.name, "-", input=secret.data().decode())
    for net in plan.networks:
        podman(*_plain(exec_words(services[f"{net.name}-network.service"], "ExecStart", "network create")))
    for vol in plan.volumes:
        service = services[f"{vol.name}-volume.service"]
        podman(*_plain(exec_words(service, "ExecStart", "volume create")))
        for words in _sh_lines(service, "ExecStartPost"):
            subprocess.run(words, env=podman_shell_env, check=True, capture_output=True, timeout=120)
    restart, init = {}, set()
    for pod in plan.pods:
        service = services[f"{pod.name}-pod.service"]
        for words in _sh_lines(service, "ExecStartPre"):
            if words[0] == "/bin/sh":  # host path and secret checks; `secret exists` is podman 4.5+
                words[-1] = words[-1].replace("podman secret exists ", "podman secret inspect >/dev/null ")
                subprocess.run(words, env=podman_shell_env, check=True, capture_output=True, timeout=120)
        podman(*_plain(exec_words(service, "ExecStartPre", "pod create")))
        for c in [*pod.init_containers, *pod.containers]:
            unit = services[f"{c.name}.service"]
            podman(*_plain(exec_words(unit, "ExecStart", "podman run"), pod.name))
            key = f"{pod.name}/{c.name.removeprefix(pod.name + '-')}"
            restart[key] = [ln.split("=", 1)[1] for ln in unit.split("\n") if ln.startswith("Restart=")]
            if c in pod.init_containers:
                assert "\nType=oneshot\n" in unit
                init.add(key)
    from_quadlet = collect(podman)
    reset(podman_clean)

    assert any("/" in key for key in from_apply), "the fixture made no container"
    without_cli_tty(from_quadlet)
    without_bookkeeping(from_apply)
    for key, policies in restart.items():  # the restart policy: systemd's Restart= in the units
        policy = from_apply[key]["restart"]["Name"]
        assert policies == ([policy] if policy else []), key
        for facts in (from_apply, from_quadlet):
            facts[key].pop("restart")
    for key in init:  # init containers: oneshot services in order, no --init-ctr
        assert from_quadlet[key]["annotations"].get(INIT_TYPE) == from_apply[key]["annotations"].get(INIT_TYPE)
    diff = differences(from_quadlet, from_apply)
    detail = {k: {"quadlet": at(from_quadlet, k), "apply": at(from_apply, k)} for k in sorted(diff)}
    assert not diff, json.dumps(detail, indent=1, sort_keys=True)
