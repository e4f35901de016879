"""Command line: convert, validate, apply, down.

Exit status: 0 success, 2 invalid input or usage (nothing touched), 1 failure while applying.
"""

from __future__ import annotations

import argparse
import sys

from kube2pod import __version__

EXIT_OK, EXIT_FAIL, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as for invalid input
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kube2pod", description="Turn Kubernetes YAML into Podman pods.")
    p.add_argument("--version", action="version", version=f"kube2pod {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def inputs(sp):
        sp.add_argument("inputs", nargs="+", metavar="FILE|DIR|-", help="manifests; - reads standard input")
        sp.add_argument("--strict", action="store_true", help="treat warnings as errors")
        sp.add_argument("--publish-all", action="store_true",
                        help="publish every containerPort, using it as hostPort when none is given")
        sp.add_argument("--selinux-relabel", choices=("auto", "none"), default="auto",
                        help="relabel host directories for SELinux (auto: Z for one pod, z when shared)")

    def podman(sp):
        sp.add_argument("--url", help="Podman service URL (default: $CONTAINER_HOST, the standard sockets, "
                                      "or a private service started for this command)")
        sp.add_argument("-q", "--quiet", action="store_true", help="print only errors")

    c = sub.add_parser("convert", help="print podman commands or the plan; touches nothing")
    inputs(c)
    c.add_argument("-o", "--output", choices=("sh", "json"), default="sh")
    c.add_argument("--no-start", action="store_true", help="leave out the pod start commands")

    v = sub.add_parser("validate", help="check manifests and report diagnostics")
    inputs(v)
    v.add_argument("-o", "--output", choices=("text", "json"), default="text")

    a = sub.add_parser("apply", help="create and start the pods on Podman")
    inputs(a)
    podman(a)
    a.add_argument("--no-start", action="store_true", help="create the pods without starting them")
    a.add_argument("--replace", action="store_true", help="take over same-named pods and volumes not made by kube2pod")

    d = sub.add_parser("down", help="remove what apply created for these manifests")
    inputs(d)
    podman(d)
    d.add_argument("--volumes", action="store_true", help="also remove persistent (PVC) volumes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("kube2pod: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _translate(args, report_format: str = "text"):
    """Load and translate; print diagnostics to stderr. Returns the Translation or None on errors."""
    from kube2pod.load import load
    from kube2pod.translate import Options, translate

    loaded = load(args.inputs, stdin=sys.stdin.buffer, strict=args.strict)
    diags = list(loaded.diagnostics)
    result = None
    if not loaded.has_errors:
        result = translate(loaded.manifests, Options(publish_all=args.publish_all,
                                                     relabel=args.selinux_relabel, strict=args.strict))
        diags += result.diagnostics
    _print_diagnostics(diags, report_format)
    if result is None or result.has_errors:
        return None
    return result


def _print_diagnostics(diags, fmt: str) -> None:
    from kube2pod.load.report import format_diagnostics

    if fmt == "json":
        print(format_diagnostics(diags, "json"))
    elif diags:
        print(format_diagnostics(diags, "text"), file=sys.stderr)


def cmd_convert(args) -> int:
    result = _translate(args)
    if result is None:
        return EXIT_INVALID
    if args.output == "json":
        from kube2pod.render import json as renderer

        text = renderer.render(result.plan)
    else:
        from kube2pod.render import shell
        from kube2pod.render.quoting import Unrepresentable

        try:
            text = shell.render(result.plan, start=not args.no_start)
        except Unrepresentable as exc:
            print(f"kube2pod: error: {exc}", file=sys.stderr)
            return EXIT_INVALID
    sys.stdout.write(text)
    return EXIT_OK


def cmd_validate(args) -> int:
    result = _translate(args, args.output)
    return EXIT_INVALID if result is None else EXIT_OK


def _run_on_podman(args, action) -> int:
    result = _translate(args)
    if result is None:
        return EXIT_INVALID
    from kube2pod.apply.connection import connect
    from kube2pod.apply.errors import ApplyError

    def report(event):
        if not args.quiet:
            print(event.format(), file=sys.stderr)

    try:
        with connect(args.url) as client:
            action(result.plan, client, report)
    except ApplyError as exc:
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def cmd_apply(args) -> int:
    from kube2pod.apply import executor

    return _run_on_podman(args, lambda plan, client, report: executor.apply(
        plan, client, start=not args.no_start, replace=args.replace, report=report))


def cmd_down(args) -> int:
    from kube2pod.apply import executor

    return _run_on_podman(args, lambda plan, client, report: executor.down(
        plan, client, volumes=args.volumes, report=report))


_COMMANDS = {"convert": cmd_convert, "validate": cmd_validate, "apply": cmd_apply, "down": cmd_down}
