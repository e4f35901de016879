"""The podman spec: every field of every spec structure is written by each serializer (CLI
argv, REST body, Quadlet keys) or declares why not; every plan field has a place; the
version data is checked against the target."""

from __future__ import annotations

import typing

import pytest

from kube2pod.plan import Attachment, BindMount, Container, ImageMount, ObjectRef, Plan, Pod, PortMapping, SecretEnv, SecretFile, VolumeMount
from kube2pod.render import argv, quadlet, rest
from kube2pod.spec import PLAN_FIELDS, SPEC_TYPES, NotInVersion, Version, build, fields
from kube2pod.spec.option import OUTPUTS

from kube2pod.spec.authfile import ImagePull  # noqa: E402

SRC = ObjectRef(kind="Pod", name="p", file="m.yaml", line=3)

#: Sample values of the fields whose type says too little.
SAMPLES = {
    "mounts": [BindMount(source="/srv/x1", destination="/x1"), VolumeMount(volume="v1", destination="/v1")],
    "publish": [PortMapping(host_port=18080, container_port=80)],
    "secret_files": [SecretFile(secret="s1", target="/run/s1")],
    "image_volumes": [ImageMount(image="localhost/i1", destination="/i1")],
    "image_pulls": [ImagePull(image="localhost/i1", pull_policy="always", auth="s1")],
    "secret_env": [SecretEnv(name="S1", secret="s1")],
    "health_cmd": ["CMD", "true"],
    "health_on_failure": "kill",
    "restart": "always",
    "init_ctr": "once",
    "read_only_tmpfs": False,
    "share": ["net"],
    "networks": [Attachment(network="n1", aliases=["a1"], ips=["10.1.0.5"], mac="02:00:00:00:00:01", interface="net1")],
    "ip_range": "10.1.0.16/28",
    "options": {"parent": "eth9", "mode": "bridge"},
}


def _sample(name: str, annotation):
    if name in SAMPLES:
        return SAMPLES[name]
    t = annotation
    if typing.get_origin(t) in (typing.Union, getattr(__import__("types"), "UnionType")):
        t = next(a for a in typing.get_args(t) if a is not type(None))
    origin = typing.get_origin(t)
    if t is bool:
        return True
    if t is int:
        return 7
    if t is str:
        return "x1"
    if origin is list:
        return ["x1"]
    if origin is dict:
        return {"k1": "v1"}
    raise AssertionError(f"no sample for {name}: {annotation}")


def _required(cls) -> dict:
    return {n: _sample(n, i.annotation) for n, i in cls.model_fields.items() if i.is_required()}


def _outputs(node) -> dict:
    return {"cli": argv.arguments(node), "rest": rest.body(node), "quadlet": quadlet.unit_keys(node)}


CASES = [(cls, f) for cls in SPEC_TYPES for f in fields(cls)]


@pytest.mark.parametrize("cls,field", CASES, ids=[f"{c.__name__}.{f.name}" for c, f in CASES])
def test_every_spec_field_is_written_or_says_why_not(cls, field):
    """Setting the field changes each output that has a form of it; an output without one
    declares the reason (``absent``) or refuses the value (``refused``)."""
    opt = field.option
    for output in OUTPUTS:
        where = {"cli": opt.flag, "rest": opt.rest, "quadlet": opt.quadlet}[output]
        if where is None or (output == "cli" and where == ""):
            assert output in opt.absent or output in opt.refused, f"{output}: no form and no reason"
    if field.default is None and cls.model_fields[field.name].is_required():
        node = cls.make(**_required(cls))
        base = None
    else:
        base = cls.make(**_required(cls))
        node = cls.make(**{**_required(cls), field.name: _sample(field.name, cls.model_fields[field.name].annotation)})
    got = _outputs(node)
    before = _outputs(base) if base is not None else None  # a required field is always set
    if opt.flag:
        assert any(a == opt.flag or a.startswith(opt.flag + "=") for a in got["cli"]), got["cli"]
    if opt.flag is not None and before:
        assert got["cli"] != before["cli"]
    if opt.rest is not None:
        keys = opt.rest if isinstance(opt.rest, tuple) else (opt.rest,)
        for key in keys:
            value = got["rest"]
            for part in key.split("."):
                value = value[part]
        assert not before or got["rest"] != before["rest"]
    elif before:
        assert got["rest"] == before["rest"]
    keys, service = got["quadlet"]
    lines = keys + service
    if opt.quadlet == "PodmanArgs":
        assert any(line.startswith((f"PodmanArgs={opt.flag}", f"PodmanArgs=\"{opt.flag}")) for line in lines), lines
    elif opt.quadlet is not None:
        name = opt.quadlet.removeprefix("Service.")
        assert any(line.startswith(name + "=") for line in lines), lines
    elif before:
        assert got["quadlet"] == before["quadlet"]


