"""Plan -> systemd Quadlet units for the spec's target Podman: ``render(plan, spec) -> {file name:
unit text}``.

* 5.0 and later: one ``.pod`` per pod, one ``.container`` per container, one ``.volume`` per
  volume, one ``.network`` per network.
* 4.4 - 4.9 (Quadlet without ``.pod`` units): one ``.container`` per container, joined to its pod
  by ``PodmanArgs=--pod=`` and ``BindsTo=`` its pod's service; the pod, its volumes, networks and
  secrets are the plain services of render/units.py (``<pod>-pod.service`` creates the pod).
* below 4.4 there is no Quadlet: :class:`NoQuadlet` (``-o systemd`` gives plain units).

A Quadlet key newer than the target is written as ``PodmanArgs=`` where that unit kind has it,
else the render fails with NotInVersion (``unit_keys``, spec.quadlet_key).

Options: the spec's fields (kube2pod/spec/), each written as its field's Quadlet key
(``Option.quadlet``), as ``PodmanArgs=`` where the key cannot hold the value exactly, as a
``[Service]`` key (``Service.Restart``), or not at all where the field declares why
(``Option.absent``); a set field an output refuses (``Option.refused``) is an error. The
unit structure:

* Pod: host path checks/preparation of its bind mounts and its podman secrets (made from a file,
  else an existing one used: render/units.py secret_script) run as ``ExecStartPre=`` of the pod service; ``[Install] WantedBy=default.target``.
* Container: ``Pod=<pod>.pod``; named volumes as ``source=<name>.volume`` so systemd creates
  them first; the restart policy as the service's ``Restart=``; downward API values of the host
  from an ``EnvironmentFile=`` its ``ExecStartPre=`` writes (``host_env_keys``).
* Init container: a ``.container`` unit whose service is ``Type=oneshot`` (``podman run``
  returns when the container exits; a failure fails the service), each ordered after the
  previous one; every app container service ``Requires=``/``After=`` them all.
* Scheduled pod (a CronJob's): no ``[Install]``; a ``<pod>.timer`` starts its service
  (render/timer.py).
* Network: ``[Network]`` keys; a pod joins it as ``Network=<name>.network:alias=...``, so systemd
  creates it first (Quadlet's ``podman network create --ignore`` uses a same-named network as
  it is: the units cannot check ownership as the script and apply do).
* Volume sub-path: ``Mount=type=volume,...,subpath=`` (Podman 5.4+); for an older target
  (a bind of the volume's directory, known only on the host) the units are refused.
* Volume: option ``type``/``device``/``o`` as ``Type=``/``Device=``/``Options=``, any other as
  ``PodmanArgs=--opt=``; its files (configMap volumes) are written by ``ExecStartPost=`` of the
  volume service with the commands of render/volume_script.py, before any container that
  mounts it starts.

Values reach podman through systemd's command line, so ``%`` and ``$`` are doubled; a
value a plain key cannot hold exactly goes through ``PodmanArgs=`` as one C-escaped word.
"""

from __future__ import annotations

import re
from typing import Sequence

from kube2pod import __version__
from kube2pod.plan import BindMount, Container, Network, ObjectRef, Plan, Pod, Volume, VolumeMount
from kube2pod.render import timer, volume_script
from kube2pod.render.quoting import Unrepresentable, sh
from kube2pod.render.shell import HOST_FACTS, host_path_command, mountpoint_variables, sub_path_commands
from kube2pod.spec import QUADLET_ARGS_SINCE, QUADLET_POD_SINCE, QUADLET_SINCE, Gap, NotInVersion, Spec, Version, build, quadlet_key, set_fields
from kube2pod.spec.authfile import UNIT_DIR, unit_path
from kube2pod.spec.mount import NATIVE_SUBPATH, SubPathBind, option_text
from kube2pod.spec.option import BARE
from kube2pod.spec.volume import QUADLET_OPTION_KEYS

INSTALL_NOTE = ("# Install: copy these files to ~/.config/containers/systemd/ (rootless) or\n"
                "# /etc/containers/systemd/ (root), run `systemctl [--user] daemon-reload`, then\n"
                "# `systemctl [--user] start <pod>-pod.service`.")

