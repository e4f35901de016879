"""Spec -> podman CLI argument lists: each set field as ``--flag=word`` per word, the
positional fields (``flag == ""``) last. ``--flag=value`` is one argument, so a value
starting with ``-`` is never read as a flag."""

from __future__ import annotations

from functools import lru_cache

from kube2pod.spec import ContainerSpec, NetworkSpec, PodSpec, SecretSpec, VolumeSpec, fields
from kube2pod.spec.authfile import AuthFile
from kube2pod.spec.option import BARE, HostWord


def arguments(node) -> list[str]:
    """The options of a spec node, then its positional arguments."""
    options, positional = [], []
    state = node.__dict__
    for name, default, flag, words in _cli_fields(type(node)):
        value = state[name]
        if value is default or value == default:
            continue
        if flag:
            options += [flag if word is BARE else _flagged(flag, word) for word in words(value)]
        else:
            positional += words(value)
    return options + positional


def _flagged(flag: str, word: str) -> str:
    """``--flag=word``; a HostWord or an AuthFile stays one (its value is filled in by the output)."""
    if isinstance(word, AuthFile):
        return AuthFile(word.ident, f"{flag}={word}")
    return HostWord(f"{flag}={word}", word.fact) if isinstance(word, HostWord) else f"{flag}={word}"


@lru_cache(maxsize=None)
def _cli_fields(cls: type) -> tuple:
    """``(name, default, flag, words)`` of the fields with a CLI form (``flag`` "" = positional)."""
    return tuple((f.name, f.default, f.option.flag, f.option.words) for f in fields(cls) if f.option.flag is not None)


def volume_create(vol: VolumeSpec) -> list[str]:
    return ["podman", "volume", "create", *arguments(vol)]


def secret_create(secret: SecretSpec) -> list[str]:
    """``podman secret create --env``: the value comes from the variable ``env_var`` of the
    environment, never from the command line."""
    return ["podman", "secret", "create", *arguments(secret)]


def network_create(net: NetworkSpec) -> list[str]:
    return ["podman", "network", "create", *arguments(net)]


def pod_create(pod: PodSpec) -> list[str]:
    return ["podman", "pod", "create", *arguments(pod)]


def container_create(c: ContainerSpec) -> list[str]:
    return ["podman", "create", *arguments(c)]


def pod_start(name: str) -> list[str]:
    return ["podman", "pod", "start", name]
