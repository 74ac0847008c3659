"""Metrics: plain functions of (prediction, target) that return a Python float.

    mg.metrics.accuracy(probabilities, labels)      # 0.93
    mg.metrics.get("mae")(prediction, target)

They record nothing on the tape and follow Keras 3: when prediction and
target ranks differ by one because of a trailing axis of size 1, as with a
(N, 1) model output and (N,) labels, that axis is dropped before comparing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import backend
from .tensor import Tensor

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "mae", "mse",
    "get", "names",
]


def accuracy(prediction: Any, target: Any) -> float:
    """Fraction of correct predictions, choosing the kind from the shapes as Keras's ``"accuracy"`` does.

    * binary (``binary_accuracy``) when the prediction's last axis has size 1,
      or it is 1-D with a target of its own shape (one score per sample);
    * sparse (``sparse_categorical_accuracy``) when the target has fewer axes
      than the prediction, or a last axis of size 1;
    * categorical (``categorical_accuracy``) otherwise.
    """
    p, t = _arrays(prediction, target)
    if p.ndim == 0 or p.shape[-1] == 1:
        return binary_accuracy(p, t)
    if t.ndim < p.ndim or t.shape[-1] == 1:
        return sparse_categorical_accuracy(p, t)
    if p.ndim == 1:
        return binary_accuracy(p, t)
    return categorical_accuracy(p, t)


def binary_accuracy(prediction: Any, target: Any, threshold: float = 0.5) -> float:
    """Fraction of elements where (prediction > threshold) equals the 0/1 target."""
    p, t = _aligned("binary_accuracy", prediction, target)
    return _mean((p > threshold) == t)


def categorical_accuracy(prediction: Any, target: Any) -> float:
    """Fraction of samples whose highest-scoring class is the target's (one-hot or soft) highest class."""
    p, t = _arrays(prediction, target)
    _same_shape("categorical_accuracy", p, t)
    if p.ndim == 0:
        raise ValueError("categorical_accuracy: the prediction needs a class axis, got a 0-d array")
    return _mean(p.argmax(axis=-1) == t.argmax(axis=-1))


def sparse_categorical_accuracy(prediction: Any, target: Any) -> float:
    """Fraction of samples whose highest-scoring class (last axis) equals the integer label."""
    p, t = _arrays(prediction, target)
    if t.ndim == p.ndim and t.ndim and t.shape[-1] == 1:
        t = t[..., 0]
    if p.ndim == 0 or t.shape != p.shape[:-1]:
        raise ValueError(
            f"sparse_categorical_accuracy: labels of shape {t.shape} do not match predictions of shape {p.shape}; "
            f"expected {p.shape[:-1]} (one label per row of class scores)"
        )
    return _mean(p.argmax(axis=-1) == t)


def mae(prediction: Any, target: Any) -> float:
    """Mean absolute error mean(|p - t|)."""
    p, t = _aligned("mae", prediction, target)
    return _mean(backend.module_of(p).abs(p - t))


def mse(prediction: Any, target: Any) -> float:
    """Mean squared error mean((p - t)^2)."""
    p, t = _aligned("mse", prediction, target)
    return _mean((p - t) ** 2)


def _arrays(prediction: Any, target: Any) -> tuple[Any, Any]:
    """Both as backend arrays, the target on the prediction's backend."""
    if isinstance(prediction, Tensor):
        p = prediction.data
    else:
        p = prediction if backend.is_array(prediction) else backend.asarray(prediction)
    t = target.data if isinstance(target, Tensor) else backend.asarray(target, backend=backend.backend_of(p))
    return p, t


def _aligned(metric: str, prediction: Any, target: Any) -> tuple[Any, Any]:
    """Arrays of one shape, after dropping a trailing size-1 axis that only one of them has (as Keras)."""
    p, t = _arrays(prediction, target)
    if p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        p = p[..., 0]
    elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = t[..., 0]
    _same_shape(metric, p, t)
    return p, t


def _same_shape(metric: str, p: Any, t: Any) -> None:
    if p.shape != t.shape:
        raise ValueError(f"{metric}: prediction shape {p.shape} and target shape {t.shape} differ")


def _mean(values: Any) -> float:
    with backend.quiet(values):
        return float(values.mean()) if values.size else float("nan")


METRICS: dict[str, Callable[..., float]] = {
    fn.__name__: fn for fn in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mae, mse)
}
ALIASES = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse"}


def _key(name: str) -> str:
    return name.lower().replace("_", "")


_BY_KEY = {_key(n): fn for n, fn in METRICS.items()} | {_key(a): METRICS[n] for a, n in ALIASES.items()}


def names() -> list[str]:
    """Every valid metric name, aliases included, sorted."""
    return sorted(set(METRICS) | set(ALIASES))


def get(identifier: str | Callable[..., float], **options: Any) -> Callable[..., float]:
    """The metric named ``identifier`` (case-insensitive; or the callable itself), ``options`` bound.

    ``get("binary_accuracy", threshold=0.7)``. An unknown name raises ValueError listing the valid ones.
    """
    fn: Callable[..., float] | None
    if callable(identifier):
        fn = identifier
    elif isinstance(identifier, str):
        fn = _BY_KEY.get(_key(identifier))
        if fn is None:
            raise ValueError(f"unknown metric {identifier!r}; valid names: {', '.join(names())}")
    else:
        raise TypeError(f"metrics.get: expected a metric name or a callable, got {type(identifier).__name__}")
    return functools.update_wrapper(functools.partial(fn, **options), fn) if options else fn
