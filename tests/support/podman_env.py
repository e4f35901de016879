"""An isolated Podman for tests: own store, own config, own API service.

``PodmanEnv.start()`` creates a temp dir (``/tmp/k2p-podman-XXXX``) holding

* ``storage.conf``      graphroot ``storage/``, runroot ``run/`` (overlay)
* ``containers.conf``   runc (crun on cgroups v2), ulimits, tmp_dir/static_dir/volume_path,
                        file locks, event log and a network config dir, all
                        inside the temp dir; a per-session default network
                        (own bridge ``k2pN`` and subnet ``10.231.N.0/24``) so
                        concurrent test sessions and the host's own pods
                        never share a bridge or IPAM state
* ``registries.conf``   (``CONTAINERS_REGISTRIES_CONF``) only ``127.0.0.1:<plain_registry_port>``
                        declared insecure: the plain HTTP registry of tests/support/registry.py
                        (its port is reserved here because Podman caches registries.conf)
* ``podman.sock``       ``podman system service --time=0`` (log: service.log)

Every local ``podman`` process that gets ``CONTAINERS_CONF`` and
``CONTAINERS_STORAGE_CONF`` pointing at those files (and no
``CONTAINER_HOST``/``CONTAINER_CONNECTION``, which switch podman 4.x to remote
mode) sees exactly the same containers, pods, images, volumes and networks as
the service.  NB: with ``CONTAINERS_CONF`` set, Podman reads only that file
(not /etc/containers/containers.conf{,.d}), so everything needed is written
into it.

``stop()`` stops the service, removes every pod/container, runs
``podman system reset -f`` on the isolated store and deletes the temp dir.

Run ``python tests/support/podman_env.py`` for a manual end-to-end check.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_IMAGES = REPO / "scripts" / "build-test-images"

BUSYBOX_IMAGE = "localhost/busybox:latest"
ENTRY_IMAGE = "localhost/k2p-entry:latest"
TEST_IMAGES = (BUSYBOX_IMAGE, ENTRY_IMAGE)

# Variables that would make a podman CLI talk to some other engine.
_FOREIGN_ENV = (
    "CONTAINER_HOST",
    "CONTAINER_CONNECTION",
    "CONTAINER_SSHKEY",
    "CONTAINER_PASSPHRASE",
    "CONTAINERS_CONF",
    "CONTAINERS_STORAGE_CONF",
    "CONTAINERS_REGISTRIES_CONF",
    "DOCKER_HOST",
)

_NET_LOCK_DIR = Path(os.environ.get("K2P_TEST_NET_LOCK_DIR", "/tmp/k2p-podman-netlocks"))


class PodmanError(subprocess.CalledProcessError):
    """CalledProcessError whose message includes podman's stderr."""

    def __str__(self) -> str:
        return f"{super().__str__()}\nstderr: {(self.stderr or '').strip()}"


