"""kube2pod.shortcuts: each shortcut is on by default and off under ``KUBE2POD_NO_SHORTCUTS=1``,
and convert's outputs are byte-identical either way. Every check runs in fresh processes, one
with the switch and one without, whatever the switch of this test run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SWITCH = "KUBE2POD_NO_SHORTCUTS"

POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
       "spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}\n")


def _env(off: bool, value: str = "1") -> dict:
    env = {k: v for k, v in os.environ.items() if k != SWITCH}
    if off:
        env[SWITCH] = value
    return env


def _python(code: str, off: bool, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO, env=_env(off),
                          capture_output=True, text=True, timeout=300)


def _observe(code: str, off: bool, *args: str) -> dict:
    """Run ``code`` (which prints one JSON object last) with or without the switch."""
    proc = _python(code, off, *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("value, enabled", [(None, True), ("", True), ("0", True), ("1", False), ("yes", False)])
def test_the_switch(value, enabled):
    env = _env(value is not None, value or "")
    proc = subprocess.run([sys.executable, "-c", "from kube2pod import shortcuts; print(shortcuts.ENABLED)"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == str(enabled), proc.stderr


KUBERNETES = f"""
    import json, sys
    from kube2pod.load import load_text
    r = load_text({POD!r})
    assert not r.diagnostics and type(r.manifests[0].obj).__name__ == "V1Pod", r.diagnostics
    models = [m for m in sys.modules if m.startswith("kubernetes.client.models.")]
    print(json.dumps({{"package": "kubernetes" in sys.modules, "models": len(models)}}))
"""


def test_kubernetes_models_cheap_import_on_by_default_and_off_under_the_switch():
    assert _observe(KUBERNETES, off=False) == {"package": False, "models": 5}
    off = _observe(KUBERNETES, off=True)
    assert off["package"] is True and off["models"] > 100  # the package's own import of every model


PYDANTIC = """
    import json
    from pydantic import BaseModel
    from kube2pod import shortcuts
    calls = {"model_construct": 0, "model_copy": 0}
    construct, copy = BaseModel.model_construct.__func__, BaseModel.model_copy

    def counted_construct(cls, *args, **kwargs):
        calls["model_construct"] += 1
        return construct(cls, *args, **kwargs)

    def counted_copy(self, *args, **kwargs):
        calls["model_copy"] += 1
        return copy(self, *args, **kwargs)

    BaseModel.model_construct = classmethod(counted_construct)
    BaseModel.model_copy = counted_copy
    from kube2pod.load import load
    from kube2pod.plan.base import Frozen
    from kube2pod.translate import translate
    nodes = {"made": 0, "replaced": 0}
    make, replace = Frozen.make.__func__, Frozen.replace

    def counted_make(cls, **values):
        nodes["made"] += 1
        return make(cls, **values)

    def counted_replace(self, **changes):
        nodes["replaced"] += 1
        return replace(self, **changes)

    Frozen.make, Frozen.replace = classmethod(counted_make), counted_replace
    loaded = load(["examples/gogs-postgres.yaml", "fixtures/shared-hostpath/input.yaml"])
    objects = len(loaded.manifests)
    calls_after_load = dict(calls)
    translate(loaded.manifests)
    plan_classes = [c for c in shortcuts._by_hand if issubclass(c, Frozen)]
    print(json.dumps({"load": calls_after_load, "objects": objects, "calls": calls, "nodes": nodes,
                      "classes": len(shortcuts._by_hand), "plan_classes": len(plan_classes),
                      "by_hand": sorted(set(shortcuts._by_hand.values()))}))
"""


def test_pydantic_instances_by_hand_on_by_default_and_off_under_the_switch():
    on = _observe(PYDANTIC, off=False)
    assert on["nodes"]["made"] > 20 and on["nodes"]["replaced"] > 0, on  # the test exercises both
    assert on["by_hand"] == [True]
    # pydantic's own calls: one check per class (loader and plan classes), never per node or copy
    assert on["calls"] == {"model_construct": on["classes"], "model_copy": 0}, on
    off = _observe(PYDANTIC, off=True)
    assert off["nodes"] == on["nodes"] and off["by_hand"] == [False]
    made = off["calls"]["model_construct"] - off["load"]["model_construct"]
    assert made == off["nodes"]["made"] and off["calls"]["model_copy"] == off["nodes"]["replaced"], off


PYYAML = """
    import json
    from yaml import CSafeLoader
    from yaml._yaml import CParser
    from kube2pod.load import yamlcompose
    parser = yamlcompose.make_composer("a: 1")
    assert parser.check_node()
    print(json.dumps({"subclass": isinstance(parser, CParser) and not isinstance(parser, CSafeLoader),
                      "node": parser.get_node().value[0][1].value}))
"""


def test_pyyaml_c_parser_subclass_on_by_default_and_off_under_the_switch():
    pytest.importorskip("yaml._yaml")
    assert _observe(PYYAML, off=False) == {"subclass": True, "node": "1"}
    assert _observe(PYYAML, off=True) == {"subclass": False, "node": "1"}


EXIT = f"""
    import atexit, os, sys
    real = os._exit
    def reported(code):
        sys.stderr.write(f"os._exit({{code}})\\n")
        real(code)
    os._exit = reported
    atexit.register(lambda: sys.stderr.write("atexit\\n"))
    sys.argv = ["kube2pod", "convert", "examples/httpd.yaml"]
    from kube2pod.cli import run
    run()
"""


def test_exit_without_teardown_on_by_default_and_off_under_the_switch():
    on, off = _python(EXIT, off=False), _python(EXIT, off=True)
    assert (on.returncode, on.stderr) == (0, "atexit\nos._exit(0)\n")
    assert (off.returncode, off.stderr) == (0, "atexit\n")
    assert on.stdout == off.stdout and "podman pod create" in on.stdout
    bad = "kind: Pod\napiVersion: v1\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n"
    on, off = (subprocess.run([sys.executable, "-m", "kube2pod", "convert", "-"], input=bad, cwd=REPO,
                              env=_env(o), capture_output=True, text=True, timeout=60) for o in (False, True))
    assert on.returncode == off.returncode == 2 and on.stderr == off.stderr and "error" in on.stderr


CONVERT = """
    import contextlib, io, json, shutil, sys
    from pathlib import Path
    from kube2pod.cli import main
    inputs = sorted({str(p) for pattern in ("fixtures/*/input.yaml", "fixtures/conformance-*/*.yaml",
                                             "examples/*.yaml") for p in Path().glob(pattern)})
    results = {}
    for path in inputs:
        for fmt in ("sh", "json", "systemd"):
            out, err, units = io.StringIO(), io.StringIO(), Path(sys.argv[1])  # the same path both times
            shutil.rmtree(units, ignore_errors=True)
            units.mkdir()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["convert", "-o", fmt, path] + (["--out-dir", str(units)] if fmt == "systemd" else []))
            files = {p.name: p.read_text() for p in sorted(units.iterdir())}
            results[f"{path} {fmt}"] = [code, out.getvalue(), err.getvalue(), files]
    print(json.dumps(results))
"""


def test_convert_outputs_are_byte_identical_with_the_shortcuts_off(tmp_path):
    units = str(tmp_path / "units")
    on, off = _observe(CONVERT, False, units), _observe(CONVERT, True, units)
    assert len(on) >= 3 * 35, sorted(on)
    assert sum(1 for code, *_ in on.values() if code == 0) > 100  # mostly valid inputs, every format
    assert any(files for *_, files in on.values())
    for key in on:
        assert on[key] == off[key], key
    assert on.keys() == off.keys()
