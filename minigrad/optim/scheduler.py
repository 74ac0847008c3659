"""What every learning-rate scheduler shares; the schedules are in :mod:`.lr_scheduler`.

A scheduler owns an optimizer and sets ``group["lr"]`` of each param group.
``Scheduler`` holds the common parts (the last lrs it set, ``state_dict`` /
``load_state_dict`` of plain numbers and lists); ``LRScheduler`` adds the
closed-form schedules: a subclass defines ``lr_at(t)``, the learning rate of
every group at step ``t``, from ``base_lrs`` (each group's ``"initial_lr"``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer

__all__ = ["Scheduler", "LRScheduler", "bound_optimizer", "positive_int", "per_group"]


def bound_optimizer(scheduler: object, optimizer: Any) -> Optimizer:
    """``optimizer``, checked to be a minigrad optimizer with parameters bound."""
    name = type(scheduler).__name__
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{name}: expected a minigrad optimizer, got {type(optimizer).__name__}")
    if not optimizer.param_groups:
        raise ValueError(
            f"{name}: the optimizer has no parameters yet; bind them first "
            f"(pass params, call add_param_group, or model.compile)"
        )
    return optimizer


def positive_int(owner: str, name: str, value: Any) -> int:
    """``value``, checked to be an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return value


def per_group(owner: str, name: str, value: Any, optimizer: Optimizer) -> list[float]:
    """A per-group list from one value or a list with one value per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: expected {n} values of {name} (one per param group), got {len(value)}")
        return [float(v) for v in value]
    return [float(value)] * n


class Scheduler:
    """Base of every scheduler: its optimizer, the last lrs it set, and its state dict."""

    optimizer: Optimizer
    step: Callable[..., None]  # step() for schedules, step(metric) for ReduceLROnPlateau
    _not_state: tuple[str, ...] = ("optimizer",)

    def get_last_lr(self) -> list[float]:
        """The learning rates this scheduler set last, one per param group."""
        return list(self._last_lr)

    def _set_lrs(self, lrs: Sequence[float]) -> None:
        groups = self.optimizer.param_groups
        if len(lrs) != len(groups):
            raise ValueError(
                f"{type(self).__name__}: the optimizer has {len(groups)} param groups but the scheduler "
                f"was made for {len(lrs)}; create the scheduler after adding every group"
            )
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's position and settings: plain numbers and lists."""
        return copy.deepcopy({k: v for k, v in vars(self).items() if k not in self._not_state})

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` taken from a scheduler of the same kind."""
        mine = set(Scheduler.state_dict(self))
        theirs = set(state_dict)
        if mine != theirs:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: unexpected keys {sorted(theirs - mine)}, "
                f"missing keys {sorted(mine - theirs)}; is it from another scheduler?"
            )
        n = len(self.optimizer.param_groups)
        if len(state_dict["_last_lr"]) != n:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: saved for {len(state_dict['_last_lr'])} param groups, "
                f"the optimizer has {n}"
            )
        for key, value in copy.deepcopy(state_dict).items():
            setattr(self, key, list(value) if isinstance(value, tuple) else value)


class LRScheduler(Scheduler):
    """Base of the closed-form schedules: subclasses define ``lr_at(t)``."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = bound_optimizer(self, optimizer)
        for group in self.optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in self.optimizer.param_groups]
        self.last_epoch = 0
        self._set_lrs(self.lr_at(0))

    def lr_at(self, t: int) -> list[float]:
        """The learning rate of every param group at step ``t``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step and set the new learning rates."""
        self.last_epoch += 1
        self._set_lrs(self.lr_at(self.last_epoch))
