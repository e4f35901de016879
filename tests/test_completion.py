"""Completion scripts and the man page, generated from the parser: they load, they complete,
and the committed docs/kube2pod.1 is what the parser gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.k2p import REPO, run_cli
from support.podman_env import in_ci

from kube2pod import __version__
from kube2pod.cli import _SUBCOMMANDS, build_parser
from kube2pod.render import manpage


def _script(shell: str) -> str:
    code, out, err = run_cli("completion", shell)
    assert code == 0, err
    return out


def _env(**extra: str) -> dict[str, str]:
    """The environment of a shell that completes: this kube2pod on PATH, no Podman of the caller's."""
    env = {k: v for k, v in os.environ.items() if k not in ("CONTAINER_HOST", "CONTAINER_CONNECTION")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def _complete(tmp_path, words: list[str], cwd, env: dict | None = None) -> list[str]:
    """What bash's completion function offers for ``kube2pod WORDS`` (the last word being typed)."""
    (tmp_path / "k.bash").write_text(_script("bash"))
    line = " ".join(["kube2pod", *words])
    probe = (f"source {tmp_path / 'k.bash'}\n"
             "complete -p kube2pod\n"
             f"COMP_WORDS=(kube2pod {' '.join(repr(w) if w else repr('') for w in words)})\n"
             f"COMP_CWORD={len(words)}; COMP_LINE={line!r}; COMP_POINT={len(line)}\n"
             "_kube2pod kube2pod; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], cwd=cwd, capture_output=True, text=True,
                          timeout=30, env=env or _env())
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first == "complete -o bashdefault -o default -F _kube2pod kube2pod"
    return rest


def _shell(name: str) -> str:
    """The shell's path; skipped when it is missing (scripts/setup-podman installs it), failed under CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/setup-podman installs it)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def _fish_complete(tmp_path, line: str, cwd=None, env: dict | None = None) -> list[str]:
    """The candidates fish offers for the command line ``line`` (``complete -C``), without descriptions."""
    (tmp_path / "k.fish").write_text(_script("fish"))
    done = subprocess.run([_shell("fish"), "--no-config", "-c", f"source {tmp_path / 'k.fish'}; complete -C {line!r}"],
                          cwd=cwd or tmp_path, capture_output=True, text=True, timeout=30, env=env or _env())
    assert done.returncode == 0 and not done.stderr, done.stderr
    return [row.split("\t", 1)[0] for row in done.stdout.splitlines()]


def _zsh_complete(tmp_path, typed: str) -> str:
    """The command line an interactive zsh (in a pty) holds after ``typed`` and a TAB."""
    import pty
    import select
    import time

    (tmp_path / "k.zsh").write_text(_script("zsh"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: an interactive zsh without any startup file
        os.chdir(tmp_path)
        os.execve(_shell("zsh"), ["zsh", "-f", "-i"], {**_env(), "TERM": "dumb", "PS1": "> "})
    seen = b""

    def read_until(marker: bytes, timeout: float = 20.0) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break

    try:
        os.write(fd, f"source {tmp_path / 'k.zsh'}; print LOADED-$?\n".encode())
        read_until(b"LOADED-0\r\n")
        assert b"LOADED-0\r\n" in seen, seen
        os.write(fd, typed.encode() + b"\t")
        time.sleep(1.0)  # the completion redraws the line
        os.write(fd, b"\x01print -r -- LINE:\n")  # to the start of the line, then print what it holds
        read_until(b"\n", 0)
        seen = b""
        read_until(b"\r\n> ")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    lines = [x for x in seen.decode(errors="replace").splitlines() if x.startswith("LINE:")]
    assert lines, seen
    return lines[-1].removeprefix("LINE:")


def test_bash_completes_commands_options_choices_and_files(tmp_path):
    (tmp_path / "app.yaml").write_text("")
    (tmp_path / "apple.json").write_text("")
    assert _complete(tmp_path, ["lo"], tmp_path) == ["logs"]
    assert sorted(_complete(tmp_path, [""], tmp_path)) == sorted([*_SUBCOMMANDS, "-h", "--help", "--version"])
    assert set(_complete(tmp_path, ["apply", "--dry"], tmp_path)) == {"--dry-run"}
    assert _complete(tmp_path, ["convert", "-o", "q"], tmp_path) == ["quadlet"]
    assert sorted(_complete(tmp_path, ["apply", "ap"], tmp_path)) == ["app.yaml", "apple.json"]
    assert sorted(_complete(tmp_path, ["apply", "-f", "app"], tmp_path)) == ["app.yaml", "apple.json"]
    assert _complete(tmp_path, ["completion", "f"], tmp_path) == ["fish"]


def test_every_option_of_the_parser_is_in_every_script():
    scripts = {shell: _script(shell) for shell in ("bash", "zsh", "fish")}
    from kube2pod.render.completion import commands

    for name, (_, sp) in commands(build_parser()).items():
        for action in sp._actions:
            for flag in action.option_strings:
                if action.help == "==SUPPRESS==":
                    continue
                assert flag in scripts["bash"] and flag in scripts["zsh"], (name, flag)
                fish_form = f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
                assert fish_form in scripts["fish"], (name, flag)


def test_zsh_script_loads_and_completes_a_subcommand(tmp_path):
    (tmp_path / "k.zsh").write_text(_script("zsh"))
    done = subprocess.run([_shell("zsh"), "-f", "-c", f"source {tmp_path / 'k.zsh'}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _zsh_complete(tmp_path, "kube2pod lo").split() == ["kube2pod", "logs"]
    assert _zsh_complete(tmp_path, "kube2pod convert -o qu").split() == ["kube2pod", "convert", "-o", "quadlet"]


def test_fish_script_loads_and_completes_a_subcommand(tmp_path):
    done = subprocess.run([_shell("fish"), "--no-config", "-c", "source"], input=_script("fish"), capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert _fish_complete(tmp_path, "kube2pod lo") == ["logs"]
    assert _fish_complete(tmp_path, "kube2pod st") == ["status"]
    assert _fish_complete(tmp_path, "kube2pod convert -o q") == ["quadlet"]
    (tmp_path / "app.yaml").write_text("")
    assert "app.yaml" in _fish_complete(tmp_path, "kube2pod apply ap")


def test_connection_names_complete_from_podmans_connection_files(tmp_path):
    conf = tmp_path / "containers.conf"
    conf.write_text('[engine.service_destinations.alpha]\nuri = "ssh://root@a:22/run/podman/podman.sock"\n'
                    '[engine.service_destinations.beta]\nuri = "unix:///run/b.sock"\n')
    env = _env(CONTAINERS_CONF=str(conf), PODMAN_CONNECTIONS_CONF=str(tmp_path / "none.json"))
    assert _complete(tmp_path, ["logs", "--connection", ""], tmp_path, env) == ["alpha", "beta"]
    assert _complete(tmp_path, ["status", "--connection", "b"], tmp_path, env) == ["beta"]
    assert _fish_complete(tmp_path, "kube2pod apply --connection ", env=env) == ["alpha", "beta"]
    code, out, _ = run_cli("completion", "--connections")  # the same reader --connection uses
    assert code == 0


@pytest.mark.podman
def test_status_completes_object_names_and_files(tmp_path, podman_url, podman_clean):
    work = tmp_path / "work"
    work.mkdir()
    manifest = work / "web.yaml"
    manifest.write_text(DEPLOYMENT)
    assert run_cli("apply", "--url", podman_url, str(manifest))[0] == 0
    env = _env(CONTAINER_HOST=podman_url)
    names = ["deploy/web", "pod/web-pod-0", "pod/web-pod-1"]
    assert _complete(tmp_path, ["status", ""], work, env) == [*names, "web.yaml"]
    assert _complete(tmp_path, ["status", "web.yaml", "dep"], work, env) == ["deploy/web"]
    assert _complete(tmp_path, ["status", "w"], work, env) == ["web.yaml"]
    assert _fish_complete(tmp_path, "kube2pod status po", work, env) == ["pod/web-pod-0", "pod/web-pod-1"]
    assert _complete(tmp_path, ["logs", "de"], work, env) == ["deploy/web"]


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: localhost/busybox:latest
        imagePullPolicy: Never
        command: [sleep, "600"]
"""


def test_completion_needs_a_shell():
    code, _, err = run_cli("completion")
    assert code == 2 and "name the shell" in err
    assert run_cli("completion", "tcsh")[0] == 2


def test_man_page_is_the_parsers():
    committed = (REPO / "docs" / "kube2pod.1").read_text(encoding="utf-8")
    assert committed == manpage.page(build_parser(), __version__), \
        "docs/kube2pod.1 is stale: run .venv/bin/python scripts/gen-man"
    for name in _SUBCOMMANDS:
        assert f".SS {name}\n" in committed
    assert ".SH EXIT STATUS\n" in committed and "\\fB3\\fR\nstatus: something is not ready" in committed


def test_gen_man_writes_the_page(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "gen-man")], capture_output=True, text=True)
    assert done.returncode == 0 and "docs/kube2pod.1" in done.stdout, done.stderr
