"""Shape ops: reshape, permute, broadcast, and the wrappers built on them.

Four ops carry every shape change; view, flatten, squeeze and unsqueeze are
reshapes, transpose and swapaxes are permutations, expand is a broadcast.
``sum_to`` (the reverse of broadcasting) is the backward of ``broadcast_to``.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..function import Function, xp
from ..tensor import Tensor

__all__ = [
    "reshape", "view", "flatten", "permute", "transpose", "swapaxes", "squeeze",
    "unsqueeze", "expand", "broadcast_to", "sum_to",
]


def _dims(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _axis(op: str, axis: int, ndim: int) -> int:
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise TypeError(f"{op}: dimension must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: dimension {axis} is out of range for a tensor with {ndim} dimensions")
    return axis % ndim


class Reshape(Function):
    """The gradient of a reshape is the gradient reshaped back"""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Function):
    """The gradient of a permutation is the gradient permuted back"""

    @staticmethod
    def forward(ctx, x, *, dims):
        ctx.dims = dims
        return x.data.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return g.permute(*inverse)


class BroadcastTo(Function):
    """The gradient of a broadcast is summed over the broadcast axes"""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return xp(x).broadcast_to(x.data, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to(ctx.in_shape)


class SumTo(Function):
    """Sum over broadcast axes down to ``shape``; its gradient is broadcast back"""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return backend.sum_to(x.data, shape)

    @staticmethod
    def backward(ctx, g):
        return g.broadcast_to(ctx.in_shape)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one size may be -1)."""
    dims = _dims(shape)
    if dims == x.shape:
        return x if not x.requires_grad else Reshape.apply(x, shape=dims)
    return Reshape.apply(x, shape=dims)


view = reshape


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one."""
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = _axis("flatten", start_dim, x.ndim), _axis("flatten", end_dim, x.ndim)
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, x.shape[:s] + (-1,) + x.shape[e + 1:])


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Reorder the dimensions: output dimension i is input dimension ``dims[i]``."""
    order = tuple(_axis("permute", d, x.ndim) for d in _dims(dims))
    if sorted(order) != list(range(x.ndim)):
        raise ValueError(f"permute: {_dims(dims)} is not a permutation of the {x.ndim} dimensions of shape {x.shape}")
    return Permute.apply(x, dims=order)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (as ``torch.transpose``)."""
    order = list(range(x.ndim))
    a, b = _axis("transpose", dim0, x.ndim), _axis("transpose", dim1, x.ndim)
    order[a], order[b] = order[b], order[a]
    return Permute.apply(x, dims=tuple(order))


swapaxes = transpose


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dimensions (all, or those of ``dim`` that have size 1, as PyTorch)."""
    if dim is None:
        drop = {i for i, n in enumerate(x.shape) if n == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        drop = {i for i in (_axis("squeeze", d, max(x.ndim, 1)) for d in dims) if x.ndim and x.shape[i] == 1}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in drop))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at position ``dim``."""
    d = _axis("unsqueeze", dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def broadcast_to(x: Tensor, *shape: Any) -> Tensor:
    """A read-only view of ``x`` broadcast to ``shape`` (NumPy rules)."""
    dims = _dims(shape)
    if dims == x.shape:
        return x
    return BroadcastTo.apply(x, shape=dims)


def expand(x: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes``; -1 keeps a dimension's size (as ``torch.expand``)."""
    dims = _dims(sizes)
    lead = len(dims) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(dims)} sizes given for a tensor with {x.ndim} dimensions")
    target = []
    for i, n in enumerate(dims):
        if n == -1:
            if i < lead:
                raise ValueError(f"expand: -1 is not allowed for a new leading dimension ({dims})")
            n = x.shape[i - lead]
        target.append(n)
    return broadcast_to(x, tuple(target))


def sum_to(x: Tensor, *shape: Any) -> Tensor:
    """Sum ``x`` down to ``shape``, the reverse of broadcasting ``shape`` to ``x.shape``."""
    dims = _dims(shape)
    if dims == x.shape:
        return x
    return SumTo.apply(x, shape=dims)
