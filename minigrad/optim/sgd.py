"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

from .. import backend
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum.

    torch convention (``torch.optim.SGD``), gradient ``g``, momentum ``mu``,
    dampening ``d``, L2 weight decay ``wd``::

        g <- g + wd * p
        b <- g                          at the first step
        b <- mu * b + (1 - d) * g       after
        p <- p - lr * b                 (Nesterov: p <- p - lr * (g + mu * b))

    keras convention (``keras.optimizers.SGD``): the learning rate lives
    inside the velocity ``v``, so changing ``lr`` mid-run acts differently::

        p <- p - lr * wd * p            (decoupled weight decay)
        v <- mu * v - lr * g
        p <- p + v                      (Nesterov: p <- p + mu * v - lr * g)

    With a constant learning rate, no dampening and no weight decay the two
    trajectories agree.

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch 1e-3, keras
    0.01), ``momentum`` (0), ``dampening`` (0, torch only), ``nesterov``
    (False), ``weight_decay`` (0), ``convention`` ("torch" or "keras").
    """

    defaults_by_convention = {
        "torch": {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
        "keras": {"lr": 1e-2, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
    }
    torch_only = ("dampening",)
    state_keys = ("momentum_buffer", "velocity")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        momentum: float | None = None,
        dampening: float | None = None,
        nesterov: bool | None = None,
        weight_decay: float | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(
            params, convention, lr=lr, momentum=momentum, dampening=dampening,
            nesterov=nesterov, weight_decay=weight_decay,
        )

    def check_group(self, group: dict[str, Any], where: str) -> None:
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: nesterov=True{where} needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']} and dampening={group['dampening']}"
            )

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        if group["momentum"] == 0:
            return {}
        if self.convention == "keras":
            return {"velocity": backend.module_of(p).zeros_like(p)}
        return {"momentum_buffer": None}  # torch starts it as a copy of the first gradient

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """torch: ``b <- mu b + (1 - d) g; p <- p - lr b``. keras: ``v <- mu v - lr g; p <- p + v``."""
        lr, mu = group["lr"], group["momentum"]
        g = self.apply_weight_decay(p, g, group)
        if mu == 0:
            p -= lr * g
        elif self.convention == "keras":
            v = state.get("velocity")
            if v is None:  # momentum switched on mid-run (e.g. by OneCycleLR)
                v = state["velocity"] = backend.module_of(p).zeros_like(p)
            v *= mu
            v -= lr * g
            p += mu * v - lr * g if group["nesterov"] else v
        else:
            b = state.get("momentum_buffer")
            if b is None:  # xp.copy, not g.copy(): math on 0-d arrays gives NumPy scalars
                b = state["momentum_buffer"] = backend.module_of(p).copy(g)
            else:
                b *= mu
                b += (1.0 - group["dampening"]) * g
            p -= lr * (g + mu * b) if group["nesterov"] else lr * b
