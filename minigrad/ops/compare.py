"""Comparisons and logical reductions: results are bool tensors with no gradient."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from ..function import _as_inputs
from ..tensor import Tensor

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "isfinite", "isnan", "any", "all"]


def _compare(name: str, fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Tensor]:
    def compare(x: Any, y: Any) -> Tensor:
        a, b = _as_inputs(name, (x, y))
        try:
            return Tensor._make(fn(a.data, b.data))
        except ValueError as err:
            raise ValueError(f"{name}: {err} (shapes {a.shape} and {b.shape})") from None

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"Elementwise ``x {name} y`` as a bool tensor (not differentiable)."
    return compare


eq = _compare("eq", operator.eq)
ne = _compare("ne", operator.ne)
lt = _compare("lt", operator.lt)
le = _compare("le", operator.le)
gt = _compare("gt", operator.gt)
ge = _compare("ge", operator.ge)


def isfinite(x: Tensor) -> Tensor:
    """True where ``x`` is neither inf nor NaN."""
    from ..backend import module_of

    return Tensor._make(module_of(x.data).isfinite(x.data))


def isnan(x: Tensor) -> Tensor:
    """True where ``x`` is NaN."""
    from ..backend import module_of

    return Tensor._make(module_of(x.data).isnan(x.data))


def any(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """True where any element along ``axis`` is non-zero."""
    return Tensor._make(x.data.any(axis=axis, keepdims=keepdims))


def all(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """True where every element along ``axis`` is non-zero."""
    return Tensor._make(x.data.all(axis=axis, keepdims=keepdims))
