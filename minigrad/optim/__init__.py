"""Optimizers (``mg.optim``): update rules and defaults as ``torch.optim``, or Keras 3's.

    opt = mg.optim.Adam(model.parameters(), lr=1e-3)
    loss.backward(); opt.step(); opt.zero_grad()

Every optimizer takes ``convention="torch"`` (default) or ``"keras"``; see
:mod:`minigrad.optim.optimizer`. ``get(name, **kwargs)`` builds one by name.
"""

from __future__ import annotations

from typing import Any

from . import lr_scheduler
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, NAdam
from .lamb import LAMB
from .lion import Lion
from .optimizer import CONVENTIONS, Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer", "CONVENTIONS", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
    "NAdam", "Lion", "LAMB", "get", "lr_scheduler",
]

_BY_NAME: dict[str, tuple[type[Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
    "rmsprop": (RMSprop, {}),
    "adagrad": (Adagrad, {}),
    "adadelta": (Adadelta, {}),
    "adamax": (Adamax, {}),
    "nadam": (NAdam, {}),
    "lion": (Lion, {}),
    "lamb": (LAMB, {}),
}


def get(name: str | Optimizer, **kwargs: Any) -> Optimizer:
    """A new optimizer named ``name`` (case-insensitive), built with ``kwargs``.

    ``"momentum"`` is SGD with momentum 0.9 and ``"nesterov"`` adds Nesterov;
    ``kwargs`` override those settings. An Optimizer instance is returned as is.
    """
    if isinstance(name, Optimizer):
        if kwargs:
            raise ValueError(f"optim.get: got an optimizer instance and also options {sorted(kwargs)}")
        return name
    if not isinstance(name, str) or name.lower() not in _BY_NAME:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(_BY_NAME)}")
    cls, preset = _BY_NAME[name.lower()]
    return cls(**{**preset, **kwargs})
