"""command/args -> entrypoint/command, with Kubernetes semantics.

- command set: it replaces the image ENTRYPOINT and the image CMD is dropped;
  args (if any) follow it.
- only args: the image ENTRYPOINT stays, args replace the image CMD.
- neither: the image's own ENTRYPOINT and CMD.
Podman ignores the image CMD whenever an entrypoint is given, which is exactly
the Kubernetes rule. Both are ``$(VAR)``-expanded against the container env.
"""

from __future__ import annotations

from collections.abc import Mapping

from kube2pod.translate.expansion import expand


def entrypoint_and_command(
    command: list[str] | None, args: list[str] | None, env: Mapping[str, str]
) -> tuple[list[str] | None, list[str] | None]:
    entrypoint = [expand(c, env) for c in command] if command else None
    cmd = [expand(a, env) for a in args] if args else None
    return entrypoint, cmd
