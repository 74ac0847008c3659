"""2-D convolution by im2col: every sliding window becomes a row, and the convolution a matrix product.

``im2col`` copies the input's windows into a column tensor in one vectorised
step (a strided view, no loop over pixels); ``col2im`` is its adjoint, adding
each window back where it came from. Each is the other's gradient, so both
are differentiable to any order, and ``conv2d`` built on them inherits
gradients and second derivatives from ``matmul``. Layouts as PyTorch: images
NCHW, weights OIHW.
"""

from __future__ import annotations

from typing import Any

from ..function import Function, xp
from ..tensor import Tensor

__all__ = ["im2col", "col2im", "conv2d", "conv_output_size", "pair", "windows", "check_groups"]

Pads = tuple[tuple[int, int], tuple[int, int]]


def pair(op: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints as a pair, each at least ``minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return items[0], items[1]


def conv_output_size(size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int) -> int:
    """floor((size + pad_before + pad_after - dilation (kernel - 1) - 1) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def windows(m: Any, padded: Any, out_hw: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int]) -> Any:
    """A strided view (N, OH, OW, C, KH, KW) of every window of ``padded`` (N, C, H, W)."""
    sn, sc, sh, sw = padded.strides
    shape = (padded.shape[0], *out_hw, padded.shape[1], *kernel)
    strides = (sn, sh * stride[0], sw * stride[1], sc, sh * dilation[0], sw * dilation[1])
    return m.lib.stride_tricks.as_strided(padded, shape=shape, strides=strides)


class Im2Col(Function):
    """cols[n, i, j, c, p, q] = x_pad[n, c, i s_h + p d_h, j s_w + q d_w];  its adjoint is col2im"""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, out_hw):
        ctx.options = (x.shape, kernel, stride, padding, dilation)
        m = xp(x)
        padded = m.pad(x.data, ((0, 0), (0, 0), *padding)) if any(sum(p) for p in padding) else x.data
        return m.ascontiguousarray(windows(m, padded, out_hw, kernel, stride, dilation))

    @staticmethod
    def backward(ctx, g):
        shape, kernel, stride, padding, dilation = ctx.options
        return Col2Im.apply(g, shape=shape, kernel=kernel, stride=stride, padding=padding, dilation=dilation)


class Col2Im(Function):
    """x[n, c, h, w] = sum of the cols entries that im2col read from (h, w);  its adjoint is im2col"""

    @staticmethod
    def forward(ctx, cols, *, shape, kernel, stride, padding, dilation):
        n, c, h, w = shape
        out_hw = cols.shape[1:3]
        ctx.options = (kernel, stride, padding, dilation, out_hw)
        m = xp(cols)
        (top, bottom), (left, right) = padding
        out = m.zeros((n, c, h + top + bottom, w + left + right), dtype=cols.data.dtype)
        windows = cols.data.transpose(0, 3, 4, 5, 1, 2)  # (N, C, KH, KW, OH, OW)
        for p in range(kernel[0]):  # one strided add per kernel offset, vectorised over pixels
            rows = slice(p * dilation[0], p * dilation[0] + stride[0] * (out_hw[0] - 1) + 1, stride[0])
            for q in range(kernel[1]):
                cols_ = slice(q * dilation[1], q * dilation[1] + stride[1] * (out_hw[1] - 1) + 1, stride[1])
                out[:, :, rows, cols_] += windows[:, :, p, q]
        return out[:, :, top:top + h, left:left + w]

    @staticmethod
    def backward(ctx, g):
        kernel, stride, padding, dilation, out_hw = ctx.options
        return Im2Col.apply(g, kernel=kernel, stride=stride, padding=padding, dilation=dilation, out_hw=out_hw)


def _padding(op: str, padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int]) -> Pads:
    """Explicit (before, after) padding per spatial dimension; ``"same"`` and ``"valid"`` as PyTorch."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return (totals[0] // 2, totals[0] - totals[0] // 2), (totals[1] // 2, totals[1] - totals[1] // 2)
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int, a pair of ints, 'same' or 'valid', got {padding!r}")
    ph, pw = pair(op, "padding", padding, 0)
    return (ph, ph), (pw, pw)


def im2col(x: Tensor, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> Tensor:
    """The windows of an NCHW tensor as a (N, OH, OW, C, KH, KW) tensor, zero-padded.

    ``padding`` is an int, a pair, or explicit ((top, bottom), (left, right)).
    """
    if x.ndim != 4:
        raise ValueError(f"im2col: expected an NCHW input with 4 dimensions, got shape {x.shape}")
    kernel = pair("im2col", "kernel_size", kernel_size, 1)
    strides = pair("im2col", "stride", stride, 1)
    dilations = pair("im2col", "dilation", dilation, 1)
    if isinstance(padding, tuple) and all(isinstance(p, tuple) for p in padding):
        pads: Pads = (tuple(padding[0]), tuple(padding[1]))  # type: ignore[assignment]
    else:
        pads = _padding("im2col", padding, kernel, strides, dilations)
    out_hw = tuple(conv_output_size(n, k, s, p, d) for n, k, s, p, d in zip(x.shape[2:], kernel, strides, pads, dilations))
    if min(out_hw) < 1:
        raise ValueError(
            f"im2col: a {kernel} kernel (dilation {dilations}) does not fit the input of shape {x.shape} "
            f"padded by {pads}; the output would be {out_hw}"
        )
    return Im2Col.apply(x, kernel=kernel, stride=strides, padding=pads, dilation=dilations, out_hw=out_hw)


def col2im(cols: Tensor, shape: tuple[int, int, int, int], stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> Tensor:
    """The adjoint of ``im2col``: add (N, OH, OW, C, KH, KW) windows back into an NCHW tensor of ``shape``."""
    if cols.ndim != 6:
        raise ValueError(f"col2im: expected a (N, OH, OW, C, KH, KW) tensor, got shape {cols.shape}")
    kernel = (cols.shape[4], cols.shape[5])
    strides = pair("col2im", "stride", stride, 1)
    dilations = pair("col2im", "dilation", dilation, 1)
    if isinstance(padding, tuple) and all(isinstance(p, tuple) for p in padding):
        pads: Pads = (tuple(padding[0]), tuple(padding[1]))  # type: ignore[assignment]
    else:
        pads = _padding("col2im", padding, kernel, strides, dilations)
    expected = tuple(conv_output_size(n, k, s, p, d) for n, k, s, p, d in zip(shape[2:], kernel, strides, pads, dilations))
    if cols.shape[1:3] != expected or cols.shape[0] != shape[0] or cols.shape[3] != shape[1]:
        raise ValueError(f"col2im: windows of shape {cols.shape} do not come from an input of shape {tuple(shape)}")
    return Col2Im.apply(cols, shape=tuple(shape), kernel=kernel, stride=strides, padding=pads, dilation=dilations)


def check_groups(op: str, groups: Any, in_c: int, out_c: int, in_where: str = "", out_where: str = "") -> int:
    """``groups`` as a positive int that divides both channel counts, or the error naming ``op``."""
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"{op}: groups must be an int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{op}: groups must be at least 1, got {groups}")
    if in_c % groups or out_c % groups:
        raise ValueError(
            f"{op}: in_channels ({in_c}{in_where}) and out_channels ({out_c}{out_where}) must both be divisible "
            f"by groups ({groups})"
        )
    return groups


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    With G = ``groups``, C channels in and O out, output channel o reads only
    the C/G input channels of its group g = o // (O/G):

    out[n, o, i, j] = bias[o] + sum_{c < C/G, p, q} weight[o, c, p, q] x_pad[n, g C/G + c, i s + p d, j s + q d]

    computed from the (N OH OW, C KH KW) im2col windows of ``x``: one matrix
    product with the (C KH KW, O) reshaped weight when G = 1, else one batched
    product of G (N OH OW, C/G KH KW) by (C/G KH KW, O/G) blocks (no loop over
    groups). ``x`` is (N, C, H, W), ``weight`` (O, C/G, KH, KW), ``bias`` (O,);
    ``padding`` is an int, a pair, ``"same"`` or ``"valid"``. ``groups=C``
    is a depthwise convolution.
    """
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(
            f"conv2d: expected a 4-d input (N, C, H, W) and a 4-d weight (O, C/groups, KH, KW), got {x.shape} and "
            f"{weight.shape}"
        )
    out_c, in_per_group, kh, kw = weight.shape
    in_c = x.shape[1]
    groups = check_groups("conv2d", groups, in_c, out_c, f", input shape {x.shape}", f", weight shape {weight.shape}")
    if in_c != in_per_group * groups:
        raise ValueError(
            f"conv2d: the input has {in_c} channels (shape {x.shape}) but the weight (shape {weight.shape}) with "
            f"groups={groups} expects {in_per_group * groups} ({in_per_group} per group)"
        )
    if bias is not None and bias.shape != (out_c,):
        raise ValueError(f"conv2d: bias must have shape ({out_c},), got {bias.shape}")
    strides = pair("conv2d", "stride", stride, 1)
    dilations = pair("conv2d", "dilation", dilation, 1)
    pads = _padding("conv2d", padding, (kh, kw), strides, dilations)
    cols = im2col(x, (kh, kw), strides, pads, dilations)
    n, oh, ow = cols.shape[:3]
    rows, k = n * oh * ow, in_per_group * kh * kw
    if groups == 1:
        out = cols.reshape(rows, k) @ weight.reshape(out_c, k).T
    else:  # (G, rows, k) @ (G, k, O/G): the channels of cols are group-major, as are the weight's rows
        blocks = cols.reshape(rows, groups, k).transpose(0, 1)
        out = (blocks @ weight.reshape(groups, out_c // groups, k).transpose(1, 2)).transpose(0, 1).reshape(rows, out_c)
    if bias is not None:
        out = out + bias
    return out.reshape(n, oh, ow, out_c).permute(0, 3, 1, 2)
