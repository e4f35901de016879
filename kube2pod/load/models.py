"""Cheap access to the ``kubernetes`` package's model classes.

``import kubernetes`` costs ~0.3 s (kube config, API classes), and importing one
model module imports every model it refers to (``V1Pod`` drags in 135 classes,
~0.2 s of pydantic class building). The loader needs none of that. It imports
only the model modules it meets, each without the heavy package ``__init__``s,
with pydantic's ``defer_build`` and with its own model imports deferred to first
use (:func:`kube2pod.shortcuts.kubernetes_model`, which says how). So
``model_validate``, ``to_dict`` or ``model_dump`` on a loaded object complete the
classes they need, as the normal import would.

Objects are made with ``model_construct`` semantics and never validate or raise;
the loader checks values itself. If the cheap path fails for any reason, or the
shortcuts are switched off, the normal import is used.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from functools import lru_cache
from typing import Any

from kube2pod import shortcuts

_lock = threading.RLock()


@lru_cache(maxsize=None)
def _models_dir() -> str | None:
    spec = importlib.util.find_spec("kubernetes")
    if spec is None or not spec.origin:
        return None
    return os.path.join(os.path.dirname(spec.origin), "client", "models")


@lru_cache(maxsize=None)
def _module_index() -> dict[str, str]:
    """Class name -> module name, read from the models package's source."""
    directory = _models_dir()
    if directory is None:
        return {}
    with open(os.path.join(directory, "__init__.py"), encoding="utf-8") as f:
        text = f.read()
    return dict((cls, mod) for mod, cls in re.findall(r"from kubernetes\.client\.models\.(\w+) import (\w+)", text))


def model_class(name: str) -> type | None:
    """The model class called ``name`` (e.g. ``"V1Pod"``), or None if unknown."""
    return _model_class(name)


@lru_cache(maxsize=None)
def _model_class(name: str) -> type | None:
    with _lock:
        return shortcuts.kubernetes_model(name, _module_index, _models_dir, model_class)


@lru_cache(maxsize=None)
def fields_of(name: str) -> dict[str, tuple[str, str]] | None:
    """``{jsonKey: (python_attr, openapi_type)}`` for model ``name``."""
    cls = model_class(name)
    if cls is None:
        return None
    types_ = cls.openapi_types
    names = _field_names(cls)
    return {json_key: (names.get(attr) or names.get(json_key) or attr, types_[attr])
            for attr, json_key in cls.attribute_map.items()}


def _field_names(cls: type) -> dict[str, str]:
    """Every name a pydantic field answers to -> the field's own name.

    ``attribute_map`` says ``_exec`` where the pydantic field is ``var_exec``
    (alias ``exec``/``_exec``); instances must be built with the field name.
    """
    names: dict[str, str] = {}
    for field_name, info in cls.model_fields.items():
        names[field_name] = field_name
        alias = info.validation_alias
        choices = getattr(alias, "choices", None) or ([alias] if isinstance(alias, str) else [])
        for choice in choices:
            if isinstance(choice, str):
                names.setdefault(choice, field_name)
        if info.alias:
            names.setdefault(info.alias, field_name)
    return names


def construct(name: str, values: dict[str, Any]) -> Any:
    """An instance of model ``name`` from python-attribute values, without validation:
    what pydantic's ``model_construct`` builds (:func:`kube2pod.shortcuts.model_construct`
    skips its per-field default machinery, which dominates loading time)."""
    cls, defaults = _constructor(name)
    if defaults is None:
        return cls.model_construct(**values)
    return shortcuts.model_construct(cls, values, defaults)


@lru_cache(maxsize=None)
def _constructor(name: str) -> tuple[type, dict[str, Any] | None]:
    """The class and its field defaults (all None), or None defaults if a field has another."""
    cls = model_class(name)
    defaults = {}
    for field_name, info in cls.model_fields.items():
        default = None if info.is_required() else info.default
        if default is not None or info.default_factory is not None:
            return cls, None
        defaults[field_name] = default
    return cls, defaults
