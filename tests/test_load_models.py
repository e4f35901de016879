"""The cheap model import: fast, and interchangeable with the normal import."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(code: str) -> str:
    """Run ``code`` in a fresh process with the shortcuts on (the cheap import is one of them;
    tests/test_shortcuts.py checks the switch), whether or not this suite runs with them off."""
    env = {k: v for k, v in os.environ.items() if k != "KUBE2POD_NO_SHORTCUTS"}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


POD = ("apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\n"
       "spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}\\n")


def test_cheap_import_skips_the_heavy_packages_and_stays_compatible():
    out = run(f"""
        import sys
        from kube2pod.load import load_text
        r = load_text("{POD}")
        assert not r.diagnostics, r.diagnostics
        pod = r.manifests[0].obj
        assert "kubernetes.config" not in sys.modules and "kubernetes" not in sys.modules
        # the normal import afterwards gives the same classes, and the client can use our objects
        from kubernetes.client import ApiClient, V1Pod
        assert type(pod) is V1Pod
        wire = ApiClient().sanitize_for_serialization(pod)
        assert wire["spec"]["containers"][0]["ports"][0]["containerPort"] == 80, wire
        assert pod.to_dict()["spec"]["containers"][0]["image"] == "i"
        assert pod.model_dump(by_alias=True, exclude_none=True)["metadata"] == {{"name": "p"}}
        print("ok")
    """)
    assert out.strip() == "ok"


def test_only_the_model_modules_met_are_imported_and_the_rest_complete_on_use():
    out = run(f"""
        import sys
        from kube2pod.load import load_text
        r = load_text("{POD}")
        assert not r.diagnostics, r.diagnostics
        loaded = sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("kubernetes.client.models."))
        assert loaded == ["v1_container", "v1_container_port", "v1_object_meta", "v1_pod", "v1_pod_spec"], loaded
        pod = r.manifests[0].obj
        cls = type(pod)
        # classes whose imports were deferred complete themselves on first use, as after a normal import
        data = {{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p"}},
                 "spec": {{"containers": [{{"name": "c", "image": "i", "ports": [{{"containerPort": 80}}]}}],
                          "affinity": {{"nodeAffinity": {{}}}}, "securityContext": {{"runAsUser": 1}}}}}}
        theirs = cls.model_validate(data)
        assert type(theirs.spec.affinity).__name__ == "V1Affinity"
        assert theirs.spec.security_context.run_as_user == 1
        assert cls.from_dict(data) == theirs
        assert pod.to_dict()["spec"]["containers"][0]["ports"][0]["container_port"] == 80
        assert pod.model_dump(by_alias=True, exclude_none=True)["metadata"] == {{"name": "p"}}
        assert "kubernetes" not in sys.modules
        print("ok")
    """)
    assert out.strip() == "ok"


def test_dropping_model_imports_touches_only_that_exact_form():
    import dis

    from kube2pod.shortcuts import drop_model_imports as _drop_model_imports

    src = textwrap.dedent("""
        from kubernetes.client.models.v1_pod import V1Pod
        from kubernetes.client.models.v1_pod import V1Pod as Renamed
        from kubernetes.client.models.v1_pod import V1Pod, V1PodSpec
        from typing import Optional
        import kubernetes.client.models.v1_pod
        x = 1
    """)
    original = compile(src, "<test>", "exec")
    code = _drop_model_imports(original)

    def imports(c):
        return [(i.positions.lineno, i.argval) for i in dis.get_instructions(c) if i.opname == "IMPORT_NAME"]

    assert imports(original)[0] == (2, "kubernetes.client.models.v1_pod")
    assert imports(code) == imports(original)[1:]  # only the plain form is gone
    assert code.co_lines and list(code.co_lines()) == list(original.co_lines())
    ns = {"__builtins__": __builtins__}
    exec(_drop_model_imports(compile("from kubernetes.client.models.v1_pod import V1Pod\nx = 1\n", "<t>", "exec")), ns)
    assert ns["x"] == 1 and "V1Pod" not in ns


def test_works_when_kubernetes_was_imported_first():
    out = run(f"""
        import kubernetes.client
        from kube2pod.load import load_text
        r = load_text("{POD}")
        assert not r.diagnostics
        assert type(r.manifests[0].obj) is kubernetes.client.V1Pod
        print("ok")
    """)
    assert out.strip() == "ok"


def test_models_are_equal_to_validated_ones():
    out = run(f"""
        from kube2pod.load import load_text
        from kubernetes.client import V1Pod
        r = load_text("{POD}")
        ours = r.manifests[0].obj
        theirs = V1Pod.from_dict(r.manifests[0].data)
        assert ours == theirs, (ours, theirs)
        print("ok")
    """)
    assert out.strip() == "ok"


def test_every_decoded_field_is_a_pydantic_field():
    """attribute_map names (e.g. ``_exec``) are mapped to the real field names (``var_exec``)."""
    import re

    from kube2pod.load.kinds import SUPPORTED
    from kube2pod.load.models import fields_of, model_class

    seen, todo = set(), [k.model for k in SUPPORTED.values()]
    while todo:
        name = todo.pop()
        if name in seen or model_class(name) is None:
            continue
        seen.add(name)
        cls = model_class(name)
        for json_key, (field, typ) in fields_of(name).items():
            assert field in cls.model_fields, (name, json_key, field)
            todo.extend(re.findall(r"V1[A-Za-z0-9]+|CoreV1[A-Za-z0-9]+", typ))
    assert len(seen) > 100


def test_falls_back_to_the_normal_import():
    out = run(f"""
        import sys
        from kube2pod.load import models
        models._models_dir()  # prime the real index, then break the cheap path
        models._models_dir.cache_clear()
        index = models._module_index()
        models._models_dir = lambda: "/nonexistent/kubernetes/client/models"
        from kube2pod.load import load_text
        r = load_text("{POD}")
        assert not r.diagnostics, r.diagnostics
        import kubernetes.client
        assert type(r.manifests[0].obj) is kubernetes.client.V1Pod
        assert not getattr(sys.modules["kubernetes"], "__kube2pod_stub__", False)
        print("ok")
    """)
    assert out.strip() == "ok"
