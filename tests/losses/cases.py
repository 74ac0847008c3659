"""One entry per loss: the minigrad function, its NumPy reference, and a sampler of valid inputs.

A sampler draws float64 ``(prediction, target, options)`` kept away from the
loss's kinks (so finite differences are meaningful) and, where the target is
differentiable, away from the edges of its valid range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

from ..op_db import floats_array, shape_st
from . import reference as ref

Sample = tuple[np.ndarray, np.ndarray, dict[str, Any]]


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[..., mg.Tensor]
    ref: Callable[..., Any]
    sample: Callable[[Callable[..., Any]], Sample]
    target_grad: bool = True  # the target is a float tensor the loss is differentiable in

    def __repr__(self) -> str:
        return self.name


def _shape(draw: Any, min_dims: int = 0) -> tuple[int, ...]:
    return draw(shape_st(min_dims=min_dims, max_side=3))


def _options(draw: Any, **choices: list[Any]) -> dict[str, Any]:
    return {k: draw(st.sampled_from(v)) for k, v in choices.items()}


# ------------------------------------------------------------- regression
def _residual(kinks: Callable[[dict[str, Any]], tuple[float, ...]] = lambda o: (), **choices: list[Any]) -> Any:
    """prediction = target + d, with the residual d away from the loss's kinks."""

    def sample(draw: Any) -> Sample:
        options = _options(draw, **choices)
        shape = _shape(draw)
        t = floats_array(draw, shape)
        d = floats_array(draw, shape, -3, 3, kinks(options), margin=0.05)
        return t + d, t, options

    return sample


def _cosine(draw: Any) -> Sample:
    shape = _shape(draw, min_dims=1)
    p, t = floats_array(draw, shape), floats_array(draw, shape)
    assume(np.linalg.norm(p, axis=-1).min() > 0.3 and np.linalg.norm(t, axis=-1).min() > 0.3)
    return p, t, {}


# ------------------------------------------------------------- binary
def _binary(logits: bool, **choices: list[Any]) -> Any:
    def sample(draw: Any) -> Sample:
        options = _options(draw, **choices)
        shape = _shape(draw)
        p = floats_array(draw, shape, -5, 5) if logits or options.get("from_logits") else floats_array(draw, shape, 0.02, 0.98)
        return p, floats_array(draw, shape, 0.05, 0.95), options

    return sample


def _bce_logits(draw: Any) -> Sample:
    p, t, _ = _binary(True)(draw)
    per_column = floats_array(draw, p.shape[-1:], 0.2, 3)  # shape (C,), or () for a 0-d prediction
    options = {
        "pos_weight": draw(st.sampled_from([None, 2.5, per_column])),
        "weight": draw(st.sampled_from([None, np.flip(per_column).copy()])),
    }
    return p, t, options


def _weighted_logits(draw: Any) -> Sample:
    p, t, _ = _binary(True)(draw)
    return p, t, {"pos_weight": draw(st.sampled_from([0.5, 3.0]))}


def _hinge(draw: Any) -> Sample:
    shape = _shape(draw)
    signs = draw(st.sampled_from([(-1.0, 1.0), (0.0, 1.0)]))
    t = np.where(floats_array(draw, shape, 0, 1) > 0.5, signs[1], signs[0])
    return floats_array(draw, shape, -3, 3, (1.0, -1.0), margin=0.05), t, {}


# ------------------------------------------------------------- categorical
def _categorical(draw: Any) -> Sample:
    options = _options(draw, from_logits=[False, True], label_smoothing=[0.0, 0.1])
    shape = _shape(draw, min_dims=1)
    options["axis"] = draw(st.integers(-len(shape), len(shape) - 1))
    p = floats_array(draw, shape, -5, 5) if options["from_logits"] else floats_array(draw, shape, 0.05, 0.95)
    return p, floats_array(draw, shape, 0.05, 0.95), options


def _soft_logits(draw: Any) -> Sample:
    shape = _shape(draw, min_dims=1)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return floats_array(draw, shape, -5, 5), floats_array(draw, shape, 0.05, 0.95), {"axis": axis}


def _labels(draw: Any, shape: tuple[int, ...], n_classes: int, ignore: int | None) -> np.ndarray:
    labels = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, n_classes - 1)))
    if ignore is not None and ignore < 0:
        labels = np.where(floats_array(draw, shape, 0, 1) < 0.3, ignore, labels)
    return labels


