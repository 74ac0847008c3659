"""Matrix product ``x @ y`` with NumPy's rules for 1-D operands and batch broadcasting, and the fused
``x W^T + b`` of a linear layer."""

from __future__ import annotations

from typing import Any

from ..function import Function
from ..tensor import Tensor

__all__ = ["matmul"]


class MatMul(Function):
    """d(x @ y) = dx @ y + x @ dy, so gx = g @ y^T and gy = x^T @ g.

    A 1-D ``x`` acts as a row vector and a 1-D ``y`` as a column vector; the
    backward lifts them to matrices, multiplies, and drops the added axis.
    Batch axes broadcast; the engine sums gradients back over them.
    """

    name = "matmul"
    on_arrays = True  # its backward is operators, .T, reshape, swapaxes and squeeze

    @staticmethod
    def forward(ctx, x, y):
        a, b = x.data, y.data
        if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]:  # the common case, checked cheaply
            ctx.save_for_backward(x, y)
            return a @ b
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(f"matmul: both operands need at least one dimension, got shapes {x.shape} and {y.shape}")
        k_x = x.shape[-1]
        k_y = y.shape[-2] if y.ndim > 1 else y.shape[0]
        if k_x != k_y:
            raise ValueError(
                f"matmul: shapes {x.shape} and {y.shape} are not aligned: the last axis of the "
                f"first ({k_x}) must equal the {'second-to-last' if y.ndim > 1 else 'only'} axis of the second ({k_y})"
            )
        ctx.save_for_backward(x, y)
        return x.data @ y.data

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        if x.ndim == 2 and y.ndim == 2:
            return (g @ y.T if need_x else None), (x.T @ g if need_y else None)
        if x.ndim == 1 and y.ndim == 1:
            return (g * y if need_x else None), (g * x if need_y else None)
        # lift a 1-D operand to a matrix (x a row, y a column), and g to match; then drop the added axis
        x2 = x.reshape((1,) + x.shape) if x.ndim == 1 else x
        y2 = y.reshape(y.shape + (1,)) if y.ndim == 1 else y
        g2 = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if x.ndim == 1 else g
        g2 = g2.reshape(g2.shape + (1,)) if y.ndim == 1 else g2
        gx = gy = None
        if need_x:
            gx = g2 @ y2.swapaxes(-1, -2)
            gx = gx.squeeze(-2) if x.ndim == 1 else gx
        if need_y:
            gy = x2.swapaxes(-1, -2) @ g2
            gy = gy.squeeze(-1) if y.ndim == 1 else gy
        return gx, gy


class Linear(Function):
    """y = x W^T + b  (b optional);  gx = g W,  gW = g^T x,  gb = sum of g over the leading axes

    ``x`` is (..., in_features) and W (out_features, in_features), as PyTorch's
    ``linear``. One op instead of a transpose, a product and an addition: the
    bias is added in place to the product, an array of the op's own, so a layer
    makes one array rather than two. The gradients of W and b sum over every
    leading axis of ``x``, flattened into one.
    """

    on_arrays = True  # its backward is @, .T, reshape and sum

    @staticmethod
    def forward(ctx, x, w, b=None):
        if ctx.needs_input_grad:  # recorded: keep only what backward uses, W for dx and x for dW
            need_x, need_w = ctx.needs_input_grad[:2]
            ctx.save_for_backward(x if need_w else None, w if need_x else None)
        out = x.data @ w.data.T
        if b is not None:
            out += b.data
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        n_out, n_in = ctx.in_shapes[1]
        need = ctx.needs_input_grad
        rows = g.reshape(-1, n_out)  # every leading axis flattened: one row per sample
        gx = g @ w if need[0] else None
        gw = rows.T @ x.reshape(-1, n_in) if need[1] else None
        if len(need) == 2:
            return gx, gw
        return gx, gw, (rows.sum(axis=0) if need[2] else None)


def matmul(x: Any, y: Any) -> Tensor:
    """Matrix product ``x @ y`` (NumPy semantics: 1-D operands, broadcast batch axes)."""
    return MatMul.apply(x, y)
