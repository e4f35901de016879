"""Container-level translation: env sources, secrets, resources, security, probes, stop signal."""

from __future__ import annotations

from support.k2p import translate_text

from kube2pod.render import argv, rest
from kube2pod.spec import container_spec

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: prod, LEVEL: "3"}
---
apiVersion: v1
kind: Secret
metadata: {name: db}
data: {password: aHVudGVyMg==}
stringData: {empty: ""}
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: x}}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 1000, runAsGroup: 2000, supplementalGroups: [3000], seLinuxOptions: {type: spc_t}}
  containers:
  - name: c
    image: localhost/busybox:latest
    args: ["$(MODE)", "$$(MODE)", "$(PW)"]
    envFrom: [{configMapRef: {name: cfg}, prefix: CM_}]
    env:
    - {name: MODE, valueFrom: {configMapKeyRef: {name: cfg, key: MODE}}}
    - {name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}
    - {name: E, valueFrom: {secretKeyRef: {name: db, key: empty}}}
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: CPU, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
    resources: {limits: {cpu: 1m, memory: 64Mi}}
    securityContext: {runAsUser: 1001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
    lifecycle: {stopSignal: SIGUSR1}
    ports: [{name: http, containerPort: 8080}]
    livenessProbe: {tcpSocket: {port: http}, periodSeconds: 5, failureThreshold: 2}
"""


def test_env_sources_and_secret_env(tmp_path):
    result = translate_text(tmp_path, MANIFEST)
    assert not result.has_errors, [d.format() for d in result.diagnostics]
    c = result.plan.pods[0].containers[0]
    env = {e.name: e.value for e in c.env}
    assert env == {"CM_MODE": "prod", "CM_LEVEL": "3", "MODE": "prod", "E": "", "POD": "p", "APP": "x",
                   "MEM": "64", "CPU": "1"}
    assert [(s.name, s.secret) for s in c.secret_env] == [("PW", "db-password")]
    assert c.command == ["prod", "$(MODE)", "$(PW)"]  # a secret is never expanded into argv
    assert any("$(PW) is not expanded" in d.message for d in result.diagnostics)
    [secret] = result.plan.secrets
    assert secret.data() == b"hunter2" and "hunter2" not in result.plan.model_dump_json()


def test_security_resources_probe(tmp_path):
    c = translate_text(tmp_path, MANIFEST).plan.pods[0].containers[0]
    assert c.user == "1001:2000" and c.group_add == ["3000"] and c.selinux_opts == ["type:spc_t"]
    assert c.read_only and c.no_new_privileges
    assert (c.memory, c.memory_swap, c.cpu_quota, c.cpu_period, c.cpu_shares) == (64 * 2**20, 64 * 2**20, 1000, 100000, 2)
    assert c.stop_signal == 10
    assert c.healthcheck.test == ["CMD-SHELL", "nc -z localhost 8080 || exit 1"]
    assert (c.healthcheck.interval, c.healthcheck.retries, c.healthcheck.on_failure) == (5, 2, "kill")


def test_cli_and_api_carry_the_same_settings(tmp_path):
    pod = translate_text(tmp_path, MANIFEST).plan.pods[0]
    c = pod.containers[0]
    args = argv.container_create(container_spec(pod, c))
    body = rest.body(container_spec(pod, c))
    assert "--secret=db-password,type=env,target=PW" in args and body["secret_env"] == {"PW": "db-password"}
    assert "--user=1001:2000" in args and body["user"] == "1001:2000"
    assert "--cpu-quota=1000" in args and body["resource_limits"]["cpu"]["quota"] == 1000
    assert "--stop-signal=10" in args and body["stop_signal"] == 10
    assert "--health-on-failure=kill" in args and body["health_check_on_failure_action"] == 2
    assert not any("hunter2" in a for a in args)
