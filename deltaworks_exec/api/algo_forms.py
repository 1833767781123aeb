"""Form fields of each algorithm's parameters, read from its parameter dataclass.

The dashboard builds one form per algorithm from these (``GET /dashboard/api/algo-forms``),
so a new parameter appears in the launcher without a change to the page.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel

from deltaworks_exec.algos.registry import ALGORITHMS

FieldKind = Literal["number", "integer", "boolean", "choice", "numbers"]


class ParamField(BaseModel):
    """One parameter: ``name`` is dotted for nested ones (``execution.style``)."""

    name: str
    kind: FieldKind
    required: bool
    default: Any = None
    choices: list[str] = []
    help: str = ""


# Parameters the supervisor derives when they are missing, and the inputs it derives them from.
_DERIVED = {"vwap": {"volumes"}}
_EXTRA = {
    "vwap": [
        ParamField(
            name="days",
            kind="integer",
            required=False,
            default=5,
            help="days of candles the volume profile is taken from (when volumes are not given)",
        )
    ]
}


def _kind(annotation: Any) -> tuple[FieldKind, list[str]] | None:
    """The form kind of a type annotation (``None`` for a nested dataclass)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind(args[0])
    if origin is Literal:
        return "choice", [str(a) for a in typing.get_args(annotation)]
    if origin is tuple or annotation is tuple:
        return "numbers", []
    if annotation is bool:
        return "boolean", []
    if annotation is int:
        return "integer", []
    if annotation is float:
        return "number", []
    return None


def _fields(cls: type, prefix: str = "", derived: frozenset[str] = frozenset()) -> list[ParamField]:
    hints = typing.get_type_hints(cls)
    found: list[ParamField] = []
    for spec in dataclasses.fields(cls):
        annotation = hints[spec.name]
        if dataclasses.is_dataclass(annotation):
            found += _fields(annotation, f"{prefix}{spec.name}.")  # type: ignore[arg-type]
            continue
        kind = _kind(annotation)
        if kind is None:
            raise TypeError(f"{cls.__name__}.{spec.name}: no form field for {annotation!r}")
        has_default = spec.default is not dataclasses.MISSING
        found.append(
            ParamField(
                name=f"{prefix}{spec.name}",
                kind=kind[0],
                choices=kind[1],
                required=not has_default and spec.name not in derived,
                default=spec.default if has_default else None,
            )
        )
    return found


def algo_forms() -> dict[str, list[ParamField]]:
    """Every algorithm's parameter fields, in declaration order."""
    return {
        name: _fields(params_cls, derived=frozenset(_DERIVED.get(name, ()))) + _EXTRA.get(name, [])
        for name, (_, params_cls) in ALGORITHMS.items()
    }
