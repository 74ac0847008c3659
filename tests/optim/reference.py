"""Update rules written out independently of minigrad, as the test oracle.

Each rule follows the paper or the library's source in its own textbook form
(PyTorch's ``torch/optim/*.py`` for the torch convention, Keras 3's
``keras/src/optimizers/*.py`` for the keras one), in plain NumPy, computing in
the parameter's dtype. A rule is ``rule(p, g, s, h) -> new p``: ``p`` and ``g``
are arrays, ``s`` is this parameter's state (a dict the rule fills on first
use), ``h`` the full hyperparameters. Keras's weight decay is decoupled and
applied before every update: ``p <- p - p * wd * lr``.

``DEFAULTS`` lists each library's documented defaults, in minigrad's names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["DEFAULTS", "RULES", "Rule"]

Rule = Callable[[np.ndarray, np.ndarray, dict[str, Any], dict[str, Any]], np.ndarray]

DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("SGD", "torch"): dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    ("SGD", "keras"): dict(lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    ("Adam", "torch"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False),
    ("Adam", "keras"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.0, amsgrad=False),
    ("AdamW", "torch"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    ("AdamW", "keras"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.004, amsgrad=False),
    ("RMSprop", "torch"): dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    ("RMSprop", "keras"): dict(lr=1e-3, alpha=0.9, eps=1e-7, weight_decay=0.0, momentum=0.0, centered=False),
    ("Adagrad", "torch"): dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
    ("Adagrad", "keras"): dict(lr=1e-3, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.1, eps=1e-7),
    ("Adadelta", "torch"): dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0),
    ("Adadelta", "keras"): dict(lr=1e-3, rho=0.95, eps=1e-7, weight_decay=0.0),
    ("Adamax", "torch"): dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    ("Adamax", "keras"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.0),
    ("NAdam", "torch"): dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3),
    ("NAdam", "keras"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.0),
    ("Lion", "torch"): dict(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0),
    ("Lion", "keras"): dict(lr=1e-3, betas=(0.9, 0.99), weight_decay=0.0),
    ("LAMB", "torch"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0),
    ("LAMB", "keras"): dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.0),
}


def _keras_decay(p: np.ndarray, h: dict[str, Any]) -> np.ndarray:
    return p - p * h["weight_decay"] * h["lr"]


def _tick(s: dict[str, Any]) -> int:
    s["t"] = s.get("t", 0) + 1
    return s["t"]


def _zeros(s: dict[str, Any], name: str, p: np.ndarray, fill: float = 0.0) -> np.ndarray:
    if name not in s:
        s[name] = np.full_like(p, fill)
    return s[name]


# ---------------------------------------------------------------- SGD
def sgd_torch(p, g, s, h):
    d = g + h["weight_decay"] * p
    if h["momentum"]:
        if "buf" in s:
            s["buf"] = h["momentum"] * s["buf"] + (1 - h["dampening"]) * d
        else:
            s["buf"] = d.copy()
        d = d + h["momentum"] * s["buf"] if h["nesterov"] else s["buf"]
    return p - h["lr"] * d


def sgd_keras(p, g, s, h):
    p = _keras_decay(p, h)
    if not h["momentum"]:
        return p - h["lr"] * g
    s["v"] = h["momentum"] * _zeros(s, "v", p) - h["lr"] * g
    if h["nesterov"]:
        return p + h["momentum"] * s["v"] - h["lr"] * g
    return p + s["v"]


# ---------------------------------------------------------------- Adam family
def _adam_torch(p, g, s, h, decoupled):
    b1, b2 = h["betas"]
    if decoupled:
        p = p * (1 - h["lr"] * h["weight_decay"])
    else:
        g = g + h["weight_decay"] * p
    t = _tick(s)
    s["m"] = b1 * _zeros(s, "m", p) + (1 - b1) * g
    s["v"] = b2 * _zeros(s, "v", p) + (1 - b2) * g**2
    v = s["v"]
    if h["amsgrad"]:
        v = s["vmax"] = np.maximum(_zeros(s, "vmax", p), s["v"])
    m_hat = s["m"] / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    return p - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])


def adam_torch(p, g, s, h):
    return _adam_torch(p, g, s, h, decoupled=False)


def adamw_torch(p, g, s, h):
    return _adam_torch(p, g, s, h, decoupled=True)


def adam_keras(p, g, s, h):  # keras AdamW is the same rule with a different default decay
    b1, b2 = h["betas"]
    p = _keras_decay(p, h)
    t = _tick(s)
    m = _zeros(s, "m", p)
    v = _zeros(s, "v", p)
    alpha = h["lr"] * math.sqrt(1 - b2**t) / (1 - b1**t)
    s["m"] = m + (g - m) * (1 - b1)
    s["v"] = v + (g**2 - v) * (1 - b2)
    v = s["v"]
    if h["amsgrad"]:
        v = s["vhat"] = np.maximum(_zeros(s, "vhat", p), s["v"])
    return p - s["m"] * alpha / (np.sqrt(v) + h["eps"])


def adamax_torch(p, g, s, h):
    b1, b2 = h["betas"]
    g = g + h["weight_decay"] * p
    t = _tick(s)
    s["m"] = b1 * _zeros(s, "m", p) + (1 - b1) * g
    s["u"] = np.maximum(b2 * _zeros(s, "u", p), np.abs(g) + h["eps"])
    return p - h["lr"] / (1 - b1**t) * s["m"] / s["u"]


def adamax_keras(p, g, s, h):
    b1, b2 = h["betas"]
    p = _keras_decay(p, h)
    t = _tick(s)
    s["m"] = b1 * _zeros(s, "m", p) + (1 - b1) * g
    s["u"] = np.maximum(b2 * _zeros(s, "u", p), np.abs(g))
    return p - h["lr"] * s["m"] / ((1 - b1**t) * (s["u"] + h["eps"]))


def nadam_torch(p, g, s, h):
    """Dozat's NAdam as torch documents it: mu_t = b1 (1 - 0.5 * 0.96 ** (t psi))."""
    b1, b2 = h["betas"]
    g = g + h["weight_decay"] * p
    t = _tick(s)

    def mu(k):
        return b1 * (1 - 0.5 * 0.96 ** (k * h["momentum_decay"]))

    prod_t = s["prod"] = s.get("prod", 1.0) * mu(t)
    prod_next = prod_t * mu(t + 1)
    s["m"] = b1 * _zeros(s, "m", p) + (1 - b1) * g
    s["v"] = b2 * _zeros(s, "v", p) + (1 - b2) * g**2
    m_hat = mu(t + 1) * s["m"] / (1 - prod_next) + (1 - mu(t)) * g / (1 - prod_t)
    v_hat = s["v"] / (1 - b2**t)
    return p - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])


