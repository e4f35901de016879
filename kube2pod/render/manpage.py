"""The man page kube2pod(1), written in roff from the argparse parser (``scripts/gen-man``).

One section per command, with its usage line, its help and every documented option; the
committed docs/kube2pod.1 is checked against the parser by tests/test_completion.py.
"""

from __future__ import annotations

import argparse

from kube2pod.render.completion import commands, options

_SEE_ALSO = "kubectl(1), podman(1), podman-system-connection(1)"


def _esc(text: str) -> str:
    text = " ".join(str(text).split()).replace("\\", "\\\\").replace("-", "\\-")
    return ("\\&" + text) if text.startswith((".", "'")) else text


def _usage(sp: argparse.ArgumentParser) -> str:
    return " ".join(sp.format_usage().removeprefix("usage:").split())


def _option(a: argparse.Action) -> list[str]:
    value = "" if a.nargs == 0 else " " + str(a.metavar or (("{" + ",".join(map(str, a.choices)) + "}")
                                                             if a.choices else a.dest.upper()))
    head = ", ".join(f"\\fB{_esc(s)}\\fR{_esc(value)}" for s in a.option_strings)
    return [".TP", head, _esc(a.help or "")]


EXIT_STATUS = (
    ("0", "success; status: everything is ready"),
    ("1", "a failure while applying (what the run created has been removed), or Podman could not be reached"),
    ("2", "invalid input or usage (nothing was touched), also an unknown target, container, connection, "
          "project or selector"),
    ("3", "status: something is not ready, missing, or drifted from the manifests"),
    ("130", "interrupted (Ctrl-C)"),
    ("exec", "the command's own exit status"),
)


def page(parser: argparse.ArgumentParser, version: str) -> str:
    out = [f'.TH KUBE2POD 1 "" "kube2pod {version}" "User Commands"',
           ".SH NAME", "kube2pod \\- " + _esc(parser.description or ""),
           ".SH SYNOPSIS", f"\\fBkube2pod\\fR {{{','.join(commands(parser))}}} ...",
           ".SH DESCRIPTION",
           _esc("Each command's options follow. docs/cli.md says which kubectl or podman command each mirrors."),
           ".SH COMMANDS"]
    for name, (help_, sp) in commands(parser).items():
        out += [".SS " + name, _esc(help_), ".PP", "\\fB" + _esc(_usage(sp)) + "\\fR"]
        for a in sp._actions:
            if not a.option_strings and a.help != argparse.SUPPRESS and not isinstance(a, argparse._SubParsersAction):
                out += [".TP", f"\\fI{_esc(a.metavar or a.dest)}\\fR", _esc(a.help or "")]
        for a in options(sp):
            out += _option(a)
    out += [".SH EXIT STATUS", *(x for code, meaning in EXIT_STATUS for x in (".TP", f"\\fB{code}\\fR", _esc(meaning)))]
    out += [".SH ENVIRONMENT", ".TP", "\\fBCONTAINER_HOST\\fR", _esc("the Podman service URL when --url is not given"),
            ".TP", "\\fBCONTAINER_CONNECTION\\fR", _esc("a podman system connection name, when neither --url, "
                                                        "--connection nor CONTAINER_HOST is given"),
            ".SH SEE ALSO", _SEE_ALSO]
    return "\n".join(out) + "\n"
