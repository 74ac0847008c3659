"""Learning-rate schedulers: the same sequences as ``torch.optim.lr_scheduler``.

A scheduler sets ``group["lr"]`` of every param group of its optimizer. It
applies its step-0 value when created; call ``step()`` once per epoch (or per
batch) after ``optimizer.step()``::

    opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    for epoch in range(100):
        train_one_epoch(model, opt)
        sched.step()

Each schedule here is a closed form of the step count ``t`` and the group's
base learning rate ``base`` (``group["initial_lr"]``, its lr when the first
scheduler was attached). PyTorch computes most of them recursively from the
current lr; alone on an optimizer the sequences agree to float rounding, but
an lr you set by hand is overwritten at the next ``step()`` here, while
PyTorch would scale it. ``ReduceLROnPlateau`` is the exception: it reacts to
a metric and scales the current lr, as in PyTorch.

Every scheduler has ``state_dict()`` / ``load_state_dict()`` (plain numbers
and lists), so a resumed run continues on the same sequence.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
    "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "Warmup", "warmup",
]


def _bound_optimizer(scheduler: object, optimizer: Any) -> Optimizer:
    name = type(scheduler).__name__
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{name}: expected a minigrad optimizer, got {type(optimizer).__name__}")
    if not optimizer.param_groups:
        raise ValueError(
            f"{name}: the optimizer has no parameters yet; bind them first "
            f"(pass params, call add_param_group, or model.compile)"
        )
    return optimizer


def _positive_int(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return value


def _per_group(owner: str, name: str, value: Any, optimizer: Optimizer) -> list[float]:
    """A per-group list from one value or a list with one value per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: expected {n} values of {name} (one per param group), got {len(value)}")
        return [float(v) for v in value]
    return [float(value)] * n


class _Scheduler:
    """What every scheduler shares: its optimizer, the last lrs it set, and its state dict."""

    optimizer: Optimizer
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
        mine = set(_Scheduler.state_dict(self))
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