def nadam_keras(p, g, s, h):
    """Keras 3's Nadam: u_t = b1 (1 - 0.5 * 0.96 ** t), a shared running product."""
    b1, b2 = h["betas"]
    p = _keras_decay(p, h)
    t = _tick(s)
    u_t = b1 * (1.0 - 0.5 * 0.96**t)
    u_t_1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
    u_product_t = s["u_product"] = s.get("u_product", 1.0) * u_t
    u_product_t_1 = u_product_t * u_t_1
    m, v = _zeros(s, "m", p), _zeros(s, "v", p)
    s["m"] = m + (g - m) * (1 - b1)
    s["v"] = v + (g * g - v) * (1 - b2)
    m_hat = u_t_1 * s["m"] / (1 - u_product_t_1) + (1 - u_t) * g / (1 - u_product_t)
    v_hat = s["v"] / (1 - b2**t)
    return p - m_hat * h["lr"] / (np.sqrt(v_hat) + h["eps"])


# ---------------------------------------------------------------- RMSprop, Adagrad, Adadelta
def rmsprop_torch(p, g, s, h):
    a = h["alpha"]
    g = g + h["weight_decay"] * p
    s["sq"] = a * _zeros(s, "sq", p) + (1 - a) * g**2
    if h["centered"]:
        s["ga"] = a * _zeros(s, "ga", p) + (1 - a) * g
        avg = np.sqrt(s["sq"] - s["ga"] ** 2) + h["eps"]
    else:
        avg = np.sqrt(s["sq"]) + h["eps"]
    if h["momentum"] > 0:
        s["buf"] = h["momentum"] * _zeros(s, "buf", p) + g / avg
        return p - h["lr"] * s["buf"]
    return p - h["lr"] * g / avg


def rmsprop_keras(p, g, s, h):
    rho = h["alpha"]
    p = _keras_decay(p, h)
    s["vel"] = rho * _zeros(s, "vel", p) + (1 - rho) * np.square(g)
    if h["centered"]:
        s["avg"] = rho * _zeros(s, "avg", p) + (1 - rho) * g
        denominator = s["vel"] - np.square(s["avg"]) + h["eps"]
    else:
        denominator = s["vel"] + h["eps"]
    increment = h["lr"] * g / np.sqrt(denominator)
    if h["momentum"] > 0:
        s["mom"] = h["momentum"] * _zeros(s, "mom", p) + increment
        return p - s["mom"]
    return p - increment


