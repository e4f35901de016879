"""kube2pod run by an unprivileged user against that user's rootless Podman.

Needs root (to become the user with runuser) and the user made by
scripts/setup-rootless (subuid/subgid ranges, /run/user/<uid>, test images in
its own store). Skipped with the reason otherwise; under CI=true it must run.
Each kube2pod call starts its own private ``podman system service`` as the user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from support.podman_env import free_port, in_ci, wait_http

USER = os.environ.get("K2P_ROOTLESS_USER", "k2p-rootless")
REPO = Path(__file__).resolve().parent.parent
IMPORTS = "import kube2pod.cli, kube2pod.apply.executor, podman, pydantic, kubernetes, ruamel.yaml"


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "needs root to run kube2pod as the unprivileged user (runuser)"
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return f"user {USER} does not exist: run `bash scripts/setup-rootless` as root"
    if shutil.which("runuser") is None:
        return "runuser is not installed"
    return None


class User:
    """Runs commands as the unprivileged user, in a work directory it owns."""

    def __init__(self, work: Path):
        pw = pwd.getpwnam(USER)
        self.uid, self.gid, self.home = pw.pw_uid, pw.pw_gid, pw.pw_dir
        self.work = work
        self.python, self.pythonpath = "", ""

    def env(self) -> dict[str, str]:
        return {"HOME": self.home, "USER": USER, "LOGNAME": USER, "PYTHONPATH": self.pythonpath,
                "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "XDG_RUNTIME_DIR": f"/run/user/{self.uid}", "LANG": "C.UTF-8"}

    def run(self, *argv: str, timeout: float = 240) -> subprocess.CompletedProcess:
        env = [f"{k}={v}" for k, v in self.env().items()]
        return subprocess.run(["runuser", "-u", USER, "--", "env", "-i", *env, *argv], cwd=self.work,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)

    def kube2pod(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(self.python, "-m", "kube2pod", *args)

    def podman(self, *args: str) -> str:
        done = self.run("podman", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def find_python(self) -> None:
        """An interpreter and import path the user can read: the checkout and the venv's
        site-packages when the user can reach them, otherwise copies in the work directory
        (a root-owned venv interpreter under /root is not executable by the user)."""
        site = sysconfig.get_paths()["purelib"]
        pythons = list(dict.fromkeys([os.path.realpath(sys.executable), "/usr/bin/python3"]))
        for pythonpath in (f"{REPO}:{site}", None):
            if pythonpath is None:
                pythonpath = self._copy(site)
            for python in pythons:
                self.python, self.pythonpath = python, pythonpath
                if self.run(python, "-c", IMPORTS, timeout=60).returncode == 0:
                    return
        raise RuntimeError(f"{USER} cannot import kube2pod with any of {pythons}")

    def _copy(self, site: str) -> str:
        dest = self.work / "py"
        shutil.copytree(REPO / "kube2pod", dest / "src" / "kube2pod",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(site, dest / "site", symlinks=True, ignore=shutil.ignore_patterns(
            "__pycache__", "pip", "pip-*", "hypothesis*", "_pytest", "pytest*", "__editable__*"))
        subprocess.run(["chmod", "-R", "a+rX", str(dest)], check=True)
        return f"{dest / 'src'}:{dest / 'site'}"


@pytest.fixture(scope="module")
def user():
    reason = _unavailable()
    if reason:
        if in_ci():
            pytest.fail(f"rootless tests must run under CI: {reason}", pytrace=False)
        pytest.skip(reason)
    work = Path(tempfile.mkdtemp(prefix="k2p-rootless-"))
    u = User(work)
    os.chown(work, u.uid, u.gid)
    try:
        u.find_python()
        yield u
    finally:
        shutil.rmtree(work, ignore_errors=True)


def manifest(u: User, name: str, text: str) -> str:
    path = u.work / name
    path.write_text(text)
    os.chmod(path, 0o644)
    return str(path)


def pods_named(u: User, name: str) -> list[str]:
    return u.podman("pod", "ps", "--filter", f"name=^{name}$", "--format", "{{.Name}}").split()


def containers_of(u: User, pod: str) -> list[str]:
    return u.podman("ps", "-a", "--filter", f"pod={pod}", "--format", "{{.Names}}").split() \
        if pods_named(u, pod) else []


WEB = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: httpd
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: ["busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
    ports:
    - containerPort: 8080
      hostPort: {port}
"""


