"""Normalisation: ``batch_norm`` and ``layer_norm``, as PyTorch.

Both standardise over some axes with one fused op, then scale and shift:

    xhat = (x - mean(x)) / sqrt(var(x) + eps)        (biased variance, over ``axes``)

The fused op's backward is the classic closed form (one pass, no chain of
broadcasts) written with minigrad ops, so second derivatives work too.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import backend
from ..autograd import no_grad
from ..function import Function, xp
from ..tensor import Tensor

__all__ = ["standardize", "batch_norm", "layer_norm"]


class Standardize(Function):
    """xhat = (x - mu) / sigma, sigma = sqrt(var + eps) over ``axes`` (n elements each);

    dx = (g - mean(g) - xhat mean(g xhat)) / sigma
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, axes, eps):
        ctx.save_for_backward(x)
        ctx.axes, ctx.eps = axes, eps
        m = xp(x)
        with backend.quiet(x.data):
            centred = x.data - x.data.mean(axis=axes, keepdims=True)
            var = (centred * centred).mean(axis=axes, keepdims=True)
            return centred / m.sqrt(var + x.data.dtype.type(eps))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xhat, axes = ctx.output, ctx.axes
        sigma = (x.var(axis=axes, keepdims=True, correction=0) + ctx.eps).sqrt()
        return (g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)) / sigma


def standardize(x: Tensor, axes: Sequence[int], eps: float = 1e-5) -> Tensor:
    """(x - mean) / sqrt(var + eps) over ``axes`` (biased variance)."""
    if x.dtype.kind != "f":
        raise TypeError(f"standardize: expected a floating-point tensor, got dtype {x.dtype}")
    return Standardize.apply(x, axes=tuple(a % x.ndim for a in axes), eps=float(eps))


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple[int, ...]) -> Tensor:
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def batch_norm(
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over every axis but the channel axis 1, as ``torch.nn.functional.batch_norm``.

    Training: y = (x - mean_B) / sqrt(var_B + eps) * weight + bias with the
    batch statistics (biased variance), and the running statistics move in
    place towards them: r <- (1 - momentum) r + momentum s, using the unbiased
    batch variance for ``running_var``. Evaluation: the running statistics
    replace the batch's. ``x`` is (N, C) or (N, C, ...).
    """
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got {x.shape}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for an input of shape {x.shape}, got {t.shape}")
    shape = (1, c) + (1,) * (x.ndim - 2)
    axes = (0, *range(2, x.ndim))
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation mode (training=False) needs running_mean and running_var")
        y = (x - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
        return _affine(y, weight, bias, shape)
    count = x.size // c
    if count < 2:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of shape {x.shape}")
    if running_mean is not None or running_var is not None:
        with no_grad():
            _update_running(x, running_mean, running_var, axes, momentum, count)
    return _affine(standardize(x, axes, eps), weight, bias, shape)


def _update_running(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None, axes: tuple[int, ...],
                    momentum: float, count: int) -> None:
    """r <- (1 - momentum) r + momentum s in place, s the batch mean and unbiased variance."""
    m = x.data.dtype.type(momentum)
    if running_mean is not None:
        batch_mean = x.data.mean(axis=axes).astype(running_mean.dtype)
        running_mean.data[...] = (1 - m) * running_mean.data + m * batch_mean
        running_mean._version += 1
    if running_var is not None:
        batch_var = x.data.var(axis=axes, ddof=1).astype(running_var.dtype)
        running_var.data[...] = (1 - m) * running_var.data + m * batch_var
        running_var._version += 1


def layer_norm(
    x: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None, bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` axes, as ``torch.nn.functional.layer_norm``.

    y = (x - mean) / sqrt(var + eps) * weight + bias, statistics (biased
    variance) over the last ``len(normalized_shape)`` axes of each sample.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise ValueError(f"layer_norm: normalized_shape {shape} must match the trailing dimensions of the input {x.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"layer_norm: {name} must have shape {shape}, got {t.shape}")
    y = standardize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    return _affine(y, weight, bias, shape)

