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

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer
from .scheduler import LRScheduler, Scheduler, bound_optimizer, per_group, positive_int

__all__ = [
    "Scheduler", "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
    "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "Warmup", "warmup",
]


class StepLR(LRScheduler):
    """``lr = base * gamma ** (t // step_size)``: decay by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = positive_int("StepLR", "step_size", step_size)
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
        self.T_max = positive_int("CosineAnnealingLR", "T_max", T_max)
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
        n = len(bound_optimizer(self, optimizer).param_groups)
        lambdas = [lr_lambda] * n if callable(lr_lambda) else list(lr_lambda)
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
        self.total_iters = positive_int("LinearLR", "total_iters", total_iters)
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
        optimizer = bound_optimizer(self, optimizer)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
            total_steps = positive_int("OneCycleLR", "epochs", epochs) * positive_int(
                "OneCycleLR", "steps_per_epoch", steps_per_epoch
            )
        self.total_steps = positive_int("OneCycleLR", "total_steps", total_steps)
        if not 0.0 <= pct_start <= 1.0:
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        # (last step of the phase, lr from, lr to, momentum from, momentum to): keys of each group
        self.phases: list[list[Any]]
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
        for group, peak in zip(optimizer.param_groups, per_group("OneCycleLR", "max_lr", max_lr, optimizer)):
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
            highs = per_group("OneCycleLR", "max_momentum", max_momentum, optimizer)
            lows = per_group("OneCycleLR", "base_momentum", base_momentum, optimizer)
            for group, high, low in zip(optimizer.param_groups, highs, lows):
                group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _phase(self, t: int) -> tuple[list[Any], float]:
        """The phase that step ``t`` falls in, and how far into it (0 to 1)."""
        start = 0.0
        for phase in self.phases[:-1]:
            if t <= phase[0]:
                return phase, (t - start) / (phase[0] - start)
            start = phase[0]
        last = self.phases[-1]
        return last, (t - start) / (last[0] - start)

    def lr_at(self, t: int) -> list[float]:
        """The lr of each group at step ``t``; also sets the cycled momentum."""
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {t} times, but total_steps is {self.total_steps}")
        (_, lr_from, lr_to, mom_from, mom_to), pct = self._phase(t)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
            if self.cycle_momentum:
                momentum = self._anneal(group[mom_from], group[mom_to], pct)
                if self.use_beta1:
                    group["betas"] = (momentum, group["betas"][1])
                else:
                    group["momentum"] = momentum
        return lrs


class ReduceLROnPlateau(Scheduler):
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
        self.optimizer = bound_optimizer(self, optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0.0 <= factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor!r}")
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor, self.threshold, self.eps = float(factor), float(threshold), float(eps)
        self.patience, self.cooldown = int(patience), int(cooldown)
        self.min_lrs = per_group("ReduceLROnPlateau", "min_lr", min_lr, self.optimizer)
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


class Warmup(Scheduler):
    """Linear warmup in front of another scheduler; made by :func:`warmup`."""

    _not_state = ("optimizer", "scheduler")

    def __init__(self, scheduler: Scheduler, steps: int) -> None:
        if not isinstance(scheduler, Scheduler):
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


def warmup(scheduler: Scheduler, steps: int) -> Warmup:
    """Put ``steps`` steps of linear warmup in front of ``scheduler``.

    Step ``k < steps`` uses ``base_lr * (k + 1) / steps``; then ``scheduler``
    runs from its own step 0. ``step(...)`` arguments (a metric, for
    ``ReduceLROnPlateau``) are passed on after the warmup.
    """
    return Warmup(scheduler, steps)
