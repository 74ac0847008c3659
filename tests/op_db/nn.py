"""Entries for the layer ops of ``mg.nn.functional`` (minigrad/ops/conv, pool, norm; nn/functional).

References are written the slow, obvious way (loops over output pixels) so
they share no code with the vectorised implementations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import minigrad as mg
from minigrad.nn import functional as F
from minigrad.ops import conv, linalg, norm

from . import OpInfo, floats_array


# ------------------------------------------------------------- helpers
def _pad_np(x: np.ndarray, ph: int, pw: int, value: float = 0.0) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _out(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _windows_np(x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int],
                dilation: tuple[int, int] = (1, 1), value: float = 0.0) -> np.ndarray:
    """(N, OH, OW, C, KH, KW) windows by explicit loops."""
    k, s, p, d = kernel_size, stride, padding, dilation
    xp_ = _pad_np(x, p[0], p[1], value)
    oh, ow = _out(x.shape[2], k[0], s[0], p[0], d[0]), _out(x.shape[3], k[1], s[1], p[1], d[1])
    out = np.zeros((x.shape[0], oh, ow, x.shape[1], k[0], k[1]))
    for i in range(oh):
        for j in range(ow):
            for a in range(k[0]):
                for b in range(k[1]):
                    out[:, i, j, :, a, b] = xp_[:, :, i * s[0] + a * d[0], j * s[1] + b * d[1]]
    return out


@st.composite
def _geometry(draw: Any, dilation: bool = True, pool: bool = False) -> dict[str, Any]:
    """Kernel, stride, padding (and dilation) with an image size that fits them."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    if pool:
        p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
        d = (1, 1)
    else:
        p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    hw = tuple(draw(st.integers(max(1, dd * (kk - 1) + 1 - 2 * pp), 6)) for kk, pp, dd in zip(k, p, d))
    return {"k": k, "s": s, "p": p, "d": d, "n": draw(st.integers(1, 2)), "c": draw(st.integers(1, 3)), "hw": hw}


# ------------------------------------------------------------- im2col / col2im / conv2d
def _im2col_sample(draw: Any) -> Any:
    g = draw(_geometry())
    x = floats_array(draw, (g["n"], g["c"], *g["hw"]))
    return [x], {"kernel_size": g["k"], "stride": g["s"], "padding": g["p"], "dilation": g["d"]}


