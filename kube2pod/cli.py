"""Command line: convert, validate, apply, diff, down, status, logs, exec, completion (docs/cli.md).

Exit status: 0 success, 2 invalid input or usage (nothing touched), 1 failure while applying;
status: 3 when something is not ready, missing or drifted; exec: the command's exit status;
130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys

from kube2pod import __version__

EXIT_OK, EXIT_FAIL, EXIT_INVALID, EXIT_NOT_READY = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as for invalid input
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line parser; with ``only`` (a command name), just that command's subparser
    (what ``main`` builds for a command line that starts with the command: same parse, less work)."""
    p = _Parser(prog="kube2pod", description="Turn Kubernetes YAML into Podman pods.")
    p.add_argument("--version", action="version", version=f"kube2pod {__version__}")
    # with one subparser, the usage line still lists every command, as the full parser's does
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser,
                           metavar=None if only is None else "{" + ",".join(_SUBCOMMANDS) + "}")
    for name, (help_, add) in _SUBCOMMANDS.items():
        if only is None or only == name:
            add(sub.add_parser(name, help=help_))
    return p


def _files(sp, short_f: bool = True, positional: bool = True) -> None:
    """The manifests: positional files and kubectl's -f/--filename, -R, -n and -l."""
    if positional:
        sp.add_argument("inputs", nargs="*", metavar="FILE|DIR|-",
                        help="manifests (a directory: every manifest under it); - reads standard input")
    sp.add_argument(*(("-f",) if short_f else ()), "--filename", action="append", default=[], metavar="FILE|DIR|-",
                    dest="filenames", help="manifests, as kubectl -f (repeatable; a directory: its files; "
                                           "with -R, its subdirectories' too)")
    sp.add_argument("-R", "--recursive", action="store_true", help="-f DIR also reads DIR's subdirectories")
    sp.add_argument("-n", "--namespace", help="only the objects of this namespace (none given: \"default\"); "
                                              "default: every namespace of the input")
    sp.add_argument("-l", "--selector", help="only the objects whose labels match, as kubectl -l "
                                             "(k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k; comma: and)")


def _inputs(sp) -> None:
    _files(sp)
    sp.set_defaults(need_inputs=True)
    _translation(sp)


def _translation(sp) -> None:
    """The options that change the translation (and so the pods' hashes)."""
    sp.add_argument("--strict", action="store_true", help="treat warnings as errors")
    sp.add_argument("--publish-all", action="store_true",
                    help="publish every containerPort, using it as hostPort when none is given")
    sp.add_argument("--selinux-relabel", choices=("auto", "none"), default="auto",
                    help="relabel host directories for SELinux (auto: Z for one pod, z when shared)")
    sp.add_argument("--userns", metavar="MODE",
                    help="user namespace of every pod, as kube play --userns (host, auto[:...], keep-id[:...], "
                         "nomap, ns:PATH, private = auto); overrides hostUsers and the userns annotation")
    sp.add_argument("--project", help="name of this input set: its networks (PROJECT_NAMESPACE), labels, lock and "
                                      "--prune scope (default: the first input's name without extension); "
                                      "status without manifests: only this project's objects")
    sp.add_argument("--network", metavar="NAME|host|none",
                    help="the network every pod joins instead of the project's own (NAME: created if missing, "
                         "else joined as it is); host/none: no Service names (docs/networking.md)")
    sp.add_argument("--service-proxy-image", metavar="IMAGE",
                    help="image of the Service proxies: a busybox with nc -e (default: "
                         "$KUBE2POD_SERVICE_PROXY_IMAGE, else docker.io/library/busybox:1.36)")


def _service(sp) -> None:
    sp.add_argument("--url", help="Podman service URL (default: $CONTAINER_HOST, the standard sockets, "
                                  "or a private service started for this command)")
    sp.add_argument("--connection", metavar="NAME", help="the Podman of `podman system connection` NAME "
                                                         "(default: $CONTAINER_CONNECTION when set)")


def _podman(sp) -> None:
    _service(sp)
    sp.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    sp.add_argument("-o", "--output", choices=("text", "json", "name"), default="text",
                    help="json: one event object per line on standard output; name: kind/name of each object")


