"""Regression losses: functions of the residual d = prediction - target, elementwise.

Each returns one value per element with ``reduction="none"``, their sum with
``"sum"`` and their mean with ``"mean"`` (the default). For the Keras-named
ones (``huber``, ``log_cosh``) Keras 3 averages over the last axis and then
over the batch; for equal-length rows that is the same mean.

How they treat a large residual decides how much an outlier pulls the fit:
``mse`` grows quadratically, ``mae`` linearly, and ``huber``, ``smooth_l1``,
``pseudo_huber`` and ``log_cosh`` are quadratic near zero and linear far out.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops import softplus, where
from ..ops.squared_error import squared_error
from ..tensor import Tensor
from .common import EPSILON, check_option, class_axis, prepare, reduce

__all__ = ["mse", "mae", "huber", "smooth_l1", "pseudo_huber", "log_cosh", "cosine_similarity_loss"]


def mse(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """Mean squared error, as PyTorch ``mse_loss``: l = (p - t)^2.

    ``"mean"`` and ``"sum"`` are one fused op (``ops.squared_error``), one
    node on the tape as in PyTorch; ``"none"`` is the elementwise square.
    """
    p, t = prepare("mse", prediction, target, reduction)
    if reduction != "none":
        return squared_error(p, t, reduction=reduction)
    d = p - t
    return d * d


def mae(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error, as PyTorch ``l1_loss``: l = |p - t| (gradient 0 at p = t)."""
    p, t = prepare("mae", prediction, target, reduction)
    return reduce((p - t).abs(), reduction)


def huber(prediction: Any, target: Any, *, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """Huber loss, as PyTorch ``huber_loss`` (and Keras ``huber`` for the mean).

    l = d^2 / 2                    where |d| < delta
        delta (|d| - delta / 2)    elsewhere
    """
    p, t = prepare("huber", prediction, target, reduction)
    check_option("huber", "delta", delta, delta > 0, "positive")
    d = p - t
    a = d.abs()
    return reduce(where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta), reduction)


def smooth_l1(prediction: Any, target: Any, *, beta: float = 1.0, reduction: str = "mean") -> Tensor:
    """Smooth L1 loss, as PyTorch ``smooth_l1_loss``: Huber divided by beta.

    l = d^2 / (2 beta)     where |d| < beta
        |d| - beta / 2     elsewhere        (beta = 0 gives |d|)
    """
    p, t = prepare("smooth_l1", prediction, target, reduction)
    check_option("smooth_l1", "beta", beta, beta >= 0, "non-negative")
    d = p - t
    a = d.abs()
    if beta == 0:
        return reduce(a, reduction)
    return reduce(where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


def pseudo_huber(prediction: Any, target: Any, *, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """Pseudo-Huber loss: l = delta^2 (sqrt(1 + (d / delta)^2) - 1), smooth everywhere.

    About d^2 / 2 near 0 and delta (|d| - delta) far out. Computed as
    d^2 / (sqrt(1 + (d / delta)^2) + 1), the same value without the
    cancellation that rounds small residuals to 0 (finite while (d / delta)^2
    is: |d / delta| < 1e19 in float32).
    """
    p, t = prepare("pseudo_huber", prediction, target, reduction)
    check_option("pseudo_huber", "delta", delta, delta > 0, "positive")
    d = p - t
    q = d * (1.0 / delta)
    return reduce(d * d / ((q * q + 1).sqrt() + 1), reduction)


def log_cosh(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """log(cosh(d)), as Keras ``log_cosh``: about d^2 / 2 near 0 and |d| - log 2 far out.

    Computed as Keras does, d + softplus(-2d) - log 2, which never overflows
    (cosh(d) itself does once |d| > 710, or 89 in float32) and whose
    derivatives are exact everywhere: tanh(d), then 1 - tanh(d)^2.
    """
    p, t = prepare("log_cosh", prediction, target, reduction)
    d = p - t
    exact_softplus = softplus(d * -2, threshold=math.inf)  # no linear cut-off far out
    return reduce(d + exact_softplus - math.log(2.0), reduction)


def cosine_similarity_loss(prediction: Any, target: Any, *, axis: int = -1, reduction: str = "mean") -> Tensor:
    """Negative cosine similarity along ``axis``, one value per sample, as Keras ``cosine_similarity``.

    l = -sum(p_hat * t_hat),  x_hat = x / max(||x||, eps) with eps = 1e-7,

    so -1 means same direction, 0 orthogonal (or a zero vector), 1 opposite.
    ``"mean"`` averages over the samples (Keras's ``sum_over_batch_size``).
    """
    p, t = prepare("cosine_similarity_loss", prediction, target, reduction)
    axis = class_axis("cosine_similarity_loss", p, axis)
    return reduce(-(_unit(p, axis) * _unit(t, axis)).sum(axis=axis), reduction)


def _unit(x: Tensor, axis: int) -> Tensor:
    """x / max(||x||, eps) along ``axis``; clipping the squared norm keeps the gradient finite at 0."""
    return x / (x * x).sum(axis=axis, keepdims=True).clip(min=EPSILON**2).sqrt()
