"""Adagrad and Adadelta: per-coordinate step sizes from accumulated squared gradients.

Adagrad sums every squared gradient, so its steps only shrink; Adadelta
replaces the sum by running averages and also rescales by the size of recent
updates, which makes it nearly free of a learning rate.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from .optimizer import Optimizer

__all__ = ["Adagrad", "Adadelta"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011).

    torch (``torch.optim.Adagrad``), L2 weight decay first, step ``t``::

        s <- s + g**2                                     (s starts at initial_accumulator_value)
        p <- p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    keras (``keras.optimizers.Adagrad``), decoupled weight decay first; the
    accumulator starts at 0.1 and eps sits inside the root::

        s <- s + g**2
        p <- p - lr * g / sqrt(s + eps)

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch 1e-2, keras
    1e-3), ``lr_decay`` (0, torch only), ``weight_decay`` (0),
    ``initial_accumulator_value`` (torch 0, keras 0.1), ``eps`` [epsilon]
    (torch 1e-10, keras 1e-7), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10},
        "keras": {"lr": 1e-3, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.1, "eps": 1e-7},
    }
    torch_only = ("lr_decay",)
    state_keys = ("step", "sum")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        lr_decay: float | None = None,
        weight_decay: float | None = None,
        initial_accumulator_value: float | None = None,
        eps: float | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(
            params, convention, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps,
        )

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        return {"step": 0, "sum": xp.full_like(p, group["initial_accumulator_value"])}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``s <- s + g**2``; ``p <- p - lr * g / (sqrt(s) + eps)`` (see the class)."""
        xp = backend.module_of(p)
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        s = state["sum"]
        s += g * g
        if self.convention == "keras":
            p -= group["lr"] * g / xp.sqrt(s + group["eps"])
        else:
            lr = group["lr"] / (1.0 + (state["step"] - 1) * group["lr_decay"])
            p -= lr * g / (xp.sqrt(s) + group["eps"])


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): the step is scaled by the RMS of recent steps.

    The same rule in both conventions (weight decay: L2 for torch, decoupled
    for keras), with running averages ``s`` of ``g**2`` and ``r`` of ``delta**2``::

        s <- rho * s + (1 - rho) * g**2
        delta = sqrt(r + eps) / sqrt(s + eps) * g
        r <- rho * r + (1 - rho) * delta**2
        p <- p - lr * delta

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch 1.0, keras
    1e-3), ``rho`` (torch 0.9, keras 0.95), ``eps`` [epsilon] (torch 1e-6,
    keras 1e-7), ``weight_decay`` (0), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
        "keras": {"lr": 1e-3, "rho": 0.95, "eps": 1e-7, "weight_decay": 0.0},
    }
    state_keys = ("step", "square_avg", "acc_delta")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        rho: float | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(params, convention, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        return {"step": 0, "square_avg": xp.zeros_like(p), "acc_delta": xp.zeros_like(p)}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``delta = sqrt(r + eps) / sqrt(s + eps) * g``; ``p <- p - lr * delta`` (see the class)."""
        xp = backend.module_of(p)
        rho, eps = group["rho"], group["eps"]
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        s, r = state["square_avg"], state["acc_delta"]
        s *= rho
        s += (1.0 - rho) * g * g
        delta = xp.sqrt(r + eps) / xp.sqrt(s + eps) * g
        r *= rho
        r += (1.0 - rho) * delta * delta
        p -= group["lr"] * delta