class PodmanUnavailable(RuntimeError):
    """Podman cannot be used on this machine (reason in the message)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    """GET ``http://host:port/path`` -> (status, body) (no proxies)."""
    assert url.startswith("http://")
    hostport, _, path = url[len("http://"):].partition("/")
    host, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        conn.request("GET", "/" + path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


def wait_http(url: str, timeout: float = 20.0) -> tuple[int, str]:
    """Retry ``http_get`` until it answers or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_get(url)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def unix_request(sock_path: str, method: str, path: str, timeout: float = 2.0,
                 body: dict | None = None) -> tuple[int, bytes]:
    """(status, body) of one HTTP request to a unix socket (the Podman API); ``body`` is sent as JSON."""
    class Conn(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(sock_path)

    conn = Conn("localhost", timeout=timeout)
    try:
        if body is None:
            conn.request(method, path)
        else:
            conn.request(method, path, json.dumps(body), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def oci_runtime() -> str:
    """runc on cgroups v1 (crun refuses it), else crun when installed (Debian 13's default)."""
    if not os.path.exists("/sys/fs/cgroup/cgroup.controllers") or shutil.which("crun") is None:
        return "runc"
    return "crun"


def _toml_str(s: str | Path) -> str:
    return json.dumps(str(s))  # a JSON string is a valid TOML basic string


class PodmanEnv:
    """One isolated Podman (store + config + API service)."""

    def __init__(self, base_dir: str | os.PathLike | None = None, build_images: bool = True):
        self._base_dir = base_dir
        self._build_images = build_images
        self.root: Path | None = None
        self.service: subprocess.Popen | None = None
        self._net_lock = None
        self.net_index: int | None = None
        self.plain_registry_port: int | None = None

    # ------------------------------------------------------------ paths
    @property
    def socket_path(self) -> Path:
        return self.root / "podman.sock"

    @property
    def url(self) -> str:
        """``unix:///…/podman.sock``, for PodmanClient(base_url=…)/CONTAINER_HOST."""
        return "unix://" + str(self.socket_path)

    @property
    def network_name(self) -> str:
        return f"k2p{self.net_index}"

    @property
    def subnet(self) -> str:
        return f"10.231.{self.net_index}.0/24"

    # ------------------------------------------------------------ envs
    @property
    def env(self) -> dict[str, str]:
        """Environment in which plain ``podman …`` (CLI, local mode) uses the
        isolated store: pass to subprocess/bash running generated scripts."""
        env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
        env["CONTAINERS_CONF"] = str(self.root / "containers.conf")
        env["CONTAINERS_STORAGE_CONF"] = str(self.root / "storage.conf")
        env["CONTAINERS_REGISTRIES_CONF"] = str(self.root / "registries.conf")
        env["TMPDIR"] = str(self.root / "tmp")  # podman import/build scratch
        return env

    @property
    def remote_env(self) -> dict[str, str]:
        """Like ``env`` plus ``CONTAINER_HOST=<url>``: podman 4.3 CLI then runs
        in remote mode through the isolated service, and podman-py's
        ``PodmanClient()``/``from_env()`` connects to it as well."""
        env = self.env
        env["CONTAINER_HOST"] = self.url
        return env

    def podman(self, *args: str, check: bool = True, input: str | None = None,
               timeout: float = 300, remote: bool = False) -> subprocess.CompletedProcess:
        """Run the podman CLI against the isolated store (text mode, captured).

        ``remote=True`` goes through the service instead (``--remote --url``).
        Raises ``PodmanError`` (a ``subprocess.CalledProcessError`` whose
        message includes stderr) when ``check`` and the exit code is non-zero."""
        cmd = ["podman"]
        if remote:
            cmd += ["--remote", "--url", self.url]
        cmd += list(args)
        proc = subprocess.run(cmd, env=self.env, input=input, text=True,
                              capture_output=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise PodmanError(proc.returncode, cmd, proc.stdout, proc.stderr)
        return proc

    def podman_json(self, *args: str, **kw):
        return json.loads(self.podman(*args, **kw).stdout or "null")

    def reset_pods(self) -> None:
        """Remove every pod, container, volume and extra network (images and
        the session's default network stay)."""
        self.podman("pod", "rm", "--all", "--force", "--time", "0", check=False)
        self.podman("rm", "--all", "--force", "--time", "0", check=False)
        self.podman("volume", "rm", "--all", "--force", check=False)
        self.podman("network", "prune", "--force", check=False)

    def client(self, **kw):
        """A podman-py ``PodmanClient`` bound to the isolated service."""
        from podman import PodmanClient

        return PodmanClient(base_url=self.url, **kw)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "PodmanEnv":
        if os.geteuid() != 0:
            raise PodmanUnavailable("not root (the isolated Podman is rootful)")
        if shutil.which("podman") is None:
            raise PodmanUnavailable("podman is not installed (run scripts/setup-podman)")
        base = self._base_dir or os.environ.get("K2P_TEST_TMPDIR") or None
        self.root = Path(tempfile.mkdtemp(prefix="k2p-podman-", dir=base))
        try:
            self._setup()
        except BaseException:
            self.stop()
            raise
        return self

    def _setup(self) -> None:
        r = self.root
        for d in ("storage", "run", "libpod-tmp", "networks", "tmp", "containers-d"):
            (r / d).mkdir()
        self._alloc_network()
        (r / "storage.conf").write_text(
            "[storage]\n"
            'driver = "overlay"\n'
            f"graphroot = {_toml_str(r / 'storage')}\n"
            f"runroot = {_toml_str(r / 'run')}\n"
        )
        self._write_containers_conf(default_network="podman")
        self.plain_registry_port = free_port()
        (r / "registries.conf").write_text(
            "# kube2pod isolated test Podman: the plain HTTP test registry (tests/support/registry.py)\n"
            f'[[registry]]\nlocation = "127.0.0.1:{self.plain_registry_port}"\ninsecure = true\n'
        )
        # The per-session default network: own bridge + subnet.
        # podman 4.3 has no `network create --interface-name`: create, then
        # rename the bridge in the network's JSON file (read on each start).
        self.podman("network", "create", "--driver", "bridge",
                    "--subnet", self.subnet, self.network_name)
        net_file = r / "networks" / f"{self.network_name}.json"
        net = json.loads(net_file.read_text())
        net["network_interface"] = self.network_name
        net_file.write_text(json.dumps(net, indent=5))
        self._write_containers_conf(default_network=self.network_name)
        if self._build_images:
            proc = subprocess.run(["bash", str(BUILD_IMAGES)], env=self.env, text=True,
                                  capture_output=True, timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"build-test-images failed:\n{proc.stdout}\n{proc.stderr}")
        self._start_service()

    def _write_containers_conf(self, default_network: str) -> None:
        r = self.root
        (r / "containers.conf").write_text(
            "# kube2pod isolated test Podman (tests/support/podman_env.py)\n"
            "[containers]\n"
            'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
            "\n[engine]\n"
            f"runtime = {_toml_str(oci_runtime())}\n"
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
            f"events_logfile_path = {_toml_str(r / 'events.log')}\n"
            'lock_type = "file"\n'
            f"tmp_dir = {_toml_str(r / 'libpod-tmp')}\n"
            f"static_dir = {_toml_str(r / 'storage' / 'libpod')}\n"
            f"volume_path = {_toml_str(r / 'storage' / 'volumes')}\n"
            "\n[network]\n"
            'network_backend = "netavark"\n'
            f"network_config_dir = {_toml_str(r / 'networks')}\n"
            f"default_network = {_toml_str(default_network)}\n"
        )

    def _alloc_network(self) -> None:
        """Pick N in 10.231.N.0/24 / bridge k2pN, held by an flock for the
        session so that concurrent sessions never pick the same one."""
        _NET_LOCK_DIR.mkdir(parents=True, exist_ok=True)
        existing = set(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else set()
        start = os.getpid() % 200
        for i in range(200):
            n = 20 + (start + i) % 200
            if f"k2p{n}" in existing:
                continue
            f = open(_NET_LOCK_DIR / f"{n}.lock", "w")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                continue
            self._net_lock, self.net_index = f, n
            return
        raise PodmanUnavailable("no free test network index")

    def _start_service(self, timeout: float = 30) -> None:
        log = open(self.root / "service.log", "w")
        self.service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", self.url],
            env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.service.poll() is not None:
                raise RuntimeError(f"podman system service exited {self.service.returncode}:\n"
                                   + (self.root / "service.log").read_text())
            try:
                status, _ = unix_request(str(self.socket_path), "GET", "/libpod/_ping")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("podman system service did not answer /_ping:\n"
                                   + (self.root / "service.log").read_text())
            time.sleep(0.1)

    def _stop_service(self) -> None:
        p, self.service = self.service, None
        if p is None or p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=15)

    def stop(self) -> None:
        """Stop the service, remove everything, delete the temp dir.  Safe to
        call twice and after a failed start."""
        if self.root is None:
            return
        self._stop_service()
        if (self.root / "containers.conf").exists():
            for args in (("pod", "rm", "--all", "--force", "--time", "0"),
                         ("rm", "--all", "--force", "--time", "0"),
                         ("system", "reset", "--force")):
                try:
                    self.podman(*args, check=False, timeout=120)
                except subprocess.TimeoutExpired:
                    pass
        self._unmount_below(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
        if self._net_lock is not None:
            self._net_lock.close()
            self._net_lock = None

    @staticmethod
    def _unmount_below(root: Path) -> None:
        """Lazily unmount anything still mounted below ``root`` (overlay,
        shm, netns), deepest first, so rmtree cannot descend into mounts."""
        try:
            mounts = [line.split()[1] for line in open("/proc/self/mounts")]
        except OSError:
            return
        prefix = str(root) + "/"
        for m in sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True):
            subprocess.run(["umount", "-l", m], capture_output=True)

    def __enter__(self) -> "PodmanEnv":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    """Manual end-to-end check: pod with -p PORT:8080 + busybox httpd."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 18080
    t0 = time.monotonic()
    with PodmanEnv() as pe:
        print(f"root={pe.root} url={pe.url} net={pe.network_name} {pe.subnet} "
              f"(ready in {time.monotonic() - t0:.1f}s)")
        print(pe.podman("images").stdout)
        pe.podman("pod", "create", "--name", "web", "-p", f"{port}:8080")
        pe.podman("run", "-d", "--pod", "web", "--name", "web-httpd", BUSYBOX_IMAGE,
                  "httpd", "-f", "-p", "8080", "-h", "/www")
        print(wait_http(f"http://127.0.0.1:{port}/index.html"))
        print(pe.podman("pod", "ps").stdout)
        host = subprocess.run(["podman", "pod", "ps", "--format", "{{.Name}}"],
                              capture_output=True, text=True,
                              env={k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV})
        print("default store pods:", host.stdout.split())
        pe.podman("pod", "rm", "-f", "-t", "0", "web")
    print(f"done in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
