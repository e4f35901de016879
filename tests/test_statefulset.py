"""StatefulSet: stable pod names ``<name>-<i>`` and volumeClaimTemplates as per-replica persistent
volumes ``<claim>-<name>-<i>``, kept across down (removed with --volumes)."""

from __future__ import annotations

import pytest
from support.k2p import run_cli, translate_text

from kube2pod.render import quadlet

STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: wl-db}
spec:
  serviceName: wl-db
  replicas: 2
  selector: {matchLabels: {app: wl-db}}
  template:
    metadata: {labels: {app: wl-db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: localhost/busybox:latest
        imagePullPolicy: Never
        command: [sleep, "600"]
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - {name: data, emptyDir: {}}
  volumeClaimTemplates:
  - metadata:
      name: data
      labels: {tier: db}
      annotations: {volume.podman.io/mount-options: nodev, volume.podman.io/size: 1G}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""


def test_stable_names_and_one_volume_per_replica(tmp_path):
    t = translate_text(tmp_path, STS)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    assert [p.name for p in t.plan.pods] == ["wl-db-0", "wl-db-1"]
    assert [p.hostname for p in t.plan.pods] == ["wl-db-0", "wl-db-1"]
    vols = {v.name: v for v in t.plan.volumes}
    assert set(vols) == {"data-wl-db-0", "data-wl-db-1"}  # the claim replaces the pod volume of its name
    v = vols["data-wl-db-1"]
    assert v.lifetime == "persistent" and v.options == {"o": "nodev"}
    assert v.labels["tier"] == "db" and v.labels["io.kube2pod.source"] == "PersistentVolumeClaim/default/data-wl-db-1"
    assert (v.source.kind, v.source.line) == ("PersistentVolumeClaim", STS.splitlines().index("  - metadata:") + 1)
    mounts = {p.name: [m.volume for m in p.containers[0].mounts] for p in t.plan.pods}
    assert mounts == {"wl-db-0": ["data-wl-db-0"], "wl-db-1": ["data-wl-db-1"]}
    # the template's diagnostics once, not once per replica, at the annotation
    size = [d for d in t.diagnostics if "volume.podman.io/size" in d.message]
    assert len(size) == 1 and size[0].pos.line == STS.splitlines().index("      annotations: {volume.podman.io/mount-options:"
                                                                         " nodev, volume.podman.io/size: 1G}") + 1
    assert [d.message for d in t.diagnostics if "resources" in d.message] == [
        "spec.volumeClaimTemplates[0].spec.resources is ignored: a podman volume has no size; it grows on the "
        "host's storage"]


def test_one_replica_keeps_the_index(tmp_path):
    t = translate_text(tmp_path, STS.replace("replicas: 2", "replicas: 1"))
    assert [p.name for p in t.plan.pods] == ["wl-db-0"]
    assert [v.name for v in t.plan.volumes] == ["data-wl-db-0"]


def test_retention_policy_delete_makes_down_remove_them(tmp_path):
    text = STS.replace("  volumeClaimTemplates:", "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, "
                       "whenScaled: Retain}\n  volumeClaimTemplates:")
    t = translate_text(tmp_path, text)
    assert {v.lifetime for v in t.plan.volumes} == {"pod"}
    assert [d.message for d in t.diagnostics if "whenScaled" in d.message] == [
        "spec.persistentVolumeClaimRetentionPolicy.whenScaled is ignored: a removed replica's volume follows "
        "whenDeleted (Delete: apply --prune removes it)"]
    retained = translate_text(tmp_path, text.replace("whenDeleted: Delete", "whenDeleted: Retain"))
    assert {v.lifetime for v in retained.plan.volumes} == {"persistent"}


def test_block_volume_mode_is_refused(tmp_path):
    text = STS.replace("      accessModes: [ReadWriteOnce]", "      volumeMode: Block\n      accessModes: [ReadWriteOnce]")
    t = translate_text(tmp_path, text)
    errors = [d for d in t.diagnostics if d.severity.value == "error"]
    assert len(errors) == 1 and "volumeMode Block" in errors[0].message
    assert errors[0].pos.line == text.splitlines().index("      volumeMode: Block") + 1


def test_units_have_a_volume_unit_per_replica(tmp_path):
    units = quadlet.render(translate_text(tmp_path, STS).plan)
    assert "Options=nodev" in units["data-wl-db-0.volume"]
    assert "source=data-wl-db-1.volume" in units["wl-db-1-c.container"]


@pytest.mark.podman
def test_replica_data_survives_down_and_apply(tmp_path, podman, podman_url, podman_clean):
    manifest = tmp_path / "sts.yaml"
    manifest.write_text(STS.replace("volume.podman.io/mount-options: nodev, ", ""))  # a plain local volume
    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    podman("exec", "wl-db-0-c", "sh", "-c", "echo kept > /data/f")
    assert podman("volume", "inspect", "--format", "{{.Labels.tier}}", "data-wl-db-0").stdout.strip() == "db"

    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert podman("pod", "ps", "-q", "--filter", "name=wl-db").stdout.split() == []
    assert sorted(podman("volume", "ls", "-q", "--filter", "name=data-wl-db").stdout.split()) == [
        "data-wl-db-0", "data-wl-db-1"]

    code, _, err = run_cli("apply", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert podman("exec", "wl-db-0-c", "cat", "/data/f").stdout == "kept\n"
    assert podman("exec", "wl-db-1-c", "ls", "/data").stdout == ""  # each replica its own volume

    code, _, err = run_cli("down", "--volumes", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert podman("volume", "ls", "-q", "--filter", "name=data-wl-db").stdout.split() == []
