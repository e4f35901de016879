"""A NetworkAttachmentDefinition's CNI configuration, read and checked (``spec.config``, a JSON text).

| CNI config                                       | read as                                            |
|--------------------------------------------------|----------------------------------------------------|
| ``type`` macvlan (``master``, ``mode``) or bridge | ``CniConfig.type``, ``master``, ``mode``          |
| a conflist (``plugins: [...]``)                  | its first plugin, the others refused               |
| ``ipam.type`` host-local: ``subnet``, ``rangeStart``, ``rangeEnd``, ``gateway``, ``routes``, or ``ranges: [[{...}]]`` (one range) | ``subnet``, ``range_start``, ``range_end``, ``gateway``, ``routes`` |
| ``ipam.type`` static                             | ``subnet`` from its first address; pods give their ``ips`` |
| any other type or IPAM kind                      | an error naming what Podman has                    |
"""

from __future__ import annotations

import ipaddress
import json
from typing import NamedTuple

TYPES = ("macvlan", "bridge")
IPAM = ("host-local", "static")
MACVLAN_MODES = ("bridge", "private", "vepa", "passthru")


class CniConfig(NamedTuple):
    type: str
    master: str = ""
    mode: str = ""
    subnet: str = ""
    range_start: str = ""
    range_end: str = ""
    gateway: str = ""
    routes: tuple = ()
    ipam: str = ""


class CniError(ValueError):
    """The configuration cannot become a podman network; the message says why."""


def read(text: object) -> CniConfig:
    """The configuration of ``text``; ``CniError`` for one Podman cannot make."""
    if not isinstance(text, str) or not text.strip():
        raise CniError("spec.config must be the CNI configuration as a JSON text")
    try:
        conf = json.loads(text)
    except ValueError as exc:
        raise CniError(f"spec.config is not valid JSON: {exc}") from None
    if not isinstance(conf, dict):
        raise CniError("spec.config must be a JSON object")
    if "plugins" in conf:
        plugins = conf.get("plugins")
        if not isinstance(plugins, list) or not plugins or not isinstance(plugins[0], dict):
            raise CniError("spec.config plugins must be a list of plugin objects")
        if len(plugins) > 1:
            raise CniError(f"spec.config chains {len(plugins)} plugins; Podman makes a network of one "
                           "(macvlan or bridge)")
        conf = plugins[0]
    kind = conf.get("type")
    if kind not in TYPES:
        raise CniError(f"CNI type {kind!r} has no podman network driver; kube2pod makes {' and '.join(TYPES)} "
                       "networks")
    mode = str(conf.get("mode") or "")
    if kind == "macvlan":
        if not conf.get("master"):
            raise CniError("a macvlan configuration needs master: the host interface it hangs off")
        if mode and mode not in MACVLAN_MODES:
            raise CniError(f"macvlan mode {mode!r} is not one of {', '.join(MACVLAN_MODES)}")
    return CniConfig(kind, master=str(conf.get("master") or ""), mode=mode, **_ipam(conf.get("ipam")))


def _ipam(ipam: object) -> dict:
    if not ipam:
        raise CniError("the configuration has no ipam: Podman needs a subnet (ipam type host-local or static)")
    if not isinstance(ipam, dict):
        raise CniError("ipam must be an object")
    kind = ipam.get("type")
    if kind not in IPAM:
        hint = "; Podman 4.3 has no DHCP for macvlan networks" if kind == "dhcp" else ""
        raise CniError(f"IPAM type {kind!r} is not one Podman has (host-local, static){hint}")
    if kind == "static":
        return {"ipam": kind, **_static_subnet(ipam)}
    rng = ipam
    if "ranges" in ipam:
        ranges = ipam.get("ranges")
        if not (isinstance(ranges, list) and len(ranges) == 1 and isinstance(ranges[0], list)
                and len(ranges[0]) == 1 and isinstance(ranges[0][0], dict)):
            raise CniError("ipam ranges: Podman takes one subnet with one range")
        rng = ranges[0][0]
    subnet = _network(rng.get("subnet"), "ipam subnet")
    out = {"ipam": kind, "subnet": str(subnet)}
    for key, field in (("rangeStart", "range_start"), ("rangeEnd", "range_end"), ("gateway", "gateway")):
        if rng.get(key):
            out[field] = str(_address_in(rng[key], subnet, f"ipam {key}"))
    routes = ipam.get("routes") or []
    if not isinstance(routes, list) or not all(isinstance(r, dict) and r.get("dst") for r in routes):
        raise CniError("ipam routes must be a list of {dst, gw}")
    out["routes"] = tuple((str(r["dst"]), str(r.get("gw") or "")) for r in routes)
    return out


def _static_subnet(ipam: dict) -> dict:
    addresses = ipam.get("addresses") or []
    if not isinstance(addresses, list) or not addresses or not isinstance(addresses[0], dict):
        raise CniError("static ipam needs addresses: [{address: IP/PREFIX}] for its subnet")
    iface = addresses[0].get("address")
    try:
        net = ipaddress.ip_interface(str(iface)).network
    except ValueError:
        raise CniError(f"static ipam address {iface!r} is not IP/PREFIX") from None
    out = {"subnet": str(net)}
    if addresses[0].get("gateway"):
        out["gateway"] = str(_address_in(addresses[0]["gateway"], net, "static ipam gateway"))
    return out


def _network(value: object, what: str):
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise CniError(f"{what} {value!r} is not a subnet (IP/PREFIX)") from None


def _address_in(value: object, subnet, what: str):
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        raise CniError(f"{what} {value!r} is not an IP address") from None
    if address not in subnet:
        raise CniError(f"{what} {address} is outside the subnet {subnet}")
    return address


def ip_range(conf: CniConfig) -> str:
    """``rangeStart``..``rangeEnd`` as the CIDR block ``--ip-range`` takes ("" for none); ``CniError``
    for a range that is not one block (Podman 4.3's CLI takes only blocks)."""
    if not conf.range_start and not conf.range_end:
        return ""
    subnet = ipaddress.ip_network(conf.subnet)
    start = ipaddress.ip_address(conf.range_start or str(subnet[0]))
    end = ipaddress.ip_address(conf.range_end or str(subnet[-1]))
    blocks = list(ipaddress.summarize_address_range(start, end)) if start <= end else []
    if len(blocks) != 1:
        raise CniError(f"ipam range {start}-{end} is not one CIDR block, which is what podman network create "
                       "--ip-range takes on Podman 4.3; use rangeStart and rangeEnd of a block (e.g. "
                       f"{_suggest(start, end)})")
    return str(blocks[0])


def _suggest(start, end) -> str:
    blocks = list(ipaddress.summarize_address_range(start, end)) if start <= end else []
    best = max(blocks, key=lambda b: b.num_addresses) if blocks else None
    return f"{best[0]} to {best[-1]}" if best else "a start below the end"