def test_apply_http_down_as_unprivileged_user(user):
    port = free_port()
    assert port >= 1024
    path = manifest(user, "web.yaml", WEB.format(name="k2p-rootless-web", port=port))
    done = user.kube2pod("apply", "--wait", "--timeout", "60", path)
    try:
        assert done.returncode == 0, done.stderr
        assert user.podman("info", "--format", "{{.Host.Security.Rootless}}").strip() == "true"
        status, body = wait_http(f"http://127.0.0.1:{port}/", timeout=30)
        assert (status, body.strip()) == (200, "k2p-httpd-ok")
        # the pod lives in the user's own store, not root's
        assert "k2p-rootless-web" in user.podman("pod", "ps", "--format", "{{.Name}}")
    finally:
        down = user.kube2pod("down", path)
    assert down.returncode == 0, down.stderr
    assert pods_named(user, "k2p-rootless-web") == []
    assert user.podman("ps", "-a", "--filter", "name=k2p-rootless-web", "--format", "{{.Names}}").split() == []


def test_privileged_port_refused_before_anything_is_created(user):
    path = manifest(user, "web80.yaml", WEB.format(name="k2p-rootless-web80", port=80))
    done = user.kube2pod("apply", path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "hostPort 80" in done.stderr and "net.ipv4.ip_unprivileged_port_start" in done.stderr
    assert "web80.yaml:1:1: error:" in done.stderr
    assert pods_named(user, "k2p-rootless-web80") == []
    assert "creating" not in done.stderr
    check = user.kube2pod("validate", "--host", path)
    assert check.returncode == 2 and "hostPort 80" in check.stderr


WRITER = """apiVersion: v1
kind: Pod
metadata:
  name: k2p-rootless-writer
spec:
  restartPolicy: Never
  securityContext:
    runAsUser: 1000
    runAsGroup: 1000
  containers:
  - name: w
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "id -u > /data/written-by"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    hostPath:
      path: {path}
      type: DirectoryOrCreate
"""


def _subordinate_start(name: str, file: str) -> int:
    for line in Path(file).read_text().splitlines():
        user, start, _ = line.split(":")
        if user in (USER, str(pwd.getpwnam(USER).pw_uid)):
            return int(start)
    raise AssertionError(f"no {file} range for {USER}")


def test_run_as_user_writes_host_path_after_ownership_fix(user):
    data = user.work / "data"
    path = manifest(user, "writer.yaml", WRITER.format(path=data))
    warned = user.kube2pod("validate", "--host", path)
    host_uid = _subordinate_start(USER, "/etc/subuid") + 1000 - 1
    host_gid = _subordinate_start(USER, "/etc/subgid") + 1000 - 1
    assert warned.returncode == 0 and f"must belong to uid {host_uid} on the host" in warned.stderr
    done = user.kube2pod("apply", "--fix-ownership", path)
    try:
        assert done.returncode == 0, done.stderr
        assert "owner fixed" in done.stderr
        out = data / "written-by"
        deadline = time.monotonic() + 60
        while not (out.exists() and out.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert out.read_text().strip() == "1000"
        assert (out.stat().st_uid, out.stat().st_gid) == (host_uid, host_gid)
        assert (data.stat().st_uid, data.stat().st_gid) == (host_uid, host_gid)
    finally:
        down = user.kube2pod("down", path)
    assert down.returncode == 0, down.stderr
    assert pods_named(user, "k2p-rootless-writer") == []
    again = user.kube2pod("validate", "--host", path)
    assert again.returncode == 0 and "must belong" not in again.stderr  # fixed for good


def test_services_work_for_an_unprivileged_user(user):
    """The guestbook example as the user: its project network (netavark in the rootless network
    namespace), the Service's proxy pod and DNS names, the frontend reached through rootlessport."""
    port = free_port()
    text = (REPO / "examples" / "guestbook.yaml").read_text().replace("hostPort: 18081", f"hostPort: {port}")
    path = manifest(user, "guestbook.yaml", text)
    done = user.kube2pod("apply", "--service-proxy-image", "localhost/busybox:latest", "--wait", "--timeout", "90",
                         path)
    try:
        assert done.returncode == 0, done.stderr
        seen = set()
        deadline = time.monotonic() + 60
        while seen != {"backend-pod-0", "backend-pod-1"} and time.monotonic() < deadline:
            try:
                status, body = wait_http(f"http://127.0.0.1:{port}/cgi-bin/entries", timeout=10)
            except OSError:
                continue
            if status == 200 and "served by backend-pod-" in body:
                seen.add(body.split("served by ")[1].split()[0])
        assert seen == {"backend-pod-0", "backend-pod-1"}
        assert "guestbook_default" in user.podman("network", "ls", "--format", "{{.Name}}").split()
    finally:
        down = user.kube2pod("down", path)
    assert down.returncode == 0, down.stderr
    assert "guestbook_default" not in user.podman("network", "ls", "--format", "{{.Name}}").split()


SUBPATH = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "echo from $(POD) > /data/out; sleep 1000"]
    env: [{{name: POD, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}]
    volumeMounts:
    - {{name: data, mountPath: /data, subPathExpr: "pods/$(POD)"}}
  volumes:
  - {{name: data, persistentVolumeClaim: {{claimName: {name}-claim}}}}
"""


@pytest.mark.parametrize("how", ["apply", "script"])
def test_pvc_sub_path_as_unprivileged_user(user, how):
    """A PVC sub-path, made in a volume whose root a container's user owns (the user's own mkdir
    is refused there: podman unshare makes it), written inside, read on the host; down keeps it."""
    name = f"k2p-rootless-sp{how}"
    path = manifest(user, f"{name}.yaml", SUBPATH.format(name=name))
    claim = f"{name}-claim"
    user.podman("volume", "create", "--label", "io.kube2pod.managed=true", "--label",
                f"io.kube2pod.source=PersistentVolumeClaim/default/{claim}", claim)
    root = user.podman("volume", "inspect", "--format", "{{.Mountpoint}}", claim).strip()
    user.podman("unshare", "chown", "1000:1000", root)
    assert user.run("mkdir", f"{root}/probe").returncode != 0  # not the user's to write
    if how == "apply":
        done = user.kube2pod("apply", path)
    else:
        script = user.kube2pod("convert", path)
        assert script.returncode == 0, script.stderr
        done = user.run("sh", "-c", script.stdout)
    try:
        assert done.returncode == 0, done.stderr
        out = Path(root) / "pods" / name / "out"
        deadline = time.monotonic() + 60
        while not (out.exists() and out.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert out.read_text() == f"from {name}\n"
        assert user.podman("exec", f"{name}-main", "cat", "/data/out") == f"from {name}\n"
    finally:
        down = user.kube2pod("down", path)
    assert down.returncode == 0, down.stderr
    assert out.read_text() == f"from {name}\n"  # the claim's data stays
    user.podman("volume", "rm", claim)


def test_failed_apply_removes_the_sub_paths_it_made_as_unprivileged_user(user):
    """The sub-path made through podman unshare in a volume a container's user owns is removed
    again when the apply fails."""
    name = "k2p-rootless-spfail"
    text = SUBPATH.format(name=name).replace('command: ["sh",', 'command: ["/no/such/binary",')
    path = manifest(user, f"{name}.yaml", text)
    claim = f"{name}-claim"
    user.podman("volume", "create", "--label", "io.kube2pod.managed=true", "--label",
                f"io.kube2pod.source=PersistentVolumeClaim/default/{claim}", claim)
    root = Path(user.podman("volume", "inspect", "--format", "{{.Mountpoint}}", claim).strip())
    user.podman("unshare", "chown", "1000:1000", str(root))
    try:
        done = user.kube2pod("apply", path)
        assert done.returncode == 1 and "rolled back" in done.stderr, done.stderr
        assert list(root.iterdir()) == []
    finally:
        user.podman("volume", "rm", "-f", claim)
