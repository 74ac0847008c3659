"""What every loss shares: turning inputs into tensors, checking them, and reducing.

Each check raises a ValueError that names the loss and the offending shapes
or values, so bad input is reported where it enters instead of surfacing
later as a NaN. Checks that look at values (label ranges, probabilities)
read one small result back from the array; on a GPU that is one small sync.
"""

from __future__ import annotations

from typing import Any

from .. import backend, dtypes
from ..tensor import Tensor

__all__ = [
    "EPSILON", "REDUCTIONS", "check_reduction", "reduce", "as_prediction", "as_target", "prepare",
    "check_same_shape", "check_unit_interval", "check_option", "as_labels", "check_labels", "class_axis",
    "one_hot_along",
]

EPSILON = 1e-7
"""Keras's ``backend.epsilon()``: the clipping margin of the Keras-named losses."""

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(loss: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        valid = ", ".join(repr(r) for r in REDUCTIONS)
        raise ValueError(f"{loss}: reduction must be one of {valid}, got {reduction!r}")


def reduce(values: Tensor, reduction: str) -> Tensor:
    """``"mean"`` averages the per-element (or per-sample) values, ``"sum"`` adds them, ``"none"`` keeps them."""
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def as_prediction(x: Any) -> Tensor:
    """``x`` as a floating-point tensor (integer data becomes float32)."""
    t = x if isinstance(x, Tensor) else Tensor(x)
    return t if t.dtype.kind == "f" else t.astype(dtypes.DEFAULT_FLOAT)


def as_target(y: Any, like: Tensor) -> Tensor:
    """``y`` as a tensor of ``like``'s dtype on ``like``'s backend (a target needs no dtype of its own)."""
    t = y if isinstance(y, Tensor) else Tensor(backend.asarray(y, backend=like.backend))
    return t if t.dtype == like.dtype else t.astype(like.dtype)


def check_same_shape(loss: str, prediction: Tensor, target: Tensor, what: str = "target") -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{loss}: prediction shape {prediction.shape} and {what} shape {target.shape} differ; "
            f"losses do not broadcast, so reshape one to match the other"
        )


def prepare(loss: str, prediction: Any, target: Any, reduction: str) -> tuple[Tensor, Tensor]:
    """The common start of a loss of two same-shaped inputs: check, convert, compare shapes."""
    check_reduction(loss, reduction)
    p = as_prediction(prediction)
    t = as_target(target, p)
    check_same_shape(loss, p, t)
    return p, t


def check_unit_interval(loss: str, what: str, t: Tensor, hint: str = "") -> None:
    """Every value of ``t`` lies in [0, 1] (NaN fails too)."""
    if t.size == 0:
        return
    m = backend.module_of(t.data)
    lo, hi = backend.to_numpy(m.stack([t.data.min(), t.data.max()])).tolist()  # one read back from the device
    if not (0 <= lo and hi <= 1):
        raise ValueError(f"{loss}: {what} must lie in [0, 1], got values in [{lo:g}, {hi:g}] (shape {t.shape}){hint}")


def check_option(loss: str, name: str, value: float, ok: bool, expected: str) -> None:
    if not ok:
        raise ValueError(f"{loss}: {name} must be {expected}, got {value!r}")


def as_labels(loss: str, labels: Any, like: Tensor) -> Any:
    """Integer class labels as a backend array on ``like``'s backend."""
    data = labels.data if isinstance(labels, Tensor) else backend.asarray(labels, backend=like.backend)
    if data.dtype.kind not in "iu":
        raise ValueError(
            f"{loss}: class labels must have an integer dtype, got {data.dtype} (shape {data.shape}); "
            f"convert them with .astype(mg.int64), or use a categorical loss for one-hot or soft targets"
        )
    return data


def check_labels(loss: str, labels: Any, n_classes: int, ignore_index: int | None) -> Any:
    """Check every label (other than ``ignore_index``) lies in [0, n_classes); return the mask of counted labels."""
    counted = labels == labels if ignore_index is None else labels != ignore_index
    if labels.size and bool((((labels < 0) | (labels >= n_classes)) & counted).any()):  # one read from the device
        used = backend.to_numpy(labels)[backend.to_numpy(counted)]
        skip = "" if ignore_index is None else f" (ignore_index={ignore_index} aside)"
        raise ValueError(
            f"{loss}: labels must lie in [0, {n_classes}) for {n_classes} classes{skip}, "
            f"got labels in [{int(used.min())}, {int(used.max())}] (labels shape {labels.shape})"
        )
    return counted


def class_axis(loss: str, prediction: Tensor, axis: int) -> int:
    """``axis`` of ``prediction`` as a non-negative int; the prediction must have one."""
    if prediction.ndim == 0:
        raise ValueError(f"{loss}: the prediction needs an axis of classes or features, got a 0-d tensor")
    if not -prediction.ndim <= axis < prediction.ndim:
        raise ValueError(f"{loss}: axis {axis} is out of range for a prediction of shape {prediction.shape}")
    return axis % prediction.ndim


def one_hot_along(labels: Any, n_classes: int, axis: int, dtype: Any) -> Any:
    """One-hot array of ``labels`` with the classes along ``axis``; labels outside [0, n_classes) give zero rows."""
    m = backend.module_of(labels)
    classes = m.arange(n_classes).reshape([n_classes if i == axis else 1 for i in range(labels.ndim + 1)])
    return (m.expand_dims(labels, axis) == classes).astype(dtype)
