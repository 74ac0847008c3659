"""Properties every loss must have, checked over random shapes, options and reductions.

* the value equals the float64 NumPy reference, for every reduction;
* float32 input gives a float32 loss and float32 gradients, close to the float64 value;
* gradients (for the prediction, and for the target where it is a float input)
  equal float64 central finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg

from . import reference
from .cases import CASES


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_value_matches_reference_for_every_reduction(case, data) -> None:
    p, t, options = case.sample(data.draw)
    values, denominator = case.ref(p, t, **options)
    for reduction in mg.losses.REDUCTIONS:
        got = case.fn(mg.tensor(p), mg.tensor(t), reduction=reduction, **options)
        assert got.dtype == np.float64
        expected = reference.reduce(values, denominator, reduction)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12, err_msg=f"{case} {reduction}")


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_float32_stays_float32(case, data) -> None:
    p, t, options = case.sample(data.draw)
    p32 = p.astype(np.float32)
    t32 = t.astype(np.float32) if t.dtype.kind == "f" else t
    x = mg.tensor(p32, requires_grad=True)
    loss = case.fn(x, mg.tensor(t32), **options)
    assert loss.dtype == np.float32, f"{case} returned {loss.dtype}"
    loss.backward()
    assert x.grad.dtype == np.float32
    expected = reference.reduce(*case.ref(p32.astype(np.float64), t32.astype(t.dtype), **options), "mean")
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-4, atol=1e-5, err_msg=str(case))


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data(), reduction=st.sampled_from(mg.losses.REDUCTIONS))
def test_gradients_match_finite_differences(case, data, reduction) -> None:
    p, t, options = case.sample(data.draw)
    x = mg.tensor(p, requires_grad=True)
    y = mg.tensor(t, requires_grad=case.target_grad)
    assert mg.gradcheck(lambda a, b: case.fn(a, b, reduction=reduction, **options), [x, y], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_second_derivatives_match_finite_differences(case, data) -> None:
    """Gradients of gradients (Hessian-vector products) are right, so losses work inside gradient penalties."""
    p, t, options = case.sample(data.draw)
    x = mg.tensor(p, requires_grad=True)
    assert mg.gradgradcheck(lambda a: case.fn(a, mg.tensor(t), **options), [x], atol=1e-6, rtol=1e-5)