def _sparse(draw: Any) -> Sample:
    options = _options(draw, from_logits=[False, True], ignore_index=[None, -1, 0])
    shape = _shape(draw, min_dims=1)
    options["axis"] = axis = draw(st.integers(-len(shape), len(shape) - 1))
    p = floats_array(draw, shape, -5, 5) if options["from_logits"] else floats_array(draw, shape, 0.05, 0.95)
    labels_shape = shape[: axis % len(shape)] + shape[axis % len(shape) + 1:]
    return p, _labels(draw, labels_shape, shape[axis], options["ignore_index"]), options


def _torch_layout(draw: Any) -> tuple[tuple[int, ...], int]:
    """An input shape as PyTorch's class losses take it, (C,), (N, C) or (N, C, d), and C."""
    n_classes = draw(st.integers(1, 4))
    layout = draw(st.sampled_from(["single", "batch", "spatial"]))
    n, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return {"single": (n_classes,), "batch": (n, n_classes), "spatial": (n, n_classes, d)}[layout], n_classes


def _class_options(draw: Any, n_classes: int) -> dict[str, Any]:
    weight = np.asarray(floats_array(draw, (n_classes,), 0.2, 2))
    return {"weight": draw(st.sampled_from([None, weight])), "ignore_index": draw(st.sampled_from([-100, 1]))}


def _cross_entropy(draw: Any) -> Sample:
    shape, n_classes = _torch_layout(draw)
    options = _class_options(draw, n_classes)
    options["label_smoothing"] = draw(st.sampled_from([0.0, 0.2]))
    z = floats_array(draw, shape, -5, 5)
    if draw(st.booleans()):  # class probabilities
        options.pop("ignore_index")
        return z, floats_array(draw, shape, 0, 1), options
    axis = 0 if len(shape) == 1 else 1
    return z, _labels(draw, shape[:axis] + shape[axis + 1:], n_classes, None), options


def _nll(draw: Any) -> Sample:
    shape, n_classes = _torch_layout(draw)
    axis = 0 if len(shape) == 1 else 1
    labels = _labels(draw, shape[:axis] + shape[axis + 1:], n_classes, None)
    return floats_array(draw, shape, -5, 0), labels, _class_options(draw, n_classes)


def _kl(draw: Any) -> Sample:
    shape = _shape(draw, min_dims=1)
    return floats_array(draw, shape, 0.05, 0.95), floats_array(draw, shape, 0.05, 0.95), {}


L = mg.losses
CASES = [
    Case("mse", L.mse, ref.mse, _residual()),
    Case("mae", L.mae, ref.mae, _residual(lambda o: (0.0,))),
    Case("huber", L.huber, ref.huber, _residual(lambda o: (-o["delta"], o["delta"]), delta=[0.5, 1.0, 2.0])),
    Case("smooth_l1", L.smooth_l1, ref.smooth_l1, _residual(lambda o: (-o["beta"], o["beta"]), beta=[0.0, 0.5, 1.0])),
    Case("pseudo_huber", L.pseudo_huber, ref.pseudo_huber, _residual(delta=[0.5, 1.0, 3.0])),
    Case("log_cosh", L.log_cosh, ref.log_cosh, _residual()),
    Case("cosine_similarity_loss", L.cosine_similarity_loss, ref.cosine_similarity_loss, _cosine),
    Case("binary_crossentropy", L.binary_crossentropy, ref.binary_crossentropy,
         _binary(False, from_logits=[False, True], label_smoothing=[0.0, 0.1])),
    Case("binary_crossentropy_with_logits", L.binary_crossentropy_with_logits, ref.binary_crossentropy_with_logits,
         _bce_logits),
    Case("weighted_cross_entropy_with_logits", L.weighted_cross_entropy_with_logits,
         ref.weighted_cross_entropy_with_logits, _weighted_logits),
    Case("hinge", L.hinge, ref.hinge, _hinge, target_grad=False),
    Case("squared_hinge", L.squared_hinge, ref.squared_hinge, _hinge, target_grad=False),
    Case("categorical_crossentropy", L.categorical_crossentropy, ref.categorical_crossentropy, _categorical),
    Case("softmax_cross_entropy_with_logits", L.softmax_cross_entropy_with_logits,
         ref.softmax_cross_entropy_with_logits, _soft_logits),
    Case("sparse_categorical_crossentropy", L.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy,
         _sparse, target_grad=False),
    Case("cross_entropy", L.cross_entropy, ref.cross_entropy, _cross_entropy, target_grad=False),
    Case("nll_loss", L.nll_loss, ref.nll_loss, _nll, target_grad=False),
    Case("kl_divergence", L.kl_divergence, ref.kl_divergence, _kl),
]