def _podman_version(text: str):
    """``--podman-version X.Y``: a usage error (exit 2) unless MAJOR.MINOR of Podman 4.0 or later."""
    from kube2pod.spec.version import Version

    try:
        version = Version.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if version < (4, 0):
        raise argparse.ArgumentTypeError(f"Podman {version} is not supported: kube2pod targets Podman 4.0 or later")
    return version


def _version_arg(sp, what: str) -> None:
    sp.add_argument("--podman-version", metavar="X.Y", type=_podman_version,
                    help=f"the Podman {what} is for (default: the installed podman's version, else 4.3)")


def _convert_args(c) -> None:
    _inputs(c)
    _version_arg(c, "the output")
    from kube2pod.render.formats import FORMATS

    c.add_argument("-o", "--output", choices=(*FORMATS, "name"), default="sh",
                   help="sh: podman commands; json/yaml: the plan; quadlet: systemd units (needs --out-dir); "
                        "name: kind/name of each object")
    c.add_argument("--no-start", action="store_true", help="leave out the pod start commands")
    c.add_argument("--out-dir", metavar="DIR", help="directory -o quadlet writes its unit files to")
    c.add_argument("--show-secrets", action="store_true", help="put secret values in the output (default: redacted)")
    c.add_argument("--check", metavar="DIR", help="compare with the snapshots in DIR; exit 1 with a diff if they differ")
    c.add_argument("--update-snapshots", metavar="DIR", help="write the snapshots to DIR")
    c.add_argument("--formats", default="sh,json,quadlet,diagnostics",
                   help="snapshot files for --check/--update-snapshots (sh,json,yaml,quadlet,diagnostics)")


def _validate_args(v) -> None:
    _inputs(v)
    _version_arg(v, "the manifests are checked")
    v.add_argument("-o", "--output", choices=("text", "json", "name"), default="text",
                   help="json: the diagnostics as JSON; name: kind/name of each object")
    v.add_argument("--host", action="store_true",
                   help="also check the plan against this host and its Podman (ports, subuids, host paths)")
    _service(v)


def _apply_args(a) -> None:
    _inputs(a)
    _podman(a)
    a.add_argument("--no-start", action="store_true", help="create the pods without starting them")
    a.add_argument("--replace", action="store_true", help="take over same-named pods and volumes not made by kube2pod")
    a.add_argument("--dry-run", dest="dry_run", action="store_const", const="server",
                   help="show what apply would do; change nothing. --dry-run=server (= --dry-run): "
                        "what it would create, recreate or leave on this Podman; --dry-run=client: "
                        "the podman commands, as convert, without contacting Podman")
    for mode in ("client", "server", "none"):  # kubectl's spellings: matched whole, before "=" splits
        a.add_argument(f"--dry-run={mode}", dest="dry_run", action="store_const",
                       const=None if mode == "none" else mode, help=argparse.SUPPRESS)
    a.add_argument("--prune", action="store_true",
                   help="remove this project's pods and pod volumes that the manifests no longer have")
    a.add_argument("--wait", action="store_true", help="wait until the containers run and are healthy")
    a.add_argument("--timeout", type=float, default=120.0, help="seconds --wait waits (default 120)")
    a.add_argument("--fix-ownership", action="store_true",
                   help="chown hostPath directories a non-root container user must write (podman unshare "
                        "chown when rootless)")


def _diff_args(f) -> None:
    _inputs(f)
    _podman(f)
    f.add_argument("--fix-ownership", action="store_true", help="show the ownership fixes apply --fix-ownership makes")


def _down_args(d) -> None:
    _inputs(d)
    _podman(d)
    d.add_argument("--volumes", action="store_true", help="also remove persistent (PVC) volumes")


def _status_args(s) -> None:
    s.add_argument("inputs", nargs="*", metavar="FILE|DIR|-|TARGET",
                   help="manifests (none: every kube2pod object on the host); KIND/NAME (deploy/web, pod/x): "
                        "only that object's pods and their volumes")
    _files(s, positional=False)
    _translation(s)
    _service(s)
    s.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table",
                   help="table: one row per object; json/yaml: the same facts as data")


def _target(sp) -> None:
    _service(sp)
    sp.add_argument("--project", help="with no manifests: only the pods applied as this project")
    sp.add_argument("-c", "--container", metavar="NAME", help="the container (default: the pod's only or first one)")


