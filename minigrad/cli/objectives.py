"""Which losses fit which task, and how ``compare`` feeds each one.

The model always ends in raw scores: one logit per class (multiclass), one
logit (binary) or one value (regression). Each loss gets the targets it
expects (integer labels, one-hot rows or a 0/1 column) and, where it takes
probabilities rather than scores, a softmax or sigmoid in front of it.
Multiclass hinge and sigmoid cross-entropy are one-vs-rest on one-hot targets,
as Keras applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import losses, metrics
from ..ops import log_softmax, sigmoid, softmax
from ..tensor import Tensor
from .common import CLIError
from .datasets import Data, Spec

__all__ = ["Objective", "NATURAL_LOSS", "fitting_losses", "resolve", "objective", "validation_metric"]

Loss = Callable[[Tensor, Tensor], Tensor]


@dataclass(frozen=True)
class Objective:
    """A loss ready for ``compile`` and the targets it trains on."""

    name: str  # the loss's own name (aliases resolved)
    loss: Loss
    y_train: np.ndarray
    y_val: np.ndarray


def _labels(y: np.ndarray, data: Data) -> np.ndarray:
    return y


def _one_hot(y: np.ndarray, data: Data) -> np.ndarray:
    return np.eye(data.n_classes, dtype=np.float32)[y]


def _column(y: np.ndarray, data: Data) -> np.ndarray:
    return y.astype(np.float32).reshape(-1, 1)


def _on(transform: Callable[[Tensor], Tensor], name: str) -> Callable[[Data], Loss]:
    """The loss ``name`` applied to ``transform(scores)``: for losses that take probabilities."""
    fn = losses.get(name)
    return lambda data: lambda p, t: fn(transform(p), t)


def _bound(name: str, **options: Any) -> Callable[[Data], Loss]:
    return lambda data: losses.get(name, **options)


def _pos_weight(data: Data) -> Loss:
    """Weighted sigmoid cross-entropy with pos_weight = negatives / positives in the training set."""
    positives = float(data.y_train.sum())
    return losses.get("weighted_cross_entropy_with_logits", pos_weight=(len(data.y_train) - positives) / positives)


_FITS: dict[str, dict[str, tuple[Callable[[np.ndarray, Data], np.ndarray], Callable[[Data], Loss]]]] = {
    "multiclass": {
        "sparse_categorical_crossentropy": (_labels, _bound("sparse_categorical_crossentropy", from_logits=True)),
        "cross_entropy": (_labels, _bound("cross_entropy")),
        "nll_loss": (_labels, _on(lambda p: log_softmax(p, axis=-1), "nll_loss")),
        "categorical_crossentropy": (_one_hot, _bound("categorical_crossentropy", from_logits=True)),
        "softmax_cross_entropy_with_logits": (_one_hot, _bound("softmax_cross_entropy_with_logits")),
        "kl_divergence": (_one_hot, _on(lambda p: softmax(p, axis=-1), "kl_divergence")),
        "binary_crossentropy_with_logits": (_one_hot, _bound("binary_crossentropy_with_logits")),
        "hinge": (_one_hot, _bound("hinge")),
        "squared_hinge": (_one_hot, _bound("squared_hinge")),
    },
    "binary": {
        "binary_crossentropy_with_logits": (_column, _bound("binary_crossentropy_with_logits")),
        "binary_crossentropy": (_column, _on(sigmoid, "binary_crossentropy")),
        "weighted_cross_entropy_with_logits": (_column, _pos_weight),
        "hinge": (_column, _bound("hinge")),
        "squared_hinge": (_column, _bound("squared_hinge")),
    },
    "regression": {
        name: (_column, _bound(name)) for name in ("mse", "mae", "huber", "smooth_l1", "pseudo_huber", "log_cosh")
    },
}

NATURAL_LOSS = {task: next(iter(fits)) for task, fits in _FITS.items()}
"""The loss ``compare`` uses when none is asked for: the first of each task's list."""


def fitting_losses(task: str) -> list[str]:
    """The losses that fit ``task``, the natural one first."""
    return list(_FITS[task])


def resolve(name: str, spec: Spec) -> str:
    """The own name of loss ``name`` (any name ``mg.losses.get`` takes) if it fits ``spec``'s task, else a CLIError."""
    fits = _FITS[spec.task]
    try:
        canonical = losses.get(name).__name__
    except ValueError:
        raise CLIError(f"unknown loss {name!r}; valid losses for {spec.name}: {', '.join(fits)}") from None
    if canonical not in fits:
        raise CLIError(f"loss {name!r} does not fit {spec.name} ({spec.task} task); valid losses: {', '.join(fits)}")
    return canonical


def objective(name: str, data: Data) -> Objective:
    """Loss ``name`` (as ``resolve`` returns it) set up for ``data``: the callable and the targets it trains on."""
    encode, build = _FITS[data.spec.task][name]
    return Objective(name, build(data), encode(data.y_train, data), encode(data.y_val, data))


def accuracy(prediction: Any, target: Any) -> float:
    """Binary accuracy of logits or margins: a score above 0 predicts class 1."""
    return metrics.binary_accuracy(prediction, target, threshold=0.0)


def validation_metric(task: str) -> str | Callable[[Any, Any], float]:
    """What ``compile(metrics=[...])`` gets: accuracy of the scores for classification, MAE for regression."""
    if task == "binary":
        return accuracy  # logged as "accuracy" too: the threshold is 0, as the scores are logits or margins
    return "accuracy" if task == "multiclass" else "mae"
