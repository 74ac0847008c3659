"""Keras-style training on any Module: ``compile``, ``fit``, ``evaluate``, ``predict``.

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, validation_split=0.2)
    history.history["val_accuracy"]           # one value per epoch
    model.evaluate(x_test, y_test)            # {"loss": ..., "accuracy": ...}
    model.predict(x_test)                     # a NumPy array

One epoch of ``fit`` is the loop you would write by hand::

    for xb, yb in DataLoader(x, y, batch_size, shuffle=True):
        model.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()

plus the bookkeeping: logs averaged per sample (``loss`` and each metric,
then ``val_loss`` and ``val_<metric>`` on the validation data), callbacks
(:mod:`minigrad.callbacks`), and progress output. Float inputs are cast to
the model's dtype (NumPy's float64 data trains a float32 model), and a
target with one axis fewer than a model output ending in size 1 (``(N,)``
labels for an ``(N, 1)`` output) is reshaped to match, as Keras does.

Bad input is refused before any parameter changes: x and y of different
lengths, NaN or inf in the data, an uncompiled model, an optimizer bound to
other parameters, and anything the model, loss or metrics reject on the
first batch (a wrong label dtype, a shape mismatch). A batch whose loss is
NaN or inf updates nothing and stops ``fit`` with an error naming the epoch
and batch; with ``mg.callbacks.TerminateOnNaN`` training stops cleanly instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import backend, dtypes, losses, optim
from .autograd import no_grad
from .callbacks import Callback, CallbackList, History
from .data import DataLoader
from .metrics import get as get_metric
from .progress import ProgressLogger, format_logs
from .tensor import Tensor, as_tensor_data

__all__ = ["TrainingConfig", "compile", "fit", "evaluate", "predict"]


@dataclass
class TrainingConfig:
    """What ``compile`` chose: the optimizer, the loss function and the metrics by their log names."""

    optimizer: optim.Optimizer
    loss: Callable[..., Tensor]
    metrics: dict[str, Callable[..., float]]


def compile(model: Any, optimizer: str | optim.Optimizer = "adam", loss: str | Callable[..., Tensor] | None = None,  # noqa: A001
            metrics: Sequence[str | Callable[..., float]] | None = None) -> None:
    """Prepare ``model`` for ``fit``: sets ``model.optimizer`` and ``model.compiled``.

    ``optimizer``: a name for ``mg.optim.get`` (a new optimizer with its
    default settings) or an Optimizer, unbound (it is bound to the model's
    trainable parameters) or bound to some of this model's parameters.
    ``loss``: a name for ``mg.losses.get`` or a callable (prediction, target)
    -> scalar Tensor. ``metrics``: names for ``mg.metrics.get`` or callables;
    each is logged under the name given (a callable under its ``__name__``).
    """
    if loss is None:
        raise ValueError("compile: give a loss, a name such as 'mse' or a callable (prediction, target) -> scalar")
    loss_fn = losses.get(loss)
    metric_fns: dict[str, Callable[..., float]] = {}
    for m in metrics or ():
        name = m if isinstance(m, str) else getattr(m, "__name__", type(m).__name__)
        if name in metric_fns or name == "loss":
            raise ValueError(f"compile: two metrics would be logged as {name!r}")
        metric_fns[name] = get_metric(m)
    opt = optim.get(optimizer) if isinstance(optimizer, str) else optimizer
    if not isinstance(opt, optim.Optimizer):
        raise TypeError(f"compile: optimizer must be a name or an mg.optim.Optimizer, got {type(opt).__name__}")
    if opt.param_groups:
        _check_optimizer(opt, model, "compile")
    else:
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise ValueError(f"compile: {type(model).__name__} has no trainable parameters")
        opt.add_param_group({"params": params})
    model.optimizer = opt
    model.compiled = TrainingConfig(opt, loss_fn, metric_fns)



def _check_optimizer(opt: optim.Optimizer, model: Any, where: str) -> None:
    mine = {id(p) for p in model.parameters()}
    foreign = [p.shape for g in opt.param_groups for p in g["params"] if id(p) not in mine]
    if foreign:
        raise ValueError(
            f"{where}: the optimizer holds {len(foreign)} parameter(s) that are not this model's (shapes {foreign}); "
            f"compile with an unbound optimizer (a name, or e.g. mg.optim.Adam(lr=...)) or one made from model.parameters()"
        )


def _config(model: Any, where: str) -> TrainingConfig:
    config = getattr(model, "compiled", None)
    if not isinstance(config, TrainingConfig):
        raise RuntimeError(f"{where}: the model is not compiled; call model.compile(optimizer, loss, metrics) first")
    return config


# ---- input data ----
def _model_dtype_and_backend(model: Any) -> tuple[Any, str]:
    for p in model.parameters():
        if p.dtype.kind == "f":
            return p.dtype, p.backend
    return dtypes.DEFAULT_FLOAT, backend.get_backend()


def _array(model: Any, data: Any, name: str, where: str, target: bool = False) -> Any:
    """``data`` as an array on the model's backend; floats (and bool targets) in the model's dtype."""
    dtype, where_to = _model_dtype_and_backend(model)
    a = data.data if isinstance(data, Tensor) else as_tensor_data(data)
    a = backend.asarray(a, backend=where_to)
    if a.ndim == 0:
        raise ValueError(f"{where}: {name} is a scalar; it needs a first (sample) dimension")
    if a.dtype.kind == "f" or (a.dtype.kind == "b" and target):
        a = a.astype(dtype, copy=False)
    if a.dtype.kind == "f":
        bad = ~backend.module_of(a).isfinite(a)
        if bool(bad.any()):
            rows = backend.to_numpy(bad.reshape(len(a), -1).any(axis=1))
            raise ValueError(f"{where}: {name} holds {int(bad.sum())} NaN or infinite value(s), first in sample "
                             f"{int(np.argmax(rows))}; clean or impute the data first")
    return a


def _prepare(model: Any, x: Any, y: Any, where: str, names: tuple[str, str] = ("x", "y")) -> tuple[Any, Any]:
    xa, ya = _array(model, x, names[0], where), _array(model, y, names[1], where, target=True)
    if len(xa) != len(ya):
        raise ValueError(f"{where}: {names[0]} has {len(xa)} samples but {names[1]} has {len(ya)}; they must match")
    if not len(xa):
        raise ValueError(f"{where}: {names[0]} and {names[1]} are empty")
    return xa, ya


def _align(out: Tensor, target: Tensor) -> Tensor:
    """A target of shape (N, ...) for an output (N, ..., 1) gets the trailing axis too (as Keras)."""
    if target.ndim == out.ndim - 1 and out.shape[-1] == 1:
        return target.reshape(out.shape)
    return target


def _loss_value(loss: Tensor, where: str) -> float:
    if not isinstance(loss, Tensor) or loss.size != 1:
        shape = getattr(loss, "shape", type(loss).__name__)
        raise ValueError(f"{where}: the loss must return a scalar Tensor, got {shape}; use reduction='mean'")
    return float(loss.item())


class _Averages:
    """Per-sample averages of the loss and the metrics over the batches seen."""

    def __init__(self, config: TrainingConfig) -> None:
        self.config, self.count = config, 0
        self.sums = dict.fromkeys(["loss", *config.metrics], 0.0)

    def add(self, loss: float, out: Tensor, target: Tensor) -> dict[str, float]:
        n = len(out)
        self.count += n
        self.sums["loss"] += loss * n
        for name, fn in self.config.metrics.items():
            self.sums[name] += float(fn(out, target)) * n
        return self.result()

    def result(self) -> dict[str, float]:
        return {k: v / self.count for k, v in self.sums.items()} if self.count else {}


def _check_first_batch(model: Any, config: TrainingConfig, x: Any, y: Any, where: str) -> None:
    """Run the model, loss and metrics once on the first batch (eval mode, no_grad) so bad input fails early."""
    was = model.training
    model.eval()
    try:
        with no_grad():
            out = model(Tensor._make(x))
            if not isinstance(out, Tensor):
                raise TypeError(f"the model returned a {type(out).__name__}, not a Tensor")
            target = _align(out, Tensor._make(y))
            _loss_value(config.loss(out, target), where)
            for fn in config.metrics.values():
                fn(out, target)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{where}: the model, loss or metrics reject the data (checked on its first {len(x)} "
                        f"samples, before training): {err}") from err
    finally:
        model.train(was)


# ---- the loops ----
def _train_epoch(model: Any, config: TrainingConfig, loader: DataLoader, callbacks: CallbackList,
                 epoch: int) -> dict[str, float]:
    model.train()
    averages = _Averages(config)
    for batch, (xb, yb) in enumerate(loader):
        callbacks.on_train_batch_begin(batch)
        model.zero_grad()
        out = model(xb)
        target = _align(out, yb)
        loss = config.loss(out, target)
        value = _loss_value(loss, "fit")
        if math.isfinite(value):
            loss.backward()
            config.optimizer.step()
        logs = averages.add(value, out, target)
        callbacks.on_train_batch_end(batch, logs)
        if not math.isfinite(value) and not model.stop_training:
            raise FloatingPointError(
                f"fit: the loss is {value} at epoch {epoch + 1}, batch {batch + 1}; that batch updated nothing. "
                f"Check the data, lower the learning rate, or add mg.callbacks.TerminateOnNaN() to stop cleanly"
            )
        if model.stop_training:
            break
    return averages.result()


def _evaluate(model: Any, config: TrainingConfig, x: Any, y: Any, batch_size: int,
              callbacks: CallbackList | None = None) -> dict[str, float]:
    was = model.training
    model.eval()
    averages = _Averages(config)
    try:
        with no_grad():
            for batch, (xb, yb) in enumerate(DataLoader(x, y, batch_size=batch_size)):
                if callbacks is not None:
                    callbacks.on_test_batch_begin(batch)
                out = model(xb)
                target = _align(out, yb)
                logs = averages.add(_loss_value(config.loss(out, target), "evaluate"), out, target)
                if callbacks is not None:
                    callbacks.on_test_batch_end(batch, logs)
    finally:
        model.train(was)
    return averages.result()


def _positive_int(where: str, name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")
    return value


def fit(model: Any, x: Any, y: Any, epochs: int = 1, batch_size: int = 32, validation_data: Any = None,
        validation_split: float = 0.0, shuffle: bool = True, callbacks: Sequence[Callback] | None = None,
        verbose: int = 1, initial_epoch: int = 0) -> History:
    """Train a compiled model on (x, y); returns the History of the epoch logs.

    ``validation_data=(x_val, y_val)``, or ``validation_split`` (a fraction,
    taken from the end of x and y before shuffling, as Keras) adds ``val_*``
    logs. ``shuffle`` draws a new batch order every epoch. ``verbose``: 0
    silent, 1 a progress bar per epoch, 2 one line per epoch.
    ``initial_epoch`` continues a run (see :func:`minigrad.checkpoint.resume`):
    epochs ``initial_epoch .. epochs - 1`` are trained.
    """
    config = _config(model, "fit")
    _check_optimizer(config.optimizer, model, "fit")
    _positive_int("fit", "epochs", epochs, 0)
    _positive_int("fit", "batch_size", batch_size)
    _positive_int("fit", "initial_epoch", initial_epoch, 0)
    if verbose not in (0, 1, 2):
        raise ValueError(f"fit: verbose must be 0, 1 or 2, got {verbose!r}")
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split!r}")
    xa, ya = _prepare(model, x, y, "fit")
    val = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
        x_val, y_val = validation_data
        val = _prepare(model, x_val, y_val, "fit", ("x_val", "y_val"))
    elif validation_split:
        split = math.ceil(len(xa) * (1.0 - validation_split))
        if split == len(xa):
            raise ValueError(f"fit: validation_split={validation_split} leaves no validation sample out of {len(xa)}")
        xa, ya, val = xa[:split], ya[:split], (xa[split:], ya[split:])
    _check_first_batch(model, config, xa[:batch_size], ya[:batch_size], "fit")
    if val is not None:
        _check_first_batch(model, config, val[0][:batch_size], val[1][:batch_size], "fit (validation data)")
    loader = DataLoader(xa, ya, batch_size=batch_size, shuffle=shuffle)
    history, user = History(), list(callbacks or ())
    params = {"epochs": epochs, "steps": len(loader), "verbose": verbose, "initial_epoch": initial_epoch,
              "samples": len(xa), "batch_size": batch_size, "callbacks": user}
    hooks = CallbackList(user + [history] + ([ProgressLogger(verbose)] if verbose else []), model, params)
    was = model.training
    model.stop_training = False
    hooks.on_train_begin()
    logs: dict[str, float] = {}
    for epoch in range(initial_epoch, epochs):
        hooks.on_epoch_begin(epoch)
        logs = _train_epoch(model, config, loader, hooks, epoch)
        if val is not None:
            hooks.on_test_begin()
            val_logs = _evaluate(model, config, *val, batch_size, hooks)
            hooks.on_test_end(val_logs)
            logs.update({f"val_{k}": v for k, v in val_logs.items()})
        hooks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    hooks.on_train_end(logs)
    model.train(was)
    return history


def evaluate(model: Any, x: Any, y: Any, batch_size: int = 32, verbose: int = 0) -> dict[str, float]:
    """The loss and metrics on (x, y), averaged per sample, in eval mode under no_grad.

    ``verbose=1`` (or 2) also prints them on one line.
    """
    config = _config(model, "evaluate")
    _positive_int("evaluate", "batch_size", batch_size)
    xa, ya = _prepare(model, x, y, "evaluate")
    result = _evaluate(model, config, xa, ya, batch_size)
    if verbose:
        print(f"evaluate - {format_logs(result)}")
    return result


def predict(model: Any, x: Any, batch_size: int = 32) -> np.ndarray:
    """The model's outputs for ``x`` as one NumPy array, computed in batches in eval mode under no_grad."""
    _positive_int("predict", "batch_size", batch_size)
    xa = _array(model, x, "x", "predict")
    if not len(xa):
        raise ValueError("predict: x is empty")
    was = model.training
    model.eval()
    outputs = []
    try:
        with no_grad():
            for (xb,) in DataLoader(xa, batch_size=batch_size):
                out = model(xb)
                if not isinstance(out, Tensor):
                    raise TypeError(f"predict: the model returned a {type(out).__name__}, not a Tensor")
                outputs.append(backend.to_numpy(out.data))
    finally:
        model.train(was)
    return np.concatenate(outputs)
