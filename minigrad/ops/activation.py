"""Activation functions, each one fused op with a numerically stable forward.

Backwards are written with minigrad ops, so second derivatives work.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..function import Function, xp
from ..tensor import Tensor
from .elementwise import _real, erf, where

__all__ = ["tanh", "sigmoid", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def _sigmoid_array(a: Any, xp: Any) -> Any:
    """1 / (1 + exp(-a)) without overflow: exp is only taken of -|a|."""
    with backend.quiet(a):
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))


class Tanh(Function):
    """d tanh(x) = (1 - tanh(x)^2) dx"""

    saves_output = True
    on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return xp(x).tanh(_real(x))

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return g - g * y * y  # no Python number in it: NumPy is slower with one


class Sigmoid(Function):
    """d s(x) = s(x) (1 - s(x)) dx"""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return _sigmoid_array(_real(x), xp(x))

    @staticmethod
    def backward(ctx, g):
        s = ctx.output
        return g * s * (1 - s)


class Relu(Function):
    """d relu(x) = dx where x > 0, else 0

    relu(x) > 0 exactly where x > 0, so the op keeps its output for backward
    rather than its input: the output is kept anyway by whatever uses it next,
    and the input can be freed as soon as the forward has run.
    """

    saves_output = True
    on_arrays = True  # its backward is a comparison and a product

    @staticmethod
    def forward(ctx, x):
        m, a = xp(x), x.data
        # against a row of zeros, not the number 0: NumPy's maximum has a vectorised loop for two
        # arrays but not for an array and a scalar (on (256, 512) float32: 27 us instead of 49)
        return m.maximum(a, m.zeros(a.shape[-1:], a.dtype))

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.output > 0)


class LeakyRelu(Function):
    """d leaky_relu(x) = dx where x > 0, else slope dx"""

    @staticmethod
    def forward(ctx, x, *, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return xp(x).where(x.data > 0, x.data, x.data * x.data.dtype.type(slope))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return where(x > 0, g, g * ctx.slope)


class Elu(Function):
    """elu(x) = x for x > 0 else alpha (exp(x) - 1);  d = dx, or alpha exp(x) dx"""

    @staticmethod
    def forward(ctx, x, *, alpha, scale):
        ctx.save_for_backward(x)
        ctx.alpha, ctx.scale = alpha, scale
        a = _real(x)
        t = a.dtype.type
        with backend.quiet(a):
            return xp(x).where(a > 0, a * t(scale), xp(x).expm1(a) * t(alpha * scale))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return where(x > 0, g * ctx.scale, g * x.exp() * (ctx.alpha * ctx.scale))


class Selu(Elu):
    """selu(x) = scale elu(x, alpha) with fixed alpha and scale"""


class Gelu(Function):
    """gelu(x) = x Phi(x);  d = (Phi(x) + x phi(x)) dx  (``approximate="tanh"``: the tanh form)"""

    @staticmethod
    def forward(ctx, x, *, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        a = _real(x)
        t = a.dtype.type
        if approximate == "tanh":
            inner = (a + a * a * a * t(_GELU_CUBIC)) * t(_SQRT_2_OVER_PI)
            return a * t(0.5) * (1 + xp(x).tanh(inner))
        from .special import erf_array

        return a * t(0.5) * (1 + erf_array(xp(x), a * t(1 / math.sqrt(2.0))))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            u = (x + x * x * x * _GELU_CUBIC) * _SQRT_2_OVER_PI
            th = u.tanh()
            du = (1 + x * x * (3 * _GELU_CUBIC)) * _SQRT_2_OVER_PI
            return g * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * du)
        cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2.0))))
        pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


class Silu(Function):
    """silu(x) = x s(x);  d = s(x) (1 + x (1 - s(x))) dx"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = _real(x)
        return a * _sigmoid_array(a, xp(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return g * s * (1 + x * (1 - s))


class Softplus(Function):
    """softplus(x) = log(1 + exp(beta x)) / beta (x itself once beta x > threshold);  d = s(beta x) dx"""

    @staticmethod
    def forward(ctx, x, *, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        a = _real(x)
        m = xp(x)
        t = a.dtype.type
        z = a * t(beta)
        with backend.quiet(a):
            soft = (m.maximum(z, 0) + m.log1p(m.exp(-m.abs(z)))) / t(beta)
        return m.where(z > threshold, a, soft)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        z = x * ctx.beta
        return where(z > ctx.threshold, g, g * z.sigmoid())


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh.apply(x)


def sigmoid(x: Any) -> Tensor:
    """Logistic sigmoid 1 / (1 + exp(-x)), stable for large |x|."""
    return Sigmoid.apply(x)


def relu(x: Any) -> Tensor:
    """max(x, 0)."""
    return Relu.apply(x)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x."""
    return LeakyRelu.apply(x, slope=negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha * (exp(x) - 1)."""
    return Elu.apply(x, alpha=alpha, scale=1.0)


def selu(x: Any) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al."""
    return Selu.apply(x, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(x, approximate=approximate)


def silu(x: Any) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return Silu.apply(x)


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, linear once beta x > threshold (as PyTorch)."""
    return Softplus.apply(x, beta=beta, threshold=threshold)
