"""Reductions: sum, mean, var, std, max, min, prod, argmax, argmin.

Every reduction takes ``axis`` (int, tuple or None) and ``keepdims``, and
also PyTorch's spellings ``dim`` and ``keepdim``. The backward of a reduction
reshapes the upstream gradient to keep the reduced axes (size 1) and
broadcasts it back over them.
"""

from __future__ import annotations

import builtins
from typing import Any

from .. import backend, dtypes
from ..function import Function, xp
from ..tensor import Tensor

__all__ = ["sum", "mean", "var", "std", "max", "min", "amax", "amin", "prod", "argmax", "argmin", "normalize_axes"]


def normalize_axes(op: str, axis: Any, ndim: int) -> tuple[int, ...] | None:
    """Check ``axis`` against ``ndim`` and return it as a sorted tuple of non-negative ints."""
    if axis is None:
        return None
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in items:
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % builtins.max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return tuple(sorted(out)) if ndim else None


def _options(axis: Any, keepdims: bool, dim: Any, keepdim: bool | None) -> tuple[Any, bool]:
    """Merge NumPy's (axis, keepdims) and PyTorch's (dim, keepdim) spellings."""
    if dim is not None:
        if axis is not None:
            raise TypeError("give either axis or dim, not both")
        axis = dim
    return axis, keepdims if keepdim is None else keepdim


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced axes set to 1."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g: Any, shape: tuple[int, ...], axes: tuple[int, ...] | None, scale: float = 1.0) -> Any:
    """The upstream gradient of a reduction (times ``scale``) copied back over the reduced axes.

    On a Tensor this is the op Spread (so it can be differentiated again); on an
    array, in a backward that runs on arrays, it is Spread's array math itself.
    """
    if isinstance(g, Tensor):
        return Spread.apply(g, shape=shape, axes=axes, scale=scale)
    return _spread_array(g, shape, axes, scale)


def _spread_array(g: Any, shape: tuple[int, ...], axes: tuple[int, ...] | None, scale: float) -> Any:
    out = backend.module_of(g).empty(shape, dtype=g.dtype)
    src = g.reshape(_kept_shape(shape, axes))
    out[...] = src if scale == 1.0 else src * g.dtype.type(scale)
    return out


class Spread(Function):
    """g (times a constant) copied back over the reduced axes: the backward of sum and mean, as one op"""

    @staticmethod
    def forward(ctx, g, *, shape, axes, scale):
        ctx.axes, ctx.scale, ctx.g_shape = axes, scale, g.shape
        return _spread_array(g.data, shape, axes, scale)

    @staticmethod
    def backward(ctx, gg):
        total = gg.sum(axis=ctx.axes, keepdims=True).reshape(ctx.g_shape)
        return total if ctx.scale == 1.0 else total * ctx.scale


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    n = 1
    for i, size in enumerate(shape):
        if axes is None or i in axes:
            n *= size
    return n


def _need_float(op: str, x: Tensor) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point tensor, got dtype {x.dtype} (use .astype(mg.float32))")


