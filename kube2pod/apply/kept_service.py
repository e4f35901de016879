"""The Podman service kube2pod starts when none is listening, kept for the next command.

Starting ``podman system service`` costs a command 0.3-0.6 s. So the service kube2pod starts
runs detached with Podman's own idle timeout (``--time``, ``KUBE2POD_SERVICE_IDLE`` seconds,
default 60): a command within that period reuses it, and Podman stops it once no request
came for that long (docs/performance.md, "Cold start"). ``KUBE2POD_SERVICE_IDLE=0``: a
private service per command, stopped at its end, as before.

Where: a directory of this user only, ``/run/kube2pod`` for root, else
``$XDG_RUNTIME_DIR/kube2pod`` or ``/tmp/kube2pod-UID``; used only when it is a real directory
owned by this user with no access for group or others (a socket in a directory another
user could write to is never trusted: kube2pod would send it registry credentials). The
socket is named after a hash of the podman binary and the variables that choose Podman's
configuration and store, so a command with another ``CONTAINERS_CONF`` (or another HOME)
never reuses a service of a different store. Starting is serialised by a lock file, so two
commands started together start one service; the pid file lets ``stop`` end it (and remove the
socket, pid and log files; the empty lock file stays in the runtime directory).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import signal
import stat
import subprocess
import time

IDLE_ENV = "KUBE2POD_SERVICE_IDLE"
DEFAULT_IDLE = 60

#: Variables that change which configuration, store or credentials a Podman process uses.
STORE_ENV = ("CONTAINERS_CONF", "CONTAINERS_CONF_OVERRIDE", "CONTAINERS_STORAGE_CONF",
             "CONTAINERS_REGISTRIES_CONF", "CONTAINERS_REGISTRIES_CONF_DIR", "REGISTRY_AUTH_FILE",
             "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "TMPDIR")


def idle_seconds(environ: dict | None = None) -> int:
    """``KUBE2POD_SERVICE_IDLE`` (non-negative integer; anything else: the default)."""
    value = (os.environ if environ is None else environ).get(IDLE_ENV, "")
    return int(value) if value.isdigit() else DEFAULT_IDLE


def directory(environ: dict | None = None) -> str:
    """This user's directory for the kept service (it may not exist yet)."""
    env = os.environ if environ is None else environ
    uid = os.geteuid()
    if uid == 0:
        return "/run/kube2pod"
    runtime = env.get("XDG_RUNTIME_DIR")
    return os.path.join(runtime, "kube2pod") if runtime else f"/tmp/kube2pod-{uid}"


def trusted(path: str) -> bool:
    """``path`` is a directory (not a link) owned by this user, closed to group and others."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o077


def socket_path(podman: str, environ: dict | None = None) -> str:
    """The socket of the kept service for ``podman`` with this environment's store."""
    env = os.environ if environ is None else environ
    key = "\0".join([podman, *(f"{name}={env.get(name, '')}" for name in STORE_ENV)])
    return os.path.join(directory(env), f"podman-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock")


def make_directory(environ: dict | None = None) -> str | None:
    """This user's directory, created (0700) when missing; None when it exists but is not trusted."""
    path = directory(environ)
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    return path if trusted(path) else None


@contextlib.contextmanager
def start_lock(sock: str):
    """Hold ``SOCK.lock`` (created 0600, never through a link) while a service is looked for or started."""
    fd = os.open(sock + ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def launch(podman: str, sock: str, idle: int) -> subprocess.Popen:
    """Start ``podman system service --time=IDLE`` on ``sock``, detached (its own session, output
    to ``SOCK.log``), and record its pid in ``SOCK.pid``. A stale socket file is removed first."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(sock)
    log = os.open(sock + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        proc = subprocess.Popen([podman, "system", "service", f"--time={idle}", f"unix://{sock}"],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        os.close(log)
    pid_file = os.open(sock + ".pid", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(pid_file, "w") as f:
        f.write(f"{proc.pid}\n")
    return proc


def log_tail(sock: str) -> str:
    """The last lines of the service's log (for an error message)."""
    with contextlib.suppress(OSError), open(sock + ".log", errors="replace") as f:
        return "\n".join(f.read().strip().splitlines()[-5:])
    return ""


def running_pid(sock: str) -> int | None:
    """The pid of the kept service of ``sock`` when it still runs (its command line names the socket)."""
    try:
        with open(sock + ".pid") as f:
            pid = int(f.read().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if f"unix://{sock}".encode() in argv else None


def stop(podman: str, environ: dict | None = None, timeout: float = 10.0) -> bool:
    """End this environment's kept service, if one runs; True when one was stopped."""
    sock = socket_path(podman, environ)
    if not trusted(os.path.dirname(sock)):
        return False
    pid = running_pid(sock)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    for path in (sock, sock + ".pid", sock + ".log"):  # the lock file stays: another command may hold it
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    return True


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (a service started by this process is reaped here)."""
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError as exc:
        return exc.errno != errno.ENOENT
