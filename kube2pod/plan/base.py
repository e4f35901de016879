"""Shared base of plan models and the reference back to a manifest object."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Immutable, strict plan node: unknown attributes are a programming error."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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
