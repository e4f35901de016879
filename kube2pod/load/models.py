"""Cheap access to the ``kubernetes`` package's model classes.

``import kubernetes`` costs ~0.3 s (kube config, API classes), and importing one
model module imports every model it refers to (``V1Pod`` drags in 135 classes,
~0.2 s of pydantic class building). The loader needs none of that. It imports
only the model modules it meets:

- without the heavy package ``__init__``s (lightweight stand-ins take their place
  while a model module runs);
- with pydantic's ``defer_build`` (validators are built on first use, if ever);
- with each module's ``from kubernetes.client.models.m import C`` statements made
  no-ops in its bytecode. The names resolve later, on first use, through the
  module's builtins (:class:`_LazyModels`): while our import runs they are
  unresolved forward references for pydantic (fields left incomplete), after it a
  lookup imports the class. So ``model_validate``, ``to_dict`` or ``model_dump``
  on a loaded object complete the classes they need, as the normal import would.

Objects are made with ``model_construct`` semantics and never validate or raise;
the loader checks values itself. If the cheap path fails for any reason, the
normal import is used.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import opcode
import os
import re
import sys
import threading
import types
from functools import lru_cache
from typing import Any

_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.client.models")
_MODELS = "kubernetes.client.models"
_lock = threading.RLock()
_deferring = threading.local()  # .active: this thread is running a cheap import


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
    """Import one model module without the heavy package __init__s and without its model imports."""
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
    was_deferring = getattr(_deferring, "active", False)
    _deferring.active = True
    try:
        try:
            return _exec_without_model_imports(full)
        except Exception:
            sys.modules.pop(full, None)
        return importlib.import_module(full)  # stand-ins still in place: eager, as the module's source says
    except Exception:
        _forget(full)
        return importlib.import_module(full)  # the normal, slow way
    finally:
        _deferring.active = was_deferring
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


class _LazyModels(dict):
    """Builtins of a cheaply imported model module: Python's builtins, plus the
    model classes its dropped imports named, each imported on first lookup.

    While a cheap import runs in this thread a lookup fails (``NameError``), so
    pydantic leaves such annotations as forward references instead of importing
    the whole closure; afterwards the name resolves to the class.
    """

    def __missing__(self, name: str) -> type:
        if getattr(_deferring, "active", False) or name not in _module_index():
            raise KeyError(name)
        cls = model_class(name)
        if cls is None:
            raise KeyError(name)
        return cls


@lru_cache(maxsize=1)
def _lazy_builtins() -> _LazyModels:
    return _LazyModels(builtins.__dict__)


def _exec_without_model_imports(full: str) -> types.ModuleType:
    """Run model module ``full`` from its usual bytecode (``__pycache__``) with its
    model imports made no-ops; register it in ``sys.modules`` as the import system would."""
    path = os.path.join(_models_dir() or "", full.rsplit(".", 1)[1] + ".py")
    spec = importlib.util.spec_from_file_location(full, path)
    if spec is None or spec.loader is None:
        raise ImportError(full)
    code = _drop_model_imports(spec.loader.get_code(full))
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = _lazy_builtins()
    sys.modules[full] = module
    exec(code, module.__dict__)
    return sys.modules[full]


_PREFIX = _MODELS + "."
_NOP = opcode.opmap["NOP"]
_LOAD_LEVEL = frozenset(opcode.opmap[op] for op in ("LOAD_CONST", "LOAD_SMALL_INT") if op in opcode.opmap)
_IMPORT = (opcode.opmap["LOAD_CONST"], opcode.opmap["IMPORT_NAME"], opcode.opmap["IMPORT_FROM"],
           opcode.opmap["STORE_NAME"], opcode.opmap["POP_TOP"])


def _drop_model_imports(code: types.CodeType) -> types.CodeType:
    """``code`` with each top-level ``from kubernetes.client.models.m import C``
    replaced by NOPs of the same length (line numbers and offsets hold).

    Only the exact six-instruction form with one-byte arguments is matched; any
    other form stays as it is (an eager import: slower, still correct).
    """
    raw = bytearray(code.co_code)
    names = code.co_names
    for i in range(0, len(raw) - 11, 2):
        if (raw[i] in _LOAD_LEVEL and (raw[i + 2], raw[i + 4], raw[i + 6], raw[i + 8], raw[i + 10]) == _IMPORT
                and names[raw[i + 5]].startswith(_PREFIX) and raw[i + 7] == raw[i + 9]
                and (i == 0 or raw[i - 2] != opcode.EXTENDED_ARG)):
            raw[i:i + 12] = bytes((_NOP, 0)) * 6
    return code.replace(co_code=bytes(raw))


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
