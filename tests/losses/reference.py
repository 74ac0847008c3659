"""NumPy float64 references for every loss, written from the textbook formulas.

Each returns ``(values, denominator)``: the unreduced values (per element or
per sample) and, for the losses whose ``"mean"`` divides by a total weight
rather than a count, that weight (None otherwise). They share no code with
minigrad, and use the naive forms (log of softmax, sigmoid then log), which
are exact on the moderate inputs the property tests draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

EPS = 1e-7


def reduce(values: np.ndarray, denominator: float | None, reduction: str) -> np.ndarray:
    if reduction == "none":
        return values
    if reduction == "sum":
        return np.asarray(values.sum())
    if denominator is None:
        return np.asarray(values.mean())
    return np.asarray(values.sum() / denominator if denominator else 0.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _log_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    return z - np.log(np.exp(z).sum(axis, keepdims=True))


# ------------------------------------------------------------- regression
def mse(p: np.ndarray, t: np.ndarray) -> Any:
    return (p - t) ** 2, None


def mae(p: np.ndarray, t: np.ndarray) -> Any:
    return np.abs(p - t), None


def huber(p: np.ndarray, t: np.ndarray, delta: float = 1.0) -> Any:
    a = np.abs(p - t)
    return np.where(a < delta, 0.5 * a**2, delta * (a - 0.5 * delta)), None


def smooth_l1(p: np.ndarray, t: np.ndarray, beta: float = 1.0) -> Any:
    a = np.abs(p - t)
    if beta == 0:
        return a, None
    return np.where(a < beta, 0.5 * a**2 / beta, a - 0.5 * beta), None


def pseudo_huber(p: np.ndarray, t: np.ndarray, delta: float = 1.0) -> Any:
    return delta**2 * (np.sqrt(1 + ((p - t) / delta) ** 2) - 1), None


def log_cosh(p: np.ndarray, t: np.ndarray) -> Any:
    return np.log(np.cosh(p - t)), None


def cosine_similarity_loss(p: np.ndarray, t: np.ndarray, axis: int = -1) -> Any:
    unit = lambda x: x / np.linalg.norm(x, axis=axis, keepdims=True)
    return -(unit(p) * unit(t)).sum(axis), None


# ------------------------------------------------------------- binary
def binary_crossentropy(p: np.ndarray, t: np.ndarray, eps: float = EPS, from_logits: bool = False,
                        label_smoothing: float = 0.0) -> Any:
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = _sigmoid(p)  # Keras's NumPy backend: sigmoid, then the same clip
    p = np.clip(p, eps, 1 - eps)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)), None


def binary_crossentropy_with_logits(x: np.ndarray, t: np.ndarray, pos_weight: Any = None, weight: Any = None) -> Any:
    pw = 1.0 if pos_weight is None else pos_weight
    s = _sigmoid(x)
    values = -(pw * t * np.log(s) + (1 - t) * np.log(1 - s))
    return values * (1.0 if weight is None else weight), None


def weighted_cross_entropy_with_logits(x: np.ndarray, t: np.ndarray, pos_weight: Any) -> Any:
    return binary_crossentropy_with_logits(x, t, pos_weight=pos_weight)


def hinge(p: np.ndarray, t: np.ndarray) -> Any:
    if np.isin(t, (0, 1)).all():
        t = 2 * t - 1
    return np.maximum(0, 1 - t * p), None


def squared_hinge(p: np.ndarray, t: np.ndarray) -> Any:
    h, _ = hinge(p, t)
    return h**2, None


# ------------------------------------------------------------- categorical
def categorical_crossentropy(p: np.ndarray, t: np.ndarray, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> Any:
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[axis]
    if from_logits:
        log_p = _log_softmax(p, axis)
    else:
        log_p = np.log(np.clip(p / p.sum(axis, keepdims=True), EPS, 1 - EPS))
    return -(t * log_p).sum(axis), None


def softmax_cross_entropy_with_logits(z: np.ndarray, t: np.ndarray, axis: int = -1) -> Any:
    return -(t * _log_softmax(z, axis)).sum(axis), None


def _pick(a: np.ndarray, labels: np.ndarray, axis: int) -> np.ndarray:
    return np.take_along_axis(a, np.expand_dims(labels, axis), axis).squeeze(axis)


def sparse_categorical_crossentropy(p: np.ndarray, labels: np.ndarray, from_logits: bool = False,
                                    ignore_index: int | None = None, axis: int = -1) -> Any:
    if from_logits:
        log_p = _log_softmax(p, axis)
    else:
        log_p = np.log(np.clip(p / p.sum(axis, keepdims=True), EPS, 1 - EPS))
    counted = np.ones(labels.shape, bool) if ignore_index is None else labels != ignore_index
    values = -_pick(log_p, np.where(counted, labels, 0), axis) * counted
    return values, (None if ignore_index is None else counted.sum())


def cross_entropy(z: np.ndarray, target: np.ndarray, weight: Any = None, ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> Any:
    """PyTorch's formula as LossNLL.cpp writes it: (1 - s) nll + s / C * smooth, each weighted."""
    axis = 0 if z.ndim == 1 else 1
    n_classes = z.shape[axis]
    w = np.ones(n_classes) if weight is None else weight
    w_along = w.reshape([n_classes if i == axis else 1 for i in range(z.ndim)])
    log_p = _log_softmax(z, axis)
    if target.dtype.kind == "f":
        t = target * (1 - label_smoothing) + label_smoothing / n_classes
        return -(t * w_along * log_p).sum(axis), None
    counted = target != ignore_index
    safe = np.where(counted, target, 0)
    nll = -w[safe] * _pick(log_p, safe, axis) * counted
    smooth = -(log_p * w_along).sum(axis) * counted
    return (1 - label_smoothing) * nll + label_smoothing / n_classes * smooth, (w[safe] * counted).sum()


def nll_loss(x: np.ndarray, target: np.ndarray, weight: Any = None, ignore_index: int = -100) -> Any:
    axis = 0 if x.ndim == 1 else 1
    w = np.ones(x.shape[axis]) if weight is None else weight
    counted = target != ignore_index
    safe = np.where(counted, target, 0)
    return -w[safe] * _pick(x, safe, axis) * counted, (w[safe] * counted).sum()


def kl_divergence(p: np.ndarray, t: np.ndarray) -> Any:
    p, t = np.clip(p, EPS, 1), np.clip(t, EPS, 1)
    return (t * np.log(t / p)).sum(-1), None
