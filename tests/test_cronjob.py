"""CronJob: a systemd timer next to the pod's units in the unit outputs; the script and apply refuse it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
from support.k2p import run_cli, translate_text
from support.quadlet import generate

from kube2pod.render import quadlet

CRON = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: wl-backup}
spec:
  schedule: "30 2 * * MON-FRI"
  timeZone: Europe/Berlin
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        metadata: {labels: {app: backup}}
        spec:
          restartPolicy: OnFailure
          containers:
          - name: run
            image: localhost/busybox:latest
            command: [sh, -c, date]
"""


def test_schedule_in_the_plan(tmp_path):
    t = translate_text(tmp_path, CRON)
    assert not t.has_errors, [d.format() for d in t.diagnostics]
    (pod,) = t.plan.pods
    assert pod.name == "wl-backup-pod" and pod.labels["app"] == "backup"
    assert pod.containers[0].restart_policy == "on-failure"
    s = pod.schedule
    assert (s.calendars, s.time_zone, s.persistent, s.suspended) == (
        ["Mon..Fri *-*-* 02:30:00"], "Europe/Berlin", True, False)
    assert not [d for d in t.diagnostics if "concurrencyPolicy" in d.message or "History" in d.message]


def test_units_timer_and_pod(tmp_path):
    units = quadlet.render(translate_text(tmp_path, CRON).plan)
    timer = units["wl-backup-pod.timer"]
    assert "OnCalendar=Mon..Fri *-*-* 02:30:00 Europe/Berlin\n" in timer
    assert "Unit=wl-backup-pod-pod.service\n" in timer and "Persistent=true\n" in timer
    assert timer.endswith("[Install]\nWantedBy=timers.target\n")
    pod = units["wl-backup-pod.pod"]
    assert "[Install]" not in pod  # the timer starts it, not the boot
    assert "PodmanArgs=--exit-policy=stop" in pod


@pytest.mark.parametrize("field, value, words", [
    ("concurrencyPolicy", "Replace", "concurrencyPolicy Replace becomes Forbid"),
    ("concurrencyPolicy", "Allow", "concurrencyPolicy Allow becomes Forbid"),
    ("startingDeadlineSeconds", "100", "startingDeadlineSeconds is not enforced"),
    ("suspend", "true", "suspended: its timer is written but not enabled"),
])
def test_controller_fields_are_warned_at_their_key(tmp_path, field, value, words):
    text = CRON.replace("  concurrencyPolicy: Forbid\n", f"  {field}: {value}\n")
    t = translate_text(tmp_path, text)
    (warned,) = [d for d in t.diagnostics if words in d.message]
    assert warned.severity.value == "warning"
    assert (warned.pos.line, warned.pos.col) == (text.splitlines().index(f"  {field}: {value}") + 1, 3)
    if field == "suspend":
        timer = quadlet.render(t.plan)["wl-backup-pod.timer"]
        assert "[Install]" not in timer and "not installed" in timer


@pytest.mark.parametrize("written", ["30 2 * * MON-FUN", '"30 2 * * MON-FUN"'])
def test_bad_schedule_is_an_error_at_it_naming_the_part(tmp_path, written):
    text = CRON.replace('"30 2 * * MON-FRI"', written)
    t = translate_text(tmp_path, text)
    (err,) = [d for d in t.diagnostics if d.severity.value == "error"]
    assert err.message == ("spec.schedule '30 2 * * MON-FUN': 'FUN' is not a day of week value: expected a number "
                           "0-6 or a name (SUN, MON, TUE, WED, THU, FRI, SAT)")
    line = text.splitlines().index(f"  schedule: {written}")
    assert (err.pos.line, err.pos.col) == (line + 1, len("  schedule: ") + 1)
    assert t.plan.pods == [] or all(p.schedule is None for p in t.plan.pods)


def test_job_template_needs_a_job_restart_policy(tmp_path):
    (tmp_path / "c.yaml").write_text(CRON.replace("restartPolicy: OnFailure", "restartPolicy: Always"))
    code, _, err = run_cli("convert", "-o", "quadlet", "--out-dir", str(tmp_path / "out"), str(tmp_path / "c.yaml"))
    assert code == 2 and "restartPolicy" in err and "for a CronJob" in err, err


