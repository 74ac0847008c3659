"""Entries for the core op library (minigrad/ops)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.ops import (
    activation as act,
)
from minigrad.ops import (
    arithmetic as ar,
)
from minigrad.ops import (
    convert as cv,
)
from minigrad.ops import (
    elementwise as el,
)
from minigrad.ops import (
    indexing as ix,
)
from minigrad.ops import (
    layout as lay,
)
from minigrad.ops import (
    linalg as la,
)
from minigrad.ops import (
    reduce as red,
)
from minigrad.ops import (
    shape as sh,
)
from minigrad.ops import (
    softmax_family as sm,
)

from . import OpInfo, axis_st, binary, floats_array, shape_st, unary

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _all_dims(x: Any, axis: Any) -> Any:
    """PyTorch spelling of "reduce over ``axis``" (None: every dim)."""
    return tuple(range(x.ndim)) if axis is None else axis


# ---------------------------------------------------------------- elementwise
def _activation_sample(param: str, values: list[float], away: tuple[float, ...] = (0.0,)) -> Any:
    def sample(draw: Any) -> Any:
        shape = draw(shape_st(min_side=0))
        return [floats_array(draw, shape, -3, 3, away)], {param: draw(st.sampled_from(values))}

    return sample


def _softplus_sample(draw: Any) -> Any:
    beta = draw(st.sampled_from([1.0, 2.0]))
    threshold = draw(st.sampled_from([20.0, 1.0]))
    shape = draw(shape_st(min_side=0))
    return [floats_array(draw, shape, -3, 3, (threshold / beta,))], {"beta": beta, "threshold": threshold}


def _softplus_ref(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    return np.where(x * beta > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _clip_sample(draw: Any) -> Any:
    lo = draw(st.one_of(st.none(), st.sampled_from([-1.0, 0.0])))
    hi = draw(st.one_of(st.none(), st.sampled_from([0.5, 2.0])) if lo is not None else st.sampled_from([0.5, 2.0]))
    shape = draw(shape_st(min_side=0))
    away = tuple(b for b in (lo, hi) if b is not None)
    return [floats_array(draw, shape, -3, 3, away)], {"min": lo, "max": hi}


def _where_sample(draw: Any) -> Any:
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
    x = floats_array(draw, shapes.input_shapes[0])
    y = floats_array(draw, shapes.input_shapes[1])
    cond = draw(hnp.arrays(np.bool_, shapes.input_shapes[2]))
    return [x, y], {"cond": cond}


def _gelu_ref(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def _elu_ref(x: np.ndarray, alpha: float = 1.0, scale: float = 1.0) -> np.ndarray:
    return scale * np.where(x > 0, x, alpha * np.expm1(x))


_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)

ELEMENTWISE = [
    OpInfo("exp", mg.exp, np.exp, unary(), (el.Exp,), lambda T, x: T.exp(x)),
    OpInfo("log", mg.log, np.log, unary(0.1, 5), (el.Log,), lambda T, x: T.log(x)),
    OpInfo("log1p", mg.log1p, np.log1p, unary(-0.9, 5), (el.Log1p,), lambda T, x: T.log1p(x)),
    OpInfo("expm1", mg.expm1, np.expm1, unary(), (el.Expm1,), lambda T, x: T.expm1(x)),
    OpInfo("sqrt", mg.sqrt, np.sqrt, unary(0.1, 5), (el.Sqrt,), lambda T, x: T.sqrt(x)),
    OpInfo("abs", mg.abs, np.abs, unary(away=(0.0,)), (el.Abs,), lambda T, x: T.abs(x)),
    OpInfo("sign", mg.sign, np.sign, unary(away=(0.0,)), (el.Sign,), lambda T, x: T.sign(x)),
    OpInfo("sin", mg.sin, np.sin, unary(), (el.Sin,), lambda T, x: T.sin(x)),
    OpInfo("cos", mg.cos, np.cos, unary(), (el.Cos,), lambda T, x: T.cos(x)),
    OpInfo("erf", mg.erf, _erf, unary(), (el.Erf,), lambda T, x: T.erf(x)),
    OpInfo("neg", mg.neg, np.negative, unary(), (ar.Neg,), lambda T, x: -x),
    OpInfo("tanh", mg.tanh, np.tanh, unary(), (act.Tanh,), lambda T, x: T.tanh(x)),
    OpInfo("sigmoid", mg.sigmoid, _sigmoid, unary(-8, 8), (act.Sigmoid,), lambda T, x: T.sigmoid(x)),
    OpInfo("relu", mg.relu, lambda x: np.maximum(x, 0), unary(away=(0.0,)), (act.Relu,), lambda T, x: T.relu(x)),
    OpInfo("leaky_relu", mg.leaky_relu, lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
           _activation_sample("negative_slope", [0.01, 0.2]), (act.LeakyRelu,),
           lambda T, x, negative_slope: T.nn.functional.leaky_relu(x, negative_slope)),
    OpInfo("elu", mg.elu, _elu_ref, _activation_sample("alpha", [1.0, 0.5]), (act.Elu,),
           lambda T, x, alpha: T.nn.functional.elu(x, alpha)),
    OpInfo("selu", mg.selu, lambda x: _elu_ref(x, *_SELU), unary(away=(0.0,)), (act.Selu,),
           lambda T, x: T.nn.functional.selu(x)),
    OpInfo("gelu", mg.gelu, _gelu_ref, _activation_sample("approximate", ["none", "tanh"], ()), (act.Gelu,),
           lambda T, x, approximate: T.nn.functional.gelu(x, approximate=approximate)),
    OpInfo("silu", mg.silu, lambda x: x * _sigmoid(x), unary(), (act.Silu,), lambda T, x: T.nn.functional.silu(x)),
    OpInfo("softplus", mg.softplus, _softplus_ref, _softplus_sample, (act.Softplus,),
           lambda T, x, beta, threshold: T.nn.functional.softplus(x, beta, threshold)),
    OpInfo("clip", mg.clip, lambda x, min, max: np.clip(x, min, max), _clip_sample, (el.Clip,),
           lambda T, x, min, max: T.clamp(x, min, max)),
    OpInfo("add", mg.add, np.add, binary(), (ar.Add,), lambda T, x, y: x + y),
    OpInfo("sub", mg.sub, np.subtract, binary(), (ar.Sub,), lambda T, x, y: x - y),
    OpInfo("mul", mg.mul, np.multiply, binary(), (ar.Mul,), lambda T, x, y: x * y),
    OpInfo("div", mg.div, np.divide, binary(y_away=(0.0,)), (ar.Div,), lambda T, x, y: x / y),
    OpInfo("pow", mg.pow, np.power, binary(0.2, 3, -2, 2), (ar.Pow,), lambda T, x, y: x**y),
    OpInfo("maximum", mg.maximum, np.maximum, binary(distinct=True), (el.Maximum,), lambda T, x, y: T.maximum(x, y)),
    OpInfo("minimum", mg.minimum, np.minimum, binary(distinct=True), (el.Minimum,), lambda T, x, y: T.minimum(x, y)),
    OpInfo("where", lambda x, y, cond: mg.where(mg.tensor(cond), x, y), lambda x, y, cond: np.where(cond, x, y),
           _where_sample, (el.Where,), lambda T, x, y, cond: T.where(T.tensor(cond), x, y)),
]


# ------------------------------------------------------------------ matmul
@st.composite
def _matmul_shapes(draw: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    m, n, p = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "bmm", "broadcast"]))
    if kind == "vv":
        return (n,), (n,)
    if kind == "mv":
        return (m, n), (n,)
    if kind == "vm":
        return (n,), (n, p)
    if kind == "mm":
        return (m, n), (n, p)
    b = draw(st.integers(1, 3))
    if kind == "bmm":
        return (b, m, n), (b, n, p)
    return (b, 1, m, n), (2, n, p)


def _matmul_sample(draw: Any) -> Any:
    sx, sy = draw(_matmul_shapes())
    return [floats_array(draw, sx), floats_array(draw, sy)], {}


LINALG = [
    OpInfo("matmul", mg.matmul, np.matmul, _matmul_sample, (la.MatMul,), lambda T, x, y: x @ y),
]


# -------------------------------------------------------------- reductions
def _reduce_sample(lo: float = -3, hi: float = 3, distinct: bool = False, correction: bool = False,
                   nonzero: bool = False, spread: bool = False) -> Any:
    def sample(draw: Any) -> Any:
        shape = draw(shape_st(max_side=4))
        x = floats_array(draw, shape, lo, hi)
        if nonzero:
            x = np.sign(x + 1e-9) * (0.5 + np.abs(x) / 3)
        if distinct:
            assume(len(np.unique(np.round(x, 3))) == x.size)
        params = {"axis": axis_st(draw, x.ndim), "keepdims": draw(st.booleans())}
        if correction:
            params["correction"] = draw(st.sampled_from([0, 1]))
            axes = range(x.ndim) if params["axis"] is None else np.atleast_1d(params["axis"])
            assume(int(np.prod([x.shape[a] for a in axes])) > max(params["correction"], 1))
        if spread:  # keep std away from 0, where it is not differentiable
            assume(np.all(np.std(x, axis=params["axis"]) > 0.1))
        return [x], params

    return sample


def _torch_reduce(name: str) -> Any:
    def fn(T: Any, x: Any, axis: Any, keepdims: bool, **kw: Any) -> Any:
        return getattr(T, name)(x, dim=_all_dims(x, axis), keepdim=keepdims, **kw)

    return fn


def _torch_prod(T: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    for a in sorted((a % max(x.ndim, 1) for a in np.atleast_1d(_all_dims(x, axis))), reverse=True):
        x = T.prod(x, dim=int(a), keepdim=keepdims) if x.ndim else x
    return x


def _axis_sample(draw: Any) -> Any:
    shape = draw(shape_st(min_dims=1))
    return [floats_array(draw, shape)], {"axis": draw(st.integers(-len(shape), len(shape) - 1))}


def _spread_sample(draw: Any) -> Any:
    shape = draw(shape_st())
    axes = red.normalize_axes("spread", axis_st(draw, len(shape)), len(shape))
    g_shape = red._drop(shape, axes)
    scale = draw(st.sampled_from([1.0, 0.25]))
    return [floats_array(draw, g_shape)], {"shape": shape, "axes": axes, "scale": scale}


def _np_spread(g: np.ndarray, shape: tuple[int, ...], axes: Any, scale: float) -> np.ndarray:
    return np.broadcast_to(g.reshape(red._kept_shape(shape, axes)), shape) * scale


REDUCTIONS = [
    OpInfo("spread", lambda g, shape, axes, scale: red.Spread.apply(g, shape=shape, axes=axes, scale=scale), _np_spread,
           _spread_sample, (red.Spread,)),
    OpInfo("sum", mg.sum, np.sum, _reduce_sample(), (red.Sum,), _torch_reduce("sum")),
    OpInfo("mean", mg.mean, np.mean, _reduce_sample(), (red.Mean,), _torch_reduce("mean")),
    OpInfo("var", mg.var, lambda x, axis, keepdims, correction: np.var(x, axis=axis, keepdims=keepdims, ddof=correction),
           _reduce_sample(correction=True), (red.Var,), _torch_reduce("var")),
    OpInfo("std", mg.std, lambda x, axis, keepdims, correction: np.std(x, axis=axis, keepdims=keepdims, ddof=correction),
           _reduce_sample(correction=True, spread=True), (red.Std,), _torch_reduce("std")),
    OpInfo("max", mg.max, np.max, _reduce_sample(distinct=True), (red.Amax,), _torch_reduce("amax")),
    OpInfo("min", mg.min, np.min, _reduce_sample(distinct=True), (red.Amin,), _torch_reduce("amin")),
    OpInfo("prod", mg.prod, np.prod, _reduce_sample(nonzero=True), (red.Prod,), _torch_prod),
    OpInfo("logsumexp", mg.logsumexp,
           lambda x, axis, keepdims: np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims)),
           _reduce_sample(), (sm.LogSumExp,), _torch_reduce("logsumexp")),
    OpInfo("softmax", mg.softmax,
           lambda x, axis: np.exp(x) / np.exp(x).sum(axis, keepdims=True),
           _axis_sample, (sm.Softmax,), lambda T, x, axis: T.softmax(x, dim=axis)),
    OpInfo("log_softmax", mg.log_softmax,
           lambda x, axis: x - np.log(np.exp(x).sum(axis, keepdims=True)),
           _axis_sample, (sm.LogSoftmax,), lambda T, x, axis: T.log_softmax(x, dim=axis)),
]


# ------------------------------------------------------------------ shape
def _one(draw: Any, min_dims: int = 0, min_side: int = 1) -> np.ndarray:
    return floats_array(draw, draw(shape_st(min_dims=min_dims, min_side=min_side)))


def _reshape_sample(draw: Any) -> Any:
    x = _one(draw, min_side=0)
    kind = draw(st.sampled_from(["flat", "reverse", "minus_one"]))
    shape = {"flat": (x.size,), "reverse": x.shape[::-1], "minus_one": (-1,) + x.shape[1:] if x.ndim else (-1,)}[kind]
    assume(not (kind == "minus_one" and x.size == 0))
    return [x], {"shape": shape}


def _flatten_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    s = draw(st.integers(0, x.ndim - 1))
    return [x], {"start_dim": s, "end_dim": draw(st.integers(s, x.ndim - 1))}


def _permute_sample(draw: Any) -> Any:
    x = _one(draw)
    return [x], {"dims": tuple(draw(st.permutations(range(x.ndim))))}


def _two_dims_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    return [x], {"dim0": draw(st.integers(-x.ndim, x.ndim - 1)), "dim1": draw(st.integers(-x.ndim, x.ndim - 1))}


def _squeeze_sample(draw: Any) -> Any:
    x = floats_array(draw, draw(shape_st(max_side=2)))
    dim = draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    return [x], {"dim": dim}


def _unsqueeze_sample(draw: Any) -> Any:
    x = _one(draw)
    return [x], {"dim": draw(st.integers(-x.ndim - 1, x.ndim))}


def _expand_sample(draw: Any) -> Any:
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    return [floats_array(draw, shapes.input_shapes[0])], {"shape": shapes.result_shape}


def _sum_to_sample(draw: Any) -> Any:
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    return [floats_array(draw, shapes.result_shape)], {"shape": shapes.input_shapes[0]}


def _join_sample(stacking: bool) -> Any:
    def sample(draw: Any) -> Any:
        base = list(draw(shape_st(min_dims=1)))
        axis = draw(st.integers(-len(base) - stacking, len(base) - 1 + stacking))
        arrays = []
        for _ in range(draw(st.integers(1, 3))):
            shape = list(base)
            if not stacking:
                shape[axis] = draw(st.integers(0, 3))
            arrays.append(floats_array(draw, tuple(shape)))
        return arrays, {"axis": axis}

    return sample


def _split_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[dim]
    if draw(st.booleans()):
        sizes: Any = draw(st.integers(1, n + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    return [x], {"sizes": sizes, "dim": dim}


def _np_split(x: np.ndarray, sizes: Any, dim: int) -> tuple[np.ndarray, ...]:
    n = x.shape[dim]
    if isinstance(sizes, int):
        sizes = [min(sizes, n - i) for i in range(0, n, sizes)]
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=dim))


def _pad_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    k = draw(st.integers(1, x.ndim))
    return [x], {"pad": tuple(draw(st.lists(st.integers(0, 2), min_size=2 * k, max_size=2 * k))),
                 "value": draw(st.sampled_from([0.0, 1.5]))}


def _np_pad(x: np.ndarray, pad: tuple[int, ...], value: float) -> np.ndarray:
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return np.pad(x, widths, constant_values=value)


def _flip_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    return [x], {"dims": tuple(draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True)))}


def _repeat_sample(draw: Any) -> Any:
    x = _one(draw)
    extra = draw(st.integers(0, 1))
    return [x], {"sizes": tuple(draw(st.lists(st.integers(1, 3), min_size=x.ndim + extra, max_size=x.ndim + extra)))}


def _tile_sample(draw: Any) -> Any:
    x = _one(draw)
    return [x], {"reps": tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))}


SHAPE = [
    OpInfo("reshape", lambda x, shape: x.reshape(shape), lambda x, shape: x.reshape(shape), _reshape_sample,
           (sh.Reshape,), lambda T, x, shape: x.reshape(shape)),
    OpInfo("flatten", mg.flatten, lambda x, start_dim, end_dim: x.reshape(x.shape[:start_dim] + (-1,) + x.shape[end_dim + 1:]),
           _flatten_sample, (sh.Reshape,), lambda T, x, start_dim, end_dim: T.flatten(x, start_dim, end_dim)),
    OpInfo("permute", lambda x, dims: x.permute(*dims), lambda x, dims: x.transpose(dims), _permute_sample,
           (sh.Permute,), lambda T, x, dims: x.permute(dims)),
    OpInfo("transpose", mg.transpose, lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1), _two_dims_sample,
           (sh.Permute,), lambda T, x, dim0, dim1: T.transpose(x, dim0, dim1)),
    OpInfo("squeeze", mg.squeeze, None, _squeeze_sample, (sh.Reshape,),
           lambda T, x, dim: T.squeeze(x) if dim is None else T.squeeze(x, dim)),
    OpInfo("unsqueeze", mg.unsqueeze, lambda x, dim: np.expand_dims(x, dim), _unsqueeze_sample, (sh.Reshape,),
           lambda T, x, dim: T.unsqueeze(x, dim)),
    OpInfo("broadcast_to", lambda x, shape: mg.broadcast_to(x, shape), np.broadcast_to, _expand_sample,
           (sh.BroadcastTo, sh.SumTo),
           lambda T, x, shape: x.expand(shape)),
    OpInfo("sum_to", lambda x, shape: x.sum_to(shape), None, _sum_to_sample, (sh.SumTo, sh.BroadcastTo),
           lambda T, x, shape: x.sum_to_size(shape)),
    OpInfo("concatenate", lambda *xs, axis: mg.concatenate(xs, axis), lambda *xs, axis: np.concatenate(xs, axis),
           _join_sample(False), (lay.Concatenate, lay.Split), lambda T, *xs, axis: T.cat(xs, axis)),
    OpInfo("stack", lambda *xs, axis: mg.stack(xs, axis), lambda *xs, axis: np.stack(xs, axis),
           _join_sample(True), (lay.Stack, lay.Split), lambda T, *xs, axis: T.stack(xs, axis)),
    OpInfo("split", lambda x, sizes, dim: mg.split(x, sizes, dim), _np_split, _split_sample, (lay.Split, lay.Concatenate),
           lambda T, x, sizes, dim: T.split(x, sizes, dim)),
    OpInfo("pad", mg.pad, _np_pad, _pad_sample, (lay.Pad,),
           lambda T, x, pad, value: T.nn.functional.pad(x, pad, value=value)),
    OpInfo("flip", mg.flip, lambda x, dims: np.flip(x, dims), _flip_sample, (lay.Flip,),
           lambda T, x, dims: T.flip(x, dims)),
    OpInfo("repeat", lambda x, sizes: x.repeat(*sizes), lambda x, sizes: np.tile(x, sizes), _repeat_sample,
           (lay.Tile,), lambda T, x, sizes: x.repeat(sizes)),
    OpInfo("tile", mg.tile, np.tile, _tile_sample, (lay.Tile,), lambda T, x, reps: T.tile(x, reps)),
]


# --------------------------------------------------------------- indexing
@st.composite
def _basic_index(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    parts: list[Any] = []
    for n in shape[: draw(st.integers(0, len(shape)))]:
        if draw(st.booleans()):
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            start = draw(st.integers(0, n))
            parts.append(slice(start, draw(st.integers(start, n)), draw(st.integers(1, 2))))
    if draw(st.booleans()):
        parts.append(None)
    return tuple(parts)


def _basic_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    return [x], {"index": draw(_basic_index(x.shape))}


def _advanced_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    idx = draw(hnp.arrays(np.int64, draw(shape_st(min_dims=1, max_dims=2)), elements=st.integers(0, x.shape[0] - 1)))
    index: tuple[Any, ...] = (idx,) if draw(st.booleans()) or x.ndim == 1 else (idx, slice(None, None, 1))
    return [x], {"index": index}


def _mask_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    return [x], {"index": (draw(hnp.arrays(np.bool_, x.shape)),)}


def _torch_index(T: Any, index: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(T.tensor(p) if isinstance(p, np.ndarray) else p for p in index)


def _setitem_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    index = draw(_basic_index(x.shape))
    region = x[index].shape
    v_shape = region[draw(st.integers(0, len(region))):]
    return [x, floats_array(draw, v_shape)], {"index": index}


def _setitem(x: Any, v: Any, index: Any) -> Any:
    y = x * 1
    y[index] = v
    return y


def _np_setitem(x: np.ndarray, v: np.ndarray, index: Any) -> np.ndarray:
    y = x.copy()
    y[index] = v
    return y


def _torch_setitem(T: Any, x: Any, v: Any, index: Any) -> Any:
    y = x.clone()
    y[index] = v
    return y


def _gather_sample(draw: Any) -> Any:
    x = _one(draw, min_dims=1)
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = tuple(draw(st.integers(1, 3)) if i == dim % x.ndim else draw(st.integers(1, n)) for i, n in enumerate(x.shape))
    index = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, x.shape[dim] - 1)))
    return [x], {"dim": dim, "index": index}


def _np_gather(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return x[tuple(grid)]


def _scatter_sample(draw: Any) -> Any:
    [x], params = _gather_sample(draw)
    src_shape = tuple(n + draw(st.integers(0, 1)) for n in params["index"].shape)
    return [x, floats_array(draw, src_shape)], params


def _np_scatter_add(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    np.add.at(out, tuple(grid), src[tuple(slice(0, n) for n in index.shape)])
    return out


def _torch_scatter_add(T: Any, x: Any, src: Any, dim: int, index: np.ndarray) -> Any:
    """PyTorch's scatter_add backward rejects a src larger than index, so crop it first."""
    return T.scatter_add(x, dim, T.tensor(index), src[tuple(slice(0, n) for n in index.shape)])


