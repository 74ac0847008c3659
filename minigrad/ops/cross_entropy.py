"""Fused cross-entropy ops: the two losses whose naive composition is numerically fragile.

Composing ``-(t * log(softmax(z))).sum()`` or ``-log(sigmoid(x))`` from
separate ops overflows or takes ``log(0)`` once logits reach a few hundred,
and the gradients that flow back through ``log`` and ``exp`` lose accuracy
long before that. Each op here computes its value in log-space (log-sum-exp,
log-sigmoid) and has the short, exact gradient of the fused expression:

* softmax cross-entropy:  dl/dz = softmax(z) * sum(t) - t
* sigmoid cross-entropy:  dl/dx = (1 - y) sigmoid(x) - w y sigmoid(-x)   (sigmoid(x) - y for w = 1)

Both stay finite for logits of any finite size. The losses in
``minigrad.losses`` (sparse, categorical and PyTorch-style cross-entropy,
binary cross-entropy with logits) are thin wrappers around these two ops.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..function import Function, xp
from ..tensor import Tensor
from .activation import softplus
from .softmax_family import _one_axis

__all__ = ["softmax_cross_entropy", "sigmoid_cross_entropy"]


def _exact_softplus(x: Tensor) -> Tensor:
    """log(1 + exp(x)) without the linear cut-off ``softplus`` uses by default."""
    return softplus(x, threshold=math.inf)


class SoftmaxCrossEntropy(Function):
    """l = -sum_c t_c log softmax(z)_c;  dl/dz = softmax(z) sum_c t_c - t,  dl/dt = -log softmax(z)"""

    @staticmethod
    def forward(ctx, z, t, *, axis):
        ctx.save_for_backward(z, t)
        ctx.axis = axis
        m = xp(z)
        top = z.data.max(axis=axis, keepdims=True)
        shifted = z.data - m.where(m.isfinite(top), top, 0)  # log p = (z - max) - log sum exp(z - max)
        with backend.quiet(z.data):
            log_p = shifted - m.log(m.exp(shifted).sum(axis=axis, keepdims=True))
            # a class with zero target weight contributes 0, even where its logit is -inf
            terms = m.where(t.data != 0, t.data * log_p, log_p.dtype.type(0))
        return -terms.sum(axis=axis)

    @staticmethod
    def backward(ctx, g):
        z, t = ctx.saved_tensors
        g = g.unsqueeze(ctx.axis)
        # softmax minus target, scaled by the total target mass of each sample
        gz = g * (z.softmax(ctx.axis) * t.sum(axis=ctx.axis, keepdims=True) - t) if ctx.needs_input_grad[0] else None
        gt = -g * z.log_softmax(ctx.axis) if ctx.needs_input_grad[1] else None
        return gz, gt


class SigmoidCrossEntropy(Function):
    """l = w y softplus(-x) + (1 - y) softplus(x)  (= -w y log s(x) - (1 - y) log(1 - s(x)));
    dl/dx = (1 - y) s(x) - w y s(-x),  dl/dy = w softplus(-x) - softplus(x),  dl/dw = y softplus(-x)"""

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.save_for_backward(x, y, w)
        m = xp(x)
        a = x.data
        with backend.quiet(a):
            tail = m.log1p(m.exp(-m.abs(a)))  # log(1 + exp(-|x|)), shared by both softplus terms
        return w.data * y.data * (m.maximum(-a, 0) + tail) + (1 - y.data) * (m.maximum(a, 0) + tail)

    @staticmethod
    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        need_x, need_y, need_w = ctx.needs_input_grad
        # sigmoid minus target with the positive term weighted by w, as two terms that never cancel for 0/1 targets
        gx = g * ((1 - y) * x.sigmoid() - w * y * (-x).sigmoid()) if need_x else None
        gy = g * (w * _exact_softplus(-x) - _exact_softplus(x)) if need_y else None
        gw = g * y * _exact_softplus(-x) if need_w else None
        return gx, gy, gw


def softmax_cross_entropy(logits: Any, target: Any, axis: int = -1) -> Tensor:
    """-sum(target * log_softmax(logits)) along ``axis``: one value per sample.

    ``target`` has the shape of ``logits`` and may hold any non-negative
    weights (one-hot, smoothed or soft labels). Differentiable in both.
    """
    z = logits if isinstance(logits, Tensor) else Tensor(logits)
    if z.ndim == 0:
        raise ValueError("softmax_cross_entropy: logits need a class axis, got a 0-d tensor")
    return SoftmaxCrossEntropy.apply(z, target, axis=_one_axis("softmax_cross_entropy", z, axis))


def sigmoid_cross_entropy(logits: Any, target: Any, pos_weight: Any = 1.0) -> Tensor:
    """Elementwise -pos_weight * y * log(sigmoid(x)) - (1 - y) * log(1 - sigmoid(x)), stably.

    ``pos_weight`` (a number or a tensor broadcastable to the logits) scales
    the positive term. Differentiable in all three inputs.
    """
    return SigmoidCrossEntropy.apply(logits, target, pos_weight)