def test_script_and_apply_refuse_with_the_hint(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(CRON)
    for args in (("convert", "-o", "sh"), ("apply", "--url", "unix:///nonexistent/wl-podman.sock")):
        code, out, err = run_cli(*args, str(f))
        assert code == 2 and out == "", (args, err)
        assert f"{f}:1:1: error:" in err and "cannot run CronJob/wl-backup on its schedule" in err, err
        assert "kube2pod convert -o quadlet" in err


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_timer_and_quadlet_the_units(tmp_path, quadlet_bin):
    units = quadlet.render(translate_text(tmp_path, CRON).plan)
    services = generate(quadlet_bin, {n: t for n, t in units.items() if not n.endswith(".timer")}, tmp_path)
    assert "wl-backup-pod-pod.service" in services  # the unit the timer starts exists
    d = tmp_path / "systemd"
    d.mkdir()
    (d / "wl-backup-pod.timer").write_text(units["wl-backup-pod.timer"])
    (d / "wl-backup-pod-pod.service").write_text(services["wl-backup-pod-pod.service"])
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", str(d / "wl-backup-pod.timer")],
                          capture_output=True, text=True, env={"SYSTEMD_UNIT_PATH": f"{d}:", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and "calendar" not in proc.stderr, proc.stderr
    cal = subprocess.run(["systemd-analyze", "calendar", "Mon..Fri *-*-* 02:30:00 Europe/Berlin"],
                         capture_output=True, text=True)
    assert cal.returncode == 0 and "Next elapse" in cal.stdout


@pytest.mark.parametrize("zone", ["Europe/Nowhere", "../etc/passwd", "Mars/Olympus"])
def test_unknown_time_zone_is_an_error_at_it(tmp_path, zone):
    text = CRON.replace("timeZone: Europe/Berlin", f"timeZone: {zone}")
    t = translate_text(tmp_path, text)
    (err,) = [d for d in t.diagnostics if d.severity.value == "error"]
    assert "is not a time zone" in err.message
    assert err.pos.line == text.splitlines().index(f"  timeZone: {zone}") + 1


def test_missing_schedule_is_the_loaders_error(tmp_path):
    (tmp_path / "c.yaml").write_text(CRON.replace('  schedule: "30 2 * * MON-FRI"\n', ""))
    code, _, err = run_cli("convert", "-o", "json", str(tmp_path / "c.yaml"))
    assert code == 2 and 'c.yaml:5:3: error: spec: missing required field "schedule"' in err, err


@pytest.mark.podman
def test_each_start_of_the_pod_runs_the_job_once(tmp_path, podman, podman_clean):
    """What the timer relies on, on the real Podman: the scheduled pod (--exit-policy stop) stops when
    its job's containers have exited, so its service ends, and the next start runs the job again."""
    from kube2pod.render import argv
    from kube2pod.spec import build

    text = CRON.replace("command: [sh, -c, date]", "command: [sh, -c, 'echo run >> /log/runs']\n"
                        "            volumeMounts: [{name: log, mountPath: /log}]\n"
                        "          volumes: [{name: log, hostPath: {path: LOG, type: Directory}}]")
    log = tmp_path / "log"
    log.mkdir()
    log.chmod(0o777)
    plan = translate_text(tmp_path, text.replace("LOG", str(log))).plan
    spec = build(plan)
    (pod,) = plan.pods
    for net in plan.networks:
        podman(*argv.network_create(spec.networks[net.name])[1:])
    podman(*argv.pod_create(spec.pods[pod.name])[1:])
    for c in pod.containers:
        podman(*argv.container_create(spec.containers[c.name])[1:])

    def state() -> str:
        info = json.loads(podman("pod", "inspect", pod.name).stdout)
        return (info[0] if isinstance(info, list) else info)["State"]

    for run in (1, 2):
        podman(*argv.pod_start(pod.name)[1:])
        deadline = time.monotonic() + 30
        while state() != "Exited" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert state() == "Exited"  # the infra container stopped with the job: the pod service ends
        assert (log / "runs").read_text().split() == ["run"] * run
