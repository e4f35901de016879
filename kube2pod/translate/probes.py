"""livenessProbe (and startupProbe) -> a podman healthcheck; a readinessProbe without a
livenessProbe -> a healthcheck whose failure does nothing (``--health-on-failure none``): the
container turns unhealthy, is not restarted, and ``status`` reports it not ready, as the kubelet
marks it. With both, the livenessProbe is the healthcheck (Podman runs one per container) and the
readinessProbe is ignored with a warning.

- exec.command -> ``["CMD", argv...]`` (run directly, as the kubelet does)
- httpGet -> ``CMD-SHELL``: curl, or wget when the image has no curl; HTTP(S)
  GET of ``scheme://host:port/path`` (host defaults to localhost: the pod's
  network namespace), success on 2xx/3xx, certificates not checked (as the kubelet)
- tcpSocket -> ``CMD-SHELL nc -z host port``
- grpc -> refused: the kubelet is the gRPC client; Podman has none (see ``_grpc_refused``)
- a named port is the containerPort of that name in the container
- periodSeconds (10) -> interval, timeoutSeconds (1) -> timeout,
  failureThreshold (3) -> retries, initialDelaySeconds -> start period
- on failure: restartPolicy Always/OnFailure -> restart, Never -> kill; readiness: none
Podman 4.3 has no startup healthcheck: a startupProbe extends the liveness
start period by its own budget (initialDelay + period x failureThreshold), with a warning.
"""

from __future__ import annotations

import json
import shlex

from kube2pod.plan import Healthcheck
from kube2pod.translate.context import Context

ON_FAILURE = {"Always": "restart", "OnFailure": "restart", "Never": "kill"}


def healthcheck(ctx: Context, cpath: tuple, container, restart_policy: str | None) -> Healthcheck | None:
    """The healthcheck for the container's livenessProbe (else its readinessProbe), or None (no
    probe, or an error)."""
    probe, startup, readiness = container.liveness_probe, container.startup_probe, container.readiness_probe
    if probe is None and readiness is not None:
        return _readiness(ctx, cpath, readiness, container)
    if readiness is not None:
        ctx.warning(cpath + ("readinessProbe",), "readinessProbe is not run: Podman runs one healthcheck per "
                    "container, and it is the livenessProbe")
    if probe is None:
        if startup is not None:
            ctx.warning(cpath + ("startupProbe",), "startupProbe without livenessProbe is ignored: "
                        "Podman 4.3 has no startup healthchecks and there is no liveness check to delay")
        return None
    path = cpath + ("livenessProbe",)
    test = _test(ctx, path, probe, container)
    if test is None:
        return None
    start = probe.initial_delay_seconds or 0
    if startup is not None:
        budget = (startup.initial_delay_seconds or 0) + (startup.period_seconds or 10) * (startup.failure_threshold or 3)
        start += budget
        ctx.warning(cpath + ("startupProbe",), f"startupProbe is approximated: Podman 4.3 has no startup "
                    f"healthchecks, so the liveness check starts counting failures after {budget}s")
    if (probe.success_threshold or 1) != 1:
        ctx.error(path + ("successThreshold",), "successThreshold of a livenessProbe must be 1")
        return None
    return Healthcheck.make(
        test=test,
        interval=probe.period_seconds or 10,
        timeout=probe.timeout_seconds or 1,
        retries=probe.failure_threshold or 3,
        start_period=start,
        on_failure=ON_FAILURE.get(restart_policy or "Always", "restart"),
    )


def _readiness(ctx: Context, cpath: tuple, probe, container) -> Healthcheck | None:
    path = cpath + ("readinessProbe",)
    test = _test(ctx, path, probe, container)
    if test is None:
        return None
    if (probe.success_threshold or 1) != 1:
        ctx.warning(path + ("successThreshold",), f"successThreshold {probe.success_threshold} is not kept: "
                    "one passing check makes the container healthy again")
    if container.startup_probe is not None:
        ctx.warning(cpath + ("startupProbe",), "startupProbe without livenessProbe is ignored: "
                    "Podman 4.3 has no startup healthchecks")
    return Healthcheck.make(test=test, interval=probe.period_seconds or 10, timeout=probe.timeout_seconds or 1,
                            retries=probe.failure_threshold or 3, start_period=probe.initial_delay_seconds or 0,
                            on_failure="none")


def _test(ctx: Context, path: tuple, probe, container) -> list[str] | None:
    if probe._exec is not None:
        cmd = [str(c) for c in probe._exec.command or []]
        if not cmd:
            ctx.error(path + ("exec", "command"), "exec probe has no command")
            return None
        if len(cmd) == 1 and any(ch.isspace() for ch in cmd[0]):
            return ["CMD-SHELL", "exec " + shlex.quote(cmd[0])]  # podman 4.3's CLI splits a lone word
        return ["CMD", *cmd]
    if probe.http_get is not None:
        get = probe.http_get
        port = _port(ctx, path + ("httpGet", "port"), get.port, container)
        if port is None:
            return None
        scheme = (get.scheme or "HTTP").lower()
        route = get.path or "/"
        if not route.startswith("/"):
            route = "/" + route
        url = f"{scheme}://{_host(get.host)}:{port}{route}"
        headers = [f"{h.name}: {h.value}" for h in get.http_headers or []]
        curl = ["curl", "-fsS", "-k", "-o", "/dev/null", *[a for h in headers for a in ("-H", h)], url]
        wget = ["wget", "-q", "-O", "/dev/null", "--no-check-certificate",
                *[f"--header={h}" for h in headers], url]
        return ["CMD-SHELL", f"if command -v curl >/dev/null 2>&1; then {shlex.join(curl)}; "
                             f"else {shlex.join(wget)}; fi || exit 1"]
    if probe.tcp_socket is not None:
        port = _port(ctx, path + ("tcpSocket", "port"), probe.tcp_socket.port, container)
        if port is None:
            return None
        return ["CMD-SHELL", f"nc -z {shlex.quote(_host(probe.tcp_socket.host))} {port} || exit 1"]
    if probe.grpc is not None:
        _grpc_refused(ctx, path + ("grpc",), probe.grpc)
        return None
    ctx.error(path, "the probe has no handler (exec, httpGet or tcpSocket)")
    return None


def _grpc_refused(ctx: Context, path: tuple, grpc) -> None:
    """A grpc probe is refused: the kubelet runs it with its own gRPC client; Podman has no gRPC
    healthcheck, and a healthcheck command needs a gRPC client in the image, which kube2pod cannot
    know is there (a missing one would fail every check and restart the container forever)."""
    words = ["grpc_health_probe", f"-addr=localhost:{grpc.port}"] + ([f"-service={grpc.service}"] if grpc.service else [])
    ctx.error(path, "grpc probes are not supported: the kubelet probes with its own gRPC client, and Podman has "
              "no gRPC healthcheck; a healthcheck command would need a gRPC health client in the image",
              "if the image has grpc_health_probe, use an exec probe: command: " + json.dumps(words))


def _host(host: str | None) -> str:
    return host or "localhost"


def _port(ctx: Context, path: tuple, port, container) -> int | None:
    """A port number, or the containerPort named ``port``."""
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for p in container.ports or []:
        if p.name == port:
            return int(p.container_port)
    ctx.error(path, f"no containerPort named {port!r} in container {container.name!r}")
    return None
