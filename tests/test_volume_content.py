"""apply/volume_content.py: a volume's files replace its content; a file that stays keeps its inode
(a projected volume's secret key is mounted over it), everything else goes."""

from __future__ import annotations

import os

from kube2pod.apply import volume_content
from kube2pod.plan import ObjectRef, Volume
from kube2pod.plan.volume import VolumeFile


class _API:
    def __init__(self, root):
        self.root = root

    def volume_inspect(self, name):
        return {"Mountpoint": str(self.root)}


def _volume(*files: VolumeFile) -> Volume:
    return Volume.make(name="v", source=ObjectRef.make(kind="Pod", name="p"), files=list(files))


def test_files_are_rewritten_in_place_and_the_rest_removed(tmp_path):
    api = _API(tmp_path)
    volume_content.write(api, _volume(VolumeFile.make(path="auth/username", text=""),
                                      VolumeFile.make(path="old/file", text="x"),
                                      VolumeFile.make(path="conf", text="a", mode=0o600)))
    mark = os.stat(tmp_path / "auth" / "username").st_ino
    (tmp_path / "stray").write_text("not ours")
    os.symlink("/etc/passwd", tmp_path / "link")
    volume_content.write(api, _volume(VolumeFile.make(path="auth/username", text=""),
                                      VolumeFile.make(path="conf", text="b", mode=0o640)))
    assert os.stat(tmp_path / "auth" / "username").st_ino == mark
    assert sorted(os.listdir(tmp_path)) == ["auth", "conf"]
    assert (tmp_path / "conf").read_text() == "b" and os.stat(tmp_path / "conf").st_mode & 0o777 == 0o640


def test_a_symlink_at_a_files_path_is_replaced_not_followed(tmp_path):
    target = tmp_path / "outside"
    target.write_text("keep")
    root = tmp_path / "vol"
    root.mkdir()
    os.symlink(target, root / "conf")
    volume_content.write(_API(root), _volume(VolumeFile.make(path="conf", text="new")))
    assert target.read_text() == "keep" and not os.path.islink(root / "conf")
    assert (root / "conf").read_text() == "new"
