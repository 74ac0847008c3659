"""Full training checkpoints: everything ``fit`` needs to continue exactly where it stopped.

A full checkpoint holds the model's state dict, the optimizer's (its moments
and learning rates), the state of the callbacks of the run (a learning-rate
scheduler's position, EarlyStopping's patience, ...), the state of the random
generator behind shuffling and dropout, and the number of epochs done::

    ckpt = mg.callbacks.ModelCheckpoint("run-{epoch}.npz")      # writes them in fit
    model.fit(x, y, epochs=5, callbacks=[ckpt, sched])
    ...                                                         # later, maybe in a new process:
    model = build(); model.compile(...); sched = ...            # the same setup
    start = mg.checkpoint.resume(model, "run-3.npz", callbacks=[ckpt, sched])
    model.fit(x, y, epochs=5, initial_epoch=start, callbacks=[ckpt, sched])

The resumed run follows the uninterrupted one exactly (same batches, same
dropout masks, same updates).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from . import backend
from .serialization import load, save

__all__ = ["training_state", "save_training_state", "resume"]

_FORMAT = "minigrad-training"


def _key(i: int, callback: Any) -> str:
    return f"{i}.{type(callback).__name__}"


def _optimizer(model: Any, where: str) -> Any:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise RuntimeError(f"{where}: the model has no optimizer; call model.compile(...) first")
    return optimizer


def training_state(model: Any, epoch: int, callbacks: Sequence[Any] = ()) -> dict[str, Any]:
    """The full state of a compiled model's training after ``epoch`` epochs (a dict ``mg.save`` can write)."""
    return {
        "format": _FORMAT,
        "epoch": int(epoch),
        "model": model.state_dict(),
        "optimizer": _optimizer(model, "training_state").state_dict(),
        "callbacks": {_key(i, cb): cb.state_dict() for i, cb in enumerate(callbacks)},
        "rng": backend.host_rng().bit_generator.state,
    }


def save_training_state(path: str | os.PathLike[str], model: Any, epoch: int, callbacks: Sequence[Any] = ()) -> None:
    """Write ``training_state(model, epoch, callbacks)`` to ``path`` (atomically, with ``mg.save``)."""
    save(training_state(model, epoch, callbacks), path)


def resume(model: Any, checkpoint: str | os.PathLike[str] | dict[str, Any], callbacks: Sequence[Any] = ()) -> int:
    """Restore a full checkpoint into a compiled ``model`` and its ``callbacks``; return the epochs done.

    Pass the return value as ``fit(..., initial_epoch=...)``. The callbacks
    must be the same kinds, in the same order, as in the run that saved it.
    Nothing changes if the checkpoint does not fit the model (ValueError).
    """
    state = checkpoint if isinstance(checkpoint, dict) else load(checkpoint)
    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        raise ValueError("resume: not a full training checkpoint (one written by ModelCheckpoint or save_training_state)")
    optimizer = _optimizer(model, "resume")
    saved = state["callbacks"]
    mine = [_key(i, cb) for i, cb in enumerate(callbacks)]
    if list(saved) != mine:
        raise ValueError(f"resume: the checkpoint was saved with callbacks {list(saved)}, but these are {mine}")
    before = model.state_dict()
    model.load_state_dict(state["model"])
    try:
        optimizer.load_state_dict(state["optimizer"])
    except ValueError:
        model.load_state_dict(before)
        raise
    for key, cb in zip(mine, callbacks):
        cb.load_state_dict(saved[key])
    backend.host_rng().bit_generator.state = state["rng"]
    return int(state["epoch"])