#: The Quadlet form without ``.pod`` units (4.4 - 4.9) and the plain units (render/units.py).
PLAIN_INSTALL_NOTE = (
    "# Install: copy the *.service files to ~/.config/systemd/user/ (rootless) or /etc/systemd/system/\n"
    "# (root) and any Quadlet *.container files to ~/.config/containers/systemd/ or /etc/containers/systemd/,\n"
    "# run `systemctl [--user] daemon-reload`, then `systemctl [--user] enable --now <pod>-pod.service`.")
#: The newest Podman whose Quadlet kube2pod is checked against: the target of ``render`` without a spec.
LATEST = Version(5, 4)

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
    """A set spec field that Quadlet units cannot express (``Option.refused``)."""


class NoQuadlet(Unsupported):
    """The target Podman has no Quadlet (before spec.QUADLET_SINCE)."""


def has_quadlet(version: Version) -> bool:
    return version >= QUADLET_SINCE


def render(plan: Plan, spec: Spec | None = None) -> dict[str, str]:
    """Every unit file of the plan for the spec's target (without one: :data:`LATEST`), keyed by
    file name (sorted)."""
    spec = spec if spec is not None else build(plan, LATEST)
    if not has_quadlet(spec.version):
        raise NoQuadlet(f"Podman {spec.version} has no Quadlet (it arrived in Podman {QUADLET_SINCE}); "
                        "use `kube2pod convert -o systemd`, which writes plain systemd units for it")
    if spec.version < QUADLET_POD_SINCE:
        return _without_pod_units(plan, spec)
    units: dict[str, str] = {}
    for net in plan.networks:
        units[f"{net.name}.network"] = _at(net.source, network_unit, net, spec)
    for vol in plan.volumes:
        units[f"{vol.name}.volume"] = _at(vol.source, volume_unit, vol, spec)
    for pod in plan.pods:
        units[f"{pod.name}.pod"] = _at(pod.source, pod_unit, pod, plan, spec)
        if pod.schedule is not None:  # a CronJob's: the timer starts the pod's service
            units[timer.timer_name(pod)] = timer.timer_unit(pod, f"{pod.name}-pod.service")
        for i, c in enumerate(pod.init_containers):
            after = pod.init_containers[i - 1].name if i else None
            units[f"{c.name}.container"] = _at(pod.source, container_unit, pod, c, spec, [after] if after else [],
                                               True)
        inits = [c.name for c in pod.init_containers]
        for c in pod.containers:
            units[f"{c.name}.container"] = _at(pod.source, container_unit, pod, c, spec, inits + c.requires)
    return dict(sorted(units.items()))


def _without_pod_units(plan: Plan, spec: Spec) -> dict[str, str]:
    """Podman 4.4 - 4.9: the plain services of the pods, volumes, networks and secrets (and the
    timers of scheduled pods: render/units.py), and a ``.container`` unit per container bound to
    its pod's service (a scheduled pod's or one with a volume sub-path creates its containers itself:
    units.has_containers)."""
    from kube2pod.render import units as plain

    out = plain.services(plan, spec, containers=False)
    for pod in plan.pods:
        if plain.has_containers(pod, spec, False):  # its service creates its containers
            continue
        for i, c in enumerate(pod.init_containers):
            after = [pod.init_containers[i - 1].name] if i else []
            out[f"{c.name}.container"] = _at(pod.source, container_unit, pod, c, spec, after, True)
        inits = [c.name for c in pod.init_containers]
        for c in pod.containers:
            out[f"{c.name}.container"] = _at(pod.source, container_unit, pod, c, spec, inits + c.requires)
    return dict(sorted(out.items()))


def _at(source: ObjectRef, write, *args):
    """Call a unit writer; an unrepresentable value or unsupported field is reported at ``source``."""
    try:
        return write(*args)
    except (Unrepresentable, Unsupported, NotInVersion) as exc:
        exc.source = source
        raise