class LRScheduler(_Scheduler):
    """Base of the closed-form schedules: subclasses define ``lr_at(t)``."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = _bound_optimizer(self, optimizer)
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


class StepLR(LRScheduler):
    """``lr = base * gamma ** (t // step_size)``: decay by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _positive_int("StepLR", "step_size", step_size)
        self.gamma = float(gamma)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> list[float]:
        return [base * self.gamma ** (t // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``lr = base * gamma ** (number of milestones <= t)``."""

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1) -> None:
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = float(gamma)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> list[float]:
        return [base * self.gamma ** bisect_right(self.milestones, t) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``lr = base * gamma ** t``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = float(gamma)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> list[float]:
        return [base * self.gamma**t for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """``lr = eta_min + (base - eta_min) * (1 + cos(pi * t / T_max)) / 2``.

    Half a cosine from ``base`` down to ``eta_min`` over ``T_max`` steps;
    past ``T_max`` it rises again, as PyTorch's does (no restarts).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803 (PyTorch's name)
        self.T_max = _positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = float(eta_min)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> list[float]:
        cosine = (1.0 + math.cos(math.pi * t / self.T_max)) / 2.0
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """``lr = base * lr_lambda(t)``; one function, or one per param group.

    The functions are code, so ``state_dict`` leaves them out: recreate the
    scheduler with the same functions, then load its state.
    """

    _not_state = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]) -> None:
        n = len(_bound_optimizer(self, optimizer).param_groups)
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(lambdas) != n or not all(map(callable, lambdas)):
            raise ValueError(f"LambdaLR: lr_lambda must be a function or a list of {n} functions (one per param group)")
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

    def lr_at(self, t: int) -> list[float]:
        return [base * fn(t) for base, fn in zip(self.base_lrs, self.lr_lambdas)]


class LinearLR(LRScheduler):
    """``lr = base * (start + (end - start) * min(t, total_iters) / total_iters)``.

    A linear ramp of the factor from ``start_factor`` to ``end_factor``,
    then constant; the usual warmup in PyTorch code.
    """

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        if not 0.0 < start_factor <= 1.0:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0.0 <= end_factor <= 1.0:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        self.start_factor, self.end_factor = float(start_factor), float(end_factor)
        self.total_iters = _positive_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> list[float]:
        frac = min(t, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * frac
        return [base * factor for base in self.base_lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), as ``torch.optim.lr_scheduler.OneCycleLR``.

    The lr climbs from ``max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start`` of ``total_steps``, then anneals to ``initial_lr /
    final_div_factor`` (cosine or linear). With ``cycle_momentum`` the
    momentum (or Adam's ``beta1``) moves the opposite way, between
    ``max_momentum`` and ``base_momentum``. ``three_phase`` comes back down
    to the initial lr symmetrically before the final annealing. Stepping
    past ``total_steps`` raises ValueError, as in PyTorch.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
    ) -> None:
        optimizer = _bound_optimizer(self, optimizer)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
            total_steps = _positive_int("OneCycleLR", "epochs", epochs) * _positive_int(
                "OneCycleLR", "steps_per_epoch", steps_per_epoch
            )
        self.total_steps = _positive_int("OneCycleLR", "total_steps", total_steps)
        if not 0.0 <= pct_start <= 1.0:
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        # (last step of the phase, lr from, lr to, momentum from, momentum to): keys of each group
        if three_phase:
            self.phases = [
                [up, "initial_lr", "max_lr", "max_momentum", "base_momentum"],
                [2 * up, "max_lr", "initial_lr", "base_momentum", "max_momentum"],
                [last, "initial_lr", "min_lr", "max_momentum", "max_momentum"],
            ]
        else:
            self.phases = [
                [up, "initial_lr", "max_lr", "max_momentum", "base_momentum"],
                [last, "max_lr", "min_lr", "base_momentum", "max_momentum"],
            ]
        for group, peak in zip(optimizer.param_groups, _per_group("OneCycleLR", "max_lr", max_lr, optimizer)):
            group["initial_lr"] = peak / div_factor
            group["max_lr"] = peak
            group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        self.use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and not self.use_beta1:
                raise ValueError(
                    f"OneCycleLR: cycle_momentum=True needs an optimizer with momentum or betas; "
                    f"{optimizer.name} has neither (pass cycle_momentum=False)"
                )
            highs = _per_group("OneCycleLR", "max_momentum", max_momentum, optimizer)
            lows = _per_group("OneCycleLR", "base_momentum", base_momentum, optimizer)
            for group, high, low in zip(optimizer.param_groups, highs, lows):
                group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def lr_at(self, t: int) -> list[float]:
        """The lr of each group at step ``t``; also sets the cycled momentum."""
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {t} times, but total_steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_from, lr_to, mom_from, mom_to) in enumerate(self.phases):
                if t <= end or i == len(self.phases) - 1:
                    pct = (t - start) / (end - start)
                    break
                start = end
            lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
            if self.cycle_momentum:
                momentum = self._anneal(group[mom_from], group[mom_to], pct)
                if self.use_beta1:
                    group["betas"] = (momentum, group["betas"][1])
                else:
                    group["momentum"] = momentum
        return lrs


class ReduceLROnPlateau(_Scheduler):
    """Multiply the lr by ``factor`` when a metric has stopped improving.

    ``step(metric)`` once per epoch. The metric improves when it beats the
    best so far by ``threshold`` (relative: ``best * (1 - threshold)`` in
    ``"min"`` mode; absolute: ``best - threshold``). After more than
    ``patience`` epochs without improvement, every group's lr becomes
    ``max(lr * factor, min_lr)`` (unless that changes it by less than
    ``eps``), then ``cooldown`` epochs pass before bad epochs count again.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        self.optimizer = _bound_optimizer(self, optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0.0 <= factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor!r}")
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor, self.threshold, self.eps = float(factor), float(threshold), float(eps)
        self.patience, self.cooldown = int(patience), int(cooldown)
        self.min_lrs = _per_group("ReduceLROnPlateau", "min_lr", min_lr, self.optimizer)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _is_better(self, value: float) -> bool:
        rel = self.threshold_mode == "rel"
        if self.mode == "min":
            return value < (self.best * (1.0 - self.threshold) if rel else self.best - self.threshold)
        return value > (self.best * (1.0 + self.threshold) if rel else self.best + self.threshold)

    def step(self, metric: float) -> None:
        """Record this epoch's ``metric`` and reduce the lr if it has plateaued."""
        value = float(metric)
        self.last_epoch += 1
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, floor)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class Warmup(_Scheduler):
    """Linear warmup in front of another scheduler; made by :func:`warmup`."""

    _not_state = ("optimizer", "scheduler")

    def __init__(self, scheduler: _Scheduler, steps: int) -> None:
        if not isinstance(scheduler, _Scheduler):
            raise TypeError(f"warmup: expected a minigrad scheduler, got {type(scheduler).__name__}")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"warmup: steps must be an integer >= 0, got {steps!r}")
        self.scheduler = scheduler
        self.optimizer = scheduler.optimizer
        self.steps = steps
        self.base_lrs = [group.get("initial_lr", group["lr"]) for group in self.optimizer.param_groups]
        self.after_lrs = scheduler.get_last_lr()  # the scheduler's own step 0
        self.last_epoch = 0
        self._last_lr = scheduler.get_last_lr()
        self._apply()

    def _apply(self) -> None:
        k = self.last_epoch
        if k < self.steps:
            self._set_lrs([base * (k + 1) / self.steps for base in self.base_lrs])
        elif k == self.steps:
            self._set_lrs(self.after_lrs)

    def step(self, *args: Any) -> None:
        """Advance one step: warm up, then step the wrapped scheduler (passing ``args`` on)."""
        self.last_epoch += 1
        if self.last_epoch <= self.steps:
            self._apply()
        else:
            self.scheduler.step(*args)
            self._last_lr = self.scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        inner = state.pop("scheduler", None)
        if inner is None:
            raise ValueError("Warmup.load_state_dict: missing key 'scheduler'; is it from another scheduler?")
        super().load_state_dict(state)
        self.scheduler.load_state_dict(inner)


def warmup(scheduler: _Scheduler, steps: int) -> Warmup:
    """Put ``steps`` steps of linear warmup in front of ``scheduler``.

    Step ``k < steps`` uses ``base_lr * (k + 1) / steps``; then ``scheduler``
    runs from its own step 0. ``step(...)`` arguments (a metric, for
    ``ReduceLROnPlateau``) are passed on after the warmup.
    """
    return Warmup(scheduler, steps)
