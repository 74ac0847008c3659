"""In-place updates: ``t[index] = v`` and ``t += u`` (also -=, *=, /=).

An in-place update computes the new value out of place, then rebinds the
tensor to it and bumps its version. Arrays saved by earlier ops are never
overwritten, and an op that saved this tensor notices the new version at
backward time and refuses to use it. Updating a leaf that requires grad is
only allowed under ``no_grad`` (the usual hand-written SGD step).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd import GradMode
from ..tensor import Tensor
from .arithmetic import add, div, mul, sub
from .indexing import setitem

__all__ = ["assign_item", "inplace"]


def _alias(t: Tensor) -> Tensor:
    """A second handle on ``t``'s current value and node, so the op reads the old value."""
    return Tensor._make(t.data, t._node, t._out_idx, t._rg)


def _check_leaf(t: Tensor, op: str) -> None:
    if GradMode.enabled and t._node is None and t._rg:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad (shape {t.shape}) cannot be changed in place "
            f"while gradients are recorded; wrap the update in `with mg.no_grad():`"
        )


def _rebind(t: Tensor, result: Tensor, op: str) -> Tensor:
    """Point ``t`` at ``result``'s value and node, and bump its version."""
    if result.shape != t.shape:
        raise ValueError(f"{op}: the result has shape {result.shape}, but an in-place update must keep shape {t.shape}")
    if result.dtype != t.dtype:
        result.data = result.data.astype(t.dtype)
    t.data = result.data
    if result._node is not None:
        t._node, t._out_idx, t._rg = result._node, result._out_idx, True
    t._version += 1
    return t


def assign_item(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``."""
    _check_leaf(t, "setitem")
    _rebind(t, setitem(_alias(t), index, value), "setitem")


def inplace(fn: Callable[[Any, Any], Tensor], op: str) -> Callable[[Tensor, Any], Tensor]:
    """Make ``t <op>= u`` from an out-of-place binary op."""

    def update(t: Tensor, other: Any) -> Tensor:
        _check_leaf(t, op)
        return _rebind(t, fn(_alias(t), other), op)

    update.__name__ = op
    return update


__iadd__ = inplace(add, "iadd")
__isub__ = inplace(sub, "isub")
__imul__ = inplace(mul, "imul")
__itruediv__ = inplace(div, "itruediv")
