"""Plan -> boot-time systemd units for a target Podman (``convert -o systemd``):
``render(plan, spec) -> {file name: unit text}`` for the spec's target.

| target      | units                                                                          |
|-------------|--------------------------------------------------------------------------------|
| 5.0 and up  | Quadlet ``.pod``/``.container``/``.volume``/``.network`` (render/quadlet.py)    |
| 4.4 - 4.9   | Quadlet ``.container`` units bound to the plain pod, volume, network and secret services below |
| 4.3         | the plain services below; the pod service also creates the containers          |

The plain services are what ``podman generate systemd --new --name`` makes of a pod, with the
script's commands (render/argv.py, render/shell.py) and its ownership checks (``k2p_mine``):

* ``<net>-network.service``, ``<vol>-volume.service`` (oneshot, ``RemainAfterExit=yes``): the
  script's create-when-missing commands, a volume's files (configMap volumes) rewritten; nothing
  on stop (volumes and networks outlive the pod, as with Quadlet).
* ``<secret>-secret.service`` (oneshot): with the file ``%E/kube2pod/secrets/<name>`` (``/etc``
  for root, ``~/.config`` for a user) the script's commands (re)create kube2pod's podman secret
  from it; without, an existing podman secret of that name is used; else it fails naming both.
  The value is never in a unit.
* ``<pod>-pod.service`` (``Type=forking``, ``PIDFile=`` the infra container's conmon): host path
  checks, removal of kube2pod's own leftover pod of that name (another's stops the start), ``podman
  pod create --infra-conmon-pidfile --pod-id-file`` with the spec's arguments, (4.3) ``podman
  create`` of every container (after the pulls of its image volumes; through ``/bin/sh -ec`` with
  the script's commands where it needs the host's facts or a volume sub-path's mountpoint),
  ``ExecStart=podman pod start``; on stop ``pod stop`` and ``pod rm -f`` of the pod this service
  made (``--pod-id-file``), also after a failed start. It requires the services of its volumes,
  networks and secrets; with imagePullSecrets, an ``ExecStartPre=`` first checks that the auth file of
  each (spec/authfile.py ``unit_path``) exists, naming it and the ``podman login`` that writes it;
  ``podman create`` and the image volumes' pulls read it (``--authfile``); ``[Install] WantedBy=default.target``, except a scheduled pod's (a
  CronJob's): its ``<pod>.timer`` (render/timer.py) starts the service.

Unit names match Quadlet's generated services (``<name>-volume.service``, ``<pod>-pod.service``), so
the dependencies read the same in every form; a scheduled pod's timer (``<pod>.timer``) is one
more entry of the same mapping.
"""

from __future__ import annotations

from kube2pod.plan import Container, Network, Plan, Pod, Secret, Volume, VolumeMount
from kube2pod.render import argv, shell, timer, volume_script
from kube2pod.render.quadlet import (PLAIN_INSTALL_NOTE, _at, _header, _pod_host_paths, _pod_secrets, _raw, _word,
                                     has_quadlet, with_auth_dir)
from kube2pod.render.quadlet import render as quadlet_render
from kube2pod.render.quoting import sh
from kube2pod.spec import Spec, build
from kube2pod.spec.authfile import UNIT_DIR, AuthFile, unit_path
from kube2pod.spec.container import pull_command
from kube2pod.spec.mount import MARK, SubPathBind
from kube2pod.spec.option import HostWord

PODMAN = "/usr/bin/podman"
#: systemd's extra seconds over the containers' stop timeout (podman generate systemd's minimum).
STOP_MARGIN = 60
#: ``TimeoutStartSec=``: the pod service pulls its images in ``ExecStartPre=`` (systemd's 90 s
#: default is short for a first pull at boot).
START_TIMEOUT = "15min"
#: Where a secret's value may wait for its unit: ``/etc/kube2pod/secrets`` (root), ``~/.config/...`` (user).
SECRET_DIR = "%E/kube2pod/secrets"


