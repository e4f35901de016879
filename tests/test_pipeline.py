"""The library pipeline (kube2pod/pipeline.py): its result objects, the one error-level policy,
--userns as a translate option, and the CLI's mapping of both."""

from __future__ import annotations

import json

import pytest
from support.k2p import run_cli

from kube2pod import pipeline
from kube2pod.diagnostics import Diagnostics, ErrorLevel, Result, Severity, error, warning
from kube2pod.host.facts import HostFacts, PathFacts
from kube2pod.host.checks import Preflight
from kube2pod.load import LoadResult
from kube2pod.pipeline import OptionError, Options, Outcome, check_host, run
from kube2pod.plan import canonical
from kube2pod.plan import ownership_labels
from kube2pod.translate import Translation, translate

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {ANNOTATIONS}
spec:
  {SPEC}
  securityContext: {{runAsUser: 1000}}
  containers:
  - name: c
    image: localhost/busybox:latest
    volumeMounts: [{{name: d, mountPath: /data}}]
  volumes:
  - name: d
    hostPath: {{path: /srv/data, type: DirectoryOrCreate}}
"""
SERVICE = """---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {ports: [{port: 80}]}
"""
ACCOUNT = """---
apiVersion: v1
kind: ServiceAccount
metadata: {name: a}
"""
#: an error only translation finds
HOST_SYSCTL = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  securityContext: {sysctls: [{name: net.core.somaxconn, value: "1"}]}
  containers: [{name: c, image: i}]
"""
#: root-owned /srv/data (mode 755): uid 1000 cannot write it, an ownership warning
ROOTFUL = HostFacts(euid=0, egid=0, user="root", rootless=False,
                    paths=(PathFacts("/srv/data", exists=True, is_dir=True, uid=0, gid=0, mode=0o755),))


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    return str(path)


def _pod(spec: str = "", annotations: str = "{}") -> str:
    return POD.format(SPEC=spec or "hostname: p", ANNOTATIONS=annotations)


def _severities(diags) -> list[str]:
    return [d.severity.value for d in diags]


# ---------------------------------------------------------------- results

def test_every_step_returns_a_result_and_the_outcome_has_them_all(tmp_path):
    outcome = run([_write(tmp_path, _pod() + SERVICE)])
    assert isinstance(outcome, Outcome) and isinstance(outcome.loaded, LoadResult)
    assert isinstance(outcome.translation, Translation) and outcome.preflight is None
    assert all(isinstance(r, Result) for r in (outcome, outcome.loaded, outcome.translation))
    assert outcome.diagnostics == outcome.loaded.diagnostics + outcome.translation.diagnostics
    (warn,) = outcome.warnings
    assert "Service/s has no selector" in warn.message and not outcome.errors and not outcome.has_errors
    assert outcome.plan is outcome.translation.plan and [p.name for p in outcome.plan.pods] == ["p"]


def test_load_errors_stop_before_translation(tmp_path):
    outcome = run([_write(tmp_path, "kind: [\n")])
    assert outcome.has_errors and outcome.translation is None and outcome.plan is None
    assert outcome.errors == outcome.loaded.errors and "YAML syntax error" in outcome.errors[0].message


def test_translation_errors_leave_no_plan(tmp_path):
    outcome = run([_write(tmp_path, HOST_SYSCTL)])
    assert not outcome.loaded.has_errors and outcome.translation.has_errors
    assert outcome.plan is None and "cannot be set with hostNetwork" in outcome.errors[0].message


def test_result_lists_errors_and_warnings_in_order():
    diags = [warning("w1"), error("e1"), warning("w2")]
    result = Result(diags)
    assert result.has_errors and result.errors == [diags[1]] and result.warnings == [diags[0], diags[2]]
    assert not Result().has_errors and Result().diagnostics == []
    assert not Result([warning("w")]).has_errors


# ---------------------------------------------------------------- the error-level policy

def test_diagnostics_apply_the_level_as_they_are_added():
    for level, expected in ((ErrorLevel.IGNORE, ["error"]), (ErrorLevel.WARN, ["warning", "error"]),
                            (ErrorLevel.ERROR, ["error", "error"])):
        diags = Diagnostics(level)
        diags.warning("w", hint="h")
        diags.add(error("e"))
        assert _severities(diags) == expected, level
        assert diags.has_errors
    strict = Diagnostics(ErrorLevel.ERROR)
    strict.add(warning("w", hint="h"))
    assert list(strict) == [error("w", hint="h")]  # message, position and hint kept
    assert Diagnostics().level is ErrorLevel.WARN


def test_warn_keeps_warnings(tmp_path):
    outcome = run([_write(tmp_path, _pod() + SERVICE + ACCOUNT)])
    assert _severities(outcome.diagnostics) == ["warning", "warning"]  # the ServiceAccount, the Service
    assert outcome.plan is not None


def test_ignore_drops_warnings(tmp_path):
    outcome = run([_write(tmp_path, _pod() + SERVICE + ACCOUNT)], Options(level=ErrorLevel.IGNORE))
    assert outcome.diagnostics == [] and outcome.plan is not None
    errors = run([_write(tmp_path, HOST_SYSCTL)], Options(level=ErrorLevel.IGNORE))
    assert errors.has_errors and errors.plan is None  # errors are never dropped