def pod_unit(pod: Pod, plan: Plan, spec: Spec) -> str:
    """The pod's options as ``[Pod]`` keys; host path and secret checks as ``ExecStartPre=``
    of the pod service, so they run before any container."""
    lines = [*_header(pod.source), "[Unit]", f"Description=Pod {_raw(pod.name)} from {_raw(str(pod.source))}", "",
             "[Pod]"]
    keys, _ = unit_keys(spec.pods[pod.name], spec.version)
    lines += keys
    from kube2pod.render import units as plain

    pre = [f"ExecStartPre=/bin/sh -c {_word(host_path_command(hp))}"
           for hp in plan.host_paths if hp.path in _pod_host_paths(pod)]
    pre += [f"ExecStartPre={plain.secret_script(s, spec)}" for s in plan.secrets if s.name in _pod_secrets(pod)]
    pre += plain.auth_checks(pod, plan, spec)
    if pre:
        lines += ["", "[Service]", *pre]
    if pod.schedule is None:  # a scheduled pod is started by its timer (render/timer.py)
        lines += ["", "[Install]", "WantedBy=default.target"]
    return "\n".join(lines) + "\n"


def container_unit(pod: Pod, c: Container, spec: Spec, after: Sequence[str] = (), init: bool = False) -> str:
    """The container's options as ``[Container]`` keys and ``[Service]`` keys. The service
    requires and follows the services of the containers ``after``; an ``init`` container's (one
    with an ``init_type``) service is a oneshot."""
    keys, service = unit_keys(spec.containers[c.name], spec.version)
    joined = spec.version < QUADLET_POD_SINCE  # by --pod=: bound to the pod's plain service
    lines = [*_header(pod.source, PLAIN_INSTALL_NOTE if joined else INSTALL_NOTE), "[Unit]",
             f"Description=Container {_raw(c.name)} of pod {_raw(pod.name)}"]
    if joined:
        lines += [f"BindsTo={_raw(pod.name)}-pod.service", f"After={_raw(pod.name)}-pod.service"]
    for m in c.mounts:  # a volume mount passed through PodmanArgs= still needs its volume unit first
        if isinstance(m, VolumeMount) and not _linked_mount(m, spec.version):
            lines += [f"Requires={_raw(m.volume)}-volume.service", f"After={_raw(m.volume)}-volume.service"]
    for name in after:
        lines += [f"Requires={_raw(name)}.service", f"After={_raw(name)}.service"]
    lines += ["", "[Container]", *keys]
    prepare = _sub_path_script(c)
    if prepare:
        service.insert(0, f"ExecStartPre=/bin/sh -ec {_word(prepare, always=True)}")
    facts, pre = host_env_keys(c.name, spec.containers[c.name].host_env, joined)
    lines += facts
    service = pre + service
    if init or c.init_type:
        service += ["Type=oneshot", "RemainAfterExit=yes"]
    if service:
        lines += ["", "[Service]", *service]
    return "\n".join(lines) + "\n"


def _sub_path_script(c: Container) -> str:
    """The script's commands that make the container's volume sub-paths directories when missing
    (its volume units have run: ``Mount=`` requires them)."""
    variables = mountpoint_variables([c])
    return "\n".join(sub_path_commands([c], variables)) if variables else ""


def host_env_keys(name: str, host_env: dict[str, str], args: bool = False) -> tuple[list[str], list[str]]:
    """Downward API values only the host knows (spec.nodeName, status.hostIP): ``EnvironmentFile=``
    (``podman run --env-file``; with ``args``, the 4.x units, ``PodmanArgs=--env-file=``, which every
    4.x Quadlet reads) of a file in the service's runtime directory (``%t``), which an
    ``ExecStartPre=`` writes with the script's commands (render/shell.py HOST_FACTS) before every
    start. ([Container] keys, [Service] keys)"""
    if not host_env:
        return [], []
    path = f"{_RUNTIME_DIR}/{name}.env"
    reads = [line for fact in sorted(set(host_env.values())) for line in HOST_FACTS[fact]]
    writes = [f"printf '%s=%s\\n' {sh(var)} \"$k2p_{fact.replace('-', '_')}\"" for var, fact in host_env.items()]
    script = "; ".join([f"mkdir -p {_RUNTIME_DIR}", *reads, "{ " + "; ".join(writes) + "; } > " + path])
    word = _word(script).replace(_RUNTIME_DIR, "%t/kube2pod")  # the one specifier systemd must expand
    key = "PodmanArgs=--env-file=" if args else "EnvironmentFile="
    return [f"{key}%t/kube2pod/{_raw(name)}.env"], [f"ExecStartPre=/bin/sh -c {word}"]


_RUNTIME_DIR = "K2P-RUNTIME-DIR"  # a stand-in for %t, which _word would make literal


