"""LAMB: Adam's direction, rescaled per tensor by a trust ratio (You et al., 2020)."""

from __future__ import annotations

from typing import Any

from .. import backend
from .optimizer import Optimizer

__all__ = ["LAMB"]


class LAMB(Optimizer):
    """LAMB, "Layer-wise Adaptive Moments for Batch training" (You et al., 2020).

    Adam's bias-corrected direction, then one step size per tensor so that
    every layer moves by about ``lr`` times its own norm::

        m <- b1 * m + (1 - b1) * g,   v <- b2 * v + (1 - b2) * g**2
        r  = (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)
        u  = r + wd * p                                  (torch/paper convention)
        p <- p - lr * (||p|| / ||u||) * u                (trust ratio 1 if either norm is 0)

    keras (``keras.optimizers.Lamb``): weight decay is decoupled and applied
    first (``p <- p - lr * wd * p``), so ``u = r`` and the trust ratio uses
    the decayed weights.

    Args (Keras name in brackets): ``lr`` [learning_rate] (1e-3), ``betas``
    [beta_1, beta_2] ((0.9, 0.999)), ``eps`` [epsilon] (torch/paper 1e-6,
    keras 1e-7), ``weight_decay`` (0), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-6, "weight_decay": 0.0},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.0},
    }
    state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(params, convention, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def apply_weight_decay(self, p: Any, g: Any, group: dict[str, Any]) -> Any:
        """keras: decoupled, before the update. torch: nothing here; the decay joins ``u``."""
        if self.convention == "keras":
            self.decoupled_decay(p, group)
        return g

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        return {"step": 0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``p <- p - lr * (||p|| / ||u||) * u`` with ``u`` Adam's direction (+ ``wd * p``)."""
        xp = backend.module_of(p)
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1.0 - b1) * (g - m)
        v *= b2
        v += (1.0 - b2) * g * g
        u = (m / (1.0 - b1**t)) / (xp.sqrt(v / (1.0 - b2**t)) + eps)
        if wd and self.convention == "torch":
            u += wd * p
        p_norm, u_norm = xp.linalg.norm(p), xp.linalg.norm(u)
        both = (p_norm > 0) & (u_norm > 0)
        ratio = xp.where(both, p_norm / xp.where(both, u_norm, 1), 1).astype(p.dtype)  # on the device: no sync
        p -= (lr * ratio) * u
