"""Indexing: ``t[index]`` (basic, integer-array and boolean), gather, scatter_add, one_hot.

The gradient of reading ``x[index]`` is the upstream gradient scattered into
zeros at ``index``, adding where an index repeats; the gradient of that
scatter is reading at ``index`` again. gather and scatter_add are the same
pair along one dimension.
"""

from __future__ import annotations

from typing import Any

from .. import backend, dtypes
from ..function import Function, xp
from ..tensor import Tensor

__all__ = ["getitem", "setitem", "gather", "scatter_add", "one_hot"]

_BASIC = (int, slice, type(None), type(Ellipsis))


def normalize_index(index: Any, x: Tensor) -> Any:
    """Tensors inside an index become their arrays, lists and bools arrays on the backend of ``x`` (the indexed tensor)."""
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p.data
        elif isinstance(p, (list, bool)):
            p = backend.asarray(p, backend=x.backend)
        out.append(p)
    return tuple(out)


def _is_basic(index: tuple[Any, ...]) -> bool:
    return all(isinstance(p, _BASIC) and not isinstance(p, bool) for p in index)


class GetItem(Function):
    """d x[index] = the gradient placed at ``index`` in zeros (repeats add up)"""

    name = "getitem"

    @staticmethod
    def forward(ctx, x, *, index):
        ctx.shape, ctx.index = x.shape, index
        return x.data[index]

    @staticmethod
    def backward(ctx, g):
        return IndexScatter.apply(g, index=ctx.index, shape=ctx.shape)


class IndexScatter(Function):
    """out = zeros(shape); out[index] += g.  Its gradient reads ``index`` back"""

    @staticmethod
    def forward(ctx, g, *, index, shape):
        ctx.index = index
        out = xp(g).zeros(shape, dtype=g.data.dtype)
        if _is_basic(index):
            out[index] = g.data
        else:
            backend.index_add(out, index, g.data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return GetItem.apply(gg, index=ctx.index)


class SetItem(Function):
    """out = x with out[index] = v;  dx = g with zeros at index, dv = g[index]"""

    name = "setitem"

    @staticmethod
    def forward(ctx, x, v, *, index):
        ctx.index = index
        out = x.data.copy()
        out[index] = v.data
        return out

    @staticmethod
    def backward(ctx, g):
        gx = SetItem.apply(g, 0.0, index=ctx.index) if ctx.needs_input_grad[0] else None
        gv = GetItem.apply(g, index=ctx.index) if ctx.needs_input_grad[1] else None
        return gx, gv


def _positions(m: Any, index: Any, dim: int) -> tuple[Any, ...]:
    """The full index tuple of every element of ``index`` with ``index`` along ``dim``."""
    ndim = index.ndim
    grid = [m.arange(n).reshape([n if k == axis else 1 for k in range(ndim)]) for axis, n in enumerate(index.shape)]
    grid[dim] = index  # the other axes broadcast against it (CuPy's indices() has no sparse=)
    return tuple(grid)


class Gather(Function):
    """out[i][j] = x[index[i][j]][j] (for dim 0);  dx = scatter_add of g at the same places"""

    @staticmethod
    def forward(ctx, x, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return x.data[_positions(xp(x), index, dim)]

    @staticmethod
    def backward(ctx, g):
        zeros = Tensor._make(xp(g).zeros(ctx.shape, dtype=g.dtype))
        return ScatterAdd.apply(zeros, g, dim=ctx.dim, index=ctx.index)


class ScatterAdd(Function):
    """out = x, then out[index[i][j]][j] += src[i][j] (for dim 0);  dx = g, dsrc = gather(g)"""

    @staticmethod
    def forward(ctx, x, src, *, dim, index):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = x.data.copy()
        crop = tuple(slice(0, n) for n in index.shape)
        backend.index_add(out, _positions(xp(x), index, dim), src.data[crop])
        return out

    @staticmethod
    def backward(ctx, g):
        gsrc = None
        if ctx.needs_input_grad[1]:
            gsrc = Gather.apply(g, dim=ctx.dim, index=ctx.index)
            if gsrc.shape != ctx.src_shape:
                gsrc = gsrc.pad([w for lo, hi in reversed(list(zip(gsrc.shape, ctx.src_shape))) for w in (0, hi - lo)])
        return g, gsrc


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]``: basic slicing, integer arrays and boolean masks, as NumPy."""
    return GetItem.apply(x, index=normalize_index(index, x))


def setitem(x: Tensor, index: Any, value: Any) -> Tensor:
    """A copy of ``x`` with ``x[index] = value`` (differentiable in both)."""
    return SetItem.apply(x, value, index=normalize_index(index, x))


def _check_index(op: str, x: Tensor, dim: int, index: Any, other: tuple[int, ...] | None = None) -> tuple[int, Any]:
    from .shape import _axis

    idx = index.data if isinstance(index, Tensor) else backend.asarray(index, backend=x.backend)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got dtype {idx.dtype}")
    d = _axis(op, dim, max(x.ndim, 1))
    if idx.ndim != x.ndim:
        raise ValueError(f"{op}: index has {idx.ndim} dimensions but the input has {x.ndim} (shapes {idx.shape} and {x.shape})")
    limit = other if other is not None else x.shape
    if any(n > m for i, (n, m) in enumerate(zip(idx.shape, limit)) if i != d):
        raise ValueError(f"{op}: index shape {idx.shape} is larger than {limit} outside dimension {d}")
    if idx.size and bool(((idx < 0) | (idx >= x.shape[d])).any()):  # one read from the device
        raise ValueError(
            f"{op}: index values must lie in [0, {x.shape[d]}) for dimension {d} of shape {x.shape}, "
            f"got range [{int(idx.min())}, {int(idx.max())}]"
        )
    return d, idx.astype(dtypes.int64, copy=False)


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """Pick values along ``dim`` at ``index`` (same rank as ``x``), as ``torch.gather``."""
    d, idx = _check_index("gather", x, dim, index)
    return Gather.apply(x, dim=d, index=idx)


def scatter_add(x: Any, dim: int, index: Any, src: Any) -> Tensor:
    """A copy of ``x`` with ``src`` added at ``index`` along ``dim``, as ``torch.scatter_add``."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    src = src if isinstance(src, Tensor) else Tensor(src, dtype=x.dtype)
    d, idx = _check_index("scatter_add", x, dim, index, src.shape)
    return ScatterAdd.apply(x, src, dim=d, index=idx)


def one_hot(indices: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with a new last axis of size ``num_classes`` (as PyTorch)."""
    idx = indices.data if isinstance(indices, Tensor) else backend.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: indices must be integers, got dtype {idx.dtype}")
    m = backend.module_of(idx)
    top = int(idx.max()) if idx.size else -1
    if idx.size and int(idx.min()) < 0:
        raise ValueError(f"one_hot: indices must be non-negative, got {int(idx.min())}")
    n = top + 1 if num_classes == -1 else num_classes
    if top >= n:
        raise ValueError(f"one_hot: index {top} is out of range for num_classes={n}")
    return Tensor._make((idx[..., None] == m.arange(n)).astype(dtypes.int64))
