"""Multi-class losses: one distribution over C classes per sample.

They return one value per sample with ``reduction="none"`` (the class axis is
summed away), and ``"mean"`` averages those values. Two families share the
fused ops ``softmax_cross_entropy`` (-sum t log softmax(z), gradient
softmax(z) sum(t) - t) and, for integer labels without label smoothing,
``sparse_softmax_cross_entropy`` (the same for a one-hot t, which it never
builds), so every cross-entropy from logits is stable:

* Keras 3 names, classes on the last axis: ``categorical_crossentropy``
  (one-hot or soft targets), ``sparse_categorical_crossentropy`` (integer
  labels), ``softmax_cross_entropy_with_logits``. With probabilities instead
  of logits they follow Keras: renormalise each sample to sum 1, then clip
  to [1e-7, 1 - 1e-7] before the log.
* PyTorch names, classes on axis 1 (axis 0 for a single sample):
  ``cross_entropy`` (logits; integer labels or class probabilities, with
  ``weight``, ``ignore_index`` and ``label_smoothing``) and ``nll_loss``
  (log-probabilities).

``kl_divergence`` compares two distributions along the last axis, as Keras.
"""

from __future__ import annotations

from typing import Any

from ..backend import as_array, asarray, module_of
from ..ops import gather
from ..ops.cross_entropy import SparseSoftmaxCrossEntropy, softmax_cross_entropy
from ..tensor import Tensor
from .common import (
    EPSILON,
    as_labels,
    as_prediction,
    as_target,
    check_labels,
    check_option,
    check_reduction,
    check_unit_interval,
    class_axis,
    one_hot_along,
    prepare,
    reduce,
)

__all__ = [
    "categorical_crossentropy", "softmax_cross_entropy_with_logits", "sparse_categorical_crossentropy",
    "cross_entropy", "nll_loss", "kl_divergence",
]

_LOGITS_HINT = "; for logits, pass from_logits=True"


def categorical_crossentropy(
    prediction: Any, target: Any, *, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
    reduction: str = "mean",
) -> Tensor:
    """Categorical cross-entropy with one-hot or soft targets, as Keras 3 ``categorical_crossentropy``.

    l = -sum_c t_c log p_c  along ``axis``, one value per sample.

    Keras conventions: probabilities are renormalised, p / sum(p), and
    clipped to [1e-7, 1 - 1e-7]; ``label_smoothing`` s replaces t by
    t (1 - s) + s / C (C counted along ``axis``). With ``from_logits=True``
    log p = log_softmax(prediction), through the fused op.
    """
    name = "categorical_crossentropy"
    p, t = prepare(name, prediction, target, reduction)
    axis = class_axis(name, p, axis)
    check_option(name, "label_smoothing", label_smoothing, 0 <= label_smoothing <= 1, "in [0, 1]")
    if label_smoothing:
        t = t * (1 - label_smoothing) + label_smoothing / p.shape[axis]
    values = softmax_cross_entropy(p, t, axis) if from_logits else _clipped_cross_entropy(name, p, t, axis)
    return reduce(values, reduction)


def softmax_cross_entropy_with_logits(prediction: Any, target: Any, *, axis: int = -1, reduction: str = "mean") -> Tensor:
    """Cross-entropy of logits and soft targets, as TensorFlow's ``softmax_cross_entropy_with_logits``.

    l = -sum_c t_c log_softmax(z)_c  along ``axis``: the fused op, stable for any finite logit.
    """
    name = "softmax_cross_entropy_with_logits"
    z, t = prepare(name, prediction, target, reduction)
    return reduce(softmax_cross_entropy(z, t, class_axis(name, z, axis)), reduction)


def sparse_categorical_crossentropy(
    prediction: Any, target: Any, *, from_logits: bool = False, ignore_index: int | None = None, axis: int = -1,
    reduction: str = "mean",
) -> Tensor:
    """Cross-entropy with integer class labels, as Keras 3 ``sparse_categorical_crossentropy``.

    l = -log p_y  for the label y of each sample (classes along ``axis``).

    Labels need an integer dtype and the prediction's shape without the
    class axis; a trailing axis of size 1 is dropped first, as Keras does.
    Probabilities are renormalised and clipped as ``categorical_crossentropy``.
    Samples labelled ``ignore_index`` (Keras's ``ignore_class``) get loss 0
    and ``"mean"`` averages over the other samples only (0 if there are none).
    """
    name = "sparse_categorical_crossentropy"
    check_reduction(name, reduction)
    p = as_prediction(prediction)
    axis = class_axis(name, p, axis)
    labels = as_labels(name, target, p)
    if labels.ndim == p.ndim and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    counted = _check_class_labels(name, p, labels, axis, ignore_index)
    if from_logits:  # "mean" is over the counted samples, as below
        safe = module_of(labels).where(counted, labels, 0)
        return _class_index_cross_entropy(p, safe, counted.astype(p.dtype), axis, reduction)
    hot = Tensor._make(one_hot_along(module_of(labels).where(counted, labels, -1), p.shape[axis], axis, p.dtype))
    values = _clipped_cross_entropy(name, p, hot, axis)
    if ignore_index is None:
        return reduce(values, reduction)
    return _reduce_weighted(values, reduction, counted.sum())


