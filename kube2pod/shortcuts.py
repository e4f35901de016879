"""Speed shortcuts through other libraries' internals, each with a plain fallback, and their off switch.

Each shortcut does what a public call of another library does, through names that library does
not promise to keep, because the public call costs measurable time (figures: docs/performance.md
and the commits it names). Each also has a plain path through the public API that gives the
same results. ``KUBE2POD_NO_SHORTCUTS=1`` (read once, when this module is imported) makes every
one take its plain path. tests/test_shortcuts.py checks that each shortcut is on by default and
off under the switch, and that convert's outputs are byte-identical either way; CI runs the whole
test suite a second time with the switch set (scripts/test), so a library upgrade that breaks a
shortcut shows up as a failing test, not as a wrong result.

- kubernetes: model modules imported without the packages' ``__init__`` and with their model
  imports removed from the bytecode (:func:`import_model_module`);
- pydantic: instances made by setting pydantic's private instance slots
  (:func:`model_construct`, :func:`model_copy`);
- PyYAML: a subclass of libyaml's C parser class ``yaml._yaml.CParser`` (:func:`c_composer`);
- CPython: the process ends without the interpreter's teardown (:func:`exit_process`).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Callable, NoReturn

#: False under ``KUBE2POD_NO_SHORTCUTS=1`` (any value but empty or ``0``): every plain path.
ENABLED = os.environ.get("KUBE2POD_NO_SHORTCUTS", "") in ("", "0")


# --- kubernetes: model modules without their packages and without their model imports ---------

_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.client.models")
_MODEL_PREFIX = "kubernetes.client.models."
_deferring = threading.local()  # .active: this thread is running a cheap import


def kubernetes_model(name: str, index: Callable[[], dict[str, str]], models_dir: Callable[[], str | None],
                     lookup: Callable[[str], type | None]) -> type | None:
    """The class ``name`` (``V1Pod``) of ``kubernetes.client.models``, or None. The caller holds a
    lock and caches the answer (``lookup``: its cached function).

    Shortcut: ``index()`` (class name -> module name, read from the models package's source)
    names the one model module to import, and :func:`import_model_module` imports it cheaply
    from ``models_dir()``.

    Plain path: ``kubernetes.client.models.<name>``, after the package's own import.
    """
    import importlib

    if not ENABLED:
        try:
            cls = getattr(importlib.import_module(_MODEL_PREFIX[:-1]), name, None)
        except ImportError:
            return None
        return cls if isinstance(cls, type) else None
    module = index().get(name)
    if module is None:
        return None
    full = _MODEL_PREFIX + module
    mod = sys.modules.get(full) or import_model_module(full, models_dir(), lookup)
    return getattr(mod, name, None)


def import_model_module(full: str, models_dir: str | None, lookup: Callable[[str], type | None]) -> Any:
    """The model module ``full`` (``kubernetes.client.models.v1_pod``), imported cheaply.

    Shortcut: ``import kubernetes`` costs ~0.3 s (kube config, API classes) and one model module
    imports every model it refers to (``V1Pod``: 135 classes, ~0.2 s of pydantic class building;
    cold start 0.49 -> 0.33 s, convert 739 -> 1,275 docs/s). So the module runs with lightweight
    stand-ins for the three packages in ``sys.modules``, with pydantic's ``ConfigDict`` patched to
    ``defer_build``, and with its ``from kubernetes.client.models.m import C`` statements made
    no-ops in its bytecode (:func:`drop_model_imports`). Those names resolve later, on first use,
    through the module's builtins: ``lookup(name)``, the class or None (:class:`_LazyModels`).
    The caller holds a lock. Any failure falls back to the normal import.

    Plain path: ``importlib.import_module(full)``, the package's own import of everything.
    """
    import importlib

    if not ENABLED or models_dir is None or any(p in sys.modules for p in _PACKAGES):
        return importlib.import_module(full)  # switched off, or the real packages are loaded already
    import types

    import pydantic

    root = os.path.dirname(os.path.dirname(models_dir))
    stubs = {}
    for name, sub in zip(_PACKAGES, ("", "client", os.path.join("client", "models"))):
        stub = types.ModuleType(name)
        stub.__path__ = [os.path.join(root, sub)]
        stub.__kube2pod_stub__ = True
        stubs[name] = stub
    real_config = pydantic.ConfigDict
    sys.modules.update(stubs)
    pydantic.ConfigDict = _deferred(real_config)
    was_deferring = getattr(_deferring, "active", False)
    _deferring.active = True
    try:
        try:
            return _exec_without_model_imports(full, models_dir, lookup)
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
    """Builtins of a cheaply imported model module: Python's builtins, plus the model classes
    its dropped imports named, each imported on first lookup.

    While a cheap import runs in this thread a lookup fails (``NameError``), so pydantic leaves
    such annotations as forward references instead of importing the whole closure; afterwards
    the name resolves to the class.
    """

    def __init__(self, lookup: Callable[[str], type | None]):
        import builtins

        super().__init__(builtins.__dict__)
        self.lookup = lookup

    def __missing__(self, name: str) -> type:
        if getattr(_deferring, "active", False):
            raise KeyError(name)
        cls = self.lookup(name)
        if cls is None:
            raise KeyError(name)
        return cls


_lazy_builtins: dict[Callable, _LazyModels] = {}


def _exec_without_model_imports(full: str, models_dir: str, lookup: Callable[[str], type | None]) -> Any:
    """Run model module ``full`` from its usual bytecode (``__pycache__``) with its model imports
    made no-ops; register it in ``sys.modules`` as the import system would."""
    import importlib.util

    path = os.path.join(models_dir, full.rsplit(".", 1)[1] + ".py")
    spec = importlib.util.spec_from_file_location(full, path)
    if spec is None or spec.loader is None:
        raise ImportError(full)
    code = drop_model_imports(spec.loader.get_code(full))
    module = importlib.util.module_from_spec(spec)
    builtins_ = _lazy_builtins.get(lookup)
    if builtins_ is None:
        builtins_ = _lazy_builtins[lookup] = _LazyModels(lookup)
    module.__builtins__ = builtins_
    sys.modules[full] = module
    exec(code, module.__dict__)
    return sys.modules[full]


def drop_model_imports(code: Any) -> Any:
    """``code`` with each top-level ``from kubernetes.client.models.m import C`` replaced by NOPs
    of the same length (line numbers and offsets hold).

    Only the exact six-instruction form with one-byte arguments is matched; any other form stays
    as it is (an eager import: slower, still correct).
    """
    import opcode

    nop = opcode.opmap["NOP"]
    load_level = frozenset(opcode.opmap[op] for op in ("LOAD_CONST", "LOAD_SMALL_INT") if op in opcode.opmap)
    form = tuple(opcode.opmap[op] for op in ("LOAD_CONST", "IMPORT_NAME", "IMPORT_FROM", "STORE_NAME", "POP_TOP"))
    raw = bytearray(code.co_code)
    names = code.co_names
    for i in range(0, len(raw) - 11, 2):
        if (raw[i] in load_level and (raw[i + 2], raw[i + 4], raw[i + 6], raw[i + 8], raw[i + 10]) == form
                and names[raw[i + 5]].startswith(_MODEL_PREFIX) and raw[i + 7] == raw[i + 9]
                and (i == 0 or raw[i - 2] != opcode.EXTENDED_ARG)):
            raw[i:i + 12] = bytes((nop, 0)) * 6
    return code.replace(co_code=bytes(raw))


# --- pydantic: instances without model_construct / model_copy -------------------------------

_set = object.__setattr__
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_by_hand: dict[type, bool] = {}  # model class -> its instances are made by hand (checked at first use)


def model_construct(cls: Any, values: dict, defaults: dict, fresh: tuple = ()) -> Any:
    """What ``cls.model_construct(**values)`` returns. ``defaults``: every field -> its default, in
    definition order; ``fresh``: ``(name, copy)`` of the list/dict defaults, copied per instance.

    Shortcut: the instance's ``__dict__`` and pydantic's private slots (fields set, no extra, no
    private) are set directly, without model_construct's per-field Python work: a plan
    ``Container`` or a loaded ``V1Container`` in about 2 us instead of 12-13 us (pydantic 2.14).
    Checked, once per class, to build what model_construct builds (else that class takes the
    plain path).

    Plain path: ``cls.model_construct(**values)``.
    """
    fast = _by_hand.get(cls)
    if fast is None:
        fast = _by_hand[cls] = _same_as_model_construct(cls, values, defaults, fresh)
    if not fast:
        return cls.model_construct(**values)
    state = dict(defaults)
    for name, copy in fresh:
        if name not in values:
            state[name] = copy()
    state.update(values)
    return _instance(cls, state, set(values))


def model_copy(node: Any, changes: dict) -> Any:
    """What ``node.model_copy(update=changes)`` returns (changes: known fields only).

    Shortcut: as :func:`model_construct`, for a class whose instances it has made by hand
    (translation's node copies: 6 -> 2 us, docs/performance.md).
    Plain path: ``node.model_copy(update=changes)``.
    """
    cls = type(node)
    if not _by_hand.get(cls):
        return node.model_copy(update=changes)
    return _instance(cls, {**node.__dict__, **changes}, node.__pydantic_fields_set__ | changes.keys())


def _instance(cls: Any, state: dict, fields_set: set) -> Any:
    node = cls.__new__(cls)
    _set(node, "__dict__", state)
    _set(node, "__pydantic_fields_set__", fields_set)
    _set(node, "__pydantic_extra__", None)
    _set(node, "__pydantic_private__", None)
    return node


def _same_as_model_construct(cls: Any, values: dict, defaults: dict, fresh: tuple) -> bool:
    """The instance built by hand equals model_construct's, slot for slot, fields in order."""
    if not ENABLED:
        return False
    try:
        from pydantic import BaseModel

        if BaseModel.__slots__ != _SLOTS:  # pydantic keeps more (or other) per-instance state
            return False
        ref = cls.model_construct(**values)
        state = dict(defaults)
        for name, copy in fresh:
            if name not in values:
                state[name] = copy()
        state.update(values)
        ours = _instance(cls, state, set(values))
        return (list(ours.__dict__.items()) == list(ref.__dict__.items())
                and ours.__pydantic_fields_set__ == ref.__pydantic_fields_set__
                and ref.__pydantic_extra__ is None and ref.__pydantic_private__ is None)
    except Exception:
        return False


# --- PyYAML: a subclass of libyaml's C parser class ------------------------------------------

def c_composer(resolve: Callable[..., Any]) -> type | None:
    """A composer class: ``Class(text)`` has ``check_node``/``get_node``/``get_event``/``dispose``,
    with ``resolve`` (the resolver's ``resolve(kind, value, implicit)`` method) typing nodes.

    Shortcut: a subclass of ``yaml._yaml.CParser`` (PyYAML's libyaml extension type, which reads,
    scans, parses and composes in C and calls ``self.resolve``), with the path resolver's hooks
    made no-ops and without ``CSafeLoader``'s constructor and resolver classes (their
    ``__init__`` per input, and the resolver's per-node path bookkeeping).

    Plain path: None; the caller then composes through PyYAML's public ``CSafeLoader`` (the same
    C parser) with its resolver, or ``SafeLoader`` (pure Python) without libyaml.
    """
    return c_composer_class(resolve) if ENABLED else None


def c_composer_class(resolve: Callable[..., Any]) -> type | None:
    """:func:`c_composer` whatever the switch (None without libyaml): for the tests that compare it
    with the plain path."""
    try:
        from yaml._yaml import CParser  # type: ignore[import-not-found]
    except ImportError:
        return None

    class CComposer(CParser):  # type: ignore[misc,valid-type]
        descend_resolver = _noop
        ascend_resolver = _noop

    CComposer.resolve = resolve
    return CComposer


def _noop(self: Any, *args: Any) -> None:
    return None


# --- CPython: exit without the interpreter's teardown -----------------------------------------

def exit_process(code: int) -> NoReturn:
    """End the process with status ``code``; the caller has flushed the output.

    Shortcut: the atexit handlers run (CPython's private ``atexit._run_exitfuncs``, the same
    handlers a normal exit runs), then ``os._exit``: freeing every module and object (pydantic's
    classes, the kubernetes models, podman-py) took 0.03-0.1 s, a tenth of a convert.

    Plain path: ``raise SystemExit(code)`` (also where ``atexit._run_exitfuncs`` is missing).
    """
    import atexit

    run_exit_functions = getattr(atexit, "_run_exitfuncs", None) if ENABLED else None
    if run_exit_functions is None:
        raise SystemExit(code)
    run_exit_functions()
    os._exit(code)
