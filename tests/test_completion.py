"""Completion scripts and the man page, generated from the parser: they load, they complete,
and the committed docs/kube2pod.1 is what the parser gives."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from support.k2p import REPO, run_cli

from kube2pod import __version__
from kube2pod.cli import _SUBCOMMANDS, build_parser
from kube2pod.render import manpage


def _script(shell: str) -> str:
    code, out, err = run_cli("completion", shell)
    assert code == 0, err
    return out


def _complete(tmp_path, words: list[str], cwd) -> list[str]:
    """What bash's completion function offers for ``kube2pod WORDS`` (the last word being typed)."""
    (tmp_path / "k.bash").write_text(_script("bash"))
    line = " ".join(["kube2pod", *words])
    probe = (f"source {tmp_path / 'k.bash'}\n"
             "complete -p kube2pod\n"
             f"COMP_WORDS=(kube2pod {' '.join(repr(w) if w else repr('') for w in words)})\n"
             f"COMP_CWORD={len(words)}; COMP_LINE={line!r}; COMP_POINT={len(line)}\n"
             "_kube2pod kube2pod; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], cwd=cwd, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first == "complete -o bashdefault -o default -F _kube2pod kube2pod"
    return rest


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


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_script_loads(tmp_path):
    (tmp_path / "k.zsh").write_text(_script("zsh"))
    done = subprocess.run(["zsh", "-f", "-c", f"source {tmp_path / 'k.zsh'}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_script_loads(tmp_path):
    done = subprocess.run(["fish", "--no-config", "-c", "source"], input=_script("fish"), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


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


def test_gen_man_writes_the_page(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "gen-man")], capture_output=True, text=True)
    assert done.returncode == 0 and "docs/kube2pod.1" in done.stdout, done.stderr
