"""The layers of docs/architecture.md: each package of kube2pod imports only the layers the
table there allows (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import kube2pod

ROOT = Path(kube2pod.__file__).parent
BASE = {"kube2pod", "diagnostics", "gcpause", "shortcuts"}  # the package itself, and the bottom layer
ALLOWED = {
    "diagnostics": set(), "gcpause": set(), "shortcuts": set(), "__main__": {"cli"},
    "plan": BASE,
    "load": BASE,
    "translate": BASE | {"load", "plan"},
    "spec": BASE | {"plan"},
    "render": BASE | {"plan", "spec"},
    "host": BASE | {"plan"},
    "pipeline": BASE | {"load", "translate", "plan", "spec", "host"},
    "snapshot": BASE | {"pipeline", "load", "translate", "plan", "spec", "render"},
    "apply": BASE | {"plan", "spec", "render", "host"},
    "cli": BASE | {"pipeline", "load", "translate", "plan", "spec", "render", "snapshot", "host", "apply"},
}


def _layer(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The kube2pod layers a module imports (``kube2pod.x.y`` -> ``x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"kube2pod.{a.name}" for a in node.names if node.module == "kube2pod"
                                     and ((ROOT / a.name).exists() or (ROOT / f"{a.name}.py").exists())]
        for name in names:
            parts = name.split(".")
            if parts[0] == "kube2pod":
                found.add(parts[1] if len(parts) > 1 else "kube2pod")
    return found


def test_every_layer_imports_only_what_it_may():
    wrong = []
    for path in sorted(ROOT.rglob("*.py")):
        layer = _layer(path)
        if layer == "__init__":
            continue
        extra = _imports(path) - ALLOWED[layer] - {layer}
        wrong += [f"{path.relative_to(ROOT)} imports kube2pod.{x}" for x in sorted(extra)]
    assert not wrong, wrong


def test_the_table_knows_every_layer():
    layers = {_layer(p) for p in ROOT.rglob("*.py")} - {"__init__"}
    assert layers == set(ALLOWED)