INDEXING = [
    OpInfo("getitem_basic", lambda x, index: x[index], lambda x, index: x[index], _basic_sample,
           (ix.GetItem, ix.IndexScatter), lambda T, x, index: x[index]),
    OpInfo("getitem_advanced", lambda x, index: x[index], lambda x, index: x[index], _advanced_sample,
           (ix.GetItem, ix.IndexScatter), lambda T, x, index: x[_torch_index(T, index)]),
    OpInfo("getitem_mask", lambda x, index: x[index], lambda x, index: x[index], _mask_sample,
           (ix.GetItem, ix.IndexScatter), lambda T, x, index: x[_torch_index(T, index)]),
    OpInfo("setitem", _setitem, _np_setitem, _setitem_sample, (ix.SetItem,), _torch_setitem),
    OpInfo("gather", lambda x, dim, index: mg.gather(x, dim, mg.tensor(index)), _np_gather, _gather_sample,
           (ix.Gather, ix.ScatterAdd), lambda T, x, dim, index: T.gather(x, dim, T.tensor(index))),
    OpInfo("scatter_add", lambda x, src, dim, index: mg.scatter_add(x, dim, mg.tensor(index), src),
           _np_scatter_add, _scatter_sample, (ix.ScatterAdd, ix.Gather),
           _torch_scatter_add),
]


# ------------------------------------------------------------- conversion
CONVERSION = [
    OpInfo("astype", lambda x: x.astype(mg.float64 if x.dtype == mg.float32 else mg.float32).astype(x.dtype),
           lambda x: x.astype(np.float32).astype(x.dtype), unary(), (cv.Cast,),
           lambda T, x: x.float().double(), eps=1e-2, atol=1e-4, rtol=1e-4),
    OpInfo("to_backend", lambda x: x.to("cupy").to("numpy"), lambda x: x, unary(), (cv.ToBackend,),
           needs_backend="cupy"),
]

ENTRIES = ELEMENTWISE + LINALG + REDUCTIONS + SHAPE + INDEXING + CONVERSION
