"""``mg.grad``: gradients of outputs with respect to chosen inputs, leaving ``.grad`` alone."""

from __future__ import annotations

from typing import Any, Literal, overload

from .autograd import run_backward
from .tensor import Tensor, _initial_grad

__all__ = ["grad"]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


@overload
def grad(
    outputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    inputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: Literal[False] = False,
) -> tuple[Tensor, ...]: ...
@overload
def grad(
    outputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    inputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]: ...
def grad(
    outputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    inputs: Tensor | list[Tensor] | tuple[Tensor, ...],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) weighted by ``grad_outputs``, as a tuple.

    Nothing's ``.grad`` is touched. ``create_graph=True`` records the
    backward pass so the result can be differentiated again (Hessian-vector
    products, gradient penalties); ``retain_graph`` defaults to it. An input
    the outputs do not depend on raises unless ``allow_unused=True``, which
    gives None for it.
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gouts = [None] * len(outs) if grad_outputs is None else _as_list(grad_outputs)
    if len(gouts) != len(outs):
        raise ValueError(f"grad: {len(outs)} outputs but {len(gouts)} grad_outputs")
    for t in ins:
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError("grad: every input must be a tensor that requires grad")
    for t in outs:
        if not t.requires_grad:
            raise RuntimeError(f"grad: an output of shape {t.shape} does not require grad; it does not depend on any input")
    roots = [_initial_grad(t, g, "grad") for t, g in zip(outs, gouts)]
    keep = create_graph if retain_graph is None else retain_graph
    result = run_backward(outs, roots, keep, create_graph, capture=ins)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {ins[i].shape}) was not used to compute the outputs; "
                f"pass allow_unused=True to get None for it"
            )
    return tuple(result)
