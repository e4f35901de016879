"""Helpers for tests: the repository's paths, the kube2pod CLI run in-process, and a manifest
text translated."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from kube2pod.cli import main
from kube2pod.load import load
from kube2pod.translate import Options, Translation, translate

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "fixtures"


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``kube2pod ARGS`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()



def translate_text(tmp_path: Path, text: str, options: Options = Options()) -> Translation:
    """Translate the manifest ``text`` (written to ``tmp_path/m.yaml``), which must load cleanly."""
    f = tmp_path / "m.yaml"
    f.write_text(text)
    loaded = load([str(f)])
    assert not loaded.has_errors, [d.format() for d in loaded.diagnostics]
    return translate(loaded.manifests, options)


def apply_cli(url: str, *args) -> tuple[int, str, str]:
    """``kube2pod apply --url URL ARGS`` in this process (arguments may be paths)."""
    return run_cli("apply", "--url", url, *map(str, args))