def test_every_field_has_exactly_one_option_with_a_known_version():
    for cls in SPEC_TYPES:
        for f in fields(cls):
            assert Version(4, 0) <= f.option.since <= Version(5, 9), f
            assert set(f.option.absent) | set(f.option.refused) <= set(OUTPUTS), f


def test_first_versions_per_output_are_data_of_known_outputs():
    """since_by names only known outputs, never predates the option, and a newer Quadlet key falls
    back to PodmanArgs= only where that unit has it (spec.quadlet_key)."""
    from kube2pod.spec import QUADLET_ARGS_SINCE, quadlet_key

    for cls in SPEC_TYPES:
        for f in fields(cls):
            assert set(f.option.since_by) <= set(OUTPUTS), f
            assert all(v >= f.option.since for v in f.option.since_by.values()), f
    node = build(_plan(workdir="/w", env=[])).containers["p-c"]
    assert quadlet_key(node, "workdir", Version(4, 6)) == "WorkingDir"
    assert quadlet_key(node, "workdir", Version(4, 5)) == "PodmanArgs"
    assert quadlet_key(node, "image", Version(4, 4)) == "Image"
    pod = build(_plan()).pods["p"]
    assert QUADLET_ARGS_SINCE["PodSpec"] == Version(5, 0)
    assert quadlet_key(pod, "name", Version(4, 9)) is None and quadlet_key(pod, "hostname", Version(4, 9)) is None
    assert quadlet_key(pod, "dns_search", Version(5, 2)) == "PodmanArgs"
    assert quadlet_key(pod, "dns_search", Version(5, 3)) == "DNSSearch"


def _plan_models() -> set:
    seen, stack = set(), [Plan]
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            args = [info.annotation]
            while args:
                t = args.pop()
                if isinstance(t, type) and hasattr(t, "model_fields"):
                    stack.append(t)
                args.extend(typing.get_args(t))
    return seen


def test_every_plan_field_has_a_place():
    """A field added to the plan must say where it goes (spec/__init__.py PLAN_FIELDS)."""
    for model in _plan_models():
        assert set(PLAN_FIELDS.get(model.__name__, {})) == set(model.model_fields), model.__name__
    spec_fields = {f"{cls.__name__}.{f.name}" for cls in SPEC_TYPES for f in fields(cls)} | {
        cls.__name__ for cls in SPEC_TYPES}
    for model, places in PLAN_FIELDS.items():
        for field, place in places.items():
            for word in place.split():
                if word.endswith("Spec") or ("Spec." in word and not word.endswith("*")):
                    assert word.rstrip(",") in spec_fields, (model, field, word)


def _plan(**container) -> Plan:
    c = Container(name="p-c", image="localhost/busybox:latest", **container)
    return Plan(pods=[Pod(name="p", source=SRC, containers=[c])])