def render(plan: Plan, spec: Spec | None = None) -> dict[str, str]:
    """The units of the plan for the spec's target (``build(plan)``'s default when not given)."""
    spec = spec if spec is not None else build(plan)
    if has_quadlet(spec.version):
        return quadlet_render(plan, spec)
    return dict(sorted(services(plan, spec, containers=True).items()))


def services(plan: Plan, spec: Spec, containers: bool) -> dict[str, str]:
    """The plain services of the plan's networks, volumes, secrets and pods, and the timers of its
    scheduled pods; with ``containers`` the pod service creates the containers too (else they are
    Quadlet ``.container`` units it wants)."""
    units: dict[str, str] = {}
    for net in plan.networks:
        units[f"{net.name}-network.service"] = _at(net.source, network_service, net, spec)
    for vol in plan.volumes:
        units[f"{vol.name}-volume.service"] = _at(vol.source, volume_service, vol, spec)
    for secret in plan.secrets:
        units[f"{secret.name}-secret.service"] = _at(secret.source, secret_service, secret, spec)
    for pod in plan.pods:
        units[f"{pod.name}-pod.service"] = _at(pod.source, pod_service, pod, plan, spec,
                                               has_containers(pod, spec, containers))
        if pod.schedule is not None:  # a CronJob's: the timer starts the pod's service
            units[timer.timer_name(pod)] = timer.timer_unit(pod, f"{pod.name}-pod.service")
    return units


def _unit(source, description: str, unit: list[str], service: list[str], install: bool = False,
          notes: tuple[str, ...] = ()) -> str:
    lines = [*_header(source, PLAIN_INSTALL_NOTE), *notes, "[Unit]", f"Description={description}", *unit, "",
             "[Service]", *service]
    if install:
        lines += ["", "[Install]", "WantedBy=default.target"]
    return "\n".join(lines) + "\n"


def script(lines: list[str]) -> str:
    """``/bin/sh -ec`` running ``lines`` after the script's ownership function."""
    return f"/bin/sh -ec {_word(chr(10).join([*shell.OWNERSHIP_FUNCTION, *lines]), always=True)}"


_ONESHOT = ["Type=oneshot", "RemainAfterExit=yes"]


def network_service(net: Network, spec: Spec) -> str:
    """The script's network command: create when missing; an existing one only if kube2pod's."""
    cmd = shell.network_command(net, spec.networks[net.name])
    return _unit(net.source, f"Network {_raw(net.name)} from {_raw(str(net.source))}", [],
                 [*_ONESHOT, f"ExecStart={script([cmd])}"])


def volume_service(vol: Volume, spec: Spec) -> str:
    """The script's volume commands: create when missing (kube2pod's only), write its files."""
    cmds = shell.volume_commands(vol.name, spec.volumes[vol.name])
    if vol.files is not None:
        cmds += volume_script.commands(vol, owner_checked=True)
    note = (("# Lifetime: pod (emptyDir). The volume outlives the pod service; `podman volume rm` removes it.",)
            if vol.lifetime == "pod" and vol.source.kind != "ConfigMap" else ())
    return _unit(vol.source, f"Volume {_raw(vol.name)} from {_raw(str(vol.source))}", [],
                 [*_ONESHOT, f"ExecStart={script(cmds)}"], notes=note)


def secret_service(secret: Secret, spec: Spec) -> str:
    """A oneshot service running :func:`secret_lines`."""
    return _unit(secret.source, f"Podman secret {_raw(secret.name)} from {_raw(str(secret.source))}", [],
                 [*_ONESHOT, f"ExecStart={secret_script(secret, spec)}"])


def secret_script(secret: Secret, spec: Spec) -> str:
    """(Re)create kube2pod's podman secret from the file ``SECRET_DIR/<name>`` with the script's
    commands; without that file an existing podman secret of the name is used as it is (also the
    native Quadlet pod's ``ExecStartPre=``, render/quadlet.py). The directory is the one
    specifier systemd expands in the command (Quadlet replaces a unit's ``Environment=``)."""
    literal = script(_secret_lines(secret, spec))
    return literal.replace(f"k2p_file={SECRET_DIR.replace('%', '%%')}/", f"k2p_file={SECRET_DIR}/", 1)


