"""Plan -> systemd Quadlet units for podman 5: one ``.pod`` per pod, one ``.container`` per
container, one ``.volume`` per volume. ``render(plan) -> {file name: unit text}``.

Mapping: the options of render/podman_args.py (so the units, the script and apply make the
same containers), each as its Quadlet key where one exists (``_POD_KEYS``, ``_CONTAINER_KEYS``)
and otherwise as ``PodmanArgs=``. Beyond that:

* Pod: host path checks/preparation of its bind mounts and checks of its podman secrets run as
  ``ExecStartPre=`` of the pod service; ``[Install] WantedBy=default.target``.
* Container: ``Pod=<pod>.pod``; named volumes as ``source=<name>.volume`` so systemd creates
  them first; the restart policy as the service's ``Restart=`` (not podman's ``--restart``).
* Init container: a ``.container`` unit whose service is ``Type=oneshot`` (``podman run``
  returns when the container exits; a failure fails the service), each ordered after the
  previous one; every app container service ``Requires=``/``After=`` them all. podman's
  ``--init-ctr`` is a ``podman create`` option that ``podman run`` rejects, so it is left out:
  Quadlet recreates the containers on every start, where ``once`` and ``always`` agree.
* Volume: ``VolumeName=``, ``Label=``, ``Driver=``, option ``type``/``device``/``o`` as
  ``Type=``/``Device=``/``Options=``, any other option as ``PodmanArgs=--opt=``; its files
  (configMap volumes) are written by ``ExecStartPost=`` of the volume service with the
  commands of render/volumefiles.py, before any container that mounts it starts.

Values reach podman through systemd's command line, so ``%`` and ``$`` are doubled; a
value a plain key cannot hold exactly goes through ``PodmanArgs=`` as one C-escaped word.
A plan field this module does not carry is refused (:class:`Unsupported`), never dropped.
"""

from __future__ import annotations

import re
from typing import Sequence

from pydantic import BaseModel

from kube2pod import __version__
from kube2pod.plan import (BindMount, Container, DeviceMapping, EnvVar, Healthcheck, HostPath, ObjectRef, Plan, Pod,
                           PortMapping, Secret, SecretEnv, Volume, VolumeMount)
from kube2pod.plan.mount import SecretFile
from kube2pod.plan.volume import VolumeFile
from kube2pod.render import podman_args, volumefiles
from kube2pod.render.quoting import Unrepresentable, sh
from kube2pod.render.shell import host_path_command

#: Plan fields the unit writers carry into the units (most through render/podman_args.py).
#: A field in neither this nor :data:`REFUSED` fails tests/test_render_quadlet.py, and a set
#: field that is not listed here is refused at render time: new plan fields are never dropped.
HANDLED: dict[type[BaseModel], frozenset[str]] = {
    Plan: frozenset({"sources", "host_paths", "volumes", "secrets", "pods"}),
    HostPath: frozenset({"path", "source", "expect", "create", "mode"}),
    Volume: frozenset({"name", "source", "lifetime", "labels", "driver", "options", "files"}),
    VolumeFile: frozenset({"path", "text", "base64", "mode"}),
    # a secret is created outside the units (its value is never written): the pod checks it exists
    Secret: frozenset({"name", "source", "secret", "key", "labels", "value"}),
    Pod: frozenset({"name", "source", "hostname", "labels", "ports", "share", "network", "pid", "userns",
                    "infra_name", "add_hosts", "dns_servers", "dns_search", "dns_options", "sysctls",
                    "init_containers", "containers"}),
    PortMapping: frozenset({"host_port", "container_port", "protocol", "host_ip"}),
    Container: frozenset({"name", "image", "pull_policy", "entrypoint", "command", "workdir", "env", "mounts",
                          "devices", "cap_add", "cap_drop", "secret_env", "user", "group_add", "privileged",
                          "read_only", "no_new_privileges", "selinux_opts", "unmask", "memory", "memory_reservation",
                          "memory_swap", "cpu_quota", "cpu_period", "cpu_shares", "tty", "stdin", "stop_signal",
                          "healthcheck", "labels", "annotations", "restart_policy", "stop_timeout", "init_type",
                          "ipc", "seccomp_profile", "secret_files"}),
    Healthcheck: frozenset({"test", "interval", "timeout", "retries", "start_period", "on_failure"}),
    SecretEnv: frozenset({"name", "secret"}),
    EnvVar: frozenset({"name", "value"}),
    BindMount: frozenset({"type", "source", "destination", "read_only", "relabel", "propagation"}),
    VolumeMount: frozenset({"type", "volume", "destination", "read_only", "subpath"}),
    DeviceMapping: frozenset({"host_path", "container_path"}),
    SecretFile: frozenset({"secret", "target", "mode"}),
    ObjectRef: frozenset({"kind", "name", "namespace", "file", "line"}),
}

