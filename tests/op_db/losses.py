"""Entries for the fused loss ops (minigrad/ops/cross_entropy.py, minigrad/ops/squared_error.py).

The references compose the textbook formulas in float64 NumPy, on logits
small enough for the naive forms to be exact; extreme logits are tested in
tests/losses, and so is each fused op against its composite form.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad import backend
from minigrad.ops import cross_entropy as ce
from minigrad.ops import squared_error as se

from . import OpInfo, floats_array, shape_st


def _softmax_ce_sample(draw: Any) -> Any:
    shape = draw(shape_st(min_dims=1))
    z = floats_array(draw, shape, -5, 5)
    t = floats_array(draw, shape, 0, 1)  # soft targets that need not sum to 1
    return [z, t], {"axis": draw(st.integers(-len(shape), len(shape) - 1))}


def _softmax_ce_ref(z: np.ndarray, t: np.ndarray, axis: int) -> np.ndarray:
    log_p = z - np.log(np.exp(z).sum(axis, keepdims=True))
    return -(t * log_p).sum(axis)


def _sparse_ce_sample(draw: Any) -> Any:
    shape = draw(shape_st(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    rest = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    labels = draw(hnp.arrays(np.int64, rest, elements=st.integers(0, shape[axis] - 1)))
    weights = draw(hnp.arrays(np.float64, rest, elements=st.sampled_from([0.0, 0.5, 1.0, 2.5])))  # 0: ignored
    return [floats_array(draw, shape, -5, 5)], {"labels": labels, "weights": weights, "axis": axis}


def _log_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    return z - np.log(np.exp(z).sum(axis, keepdims=True))


def _sparse_ce_ref(z: np.ndarray, labels: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    picked = np.take_along_axis(_log_softmax(z, axis), np.expand_dims(labels, axis), axis)
    return -weights * picked.squeeze(axis)


def _sparse_ce_torch(T: Any, z: Any, labels: np.ndarray, weights: np.ndarray, axis: int) -> Any:
    picked = T.log_softmax(z, axis).gather(axis, T.tensor(labels).unsqueeze(axis)).squeeze(axis)
    return -T.tensor(weights, dtype=z.dtype) * picked


def _sparse_ce_grad(g: Any, z: Any, *, labels: np.ndarray, weights: np.ndarray, axis: int) -> Any:
    """The gradient op, as sparse_softmax_cross_entropy's backward calls it: constants on the logits' backend."""
    return ce.SparseSoftmaxCrossEntropyGrad.apply(g, z, labels=backend.asarray(labels, backend=z.backend),
                                                  weights=backend.asarray(weights, backend=z.backend), axis=axis)


def _sparse_ce_grad_sample(draw: Any) -> Any:
    [z], params = _sparse_ce_sample(draw)
    return [floats_array(draw, params["labels"].shape), z], params


def _sparse_ce_grad_ref(g: np.ndarray, z: np.ndarray, labels: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    s = np.exp(_log_softmax(z, axis))
    hot = np.expand_dims(labels, axis) == np.expand_dims(np.arange(z.shape[axis]), tuple(range(1, z.ndim - axis % z.ndim)))
    return np.expand_dims(g * weights, axis) * (s - hot)


def _sigmoid_ce_sample(draw: Any) -> Any:
    shape = draw(shape_st(min_side=0))
    suffix = shape[len(shape) - draw(st.integers(0, len(shape))):]
    w_shape = tuple(n if draw(st.booleans()) else 1 for n in suffix)  # broadcastable to the logits
    return [floats_array(draw, shape, -5, 5), floats_array(draw, shape, 0, 1), floats_array(draw, w_shape, 0.2, 3)], {}


def _sigmoid_ce_ref(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w * y * np.log1p(np.exp(-x)) + (1 - y) * np.log1p(np.exp(x))


def _squared_error_sample(draw: Any) -> Any:
    if draw(st.booleans()):  # the losses' case: one shape (size 0 and 1 included)
        p_shape = t_shape = draw(shape_st(min_side=0))
    else:  # the op itself broadcasts, as any binary op (not to size 0: a 0-d t would get gradient 0 of a nan mean)
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4))
        p_shape, t_shape = shapes.input_shapes
    return [floats_array(draw, p_shape), floats_array(draw, t_shape)], {"reduction": draw(st.sampled_from(["mean", "sum"]))}


def _squared_error_ref(p: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    d = np.subtract(p, t)
    total = (d * d).sum()
    with np.errstate(invalid="ignore"):  # an empty mean is 0 / 0 = nan
        return total / d.size if reduction == "mean" else total


def _squared_error_torch(T: Any, p: Any, t: Any, reduction: str) -> Any:
    # mse_loss broadcasts too, but warns when the shapes differ: give it the broadcast shapes
    return T.nn.functional.mse_loss(*T.broadcast_tensors(p, t), reduction=reduction)


ENTRIES = [
    OpInfo("softmax_cross_entropy", ce.softmax_cross_entropy, _softmax_ce_ref, _softmax_ce_sample,
           (ce.SoftmaxCrossEntropy,), lambda T, z, t, axis: -(t * T.log_softmax(z, axis)).sum(axis)),
    OpInfo("sparse_softmax_cross_entropy", ce.sparse_softmax_cross_entropy, _sparse_ce_ref, _sparse_ce_sample,
           (ce.SparseSoftmaxCrossEntropy,), _sparse_ce_torch),
    OpInfo("sparse_softmax_cross_entropy_grad", _sparse_ce_grad, _sparse_ce_grad_ref,
           _sparse_ce_grad_sample, (ce.SparseSoftmaxCrossEntropyGrad,)),
    OpInfo("sigmoid_cross_entropy", ce.sigmoid_cross_entropy, _sigmoid_ce_ref, _sigmoid_ce_sample,
           (ce.SigmoidCrossEntropy,),
           # binary_cross_entropy_with_logits in the log-sigmoid form, which PyTorch can differentiate in pos_weight
           lambda T, x, y, w: -(w * y * T.nn.functional.logsigmoid(x) + (1 - y) * T.nn.functional.logsigmoid(-x))),
    OpInfo("squared_error", se.squared_error, _squared_error_ref, _squared_error_sample, (se.SquaredError,),
           _squared_error_torch),
]
