"""The cheap model import: fast, and interchangeable with the normal import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
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
