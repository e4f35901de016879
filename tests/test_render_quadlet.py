"""Quadlet units: every plan field reaches the units, and podman 5's real Quadlet generator
(.tools/quadlet, fetched by scripts/get-quadlet) accepts the units of every fixture and turns them
into podman commands with the plan's image, command, env, mounts, ports and capabilities."""

from __future__ import annotations

from kube2pod.spec.option import csv_pairs

import base64
import subprocess
import typing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.k2p import FIXTURES, REPO
from support.quadlet import exec_words, generate, quadlet_cases

from kube2pod.load import load
from kube2pod.plan import BindMount, Container, EnvVar, ObjectRef, Plan, Pod, VolumeMount
from kube2pod.render import quadlet, volume_script
from kube2pod.spec.mount import option_text
from kube2pod.translate import translate

CASES = quadlet_cases()
SRC = ObjectRef(kind="Pod", name="p", file="m.yaml", line=3)


_SAMPLES = {str: "sample-x1", int: 7, bool: True}


def _sample(info):
    """A non-default value for a simply-typed field, or None when the field is not simple."""
    t = info.annotation
    args = typing.get_args(t)
    if t in _SAMPLES:
        return _SAMPLES[t]
    if typing.get_origin(t) is list and args == (str,):
        return ["sample-x1"]
    if typing.get_origin(t) is dict:
        return {"k1": "v1"}
    if type(None) in args and len(args) == 2 and args[0] in (int,):
        return 7
    if typing.get_origin(t) is typing.Literal:
        return next(a for a in args if a != info.default)
    return None


@pytest.mark.parametrize("model", [Pod, Container])
def test_each_carried_field_reaches_the_units(model):
    """Setting any simple carried field of a pod or container changes the rendered units."""
    base_c = Container(name="p-c", image="localhost/busybox:latest")
    base = Plan(pods=[Pod(name="p", source=SRC, containers=[base_c])])
    before = quadlet.render(base)
    # cpu_period goes with cpu_quota; an init type is the unit's structure (tests below), not a key
    skip = {"name", "image", "source", "share", "cpu_period", "init_type"}
    checked = []
    for field, info in model.model_fields.items():
        value = _sample(info)
        if field in skip or value is None:
            continue
        if model is Pod:
            plan = Plan(pods=[base.pods[0].model_copy(update={field: value})])
        else:
            plan = Plan(pods=[Pod(name="p", source=SRC, containers=[base_c.model_copy(update={field: value})])])
        assert quadlet.render(plan) != before, f"{model.__name__}.{field}={value!r} does not reach the units"
        checked.append(field)
    assert len(checked) >= 8


def test_init_containers_run_to_completion_first():
    """Each init container is a oneshot service after the previous one; app containers follow them all."""
    init = [Container(name=f"p-i{i}", image="localhost/busybox:latest", init_type="once") for i in (1, 2)]
    app = Container(name="p-c", image="localhost/busybox:latest")
    units = quadlet.render(Plan(pods=[Pod(name="p", source=SRC, init_containers=init, containers=[app])]))
    for i, name in enumerate(("p-i1", "p-i2")):
        unit = units[f"{name}.container"]
        assert "Type=oneshot\n" in unit and "--init-ctr" not in unit
        assert ("Requires=p-i1.service\nAfter=p-i1.service\n" in unit) == (i == 1)
    after_both = "Requires=p-i1.service\nAfter=p-i1.service\nRequires=p-i2.service\nAfter=p-i2.service\n"
    assert after_both in units["p-c.container"]
    assert "Type=oneshot" not in units["p-c.container"]


def test_an_empty_command_argument_is_refused():
    c = Container(name="p-c", image="localhost/busybox:latest", command=["-n", ""])
    with pytest.raises(quadlet.Unrepresentable, match="argument 2"):
        quadlet.render(Plan(pods=[Pod(name="p", source=SRC, containers=[c])]))


def test_named_volumes_are_linked_to_their_units():
    c = Container(name="p-c", image="localhost/busybox:latest",
                  mounts=[VolumeMount(volume="p-data", destination="/data")])
    unit = quadlet.render(Plan(pods=[Pod(name="p", source=SRC, containers=[c])]))["p-c.container"]
    assert "Mount=type=volume,source=p-data.volume,destination=/data\n" in unit
    assert "Pod=p.pod\n" in unit


# --- the real generator ---------------------------------------------------------------------------


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    """(flag, value) for ``--flag value`` and ``--flag=value``."""
    out = set(zip(words, words[1:]))
    out |= {tuple(w.split("=", 1)) for w in words if w.startswith("--") and "=" in w}
    return out


def _cap(name: str) -> str:
    return name.upper().removeprefix("CAP_")


def check_container(words: list[str], c: Container) -> None:
    """The generated ``podman run`` carries the plan's image, command, env, mounts and capabilities."""
    tail = list(c.command or [])
    assert words[len(words) - len(tail) - 1] == c.image
    assert words[len(words) - len(tail):] == tail
    pairs = _pairs(words)
    for e in c.env:
        assert ("--env", f"{e.name}={e.value}") in pairs
    for m in c.mounts:
        assert ("--mount", option_text(m)) in pairs
    caps = {(f, _cap(v)) for f, v in pairs if f in ("--cap-add", "--cap-drop")}
    assert caps == {("--cap-add", _cap(x)) for x in c.cap_add} | {("--cap-drop", _cap(x)) for x in c.cap_drop}
    if c.entrypoint is not None:
        import json
        assert json.loads(dict(p for p in pairs if p[0] == "--entrypoint")["--entrypoint"]) == c.entrypoint