def with_auth_dir(line: str) -> str:
    """A unit line with the pull secrets' auth file directory's ``%E`` (spec/authfile.py) left for
    systemd to expand: the unit escaping doubled it; no other ``%`` is touched."""
    return line.replace(UNIT_DIR.replace("%", "%%"), UNIT_DIR)


def network_unit(net: Network, spec: Spec) -> str:
    """``[Network]`` keys: Quadlet creates it with ``podman network create --ignore`` (an existing
    network of that name is used as it is) and leaves it when the service stops."""
    lines = [*_header(net.source), "[Unit]", f"Description=Network {_raw(net.name)} from {_raw(str(net.source))}",
             "", "[Network]", *unit_keys(spec.networks[net.name], spec.version)[0]]
    return "\n".join(lines) + "\n"


def volume_unit(vol: Volume, spec: Spec) -> str:
    lines = [*_header(vol.source)]
    if vol.lifetime == "pod" and vol.source.kind != "ConfigMap":  # a ConfigMap kept on the host has no pod
        lines.append("# Lifetime: pod (emptyDir). systemd keeps the volume when the pod stops; "
                     "`podman volume rm` removes it.")
    lines += ["[Unit]", f"Description=Volume {_raw(vol.name)} from {_raw(str(vol.source))}", "", "[Volume]"]
    lines += unit_keys(spec.volumes[vol.name], spec.version)[0]
    if vol.files is not None:
        script = "\n".join(volume_script.commands(vol))
        lines += ["", "[Service]", f"ExecStartPost=/bin/sh -ec {_word(script, always=True)}"]
    return "\n".join(lines) + "\n"


def unit_keys(node, version: Version | None = None) -> tuple[list[str], list[str]]:
    """A spec node's set fields as unit keys: (the object's section, the ``[Service]`` section).
    For a ``version`` whose Quadlet lacks a field's key, the field goes through ``PodmanArgs=``
    where that unit has it (spec.quadlet_key), else NotInVersion. A target without Quadlet at all
    (before spec.QUADLET_SINCE) is the output format's choice, not a key's: no key is gated."""
    keys: list[str] = []
    service: list[str] = []
    for f, value in set_fields(node):
        opt = f.option
        if version is not None and version >= QUADLET_SINCE and opt.quadlet is not None:
            opt = _for_version(node, f, value, version)
        if opt.quadlet is None:
            if "quadlet" in opt.refused:
                raise Unsupported(f"{f.name}: {opt.refused['quadlet']}; use `kube2pod convert -o sh` or "
                                  "`kube2pod apply`")
            continue
        if opt.quadlet.startswith("Service."):
            service += [with_auth_dir(f"{opt.quadlet[8:]}={_raw(word)}") for word in opt.words(value)]
        elif opt.unit == "authfile":  # Quadlet's .container has no AuthFile= (spec/authfile.py)
            keys.append(with_auth_dir(f"PodmanArgs={_word(f'{opt.flag}={unit_path(value)}')}"))
        elif opt.unit == "exec":
            keys.append(_exec(node.name, value))
        elif opt.unit == "mount":
            keys += [_mount_key(m, version) for m in value]
        elif opt.unit == "args-mount":
            keys += [f"PodmanArgs={_word('--mount=' + option_text(m))}" for m in value]
        elif opt.unit == "network":
            keys += [_network_key(word) for word in opt.words(value)]
        elif opt.unit == "volume-option":
            keys += [_volume_option(k, v) for k, v in value.items()]
        else:
            keys += [_key(opt, word) for word in opt.words(value)]
    return keys, service


def _for_version(node, f, value, version: Version):
    """The field's option as the target's Quadlet writes it (its key, or ``PodmanArgs``)."""
    for feat in f.option.features(value):
        if feat.first_version("quadlet") > version:
            raise NotInVersion(Gap(feat.name, feat.first_version("quadlet"), version, "quadlet", None))
    key = quadlet_key(node, f.name, version)
    if key is None:
        since = max(f.option.first_version("quadlet"), QUADLET_ARGS_SINCE[type(node).__name__]
                    if f.option.quadlet == "PodmanArgs" else QUADLET_SINCE)
        raise NotInVersion(Gap(f"{f.option.quadlet}= ({f.option.flag or f.name})", since, version, "quadlet", None))
    if key == f.option.quadlet:
        return f.option
    return f.option._replace(quadlet=key, unit="raw" if f.option.unit != "mount" else "args-mount")


