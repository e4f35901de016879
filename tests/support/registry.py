"""Real image registries on loopback for the pull tests: Debian's ``docker-registry`` (the CNCF
distribution registry 2.8), started by a pytest fixture, never through a systemd service.

* ``LocalRegistry.plain(port)``: plain HTTP on ``127.0.0.1:PORT``; the isolated Podman declares it
  insecure in its own registries.conf (``PodmanEnv.plain_registry_port``).
* ``LocalRegistry.secure()``: TLS with a server certificate from a throw-away CA made here with
  openssl, and htpasswd (bcrypt) auth for ``USER``/``PASSWORD``. Podman trusts the CA through
  ``/etc/containers/certs.d/127.0.0.1:PORT/ca.crt`` (containers/image reads no other per-host
  certificate directory for the API service); the directory is for this port only and is removed
  by ``stop()``. Never ``--tls-verify=false``.

``push_test_images`` builds images from localhost/busybox with a distinct file each (so every
image has its own layer and a pull moves real bytes) and pushes them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from support.podman_env import free_port

USER = "k2p-user"
PASSWORD = "k2p-Secret-pw"
CERTS_D = Path("/etc/containers/certs.d")


class RegistryUnavailable(RuntimeError):
    """The registry cannot be run here (reason in the message)."""


def _run(*cmd: str, cwd: Path | None = None) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")


def _make_ca_and_cert(d: Path) -> None:
    """ca.crt/ca.key (a CA for one day) and server.crt/server.key for IP 127.0.0.1, signed by it."""
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=k2p-test-ca",
         "-keyout", "ca.key", "-out", "ca.crt", cwd=d)
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", "server.key", "-out", "server.csr", cwd=d)
    (d / "san.ext").write_text("subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n")
    _run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "1", "-extfile", "san.ext", "-out", "server.crt", cwd=d)


class LocalRegistry:
    """One ``docker-registry serve`` process on 127.0.0.1:``port`` in its own temp dir."""

    def __init__(self, port: int, secure: bool):
        self.port = port
        self.secure = secure
        self.root: Path | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def certs_dir(self) -> Path:
        return CERTS_D / self.host

    def image(self, name: str) -> str:
        return f"{self.host}/{name}"

    def start(self) -> "LocalRegistry":
        for tool in ("docker-registry", *(("openssl", "htpasswd") if self.secure else ())):
            if shutil.which(tool) is None:
                raise RegistryUnavailable(f"{tool} is not installed (run scripts/setup-podman)")
        self.root = Path(tempfile.mkdtemp(prefix="k2p-registry-"))
        try:
            self._configure()
            self._serve()
        except BaseException:
            self.stop()
            raise
        return self

    def _configure(self) -> None:
        r = self.root
        (r / "data").mkdir()
        lines = ["version: 0.1", "log: {level: error, accesslog: {disabled: true}}",
                 f"storage: {{filesystem: {{rootdirectory: {r / 'data'}}}, delete: {{enabled: true}}}}",
                 "http:", f"  addr: {self.host}"]
        if self.secure:
            _make_ca_and_cert(r)
            lines += [f"  tls: {{certificate: {r / 'server.crt'}, key: {r / 'server.key'}}}",
                      f"auth: {{htpasswd: {{realm: k2p-test, path: {r / 'htpasswd'}}}}}"]
            _run("htpasswd", "-Bbc", str(r / "htpasswd"), USER, PASSWORD)
            self.certs_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(r / "ca.crt", self.certs_dir / "ca.crt")
        (r / "config.yml").write_text("\n".join(lines) + "\n")

    def _serve(self, timeout: float = 20) -> None:
        log = open(self.root / "registry.log", "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", str(self.root / "config.yml")],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        import socket

        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited {self.proc.returncode}:\n"
                                   + (self.root / "registry.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("docker-registry did not listen:\n" + (self.root / "registry.log").read_text())
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process, remove the temp dir and the certs.d entry. Safe to call twice."""
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        if self.secure:
            shutil.rmtree(self.certs_dir, ignore_errors=True)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    @classmethod
    def plain(cls, port: int) -> "LocalRegistry":
        return cls(port, secure=False)

    @classmethod
    def secured(cls) -> "LocalRegistry":
        return cls(free_port(), secure=True)


def build_image(podman, name: str, marker: str) -> None:
    """``name`` from localhost/busybox plus a file /k2p-marker holding ``marker`` (its own layer)."""
    with tempfile.TemporaryDirectory(prefix="k2p-build-") as d:
        Path(d, "k2p-marker").write_text(marker * 2000 + "\n")  # a few kB of distinct bytes
        Path(d, "Containerfile").write_text("FROM localhost/busybox:latest\nCOPY k2p-marker /k2p-marker\n")
        podman("build", "--pull=never", "-q", "-t", name, d)


def push(podman, registry: LocalRegistry, local: str, remote: str) -> None:
    """Push ``local`` to ``remote`` (with the credentials when the registry asks for them)."""
    creds = ("--creds", f"{USER}:{PASSWORD}") if registry.secure else ()
    podman("push", "-q", *creds, local, remote)
