"""Preflight decisions from recorded host facts (no Podman, no host access)."""

from __future__ import annotations

import json
import os

import pytest

from kube2pod.host import facts as host_facts
from kube2pod.apply import chown
from kube2pod.host import userns
from kube2pod.host.ownership_fix import OwnershipFix
from kube2pod.host.facts import HostFacts, IdMap, IdRange, PathFacts
from kube2pod.host.checks import preflight
from kube2pod.load import load
from kube2pod.translate import Options, translate

# `podman info` of user k2p-rootless (uid 1001) with subuid/subgid 200000:65536, recorded on Debian 12
ROOTLESS = HostFacts.from_dict(json.loads("""{
  "euid": 1001, "egid": 1001, "user": "k2p-rootless", "rootless": true,
  "subuids": [{"start": 200000, "size": 65536}], "subgids": [{"start": 200000, "size": 65536}],
  "uidmap": [{"container_id": 0, "host_id": 1001, "size": 1}, {"container_id": 1, "host_id": 200000, "size": 65536}],
  "gidmap": [{"container_id": 0, "host_id": 1001, "size": 1}, {"container_id": 1, "host_id": 200000, "size": 65536}],
  "unprivileged_port_start": 1024, "selinux": "disabled", "paths": []
}"""))
ROOTFUL = HostFacts(euid=0, egid=0, user="root", rootless=False)

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {ANNOTATIONS}
spec:
  securityContext: {SC}
  containers:
  - name: c
    image: localhost/busybox:latest
    ports: [{PORTS}]
    volumeMounts: [{MOUNTS}]
  volumes:
  - name: d
    hostPath: {{path: /srv/data, type: DirectoryOrCreate}}
