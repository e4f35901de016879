"""main() builds only the named command's subparser: it must parse and explain exactly as the full parser."""

import contextlib
import io

import pytest

from kube2pod.cli import _SUBCOMMANDS, build_parser, main

LINES = [
    ["convert", "a.yaml", "-o", "json", "--no-start"],
    ["convert", "-", "--strict", "--publish-all", "--selinux-relabel", "none", "--userns", "keep-id"],
    ["convert", "d/", "--check", "snap", "--formats", "sh,json"],
    ["validate", "a.yaml", "--host", "--url", "unix:///x", "-o", "json"],
    ["apply", "a.yaml", "b.yaml", "--url", "unix:///x", "-q", "--project", "p", "--dry-run", "--prune",
     "--wait", "--timeout", "5", "--fix-ownership", "--no-start", "--replace", "-o", "json"],
    ["diff", "a.yaml", "--fix-ownership"],
    ["down", "a.yaml", "--volumes", "-q"],
    ["apply", "-f", "a.yaml", "-f", "d/", "-R", "-n", "ns", "-l", "app in (a,b)", "--dry-run=client", "-o", "name",
     "--connection", "c"],
    ["logs", "deploy/web", "a.yaml", "--filename", "b.yaml", "-f", "--since", "5m", "--tail", "3", "-c", "c",
     "--all-containers", "--prefix", "--timestamps"],
    ["exec", "pod/x", "-f", "a.yaml", "-c", "c", "-i", "-t", "--", "sh", "-c", "echo hi"],
    ["completion", "bash"],
    ["completion", "--targets", "--url", "unix:///x"],
]


def _run(parser, argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = vars(parser.parse_args(argv))
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", LINES + [[name, "--help"] for name in _SUBCOMMANDS]
                         + [["convert"], ["apply", "a.yaml", "--timeout", "x"], ["down", "a.yaml", "--bogus"],
                            ["convert", "a.yaml", "-o", "xml"]])
def test_single_subparser_parses_as_the_full_parser(argv):
    full = _run(build_parser(), argv)
    assert full == _run(build_parser(argv[0]), argv)
    if full[0] != ("exit", 0):
        assert full[0] == ("exit", 2) or full[0]["command"] == argv[0]


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["bogus", "a.yaml"], ["-q", "convert", "a.yaml"]])
def test_lines_not_starting_with_a_command_get_the_full_parser(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    assert exc.value.code == (0 if argv in (["--help"], ["--version"]) else 2)
    if argv != ["--version"]:
        assert "{" + ",".join(_SUBCOMMANDS) + "}" in out + err
