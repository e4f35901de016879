"""Kubernetes ``$(VAR)`` expansion for env values, command and args.

``$(NAME)`` becomes the value of NAME when it is defined, ``$$`` is a literal
``$`` (so ``$$(NAME)`` stays ``$(NAME)``), anything else is kept as written
(``missing``, when given, collects the names of the ``$(NAME)`` kept).
"""

from __future__ import annotations

from collections.abc import Mapping


def expand(text: str, env: Mapping[str, str], missing: list[str] | None = None) -> str:
    if "$" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(":
            end = text.find(")", i + 2)
            if end < 0:
                out.append(text[i:])
                break
            name = text[i + 2 : end]
            out.append(env[name] if name in env else text[i : end + 1])
            if name not in env and missing is not None:
                missing.append(name)
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)