def _torch_im2col(T: Any, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> Any:
    cols = T.nn.functional.unfold(x, kernel_size, dilation=dilation, padding=padding, stride=stride)
    n, c = x.shape[:2]
    oh = _out(x.shape[2], kernel_size[0], stride[0], padding[0], dilation[0])
    ow = _out(x.shape[3], kernel_size[1], stride[1], padding[1], dilation[1])
    return cols.reshape(n, c, *kernel_size, oh, ow).permute(0, 4, 5, 1, 2, 3)


def _col2im_sample(draw: Any) -> Any:
    g = draw(_geometry())
    oh, ow = (_out(n, k, s, p, d) for n, k, s, p, d in zip(g["hw"], g["k"], g["s"], g["p"], g["d"]))
    cols = floats_array(draw, (g["n"], oh, ow, g["c"], *g["k"]))
    return [cols], {"shape": (g["n"], g["c"], *g["hw"]), "stride": g["s"], "padding": g["p"], "dilation": g["d"]}


def _col2im_ref(cols: np.ndarray, shape: Any, stride: Any, padding: Any, dilation: Any) -> np.ndarray:
    n, c, h, w = shape
    k = cols.shape[4:]
    out = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]))
    for i in range(cols.shape[1]):
        for j in range(cols.shape[2]):
            for a in range(k[0]):
                for b in range(k[1]):
                    out[:, :, i * stride[0] + a * dilation[0], j * stride[1] + b * dilation[1]] += cols[:, i, j, :, a, b]
    return out[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


def _torch_col2im(T: Any, cols: Any, shape: Any, stride: Any, padding: Any, dilation: Any) -> Any:
    n, oh, ow, c, kh, kw = cols.shape
    flat = cols.permute(0, 3, 4, 5, 1, 2).reshape(n, c * kh * kw, oh * ow)
    return T.nn.functional.fold(flat, shape[2:], (kh, kw), dilation=dilation, padding=padding, stride=stride)


def _conv_sample(draw: Any) -> Any:
    g = draw(_geometry())
    groups = draw(st.integers(1, 3))
    c = g["c"] if groups == 1 else groups * draw(st.integers(1, 2 if groups == 2 else 1))  # 3 groups: depthwise
    o = draw(st.integers(1, 3)) if groups == 1 else groups * draw(st.integers(1, 2))
    x = floats_array(draw, (g["n"], c, *g["hw"]))
    w = floats_array(draw, (o, c // groups, *g["k"]))
    arrays = [x, w] + ([floats_array(draw, (w.shape[0],))] if draw(st.booleans()) else [])
    return arrays, {"stride": g["s"], "padding": g["p"], "dilation": g["d"], "groups": groups}


def _conv_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *, stride: Any, padding: Any,
              dilation: Any, groups: int) -> np.ndarray:
    cols = _windows_np(x, w.shape[2:], stride, padding, dilation)
    cin, cout = w.shape[1], w.shape[0] // groups
    out = np.concatenate([np.einsum("nijcab,ocab->noij", cols[:, :, :, k * cin:(k + 1) * cin],
                                    w[k * cout:(k + 1) * cout]) for k in range(groups)], axis=1)
    return out + b[:, None, None] if b is not None else out


# ------------------------------------------------------------- pooling
def _pool_sample(distinct: bool, avg: bool) -> Any:
    def sample(draw: Any) -> Any:
        g = draw(_geometry(dilation=False, pool=True))
        ceil_mode = draw(st.booleans())
        if ceil_mode:  # strides up to 3, and sizes that leave a partial last window along the width at least
            g["s"] = (draw(st.integers(1, 3)), draw(st.integers(2, 3)))
            g["hw"] = tuple(n + ((n + 2 * p - k) % s == 0 and s > 1) for n, k, s, p in zip(g["hw"], g["k"], g["s"], g["p"]))
        shape = (g["n"], g["c"], *g["hw"])
        if distinct:  # values at least 0.25 apart: no ties, and finite differences cannot reorder them
            perm = np.array(draw(st.permutations(range(int(np.prod(shape))))), dtype=np.float64)
            x = (perm * 0.25 - perm.size / 8).reshape(shape)
        else:
            x = floats_array(draw, shape)
        stride = g["s"] if ceil_mode or draw(st.booleans()) else None
        params = {"kernel_size": g["k"], "stride": stride, "padding": g["p"], "ceil_mode": ceil_mode}
        if avg:
            params["count_include_pad"] = draw(st.booleans())
        return [x], params

    return sample


def _pool_starts(n: int, k: int, s: int, p: int, ceil_mode: bool) -> list[int]:
    """Window starts (in input coordinates) as PyTorch places them.

    Every window that fits inside the padded input [-p, n + p); with ceil_mode
    one more when the last of those stops short of the end, unless it would
    start in the right padding.
    """
    starts = []
    a = -p
    while a + k <= n + p:
        starts.append(a)
        a += s
    if ceil_mode and starts[-1] + k < n + p and a < n:
        starts.append(a)
    return starts


def _pool_ref(reduce: str) -> Any:
    def ref(x: np.ndarray, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
            count_include_pad: bool = True) -> np.ndarray:
        k, s, p = kernel_size, stride or kernel_size, padding
        (h, w) = x.shape[2:]
        rows, cols = _pool_starts(h, k[0], s[0], p[0], ceil_mode), _pool_starts(w, k[1], s[1], p[1], ceil_mode)
        out = np.zeros((*x.shape[:2], len(rows), len(cols)))
        for i, a in enumerate(rows):
            for j, b in enumerate(cols):
                window = x[:, :, max(a, 0):min(a + k[0], h), max(b, 0):min(b + k[1], w)]  # the input part
                if reduce == "max":
                    out[:, :, i, j] = window.max(axis=(2, 3))
                else:  # the window clipped to the padded input, or only its input part
                    size = (min(a + k[0], h + p[0]) - a) * (min(b + k[1], w + p[1]) - b)
                    count = size if count_include_pad else window.shape[2] * window.shape[3]
                    out[:, :, i, j] = window.sum(axis=(2, 3)) / count
        return out

    return ref


def _torch_pool(name: str) -> Any:
    return lambda T, x, kernel_size, stride, padding, **options: getattr(T.nn.functional, name)(
        x, kernel_size, stride, padding, **options)


# ------------------------------------------------------------- normalisation
def _bn_sample(training: bool) -> Any:
    def sample(draw: Any) -> Any:
        n, c = draw(st.integers(2, 3)), draw(st.integers(1, 3))
        rest = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
        x = floats_array(draw, (n, c, *rest))
        axes = (0, *range(2, x.ndim))
        assume(np.all(x.std(axis=axes) > 0.1))
        arrays = [x, floats_array(draw, (c,)), floats_array(draw, (c,))]
        params = {"momentum": draw(st.sampled_from([0.1, 0.5])), "eps": draw(st.sampled_from([1e-5, 1e-3]))}
        if not training:
            arrays += [floats_array(draw, (c,)), floats_array(draw, (c,), 0.2, 3.0)]
        return arrays, params

    return sample


def _bn_train(x: Any, w: Any, b: Any, momentum: float, eps: float) -> Any:
    rm, rv = mg.zeros(x.shape[1], dtype=x.dtype), mg.ones(x.shape[1], dtype=x.dtype)
    return F.batch_norm(x, rm, rv, w, b, True, momentum, eps)


def _bn_train_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray, momentum: float, eps: float) -> np.ndarray:
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    xhat = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return xhat * w.reshape(shape) + b.reshape(shape)


def _torch_bn_train(T: Any, x: Any, w: Any, b: Any, momentum: float, eps: float) -> Any:
    rm, rv = T.zeros(x.shape[1], dtype=x.dtype), T.ones(x.shape[1], dtype=x.dtype)
    return T.nn.functional.batch_norm(x, rm, rv, w, b, True, momentum, eps)


def _bn_eval_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray, rm: np.ndarray, rv: np.ndarray, momentum: float,
                 eps: float) -> np.ndarray:
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - rm.reshape(shape)) / np.sqrt(rv.reshape(shape) + eps) * w.reshape(shape) + b.reshape(shape)


