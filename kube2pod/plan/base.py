"""Shared base of plan models and the reference back to a manifest object."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from kube2pod import shortcuts
from kube2pod.plan.canonical import SCALARS


class Frozen(BaseModel):
    """Immutable, strict plan node: unknown attributes are a programming error."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def make(cls, **values: Any) -> Any:
        """A node from values that already have their fields' types, without validation.

        What ``model_construct`` builds (:func:`kube2pod.shortcuts.model_construct`: without its
        per-field Python work), refusing unknown or missing fields. Translation makes every node
        this way, so a convert never builds pydantic's validators (tests/test_plan_trusted.py
        holds every plan the fixtures and the corpus give to what validation would make of it).
        """
        names, required, template, fresh = _layout(cls)
        if not values.keys() <= names or not required <= values.keys():
            unknown, missing = sorted(values.keys() - names), sorted(required - values.keys())
            raise TypeError(f"{cls.__name__}.make(): unknown fields {unknown}, missing fields {missing}")
        return shortcuts.model_construct(cls, values, template, fresh)

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` (values of the fields' types), as ``model_copy(update=...)``
        makes it (:func:`kube2pod.shortcuts.model_copy`: without its per-call copying machinery);
        unknown fields are refused."""
        names = _layout(type(self))[0]
        if not changes.keys() <= names:
            raise TypeError(f"{type(self).__name__}.replace(): unknown fields {sorted(changes.keys() - names)}")
        return shortcuts.model_copy(self, changes)


@lru_cache(maxsize=None)
def _layout(cls: type[Frozen]) -> tuple[frozenset, frozenset, dict, tuple]:
    """Field names, required names, every field's default in definition order (None for the
    required ones, always given), and (name, copy) of each list/dict default: every node gets
    its own copy, as ``model_construct`` gives it."""
    template, fresh = {}, []
    for name, field in cls.model_fields.items():
        default = None if field.is_required() else field.default
        if isinstance(default, (list, dict)):
            items = default.values() if isinstance(default, dict) else default
            if not all(type(v) in SCALARS for v in items):
                raise TypeError(f"{cls.__name__}.{name}: make() copies list/dict defaults of scalars only")
            fresh.append((name, default.copy))
        elif field.default_factory is not None:
            raise TypeError(f"{cls.__name__}.{name}: make() does not call default factories")
        template[name] = default
    required = frozenset(n for n, f in cls.model_fields.items() if f.is_required())
    return frozenset(cls.model_fields), required, template, tuple(fresh)


class ObjectRef(Frozen):
    """The manifest object a plan node comes from (``file:line`` of its document)."""

    kind: str
    name: str
    namespace: str | None = None
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file
