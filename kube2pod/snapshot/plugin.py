"""pytest plugin (entry point ``pytest11: kube2pod``): snapshot a manifest's translation in one line.

    def test_app(kube2pod_snapshot):
        kube2pod_snapshot("deploy/app.yaml")                  # sh, json, quadlet, diagnostics
        kube2pod_snapshot("deploy/db.yaml", formats=["sh"], name="db")

Files go under the test's pytest-snapshot directory (``snapshots/<module>/<test>/[name/]``);
``pytest --snapshot-update`` writes them. The target Podman is explicit, never the installed one:
``podman_version="5.0"`` in the call, else the test's ``@pytest.mark.kube2pod_podman_version("5.0")``,
else the ini option ``kube2pod_podman_version``, else kube2pod's default (spec/version.py DEFAULT). Manifest paths are resolved and shown relative to
the pytest root directory, so snapshots do not depend on where the repository is checked out.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Sequence

import pytest

from kube2pod.snapshot import compare
from kube2pod.snapshot.outputs import DEFAULT_FORMATS, snapshot_files
from kube2pod.spec.version import DEFAULT, Version


class ManifestSnapshot:
    """Callable bound to one test: ``(manifests, formats=..., name=None, **pipeline options)``."""

    def __init__(self, snapshot, rootdir: Path, update: bool, version: Version = DEFAULT):
        self._snapshot = snapshot
        self.rootdir = rootdir
        self.update = update
        self.version = version

    @property
    def snapshot_dir(self) -> Path:
        return self._snapshot.snapshot_dir

    @snapshot_dir.setter
    def snapshot_dir(self, value) -> None:
        self._snapshot.snapshot_dir = value

    def __call__(self, manifests: str | os.PathLike | Sequence[str | os.PathLike],
                 formats: Sequence[str] = DEFAULT_FORMATS, *, name: str | None = None,
                 podman_version: str | None = None, **options) -> None:
        __tracebackhide__ = True
        version = self.version if podman_version is None else _version(podman_version, "podman_version")
        from kube2pod.pipeline import Options

        if isinstance(manifests, (str, os.PathLike)):
            manifests = [manifests]
        rel = [os.path.relpath(Path(self.rootdir, m), self.rootdir) for m in manifests]
        with contextlib.chdir(self.rootdir):
            files = snapshot_files(rel, formats, options=Options(**options), version=version)
        directory = self.snapshot_dir / name if name else self.snapshot_dir
        if self.update:
            self._update(files, directory, formats)
            return
        problems = compare.compare(files, directory, formats)
        if problems:
            pytest.fail("kube2pod snapshot differs (run pytest with --snapshot-update to accept):\n"
                        + "\n".join(problems), pytrace=False)

    def _update(self, files: dict[str, str], directory: Path, formats: Sequence[str]) -> None:
        stale = sorted(set(compare.stored(directory, formats)) - set(files))
        for name in stale:
            (directory / name).unlink()
        for fname, text in files.items():  # pytest-snapshot writes and reports what it changed
            self._snapshot.assert_match(text, directory / fname)
        if stale:
            pytest.fail(f"kube2pod snapshot: removed stale {', '.join(stale)} in {directory}", pytrace=False)


INI = "kube2pod_podman_version"
MARKER = "kube2pod_podman_version"


def pytest_addoption(parser) -> None:
    parser.addini(INI, f"target Podman MAJOR.MINOR of kube2pod snapshots (default {DEFAULT})", default=str(DEFAULT))


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(version): the target Podman of this test's kube2pod snapshots")


def _version(text: str, where: str) -> Version:
    try:
        return Version.parse(str(text))
    except ValueError as exc:
        raise pytest.UsageError(f"kube2pod snapshot: {where}: {exc}") from None


@pytest.fixture
def kube2pod_snapshot(snapshot, request) -> ManifestSnapshot:
    """Snapshot what manifests become on Podman; see :mod:`kube2pod.snapshot.plugin`."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        version = _version(marker.args[0] if marker.args else "", f"@pytest.mark.{MARKER}")
    else:
        version = _version(request.config.getini(INI), f"ini option {INI}")
    return ManifestSnapshot(snapshot, Path(request.config.rootpath), bool(request.config.option.snapshot_update),
                            version)
