"""The script `kube2pod convert --no-start` prints, run by bash on the isolated Podman, makes the
same pods, containers and volumes as `kube2pod apply --no-start` for every conformance fixture:
every fact tests/inspect_facts.py reads from `podman inspect` is equal (ids are replaced by names).
Secret values are embedded with `--show-secrets`. No container is started.

Two differences are by design, and are checked rather than ignored: `podman create` (the CLI)
records the tty setting as the annotation io.kubernetes.cri-o.TTY, which the API does not; and
apply labels what it makes with its bookkeeping for `apply`/`down` (the project, a pod's
definition, a volume's lifetime), which a script has no notion of."""

from __future__ import annotations

import json
import subprocess

import pytest
from support.inspect_facts import at, collect, differences, reset, without_bookkeeping, without_cli_tty
from support.k2p import FIXTURES, run_cli

CASES = sorted(p.parent.name.removeprefix("conformance-") for p in FIXTURES.glob("conformance-*/input.yaml"))


@pytest.mark.podman
@pytest.mark.parametrize("case", CASES)
def test_script_makes_what_apply_makes(case, podman, podman_url, podman_shell_env, podman_clean):
    path = str(FIXTURES / f"conformance-{case}" / "input.yaml")
    code, script, err = run_cli("convert", "--no-start", "--show-secrets", path)
    assert code == 0, err
    reset(podman_clean)
    run = subprocess.run(["bash", "-c", script], env=podman_shell_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    from_script = collect(podman)
    reset(podman_clean)
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, path)
    assert code == 0, err
    from_apply = collect(podman)
    reset(podman_clean)

    assert any("/" in key for key in from_apply), "the fixture made no container"
    without_cli_tty(from_script)
    without_bookkeeping(from_apply)
    diff = differences(from_script, from_apply)
    detail = {k: {"script": at(from_script, k), "apply": at(from_apply, k)} for k in sorted(diff)}
    assert not diff, json.dumps(detail, indent=1, sort_keys=True)

