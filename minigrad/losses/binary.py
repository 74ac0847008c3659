"""Binary classification losses: an independent yes/no decision per element.

Targets are floats in [0, 1] (hard 0/1 labels or soft ones) and the losses
are elementwise: ``reduction="none"`` keeps one value per element, ``"mean"``
averages them (for the Keras-named ones that equals Keras 3's mean over the
last axis, then over the batch).

* ``binary_crossentropy`` takes probabilities and clips them as Keras does.
* ``binary_crossentropy_with_logits`` takes logits and never clips: it is
  the fused, stable ``sigmoid_cross_entropy`` op, exact for any finite logit.
* ``hinge`` and ``squared_hinge`` are margin losses on raw scores, with
  targets in {-1, 1} (or {0, 1}, mapped to {-1, 1}).
"""

from __future__ import annotations

from typing import Any

from ..backend import module_of, to_numpy
from ..ops.cross_entropy import sigmoid_cross_entropy
from ..tensor import Tensor
from .common import as_target, check_option, check_unit_interval, prepare, reduce

__all__ = [
    "binary_crossentropy", "binary_crossentropy_with_logits", "weighted_cross_entropy_with_logits", "hinge",
    "squared_hinge",
]

_LOGITS_HINT = "; for logits, pass from_logits=True or use binary_crossentropy_with_logits"


def binary_crossentropy(
    prediction: Any, target: Any, *, eps: float = 1e-7, from_logits: bool = False,
    label_smoothing: float = 0.0, reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities, as Keras 3 ``binary_crossentropy``.

    l = -(t log p + (1 - t) log(1 - p)),  with p clipped to [eps, 1 - eps].

    Keras conventions: the clip bounds a confidently wrong prediction's loss
    by -log(eps) (about 16.1) and gives it no gradient; ``label_smoothing``
    s moves targets toward 1/2 as t (1 - s) + s / 2. With ``from_logits=True``
    the prediction is a logit and the stable fused form is used instead (no
    clipping), as Keras's TensorFlow backend does. Targets and probabilities
    outside [0, 1] raise ValueError.
    """
    p, t = prepare("binary_crossentropy", prediction, target, reduction)
    check_option("binary_crossentropy", "eps", eps, 0 < eps < 0.5, "in (0, 0.5)")
    check_option("binary_crossentropy", "label_smoothing", label_smoothing, 0 <= label_smoothing <= 1, "in [0, 1]")
    check_unit_interval("binary_crossentropy", "targets", t)
    if label_smoothing:
        t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return reduce(sigmoid_cross_entropy(p, t), reduction)
    check_unit_interval("binary_crossentropy", "probabilities", p, _LOGITS_HINT)
    p = p.clip(eps, 1 - eps)
    return reduce(-(t * p.log() + (1 - t) * (1 - p).log()), reduction)


def binary_crossentropy_with_logits(
    prediction: Any, target: Any, *, pos_weight: Any = None, weight: Any = None, reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of logits, as PyTorch ``binary_cross_entropy_with_logits``.

    l = -weight (pos_weight t log s(x) + (1 - t) log(1 - s(x))),  s = sigmoid,

    computed in log-sigmoid form by the fused ``sigmoid_cross_entropy`` op,
    whose gradient is (1 - t) s(x) - pos_weight t s(-x) (s(x) - t without pos_weight). Finite
    and exact for any finite logit. ``pos_weight`` > 1 favours recall of
    positives; it and ``weight`` are numbers or tensors broadcastable to the
    prediction (``pos_weight`` of shape (C,) weights each of C labels).
    """
    return _logit_cross_entropy("binary_crossentropy_with_logits", prediction, target, pos_weight, weight, reduction)


def weighted_cross_entropy_with_logits(prediction: Any, target: Any, *, pos_weight: Any, reduction: str = "mean") -> Tensor:
    """TensorFlow's ``weighted_cross_entropy_with_logits``: binary cross-entropy of logits with a required pos_weight.

    l = -(pos_weight t log s(x) + (1 - t) log(1 - s(x))), stably, as
    ``binary_crossentropy_with_logits(prediction, target, pos_weight=...)``.
    """
    return _logit_cross_entropy("weighted_cross_entropy_with_logits", prediction, target, pos_weight, None, reduction)


def hinge(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """Hinge loss, as Keras 3 ``hinge``: l = max(0, 1 - t p) for scores p and targets t in {-1, 1}.

    Keras convention: targets that are all 0 or 1 are mapped to -1 and 1
    (t -> 2t - 1). Any other target values raise ValueError.
    """
    return reduce(_margin_violation("hinge", prediction, target, reduction), reduction)


def squared_hinge(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """Squared hinge loss, as Keras 3 ``squared_hinge``: l = max(0, 1 - t p)^2, targets as ``hinge``."""
    h = _margin_violation("squared_hinge", prediction, target, reduction)
    return reduce(h * h, reduction)


def _logit_cross_entropy(loss: str, prediction: Any, target: Any, pos_weight: Any, weight: Any, reduction: str) -> Tensor:
    """weight * sigmoid_cross_entropy(x, t, pos_weight), after checking the inputs."""
    x, t = prepare(loss, prediction, target, reduction)
    check_unit_interval(loss, "targets", t)
    pw = 1.0 if pos_weight is None else _broadcastable(loss, "pos_weight", pos_weight, x)
    values = sigmoid_cross_entropy(x, t, pw)
    if weight is not None:
        values = values * _broadcastable(loss, "weight", weight, x)
    return reduce(values, reduction)


def _margin_violation(loss: str, prediction: Any, target: Any, reduction: str) -> Tensor:
    """max(0, 1 - t p) with targets mapped to {-1, 1}."""
    p, t = prepare(loss, prediction, target, reduction)
    return (1 - _signed(loss, t) * p).relu()


def _signed(loss: str, t: Tensor) -> Tensor:
    """Targets in {-1, 1}: kept; all in {0, 1}: mapped by 2t - 1; anything else: ValueError."""
    d = t.data
    if bool(((d == 0) | (d == 1)).all()):
        return t * 2 - 1
    if bool(((d == -1) | (d == 1)).all()):
        return t
    found = to_numpy(module_of(d).unique(d))
    shown = ", ".join(f"{v:g}" for v in found[:6]) + (", ..." if found.size > 6 else "")
    raise ValueError(f"{loss}: targets must all be in {{-1, 1}} or all in {{0, 1}}, got values {{{shown}}} (shape {t.shape})")


def _broadcastable(loss: str, name: str, value: Any, like: Tensor) -> Any:
    """A number as is; anything else as a tensor of ``like``'s dtype whose shape broadcasts to ``like``'s."""
    if isinstance(value, (int, float)):
        return float(value)
    w = as_target(value, like)
    fits = w.ndim <= like.ndim and all(a in (1, b) for a, b in zip(reversed(w.shape), reversed(like.shape)))
    if not fits:
        raise ValueError(f"{loss}: {name} of shape {w.shape} does not broadcast to the prediction's shape {like.shape}")
    return w
