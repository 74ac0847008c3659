"""softmax, log_softmax and logsumexp: stable forms that subtract the maximum first."""

from __future__ import annotations

from typing import Any

from .. import backend
from ..function import Function, xp
from ..tensor import Tensor
from .reduce import _kept_shape, _options, normalize_axes

__all__ = ["softmax", "log_softmax", "logsumexp"]


def _shifted_lse(m: Any, a: Any, axes: Any) -> tuple[Any, Any]:
    """(top, log(sum(exp(a - top)))) over ``axes`` with keepdims, top the (finite) maximum."""
    top = a.max(axis=axes, keepdims=True)
    top = m.where(m.isfinite(top), top, 0)
    with backend.quiet(a):
        return top, m.log(m.exp(a - top).sum(axis=axes, keepdims=True))


def _stable_lse(m: Any, a: Any, axes: Any) -> Any:
    """log(sum(exp(a))) over ``axes`` with keepdims, exact for large |a|."""
    top, rest = _shifted_lse(m, a, axes)
    return rest + top


class Softmax(Function):
    """s = exp(x) / sum(exp(x));  ds = s * (dx - sum(s dx))"""

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, axis):
        ctx.axis = axis
        m = xp(x)
        with backend.quiet(x.data):
            e = m.exp(x.data - x.data.max(axis=axis, keepdims=True))
            return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        s = ctx.output
        return s * (g - (g * s).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - logsumexp(x);  dy = dx - softmax(x) sum(dx)"""

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, axis):
        ctx.axis = axis
        top, rest = _shifted_lse(xp(x), x.data, axis)
        return (x.data - top) - rest  # subtract the large parts first: exact for big logits

    @staticmethod
    def backward(ctx, g):
        return g - ctx.output.exp() * g.sum(axis=ctx.axis, keepdims=True)


class LogSumExp(Function):
    """y = log(sum(exp(x)));  dy = sum(softmax(x) dx)"""

    name = "logsumexp"

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.save_for_backward(x)
        ctx.axes = axes
        out = _stable_lse(xp(x), x.data, axes)
        return out if keepdims else out.reshape(tuple(n for i, n in enumerate(out.shape) if axes is not None and i not in axes))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        kept = _kept_shape(x.shape, ctx.axes)
        return g.reshape(kept) * (x - ctx.output.reshape(kept)).exp()


def _one_axis(op: str, x: Tensor, axis: Any) -> int | None:
    axes = normalize_axes(op, axis, x.ndim)
    if axes is None:
        return None
    if len(axes) != 1:
        raise ValueError(f"{op}: axis must be a single int, got {axis!r}")
    return axes[0]


def softmax(x: Any, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis`` (default: the last)."""
    axis, _ = _options(None if dim is not None else axis, False, dim, None)
    x = x if isinstance(x, Tensor) else Tensor(x)
    return Softmax.apply(x, axis=_one_axis("softmax", x, axis))


def log_softmax(x: Any, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """log(softmax(x)) along ``axis``, computed stably as x - logsumexp(x)."""
    axis, _ = _options(None if dim is not None else axis, False, dim, None)
    x = x if isinstance(x, Tensor) else Tensor(x)
    return LogSoftmax.apply(x, axis=_one_axis("log_softmax", x, axis))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``axis``, stable for large inputs."""
    axis, keepdims = _options(axis, keepdims, dim, keepdim)
    x = x if isinstance(x, Tensor) else Tensor(x)
    return LogSumExp.apply(x, axes=normalize_axes("logsumexp", axis, x.ndim), keepdims=keepdims)