def _secret_lines(secret: Secret, spec: Spec) -> list[str]:
    var, name = secret.env_var, sh(secret.name)
    create = shell.secret_commands(secret, spec.secrets[secret.name])[1:]  # without its comment
    missing = (f"kube2pod: podman secret {secret.name} (key {secret.key} of Secret {secret.secret}) is missing: "
               f"put the value in the file $k2p_file or run: podman secret create {secret.name} FILE")
    return [f"k2p_file={SECRET_DIR}/{name}",
            'if [ -e "$k2p_file" ]; then',
            f'{var}=$(cat "$k2p_file"; printf x); {var}=${{{var}%x}}; export {var}',
            *create,
            f"elif podman secret inspect {name} >/dev/null 2>&1; then :",
            f'else echo "{_dq(missing)}" >&2; exit 1',
            "fi"]


def _dq(text: str) -> str:
    """``text`` inside shell double quotes with ``$k2p_file`` expanded and nothing else."""
    out = "".join("\\" + ch if ch in '"\\`$' else ch for ch in text)
    return out.replace("\\$k2p_file", "$k2p_file")


def has_containers(pod: Pod, spec: Spec, containers: bool) -> bool:
    """Whether the pod's service creates its containers: with ``containers`` (4.3), and in the
    Quadlet form of 4.4 - 4.9 for
    * a scheduled pod: its pod stops when its last container exits (``--exit-policy=stop``), so its
      containers must exist before it starts (``pod start`` runs the init containers first), not be
      created one by one by Quadlet units (one that ends before the next exists would end the run);
    * a pod with a volume sub-path (a bind of the volume's mountpoint before 5.4, spec/mount.py
      SubPathBind), which only a shell on the host can read (a Quadlet unit's ``Mount=`` is literal)."""
    members = [*pod.init_containers, *pod.containers]
    return containers or pod.schedule is not None or any(
        isinstance(m, SubPathBind) for c in members for m in spec.containers[c.name].mounts)


def pod_service(pod: Pod, plan: Plan, spec: Spec, containers: bool) -> str:
    """``podman generate systemd --new`` of the pod with the script's ``pod create`` (and, with
    ``containers``, ``create``) commands; the exit policy ``stop`` only then (a Quadlet init container
    exits before the app containers exist, which would stop the pod), or for a scheduled pod (spec)."""
    name = _raw(pod.name)
    run = f"%t/{name}-pod"
    ids = f"--pod-id-file={run}.pod-id"
    members = [*pod.init_containers, *pod.containers]
    needs = sorted({f"{m.volume}-volume.service" for c in members for m in c.mounts if isinstance(m, VolumeMount)})
    needs += sorted({f"{a.network}-network.service" for a in pod.networks})
    needs += sorted(f"{s}-secret.service" for s in _pod_secrets(pod))
    unit = ["Wants=network-online.target", "After=network-online.target"]
    unit += [line for dep in needs for line in (f"Requires={_raw(dep)}", f"After={_raw(dep)}")]
    if not containers:  # the Quadlet .container units of its containers: started with the pod
        unit += [f"Wants={_raw(c.name)}.service" for c in members] + [f"Before={_raw(c.name)}.service" for c in members]
    host = [shell.host_path_command(hp) for hp in plan.host_paths if hp.path in _pod_host_paths(pod)]
    stop = max([c.stop_timeout or 10 for c in members] or [10])
    create = [PODMAN, "pod", "create", f"--infra-conmon-pidfile={run}.pid", ids]
    create += ["--exit-policy=stop"] if containers and not spec.pods[pod.name].exit_policy else []
    pre = auth_checks(pod, plan, spec)
    pre += [f"ExecStartPre=/bin/sh -ec {_word(cmd)}" for cmd in host]
    pre += [f"ExecStartPre=/bin/rm -f {run}.pid {run}.pod-id",
            f"ExecStartPre={script([f'if k2p_mine pod {sh(pod.name)}; then podman pod rm -f {sh(pod.name)} >/dev/null; fi'])}",
            "ExecStartPre=" + " ".join([*create, *(_word(a) for a in argv.pod_create(spec.pods[pod.name])[3:])])]
    if containers:
        pre += [line for c in members for line in _container_create(c, spec)]
    service = ["Environment=PODMAN_SYSTEMD_UNIT=%n", "Restart=on-failure", f"TimeoutStartSec={START_TIMEOUT}",
               f"TimeoutStopSec={STOP_MARGIN + stop}", *pre,
               f"ExecStart={PODMAN} pod start {ids}",
               f"ExecStop={PODMAN} pod stop --ignore {ids}",
               f"ExecStopPost=-{PODMAN} pod rm --ignore -f {ids}",
               f"PIDFile={run}.pid", "Type=forking"]
    return _unit(pod.source, f"Pod {name} from {_raw(str(pod.source))}", unit, service,
                 install=pod.schedule is None)