def _ln_sample(draw: Any) -> Any:
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k:]
    assume(int(np.prod(normalized)) >= 2)
    x = floats_array(draw, shape)
    axes = tuple(range(len(shape) - k, len(shape)))
    assume(np.all(x.std(axis=axes) > 0.1))
    arrays = [x] + ([floats_array(draw, normalized), floats_array(draw, normalized)] if draw(st.booleans()) else [])
    return arrays, {"normalized_shape": normalized, "eps": draw(st.sampled_from([1e-5, 1e-3]))}


def _ln_ref(x: np.ndarray, w: np.ndarray | None = None, b: np.ndarray | None = None, *, normalized_shape: Any,
            eps: float) -> np.ndarray:
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return y * w + b if w is not None else y


# ------------------------------------------------------------- linear, embedding, dropout
def _linear_sample(draw: Any) -> Any:
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    i, o = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    arrays = [floats_array(draw, (*lead, i)), floats_array(draw, (o, i))]
    return arrays + ([floats_array(draw, (o,))] if draw(st.booleans()) else []), {}


def _embedding_sample(draw: Any) -> Any:
    n, d = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    idx = np.array(draw(st.lists(st.integers(0, n - 1), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))))
    padding_idx = draw(st.one_of(st.none(), st.integers(-n, n - 1)))
    return [floats_array(draw, (n, d))], {"indices": idx.reshape(shape), "padding_idx": padding_idx}