def test_error_raises_warnings_to_errors_in_every_step(tmp_path):
    strict = Options(level=ErrorLevel.ERROR)
    loading = run([_write(tmp_path, _pod() + SERVICE + ACCOUNT)], strict)
    assert loading.loaded.has_errors and loading.translation is None  # the ServiceAccount stops it
    translating = run([_write(tmp_path, _pod() + SERVICE)], strict)
    (err,) = translating.translation.diagnostics
    assert err.severity is Severity.ERROR and "Service/s has no selector" in err.message
    assert translating.plan is None


def test_host_check_applies_the_same_level(tmp_path):
    seen = []

    def read_facts(paths):
        seen.append(paths)
        return ROOTFUL

    path = _write(tmp_path, _pod())
    kept = run([path], host=read_facts)
    assert seen == [["/srv/data"]] and isinstance(kept.preflight, Preflight)
    (warn,) = kept.preflight.diagnostics
    assert warn.severity is Severity.WARNING and "cannot write hostPath /srv/data" in warn.message
    assert kept.diagnostics[-1] == warn and kept.plan is not None
    assert run([path], Options(level=ErrorLevel.IGNORE), host=read_facts).diagnostics == []
    strict = run([path], Options(level=ErrorLevel.ERROR), host=read_facts)
    assert _severities(strict.preflight.diagnostics) == ["error"] and strict.plan is None
    fixed = run([path], host=read_facts, fix_ownership=True)
    assert not fixed.diagnostics and [f.command() for f in fixed.fixes] == [["chown", "1000", "/srv/data"]]


def test_check_host_later_and_only_with_a_plan(tmp_path):
    outcome = run([_write(tmp_path, _pod())])
    assert outcome.fixes == []
    checked = check_host(outcome, lambda paths: ROOTFUL, fix_ownership=True)
    assert checked is not outcome and checked.loaded is outcome.loaded and len(checked.fixes) == 1
    failed = run([_write(tmp_path, "kind: [\n")])
    assert check_host(failed, lambda paths: pytest.fail("no plan: the host is not read")) is failed


# ---------------------------------------------------------------- --userns

def _hash(pod) -> str:
    return pod.labels[ownership_labels.HASH]


def test_userns_is_applied_when_each_pod_is_built(tmp_path):
    plain = run([_write(tmp_path, _pod())]).plan.pods[0]
    private = run([_write(tmp_path, _pod())], Options(userns="private")).plan.pods[0]
    host_users = run([_write(tmp_path, _pod("hostUsers: false"))]).plan.pods[0]
    assert (plain.userns, private.userns) == ("", "auto")
    # the same pod as one that asked for it itself: one hash, computed on the final pod
    assert canonical.to_json(private) == canonical.to_json(host_users)
    assert _hash(private) != _hash(plain)
    assert all(_hash(c) == _hash(private) for c in private.containers)


def test_userns_overrides_the_annotation_and_host_users(tmp_path):
    text = _pod("hostUsers: false", "{io.podman.annotations.userns: keep-id}")
    assert run([_write(tmp_path, text)]).plan.pods[0].userns == "keep-id"
    for mode in ("nomap", "keep-id:uid=5", "ns:/run/ns", "host", "auto:size=10"):
        assert run([_write(tmp_path, text)], Options(userns=mode)).plan.pods[0].userns == mode


def test_a_bad_userns_is_an_option_error_before_any_input_is_read(tmp_path):
    with pytest.raises(OptionError, match=r"--userns 'bogus': expected one of host, auto"):
        run([str(tmp_path / "missing.yaml")], Options(userns="bogus"))
    loaded = run([_write(tmp_path, _pod())]).loaded
    with pytest.raises(OptionError):
        translate(loaded.manifests, Options(userns="keepid"))
    assert isinstance(OptionError("x"), ValueError)


# ---------------------------------------------------------------- the CLI's mapping

def test_cli_maps_strict_and_userns_to_the_options(tmp_path):
    path = _write(tmp_path, _pod() + SERVICE)
    code, out, err = run_cli("convert", "-o", "json", "--userns", "private", path)
    assert code == 0 and json.loads(out)["pods"][0]["userns"] == "auto"
    assert err == f"{path}:20:7: warning: Service/s has no selector: its Endpoints are not emulated, and its name " \
                  "does not resolve\n  hint: select the pods with spec.selector\n"
    code, out, err = run_cli("convert", "--strict", path)
    assert (code, out) == (2, "") and err.startswith(f"{path}:20:7: error: Service/s has no selector")


def test_cli_bad_userns_is_a_usage_error(tmp_path):
    path = _write(tmp_path, _pod())
    for command in (["convert"], ["validate", "-o", "json"], ["convert", "--check", str(tmp_path)]):
        code, out, err = run_cli(*command, path, "--userns", "bogus")
        assert (code, out) == (2, "")
        assert err == ("kube2pod: error: --userns 'bogus': expected one of host, auto[:OPTIONS], keep-id[:OPTIONS], "
                       "nomap, ns:PATH, private\n")


def test_snapshots_take_the_same_options(tmp_path):
    from kube2pod.snapshot.outputs import snapshot_files

    files = snapshot_files([_write(tmp_path, _pod())], ["json", "diagnostics"], options=Options(userns="nomap"))
    assert json.loads(files["plan.json"])["pods"][0]["userns"] == "nomap"
    assert files["diagnostics.txt"] == "exit 0\npodman 4.3\n"