#: Plan fields the units cannot carry yet, with the reason given when one is set.
REFUSED: dict[type[BaseModel], dict[str, str]] = {}

INSTALL_NOTE = ("# Install: copy these files to ~/.config/containers/systemd/ (rootless) or\n"
                "# /etc/containers/systemd/ (root), run `systemctl [--user] daemon-reload`, then\n"
                "# `systemctl [--user] start <pod>-pod.service`.")

_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a",
              "\b": "\\b", "\v": "\\v", "\f": "\\f"}


def _plain(value: str) -> bool:
    """Whether a plain key (read as is, edges trimmed, outer quotes stripped) holds ``value`` exactly.

    No backslash: at the end of a line systemd reads it as a continuation (the next key
    joins the value), and Quadlet unescapes ``\\n`` and the like in the keys it splits."""
    return (bool(value) and value[0] not in "\"'" and value[-1] not in "\"'" and not value[0].isspace()
            and not value[-1].isspace() and "\\" not in value
            and all(ch == " " or (ch.isprintable() and not ch.isspace()) for ch in value))


def _plain_csv(value: str) -> bool:
    """Whether a ``Mount=`` key holds ``value`` exactly: Quadlet splits that key's value into
    words (so no spaces, and no quotes of either kind: they open a quoted part anywhere in a
    word) and re-encodes its CSV fields."""
    return _plain(value) and '"' not in value and "'" not in value and " " not in value


class Unsupported(ValueError):
    """The plan has a field the Quadlet renderer does not translate."""


def render(plan: Plan) -> dict[str, str]:
    """Every unit file of the plan, keyed by file name (sorted)."""
    for name, info in Plan.model_fields.items():
        if name not in HANDLED[Plan] and getattr(plan, name) != info.get_default(call_default_factory=True):
            raise Unsupported(f"plan.{name}: not translated to Quadlet units")
    for node in [*plan.host_paths, *plan.volumes, *plan.secrets]:
        _at(node.source, check_handled, node, f"{type(node).__name__} {getattr(node, 'name', '') or node.path}")
    units: dict[str, str] = {}
    for vol in plan.volumes:
        units[f"{vol.name}.volume"] = _at(vol.source, volume_unit, vol)
    for pod in plan.pods:
        _at(pod.source, check_handled, pod, f"pod {pod.name}")
        units[f"{pod.name}.pod"] = _at(pod.source, pod_unit, pod, plan)
        for i, c in enumerate(pod.init_containers):
            after = pod.init_containers[i - 1].name if i else None
            units[f"{c.name}.container"] = _at(pod.source, container_unit, pod, c, [after] if after else [], True)
        inits = [c.name for c in pod.init_containers]
        for c in pod.containers:
            units[f"{c.name}.container"] = _at(pod.source, container_unit, pod, c, inits)
    return dict(sorted(units.items()))


def _at(source: ObjectRef, write, *args):
    """Call a unit writer; an unrepresentable value or unsupported field is reported at ``source``."""
    try:
        return write(*args)
    except (Unrepresentable, Unsupported) as exc:
        exc.source = source
        raise