def _embedding(w: Any, indices: np.ndarray, padding_idx: int | None) -> Any:
    """``F.embedding`` with the outputs that read the padding row set to 0.

    ``padding_idx`` withholds the gradient of that row on purpose, so there it
    is not the derivative and finite differences cannot check it (any use of
    those outputs would show the difference). Zeroing them keeps the rest of
    the ``padding_idx`` path (the other rows' gradients, second derivatives,
    dtypes) under the generic tests; the withheld gradient itself is checked
    against PyTorch in tests/nn/test_layers_torch.py.
    """
    out = F.embedding(mg.tensor(indices), w, padding_idx)
    if padding_idx is None:
        return out
    return mg.where(mg.tensor((indices == padding_idx % w.shape[0])[..., None]), 0.0, out)


def _embedding_ref(w: np.ndarray, indices: np.ndarray, padding_idx: int | None) -> np.ndarray:
    out = w[indices]
    if padding_idx is not None:
        out[indices == padding_idx % w.shape[0]] = 0.0
    return out


def _torch_embedding(T: Any, w: Any, indices: np.ndarray, padding_idx: int | None) -> Any:
    out = T.nn.functional.embedding(T.tensor(indices), w, padding_idx)
    if padding_idx is None:
        return out
    return T.where(T.tensor((indices == padding_idx % w.shape[0])[..., None]), T.zeros((), dtype=w.dtype), out)


def _dropout_sample(draw: Any) -> Any:
    shape = tuple(draw(st.lists(st.integers(1, 4), max_size=3)))
    return [floats_array(draw, shape)], {"p": draw(st.sampled_from([0.0, 0.3, 0.5, 1.0])), "seed": draw(st.integers(0, 99))}


def _dropout(x: Any, p: float, seed: int) -> Any:
    mg.manual_seed(seed)  # the same mask at every call, so finite differences see one function
    return F.dropout(x, p, training=True)


def _dropout_ref(x: np.ndarray, p: float, seed: int) -> np.ndarray:
    if p == 0.0:
        return x
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return x * keep * (0.0 if p == 1.0 else 1.0 / (1.0 - p))


ENTRIES = [
    OpInfo("im2col", conv.im2col, _windows_np, _im2col_sample, (conv.Im2Col, conv.Col2Im), _torch_im2col),
    OpInfo("col2im", conv.col2im, _col2im_ref, _col2im_sample, (conv.Col2Im, conv.Im2Col), _torch_col2im),
    OpInfo("conv2d", F.conv2d, _conv_ref, _conv_sample, (conv.Im2Col, conv.Col2Im),
           lambda T, *a, **options: T.nn.functional.conv2d(*a, **options)),
    OpInfo("max_pool2d", F.max_pool2d, _pool_ref("max"), _pool_sample(True, avg=False), (), _torch_pool("max_pool2d")),
    OpInfo("avg_pool2d", F.avg_pool2d, _pool_ref("mean"), _pool_sample(False, avg=True), (conv.Im2Col,),
           _torch_pool("avg_pool2d")),
    OpInfo("batch_norm_train", _bn_train, _bn_train_ref, _bn_sample(True), (norm.Standardize,), _torch_bn_train),
    OpInfo("batch_norm_eval", lambda x, w, b, rm, rv, momentum, eps: F.batch_norm(x, rm, rv, w, b, False, momentum, eps),
           _bn_eval_ref, _bn_sample(False), (),
           lambda T, x, w, b, rm, rv, momentum, eps: T.nn.functional.batch_norm(x, rm, rv, w, b, False, momentum, eps),
           differentiable=(0, 1, 2)),
    OpInfo("layer_norm", lambda x, *wb, normalized_shape, eps: F.layer_norm(x, normalized_shape, *wb, eps=eps), _ln_ref,
           _ln_sample, (norm.Standardize,),
           lambda T, x, *wb, normalized_shape, eps: T.nn.functional.layer_norm(x, normalized_shape, *wb, eps=eps)),
    OpInfo("linear", F.linear, lambda x, w, b=None: x @ w.T + (0 if b is None else b), _linear_sample, (linalg.Linear,),
           lambda T, *a: T.nn.functional.linear(*a)),
    OpInfo("embedding", _embedding, _embedding_ref, _embedding_sample, (), _torch_embedding),
    OpInfo("dropout", _dropout, _dropout_ref, _dropout_sample, ()),
]