def cross_entropy(
    prediction: Any, target: Any, *, weight: Any = None, ignore_index: int = -100, label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> Tensor:
    """Cross-entropy of logits, exactly as PyTorch ``cross_entropy``.

    ``prediction`` holds logits with the classes on axis 1 (shape (N, C) or
    (N, C, d1, ...)), or on axis 0 for one sample (C,). ``target`` is either

    * integer class indices of shape (N,) or (N, d1, ...):
      l_n = -sum_c w_c ((1 - s) [c = y_n] + s / C) log_softmax(z_n)_c, 0 where y_n = ``ignore_index``,
      and ``"mean"`` divides the sum by sum_n w_{y_n} over the counted samples
      (PyTorch's weighted mean; 0 when every sample is ignored, where PyTorch gives NaN);
    * float class probabilities of the input's shape:
      l_n = -sum_c w_c ((1 - s) t_nc + s / C) log_softmax(z_n)_c, and ``"mean"`` divides by N.

    ``weight`` (shape (C,), a constant) rescales each class, ``label_smoothing`` s
    mixes the target with the uniform distribution.
    """
    name = "cross_entropy"
    check_reduction(name, reduction)
    z = as_prediction(prediction)
    axis = _torch_class_axis(name, z)
    n_classes = z.shape[axis]
    check_option(name, "label_smoothing", label_smoothing, 0 <= label_smoothing <= 1, "in [0, 1]")
    w = _class_weights(name, weight, z, axis)
    raw = target.data if isinstance(target, Tensor) else asarray(target, backend=z.backend)
    if raw.dtype.kind == "f":
        if raw.shape != z.shape:
            raise ValueError(
                f"{name}: a float target is read as class probabilities and needs the input's shape {z.shape}, "
                f"got {raw.shape}; class-index targets need an integer dtype"
            )
        t = as_target(target, z)
        if label_smoothing:
            t = t * (1 - label_smoothing) + label_smoothing / n_classes
        return reduce(softmax_cross_entropy(z, t if w is None else t * w, axis), reduction)
    labels = as_labels(name, raw, z)
    counted = _check_class_labels(name, z, labels, axis, ignore_index)
    m = module_of(labels)
    if not label_smoothing:  # -w_y log_softmax(z)_y
        safe = m.where(counted, labels, 0)
        weights = counted.astype(z.dtype) if w is None else m.where(counted, w.data.reshape(-1)[safe], 0).astype(z.dtype)
        return _class_index_cross_entropy(z, safe, weights, axis, reduction)
    hot = one_hot_along(m.where(counted, labels, -1), n_classes, axis, z.dtype)
    picked = hot if w is None else hot * w.data  # w_{y_n} at the label's class
    t = picked * (1 - label_smoothing)
    if label_smoothing:
        spread = m.expand_dims(counted, axis).astype(z.dtype) * z.dtype.type(label_smoothing / n_classes)
        t = t + (spread if w is None else spread * w.data)
    values = softmax_cross_entropy(z, Tensor._make(t), axis)
    return _reduce_weighted(values, reduction, picked.sum())


def nll_loss(prediction: Any, target: Any, *, weight: Any = None, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities, exactly as PyTorch ``nll_loss``.

    l_n = -w_{y_n} x[n, y_n]  for log-probabilities x (classes on axis 1, or axis 0 for one sample),
    0 where y_n = ``ignore_index``; ``"mean"`` divides the sum by sum_n w_{y_n}
    over the counted samples (0 when every sample is ignored, where PyTorch gives NaN).
    """
    name = "nll_loss"
    check_reduction(name, reduction)
    x = as_prediction(prediction)
    axis = _torch_class_axis(name, x)
    w = _class_weights(name, weight, x, axis)
    labels = as_labels(name, target, x)
    counted = _check_class_labels(name, x, labels, axis, ignore_index)
    m = module_of(labels)
    safe = m.where(counted, labels, 0)
    picked = gather(x, axis, m.expand_dims(safe, axis)).squeeze(axis)
    coefficient = counted.astype(x.dtype) if w is None else w.data.reshape(-1)[safe] * counted
    return _reduce_weighted(-picked * Tensor._make(coefficient), reduction, coefficient.sum())


def kl_divergence(prediction: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """Kullback-Leibler divergence KL(target || prediction), as Keras 3 ``kl_divergence``.

    l = sum_c t_c log(t_c / p_c)  along the last axis, one value per sample.

    Keras convention: both are clipped to [1e-7, 1] first, so zeros are
    allowed. Values outside [0, 1] raise ValueError.
    """
    name = "kl_divergence"
    p, t = prepare(name, prediction, target, reduction)
    class_axis(name, p, -1)
    check_unit_interval(name, "predictions", p)
    check_unit_interval(name, "targets", t)
    p, t = p.clip(EPSILON, 1), t.clip(EPSILON, 1)
    return reduce((t * (t / p).log()).sum(axis=-1), reduction)


def _clipped_cross_entropy(loss: str, p: Tensor, t: Tensor, axis: int) -> Tensor:
    """Keras's cross-entropy of probabilities: -sum t log(clip(p / sum(p), eps, 1 - eps))."""
    check_unit_interval(loss, "probabilities", p, _LOGITS_HINT)
    total = p.sum(axis=axis, keepdims=True)
    if total.size and float(total.data.min()) <= 0:
        raise ValueError(f"{loss}: the probabilities of some sample are all 0 (prediction shape {p.shape}, class axis {axis})")
    q = (p / total).clip(EPSILON, 1 - EPSILON)
    return -(t * q.log()).sum(axis=axis)


def _torch_class_axis(loss: str, x: Tensor) -> int:
    """PyTorch's class axis: 1 for batched input (N, C, ...), 0 for a single sample (C,)."""
    if x.ndim == 0:
        raise ValueError(f"{loss}: the input needs a class axis (shape (C,), (N, C) or (N, C, d1, ...)), got a 0-d tensor")
    return 0 if x.ndim == 1 else 1


def _check_class_labels(loss: str, p: Tensor, labels: Any, axis: int, ignore_index: int | None) -> Any:
    """Labels have the prediction's shape without the class axis and name a class; returns the counted mask."""
    expected = p.shape[:axis] + p.shape[axis + 1:]
    if labels.shape != expected:
        raise ValueError(
            f"{loss}: labels of shape {labels.shape} do not match the prediction of shape {p.shape}; "
            f"expected {expected} (the prediction's shape without class axis {axis})"
        )
    return check_labels(loss, labels, p.shape[axis], ignore_index)


def _class_weights(loss: str, weight: Any, x: Tensor, axis: int) -> Tensor | None:
    """Per-class weights of shape (C,), as a constant shaped to broadcast along the class axis."""
    if weight is None:
        return None
    w = as_target(weight.detach() if isinstance(weight, Tensor) else weight, x)
    n_classes = x.shape[axis]
    if w.shape != (n_classes,):
        raise ValueError(f"{loss}: weight must have shape ({n_classes},), one value per class, got {w.shape}")
    return w.reshape([n_classes if i == axis else 1 for i in range(x.ndim)])


def _class_index_cross_entropy(z: Tensor, safe: Any, weights: Any, axis: int, reduction: str) -> Tensor:
    """-w_n log softmax(z_n)_{y_n} through the fused op; ``"mean"`` divides by the total weight (0 if it is 0).

    ``safe`` holds the labels with each sample that is not counted reading
    class 0, and ``weights`` holds w_n, 0 for such a sample. For a reduction
    the op sums, and for the mean it gets the weights divided by their total,
    so that its sum is the weighted mean.
    """
    if reduction == "none":
        return SparseSoftmaxCrossEntropy.apply(z, labels=safe, weights=weights, axis=axis)
    if reduction == "mean":
        weights = weights / _divisor(weights.sum())
    return SparseSoftmaxCrossEntropy.apply(z, labels=safe, weights=weights, axis=axis, summed=True)


def _divisor(total: Any) -> Any:
    """A total weight to divide by: ``total``, or 1 where it is 0 (every weight is then 0, and so is the mean).

    Computed where ``total`` lives, as a 0-d array: nothing is read back to the host.
    """
    return total + (total == 0)


def _reduce_weighted(values: Tensor, reduction: str, denominator: Any) -> Tensor:
    """Reduce per-sample values whose ``"mean"`` divides by a total weight rather than a count (0 for a total of 0)."""
    if reduction != "mean":
        return reduce(values, reduction)
    return values.sum() * Tensor._make((1 / _divisor(as_array(denominator))).astype(values.dtype))
