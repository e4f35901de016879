"""``kube2pod exec``: run a command in a container with ``podman --url URL exec``.

The podman command, used as a remote client of the service kube2pod reached (local socket or
``ssh://`` with ``--identity``), rather than libpod's exec endpoints: it already relays the
terminal (raw mode, window size), standard input and signals, and exits with the command's
exit status (125-127 for its own failures, as ``podman exec``). kube2pod's exit status is its.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from urllib.parse import unquote

from kube2pod.apply.errors import ConnectionFailed


def service_url(client) -> str:
    """The URL a connected PodmanClient talks to, as podman's ``--url`` takes it."""
    base = client.api.base_url
    if base.scheme == "http+unix":
        return "unix://" + unquote(base.netloc)
    if base.scheme == "http+ssh":
        return f"ssh://{base.netloc}{base.path}"
    return f"tcp://{base.netloc}"


def argv(url: str, container: str, command: list[str], *, identity: str = "", stdin: bool = False,
         tty: bool = False, podman: str = "podman") -> list[str]:
    """``podman --url URL [--identity KEY] exec [-i] [-t] CONTAINER COMMAND...``."""
    flags = (["--interactive"] if stdin else []) + (["--tty"] if tty else [])
    return [podman, "--url", url, *(["--identity", identity] if identity else []), "exec", *flags,
            container, *command]


def run(client, container: str, command: list[str], *, identity: str = "", stdin: bool = False,
        tty: bool = False) -> int:
    """Run ``command`` in ``container``; its exit status. Ctrl-C goes to podman (and through it
    to the command), not to kube2pod."""
    podman = shutil.which("podman")
    if podman is None:
        raise ConnectionFailed("kube2pod exec needs the podman command (it runs `podman --url URL exec`)")
    words = argv(service_url(client), container, command, identity=identity, stdin=stdin, tty=tty, podman=podman)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(words, stdin=None if stdin else subprocess.DEVNULL,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