def test_an_option_newer_than_the_target_is_refused_at_its_object():
    from kube2pod.plan import Healthcheck

    plan = _plan(healthcheck=Healthcheck(test=["CMD", "true"]))
    assert build(plan, Version(4, 3)).containers["p-c"].health_on_failure == "none"
    with pytest.raises(NotInVersion, match=r"--health-on-failure needs Podman 4.3 or later \(the podman CLI\); the target is Podman 4.2") \
            as exc:
        build(plan, Version(4, 2))
    assert exc.value.source == SRC


@pytest.mark.parametrize("text,version", [("4.3.1", (4, 3)), ("5.4", (5, 4)), ("v5.0.0-rc1", (5, 0)),
                                          ("10.12.3", (10, 12))])
def test_versions_parse(text, version):
    assert Version.parse(text) == version


@pytest.mark.parametrize("text", ["", "5", "five.four", "5.x"])
def test_bad_versions_are_refused(text):
    with pytest.raises(ValueError, match="not a Podman version"):
        Version.parse(text)


def test_one_spec_gives_all_three_outputs():
    """The same spec node is what argv, REST and Quadlet write: a read-only root without tmpfs,
    the env, the secret env and the recorded security annotations."""
    plan = _plan(read_only=True, selinux_opts=["type:spc_t"], env=[], secret_env=[SecretEnv(name="PW", secret="db")])
    node = build(plan).containers["p-c"]
    args = argv.container_create(node)
    assert "--read-only" in args and "--read-only-tmpfs=false" in args
    assert "--secret=db,type=env,target=PW" in args and "--security-opt=label=type:spc_t" in args
    body = rest.body(node)
    assert body["read_only_filesystem"] is True and "read_only_tmpfs" not in body
    assert body["secret_env"] == {"PW": "db"} and body["selinux_opts"] == ["type:spc_t"]
    assert body["annotations"] == {"io.podman.annotations.label": "type:spc_t"}
    keys, _ = quadlet.unit_keys(node)
    assert "Secret=db,type=env,target=PW" in keys and "PodmanArgs=--read-only-tmpfs=false" in keys
    assert not any("io.podman.annotations" in k for k in keys)


def test_a_refused_field_is_an_error():
    from typing import Annotated

    from kube2pod.plan.base import Frozen
    from kube2pod.spec.option import Option

    class Probe(Frozen):
        name: Annotated[str, Option("--name", "name", "PodName")]
        odd: Annotated[str, Option("--odd", "odd", None, refused={"quadlet": "units cannot say odd"})] = ""

    assert quadlet.unit_keys(Probe.make(name="n"))[0] == ["PodName=n"]
    with pytest.raises(quadlet.Unsupported, match="odd: units cannot say odd"):
        quadlet.unit_keys(Probe.make(name="n", odd="yes"))


@pytest.mark.parametrize("fmt", ["sh", "quadlet"])
def test_a_target_without_an_option_is_a_positioned_error_of_the_output(fmt, monkeypatch):
    """Rendering for a Podman that lacks a set option reports it at the pod, never a traceback."""
    from kube2pod.plan import Healthcheck
    from kube2pod.render.formats import render_all

    files, diags = render_all(_plan(healthcheck=Healthcheck(test=["CMD", "true"])), [fmt], version=Version(4, 2))
    assert not files
    (d,) = diags
    assert "--health-on-failure needs Podman 4.3 or later" in d.message and (d.pos.file, d.pos.line) == ("m.yaml", 3)


def test_annotations_are_csv_fields_as_podman_reads_them():
    import csv

    from kube2pod.spec.option import csv_pairs

    values = {"plain": "x", "json": '[{"name": "lan", "ips": ["10.0.0.1/24"]}]', "comma": "a,b", "quote": 'say "hi"'}
    for word, (k, v) in zip(csv_pairs(values), values.items()):
        assert next(csv.reader([word])) == [f"{k}={v}"]  # what pflag's StringSlice makes of it
    assert csv_pairs({"plain": "x"}) == ["plain=x"]
