"""``mg.callbacks``: hooks into ``fit``, with Keras's names and behaviour.

A callback subclasses :class:`Callback` and overrides any of ``on_train_begin
/ end``, ``on_epoch_begin / end``, ``on_train_batch_begin / end`` and
``on_test_begin / end``, ``on_test_batch_begin / end`` (validation). Each
gets ``logs``, a dict of the running or final values (``"loss"``,
``"accuracy"``, ``"val_loss"``, ...). ``self.model`` is the model being
trained; setting ``self.model.stop_training = True`` ends training after the
current batch. ``self.params`` holds ``epochs``, ``steps`` (batches per
epoch), ``initial_epoch`` and ``verbose``.

A callback with state (``state_dict`` / ``load_state_dict``) is saved into
full checkpoints and restored by :func:`minigrad.checkpoint.resume`. Such
state is reset when a ``fit`` starts at epoch 0 and kept when it continues
from ``initial_epoch > 0``.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from . import checkpoint
from .optim.lr_scheduler import ReduceLROnPlateau, Scheduler, Warmup
from .serialization import save

__all__ = [
    "Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
    "CSVLogger", "TerminateOnNaN",
]

Logs = dict[str, float]


class Callback:
    """Base class: every hook does nothing; override the ones you need.

    Callbacks run in the order given, except those with ``runs_last = True``
    (ModelCheckpoint), which run after all others, so that what they save is
    the state every other callback reached at the end of the epoch.
    """

    runs_last = False

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def starts_fresh(self) -> bool:
        """True when this fit starts at epoch 0 (state is reset), False when it continues a run."""
        return not self.params.get("initial_epoch", 0)

    def state_dict(self) -> dict[str, Any]:
        """What a full checkpoint keeps of this callback (nothing by default)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore ``state_dict()``'s values."""
        for key, value in state.items():
            setattr(self, key, value)

    def on_train_begin(self, logs: Logs | None = None) -> None: ...
    def on_train_end(self, logs: Logs | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_begin(self, logs: Logs | None = None) -> None: ...
    def on_test_end(self, logs: Logs | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...


class CallbackList:
    """Calls a hook on every callback, in order (those with ``runs_last`` at the end)."""

    def __init__(self, callbacks: Sequence[Callback], model: Any, params: dict[str, Any]) -> None:
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit: callbacks must be mg.callbacks.Callback instances, got a {type(cb).__name__}")
        self.callbacks = sorted(callbacks, key=lambda cb: cb.runs_last)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook: str) -> Callable[..., None]:
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args: Any) -> None:
            for cb in self.callbacks:
                getattr(cb, hook)(*args)

        return call


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` is the list of epoch losses."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def _monitor_mode(owner: str, monitor: str, mode: str) -> str:
    """"min" or "max"; ``"auto"`` means "max" for accuracies, as Keras."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if "acc" in monitor else "min"
    return mode


def _improved(mode: str, current: float, best: float, min_delta: float = 0.0) -> bool:
    return current - min_delta > best if mode == "max" else current + min_delta < best


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``restore_best_weights`` puts back the weights of the best epoch when
    training ends. ``baseline``: keep waiting until the value beats it.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False) -> None:
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.min_delta, self.baseline = abs(min_delta), baseline
        self.mode = _monitor_mode("EarlyStopping", monitor, mode)
        self.restore_best_weights = restore_best_weights
        self._reset()

    def _reset(self) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_weights: dict[str, Any] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.starts_fresh():
            self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"EarlyStopping: {self.monitor!r} is not in the logs (available: {sorted(logs or {})})",
                          stacklevel=2)
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.state_dict(), epoch
        self.wait += 1
        if _improved(self.mode, current, self.best, self.min_delta):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            if self.baseline is None or _improved(self.mode, current, self.baseline, self.min_delta):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {"wait": self.wait, "stopped_epoch": self.stopped_epoch, "best_epoch": self.best_epoch,
                "best": self.best, "best_weights": self.best_weights}


class ModelCheckpoint(Callback):
    """Save the model at the end of each epoch (or only when ``monitor`` improves, with ``save_best_only``).

    ``filepath`` may name the epoch and any logged value, formatted as Keras
    does: ``"ckpt-{epoch:02d}-{val_loss:.3f}.npz"`` (epochs count from 1).
    By default the file is a full checkpoint (model, optimizer, the state
    of the other callbacks, the random generator, the epoch) that
    :func:`minigrad.checkpoint.resume` continues from exactly;
    ``save_weights_only=True`` saves ``model.state_dict()`` alone. It runs
    after the other callbacks, so the checkpoint holds their end-of-epoch state.
    """

    runs_last = True

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = _monitor_mode("ModelCheckpoint", monitor, mode)
        self.initial_value_threshold = initial_value_threshold
        self._reset()

    def _reset(self) -> None:
        default = -math.inf if self.mode == "max" else math.inf
        self.best = default if self.initial_value_threshold is None else self.initial_value_threshold

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.starts_fresh():
            self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: {self.monitor!r} is not in the logs (available: {sorted(logs)}); "
                              f"nothing saved", stacklevel=2)
                return
            if not _improved(self.mode, current, self.best):
                return
            self.best = current
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as err:
            raise ValueError(f"ModelCheckpoint: cannot format {self.filepath!r} with epoch and the logs "
                             f"{sorted(logs)}: {err!r}") from None
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            save(self.model.state_dict(), path)
        else:
            checkpoint.save_training_state(path, self.model, epoch + 1, self.params.get("callbacks", ()))

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}


class LearningRateScheduler(Callback):
    """Drive the learning rate during ``fit``, from a schedule function or an ``mg.optim.lr_scheduler``.

    * a function ``schedule(epoch, lr) -> new_lr`` (or ``schedule(epoch)``),
      called at the start of each epoch, as Keras;
    * a scheduler (``StepLR(model.optimizer, ...)``), stepped after each
      epoch, or after each batch with ``interval="batch"`` (``OneCycleLR``).
      ``ReduceLROnPlateau`` is stepped with the logged ``monitor`` value.

    The learning rate of each epoch is logged as ``"learning_rate"``.
    """

    def __init__(self, schedule: Callable[..., float] | Scheduler, interval: str = "epoch",
                 monitor: str = "val_loss") -> None:
        super().__init__()
        if interval not in ("epoch", "batch"):
            raise ValueError(f"LearningRateScheduler: interval must be 'epoch' or 'batch', got {interval!r}")
        if not isinstance(schedule, Scheduler) and not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected a scheduler or a function, got {type(schedule).__name__}")
        self.schedule, self.interval, self.monitor = schedule, interval, monitor

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if isinstance(self.schedule, Scheduler) and self.schedule.optimizer is not self.model.optimizer:
            raise ValueError("LearningRateScheduler: the scheduler drives another optimizer than the model's; "
                             "create it from model.optimizer after compile()")

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        if isinstance(self.schedule, Scheduler):
            return
        try:
            lr = self.schedule(epoch, self.model.optimizer.lr)
        except TypeError:
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
            raise ValueError(f"LearningRateScheduler: the schedule returned {lr!r} for epoch {epoch}; expected a number")
        for group in self.model.optimizer.param_groups:
            group["lr"] = float(lr)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.interval == "batch" and isinstance(self.schedule, Scheduler):
            self._step(self.schedule, logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.lr
        if self.interval == "epoch" and isinstance(self.schedule, Scheduler):
            self._step(self.schedule, logs or {})

    def _step(self, schedule: Scheduler, logs: Logs) -> None:
        if not _takes_metric(schedule):
            schedule.step()
        elif self.monitor in logs:
            schedule.step(logs[self.monitor])
        else:
            warnings.warn(f"LearningRateScheduler: {self.monitor!r} is not in the logs (available: {sorted(logs)}); "
                          f"the scheduler was not stepped", stacklevel=2)

    def state_dict(self) -> dict[str, Any]:
        return {"schedule": self.schedule.state_dict()} if isinstance(self.schedule, Scheduler) else {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "schedule" in state:
            if not isinstance(self.schedule, Scheduler):
                raise ValueError("LearningRateScheduler: the state holds a scheduler's position, but this callback's "
                                 "schedule is a function")
            self.schedule.load_state_dict(state["schedule"])


def _takes_metric(scheduler: Scheduler) -> bool:
    """ReduceLROnPlateau (possibly behind a warmup) steps on a metric."""
    while isinstance(scheduler, Warmup):
        scheduler = scheduler.scheduler
    return isinstance(scheduler, ReduceLROnPlateau)


class CSVLogger(Callback):
    """Append one row per epoch (``epoch`` from 0, then the logs, sorted) to a CSV file, as Keras."""

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self.keys: list[str] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.keys = None
        self._header = not (self.append and os.path.exists(self.filename) and os.path.getsize(self.filename))
        if not self.append:
            open(self.filename, "w").close()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        with open(self.filename, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["epoch", *self.keys], delimiter=self.separator, extrasaction="ignore")
            if self._header:
                writer.writeheader()
                self._header = False
            writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite, saying which epoch and batch."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Epoch {self.epoch + 1}, batch {batch + 1}: invalid loss {loss}, terminating training")
            self.model.stop_training = True
