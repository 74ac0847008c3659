"""Random tensors. ``manual_seed(s)`` makes every draw, init and shuffle reproducible.

Draws come from one host generator (``backend.host_rng``) and are moved to the
active backend, so a seed gives the same numbers on NumPy and CuPy.
"""

from __future__ import annotations

from typing import Any

from . import backend, dtypes
from .creation import _dtype, _leaf, as_shape
from .tensor import Tensor

__all__ = ["manual_seed", "rand", "randn", "randint", "rand_like", "randn_like", "randperm"]

manual_seed = backend.manual_seed


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    dt = _dtype(dtype)
    host = backend.host_rng().random(as_shape(shape, "rand")).astype(dt)
    return _leaf(backend.asarray(host), requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dt = _dtype(dtype)
    host = backend.host_rng().standard_normal(as_shape(shape, "randn")).astype(dt)
    return _leaf(backend.asarray(host), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None) -> Tensor:
    """Integers uniform on [low, high) (or [0, low) if ``high`` is omitted); int64."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: need low < high, got low={low}, high={high}")
    dt = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    shape = as_shape(size if isinstance(size, (tuple, list)) else (size,), "randint")
    host = backend.host_rng().integers(low, high, size=shape).astype(dt)
    return Tensor._make(backend.asarray(host))


def randperm(n: int) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    return Tensor._make(backend.asarray(backend.host_rng().permutation(n).astype(dtypes.int64)))


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(*t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)