def adagrad_torch(p, g, s, h):
    g = g + h["weight_decay"] * p
    t = _tick(s)
    clr = h["lr"] / (1 + (t - 1) * h["lr_decay"])
    s["sum"] = _zeros(s, "sum", p, h["initial_accumulator_value"]) + g * g
    return p - clr * g / (np.sqrt(s["sum"]) + h["eps"])


def adagrad_keras(p, g, s, h):
    p = _keras_decay(p, h)
    s["acc"] = _zeros(s, "acc", p, h["initial_accumulator_value"]) + np.square(g)
    return p - h["lr"] * g / np.sqrt(s["acc"] + h["eps"])


def _adadelta(p, g, s, h):
    rho, eps = h["rho"], h["eps"]
    s["eg2"] = rho * _zeros(s, "eg2", p) + (1 - rho) * g**2
    delta = np.sqrt(_zeros(s, "edx2", p) + eps) / np.sqrt(s["eg2"] + eps) * g
    s["edx2"] = rho * s["edx2"] + (1 - rho) * delta**2
    return p - h["lr"] * delta


def adadelta_torch(p, g, s, h):
    return _adadelta(p, g + h["weight_decay"] * p, s, h)


def adadelta_keras(p, g, s, h):
    return _adadelta(_keras_decay(p, h), g, s, h)


# ---------------------------------------------------------------- Lion, LAMB
def lion_paper(p, g, s, h):
    """Chen et al. 2023, Algorithm 2 (decoupled weight decay)."""
    b1, b2 = h["betas"]
    m = _zeros(s, "m", p)
    update = np.sign(b1 * m + (1 - b1) * g) + h["weight_decay"] * p
    s["m"] = b2 * m + (1 - b2) * g
    return p - h["lr"] * update


def lion_keras(p, g, s, h):
    b1, b2 = h["betas"]
    p = _keras_decay(p, h)
    m = _zeros(s, "m", p)
    p = p - h["lr"] * np.sign(m * b1 + g * (1.0 - b1))
    s["m"] = m * b2 + g * (1.0 - b2)
    return p


def _trust_ratio(w: np.ndarray, u: np.ndarray) -> float:
    w_norm, u_norm = np.sqrt(np.sum(w * w)), np.sqrt(np.sum(u * u))
    return float(w_norm / u_norm) if w_norm > 0 and u_norm > 0 else 1.0


def lamb_paper(p, g, s, h):
    """You et al. 2020, Algorithm 2 with phi = identity; weight decay inside the update."""
    b1, b2 = h["betas"]
    t = _tick(s)
    s["m"] = b1 * _zeros(s, "m", p) + (1 - b1) * g
    s["v"] = b2 * _zeros(s, "v", p) + (1 - b2) * g * g
    r = (s["m"] / (1 - b1**t)) / (np.sqrt(s["v"] / (1 - b2**t)) + h["eps"])
    u = r + h["weight_decay"] * p
    return p - h["lr"] * _trust_ratio(p, u) * u


def lamb_keras(p, g, s, h):
    b1, b2 = h["betas"]
    p = _keras_decay(p, h)
    t = _tick(s)
    m, v = _zeros(s, "m", p), _zeros(s, "v", p)
    s["m"] = m + (g - m) * (1 - b1)
    s["v"] = v + (np.square(g) - v) * (1 - b2)
    update = (s["m"] / (1.0 - b1**t)) / (np.sqrt(s["v"] / (1.0 - b2**t)) + h["eps"])
    return p - _trust_ratio(p, update) * h["lr"] * update


RULES: dict[tuple[str, str], Rule] = {
    ("SGD", "torch"): sgd_torch,
    ("SGD", "keras"): sgd_keras,
    ("Adam", "torch"): adam_torch,
    ("Adam", "keras"): adam_keras,
    ("AdamW", "torch"): adamw_torch,
    ("AdamW", "keras"): adam_keras,
    ("RMSprop", "torch"): rmsprop_torch,
    ("RMSprop", "keras"): rmsprop_keras,
    ("Adagrad", "torch"): adagrad_torch,
    ("Adagrad", "keras"): adagrad_keras,
    ("Adadelta", "torch"): adadelta_torch,
    ("Adadelta", "keras"): adadelta_keras,
    ("Adamax", "torch"): adamax_torch,
    ("Adamax", "keras"): adamax_keras,
    ("NAdam", "torch"): nadam_torch,
    ("NAdam", "keras"): nadam_keras,
    ("Lion", "torch"): lion_paper,
    ("Lion", "keras"): lion_keras,
    ("LAMB", "torch"): lamb_paper,
    ("LAMB", "keras"): lamb_keras,
}
