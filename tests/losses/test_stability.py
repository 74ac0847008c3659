"""Numerical stability: logits up to |1e4| and huge residuals give finite, correct values and gradients.

References are computed stably in float64 (``np.logaddexp``, max-shifted
log-sum-exp), so they are exact where the naive formulas overflow. The fused
ops are also checked against their composite form, where that form is exact
(for the squared error, fused for speed alone, it always is).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.ops.cross_entropy import sigmoid_cross_entropy, softmax_cross_entropy

from ..op_db import floats_array

L = mg.losses
DTYPES = [np.float32, np.float64]
EXTREME = st.one_of(st.sampled_from([-1e4, 1e4, 0.0]), st.floats(-1e4, 1e4))


def _logits(draw: Any, shape: tuple[int, ...]) -> np.ndarray:
    return draw(hnp.arrays(np.float64, shape, elements=EXTREME))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0, -x))


def _log_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    top = z.max(axis, keepdims=True)
    return z - top - np.log(np.exp(z - top).sum(axis, keepdims=True))


def _value_and_grad(loss: Any, x: np.ndarray, dtype: Any, *args: Any, **kwargs: Any) -> tuple[float, np.ndarray]:
    z = mg.tensor(x.astype(dtype), requires_grad=True)
    out = loss(z, *args, **kwargs)
    out.backward()
    assert out.dtype == dtype and z.grad.dtype == dtype
    return out.item(), z.grad.numpy()


# ------------------------------------------------------------- sigmoid family
BINARY_LOGIT_LOSSES = {
    "binary_crossentropy_with_logits": lambda x, y, w: L.binary_crossentropy_with_logits(x, y, pos_weight=w),
    "weighted_cross_entropy_with_logits": lambda x, y, w: L.weighted_cross_entropy_with_logits(x, y, pos_weight=w),
    "binary_crossentropy(from_logits=True)": lambda x, y, w: L.binary_crossentropy(x, y, from_logits=True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BINARY_LOGIT_LOSSES)
@given(data=st.data())
def test_binary_logit_losses_are_exact_for_extreme_logits(name, dtype, data) -> None:
    shape = data.draw(hnp.array_shapes(max_dims=2, max_side=4))
    x = _logits(data.draw, shape)
    y = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0, 0.25])))
    w = 1.0 if name.startswith("binary_crossentropy(") else data.draw(st.sampled_from([0.5, 1.0, 3.0]))
    value, grad = _value_and_grad(BINARY_LOGIT_LOSSES[name], x, dtype, mg.tensor(y.astype(dtype)), w)
    x = x.astype(dtype).astype(np.float64)
    expected = (w * y * np.logaddexp(0, -x) + (1 - y) * np.logaddexp(0, x)).mean()
    expected_grad = (_sigmoid(x) * (1 + (w - 1) * y) - w * y) / x.size
    assert np.isfinite(value) and np.isfinite(grad).all()
    # below the smallest normal number (1.2e-38 in float32) values are subnormal and carry fewer digits
    np.testing.assert_allclose(value, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=np.finfo(dtype).tiny)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-5, atol=1e-7 / x.size)


# ------------------------------------------------------------- softmax family
def _sparse(z: mg.Tensor, labels: np.ndarray, t: np.ndarray) -> mg.Tensor:
    return L.sparse_categorical_crossentropy(z, labels, from_logits=True)


SOFTMAX_LOSSES = {
    "categorical_crossentropy": lambda z, labels, t: L.categorical_crossentropy(z, t, from_logits=True),
    "softmax_cross_entropy_with_logits": lambda z, labels, t: L.softmax_cross_entropy_with_logits(z, t),
    "sparse_categorical_crossentropy": _sparse,
    "cross_entropy(labels)": lambda z, labels, t: L.cross_entropy(z, labels),
    "cross_entropy(probabilities)": lambda z, labels, t: L.cross_entropy(z, t),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", SOFTMAX_LOSSES)
@given(data=st.data())
def test_softmax_losses_are_exact_for_extreme_logits(name, dtype, data) -> None:
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    z = _logits(data.draw, (n, c))
    labels = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    t = np.eye(c)[labels] if "labels" in name or "sparse" in name else data.draw(
        hnp.arrays(np.float64, (n, c), elements=st.sampled_from([0.0, 0.3, 1.0])))
    value, grad = _value_and_grad(SOFTMAX_LOSSES[name], z, dtype, labels, t.astype(dtype))
    z = z.astype(dtype).astype(np.float64)
    log_p = _log_softmax(z, 1)
    expected = -(t * log_p).sum(1).mean()
    expected_grad = (np.exp(log_p) * t.sum(1, keepdims=True) - t) / n
    assert np.isfinite(value) and np.isfinite(grad).all()
    np.testing.assert_allclose(value, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_limits_at_extreme_logits(dtype) -> None:
    """Confidently right costs 0 with gradient 0; confidently wrong costs the margin, with gradient +-1."""
    x = mg.tensor(np.array([1e4, -1e4, 1e4, -1e4], dtype), requires_grad=True)
    loss = L.binary_crossentropy_with_logits(x, mg.tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype)), reduction="none")
    loss.sum().backward()
    np.testing.assert_array_equal(loss.numpy(), [0, 0, 1e4, 1e4])
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 1, -1])
    z = mg.tensor(np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], dtype), requires_grad=True)
    loss = L.cross_entropy(z, mg.tensor([0, 1]), reduction="none")
    loss.sum().backward()
    np.testing.assert_array_equal(loss.numpy(), [0, 2e4])
    np.testing.assert_array_equal(z.grad.numpy(), [[0, 0, 0], [1, -1, 0]])


def test_masked_logits_of_minus_infinity_are_allowed() -> None:
    """A class masked out with a -inf logit has probability 0 and costs nothing unless it is the target."""
    z = mg.tensor([[2.0, -np.inf, 0.0]], requires_grad=True)
    loss = L.cross_entropy(z, mg.tensor([0]))
    loss.backward()
    p = np.exp([2.0, 0.0]) / np.exp([2.0, 0.0]).sum()
    np.testing.assert_allclose(loss.item(), -np.log(p[0]), rtol=1e-6)
    np.testing.assert_allclose(z.grad.numpy(), [[p[0] - 1, 0.0, p[1]]], rtol=1e-6)


def test_an_ignored_sample_costs_nothing_whatever_its_logits() -> None:
    """Ignored samples are computed at class 0 with weight 0: a -inf logit there must not give 0 * inf."""
    z = mg.tensor([[-np.inf, 1.0], [0.5, -0.5]], requires_grad=True)
    for loss in (L.cross_entropy(z, mg.tensor([-100, 0])),
                 L.sparse_categorical_crossentropy(z, mg.tensor([-1, 0]), from_logits=True, ignore_index=-1)):
        z.grad = None
        loss.backward()
        p = np.exp([0.5, -0.5]) / np.exp([0.5, -0.5]).sum()
        np.testing.assert_allclose(loss.item(), -np.log(p[0]), rtol=1e-6)
        np.testing.assert_allclose(z.grad.numpy(), [[0.0, 0.0], [p[0] - 1, p[1]]], rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_losses_stay_finite_for_huge_residuals(dtype) -> None:
    d = np.array([-1e15, -1e6, -1e4, 1e4, 1e6, 1e15])
    expected = {  # the far-out asymptotes, exact to float rounding
        "log_cosh": np.abs(d) - np.log(2),
        "huber": np.abs(d) - 0.5,
        "smooth_l1": np.abs(d) - 0.5,
        "pseudo_huber": np.abs(d) - 1,
        "mae": np.abs(d),
    }
    for name, value in expected.items():
        x = mg.tensor(d.astype(dtype), requires_grad=True)
        loss = mg.losses.get(name)(x, np.zeros_like(d), reduction="none")
        loss.sum().backward()
        np.testing.assert_allclose(loss.numpy(), value, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(x.grad.numpy(), np.sign(d), rtol=1e-6, err_msg=name)


# ------------------------------------------------------------- fused vs composite
@given(data=st.data())
def test_softmax_cross_entropy_matches_its_composite_form(data) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    z0, t0 = floats_array(data.draw, shape, -8, 8), floats_array(data.draw, shape, 0, 1)
    v = np.random.default_rng(0).standard_normal(np.delete(shape, axis % len(shape)))
    results = []
    for fn in (lambda z, t: softmax_cross_entropy(z, t, axis), lambda z, t: -(t * z.log_softmax(axis)).sum(axis=axis)):
        z, t = mg.tensor(z0, requires_grad=True), mg.tensor(t0, requires_grad=True)
        out = fn(z, t)
        out.backward(mg.tensor(v))
        results.append([out.numpy(), z.grad.numpy(), t.grad.numpy()])
    for fused, composite in zip(*results):
        np.testing.assert_allclose(fused, composite, rtol=1e-10, atol=1e-12)


@given(data=st.data())
def test_sigmoid_cross_entropy_matches_its_composite_form(data) -> None:
    shape = data.draw(hnp.array_shapes(max_dims=3, max_side=4))
    x0, y0 = floats_array(data.draw, shape, -8, 8), floats_array(data.draw, shape, 0, 1)
    w0 = floats_array(data.draw, shape[-1:], 0.2, 3)
    v = np.random.default_rng(0).standard_normal(shape)

    def composite(x: mg.Tensor, y: mg.Tensor, w: mg.Tensor) -> mg.Tensor:
        s = x.sigmoid()
        return -(w * y * s.log() + (1 - y) * (1 - s).log())

    results = []
    for fn in (sigmoid_cross_entropy, composite):
        x, y, w = (mg.tensor(a, requires_grad=True) for a in (x0, y0, w0))
        out = fn(x, y, w)
        out.backward(mg.tensor(v))
        results.append([out.numpy(), x.grad.numpy(), y.grad.numpy(), w.grad.numpy()])
    for fused, composite_result in zip(*results):
        np.testing.assert_allclose(fused, composite_result, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_mse_matches_its_composite_form(reduction, data, seed) -> None:
    """The fused op behind mse: value and both gradients equal ((p - t) ** 2).mean() / .sum() in float64."""
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    p0, t0 = floats_array(data.draw, shape, -10, 10), floats_array(data.draw, shape, -10, 10)
    v = np.array(np.random.default_rng(seed).standard_normal())  # a random upstream gradient, not 1
    composite = {"mean": lambda p, t: ((p - t) ** 2).mean(), "sum": lambda p, t: ((p - t) ** 2).sum()}[reduction]
    results = []
    for fn in (lambda p, t: L.mse(p, t, reduction=reduction), composite):
        p, t = mg.tensor(p0, requires_grad=True), mg.tensor(t0, requires_grad=True)
        out = fn(p, t)
        out.backward(mg.tensor(v))
        assert out.dtype == p.grad.dtype == t.grad.dtype == np.float64
        results.append([out.numpy(), p.grad.numpy(), t.grad.numpy()])
    for fused, composite_result in zip(*results):
        np.testing.assert_allclose(fused, composite_result, rtol=1e-12, atol=1e-12)  # nan == nan for an empty mean


def test_mse_is_one_op_for_mean_and_sum() -> None:
    p, t = mg.tensor([[1.0], [2.0]], requires_grad=True), mg.tensor([[0.5], [0.0]], requires_grad=True)
    for reduction in ("mean", "sum"):
        assert [r.op for r in mg.trace(L.mse(p, t, reduction=reduction))] == ["squared_error"]
    assert [r.op for r in mg.trace(L.mse(p, t, reduction="none"))] == ["sub", "mul"]


def test_composite_forms_break_where_the_fused_ops_do_not() -> None:
    """Why the fused ops exist: log(sigmoid(x)) and log(softmax(z)) computed naively overflow to inf."""
    x = mg.tensor([-1e4], dtype=mg.float32)
    assert not np.isfinite((-(x.sigmoid().log())).item())
    assert sigmoid_cross_entropy(x, mg.tensor([1.0])).item() == 1e4
    z = mg.tensor([[1e4, -1e4]], dtype=mg.float32)
    assert not np.isfinite((-(mg.tensor([[0.0, 1.0]]) * z.softmax(-1).log()).sum()).item())
    assert softmax_cross_entropy(z, mg.tensor([[0.0, 1.0]])).item() == 2e4