"""


def plan_of(tmp_path, sc="{}", ports="", mounts="{name: d, mountPath: /data}", annotations="{}"):
    f = tmp_path / "pod.yaml"
    f.write_text(POD.format(SC=sc, PORTS=ports, MOUNTS=mounts, ANNOTATIONS=annotations))
    loaded = load([str(f)])
    result = translate(loaded.manifests)
    assert not result.has_errors, result.diagnostics
    return result.plan


def with_path(facts: HostFacts, **kw) -> HostFacts:
    from dataclasses import replace

    return replace(facts, paths=(PathFacts("/srv/data", **kw),))


def messages(result, severity):
    return [d for d in result.diagnostics if d.severity.value == severity]


def test_privileged_host_port_refused_rootless_with_both_fixes(tmp_path):
    plan = plan_of(tmp_path, ports="{containerPort: 8080, hostPort: 80}")
    (err,) = messages(preflight(plan, with_path(ROOTLESS, exists=True, is_dir=True, uid=1001, gid=1001,
                                                mode=0o755)), "error")
    assert "hostPort 80" in err.message and "(1024)" in err.message
    assert "sysctl -w net.ipv4.ip_unprivileged_port_start=80" in err.hint and "1024 or more" in err.hint
    assert err.pos.file.endswith("pod.yaml") and err.pos.line == 1


def test_port_limits_follow_the_host(tmp_path):
    from dataclasses import replace

    plan = plan_of(tmp_path, ports="{containerPort: 8080, hostPort: 80}")
    lowered = replace(ROOTLESS, unprivileged_port_start=80)
    assert not preflight(plan, lowered).diagnostics
    assert not preflight(plan, ROOTFUL).diagnostics
    high = plan_of(tmp_path, ports="{containerPort: 8080, hostPort: 18080}")
    assert not preflight(high, ROOTLESS).diagnostics


def test_unusable_tun_device_is_found_before_anything_is_created(tmp_path):
    from dataclasses import replace

    plan = plan_of(tmp_path)
    no_tun = replace(ROOTLESS, tun_usable=False)
    (err,) = [d for d in preflight(plan, no_tun).diagnostics if "/dev/net/tun" in d.message]
    assert err.severity.value == "error" and "user k2p-rootless" in err.message and "Pod/p" in err.message
    assert "chmod 0666 /dev/net/tun" in err.hint and err.pos.file.endswith("pod.yaml")
    assert not [d for d in preflight(plan, replace(ROOTFUL, tun_usable=False)).diagnostics
                if "/dev/net/tun" in d.message]  # rootful networking does not use it
    assert not [d for d in preflight(plan, ROOTLESS).diagnostics if "/dev/net/tun" in d.message]


def test_missing_subordinate_ranges(tmp_path):
    from dataclasses import replace

    plan = plan_of(tmp_path)
    bare = replace(ROOTLESS, subuids=(), subgids=(), uidmap=(IdMap(0, 1001, 1),), gidmap=(IdMap(0, 1001, 1),))
    (err,) = messages(preflight(plan, bare), "error")
    assert "/etc/subuid and /etc/subgid" in err.message
    assert "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 k2p-rootless" in err.hint
    unmigrated = replace(ROOTLESS, uidmap=(IdMap(0, 1001, 1),))
    (err,) = messages(preflight(plan, unmigrated), "error")
    assert "podman system migrate" in err.hint


def test_run_as_user_outside_the_mapped_range(tmp_path):
    plan = plan_of(tmp_path, sc="{runAsUser: 70000}", mounts="")
    (err,) = messages(preflight(plan, ROOTLESS), "error")
    assert "runAsUser 70000" in err.message and "0-65536" in err.message
    assert not preflight(plan_of(tmp_path, sc="{runAsUser: 65536}", mounts=""), ROOTLESS).diagnostics
    assert not preflight(plan, ROOTFUL).diagnostics
    group = plan_of(tmp_path, sc="{runAsUser: 1, runAsGroup: 99999}", mounts="")
    assert "runAsGroup 99999" in messages(preflight(group, ROOTLESS), "error")[0].message


def test_unwritable_host_path_warns_with_the_mapped_uid(tmp_path):
    plan = plan_of(tmp_path, sc="{runAsUser: 1000}")
    facts = with_path(ROOTLESS, exists=True, is_dir=True, uid=1001, gid=1001, mode=0o755)
    result = preflight(plan, facts)
    (warn,) = messages(result, "warning")
    assert not result.fixes
    assert "uid 1000 (uid 200999 on the host)" in warn.message
    assert "must belong to uid 200999" in warn.hint and "podman unshare chown 1000 /srv/data" in warn.hint


def test_fix_ownership_makes_a_step_instead(tmp_path):
    plan = plan_of(tmp_path, sc="{runAsUser: 1000, runAsGroup: 1000}")
    facts = with_path(ROOTLESS, exists=True, is_dir=True, uid=1001, gid=1001, mode=0o755)
    result = preflight(plan, facts, fix_ownership=True)
    assert not result.diagnostics
    (fix,) = result.fixes
    assert (fix.host_uid, fix.host_gid, fix.ns_uid, fix.ns_gid) == (200999, 200999, 1000, 1000)
    assert fix.command() == ["podman", "unshare", "chown", "1000:1000", "/srv/data"]
    assert fix.create is None


def test_missing_directory_is_created_then_fixed(tmp_path):
    plan = plan_of(tmp_path, sc="{runAsUser: 1000}")
    (fix,) = preflight(plan, with_path(ROOTLESS, exists=False), fix_ownership=True).fixes
    assert fix.create is not None and fix.create.path == "/srv/data"


def test_writable_paths_need_nothing(tmp_path):
    owned = with_path(ROOTLESS, exists=True, is_dir=True, uid=200999, gid=1001, mode=0o755)
    assert not preflight(plan_of(tmp_path, sc="{runAsUser: 1000}"), owned).diagnostics
    open_dir = with_path(ROOTLESS, exists=True, is_dir=True, uid=0, gid=0, mode=0o1777)
    assert not preflight(plan_of(tmp_path, sc="{runAsUser: 1000}"), open_dir).diagnostics
    mine = with_path(ROOTLESS, exists=True, is_dir=True, uid=1001, gid=1001, mode=0o755)
    assert not preflight(plan_of(tmp_path), mine).diagnostics  # container root is the user
    read_only = plan_of(tmp_path, sc="{runAsUser: 1000}", mounts="{name: d, mountPath: /data, readOnly: true}")
    assert not preflight(read_only, mine).diagnostics


def test_root_owned_directory_cannot_be_fixed_rootless(tmp_path):
    facts = with_path(ROOTLESS, exists=True, is_dir=True, uid=0, gid=0, mode=0o755)
    result = preflight(plan_of(tmp_path), facts, fix_ownership=True)
    assert not result.fixes
    (warn,) = messages(result, "warning")
    assert "as root: chown 1001 /srv/data" in warn.hint


def test_rootful_non_root_user(tmp_path):
    plan = plan_of(tmp_path, sc="{runAsUser: 1000}")
    facts = with_path(ROOTFUL, exists=True, is_dir=True, uid=0, gid=0, mode=0o755)
    (fix,) = preflight(plan, facts, fix_ownership=True).fixes
    assert fix.command() == ["chown", "1000", "/srv/data"]
    assert not preflight(plan_of(tmp_path), facts).diagnostics


def test_userns_modes_change_the_mapping(tmp_path):
    facts = with_path(ROOTLESS, exists=True, is_dir=True, uid=1001, gid=1001, mode=0o755)
    keep = plan_of(tmp_path, sc="{runAsUser: 1001}", annotations="{io.podman.annotations.userns: keep-id}")
    assert not preflight(keep, facts).diagnostics  # keep-id: container uid 1001 is the user
    auto = plan_of(tmp_path, sc="{runAsUser: 1000}", annotations="{io.podman.annotations.userns: auto}")
    (warn,) = messages(preflight(auto, facts), "warning")
    assert "cannot tell" in warn.message
    assert userns.host_uid(ROOTLESS, "keep-id", 1000) == 200000 + 1000
    assert userns.host_uid(ROOTLESS, "keep-id", 1002) == 200000 + 1001
    assert userns.host_uid(ROOTLESS, "keep-id:uid=5", 5) == 1001
    assert userns.host_uid(ROOTLESS, "nomap", 0) == 200000
    assert userns.host_uid(ROOTLESS, "", 0) == 1001
    assert userns.host_uid(ROOTLESS, "", 65537) is None


def test_selinux_enforcing_warns_about_unlabelled_binds(tmp_path):
    from dataclasses import replace

    facts = replace(with_path(ROOTFUL, exists=True, is_dir=True, mode=0o755), selinux="enforcing")
    assert not preflight(plan_of(tmp_path), facts).diagnostics  # relabel auto: Z
    plan_of(tmp_path)
    result = translate(load([str(tmp_path / "pod.yaml")]).manifests, Options(relabel="none"))
    (warn,) = messages(preflight(result.plan, facts), "warning")
    assert "without SELinux relabeling" in warn.message


def test_facts_parsing_and_round_trip(tmp_path):
    text = "other:100000:65536\nk2p-rootless:200000:65536\n1001:300000:10\n"
    assert host_facts.sub_ids(text, "k2p-rootless", 1001) == (IdRange(200000, 65536), IdRange(300000, 10))
    assert host_facts.selinux_mode(None) == "disabled"
    assert host_facts.selinux_mode("0\n") == "permissive" and host_facts.selinux_mode("1") == "enforcing"
    d = tmp_path / "d"
    d.mkdir(mode=0o750)
    st = host_facts.stat_path(str(d))
    assert st.exists and st.is_dir and st.mode == 0o750
    assert not host_facts.stat_path(str(tmp_path / "none")).exists
    info = {"host": {"security": {"rootless": True}, "idMappings": {
        "uidmap": [{"container_id": 0, "host_id": 5, "size": 1}], "gidmap": None}}}
    facts = host_facts.read(info, [str(d)])
    assert facts.rootless and facts.uidmap == (IdMap(0, 5, 1),) and facts.gidmap == ()
    assert HostFacts.from_dict(json.loads(json.dumps(facts.as_dict()))) == facts


def test_ownership_fix_as_root_chowns_and_undoes_created_dirs(tmp_path):
    from kube2pod.plan import HostPath, ObjectRef

    target = tmp_path / "new"
    hp = HostPath(path=str(target), source=ObjectRef(kind="Pod", name="p"), expect="directory", create=True)
    fix = OwnershipFix(path=str(target), container="c", uid=1000, gid=None, ns_uid=1000, ns_gid=None,
                                 host_uid=4321, host_gid=None, rootless=False, create=hp)
    events = []
    with pytest.raises(RuntimeError):
        with chown.fixed([fix], events.append):
            assert target.is_dir() and (target.stat().st_uid == 4321 or os.geteuid() != 0)
            raise RuntimeError("apply failed")
    assert not target.exists()
    assert [e.action for e in events] == ["owner fixed"]