@pytest.mark.parametrize("case", CASES)
def test_real_quadlet_accepts_fixture_units(case, quadlet_bin, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = translate(load([f"fixtures/{case}/input.yaml"]).manifests)
    units = quadlet.render(result.plan)
    services = generate(quadlet_bin, units, tmp_path)
    for pod in result.plan.pods:
        create = exec_words(services[f"{pod.name}-pod.service"], "ExecStartPre", "pod create")
        pairs = _pairs(create)
        for p in pod.ports:
            host = f"{p.host_ip}:" if p.host_ip else ""
            assert ("--publish", f"{host}{p.host_port}:{p.container_port}/{p.protocol}") in pairs
        for c in [*pod.init_containers, *pod.containers]:
            check_container(exec_words(services[f"{c.name}.service"], "ExecStart", "podman run"), c)
        for c in pod.init_containers:  # run to completion (no -d) before every app container
            service = services[f"{c.name}.service"]
            assert "\nType=oneshot\n" in service and "-d" not in exec_words(service, "ExecStart", "podman run")
            for app in pod.containers:
                assert f"\nAfter={c.name}.service\n" in services[f"{app.name}.service"]
    for vol in result.plan.volumes:
        service = services[f"{vol.name}-volume.service"]
        assert exec_words(service, "ExecStart", "volume create")[-1] == vol.name
        if vol.files is not None:
            script = "\n".join(volume_script.commands(vol))
            assert exec_words(service, "ExecStartPost", "k2p_dir") == ["/bin/sh", "-ec", script]


@pytest.mark.podman
def test_volume_service_writes_the_configmap_files(quadlet_bin, tmp_path, monkeypatch, podman, podman_shell_env,
                                                   podman_clean):
    """The ExecStartPost= of each volume service, run on Podman, leaves exactly the plan's files in
    kube2pod's volume (created with the unit's labels), and leaves someone else's alone."""
    monkeypatch.chdir(REPO)
    plan = translate(load(["fixtures/conformance-configmap-volume/input.yaml"]).manifests).plan
    services = generate(quadlet_bin, quadlet.render(plan), tmp_path)
    podman_clean.reset_pods()
    for vol in plan.volumes:
        words = exec_words(services[f"{vol.name}-volume.service"], "ExecStartPost", "k2p_dir")
        podman("volume", "create", vol.name)  # someone else's volume of that name
        stale = Path(podman("volume", "inspect", "--format", "{{.Mountpoint}}", vol.name).stdout.strip()) / "stale"
        stale.touch()
        run = subprocess.run(words, env=podman_shell_env, capture_output=True, text=True, timeout=60)
        assert run.returncode != 0 and "was not created by kube2pod" in run.stderr and stale.exists()
        podman("volume", "rm", vol.name)
        podman("volume", "create", "--label", "io.kube2pod.managed=true", vol.name)  # as the unit creates it
        (Path(podman("volume", "inspect", "--format", "{{.Mountpoint}}", vol.name).stdout.strip()) / "stale").touch()
        run = subprocess.run(words, env=podman_shell_env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        root = Path(podman("volume", "inspect", "--format", "{{.Mountpoint}}", vol.name).stdout.strip())
        found = {str(f.relative_to(root)): (f.stat().st_mode & 0o7777, f.read_bytes())
                 for f in root.rglob("*") if f.is_file()}
        assert found == {f.path: (f.mode, base64.b64decode(f.base64) if f.base64 is not None else f.text.encode())
                         for f in vol.files or []}, vol.name


_values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(env=st.lists(_values, max_size=3), args=st.lists(_values.filter(bool), max_size=3),
       label=_values, annotation=_values, workdir=_values.map(lambda s: "/" + s), path=_values, ro=st.booleans())
@example(env=["$HOME 100% `id`", "a\nb"], args=["'q'", '"d"', "\\"], label="x y", annotation="%n",
         workdir="/w d", path='a,b"c', ro=True)
# backslashes in plain keys: a trailing one continues the line into the next key; \n is unescaped
@example(env=[""], args=[], label="", annotation="", workdir="/\\", path="", ro=False)
@example(env=[], args=[], label="", annotation="", workdir="/", path="\\n", ro=False)
@example(env=[], args=[], label="", annotation="", workdir="/", path="\\", ro=False)
@example(env=[], args=[], label="", annotation="", workdir="/", path="'0", ro=False)  # a quote inside Mount=
def test_real_quadlet_passes_exact_values(env, args, label, annotation, workdir, path, ro, quadlet_bin,
                                          tmp_path_factory):
    """Arbitrary strings reach podman's argv unchanged through the unit file and systemd quoting."""
    c = Container(name="p-c", image="localhost/busybox:latest", command=args or None, workdir=workdir,
                  env=[EnvVar(name=f"V{i}", value=v) for i, v in enumerate(env)], labels={"l": label},
                  annotations={"a": annotation}, mounts=[BindMount(source="/s/" + path, destination="/d/" + path, read_only=ro)])
    units = quadlet.render(Plan(pods=[Pod(name="p", source=SRC, containers=[c])]))
    words = exec_words(generate(quadlet_bin, units, tmp_path_factory.mktemp("q"))["p-c.service"],
                  "ExecStart", "podman run")
    check_container(words, c)
    pairs = _pairs(words)
    # --annotation is read as CSV by podman: the word is the CSV field that decodes to a=VALUE
    assert ("--label", f"l={label}") in pairs and ("--annotation", csv_pairs({"a": annotation})[0]) in pairs
    assert ("--workdir", workdir) in pairs
