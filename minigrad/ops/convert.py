"""Changing dtype or backend: ``astype`` and ``to``, differentiable between float types."""

from __future__ import annotations

from typing import Any

from .. import backend, dtypes
from ..function import Function
from ..tensor import Tensor

__all__ = ["astype", "to"]


class Cast(Function):
    """The gradient of a dtype cast is cast back"""

    @staticmethod
    def forward(ctx, x, *, dtype):
        ctx.in_dtype = x.dtype
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.in_dtype) if ctx.in_dtype.kind == "f" else None


class ToBackend(Function):
    """The gradient of a move between backends moves back"""

    @staticmethod
    def forward(ctx, x, *, name):
        ctx.source = x.backend
        return backend.asarray(x.data, backend=name)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.source)


def astype(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (differentiable when both are float types)."""
    dt = dtypes.as_dtype(dtype)
    if dt == x.dtype:
        return x
    if x.requires_grad and dt.kind != "f":
        return Tensor._make(x.data.astype(dt))
    return Cast.apply(x, dtype=dt)


def to(x: Tensor, name: str) -> Tensor:
    """``x`` on backend ``name`` ("numpy" or "cupy"); a no-op if already there."""
    if name not in backend.BACKENDS:
        raise ValueError(f"to: unknown backend {name!r}; valid backends: {', '.join(backend.BACKENDS)}")
    if name == x.backend:
        return x
    backend.xp(name)  # raises the clear error when CuPy or a GPU is missing
    return ToBackend.apply(x, name=name)
