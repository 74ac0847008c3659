"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``, as ``torch.nn.utils``.

Both change ``.grad`` of the given parameters in place, between
``loss.backward()`` and ``optimizer.step()``::

    loss.backward()
    mg.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .. import backend
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters: Tensor | Iterable[Tensor], where: str) -> list[Any]:
    """The gradient arrays of the parameters that have one, ready to change in place."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = []
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise ValueError(f"{where}: parameter {i} is a {type(p).__name__}, not a minigrad Tensor")
        if p.grad is not None:
            if not backend.is_array(p.grad.data):  # a NumPy scalar (0-d) cannot change in place
                p.grad.data = backend.module_of(p.grad.data).asarray(p.grad.data)
            grads.append(p.grad.data)
    return grads


def _distinct(arrays: list[Any]) -> list[Any]:
    """Each array once: two parameters may share one gradient array, which must change only once."""
    return list({id(a): a for a in arrays}.values())


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Tensor:
    """Scale the gradients so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of all gradients seen as one
    vector (``inf`` for the largest absolute value). Every gradient is
    multiplied by ``min(1, max_norm / (total + 1e-6))``. Returns the total
    norm before clipping, as a 0-d Tensor. ``error_if_nonfinite=True`` raises
    RuntimeError when it is NaN or inf, instead of scaling by it.
    """
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    grads = _grads(parameters, "clip_grad_norm_")
    if not grads:
        return Tensor(0.0)
    xp = backend.module_of(grads[0])
    norms = xp.stack([xp.linalg.norm(g.ravel(), ord=norm_type) for g in grads])
    total = xp.linalg.norm(norms, ord=norm_type)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(
            f"clip_grad_norm_: the total {norm_type}-norm of the gradients is {float(total)}, so they "
            f"cannot be clipped; set error_if_nonfinite=False to scale by it anyway"
        )
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)  # no branch: stays on the device
    for g in _distinct(grads):
        g *= scale.astype(g.dtype)
    return Tensor._make(backend.as_array(total))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _distinct(_grads(parameters, "clip_grad_value_")):
        backend.module_of(g).clip(g, -clip_value, clip_value, out=g)