def _logs_args(g) -> None:
    g.add_argument("target", metavar="TARGET", help="pod/NAME, deploy/NAME (every replica), sts/, rs/, ds/, job/, "
                                                    "or NAME (a pod, else a workload)")
    _files(g, short_f=False)
    _target(g)
    g.add_argument("-f", "--follow", action="store_true", help="keep printing new lines until Ctrl-C")
    g.add_argument("--since", metavar="DURATION", help="only lines newer than this (30s, 5m, 1h)")
    g.add_argument("--tail", type=int, default=-1, metavar="N", help="the last N lines of each container (-1: all)")
    g.add_argument("--all-containers", action="store_true", help="every container of the pods, init containers too")
    g.add_argument("--prefix", action="store_true",
                   help="begin each line with [pod/POD/CONTAINER] (always when several containers are shown)")
    g.add_argument("--timestamps", action="store_true", help="begin each line with its time")


def _exec_args(e) -> None:
    e.add_argument("target", metavar="TARGET", help="as for logs; a workload: its first pod")
    e.add_argument("words", nargs="+", metavar="COMMAND", help="the command and its arguments, after --")
    _files(e, positional=False)
    _target(e)
    e.add_argument("-i", "--stdin", action="store_true", help="pass standard input (default: when it is a terminal)")
    e.add_argument("-t", "--tty", action="store_true",
                   help="allocate a terminal (default: when standard input and output are terminals)")


def _completion_args(c) -> None:
    c.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"),
                   help="print the completion script; e.g. `source <(kube2pod completion bash)`")
    c.add_argument("--targets", action="store_true", help=argparse.SUPPRESS)  # what the scripts call
    c.add_argument("--connections", action="store_true", help=argparse.SUPPRESS)
    _service(c)


_SUBCOMMANDS = {
    "convert": ("print podman commands or the plan; touches nothing", _convert_args),
    "validate": ("check manifests and report diagnostics", _validate_args),
    "apply": ("create and start the pods on Podman", _apply_args),
    "diff": ("show what apply would create, recreate, leave or prune; changes nothing", _diff_args),
    "down": ("remove what apply created for these manifests", _down_args),
    "status": ("show what runs, whether it is ready, and what drifted from the manifests", _status_args),
    "logs": ("print the logs of a pod's or workload's containers", _logs_args),
    "exec": ("run a command in a container of a pod or workload", _exec_args),
    "completion": ("print the shell completion script for bash, zsh or fish", _completion_args),
}


