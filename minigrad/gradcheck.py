"""Check autograd against central finite differences, in float64.

``gradcheck(fn, inputs)`` compares, for every input that requires grad, the
Jacobian autograd computes with the one from central differences
(f(x + eps) - f(x - eps)) / (2 eps), and raises naming the worst element.
``gradgradcheck`` does the same for the gradient itself (second derivatives).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import backend
from .differentiate import grad
from .tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Autograd and finite differences disagree."""


def _outputs(result: Any) -> list[Tensor]:
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _as_float64(inputs: Sequence[Any]) -> list[Any]:
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            copy = Tensor._make(x.data.astype("float64"))
            copy.requires_grad = x.requires_grad
            out.append(copy)
        else:
            out.append(x)
    return out


def _flat_outputs(fn: Callable[..., Any], inputs: list[Any]) -> np.ndarray:
    outs = _outputs(fn(*inputs))  # in grad mode: fn may differentiate internally
    parts = [backend.to_numpy(o.data).astype(np.float64).ravel() for o in outs]
    return np.concatenate(parts) if parts else np.zeros(0)


def _numeric_jacobian(fn: Callable[..., Any], inputs: list[Any], x: Tensor, eps: float) -> np.ndarray:
    """Column j is (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)."""
    flat = x.data.reshape(-1)  # a view: perturbing it perturbs x
    columns = []
    for j in range(x.size):
        orig = flat[j].item()
        flat[j] = orig + eps
        plus = _flat_outputs(fn, inputs)
        flat[j] = orig - eps
        minus = _flat_outputs(fn, inputs)
        flat[j] = orig
        columns.append((plus - minus) / (2 * eps))
    n_out = _flat_outputs(fn, inputs).size
    return np.stack(columns, axis=1) if columns else np.zeros((n_out, 0))


def _analytic_jacobians(fn: Callable[..., Any], inputs: list[Any], wrt: list[Tensor]) -> list[np.ndarray]:
    """Row i of each Jacobian is the gradient of output element i (one backward per row)."""
    outs = _outputs(fn(*inputs))
    sizes = [o.size for o in outs]
    total = sum(sizes)
    jacobians = [np.zeros((total, x.size)) for x in wrt]
    row = 0
    for o in outs:
        for i in range(o.size):
            seed = np.zeros(o.size)
            seed[i] = 1.0
            g_out = Tensor._make(backend.asarray(seed.reshape(o.shape), dtype=o.dtype, backend=o.backend))
            if not o.requires_grad:
                row += 1
                continue
            gs = grad([o], wrt, [g_out], retain_graph=True, allow_unused=True)
            for jac, g in zip(jacobians, gs):
                if g is not None:
                    jac[row] = backend.to_numpy(g.data).astype(np.float64).ravel()
            row += 1
    return jacobians


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if autograd matches central finite differences for every input requiring grad.

    ``fn`` may return a tensor of any shape or a tuple of tensors. Float
    inputs are copied to float64 first. Raises :class:`GradcheckError` with
    the worst element's analytic and numeric values otherwise.
    """
    inputs = _as_float64(inputs if isinstance(inputs, (tuple, list)) else [inputs])
    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")
    analytic = _analytic_jacobians(fn, inputs, wrt)
    for k, (x, a) in enumerate(zip(wrt, analytic)):
        n = _numeric_jacobian(fn, inputs, x, eps)
        err = np.abs(a - n) - (atol + rtol * np.abs(n))
        if err.size and (err.max() > 0 or not np.isfinite(a).all()):
            i, j = np.unravel_index(np.nanargmax(np.where(np.isfinite(err), err, np.inf)), err.shape)
            raise GradcheckError(
                f"gradcheck: Jacobian mismatch for input {k} (shape {x.shape}) at output element {i}, "
                f"input element {j}: analytic {a[i, j]!r} vs numeric {n[i, j]!r} "
                f"(atol={atol}, rtol={rtol})"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of x -> d(sum(fn(x) * v))/dx for a fixed random v."""
    inputs = _as_float64(inputs if isinstance(inputs, (tuple, list)) else [inputs])
    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [
            Tensor._make(backend.asarray(rng.standard_normal(o.shape), dtype=o.dtype, backend=o.backend)) for o in outs
        ]
    vs = list(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else [grad_outputs]

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        xs = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        gs = grad(_outputs(fn(*args)), xs, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    if not wrt:
        raise ValueError("gradgradcheck: no input requires grad")
    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol)
