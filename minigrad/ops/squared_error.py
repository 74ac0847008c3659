"""The squared error summed or averaged, as one op: the body of ``mg.losses.mse``.

Unlike the fused cross-entropies next door, this op is not here for numerical
stability: its composition ``d = p - t; (d * d).mean()`` is exact. It is here
for speed. Composed, the loss is three recorded ops, three nodes for the
backward to visit and three ``Function.apply`` calls on the way in; fused it
is one of each, as PyTorch's ``mse_loss`` is one autograd node. The math:

    l = sum_i (p_i - t_i)^2 / n   (reduction "mean"; "sum" leaves out the / n)
    dl/dp = 2 (p - t) / n,   dl/dt = -dl/dp

Its backward is plain arithmetic on the saved inputs, so it runs on arrays
(``on_arrays``) when no graph of the backward is wanted, and is recorded op
by op (giving second derivatives) under ``create_graph``. Inputs broadcast as
in any binary op, and n counts the elements of the broadcast residual; the
losses check that prediction and target have the same shape before calling
it. ``reduction="none"`` is no reduction at all and stays a composition in
``minigrad.losses``.
"""

from __future__ import annotations

from typing import Any

from ..function import Function
from ..tensor import Tensor

__all__ = ["squared_error"]

_REDUCTIONS = ("mean", "sum")


class SquaredError(Function):
    """l = sum((p - t)^2) (/ n for the mean);  dl/dp = 2 (p - t) g (/ n),  dl/dt = -dl/dp"""

    on_arrays = True  # its backward is operators and .size

    @staticmethod
    def forward(ctx, p, t, *, reduction):
        ctx.save_for_backward(p, t)
        ctx.reduction = reduction
        d = p.data - t.data
        total = (d * d).sum()
        # the mean divides, as PyTorch does; an empty mean is 0 / 0 = nan, quietly (as Mean's: see backend.py)
        return total / d.size if reduction == "mean" else total

    @staticmethod
    def backward(ctx, g):
        p, t = ctx.saved_tensors
        d = p - t
        # 2 g (/ n) on the 0-d g first, so the full-size residual meets no Python number
        # (an empty input has an empty gradient, so its factor only needs to be finite: max(n, 1))
        scale = g * (2.0 if ctx.reduction == "sum" else 2.0 / max(d.size, 1))
        gd = d * scale
        need_p, need_t = ctx.needs_input_grad
        return (gd if need_p else None), (-gd if need_t else None)


def squared_error(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """The squared error ``(prediction - target)^2`` summed (``"sum"``) or averaged (``"mean"``), as one op.

    Differentiable in both inputs; they broadcast, and the mean divides by the
    size of the broadcast residual. ``mg.losses.mse`` adds the loss's checks.
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"squared_error: reduction must be 'mean' or 'sum', got {reduction!r}")
    return SquaredError.apply(prediction, target, reduction=reduction)
