"""Looking losses up by name: ``losses.get("huber", delta=2.0)``.

Names are matched case-insensitively with underscores optional, so
``"MSE"``, ``"mean_squared_error"`` and Keras's class name
``"SparseCategoricalCrossentropy"`` all resolve.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from . import binary, categorical, regression

__all__ = ["LOSSES", "ALIASES", "get", "names"]

LOSSES: dict[str, Callable[..., Any]] = {
    fn.__name__: fn
    for module in (regression, binary, categorical)
    for fn in (getattr(module, name) for name in module.__all__)
}
"""Every loss under its own name."""

ALIASES: dict[str, str] = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "l1": "mae",
    "sigmoid_cross_entropy_with_logits": "binary_crossentropy_with_logits",
    "kld": "kl_divergence",
}
"""Other names a loss answers to."""


def _key(name: str) -> str:
    return name.lower().replace("_", "")


_BY_KEY = {_key(n): fn for n, fn in LOSSES.items()} | {_key(a): LOSSES[n] for a, n in ALIASES.items()}


def names() -> list[str]:
    """Every valid loss name, aliases included, sorted."""
    return sorted(set(LOSSES) | set(ALIASES))


def get(identifier: str | Callable[..., Any], **options: Any) -> Callable[..., Any]:
    """The loss named ``identifier`` (or the callable itself), with ``options`` bound as keyword arguments.

    ``get("huber", delta=2.0)(prediction, target)`` is ``huber(prediction, target, delta=2.0)``.
    An unknown name raises ValueError listing the valid ones; an option the
    loss does not take raises TypeError here rather than at the first call.
    """
    fn: Callable[..., Any] | None
    if callable(identifier):
        fn = identifier
    elif isinstance(identifier, str):
        fn = _BY_KEY.get(_key(identifier))
        if fn is None:
            raise ValueError(f"unknown loss {identifier!r}; valid names: {', '.join(names())}")
    else:
        raise TypeError(f"losses.get: expected a loss name or a callable, got {type(identifier).__name__}")
    if not options:
        return fn
    try:
        inspect.signature(fn).bind_partial(None, None, **options)
    except TypeError as err:
        raise TypeError(f"losses.get: {getattr(fn, '__name__', fn)!r} does not take {sorted(options)}: {err}") from None
    return functools.update_wrapper(functools.partial(fn, **options), fn)
