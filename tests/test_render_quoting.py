"""The shell script passes every value as exactly one argument with its exact bytes, and never
runs text from a manifest; a value no argument can carry (NUL) is a positioned error."""

from __future__ import annotations

from kube2pod.spec.option import csv_pairs

import os
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.k2p import run_cli

from kube2pod.plan import BindMount, Container, EnvVar, ObjectRef, Plan, Pod, PortMapping, Volume
from kube2pod.render import argv as podman_argv, shell
from kube2pod.spec import container_spec, pod_spec, volume_spec
from kube2pod.render.quoting import nul_diagnostics, sh

SRC = ObjectRef(kind="Pod", name="p", file="m.yaml", line=4)
MARKER = "/tmp/k2p-quoting-injected"
PAYLOADS = [f"$(touch {MARKER})", f"`touch {MARKER}`", f"'; touch {MARKER}; '", f'"; touch {MARKER}; "',
            f"\n touch {MARKER}\n", "${HOME}", "$HOME", "\\", "'", '"', "--privileged", "-", "", "\t", "ü✓",
            "a b", "%s%n", "!!", "*", "~", "#", "x\r\ny"]
values = st.one_of(st.sampled_from(PAYLOADS),
                   st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=24))

# `podman` replaced by a function recording its argv (count, then each argument, NUL-terminated);
# no volume or secret exists yet (their inspect fails).
RECORDER = ('podman() { printf "%s\\0" "$#" "$@" >>"$K2P_ARGV"; '
            'case "$1 $2" in "volume exists"|"volume inspect"|"secret inspect") return 1 ;; esac; }\n')


def run_script(script: str, tmp: Path) -> list[list[str]]:
    """Run ``script`` under bash with the recording ``podman``: the argv of each podman call."""
    out = tmp / "argv"
    out.write_bytes(b"")
    body = script.split("\n", 1)[1]  # after the #! line; set -eu stays
    (tmp / "s.sh").write_bytes((RECORDER + body).encode("utf-8"))
    proc = subprocess.run(["bash", str(tmp / "s.sh")], env={"PATH": os.environ["PATH"], "K2P_ARGV": str(out)},
                          capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    fields = out.read_bytes().decode("utf-8").split("\0")[:-1]
    calls = []
    while fields:
        n = int(fields.pop(0))
        calls.append(["podman"] + fields[:n])
        del fields[:n]
    return calls


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(env=st.lists(values, max_size=4), args=st.lists(values, max_size=4), label=values, annotation=values,
       path=values, workdir=values)
@example(env=PAYLOADS[:4], args=PAYLOADS[4:], label=PAYLOADS[0], annotation=PAYLOADS[1], path=PAYLOADS[2],
         workdir=PAYLOADS[3])
def test_script_passes_exact_values(env, args, label, annotation, path, workdir, tmp_path_factory):
    if os.path.exists(MARKER):
        os.unlink(MARKER)
    c = Container(name="p-c", image="localhost/busybox:latest", command=args, workdir=workdir,
                  env=[EnvVar(name=f"V{i}", value=v) for i, v in enumerate(env)], labels={"l": label},
                  annotations={"a": annotation},
                  mounts=[BindMount(source="/srv/" + path, destination="/d/" + path)])
    pod = Pod(name="p", source=SRC, labels={"pl": label}, ports=[PortMapping(host_port=1, container_port=2)],
              containers=[c])
    vol = Volume(name="p-v", source=SRC, labels={"vl": label})
    plan = Plan(volumes=[vol], pods=[pod])
    calls = run_script(shell.render(plan), tmp_path_factory.mktemp("sh"))
    owner = ["podman", "volume", "inspect", "--format", '{{index .Labels "io.kube2pod.managed"}}', "p-v"]
    assert calls == [owner, podman_argv.volume_create(volume_spec(vol)),
                     podman_argv.pod_create(pod_spec(pod)), podman_argv.container_create(container_spec(pod, c)),
                     podman_argv.pod_start(pod.name)]
    argv = calls[3]
    assert argv[len(argv) - len(args):] == args if args else argv[-1] == c.image
    assert all(f"--env=V{i}={v}" in argv for i, v in enumerate(env))
    # --annotation is read as CSV by podman: the word is the CSV field that decodes to a=VALUE
    assert f"--label=l={label}" in argv and f"--annotation={csv_pairs({'a': annotation})[0]}" in argv
    assert not os.path.exists(MARKER), "the script ran text from a value"


@given(values)
def test_sh_word_round_trips_through_bash(value):
    out = subprocess.run(["bash", "-c", f"printf %s {sh(value)}"], capture_output=True, timeout=10).stdout
    assert out.decode("utf-8") == value


def test_nul_is_a_positioned_error():
    c = Container(name="p-c", image="localhost/busybox:latest", env=[EnvVar(name="A", value="x\0y")])
    [diag] = nul_diagnostics(Plan(pods=[Pod(name="p", source=SRC, containers=[c])]))
    assert diag.format() == ("m.yaml:4:1: error: plan.pods[0].containers[0].env[0].value contains a NUL byte, "
                             "which no command argument can carry")


def test_cli_reports_nul_at_the_pod(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("nul.yaml").write_text('apiVersion: v1\nkind: Pod\nmetadata: {name: nul}\nspec:\n  containers:\n'
                                '    - name: c\n      image: localhost/busybox:latest\n'
                                '      env: [{name: A, value: "x\\0y"}]\n')
    for fmt in ("sh", "quadlet"):
        code, out, err = run_cli("convert", "-o", fmt, "--out-dir", "units", "nul.yaml")
        assert (code, out) == (2, "")
        assert err.startswith("nul.yaml:1:1: error: plan.pods[0].containers[0].env[0].value contains a NUL byte")
    assert not Path("units").exists()
    code, out, _ = run_cli("convert", "-o", "json", "nul.yaml")
    assert code == 0 and '"x\\u0000y"' in out


def test_a_nul_that_reaches_the_output_is_refused(monkeypatch):
    """render_all scans what the renderers wrote: a NUL that slipped past them is an error, no file."""
    from kube2pod.render import quadlet, shell
    from kube2pod.snapshot import outputs

    plan = Plan(pods=[Pod(name="p", source=SRC, containers=[Container(name="p-c", image="i")])])
    monkeypatch.setattr(shell, "render", lambda plan, **kw: "podman x\0y\n")
    files, diags = outputs.render_all(plan, ["sh"])
    assert files == {} and [d.message for d in diags] == ["the script would contain a NUL byte"]
    monkeypatch.setattr(quadlet, "render", lambda plan, spec=None: {"p.pod": "[Pod]\nPodName=p\0\n"})
    files, diags = outputs.render_all(plan, ["quadlet"])
    assert files == {} and [d.message for d in diags] == ["the Quadlet units would contain a NUL byte"]


def test_sh_remembers_words_but_never_a_nul():
    import pytest

    from kube2pod.render.quoting import Unrepresentable

    for value in ("--name", "it's", "a b", "", "x" * 300):
        assert sh(value) == sh(value)  # second answer from the word cache (short values)
        out = subprocess.run(["bash", "-c", f"printf %s {sh(value)}"], capture_output=True, text=True).stdout
        assert out == value
    for _ in range(2):
        with pytest.raises(Unrepresentable):
            sh("a\0b")
