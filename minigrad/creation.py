"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange`` and friends.

Shapes may be given as ``zeros(2, 3)`` or ``zeros((2, 3))``. Float results
default to float32. Every tensor is created on the active backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import backend, dtypes
from .tensor import Tensor

__all__ = [
    "tensor", "as_shape", "zeros", "ones", "full", "empty", "arange", "linspace", "eye",
    "zeros_like", "ones_like", "full_like", "empty_like",
]


def as_shape(shape: Sequence[Any], where: str) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))``; check that every size is a non-negative int."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        dims = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: shape must be integers, got {shape!r}") from None
    if any(n < 0 for n in dims) or any(int(n) != n for n in shape):
        raise ValueError(f"{where}: shape must be non-negative integers, got {shape!r}")
    return dims


def _dtype(dtype: Any) -> Any:
    return dtypes.DEFAULT_FLOAT if dtype is None else dtypes.as_dtype(dtype)


def _leaf(data: Any, requires_grad: bool) -> Tensor:
    t = Tensor._make(data)
    t.requires_grad = requires_grad
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``.

    Python floats (and lists of them) give float32, ints int64, bools bool;
    NumPy arrays keep their dtype.
    """
    if isinstance(data, Tensor):
        data = data.data
    t = Tensor(data, dtype=dtype)
    if t.data is data:
        t.data = t.data.copy()
    t.requires_grad = requires_grad
    return t


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    return _leaf(backend.xp().zeros(as_shape(shape, "zeros"), dtype=_dtype(dtype)), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _leaf(backend.xp().ones(as_shape(shape, "ones"), dtype=_dtype(dtype)), requires_grad)


def empty(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor."""
    return _leaf(backend.xp().empty(as_shape(shape, "empty"), dtype=_dtype(dtype)), requires_grad)


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (its dtype inferred from the value if not given)."""
    if not isinstance(shape, (tuple, list)):
        shape = (shape,)
    if dtype is None:
        dtype = dtypes.promote("full", [], [dtypes.weak_kind(fill_value)])
    return _leaf(backend.xp().full(as_shape(tuple(shape), "full"), fill_value, dtype=dtypes.as_dtype(dtype)), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``; integers give int64, floats float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if dtype is None:
        dtype = dtypes.promote("arange", [], [dtypes.weak_kind(v) for v in (start, end, step)])
    return _leaf(backend.xp().arange(start, end, step, dtype=dtypes.as_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _leaf(backend.xp().linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """An ``n`` x ``m`` identity matrix."""
    return _leaf(backend.xp().eye(n, m, dtype=_dtype(dtype)), requires_grad)


def _like(name: str, t: Tensor, fill: Any, dtype: Any, requires_grad: bool) -> Tensor:
    dt = t.dtype if dtype is None else dtypes.as_dtype(dtype)
    xp = backend.module_of(t.data)
    data = xp.empty(t.shape, dtype=dt) if fill is None else xp.full(t.shape, fill, dtype=dt)
    return _leaf(data, requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _like("zeros_like", t, 0, dtype, requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _like("ones_like", t, 1, dtype, requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _like("full_like", t, fill_value, dtype, requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _like("empty_like", t, None, dtype, requires_grad)
