"""2-D pooling over NCHW tensors: ``max_pool2d`` and ``avg_pool2d``, as PyTorch.

Both are compositions of existing ops, so their gradients (and second
derivatives) come from those ops:

* average pooling sums the ``im2col`` windows and divides each by its count:
  the whole window (PyTorch's default ``count_include_pad=True``), or only the
  input elements in it (``count_include_pad=False``);
* max pooling finds, without recording, where each window's maximum is (the
  first one at ties, as PyTorch), then reads those elements with one integer
  index. The gradient flows to exactly those elements and adds up where
  windows overlap.

Output sizes follow PyTorch: floor((size + 2 pad - kernel) / stride) + 1, or
with ``ceil_mode=True`` the ceiling, dropping a last window that would start
in the right (bottom) padding. A window that runs past the padding (possible
only with ``ceil_mode``) is read from extra padding that never counts.
"""

from __future__ import annotations

from typing import Any

from .. import backend, dtypes
from ..function import xp
from ..tensor import Tensor
from .conv import im2col, pair, windows

__all__ = ["max_pool2d", "avg_pool2d", "pool_output_size"]


def pool_output_size(size: int, kernel: int, stride: int, pad: int, ceil_mode: bool = False) -> int:
    """PyTorch's pooling output size.

    floor((size + 2 pad - kernel) / stride) + 1, or with ``ceil_mode`` ceil(...) + 1
    less one when the last window would start at or after size + pad (entirely in the padding).
    """
    span = size + 2 * pad - kernel
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _options(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool) -> tuple[Any, ...]:
    """Kernel, stride, ((top, bottom), (left, right)) padding with the extra ceil-mode rows, output size."""
    if x.ndim != 4:
        raise ValueError(f"{op}: expected an NCHW input with 4 dimensions, got shape {x.shape}")
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"{op}: ceil_mode must be a bool, got {ceil_mode!r}")
    kernel = pair(op, "kernel_size", kernel_size, 1)
    strides = kernel if stride is None else pair(op, "stride", stride, 1)
    pads = pair(op, "padding", padding, 0)
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise ValueError(f"{op}: padding {pads} must be at most half the kernel size {kernel}")
    out_hw = tuple(pool_output_size(n, k, s, p, ceil_mode) for n, k, s, p in zip(x.shape[2:], kernel, strides, pads))
    if min(out_hw) < 1:
        raise ValueError(f"{op}: a {kernel} window does not fit the input of shape {x.shape} with padding {pads}")
    # ceil_mode's last window may run past the padding: pad further on the right/bottom so it can be read
    extra = [max(0, (o - 1) * s + k - (n + 2 * p)) for n, k, s, p, o in zip(x.shape[2:], kernel, strides, pads, out_hw)]
    full_pads = ((pads[0], pads[0] + extra[0]), (pads[1], pads[1] + extra[1]))
    return kernel, strides, pads, full_pads, out_hw


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int | tuple[int, int] = 0, *,
               ceil_mode: bool = False) -> Tensor:
    """The maximum of each ``kernel_size`` window, moving by ``stride`` (default: the kernel size).

    out[n, c, i, j] = max_{p, q} x_pad[n, c, i s_h + p, j s_w + q], padding with -inf;
    d out = dx at the (first) maximum of each window. ``ceil_mode`` as PyTorch
    (see ``pool_output_size``); keyword-only, since PyTorch's position for it
    follows ``dilation``, which minigrad's pooling does not take.
    """
    kernel, strides, pads, full_pads, out_hw = _options("max_pool2d", x, kernel_size, stride, padding, ceil_mode)
    m = xp(x)
    n, c, h, w = x.shape
    padded = m.pad(x.data, ((0, 0), (0, 0), *full_pads), constant_values=-m.inf)
    view = windows(m, padded, out_hw, kernel, strides, (1, 1))  # (N, OH, OW, C, KH, KW)
    best = view.reshape(*view.shape[:4], -1).argmax(axis=-1)  # (N, OH, OW, C)
    rows = best // kernel[1] + (m.arange(out_hw[0]) * strides[0] - pads[0])[:, None, None]
    cols = best % kernel[1] + (m.arange(out_hw[1]) * strides[1] - pads[1])[:, None]
    # a window of -inf only: argmax picks its first cell, which may be padding; take its first input
    # element instead, as PyTorch does (only the top/left padding can come first in a window)
    rows, cols = m.maximum(rows, 0), m.maximum(cols, 0)
    images = (m.arange(n)[:, None, None, None] * c + m.arange(c)) * h
    flat = ((images + rows) * w + cols).transpose(0, 3, 1, 2).astype(dtypes.int64)  # (N, C, OH, OW)
    return x.reshape(-1)[flat]


def _counts(size: int, kernel: int, stride: int, pad: int, out: int, include_pad: bool) -> list[int]:
    """How many elements each window along one axis averages over, as PyTorch counts them."""
    counts = []
    for i in range(out):
        start = i * stride - pad
        end = min(start + kernel, size + pad)  # never past the padding
        counts.append(end - start if include_pad else min(end, size) - max(start, 0))
    return counts


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int | tuple[int, int] = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each ``kernel_size`` window, moving by ``stride`` (default: the kernel size).

    out[n, c, i, j] = (1 / count[i, j]) sum_{p, q} x_pad[n, c, i s_h + p, j s_w + q], padding with 0,
    where count is the window's size within the padded input (``count_include_pad=True``,
    PyTorch's default) or the number of input elements in it (``False``).
    ``ceil_mode`` as PyTorch (see ``pool_output_size``).
    """
    if not isinstance(count_include_pad, bool):
        raise TypeError(f"avg_pool2d: count_include_pad must be a bool, got {count_include_pad!r}")
    kernel, strides, pads, full_pads, out_hw = _options("avg_pool2d", x, kernel_size, stride, padding, ceil_mode)
    cols = im2col(x, kernel, strides, full_pads)  # (N, OH, OW, C, KH, KW)
    rows, columns = (_counts(n, k, s, p, o, count_include_pad)
                     for n, k, s, p, o in zip(x.shape[2:], kernel, strides, pads, out_hw))
    whole = kernel[0] * kernel[1]
    if all(r * c == whole for r in rows for c in columns):  # every window counts in full: a plain mean
        return cols.mean(axis=(4, 5)).permute(0, 3, 1, 2)
    count = backend.asarray([[[r * c] for c in columns] for r in rows], dtype=x.dtype, backend=x.backend)
    return (cols.sum(axis=(4, 5)) / Tensor._make(count)).permute(0, 3, 1, 2)  # count: (OH, OW, 1)
