"""Ops that move blocks of elements: concatenate, stack, split, pad, flip, repeat, tile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..function import Function, xp
from ..tensor import Tensor
from .shape import _axis

__all__ = ["concatenate", "cat", "stack", "split", "pad", "flip", "repeat", "tile"]


class Concatenate(Function):
    """The gradient of a concatenation is split back into the pieces"""

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis, ctx.sizes = axis, [x.shape[axis] for x in xs]
        return xp(xs[0]).concatenate([x.data for x in xs], axis=axis)

    @staticmethod
    def backward(ctx, g):
        return Split.apply(g, sizes=ctx.sizes, axis=ctx.axis)


class Split(Function):
    """The gradient of a split is the pieces' gradients concatenated"""

    @staticmethod
    def forward(ctx, x, *, sizes, axis):
        ctx.axis = axis
        bounds, start = [], 0
        for n in sizes:
            bounds.append((start, start + n))
            start += n
        index = [slice(None)] * x.ndim
        pieces = []
        for lo, hi in bounds:
            index[axis] = slice(lo, hi)
            pieces.append(x.data[tuple(index)])
        return tuple(pieces)

    @staticmethod
    def backward(ctx, *gs):
        return Concatenate.apply(*gs, axis=ctx.axis)


class Stack(Function):
    """The gradient of a stack is the slices of the gradient along the new axis"""

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        return xp(xs[0]).stack([x.data for x in xs], axis=axis)

    @staticmethod
    def backward(ctx, g):
        pieces = Split.apply(g, sizes=[1] * g.shape[ctx.axis], axis=ctx.axis)
        pieces = pieces if isinstance(pieces, tuple) else (pieces,)
        return tuple(p.squeeze(ctx.axis) for p in pieces)


class Pad(Function):
    """The gradient of constant padding is the gradient with the padding cut off"""

    @staticmethod
    def forward(ctx, x, *, widths, value):
        ctx.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return xp(x).pad(x.data, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.inner]


class Flip(Function):
    """The gradient of a flip is the gradient flipped back"""

    @staticmethod
    def forward(ctx, x, *, axes):
        ctx.axes = axes
        return xp(x).flip(x.data, axis=axes)

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.axes)


class Tile(Function):
    """out = x repeated reps[i] times along axis i;  the gradient sums the copies"""

    @staticmethod
    def forward(ctx, x, *, reps):
        ctx.in_shape = x.shape
        return xp(x).tile(x.data, reps)

    @staticmethod
    def backward(ctx, g):
        shape = ctx.in_shape
        lead = g.ndim - len(shape)
        blocks = g.shape[:lead]
        split = []
        for r, n in zip(g.shape[lead:], shape):
            split += [r // n if n else 0, n]
        g2 = g.reshape(blocks + tuple(split))
        copy_axes = tuple(range(lead)) + tuple(lead + 2 * i for i in range(len(shape)))
        return g2.sum(axis=copy_axes)


def _to_tensors(op: str, tensors: Sequence[Any]) -> list[Any]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors")
    if not tensors:
        raise ValueError(f"{op}: expected at least one tensor")
    return list(tensors)


def _check_same(op: str, xs: list[Any], axis: int | None) -> None:
    shapes = [x.shape for x in xs]
    ndims = {len(s) for s in shapes}
    if len(ndims) != 1:
        raise ValueError(f"{op}: all tensors need the same number of dimensions, got shapes {shapes}")
    for s in shapes[1:]:
        if any(a != b for i, (a, b) in enumerate(zip(s, shapes[0])) if i != axis):
            what = "except along axis " + str(axis) if axis is not None else "exactly"
            raise ValueError(f"{op}: shapes must match {what}, got {shapes}")


def concatenate(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis."""
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in _to_tensors("concatenate", tensors)]
    a = _axis("concatenate", axis if dim is None else dim, max(xs[0].ndim, 1))
    _check_same("concatenate", xs, a)
    return Concatenate.apply(*xs, axis=a)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in _to_tensors("stack", tensors)]
    a = _axis("stack", axis if dim is None else dim, xs[0].ndim + 1)
    _check_same("stack", xs, None)
    return Stack.apply(*xs, axis=a)


def split(x: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Split into chunks of a given size (the last may be smaller) or of the listed sizes (as PyTorch)."""
    axis = _axis("split", dim, x.ndim)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: chunk size must be positive, got {size}")
        sizes = [min(size, n - i) for i in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(
                f"split: sizes {sizes} must be non-negative and sum to {n}, the size of dimension {dim} of shape {x.shape}"
            )
    pieces = Split.apply(x, sizes=sizes, axis=axis)
    return pieces if isinstance(pieces, tuple) else (pieces,)


def pad(x: Tensor, pad: Sequence[int], value: float = 0.0) -> Tensor:
    """Constant padding, as ``torch.nn.functional.pad``.

    ``pad`` lists (before, after) pairs starting from the last dimension:
    ``(1, 2)`` pads the last dimension by 1 before and 2 after.
    """
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected an even number of at most {2 * x.ndim} widths for shape {x.shape}, got {pad}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: widths must be non-negative, got {pad}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return Pad.apply(x, widths=tuple(widths), value=value)


def flip(x: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along ``dims``."""
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return Flip.apply(x, axes=tuple(_axis("flip", d, x.ndim) for d in dims))


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile ``x``: ``sizes[i]`` copies along dimension i (as ``torch.Tensor.repeat``)."""
    reps = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: need at least {x.ndim} sizes for shape {x.shape}, got {reps}")
    return tile(x, reps)


def tile(x: Tensor, reps: Any) -> Tensor:
    """Tile ``x`` ``reps`` times per dimension (as ``numpy.tile`` / ``torch.tile``)."""
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    if any(int(r) != r or r < 0 for r in reps):
        raise ValueError(f"tile: repetitions must be non-negative integers, got {reps}")
    return Tile.apply(x, reps=tuple(int(r) for r in reps))
