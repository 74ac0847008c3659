"""Entries for the fused loss ops (minigrad/ops/cross_entropy.py).

The references compose the textbook formulas in float64 NumPy, on logits
small enough for the naive forms to be exact; extreme logits are tested in
tests/losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from minigrad.ops import cross_entropy as ce

from . import OpInfo, floats_array, shape_st


def _softmax_ce_sample(draw: Any) -> Any:
    shape = draw(shape_st(min_dims=1))
    z = floats_array(draw, shape, -5, 5)
    t = floats_array(draw, shape, 0, 1)  # soft targets that need not sum to 1
    return [z, t], {"axis": draw(st.integers(-len(shape), len(shape) - 1))}


def _softmax_ce_ref(z: np.ndarray, t: np.ndarray, axis: int) -> np.ndarray:
    log_p = z - np.log(np.exp(z).sum(axis, keepdims=True))
    return -(t * log_p).sum(axis)


def _sigmoid_ce_sample(draw: Any) -> Any:
    shape = draw(shape_st(min_side=0))
    suffix = shape[len(shape) - draw(st.integers(0, len(shape))):]
    w_shape = tuple(n if draw(st.booleans()) else 1 for n in suffix)  # broadcastable to the logits
    return [floats_array(draw, shape, -5, 5), floats_array(draw, shape, 0, 1), floats_array(draw, w_shape, 0.2, 3)], {}


def _sigmoid_ce_ref(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w * y * np.log1p(np.exp(-x)) + (1 - y) * np.log1p(np.exp(x))


ENTRIES = [
    OpInfo("softmax_cross_entropy", ce.softmax_cross_entropy, _softmax_ce_ref, _softmax_ce_sample,
           (ce.SoftmaxCrossEntropy,), lambda T, z, t, axis: -(t * T.log_softmax(z, axis)).sum(axis)),
    OpInfo("sigmoid_cross_entropy", ce.sigmoid_cross_entropy, _sigmoid_ce_ref, _sigmoid_ce_sample,
           (ce.SigmoidCrossEntropy,),
           # binary_cross_entropy_with_logits in the log-sigmoid form, which PyTorch can differentiate in pos_weight
           lambda T, x, y, w: -(w * y * T.nn.functional.logsigmoid(x) + (1 - y) * T.nn.functional.logsigmoid(-x))),
]
