"""Lion: the sign of an interpolated momentum (Chen et al., 2023)."""

from __future__ import annotations

from typing import Any

from .. import backend
from .optimizer import Optimizer

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion, "EvoLved Sign Momentum" (Chen et al., 2023, Algorithm 2).

    Every coordinate moves by exactly ``lr`` per step (before weight decay),
    in the direction of an interpolation between momentum and gradient::

        p <- p * (1 - lr * wd)                          (decoupled weight decay)
        p <- p - lr * sign(b1 * m + (1 - b1) * g)
        m <- b2 * m + (1 - b2) * g

    The rule is the same in both conventions (``keras.optimizers.Lion``);
    only the default learning rate differs. Because the step has unit size
    per coordinate, Lion wants a learning rate 3-10x smaller than AdamW's
    and a weight decay 3-10x larger.

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch/paper 1e-4,
    keras 1e-3), ``betas`` [beta_1, beta_2] ((0.9, 0.99)), ``weight_decay``
    (0), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.0},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.99), "weight_decay": 0.0},
    }
    state_keys = ("exp_avg",)

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        betas: tuple[float, float] | None = None,
        weight_decay: float | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(params, convention, lr=lr, betas=betas, weight_decay=weight_decay)

    def apply_weight_decay(self, p: Any, g: Any, group: dict[str, Any]) -> Any:
        """Always decoupled: ``p <- p * (1 - lr * wd)``; the gradient is unchanged."""
        self.decoupled_decay(p, group)
        return g

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"exp_avg": backend.module_of(p).zeros_like(p)}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``p <- p - lr * sign(b1 m + (1 - b1) g)``; ``m <- b2 m + (1 - b2) g``."""
        xp = backend.module_of(p)
        lr, (b1, b2) = group["lr"], group["betas"]
        g = self.apply_weight_decay(p, g, group)
        m = state["exp_avg"]
        p -= lr * xp.sign(b1 * m + (1.0 - b1) * g)
        m += (1.0 - b2) * (g - m)
