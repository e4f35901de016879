"""Cheap access to the ``kubernetes`` package's model classes.

``import kubernetes`` costs ~0.3 s (kube config, API classes) and the pydantic
models cost more when each class builds its validator at import. The loader
needs neither: it imports only the model modules it meets, with lightweight
stand-ins for the heavy package ``__init__``s and pydantic's ``defer_build``
(validators are built on first use, if ever). Objects are made with
``model_construct`` and never validate or raise; the loader checks values itself.

If the cheap path fails for any reason, the normal import is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import threading
import types
from functools import lru_cache
from typing import Any

_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.client.models")
_MODELS = "kubernetes.client.models"
_lock = threading.Lock()


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
    module = _module_index().get(name)
    if module is None:
        return None
    full = f"{_MODELS}.{module}"
    with _lock:
        mod = sys.modules.get(full)
        if mod is None:
            mod = _import_cheaply(full)
    return getattr(mod, name, None)


def _import_cheaply(full: str) -> types.ModuleType:
    """Import one model module without running the heavy package __init__s."""
    if any(p in sys.modules for p in _PACKAGES):  # real packages already loaded (or a stand-in leaked)
        return importlib.import_module(full)
    root = os.path.dirname(os.path.dirname(_models_dir() or ""))
    stubs = {}
    for name, sub in zip(_PACKAGES, ("", "client", os.path.join("client", "models"))):
        stub = types.ModuleType(name)
        stub.__path__ = [os.path.join(root, sub)]
        stub.__kube2pod_stub__ = True
        stubs[name] = stub
    import pydantic

    real_config = pydantic.ConfigDict
    sys.modules.update(stubs)
    pydantic.ConfigDict = _deferred(real_config)
    try:
        return importlib.import_module(full)
    except Exception:
        _forget(full)
        return importlib.import_module(full)  # the normal, slow way
    finally:
        pydantic.ConfigDict = real_config
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


def _deferred(real: Any) -> Any:
    def config_dict(**kwargs: Any) -> Any:
        kwargs.setdefault("defer_build", True)
        return real(**kwargs)

    return config_dict


def _forget(full: str) -> None:
    """Drop partially imported modules so a normal import starts clean."""
    for name in _PACKAGES:
        if getattr(sys.modules.get(name), "__kube2pod_stub__", False):
            del sys.modules[name]
    sys.modules.pop(full, None)


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
    """An instance of model ``name`` from python-attribute values, without validation.

    Equivalent to pydantic's ``model_construct`` (verified once at first use)
    but without its per-field default machinery, which dominates loading time.
    """
    cls, defaults = _constructor(name)
    if defaults is None:
        return cls.model_construct(**values)
    obj = cls.__new__(cls)
    state = dict(defaults)
    state.update(values)
    _setattr(obj, "__dict__", state)
    _setattr(obj, "__pydantic_fields_set__", set(values))
    _setattr(obj, "__pydantic_extra__", None)
    _setattr(obj, "__pydantic_private__", None)
    return obj


_setattr = object.__setattr__


@lru_cache(maxsize=None)
def _constructor(name: str) -> tuple[type, dict[str, Any] | None]:
    """The class and its field defaults, or None defaults if the fast path is not safe."""
    cls = model_class(name)
    defaults = {}
    for field_name, info in cls.model_fields.items():
        default = None if info.is_required() else info.default
        if default is not None or info.default_factory is not None:
            return cls, None
        defaults[field_name] = default
    return cls, (defaults if _fast_path_ok() else None)


@lru_cache(maxsize=None)
def _fast_path_ok() -> bool:
    """Check once that the fast path builds what ``model_construct`` builds."""
    try:
        cls = model_class("V1ObjectMeta")
        ref = cls.model_construct(name="x", labels={"a": "b"})
        obj = cls.__new__(cls)
        state = {f: None for f in cls.model_fields}
        state.update(name="x", labels={"a": "b"})
        _setattr(obj, "__dict__", state)
        _setattr(obj, "__pydantic_fields_set__", {"name", "labels"})
        _setattr(obj, "__pydantic_extra__", None)
        _setattr(obj, "__pydantic_private__", None)
        return (obj.__dict__ == ref.__dict__ and obj.model_fields_set == ref.model_fields_set
                and obj.to_dict() == ref.to_dict() and obj == ref
                and getattr(ref, "__pydantic_extra__", None) is None
                and getattr(ref, "__pydantic_private__", None) is None)
    except Exception:
        return False
