"""Elementwise math: exp, log, sqrt, abs, trig, clip, maximum/minimum, where, erf.

Functions that are only defined on reals (exp, log, sin, ...) turn integer
input into float32, as PyTorch does; invalid input (``log(-1)``) gives NaN
without a warning.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend, dtypes
from ..function import Function, common_backend, xp
from ..tensor import Tensor
from .special import erf_array

__all__ = [
    "exp", "log", "log1p", "expm1", "sqrt", "abs", "sign", "sin", "cos", "erf",
    "clip", "clamp", "maximum", "minimum", "where",
]


def _real(x: Tensor) -> Any:
    """The data of ``x`` as floats (integers and bools become float32)."""
    return x.data if x.data.dtype.kind == "f" else x.data.astype(dtypes.DEFAULT_FLOAT)


class Exp(Function):
    """d exp(x) = exp(x) dx"""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with backend.quiet(x.data):
            return xp(x).exp(_real(x))

    @staticmethod
    def backward(ctx, g):
        return g * ctx.output


class Log(Function):
    """d log(x) = dx / x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with backend.quiet(x.data):
            return xp(x).log(_real(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Log1p(Function):
    """d log(1 + x) = dx / (1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with backend.quiet(x.data):
            return xp(x).log1p(_real(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Expm1(Function):
    """d (exp(x) - 1) = exp(x) dx"""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with backend.quiet(x.data):
            return xp(x).expm1(_real(x))

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.output + 1)


class Sqrt(Function):
    """d sqrt(x) = dx / (2 sqrt(x))"""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with backend.quiet(x.data):
            return xp(x).sqrt(_real(x))

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.output * 2)


class Abs(Function):
    """d |x| = sign(x) dx  (0 at x = 0, as PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp(x).abs(x.data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sign()


class Sign(Function):
    """d sign(x) = 0 almost everywhere"""

    @staticmethod
    def forward(ctx, x):
        return xp(x).sign(x.data)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Sin(Function):
    """d sin(x) = cos(x) dx"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp(x).sin(_real(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos()


class Cos(Function):
    """d cos(x) = -sin(x) dx"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp(x).cos(_real(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * x.sin()


class Erf(Function):
    """d erf(x) = 2/sqrt(pi) exp(-x^2) dx"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(xp(x), _real(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (-(x * x)).exp() * (2 / math.sqrt(math.pi))


class Clip(Function):
    """d clip(x, lo, hi) = dx where lo <= x <= hi, else 0 (bounds inclusive, as torch.clamp)"""

    @staticmethod
    def forward(ctx, x, *, min, max):  # noqa: A002
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        out = x.data
        if min is not None:
            out = xp(x).maximum(out, x.data.dtype.type(min))
        if max is not None:
            out = xp(x).minimum(out, x.data.dtype.type(max))
        return out if out is not x.data else out.copy()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = x.data == x.data
        if lo is not None:
            inside &= x.data >= lo
        if hi is not None:
            inside &= x.data <= hi
        return where(Tensor._make(inside), g, 0.0)


class Maximum(Function):
    """d max(x, y) = dx where x > y, dy where y > x, and half of each at ties (as PyTorch)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return xp(x).maximum(x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _split_ties(g, x.data > y.data, x.data == y.data, ctx.needs_input_grad)


class Minimum(Function):
    """d min(x, y) = dx where x < y, dy where y < x, and half of each at ties (as PyTorch)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return xp(x).minimum(x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _split_ties(g, x.data < y.data, x.data == y.data, ctx.needs_input_grad)


def _split_ties(g: Tensor, x_wins: Any, tie: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    """Route ``g`` to the winning input; ties give each input half."""
    half = g * 0.5
    gx = where(Tensor._make(x_wins), g, where(Tensor._make(tie), half, 0.0)) if needs[0] else None
    y_wins = ~(x_wins | tie)
    gy = where(Tensor._make(y_wins), g, where(Tensor._make(tie), half, 0.0)) if needs[1] else None
    return gx, gy


class Where(Function):
    """d where(c, x, y) = dx where c, dy elsewhere (the condition has no gradient)"""

    @staticmethod
    def forward(ctx, x, y, *, condition):
        ctx.condition = condition
        return xp(x).where(condition, x.data, y.data)

    @staticmethod
    def backward(ctx, g):
        c = Tensor._make(ctx.condition)
        gx = where(c, g, 0.0) if ctx.needs_input_grad[0] else None
        gy = where(c, 0.0, g) if ctx.needs_input_grad[1] else None
        return gx, gy


def exp(x: Any) -> Tensor:
    """Elementwise e**x."""
    return Exp.apply(x)


def log(x: Any) -> Tensor:
    """Elementwise natural logarithm (NaN for x < 0, -inf at 0)."""
    return Log.apply(x)


def log1p(x: Any) -> Tensor:
    """Elementwise log(1 + x), accurate for small x."""
    return Log1p.apply(x)


def expm1(x: Any) -> Tensor:
    """Elementwise exp(x) - 1, accurate for small x."""
    return Expm1.apply(x)


def sqrt(x: Any) -> Tensor:
    """Elementwise square root."""
    return Sqrt.apply(x)


def abs(x: Any) -> Tensor:  # noqa: A001
    """Elementwise absolute value."""
    return Abs.apply(x)


def sign(x: Any) -> Tensor:
    """Elementwise sign: -1, 0 or 1."""
    return Sign.apply(x)


def sin(x: Any) -> Tensor:
    """Elementwise sine."""
    return Sin.apply(x)


def cos(x: Any) -> Tensor:
    """Elementwise cosine."""
    return Cos.apply(x)


def erf(x: Any) -> Tensor:
    """Elementwise error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt."""
    return Erf.apply(x)


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit values to [min, max] (either bound may be None), as ``torch.clamp``."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    return Clip.apply(x, min=min, max=max)


clamp = clip


def maximum(x: Any, y: Any) -> Tensor:
    """Elementwise maximum of two tensors (ties share the gradient)."""
    return Maximum.apply(x, y)


def minimum(x: Any, y: Any) -> Tensor:
    """Elementwise minimum of two tensors (ties share the gradient)."""
    return Minimum.apply(x, y)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` is true, else ``y`` (broadcast together)."""
    tensors = [t for t in (condition, x, y) if isinstance(t, Tensor)]
    home = common_backend("where", tensors)
    cond = condition.data if isinstance(condition, Tensor) else backend.asarray(condition, backend=home)
    if cond.dtype.kind != "b":
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    return Where.apply(x, y, condition=cond)
