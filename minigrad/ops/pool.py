"""2-D pooling over NCHW tensors: ``max_pool2d`` and ``avg_pool2d``, as PyTorch.

Both are compositions of existing ops, so their gradients (and second
derivatives) come from those ops:

* average pooling is the mean of the ``im2col`` windows (zero padding counts
  in the mean, PyTorch's default ``count_include_pad=True``);
* max pooling finds, without recording, where each window's maximum is (the
  first one at ties, as PyTorch), then reads those elements with one integer
  index. The gradient flows to exactly those elements and adds up where
  windows overlap.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..function import xp
from ..tensor import Tensor
from .conv import conv_output_size, im2col, pair, windows

__all__ = ["max_pool2d", "avg_pool2d"]


def _options(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any) -> tuple[tuple[int, int], ...]:
    if x.ndim != 4:
        raise ValueError(f"{op}: expected an NCHW input with 4 dimensions, got shape {x.shape}")
    kernel = pair(op, "kernel_size", kernel_size, 1)
    strides = kernel if stride is None else pair(op, "stride", stride, 1)
    pads = pair(op, "padding", padding, 0)
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise ValueError(f"{op}: padding {pads} must be at most half the kernel size {kernel}")
    out_hw = tuple(conv_output_size(n, k, s, (p, p), 1) for n, k, s, p in zip(x.shape[2:], kernel, strides, pads))
    if min(out_hw) < 1:
        raise ValueError(f"{op}: a {kernel} window does not fit the input of shape {x.shape} with padding {pads}")
    return kernel, strides, pads, out_hw


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int | tuple[int, int] = 0) -> Tensor:
    """The maximum of each ``kernel_size`` window, moving by ``stride`` (default: the kernel size).

    out[n, c, i, j] = max_{p, q} x_pad[n, c, i s_h + p, j s_w + q], padding with -inf;
    d out = dx at the (first) maximum of each window.
    """
    kernel, strides, pads, out_hw = _options("max_pool2d", x, kernel_size, stride, padding)
    m = xp(x)
    n, c, h, w = x.shape
    padded = m.pad(x.data, ((0, 0), (0, 0), (pads[0],) * 2, (pads[1],) * 2), constant_values=-m.inf)
    view = windows(m, padded, out_hw, kernel, strides, (1, 1))  # (N, OH, OW, C, KH, KW)
    best = view.reshape(*view.shape[:4], -1).argmax(axis=-1)  # (N, OH, OW, C)
    rows = best // kernel[1] + (m.arange(out_hw[0]) * strides[0] - pads[0])[:, None, None]
    cols = best % kernel[1] + (m.arange(out_hw[1]) * strides[1] - pads[1])[:, None]
    images = (m.arange(n)[:, None, None, None] * c + m.arange(c)) * h
    flat = ((images + rows) * w + cols).transpose(0, 3, 1, 2).astype(dtypes.int64)  # (N, C, OH, OW)
    return x.reshape(-1)[flat]


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int | tuple[int, int] = 0) -> Tensor:
    """The mean of each ``kernel_size`` window, moving by ``stride`` (default: the kernel size).

    out[n, c, i, j] = (1 / (k_h k_w)) sum_{p, q} x_pad[n, c, i s_h + p, j s_w + q], padding with 0
    (padded zeros count, as PyTorch's default ``count_include_pad=True``).
    """
    kernel, strides, pads, _ = _options("avg_pool2d", x, kernel_size, stride, padding)
    cols = im2col(x, kernel, strides, pads)  # (N, OH, OW, C, KH, KW)
    return cols.mean(axis=(4, 5)).permute(0, 3, 1, 2)
