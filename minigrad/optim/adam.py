"""Adam and its relatives: AdamW, Adamax and NAdam.

All four keep exponential moving averages of the gradient (``m``, the first
moment) and of a measure of its size (``v``, the second moment, or ``u``, its
infinity norm), and correct the bias that their zero initialisation causes.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW", "Adamax", "NAdam"]

_ADAM_DEFAULTS = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), optionally AMSGrad.

    Both conventions, at step ``t`` with ``b1, b2 = betas``::

        m <- b1 * m + (1 - b1) * g
        v <- b2 * v + (1 - b2) * g**2          (AMSGrad: v_max <- max(v_max, v), used for v)

    torch (``torch.optim.Adam``), L2 weight decay ``g <- g + wd * p`` first::

        p <- p - lr * m_hat / (sqrt(v_hat) + eps)     m_hat = m / (1 - b1**t), v_hat = v / (1 - b2**t)

    keras (``keras.optimizers.Adam``), decoupled weight decay first; eps is
    added to the uncorrected ``sqrt(v)`` ("epsilon hat"), so it weighs
    ``1 / sqrt(1 - b2**t)`` times less early on::

        p <- p - lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps)

    Args (Keras name in brackets): ``lr`` [learning_rate] (1e-3), ``betas``
    [beta_1, beta_2] ((0.9, 0.999)), ``eps`` [epsilon] (torch 1e-8, keras
    1e-7), ``weight_decay`` (0), ``amsgrad`` (False), ``convention``.
    """

    defaults_by_convention = {"torch": _ADAM_DEFAULTS, "keras": {**_ADAM_DEFAULTS, "eps": 1e-7}}
    state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        amsgrad: bool | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(params, convention, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        state = {"step": 0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = xp.zeros_like(p)
        return state

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``m, v`` moving averages; ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)`` (see the class)."""
        xp = backend.module_of(p)
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1.0 - b1) * (g - m)
        v *= b2
        v += (1.0 - b2) * g * g
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        bc1, bc2 = 1.0 - b1**t, 1.0 - b2**t
        if self.convention == "keras":
            p -= (lr * math.sqrt(bc2) / bc1) * m / (xp.sqrt(v) + eps)
        else:
            p -= (lr / bc1) * m / (xp.sqrt(v) / math.sqrt(bc2) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    The decay shrinks the weights directly instead of entering the gradient,
    so adaptive scaling does not weaken it::

        p <- p * (1 - lr * wd)
        (then Adam's update without weight decay, in the chosen convention)

    Both libraries decouple the same way; they differ in Adam's eps placement
    and in the default ``weight_decay``: torch 1e-2, keras 4e-3.
    Args as :class:`Adam`.
    """

    defaults_by_convention = {
        "torch": {**_ADAM_DEFAULTS, "weight_decay": 1e-2},
        "keras": {**_ADAM_DEFAULTS, "eps": 1e-7, "weight_decay": 4e-3},
    }

    def apply_weight_decay(self, p: Any, g: Any, group: dict[str, Any]) -> Any:
        """Always decoupled: ``p <- p * (1 - lr * wd)``; the gradient is unchanged."""
        self.decoupled_decay(p, group)
        return g


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the second moment.

    ``m <- b1 * m + (1 - b1) * g`` in both conventions; then

    torch (``torch.optim.Adamax``), L2 weight decay first::

        u <- max(b2 * u, |g| + eps)
        p <- p - lr / (1 - b1**t) * m / u

    keras (``keras.optimizers.Adamax``), decoupled weight decay first::

        u <- max(b2 * u, |g|)
        p <- p - lr / (1 - b1**t) * m / (u + eps)

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch 2e-3, keras
    1e-3), ``betas`` [beta_1, beta_2] ((0.9, 0.999)), ``eps`` [epsilon]
    (torch 1e-8, keras 1e-7), ``weight_decay`` (0), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.0},
    }
    state_keys = ("step", "exp_avg", "exp_inf")

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

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        return {"step": 0, "exp_avg": xp.zeros_like(p), "exp_inf": xp.zeros_like(p)}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """``u <- max(b2 u, |g|)``; ``p <- p - lr / (1 - b1**t) * m / u`` (eps placement: see the class)."""
        xp = backend.module_of(p)
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        m, u = state["exp_avg"], state["exp_inf"]
        m += (1.0 - b1) * (g - m)
        u *= b2
        step_size = lr / (1.0 - b1 ** state["step"])
        if self.convention == "keras":
            xp.maximum(u, xp.abs(g), out=u)
            p -= step_size * m / (u + eps)
        else:
            xp.maximum(u, xp.abs(g) + eps, out=u)
            p -= step_size * m / u


class NAdam(Optimizer):
    """NAdam: Adam with Nesterov momentum (Dozat, 2016).

    The momentum coefficient warms up along ``mu_t = b1 * (1 - 0.5 * 0.96**(t * psi))``
    with ``psi = momentum_decay``; ``prod_t = mu_1 * ... * mu_t``::

        m <- b1 * m + (1 - b1) * g,   v <- b2 * v + (1 - b2) * g**2
        d  = sqrt(v / (1 - b2**t)) + eps
        p <- p - lr * (1 - mu_t) / (1 - prod_t) * g / d
               - lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * m / d

    torch (``torch.optim.NAdam``): ``psi = 4e-3``, L2 weight decay first.
    keras (``keras.optimizers.Nadam``): the schedule is ``0.96**t``, which is
    this rule with ``psi = 1``: momentum warms up within a few dozen steps
    instead of thousands. Decoupled weight decay first.

    Args (Keras name in brackets): ``lr`` [learning_rate] (torch 2e-3, keras
    1e-3), ``betas`` [beta_1, beta_2] ((0.9, 0.999)), ``eps`` [epsilon]
    (torch 1e-8, keras 1e-7), ``weight_decay`` (0), ``momentum_decay``
    (torch 4e-3; torch only: keras fixes it at 1), ``convention``.
    """

    defaults_by_convention = {
        "torch": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "momentum_decay": 4e-3},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.0, "momentum_decay": 1.0},
    }
    torch_only = ("momentum_decay",)
    state_keys = ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: Any = None,
        lr: float | None = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        momentum_decay: float | None = None,
        *,
        convention: str = "torch",
    ) -> None:
        super().__init__(
            params, convention, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay,
        )

    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp = backend.module_of(p)
        return {"step": 0, "mu_product": 1.0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Adam's moments with a Nesterov look-ahead on ``m`` (see the class)."""
        xp = backend.module_of(p)
        lr, (b1, b2), eps, psi = group["lr"], group["betas"], group["eps"], group["momentum_decay"]
        g = self.apply_weight_decay(p, g, group)
        state["step"] += 1
        t = state["step"]
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        prod = state["mu_product"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1.0 - b1) * (g - m)
        v *= b2
        v += (1.0 - b2) * g * g
        d = xp.sqrt(v / (1.0 - b2**t)) + eps
        p -= (lr * (1.0 - mu) / (1.0 - prod)) * g / d
        p -= (lr * mu_next / (1.0 - prod * mu_next)) * m / d