def _key(opt, word) -> str:
    """``Key=value`` in the field's way (raw, words, unit reference, bool), else ``PodmanArgs=``."""
    arg = opt.flag if word is BARE else f"{opt.flag}={word}"
    if opt.quadlet == "PodmanArgs" or word is BARE and opt.unit != "bool":
        return f"PodmanArgs={_word(arg)}"
    if word is BARE:
        return f"{opt.quadlet}=true"
    if opt.unit == "words":
        return f"{opt.quadlet}={_word(word)}"
    if opt.unit.startswith("unit:"):
        return f"{opt.quadlet}={_raw(word)}{opt.unit[5:]}"
    if _plain(word) or not opt.flag:  # a positional value has no PodmanArgs form: _raw refuses it
        return f"{opt.quadlet}={_raw(word)}"
    return f"PodmanArgs={_word(arg)}"


def _exec(name: str, command: list[str]) -> str:
    if "" in command:
        raise Unrepresentable(f"container {name}: Quadlet drops an empty argument of Exec= "
                              f"(argument {command.index('') + 1})")
    return "Exec=" + " ".join(_word(a, always=True) for a in command)


def _linked_mount(m: VolumeMount, version: Version | None) -> bool:
    """Whether ``Mount=`` names the ``.volume`` unit: the target has kube2pod's ``.volume`` units
    (5.0 and later; before, volumes are plain services: render/units.py) and the value fits the key."""
    return (version is None or version >= QUADLET_POD_SINCE) and _plain_csv(option_text(m, ".volume"))


def _mount_key(m: BindMount | VolumeMount | SubPathBind, version: Version | None = None) -> str:
    """``Mount=``; a named volume points at its ``.volume`` unit where :func:`_linked_mount`
    (Quadlet resolves unit names only there). A sub-path bind (a target before volume
    ``subpath=``) names a mountpoint known only on the host: refused."""
    if isinstance(m, SubPathBind):
        raise Unsupported(f"the sub-path {m.subpath} of volume {m.volume}: Quadlet's Mount= has subpath= from "
                          f"Podman {NATIVE_SUBPATH}; target Podman {NATIVE_SUBPATH} or later, or use "
                          "`kube2pod convert -o systemd --podman-version 4.9` (plain units, which later Podmans "
                          "run too), `kube2pod convert -o sh` or `kube2pod apply`")
    if isinstance(m, VolumeMount) and _linked_mount(m, version):
        return f"Mount={_raw(option_text(m, '.volume'))}"
    plain = option_text(m)
    return f"Mount={_raw(plain)}" if _plain_csv(plain) else f"PodmanArgs={_word('--mount=' + plain)}"


def _network_key(word: str) -> str:
    """``Network=NAME.network[:OPTIONS]``: the network's unit, so systemd creates it first."""
    name, colon, options = word.partition(":")
    return f"Network={_raw(name)}.network" + (f":{_raw(options)}" if colon else "")


def _volume_option(k: str, v: str) -> str:
    key = QUADLET_OPTION_KEYS.get(k)
    if key is not None and _plain(v):
        return f"{key}={_raw(v)}"
    return f"PodmanArgs={_word(f'--opt={k}={v}')}"


def _header(source: ObjectRef, note: str = INSTALL_NOTE) -> list[str]:
    where = f" ({source.location})" if source.file else ""
    return [f"# Generated by kube2pod {__version__} from {_comment(str(source))}{_comment(where)}; "
            "do not edit by hand.", note]


def _pod_host_paths(pod: Pod) -> set[str]:
    """The host paths the pod's containers (init containers too) bind or use as devices."""
    ctrs = [*pod.init_containers, *pod.containers]
    paths = {m.source for c in ctrs for m in c.mounts if isinstance(m, BindMount)}
    return paths | {d.host_path for c in ctrs for d in c.devices}


def _pod_secrets(pod: Pod) -> set[str]:
    """The podman secrets the pod's containers (init containers too) use."""
    ctrs = [*pod.init_containers, *pod.containers]
    names = {e.secret for c in ctrs for e in c.secret_env}
    return names | {f.secret for c in ctrs for f in c.secret_files}


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