class Sum(Function):
    """d sum(x) = sum(dx): the gradient is broadcast back over the summed axes"""

    on_arrays = True  # _spread works on arrays too

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.shape, ctx.axes = x.shape, axes
        dtype = dtypes.int64 if x.data.dtype.kind in "biu" else None
        return x.data.sum(axis=axes, keepdims=keepdims, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return _spread(g, ctx.shape, ctx.axes)


class Mean(Function):
    """mean(x) = sum(x) / n;  d mean(x) = sum(dx) / n"""

    on_arrays = True  # _spread works on arrays too

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.shape, ctx.axes = x.shape, axes
        # NumPy's own mean computes exactly this, with a few microseconds of Python around it;
        # an empty mean is 0 / 0 = nan, quietly (minigrad's floating-point warnings are off)
        return x.data.sum(axis=axes, keepdims=keepdims) / _count(x.shape, axes)

    @staticmethod
    def backward(ctx, g):
        n = _count(ctx.shape, ctx.axes)
        return _spread(g, ctx.shape, ctx.axes, 1.0 / n if n else float("nan"))


class Var(Function):
    """var(x) = sum((x - mean)^2) / (n - correction);  d = 2 (x - mean) dx / (n - correction)"""

    @staticmethod
    def forward(ctx, x, *, axes, keepdims, correction):
        ctx.save_for_backward(x)
        ctx.axes, ctx.correction = axes, correction
        with backend.quiet(x.data):
            m = x.data.mean(axis=axes, keepdims=True)
            d = x.data - m
            dof = builtins.max(_count(x.shape, axes) - correction, 0)
            return (d * d).sum(axis=axes, keepdims=keepdims) / x.data.dtype.type(dof)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        dof = _count(x.shape, ctx.axes) - ctx.correction
        centred = x - x.mean(axis=ctx.axes, keepdims=True)
        return _spread(g, x.shape, ctx.axes) * centred * (2.0 / dof if dof > 0 else float("inf"))


class Std(Function):
    """std(x) = sqrt(var(x));  d = (x - mean) dx / ((n - correction) std), 0 where std = 0 (as PyTorch)"""

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, axes, keepdims, correction):
        ctx.save_for_backward(x)
        ctx.axes, ctx.correction = axes, correction
        with backend.quiet(x.data):
            return xp(x).sqrt(Var.forward(ctx, x, axes=axes, keepdims=keepdims, correction=correction))

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where

        s = ctx.output
        return Var.backward(ctx, where(s == 0, 0.0, g / (s * 2)))


class Amax(Function):
    """d max(x) = dx at the maximum; tied maxima share it equally (as torch.amax)"""

    name = "max"

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.save_for_backward(x)
        ctx.axes = axes
        out = x.data.max(axis=axes, keepdims=True)
        ctx.winners = _share(x.data, out, axes)
        return out if keepdims else out.reshape(_drop(x.shape, axes))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _spread(g, x.shape, ctx.axes) * Tensor._make(ctx.winners)


class Amin(Amax):
    """d min(x) = dx at the minimum; tied minima share it equally (as torch.amin)"""

    name = "min"

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.save_for_backward(x)
        ctx.axes = axes
        out = x.data.min(axis=axes, keepdims=True)
        ctx.winners = _share(x.data, out, axes)
        return out if keepdims else out.reshape(_drop(x.shape, axes))


def _share(data: Any, extreme: Any, axes: tuple[int, ...] | None) -> Any:
    """Weights 1/k on the k elements equal to the extreme of their slice, 0 elsewhere."""
    hit = data == extreme
    weights = hit / hit.sum(axis=axes, keepdims=True)
    return weights.astype(data.dtype) if data.dtype.kind == "f" else weights


