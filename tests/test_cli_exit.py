"""The console entry point (``kube2pod``, ``python -m kube2pod``) exits without the interpreter's
teardown: the output must still be complete, the exit status right and the atexit handlers run."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

from kube2pod.cli import main

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: c
      image: localhost/busybox:latest
      command: [sh, -c, "echo {name}; sleep 1"]
      env:
        - {{name: A, value: "{name}"}}
"""


def _cli(*args: str, stdin=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kube2pod", *args], capture_output=True, stdin=stdin, **kw)


def test_large_output_through_a_pipe_is_complete(tmp_path: Path):
    stream = tmp_path / "stream.yaml"
    stream.write_text("---\n".join(POD.format(name=f"p{i}") for i in range(300)))
    expected = io.StringIO()
    with contextlib.redirect_stdout(expected):
        assert main(["convert", str(stream)]) == 0
    proc = _cli("convert", str(stream))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == expected.getvalue()
    assert len(proc.stdout) > 64 * 1024  # more than one pipe buffer


def test_exit_status_and_messages(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Pod\napiVersion: v1\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n")
    proc = _cli("convert", str(bad))
    assert proc.returncode == 2 and b"bad.yaml:" in proc.stderr and proc.stdout == b""
    proc = _cli("--version")
    assert (proc.returncode, proc.stdout.strip()) == (0, b"kube2pod 0.1.0")
    proc = _cli("convert", "--bogus", str(bad))
    assert proc.returncode == 2 and b"unrecognized arguments: --bogus" in proc.stderr
    proc = _cli("convert", "-", input=b"kind: [\n")
    assert proc.returncode == 2 and b"<stdin>:" in proc.stderr and b"YAML syntax error" in proc.stderr
    assert proc.stderr.count(b"\n") == 1  # one line per diagnostic, no blank line after them


def test_atexit_handlers_still_run(tmp_path: Path):
    pod, marker = tmp_path / "pod.yaml", tmp_path / "ran"
    pod.write_text(POD.format(name="one"))
    code = (f"import atexit, sys\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))\n"
            f"sys.argv = ['kube2pod', 'convert', {str(pod)!r}]\n"
            f"from kube2pod.cli import run\n"
            f"run()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert marker.read_text() == "yes"
    assert b"podman pod create" in proc.stdout


def test_reader_going_away_is_quiet(tmp_path: Path):
    stream = tmp_path / "stream.yaml"
    stream.write_text("---\n".join(POD.format(name=f"p{i}") for i in range(300)))
    proc = subprocess.run(f"{sys.executable} -m kube2pod convert {stream} | head -c 10; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True)
    assert proc.returncode == 0
    assert proc.stdout == b"#!/bin/sh\n"
    assert proc.stderr == b""