def check_handled(node: object, where: str = "plan") -> None:
    """Raise :class:`Unsupported` for a set field that :data:`HANDLED` does not list."""
    if isinstance(node, BaseModel):
        known = HANDLED.get(type(node), frozenset())
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            if name not in known and value != info.get_default(call_default_factory=True):
                reason = REFUSED.get(type(node), {}).get(name, "not translated to Quadlet units")
                raise Unsupported(f"{where}.{name}: {reason}; use `kube2pod convert -o sh` or `kube2pod apply`")
            check_handled(value, f"{where}.{name}")
    elif isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            check_handled(item, f"{where}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            check_handled(item, f"{where}[{key!r}]")


def pod_unit(pod: Pod, plan: Plan) -> str:
    """``podman pod create`` options as ``[Pod]`` keys; host path and secret checks as
    ``ExecStartPre=`` of the pod service, so they run before any container."""
    lines = [*_header(pod.source), "[Unit]", f"Description=Pod {_raw(pod.name)} from {_raw(str(pod.source))}", "",
             "[Pod]"]
    lines += _keys(podman_args.pod_create(pod)[3:], _POD_KEYS)
    pre = [host_path_command(hp) for hp in plan.host_paths if hp.path in _pod_host_paths(pod)]
    pre += [_secret_check(s) for s in plan.secrets if s.name in _pod_secrets(pod)]
    if pre:
        lines += ["", "[Service]"] + [f"ExecStartPre=/bin/sh -c {_word(cmd)}" for cmd in pre]
    lines += ["", "[Install]", "WantedBy=default.target"]
    return "\n".join(lines) + "\n"


def container_unit(pod: Pod, c: Container, after: Sequence[str] = (), init: bool = False) -> str:
    """``podman create`` options as ``[Container]`` keys (the image and its arguments last);
    the restart policy becomes the service's ``Restart=``. The service requires and follows
    the services of the containers ``after``; an ``init`` container's (one with an
    ``init_type``) service is a oneshot."""
    args = podman_args.container_create(pod, c)
    options = args[2:len(args) - 1 - len(c.command or [])]
    options = [a for a in options if not a.startswith("--init-ctr=")]  # podman run has no --init-ctr
    mounts = iter(c.mounts)
    options = [f"--mount={_mount(next(mounts))}" if a.startswith("--mount=") else a for a in options]
    restart = [a.split("=", 1)[1] for a in options if a.startswith("--restart=")]
    lines = [*_header(pod.source), "[Unit]", f"Description=Container {_raw(c.name)} of pod {_raw(pod.name)}"]
    for m in c.mounts:  # a volume mount passed through PodmanArgs= still needs its volume unit first
        if isinstance(m, VolumeMount) and not _mount(m).startswith("type=volume,source=" + m.volume + ".volume"):
            lines += [f"Requires={_raw(m.volume)}-volume.service", f"After={_raw(m.volume)}-volume.service"]
    for name in after:
        lines += [f"Requires={_raw(name)}.service", f"After={_raw(name)}.service"]
    lines += ["", "[Container]", f"Image={_raw(c.image)}"]
    lines += _keys([a for a in options if not a.startswith("--restart=")], _CONTAINER_KEYS)
    if c.command is not None:
        if "" in c.command:
            raise Unrepresentable(f"container {c.name}: Quadlet drops an empty argument of Exec= "
                                  f"(argument {c.command.index('') + 1})")
        lines.append("Exec=" + " ".join(_word(a, always=True) for a in c.command))
    service = [f"Restart={_RESTART[restart[-1]]}"] if restart else []
    if init or c.init_type:
        service += ["Type=oneshot", "RemainAfterExit=yes"]
    if service:
        lines += ["", "[Service]", *service]
    return "\n".join(lines) + "\n"


def _keys(options: list[str], keys: dict[str, tuple[str, str]]) -> list[str]:
    """``--flag=value`` options as Quadlet keys: a dedicated key where there is one, else
    ``PodmanArgs=``. Key kinds: ``raw`` (value as is), ``words`` (a quoted word), ``unit``
    (a reference to another unit: value + suffix), ``csv`` (a ``Mount=`` value, see
    ``_plain_csv``); anything a key cannot hold exactly goes through ``PodmanArgs=``."""
    lines = []
    for opt in options:
        flag, eq, value = opt.partition("=")
        key, kind = keys.get(flag, ("", "")) if eq else ("", "")
        if kind == "unit":
            lines.append(f"{key}={_raw(value)}{keys[flag + ':suffix'][0]}")
        elif kind == "words":
            lines.append(f"{key}={_word(value)}")
        elif kind == "raw" and _plain(value) or kind == "csv" and _plain_csv(value):
            lines.append(f"{key}={_raw(value)}")
        else:
            lines.append(f"PodmanArgs={_word(opt)}")
    return lines


_POD_KEYS = {"--name": ("PodName", "raw"), "--publish": ("PublishPort", "raw"), "--network": ("Network", "raw"),
             "--add-host": ("AddHost", "raw"), "--dns": ("DNS", "raw"), "--dns-search": ("DNSSearch", "raw"),
             "--dns-option": ("DNSOption", "raw")}
_CONTAINER_KEYS = {
    "--pod": ("Pod", "unit"), "--pod:suffix": (".pod", ""), "--name": ("ContainerName", "raw"),
    "--pull": ("Pull", "raw"), "--label": ("Label", "words"), "--env": ("Environment", "words"),
    "--annotation": ("Annotation", "words"), "--workdir": ("WorkingDir", "raw"), "--mount": ("Mount", "csv"),
    "--device": ("AddDevice", "raw"), "--cap-add": ("AddCapability", "raw"), "--cap-drop": ("DropCapability", "raw"),
    "--entrypoint": ("Entrypoint", "raw"), "--secret": ("Secret", "raw"), "--user": ("User", "raw"),
    "--group-add": ("GroupAdd", "raw"),
}
_RESTART = {"always": "always", "on-failure": "on-failure", "no": "no"}


def volume_unit(vol: Volume) -> str:
    lines = [*_header(vol.source)]
    if vol.lifetime == "pod":
        lines.append("# Lifetime: pod (emptyDir). systemd keeps the volume when the pod stops; "
                     "`podman volume rm` removes it.")
    lines += ["[Unit]", f"Description=Volume {_raw(vol.name)} from {_raw(str(vol.source))}", "",
              "[Volume]", f"VolumeName={_raw(vol.name)}"]
    if vol.driver:
        lines.append(_key_or_args("Driver", "--driver", vol.driver))
    lines += [f"Label={_word(f'{k}={v}')}" for k, v in vol.labels.items()]
    keys = {"type": "Type", "device": "Device", "o": "Options"}
    for k, v in vol.options.items():
        lines.append(_key_or_args(keys[k], "--opt", f"{k}={v}", value=v) if k in keys
                     else f"PodmanArgs={_word(f'--opt={k}={v}')}")
    if vol.files is not None:
        script = "\n".join(volumefiles.commands(vol))
        lines += ["", "[Service]", f"ExecStartPost=/bin/sh -ec {_word(script, always=True)}"]
    return "\n".join(lines) + "\n"


def _header(source: ObjectRef) -> list[str]:
    where = f" ({source.location})" if source.file else ""
    return [f"# Generated by kube2pod {__version__} from {_comment(str(source))}{_comment(where)}; "
            "do not edit by hand.", INSTALL_NOTE]


def _pod_host_paths(pod: Pod) -> set[str]:
    paths = {m.source for c in pod.containers for m in c.mounts if isinstance(m, BindMount)}
    return paths | {d.host_path for c in pod.containers for d in c.devices}


def _pod_secrets(pod: Pod) -> set[str]:
    names = {e.secret for c in pod.containers for e in c.secret_env}
    return names | {f.secret for c in pod.containers for f in c.secret_files}


def _secret_check(secret: Secret) -> str:
    """The secret's value is never written to a unit: the pod service checks that it exists."""
    msg = (f"kube2pod: podman secret {secret.name} (key {secret.key} of Secret {secret.secret}) is missing; "
           f"create it with: podman secret create {secret.name} FILE")
    return f"podman secret exists {sh(secret.name)} || {{ echo {sh(msg)} >&2; exit 1; }}"


def _mount(m: BindMount | VolumeMount) -> str:
    """podman's --mount value; a named volume points at its ``.volume`` unit when the value can
    be a ``Mount=`` key (Quadlet resolves unit names only there)."""
    plain = podman_args.mount_option(m)
    if isinstance(m, VolumeMount):
        linked = podman_args.mount_option(m.model_copy(update={"volume": m.volume + ".volume"}))
        if _plain_csv(linked):
            return linked
    return plain


def _key_or_args(key: str, flag: str, arg: str, *, value: str | None = None) -> str:
    """``Key=value`` when a plain key holds ``value`` exactly, else ``PodmanArgs=flag=<word>``."""
    shown = arg if value is None else value
    if _plain(shown):
        return f"{key}={_raw(shown)}"
    return f"PodmanArgs={_word(f'{flag}={arg}')}"


def _raw(value: str) -> str:
    """A plain key's value: systemd specifiers and variables made literal."""
    if "\0" in value:
        raise Unrepresentable(f"value contains a NUL byte: {value!r}")
    if not _plain(value):
        raise Unrepresentable(f"value cannot be written to a unit file as is: {value!r}")
    return value.replace("%", "%%").replace("$", "$$")


def _word(value: str, always: bool = False) -> str:
    """One word of a systemd command line (C escapes in double quotes), ``%`` and ``$`` doubled."""
    if "\0" in value:
        raise Unrepresentable(f"value contains a NUL byte: {value!r}")
    text = value.replace("%", "%%").replace("$", "$$")
    if not always and text and all(ch.isprintable() and not ch.isspace() and ch not in "\"'\\" for ch in text):
        return text
    out = []
    for ch in text:
        if ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif not ch.isprintable() and ord(ch) < 0x100:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)
