"""Property-test your own ops the way minigrad tests its own (needs Hypothesis).

    from hypothesis import given
    from minigrad.testing import tensors, check_gradients

    @given(x=tensors(shape=(3, 4), min_value=0.1, max_value=5.0))
    def test_my_op(x):
        check_gradients(my_op, [x])

``check_gradients`` compares the vector-Jacobian product autograd computes for
a random upstream gradient with central finite differences, in float64.
Import this module explicitly: ``import minigrad`` never loads Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from . import backend
from .autograd import no_grad
from .creation import tensor
from .differentiate import grad
from .tensor import Tensor

__all__ = ["shapes", "broadcastable_shapes", "tensors", "numeric_vjp", "check_gradients"]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes, size-1 axes included (``min_side=0`` adds empty ones)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Tuples of ``num_shapes`` shapes that broadcast together under NumPy's rules."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, max_dims=max_dims, max_side=max_side).map(
        lambda s: s.input_shapes
    )


def tensors(shape: Any = None, dtype: Any = np.float64, min_value: float = -3.0, max_value: float = 3.0,
            requires_grad: bool = True) -> st.SearchStrategy:
    """Tensors of ``shape`` (a tuple or a shape strategy; default any small shape) with finite values."""
    shape_st = shapes() if shape is None else (shape if isinstance(shape, st.SearchStrategy) else st.just(shape))
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return shape_st.flatmap(lambda s: hnp.arrays(np.float64, s, elements=elements)).map(
        lambda a: tensor(a.astype(dtype), requires_grad=requires_grad)
    )


def _outputs(result: Any) -> list[Tensor]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _weighted(fn: Callable[..., Any], inputs: Sequence[Any], vs: Sequence[np.ndarray]) -> float:
    with no_grad():
        outs = _outputs(fn(*inputs))
    return float(sum((backend.to_numpy(o.data).astype(np.float64) * v).sum() for o, v in zip(outs, vs)))


def numeric_vjp(fn: Callable[..., Any], inputs: Sequence[Any], x: Tensor, vs: Sequence[np.ndarray],
                eps: float = 1e-6) -> np.ndarray:
    """Central differences of sum_k <fn(inputs)_k, vs_k> with respect to each element of ``x``."""
    flat = x.data.reshape(-1)  # a view: perturbing it perturbs x
    out = np.zeros(x.size)
    for j in range(x.size):
        orig = float(flat[j])
        flat[j] = orig + eps
        plus = _weighted(fn, inputs, vs)
        flat[j] = orig - eps
        minus = _weighted(fn, inputs, vs)
        flat[j] = orig
        out[j] = (plus - minus) / (2 * eps)
    return out.reshape(x.shape)


def check_gradients(fn: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-6,
                    rtol: float = 1e-5, seed: int = 0) -> None:
    """Assert that autograd's gradients of ``fn`` match finite differences for a random upstream gradient.

    Float inputs are copied to float64; those that require grad are checked.
    Raises AssertionError naming the input and the worst element.
    """
    xs = [tensor(x.data.astype(np.float64), requires_grad=x.requires_grad)
          if isinstance(x, Tensor) and x.dtype.kind == "f" else x for x in inputs]
    wrt = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn(*xs))
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(o.shape) for o in outs]
    live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    grads = grad([o for o, _ in live], wrt, [tensor(v) for _, v in live], allow_unused=True) if live else [None] * len(wrt)
    for k, (x, g) in enumerate(zip(wrt, grads)):
        analytic = np.zeros(x.shape) if g is None else backend.to_numpy(g.data)
        numeric = numeric_vjp(fn, xs, x, vs, eps)
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"check_gradients: gradient of input {k} (shape {x.shape})")
