"""``kube2pod status`` output: a table (one row per object), JSON or YAML of the status data.

The data is ``Status.data()`` of apply/status.py (plain dicts and lists; this module imports
nothing of apply). The table has, per project, the workloads, then each pod followed by its
containers (indented), then the Services (with manifests: their mechanism, names, ports and endpoint
pods ready/selected), then the volumes; DETAILS says what is not ready, missing or drifted.
"""

from __future__ import annotations

import io
import json

COLUMNS = ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "DETAILS")


def render(data: dict, fmt: str) -> str:
    """``fmt``: table, json or yaml."""
    return {"table": table, "json": to_json, "yaml": to_yaml}[fmt](data)


def to_json(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_yaml(data: dict) -> str:
    from ruamel.yaml import YAML

    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.dump(json.loads(json.dumps(data)), out)  # tuples as lists
    return out.getvalue()


def table(data: dict) -> str:
    groups = []
    for project in data["projects"] or [""]:
        rows = _rows(data, project)
        if rows:
            groups.append((project, rows))
    if not groups:
        return ""
    widths = [max(len(COLUMNS[i]), *(len(r[i]) for _, rows in groups for r in rows)) for i in range(len(COLUMNS) - 1)]

    def line(cells) -> str:
        return "  ".join([*(c.ljust(w) for c, w in zip(cells, widths)), cells[-1]]).rstrip() + "\n"

    out = []
    for project, rows in groups:
        if out:
            out.append("\n")
        if project:
            out.append(f"project {project}\n")
        out += [line(COLUMNS), *map(line, rows)]
    return "".join(out)


def _rows(data: dict, project: str) -> list[tuple[str, ...]]:
    mine = lambda kind: [o for o in data[kind] if o["project"] == project]  # noqa: E731
    rows = []
    for w in mine("workloads"):
        rows.append((w["name"], w["ready"], "ready" if w["ok"] else "not ready", str(w["restarts"]), w["age"],
                     "pods: " + ", ".join(w["pods"])))
    for p in mine("pods"):
        details = [*p["problems"], *(["ports " + ", ".join(p["ports"])] if p["ports"] else [])]
        rows.append((f"pod/{p['name']}", p["ready"], p["phase"], str(p["restarts"]), p["age"], "; ".join(details)))
        rows += [_container(c) for c in p["containers"]]
    for sv in mine("services"):
        how = f"proxy pod {sv['proxy']}" if sv["proxy"] else sv["mechanism"]
        details = [x for x in (sv["problem"], f"{how}; {sv['names'][0] if sv['names'] else ''} "
                                              f"{', '.join(sv['ports'])}; endpoints {', '.join(sv['endpoints']) or 'none'}")
                   if x]
        rows.append((sv["name"], sv["ready"], "ready" if sv["ok"] else "not ready", "-", "-", "; ".join(details)))
    for v in mine("volumes"):
        life = "persistent, kept across down" if v["kept_across_down"] else "removed with its pod"
        rows.append((f"volume/{v['name']}", "-", "present" if v["present"] else "missing", "-", "-",
                     "; ".join(x for x in (v["problem"], f"{v['source']}: {life}") if x)))
    return rows


def _container(c: dict) -> tuple[str, ...]:
    health = c["health"]
    details = [c["problem"]] if c["problem"] else []
    if health and not c["problem"]:
        details.append(f"{health['status']} ({health['probe']})")
    if c["exit_code"] is not None and "with code" not in c["problem"]:
        details.append(f"last exit code {c['exit_code']}")
    name = f"  {'init ' if c['init'] else ''}{c['name']}"
    return (name, "yes" if c["ready"] else ("-" if c["init"] else "no"), c["state"], str(c["restarts"]), "",
            "; ".join(details))
