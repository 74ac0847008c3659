"""Fused cross-entropy ops: the two losses whose naive composition is numerically fragile.

Composing ``-(t * log(softmax(z))).sum()`` or ``-log(sigmoid(x))`` from
separate ops overflows or takes ``log(0)`` once logits reach a few hundred,
and the gradients that flow back through ``log`` and ``exp`` lose accuracy
long before that. Each op here computes its value in log-space (log-sum-exp,
log-sigmoid) and has the short, exact gradient of the fused expression:

* softmax cross-entropy:  dl/dz = softmax(z) * sum(t) - t
* the same for class labels y (a one-hot t) and sample weights w:  dl/dz = w (softmax(z) - onehot(y))
* sigmoid cross-entropy:  dl/dx = (1 - y) sigmoid(x) - w y sigmoid(-x)   (sigmoid(x) - y for w = 1)

All stay finite for logits of any finite size. The losses in
``minigrad.losses`` (sparse, categorical and PyTorch-style cross-entropy,
binary cross-entropy with logits) are thin wrappers around these ops.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..function import Function, xp
from ..tensor import Tensor
from .activation import softplus
from .softmax_family import _one_axis

__all__ = ["softmax_cross_entropy", "sparse_softmax_cross_entropy", "sigmoid_cross_entropy"]


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


class SparseSoftmaxCrossEntropy(Function):
    """l = -w log softmax(z)_y per sample, for class label y and sample weight w;  dl/dz = w (softmax(z) - onehot(y))

    softmax_cross_entropy for a one-hot target, without building the target:
    the forward reads one log-probability per sample, and the backward is one
    op (SparseSoftmaxCrossEntropyGrad) instead of six. With ``summed`` it
    returns the sum over samples, so weights that sum to 1 give a weighted
    mean in one op.
    """

    @staticmethod
    def forward(ctx, z, *, labels, weights, axis, summed=False):
        m, a = xp(z), _for_reducing(z.data, axis)
        top = a.max(axis=axis, keepdims=True)
        shifted = a - m.where(m.isfinite(top), top, 0)
        with backend.quiet(a):
            e = m.exp(shifted)
            total = e.sum(axis=axis, keepdims=True)
            picked = m.take_along_axis(shifted, m.expand_dims(labels, axis), axis)
            nll = (m.log(total) - picked).squeeze(axis)  # -log softmax(z)_y
            # a sample of weight 0 (ignored) contributes 0, even where its logit is -inf
            values = m.where(weights != 0, weights * nll, nll.dtype.type(0))
        if ctx.needs_input_grad:  # recorded: the backward starts from the probabilities computed here
            ctx.save_for_backward(z)
            ctx.labels, ctx.weights, ctx.axis, ctx.probabilities = labels, weights, axis, e / total
        return values.sum() if summed else values

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return SparseSoftmaxCrossEntropyGrad.apply(g, z, labels=ctx.labels, weights=ctx.weights, axis=ctx.axis,
                                                   probabilities=ctx.probabilities)


class SparseSoftmaxCrossEntropyGrad(Function):
    """The gradient of sparse_softmax_cross_entropy as one op: dz = g w (s - onehot(y)), s = softmax(z);
    its own derivatives: d/dg = w sum_c dz_c (s - onehot(y))_c,  d/dz = g w s (dz - sum_c s_c dz_c)

    ``g`` is one value per sample, or a single value for the summed loss.
    ``probabilities``, softmax(z) as the loss's forward computed it, saves
    computing it again (a second derivative differentiates z.softmax() itself).
    """

    @staticmethod
    def forward(ctx, g, z, *, labels, weights, axis, probabilities=None):
        ctx.save_for_backward(g, z)
        weights = weights.astype(z.dtype, copy=False)  # a constant of the op's dtype
        ctx.labels, ctx.weights, ctx.axis = labels, weights, axis
        m, s = xp(z), probabilities
        if s is None:
            a = _for_reducing(z.data, axis)
            with backend.quiet(a):
                e = m.exp(a - a.max(axis=axis, keepdims=True))
                s = e / e.sum(axis=axis, keepdims=True)
        return m.expand_dims(g.data * weights, axis) * (s - _one_hot(m, labels, z.shape[axis], axis))

    @staticmethod
    def backward(ctx, gg):
        g, z = ctx.saved_tensors
        axis, weights = ctx.axis, Tensor._make(ctx.weights)
        s = z.softmax(axis)
        gg_g = gg_z = None
        if ctx.needs_input_grad[0]:
            hot = Tensor._make(_one_hot(xp(z), ctx.labels, z.shape[axis], axis).astype(s.dtype))
            gg_g = (gg * (s - hot)).sum(axis=axis) * weights
        if ctx.needs_input_grad[1]:
            gg_z = (g * weights).unsqueeze(axis) * s * (gg - (gg * s).sum(axis=axis, keepdims=True))
        return gg_g, gg_z


def _for_reducing(a: Any, axis: int) -> Any:
    """``a``, laid out so that NumPy reduces its class axis fast when that is a short last axis."""
    return backend.by_columns(a) if axis % a.ndim == a.ndim - 1 else a


def _one_hot(m: Any, labels: Any, n_classes: int, axis: int) -> Any:
    """True at each label along ``axis``, False elsewhere (arithmetic reads them as 1 and 0)."""
    axis %= labels.ndim + 1
    classes = m.arange(n_classes).reshape([n_classes if i == axis else 1 for i in range(labels.ndim + 1)])
    return m.expand_dims(labels, axis) == classes


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


def sparse_softmax_cross_entropy(logits: Any, labels: Any, weights: Any = None, axis: int = -1,
                                 summed: bool = False) -> Tensor:
    """-weights * log_softmax(logits)[label] along ``axis``: one value per sample, 0 where the weight is 0.

    ``labels`` are integer class indices with the logits' shape minus
    ``axis``; ``weights`` (default 1) has that shape too and is a constant.
    ``summed=True`` returns the sum of those values. Differentiable in the logits.
    """
    name = "sparse_softmax_cross_entropy"
    z = logits if isinstance(logits, Tensor) else Tensor(logits)
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for logits of shape {z.shape} (they need a class axis)")
    axis %= z.ndim
    y = backend.as_array(labels.data if isinstance(labels, Tensor) else backend.asarray(labels, backend=z.backend))
    expected = z.shape[:axis] + z.shape[axis + 1:]
    if y.dtype.kind not in "iu" or y.shape != expected:
        raise ValueError(
            f"{name}: labels must be integers of shape {expected} (the logits' shape {z.shape} without "
            f"axis {axis}), got {y.dtype} of shape {y.shape}"
        )
    if y.size and bool(((y < 0) | (y >= z.shape[axis])).any()):
        raise ValueError(f"{name}: labels must lie in [0, {z.shape[axis]}), got [{int(y.min())}, {int(y.max())}]")
    m = backend.module_of(y)
    w = m.ones(expected, z.dtype) if weights is None else m.broadcast_to(
        backend.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=z.dtype, backend=z.backend),
        expected,
    )
    return SparseSoftmaxCrossEntropy.apply(z, labels=y, weights=w, axis=axis, summed=summed)


def sigmoid_cross_entropy(logits: Any, target: Any, pos_weight: Any = 1.0) -> Tensor:
    """Elementwise -pos_weight * y * log(sigmoid(x)) - (1 - y) * log(1 - sigmoid(x)), stably.

    ``pos_weight`` (a number or a tensor broadcastable to the logits) scales
    the positive term. Differentiable in all three inputs.
    """
    return SigmoidCrossEntropy.apply(logits, target, pos_weight)
