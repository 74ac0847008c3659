"""Arithmetic: ``+ - * / ** neg``, with NumPy broadcasting.

Each backward returns the gradient at the output's (broadcast) shape; the
engine sums it back to each input's shape, so no op here undoes broadcasting.
Every backward except Pow's is plain arithmetic, so they run on arrays
(``on_arrays``) when no graph of the backward is wanted.
"""

from __future__ import annotations

from typing import Any

from .. import backend, dtypes
from ..function import Function
from ..tensor import Tensor

__all__ = ["add", "sub", "mul", "div", "true_divide", "pow", "neg"]


class Add(Function):
    """d(x + y) = dx + dy"""

    on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        return x.data + y.data

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """d(x - y) = dx - dy"""

    on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        return x.data - y.data

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """d(x * y) = y dx + x dy"""

    on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        if ctx.needs_input_grad:  # recorded: keep only what backward uses, y for dx and x for dy
            need_x, need_y = ctx.needs_input_grad
            ctx.save_for_backward(x if need_y else None, y if need_x else None)
        return x.data * y.data

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = g * y if ctx.needs_input_grad[0] else None
        gy = g * x if ctx.needs_input_grad[1] else None
        return gx, gy


class Div(Function):
    """d(x / y) = dx / y - x dy / y**2"""

    on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        if ctx.needs_input_grad:  # recorded: x is used only for dy
            ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        with backend.quiet(x.data):
            out = x.data / y.data
        if x.data.dtype.kind != "f":  # integer division is true division to float32, as PyTorch
            out = out.astype(dtypes.DEFAULT_FLOAT)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = g / y if ctx.needs_input_grad[0] else None
        gy = -(g / y) * (x / y) if ctx.needs_input_grad[1] else None  # not x / y**2: y**2 may overflow
        return gx, gy


class Pow(Function):
    """d(x ** y) = y x**(y-1) dx + x**y log(x) dy  (a term that would be 0 * inf at x = 0 is 0)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with backend.quiet(x.data):
            return x.data ** y.data

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where

        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = where((y == 0) & (x == 0), 0.0, g * y * x ** (y - 1))
        if ctx.needs_input_grad[1]:
            gy = where((x == 0) & (y >= 0), 0.0, g * x ** y * x.log())
        return gx, gy


class Neg(Function):
    """d(-x) = -dx"""

    on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return -x.data

    @staticmethod
    def backward(ctx, g):
        return -g


def add(x: Any, y: Any) -> Tensor:
    """Elementwise ``x + y`` with broadcasting."""
    return Add.apply(x, y)


def sub(x: Any, y: Any) -> Tensor:
    """Elementwise ``x - y`` with broadcasting."""
    return Sub.apply(x, y)


def mul(x: Any, y: Any) -> Tensor:
    """Elementwise ``x * y`` with broadcasting."""
    return Mul.apply(x, y)


def div(x: Any, y: Any) -> Tensor:
    """Elementwise true division ``x / y`` (integers give float32, as PyTorch)."""
    return Div.apply(x, y)


true_divide = div


def pow(x: Any, y: Any) -> Tensor:  # noqa: A001
    """Elementwise ``x ** y``."""
    return Pow.apply(x, y)


def neg(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    return Neg.apply(x)