def auth_checks(pod: Pod, plan: Plan, spec: Spec) -> list[str]:
    """``ExecStartPre=`` lines that fail the start unless the auth file of each pull secret the pod's
    images use exists, naming the file and the ``podman login`` that writes it."""
    members = [spec.containers[c.name] for c in [*pod.init_containers, *pod.containers]]
    used = {c.auth_file for c in members} | {p.auth for c in members for p in c.image_pulls}
    lines = []
    for ps in plan.pull_secrets:
        if ps.ident not in used:
            continue
        logins = " and ".join(f"podman login --authfile $k2p_file {sh(r)}" for r in ps.registries)
        why = (f"kube2pod: the registry credentials of Secret {ps.name} (imagePullSecrets of pod {pod.name}) "
               f"are missing: write the file $k2p_file, e.g. with {logins}")
        check = f'k2p_file={unit_path(ps.ident)}; [ -f "$k2p_file" ] || {{ echo "{_dq(why)}" >&2; exit 1; }}'
        lines.append(with_auth_dir(f"ExecStartPre=/bin/sh -c {_word(check)}"))
    return lines


def _arg(a: str) -> str:
    """One argument of a unit's command line; an AuthFile's file is the unit path of its pull secret."""
    return with_auth_dir(_word(str(a) + unit_path(a.ident))) if isinstance(a, AuthFile) else _word(a)


def _container_create(c: Container, spec: Spec) -> list[str]:
    """``ExecStartPre=`` lines that pull the container's image volumes (the script's
    pull_command) and create it: ``podman create`` as is, or through ``/bin/sh -ec`` with the
    script's commands where an argument holds a host fact (HostWord) or a volume sub-path's
    mountpoint (spec/mount.py MARK); the auth file of a pull secret at its unit path."""
    node = spec.containers[c.name]
    lines = [with_auth_dir(f"ExecStartPre=/bin/sh -c {_word(pull_command(p.image, p.pull_policy, unit_path(p.auth) if p.auth else ''))}")
             for p in node.image_pulls]
    args = argv.container_create(node)
    if not any(isinstance(a, HostWord) or MARK in a for a in args):
        return [*lines, "ExecStartPre=" + " ".join([PODMAN, *(_arg(a) for a in args[1:])])]
    facts = sorted({a.fact for a in args if isinstance(a, HostWord)})
    variables = shell.mountpoint_variables([c])
    cmds = [f"{shell.AUTH_DIR_VAR}={UNIT_DIR}"] if node.auth_file else []
    cmds += [line for fact in facts for line in shell.HOST_FACTS[fact]]
    cmds += shell.sub_path_commands([c], variables) if variables else []
    cmds.append(shell.command(args, variables))
    return [*lines, with_auth_dir(f"ExecStartPre=/bin/sh -ec {_word(chr(10).join(cmds), always=True)}")]
