"""The built-in data sets of ``minigrad compare``, from scikit-learn (imported lazily).

Every data set is split into training and validation parts by a seeded
permutation (the same seed gives the same split) and its features are
standardised with the training part's mean and standard deviation. Regression
targets are standardised too, so every optimizer sees a well-scaled problem;
the validation MAE is reported back in the target's own units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .common import CLIError, require

__all__ = ["Spec", "Data", "DATASETS", "TASKS", "load"]

TASKS = ("multiclass", "binary", "regression")
VALIDATION_FRACTION = 0.2


@dataclass(frozen=True)
class Spec:
    """What ``compare`` needs to know about a data set before loading it."""

    name: str
    task: str  # one of TASKS
    hidden: tuple[int, ...]  # hidden layer sizes of the MLP that fits it
    target: float  # default --target: validation accuracy to reach, or MAE to get under
    epochs: int  # default --epochs: enough to see who gets where (small data sets need more)
    about: str
    loader: Callable[[int], tuple[np.ndarray, np.ndarray]]

    @property
    def metric(self) -> str:
        """The validation metric: ``"accuracy"`` for classification, ``"mae"`` for regression."""
        return "mae" if self.task == "regression" else "accuracy"

    @property
    def higher_is_better(self) -> bool:
        return self.task != "regression"


@dataclass(frozen=True)
class Data:
    """A loaded, split and standardised data set. ``y`` holds class labels (int64) or targets (float32)."""

    spec: Spec
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    n_classes: int  # 0 for regression
    y_scale: float  # regression: the target's standard deviation (1.0 for classification)

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Model outputs: one score per class (multiclass), else one."""
        return self.n_classes if self.spec.task == "multiclass" else 1


def _bunch(name: str) -> Callable[[int], tuple[np.ndarray, np.ndarray]]:
    def load(seed: int) -> tuple[np.ndarray, np.ndarray]:
        bunch = getattr(require("sklearn.datasets"), f"load_{name}")()
        return bunch.data, bunch.target

    return load


def _moons(seed: int) -> tuple[np.ndarray, np.ndarray]:
    return require("sklearn.datasets").make_moons(n_samples=1000, noise=0.2, random_state=seed)


DATASETS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec("digits", "multiclass", (64,), 0.97, 30, "8x8 images of handwritten digits: 1797 x 64, 10 classes",
             _bunch("digits")),
        Spec("moons", "binary", (32, 32), 0.95, 50, "two interleaving half circles, noise 0.2: 1000 x 2, 2 classes", _moons),
        Spec("iris", "multiclass", (16,), 0.9, 100, "iris flowers: 150 x 4, 3 classes", _bunch("iris")),
        Spec("breast_cancer", "binary", (32,), 0.95, 30, "Wisconsin breast cancer: 569 x 30, 2 classes", _bunch("breast_cancer")),
        Spec("diabetes", "regression", (32,), 45.0, 50, "disease progression after one year: 442 x 10, target 25-346",
             _bunch("diabetes")),
    )
}
"""Every built-in data set by name, in the order ``--help`` lists them."""


def load(name: str, seed: int) -> Data:
    """Load data set ``name``, split it by ``seed`` and standardise it."""
    spec = DATASETS.get(name)
    if spec is None:
        raise CLIError(f"unknown dataset {name!r}; valid datasets: {', '.join(DATASETS)}")
    x, y = spec.loader(seed)
    x = np.asarray(x, dtype=np.float64)
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(VALIDATION_FRACTION * len(x)))
    val, train = order[:n_val], order[n_val:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    std[std == 0] = 1.0  # constant pixels of digits stay 0
    x = ((x - mean) / std).astype(np.float32)
    if spec.task == "regression":
        y = np.asarray(y, dtype=np.float64)
        y_mean, y_scale = y[train].mean(), float(y[train].std())
        y, n_classes = ((y - y_mean) / y_scale).astype(np.float32), 0
    else:
        y, n_classes, y_scale = np.asarray(y, dtype=np.int64), int(np.max(y)) + 1, 1.0
    return Data(spec, x[train], y[train], x[val], y[val], n_classes, y_scale)
