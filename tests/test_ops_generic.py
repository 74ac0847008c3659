"""The generic op tests: every entry of the op database, forward and backward.

* forward equals the NumPy reference in float64, and float32 stays float32;
* backward equals central finite differences in float64 for a random upstream
  gradient, over random (broadcastable, size-1 and empty) shapes, with a
  random nonempty subset of the inputs requiring grad (the rest constants);
* second derivatives: the gradient of <grad f(x) . v, u> equals its finite
  differences, so every backward is itself correctly differentiable;
* an op whose backward runs on arrays (``on_arrays``) gives the same
  gradients that way as on Tensors, where the backward is recorded.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import check_gradients

from .helpers import as_list, cotangents, draw_grad_inputs, make_inputs, skip_if_unavailable, to_host
from .op_db import ALL_OPS

WITH_REF = [op for op in ALL_OPS if op.ref is not None]
SMOOTH = [op for op in ALL_OPS if op.gradgrad]
ON_ARRAYS = [op for op in ALL_OPS if any(getattr(cls, "on_arrays", False) for cls in op.covers)]


@pytest.mark.parametrize("op", WITH_REF, ids=str)
@given(data=st.data())
def test_forward_matches_numpy(op, data) -> None:
    skip_if_unavailable(op)
    arrays, params = op.sample(data.draw)
    expected = as_list(op.ref(*arrays, **params))
    got = as_list(op.fn(*make_inputs(op, arrays, np.float64), **params))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == np.float64
        np.testing.assert_allclose(to_host(g), e, rtol=1e-10, atol=1e-12, err_msg=op.name)


@pytest.mark.parametrize("op", ALL_OPS, ids=str)
@given(data=st.data())
def test_float32_stays_float32(op, data) -> None:
    skip_if_unavailable(op)
    arrays, params = op.sample(data.draw)
    xs = make_inputs(op, arrays, np.float32)
    outs = as_list(op.fn(*xs, **params))
    for o in outs:
        assert o.dtype == np.float32, f"{op.name} returned {o.dtype} for float32 input"
    if op.ref is not None:
        for o, e in zip(outs, as_list(op.ref(*[a.astype(np.float32).astype(np.float64) for a in arrays], **params))):
            np.testing.assert_allclose(to_host(o), e, rtol=op.float32_rtol, atol=1e-5, err_msg=op.name)
    wrt = [x for x in xs if x.requires_grad]
    live = [o for o in outs if o.requires_grad]
    if wrt and live:
        vs = [mg.tensor(v.astype(np.float32)) for v in cotangents(live, 0)]
        for g in mg.grad(live, wrt, vs, allow_unused=True):
            assert g is None or g.dtype == np.float32, f"{op.name} gradient is {g.dtype} for float32 input"


@pytest.mark.parametrize("op", ALL_OPS, ids=str)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_backward_matches_finite_differences(op, data, seed) -> None:
    skip_if_unavailable(op)
    xs, params = draw_grad_inputs(data.draw, op)
    # the same public check users run on their own ops (minigrad.testing)
    check_gradients(lambda *args: op.fn(*args, **params), xs, eps=op.eps, atol=op.atol, rtol=op.rtol, seed=seed)


@pytest.mark.parametrize("op", SMOOTH, ids=str)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_second_derivative_matches_finite_differences(op, data, seed) -> None:
    """d/dx <grad_x <f(x), v>, u> against central differences, in float64."""
    skip_if_unavailable(op)
    xs, params = draw_grad_inputs(data.draw, op)
    wrt = [x for x in xs if x.requires_grad]
    rng = np.random.default_rng(seed)
    with mg.no_grad():
        shapes = [o.shape for o in as_list(op.fn(*xs, **params))]
    vs = [mg.tensor(rng.standard_normal(s)) for s in shapes]
    us = [rng.standard_normal(x.shape) for x in wrt]

    def projected_gradient() -> mg.Tensor:
        outs = as_list(op.fn(*xs, **params))
        live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
        if not live:
            return None
        gs = mg.grad([o for o, _ in live], wrt, [v for _, v in live], create_graph=True, allow_unused=True)
        terms = [(g * mg.tensor(u)).sum() for g, u in zip(gs, us) if g is not None and g.requires_grad]
        return sum(terms[1:], terms[0]) if terms else None

    h = projected_gradient()
    if h is None:
        return
    seconds = mg.grad([h], wrt, allow_unused=True)
    for x, g in zip(wrt, seconds):
        analytic = np.zeros(x.shape) if g is None else to_host(g)
        flat = x.data.reshape(-1)
        numeric = np.zeros(x.size)
        for j in range(x.size):
            orig = float(flat[j])
            flat[j] = orig + op.eps
            plus = projected_gradient()
            flat[j] = orig - op.eps
            minus = projected_gradient()
            flat[j] = orig
            numeric[j] = (float(plus.item()) - float(minus.item())) / (2 * op.eps)
        np.testing.assert_allclose(analytic, numeric.reshape(x.shape), rtol=1e-4, atol=1e-5, err_msg=op.name)


@pytest.mark.parametrize("op", ON_ARRAYS, ids=str)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_backward_on_arrays_matches_backward_on_tensors(op, data, seed) -> None:
    """The same backward body, run on raw arrays (no create_graph) and on Tensors (create_graph)."""
    skip_if_unavailable(op)
    xs, params = draw_grad_inputs(data.draw, op)
    wrt = [x for x in xs if x.requires_grad]
    outs = [o for o in as_list(op.fn(*xs, **params)) if o.requires_grad]
    if not wrt or not outs:
        return
    vs = [mg.tensor(v) for v in cotangents(outs, seed)]
    on_arrays = mg.grad(outs, wrt, vs, retain_graph=True, allow_unused=True)
    on_tensors = mg.grad(outs, wrt, vs, create_graph=True, allow_unused=True)
    for a, t in zip(on_arrays, on_tensors):
        assert (a is None) == (t is None), op.name
        if a is not None:
            assert a.dtype == t.dtype and a.shape == t.shape, op.name
            np.testing.assert_allclose(to_host(a), to_host(t), rtol=1e-12, atol=1e-12, err_msg=op.name)
