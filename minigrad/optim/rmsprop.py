"""RMSprop: divide the gradient by a running root-mean-square of its history."""

from __future__ import annotations

from typing import Any

from .. import backend
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), optionally centered and with momentum.

    Both conventions keep ``s <- alpha * s + (1 - alpha) * g**2`` and, when
    ``centered``, ``a <- alpha * a + (1 - alpha) * g`` (variance ``s - a**2``
    instead of the raw second moment ``s``).

    torch (``torch.optim.RMSprop``), L2 weight decay first; eps outside the root::

        d = sqrt(s - a**2) + eps
        b <- momentum * b + g / d,   p <- p - lr * b     (no momentum: p <- p - lr * g / d)

    keras (``keras.optimizers.RMSprop``), decoupled weight decay first; eps
    inside the root, and the learning rate inside the momentum buffer::

        d = sqrt(s - a**2 + eps)
        b <- momentum * b + lr * g / d,   p <- p - b    (no momentum: p <- p - lr * g / d)

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch 1e-2, keras
    1e-3), ``alpha`` [rho] (torch 0.99, keras 0.9), ``eps`` [epsilon] (torch
    1e-8, keras 1e-7), ``weight_decay`` (0), ``momentum`` (0), ``centered``
    (False), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False},
        "keras": {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "weight_decay": 0.0, "momentum": 0.0, "centered": False},
    }
    state_keys = ("step", "square_avg", "grad_avg", "momentum_buffer")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        alpha: float | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        momentum: float | None = None,
        centered: bool | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(
            params, convention, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
            momentum=momentum, centered=centered,
        )

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        state = {"step": 0, "square_avg": xp.zeros_like(p)}
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(p)
        return state

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``s`` running mean of ``g**2``; ``p <- p - lr * g / (sqrt(s) + eps)`` (see the class)."""
        xp = backend.module_of(p)
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        keras = self.convention == "keras"
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        s = state["square_avg"]
        s *= alpha
        s += (1.0 - alpha) * g * g
        variance = s
        if group["centered"]:
            a = state["grad_avg"]
            a += (1.0 - alpha) * (g - a)
            variance = s - a * a
        d = xp.sqrt(variance + eps) if keras else xp.sqrt(variance) + eps
        if momentum > 0:
            b = state.get("momentum_buffer")
            if b is None:  # momentum switched on mid-run (e.g. by OneCycleLR)
                b = state["momentum_buffer"] = xp.zeros_like(p)
            b *= momentum
            if keras:
                b += lr * g / d
                p -= b
            else:
                b += g / d
                p -= lr * b
        else:
            p -= lr * g / d
