"""Convolution and pooling layers over NCHW images: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``."""

from __future__ import annotations

from typing import Any

from ...creation import empty
from ...ops.conv import check_groups, pair
from ...tensor import Tensor
from .. import functional as F
from ..module import Module, Parameter
from .linear import float_dtype, reset_weight_and_bias

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d"]


class Conv2d(Module):
    """2-D convolution (cross-correlation) with an (out, in / groups, kh, kw) weight, as ``torch.nn.Conv2d``.

    ``padding`` is an int, a pair, ``"same"`` or ``"valid"``. ``groups`` splits
    the channels into that many independent convolutions (both channel counts
    must be divisible by it; ``groups=in_channels`` is depthwise). Weight and
    bias start as PyTorch's: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    fan_in = (in_channels / groups) kh kw.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        dt = float_dtype(dtype)
        check_groups("Conv2d", groups, in_channels, out_channels)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride = pair("Conv2d", "stride", stride, 1)
        self.padding = padding if isinstance(padding, str) else pair("Conv2d", "padding", padding, 0)
        self.dilation = pair("Conv2d", "dilation", dilation, 1)
        self.weight = Parameter(empty(out_channels, in_channels // groups, *self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Pool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each window; ``stride`` defaults to the kernel size. As ``torch.nn.MaxPool2d``.

    ``ceil_mode=True`` rounds the output size up (see ``F.max_pool2d``); it is
    keyword-only, as PyTorch's positional slot for it follows ``dilation``.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, *, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, ceil_mode={self.ceil_mode}"


class AvgPool2d(_Pool2d):
    """The mean of each window; ``stride`` defaults to the kernel size. As ``torch.nn.AvgPool2d``.

    ``ceil_mode=True`` rounds the output size up; ``count_include_pad=False``
    divides by the number of input elements in a window instead of its size
    (see ``F.avg_pool2d``). Like PyTorch's, the repr shows neither option.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)