def run() -> None:
    """Console entry point: ``main()``, flush the output, then exit without the interpreter's
    teardown (:func:`kube2pod.shortcuts.exit_process`: the atexit handlers run, nothing is lost).

    When the reader went away, the rest of the output goes to /dev/null, so that an exit with
    the teardown (shortcuts off) does not complain either.
    """
    from kube2pod import shortcuts

    try:
        code = main()
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        if not isinstance(exc.code, (int, type(None))):
            raise  # a message: Python's own exit prints it
        code = exc.code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError):
                pass
        except ValueError:  # the stream is closed
            pass
    shortcuts.exit_process(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = argv[0] if argv and argv[0] in _SUBCOMMANDS else None  # else: the full parser explains
    parser = build_parser(command)
    args = parser.parse_args(argv)
    try:
        problem = _prepare(args)
        if problem:
            parser.print_usage(sys.stderr)
            print(f"kube2pod {args.command}: error: {problem}", file=sys.stderr)
            return EXIT_INVALID
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("kube2pod: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _prepare(args) -> str:
    """Fold -f/--filename into ``args.inputs`` and --connection into ``args.url``/``args.identity``;
    a usage problem's message, or ""."""
    if hasattr(args, "filenames"):
        files, problem = _filenames(args.filenames, args.recursive)
        if problem:
            return problem
        args.inputs = [*getattr(args, "inputs", []), *files]
        if getattr(args, "need_inputs", False) and not args.inputs:
            return "no manifests: give FILE|DIR|- or -f FILE"
    if hasattr(args, "url"):
        args.identity = ""
        name = args.connection or (None if args.url or os.environ.get("CONTAINER_HOST")
                                   else os.environ.get("CONTAINER_CONNECTION"))
        if args.connection and args.url:
            return "give --url or --connection, not both"
        if name:
            from kube2pod.apply import saved_connections
            from kube2pod.apply.errors import ConnectionFailed

            try:
                dest = saved_connections.lookup(name)
            except ConnectionFailed as exc:
                return str(exc)
            args.url, args.identity = dest.url, dest.identity
    return ""


def _filenames(names: list[str], recursive: bool) -> tuple[list[str], str]:
    """kubectl's -f: a file as it is; a directory: its manifest files (-R: the loader walks it all)."""
    if not names:
        return [], ""
    from kube2pod.load.inputs import MANIFEST_SUFFIXES

    files = []
    for name in names:
        if recursive or not os.path.isdir(name):
            files.append(name)
            continue
        found = sorted(e.path for e in os.scandir(name) if e.is_file() and not e.name.startswith(".")
                       and e.name.lower().endswith(MANIFEST_SUFFIXES))
        if not found:
            return [], (f"directory {name} has no {', '.join(MANIFEST_SUFFIXES)} files "
                        "(-R also reads its subdirectories)")
        files += found
    return files, ""


def _options(args):
    """The pipeline options of the input arguments (logs and exec: the defaults)."""
    from kube2pod.diagnostics import ErrorLevel
    from kube2pod.pipeline import Options

    proxy = getattr(args, "service_proxy_image", None) or os.environ.get("KUBE2POD_SERVICE_PROXY_IMAGE")
    extra = {"proxy_image": proxy} if proxy else {}
    return Options(publish_all=getattr(args, "publish_all", False), relabel=getattr(args, "selinux_relabel", "auto"),
                   userns=getattr(args, "userns", None) or "",
                   level=ErrorLevel.ERROR if getattr(args, "strict", False) else ErrorLevel.WARN,
                   project=getattr(args, "project", None) or "",
                   network=getattr(args, "network", None) or "", **extra)


def _object_names(outcome) -> str:
    """``kind[.group]/name`` of each chosen object, one a line, as kubectl -o name."""
    lines = []
    for m in outcome.loaded.manifests:
        group = m.api_version.rpartition("/")[0] if "/" in m.api_version else ""
        lines.append(f"{m.kind.lower()}{'.' + group if group else ''}/{m.name}\n")
    return "".join(lines)


def _plan(args, report_format: str = "text", host=None, host_objects=None, target=None):
    """Run the pipeline on the inputs; print its diagnostics. Returns the Outcome, or None on errors.
    ``host(paths) -> HostFacts`` adds the host preflight (validate --host); ``host_objects()``
    reads the ConfigMaps and Secrets kept on the host (apply, diff, down); ``target``: the
    version gates (pipeline.Target)."""
    from kube2pod import pipeline

    try:
        outcome = pipeline.run(args.inputs, _options(args), stdin=sys.stdin.buffer, host=host,
                               namespace=args.namespace, selector=args.selector, host_objects=host_objects,
                               target=target)
    except (pipeline.OptionError, ValueError) as exc:  # a bad option; a bad selector
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return None
    _print_diagnostics(outcome.diagnostics, report_format)
    return None if outcome.has_errors else outcome


class _Target:
    """The target of convert and validate for ``outputs`` (the pipeline calls it after translating:
    ``(version, outputs)``): --podman-version, else the installed podman's (``podman --version``,
    started here so that it overlaps loading), else spec/version.py DEFAULT."""

    def __init__(self, args, outputs: tuple[str, ...]):
        self.outputs = outputs
        self.version = getattr(args, "podman_version", None)
        self._probe = None
        if self.version is None:
            from kube2pod.host.podman_version import start

            self._probe = start()

    def __call__(self):
        if self.version is None:
            from kube2pod.spec.version import DEFAULT, Version

            text = self._probe()
            try:
                self.version = DEFAULT if text is None else Version.parse(text)
            except ValueError:
                self.version = DEFAULT
        return self.version, self.outputs


def _print_diagnostics(diags, fmt: str) -> None:
    from kube2pod.load.report import format_diagnostics

    if fmt == "json":
        print(format_diagnostics(diags, "json"))
    elif diags:
        print(format_diagnostics(diags, "text"), end="", file=sys.stderr)  # one line each, no blank line after


def cmd_convert(args) -> int:
    if args.check or args.update_snapshots:
        return _convert_snapshots(args)
    if args.output == "name":
        outcome = _plan(args)
        if outcome is None:
            return EXIT_INVALID
        sys.stdout.write(_object_names(outcome))
        return EXIT_OK
    from kube2pod.render.formats import FORMATS, gates, render_all

    fmt = FORMATS[args.output]
    if fmt.directory and not args.out_dir:
        print(f"kube2pod: error: -o {fmt.name} needs --out-dir DIR", file=sys.stderr)
        return EXIT_INVALID
    target = _Target(args, gates([fmt.name]))
    outcome = _plan(args, target=target)
    if outcome is None:
        return EXIT_INVALID
    files, diags = render_all(outcome.plan, [fmt.name], start=not args.no_start, show_secrets=args.show_secrets,
                              version=target()[0])
    if diags:
        _print_diagnostics(diags, "text")
        return EXIT_INVALID
    if not fmt.directory:
        sys.stdout.write(files[fmt.file])
        return EXIT_OK
    from pathlib import Path

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        out.joinpath(name.removeprefix(fmt.file + "/")).write_text(text, encoding="utf-8")
    print(f"kube2pod: wrote {len(files)} Quadlet units to {out}; install them in ~/.config/containers/systemd/ "
          "or /etc/containers/systemd/, then `systemctl [--user] daemon-reload`", file=sys.stderr)
    return EXIT_OK


def _convert_snapshots(args) -> int:
    """--check DIR: exit 1 and print a diff when the outputs differ; --update-snapshots DIR: write them.
    The target is --podman-version, else DEFAULT: never the installed podman (snapshots are the
    same on every machine)."""
    from pathlib import Path

    from kube2pod.snapshot import compare
    from kube2pod.snapshot.outputs import snapshot_files
    from kube2pod.spec.version import DEFAULT

    formats = args.formats.split(",")
    try:
        files = snapshot_files(args.inputs, formats, options=_options(args), start=not args.no_start,
                               version=args.podman_version or DEFAULT)
    except ValueError as exc:  # an unknown format, a bad --userns
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.update_snapshots:
        for name in compare.write(files, Path(args.update_snapshots), formats):
            print(f"kube2pod: updated {Path(args.update_snapshots, name)}", file=sys.stderr)
        return EXIT_OK
    problems = compare.compare(files, Path(args.check), formats)
    sys.stdout.write("\n".join(problems))
    if problems:
        print(f"kube2pod: {len(problems)} snapshot file(s) in {args.check} differ; "
              f"`kube2pod convert --update-snapshots {args.check} ...` accepts them", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def cmd_validate(args) -> int:
    """--host without --podman-version: the target is that Podman service (its /info, read once
    for the version and the host facts) and its REST API, as apply would use it."""
    import contextlib

    from kube2pod.apply.errors import ApplyError

    with contextlib.ExitStack() as stack:
        clients: list = []

        def client():
            if not clients:
                from kube2pod.apply.connection import connect

                clients.append(stack.enter_context(connect(args.url, args.identity)))
            return clients[0]

        def service_target():
            from kube2pod.apply.podman_api import PodmanAPI

            return PodmanAPI(client()).version(), ("rest",)

        target = service_target if args.host and args.podman_version is None else _Target(args, ("cli",))
        try:
            outcome = _plan(args, "text" if args.output == "name" else args.output,
                            (lambda paths: _facts(client(), paths)) if args.host else None, target=target)
        except ApplyError as exc:
            print(f"kube2pod: error: {exc}", file=sys.stderr)
            return EXIT_FAIL
    if outcome is not None and args.output == "name":
        sys.stdout.write(_object_names(outcome))
    return EXIT_INVALID if outcome is None else EXIT_OK


def _facts(client, paths):
    """The host's facts, read once through Podman's /info (host/facts.py), with those of ``paths``."""
    from kube2pod.apply.podman_api import PodmanAPI
    from kube2pod.host import facts

    return facts.read(PodmanAPI(client).info(), paths)


def _plan_on_host(args):
    """The inputs' outcome, references resolved also against the objects kept on the host:
    ``(outcome, None)``, or ``(None, exit status)`` after the message (invalid input: 2; the
    host could not be read: 1)."""
    from kube2pod.load import HostUnreadable

    try:
        outcome = _plan(args, host_objects=lambda: _kept_objects(args))
    except HostUnreadable as exc:
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return None, EXIT_FAIL
    return (outcome, None) if outcome is not None else (None, EXIT_INVALID)


def _run_on_podman(args, action, host_check: bool = True) -> int:
    from kube2pod.apply.connection import connect, drop_prefetched, prefetch_info

    prefetch_info(args.url)  # Podman's slow /info (host facts, lock key) overlaps loading and translating
    outcome, code = _plan_on_host(args)
    if outcome is None:
        if code == EXIT_INVALID:
            drop_prefetched(args.url)
        return code
    if args.command in ("apply", "diff"):
        from kube2pod.render.timer import refusals

        scheduled = refusals(outcome.plan, "apply")
        if scheduled:
            _print_diagnostics(scheduled, "text")
            drop_prefetched(args.url)
            return EXIT_INVALID
    from dataclasses import replace

    from kube2pod.apply.errors import ApplyError

    from kube2pod.apply import progress
    from kube2pod.apply.executor import Options
    from kube2pod.pipeline import default_project

    if args.output == "json":
        report = progress.JsonLines(sys.stdout)
    elif args.quiet or args.output == "name":
        report = lambda event: None  # noqa: E731
    elif sys.stderr.isatty():
        report = progress.Live(sys.stderr)
    else:
        report = progress.Lines(sys.stderr)
    options = Options(
        project=args.project or default_project(args.inputs),
        start=not getattr(args, "no_start", False), replace=getattr(args, "replace", False),
        prune=getattr(args, "prune", False), dry_run=getattr(args, "dry_run", None) == "server",
        wait=getattr(args, "wait", False), timeout=getattr(args, "timeout", 120.0))
    try:
        with connect(args.url, args.identity) as client:
            if host_check:  # preflight: before anything changes
                from kube2pod import pipeline

                outcome = pipeline.check_host(outcome, lambda paths: _facts(client, paths),
                                              fix_ownership=getattr(args, "fix_ownership", False))
                _print_diagnostics(outcome.preflight.diagnostics, "text")
                if outcome.has_errors:
                    return EXIT_INVALID
            if args.command in ("apply", "diff"):  # the spec is built for the service's Podman
                from kube2pod import pipeline
                from kube2pod.apply.podman_api import PodmanAPI

                version = PodmanAPI(client).version()
                outcome = pipeline.check_version(outcome, version, ("rest",),
                                                 "this Podman service is {target}: use Podman {since} or later, or leave "
                                                 "the field out".replace("{target}", str(version)))
                _print_diagnostics(outcome.gates, "text")
                if outcome.has_errors:
                    return EXIT_INVALID
                options = replace(options, version=version)
                from kube2pod.apply import host_objects

                host_objects.report(outcome.loaded.host, report)
            from kube2pod.apply.chown import fixed

            with fixed(outcome.fixes, report, dry_run=options.dry_run or args.command == "diff"):
                action(outcome.plan, client, options, report)
    except ApplyError as exc:
        from kube2pod.apply.errors import OwnershipConflict

        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return EXIT_INVALID if isinstance(exc, OwnershipConflict) else EXIT_FAIL
    if args.output == "name":
        sys.stdout.write(_object_names(outcome))
    return EXIT_OK


def _kept_objects(args) -> list[dict]:
    """The ConfigMaps and Secrets kept on the host (apply/host_objects.py), read when the input
    refers to one it lacks; ``HostUnreadable`` when Podman cannot be asked."""
    from kube2pod.apply import host_objects
    from kube2pod.apply.connection import connect
    from kube2pod.apply.errors import ApplyError
    from kube2pod.load import HostUnreadable

    try:
        with connect(args.url, args.identity) as client:
            return host_objects.read(client)
    except ApplyError as exc:
        raise HostUnreadable(f"reading the ConfigMaps and Secrets kept on the host: {exc}") from None


def _client_dry_run(args) -> int:
    """apply --dry-run=client: what convert prints for these inputs (-o json: the plan; -o name:
    the objects), without contacting Podman."""
    from kube2pod.render.formats import gates, render_all

    fmt = "json" if args.output == "json" else "sh"
    target = _Target(args, gates([fmt]))
    outcome = _plan(args, target=target)
    if outcome is None:
        return EXIT_INVALID
    if args.output == "name":
        sys.stdout.write(_object_names(outcome))
        return EXIT_OK
    files, diags = render_all(outcome.plan, [fmt], start=not args.no_start, version=target()[0])
    if diags:
        _print_diagnostics(diags, "text")
        return EXIT_INVALID
    sys.stdout.write("".join(files.values()))
    return EXIT_OK


# The executor is imported inside each action, after _run_on_podman has started the /info prefetch:
# importing it first would delay that request by the executor's imports (~0.25 s).
def cmd_apply(args) -> int:
    if args.dry_run == "client":
        return _client_dry_run(args)

    def action(plan, client, options, report):
        from kube2pod.apply import executor

        executor.apply(plan, client, options, report)

    return _run_on_podman(args, action)


def cmd_diff(args) -> int:
    def action(plan, client, options, report):
        from dataclasses import replace

        from kube2pod.apply import executor

        executor.apply(plan, client, replace(options, dry_run=True), report)

    return _run_on_podman(args, action)


def cmd_down(args) -> int:
    def action(plan, client, options, report):
        from kube2pod.apply import executor

        executor.down(plan, client, options, volumes=args.volumes, report=report)

    return _run_on_podman(args, action, host_check=False)


def cmd_status(args) -> int:
    from kube2pod.apply import status, targets
    from kube2pod.apply.connection import connect
    from kube2pod.apply.errors import ApplyError
    from kube2pod.apply.podman_api import PodmanAPI
    from kube2pod.render.status import render

    wanted = [w for w in args.inputs if targets.is_target(w) and not os.path.exists(w)]
    args.inputs = [w for w in args.inputs if w not in wanted]
    plan, keep = None, None
    if args.inputs:
        outcome, code = _plan_on_host(args)
        if outcome is None:
            return code
        plan = outcome.plan
    elif args.namespace is not None or args.selector is not None:
        keep = _chooser(args.namespace, args.selector)
        if isinstance(keep, str):
            print(f"kube2pod status: error: {keep}", file=sys.stderr)
            return EXIT_INVALID
    try:
        with connect(args.url, args.identity) as client:
            api = PodmanAPI(client)
            if plan is not None:
                pods, volumes = plan.pods, plan.volumes
            else:
                pods, volumes = status.on_host(api, args.project, keep)
                if args.project and not pods and not volumes and keep is None:
                    known = status.projects(api)
                    print(f"kube2pod status: error: no project {args.project!r} on this Podman; "
                          + (f"known: {', '.join(known)}" if known else "there are no kube2pod objects"),
                          file=sys.stderr)
                    return EXIT_INVALID
            if wanted:
                try:
                    pods, volumes = status.narrow(pods, volumes, wanted, args.namespace)
                except targets.TargetError as exc:
                    print(f"kube2pod status: error: {exc}", file=sys.stderr)
                    return EXIT_INVALID
            project = None
            if plan is not None:
                from kube2pod.pipeline import default_project

                project = args.project or default_project(args.inputs)
            names = {p.name for p in pods}
            services = [r for r in (plan.services if plan is not None else [])
                        if not wanted or r.proxy in names or names.intersection(r.endpoints)]
            result = status.collect(api, pods, volumes, project, services=services)
    except ApplyError as exc:
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    sys.stdout.write(render(result.data(), args.output))
    if not (result.pods or result.volumes):
        print("kube2pod status: no kube2pod objects" + (" match" if keep else " on this Podman"), file=sys.stderr)
    if result.ready:
        return EXIT_OK
    bad = [o for o in (*result.workloads, *result.pods, *result.volumes, *result.services) if not o.ok]
    print(f"kube2pod status: {len(bad)} object(s) not ready, missing or drifted (exit {EXIT_NOT_READY})",
          file=sys.stderr)
    return EXIT_NOT_READY


def _chooser(namespace: str | None, selector: str | None):
    """``keep(namespace, labels)`` for -n and -l without manifests, or a bad selector's message."""
    from kube2pod.load.selector import Selector, SelectorError

    try:
        chosen = None if selector is None else Selector(selector)
    except SelectorError as exc:
        return str(exc)
    return lambda ns, labels: (namespace is None or ns == namespace) and (chosen is None or chosen.matches(labels))


def _pods(args, client) -> list:
    """The pods TARGET names (each a list of targets.Box), from the manifests when given, else
    from the kube2pod pods on the host. None after a usage error (printed)."""
    from kube2pod.apply import targets

    boxes = None
    if args.inputs:
        outcome = _plan(args)
        if outcome is None:
            return None
        boxes = targets.from_plan(outcome.plan)
    else:
        from kube2pod.apply.podman_api import PodmanAPI

        boxes = targets.from_host(PodmanAPI(client), args.project)
    try:
        return targets.resolve(args.target, boxes, args.namespace)
    except targets.TargetError as exc:
        print(f"kube2pod {args.command}: error: {exc}", file=sys.stderr)
        return None


def cmd_logs(args) -> int:
    from kube2pod.apply import logs, targets
    from kube2pod.apply.connection import connect
    from kube2pod.apply.errors import ApplyError

    try:
        since = None if args.since is None else logs.since_seconds(args.since)
    except ValueError as exc:
        print(f"kube2pod logs: error: --since: {exc}", file=sys.stderr)
        return EXIT_INVALID
    def write(data: bytes) -> None:
        out = getattr(sys.stdout, "buffer", None)  # a text stream without one (tests): decoded
        if out is None:
            sys.stdout.write(data.decode(errors="replace"))
        else:
            out.write(data)
        sys.stdout.flush()

    try:
        with connect(args.url, args.identity) as client:
            pods = _pods(args, client)
            if pods is None:
                return EXIT_INVALID
            chosen = []
            try:
                for pod in pods:
                    boxes, notice = targets.containers(pod, args.container, args.all_containers)
                    if notice:
                        print(f"kube2pod: {notice}", file=sys.stderr)
                    chosen += boxes
            except targets.TargetError as exc:
                print(f"kube2pod logs: error: {exc}", file=sys.stderr)
                return EXIT_INVALID
            prefixed = args.prefix or len(chosen) > 1
            logs.show(client, [(b.container, f"[pod/{b.pod}/{b.name}] " if prefixed else "") for b in chosen],
                      write, follow=args.follow, since=since, tail=args.tail, timestamps=args.timestamps)
    except ApplyError as exc:
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def cmd_exec(args) -> int:
    from kube2pod.apply import exec_command, targets
    from kube2pod.apply.connection import connect
    from kube2pod.apply.errors import ApplyError

    command = args.words[1:] if args.words[:1] == ["--"] else args.words
    if not command:
        print("kube2pod exec: error: no command: kube2pod exec TARGET -- COMMAND ...", file=sys.stderr)
        return EXIT_INVALID
    try:
        with connect(args.url, args.identity) as client:
            pods = _pods(args, client)
            if pods is None:
                return EXIT_INVALID
            try:
                boxes, notice = targets.containers(pods[0], args.container)
            except targets.TargetError as exc:
                print(f"kube2pod exec: error: {exc}", file=sys.stderr)
                return EXIT_INVALID
            if notice:
                print(f"kube2pod: {notice}", file=sys.stderr)
            terminal = sys.stdin.isatty()
            return exec_command.run(client, boxes[0].container, command, identity=args.identity,
                               stdin=args.stdin or terminal, tty=args.tty or (terminal and sys.stdout.isatty()))
    except ApplyError as exc:
        print(f"kube2pod: error: {exc}", file=sys.stderr)
        return EXIT_FAIL


def cmd_completion(args) -> int:
    if args.connections:  # the names --connection takes, from podman's connection files
        from kube2pod.apply import saved_connections

        print("\n".join(saved_connections.names()))
        return EXIT_OK
    if args.targets:  # the scripts' source of object names: quiet, and nothing when Podman is not there
        from kube2pod.apply import targets
        from kube2pod.apply.connection import candidate_urls, connect
        from kube2pod.apply.errors import ApplyError
        from kube2pod.apply.podman_api import PodmanAPI

        try:
            if not args.url and not args.identity:  # never start a private service for a completion
                args.url = next((u for u in candidate_urls() if not u.startswith("unix://")
                                 or os.path.exists(u.removeprefix("unix://"))), None)
                if args.url is None:
                    return EXIT_OK
            with connect(args.url, args.identity) as client:
                print("\n".join(targets.names(targets.from_host(PodmanAPI(client)))))
        except ApplyError:
            pass
        return EXIT_OK
    if args.shell is None:
        print("kube2pod completion: error: name the shell: bash, zsh or fish", file=sys.stderr)
        return EXIT_INVALID
    from kube2pod.render import completion

    sys.stdout.write(completion.script(build_parser(), args.shell))
    return EXIT_OK


_COMMANDS = {"convert": cmd_convert, "validate": cmd_validate, "apply": cmd_apply, "diff": cmd_diff,
             "down": cmd_down, "status": cmd_status, "logs": cmd_logs, "exec": cmd_exec, "completion": cmd_completion}
