"""Kubernetes name, key and quantity syntax (apimachinery's validation rules)."""

from __future__ import annotations

import json
import re

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")
_IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")
_QUANTITY = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?\Z")

def quote(s: object) -> str:
    """A user's string as messages show it: double-quoted, escapes visible."""
    return json.dumps(str(s), ensure_ascii=False)


DNS1123_LABEL_RULE = ("at most 63 characters: lower case letters, digits and '-', "
                      "starting and ending with a letter or digit")
DNS1123_SUBDOMAIN_RULE = ("at most 253 characters: lower case letters, digits, '-' and '.', "
                          "starting and ending with a letter or digit")
DNS1035_LABEL_RULE = ("at most 63 characters: lower case letters, digits and '-', "
                      "starting with a letter and ending with a letter or digit")


def dns1123_label(s: str) -> bool:
    return len(s) <= 63 and bool(_DNS1123_LABEL.match(s))


def dns1123_subdomain(s: str) -> bool:
    return len(s) <= 253 and bool(_DNS1123_SUBDOMAIN.match(s))


def dns1035_label(s: str) -> bool:
    return len(s) <= 63 and bool(_DNS1035_LABEL.match(s))


def qualified_name_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label/annotation key (``[prefix/]name``), or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "the prefix before '/' must not be empty"
    if key.count("/") > 1:
        return "a key may contain at most one '/'"
    if prefix and not dns1123_subdomain(prefix):
        return f"the prefix {quote(prefix)} must be a DNS subdomain ({DNS1123_SUBDOMAIN_RULE})"
    if not name:
        return "the name part must not be empty"
    if len(name) > 63:
        return "the name part must be at most 63 characters"
    if not _QUALIFIED_NAME.match(name):
        return ("the name part must consist of letters, digits, '-', '_' or '.', "
                "and start and end with a letter or digit")
    return None


def label_value_ok(v: str) -> bool:
    return len(v) <= 63 and bool(_LABEL_VALUE.match(v))


def config_key_ok(k: str) -> bool:
    return 0 < len(k) <= 253 and bool(_CONFIG_KEY.match(k))


def port_name_ok(s: str) -> bool:
    """IANA_SVC_NAME: at most 15 chars, a-z0-9 and '-', at least one letter, no '--'."""
    return (len(s) <= 15 and bool(_IANA_SVC_NAME.match(s)) and "--" not in s
            and any(c.isalpha() for c in s))


def quantity_ok(q: str) -> bool:
    return bool(_QUANTITY.match(q))


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def quantity_value(q: str) -> float:
    """Numeric value of a valid quantity (for comparisons)."""
    for suffix, factor in _BINARY.items():
        if q.endswith(suffix):
            return float(q[:-2]) * factor
    if q[-1:] in _DECIMAL and q[-1:] not in "0123456789.":
        return float(q[:-1]) * _DECIMAL[q[-1]]
    return float(q)