def _drop(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


class Prod(Function):
    """d prod(x) = sum_i (prod_{j != i} x_j) dx_i

    Where no element of a slice is 0 the product of the others is
    prod(x) / x_i (differentiable again); otherwise it is computed exactly
    from exclusive running products, treated as a constant.
    """

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.save_for_backward(x)
        ctx.axes = axes
        dtype = dtypes.int64 if x.data.dtype.kind in "biu" else None
        return x.data.prod(axis=axes, keepdims=keepdims, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        spread = _spread(g, x.shape, ctx.axes)
        if not (x.data == 0).any():
            return spread * x.prod(axis=ctx.axes, keepdims=True) / x
        return spread * Tensor._make(_product_of_others(xp(x), x.data, ctx.axes))


def _product_of_others(m: Any, data: Any, axes: tuple[int, ...] | None) -> Any:
    """For each element, the product of the other elements of its slice (exact with zeros)."""
    axes = tuple(range(data.ndim)) if axes is None else axes
    rest = [i for i in range(data.ndim) if i not in axes]
    moved = m.transpose(data, rest + list(axes))
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    ones = m.ones(flat.shape[:-1] + (1,), dtype=data.dtype)
    before = m.cumprod(m.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = m.flip(m.cumprod(m.flip(m.concatenate([flat[..., 1:], ones], axis=-1), axis=-1), axis=-1), axis=-1)
    others = (before * after).reshape(moved.shape)
    return m.transpose(others, list(_inverse(rest + list(axes))))


def _inverse(perm: list[int]) -> list[int]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def _reduce(cls: type[Function], name: str, x: Any, axis: Any, keepdims: bool, dim: Any, keepdim: Any, **kw: Any) -> Tensor:
    axis, keepdims = _options(axis, keepdims, dim, keepdim)
    x = x if isinstance(x, Tensor) else Tensor(x)
    return cls.apply(x, axes=normalize_axes(name, axis, x.ndim), keepdims=keepdims, **kw)


def sum(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes if None); integers and bools sum to int64."""
    return _reduce(Sum, "sum", x, axis, keepdims, dim, keepdim)


def mean(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Arithmetic mean over ``axis`` (floating-point tensors only, as PyTorch)."""
    if isinstance(x, Tensor):
        _need_float("mean", x)
    return _reduce(Mean, "mean", x, axis, keepdims, dim, keepdim)


def var(
    x: Any, axis: Any = None, keepdims: bool = False, *, correction: int = 1, dim: Any = None, keepdim: bool | None = None
) -> Tensor:
    """Variance over ``axis``: sum((x - mean)^2) / (n - correction); unbiased by default."""
    if isinstance(x, Tensor):
        _need_float("var", x)
    return _reduce(Var, "var", x, axis, keepdims, dim, keepdim, correction=correction)


def std(
    x: Any, axis: Any = None, keepdims: bool = False, *, correction: int = 1, dim: Any = None, keepdim: bool | None = None
) -> Tensor:
    """Standard deviation sqrt(var(x)); unbiased by default. Its gradient is 0 where it is 0."""
    if isinstance(x, Tensor):
        _need_float("std", x)
    return _reduce(Std, "std", x, axis, keepdims, dim, keepdim, correction=correction)


def amax(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Largest value over ``axis`` (values only; use ``argmax`` for indices)."""
    return _reduce(Amax, "max", _nonempty("max", x), axis, keepdims, dim, keepdim)


def amin(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Smallest value over ``axis`` (values only; use ``argmin`` for indices)."""
    return _reduce(Amin, "min", _nonempty("min", x), axis, keepdims, dim, keepdim)


max = amax  # noqa: A001
min = amin  # noqa: A001


def _nonempty(op: str, x: Any) -> Any:
    if isinstance(x, Tensor) and x.size == 0:
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {x.shape}")
    return x


def prod(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Product over ``axis``."""
    return _reduce(Prod, "prod", x, axis, keepdims, dim, keepdim)


def _arg(name: str, x: Tensor, axis: Any, keepdims: bool, dim: Any, keepdim: Any) -> Tensor:
    axis, keepdims = _options(axis, keepdims, dim, keepdim)
    if x.size == 0:
        raise ValueError(f"{name}: cannot reduce an empty tensor of shape {x.shape}")
    axes = normalize_axes(name, axis, x.ndim)
    if axes is not None and len(axes) != 1:
        raise ValueError(f"{name}: axis must be a single int or None, got {axis!r}")
    fn = getattr(xp(x), name)
    out = fn(x.data, axis=None if axes is None else axes[0], keepdims=keepdims)
    return Tensor._make(out.astype(dtypes.int64))


def argmax(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Index of the largest value (first one at ties); of the flattened tensor if axis is None."""
    return _arg("argmax", x, axis, keepdims, dim, keepdim)


def argmin(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Index of the smallest value (first one at ties); of the flattened tensor if axis is None."""
    return _arg("argmin", x, axis, keepdims, dim, keepdim)
