"""Gradient clipping against torch.nn.utils, and its edge cases."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import utils

from .helpers import TOL, initial_arrays


def _with_grads(dtype: Any, scale: float) -> tuple[list[mg.Tensor], list[np.ndarray]]:
    arrays = initial_arrays(dtype, seed=7)
    grads = [np.asarray(scale * a + 0.5, dtype=dtype) for a in initial_arrays(dtype, seed=8)]
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    for p, g in zip(params, grads):
        p.grad = mg.tensor(g)
    return params, grads


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_pytorch(dtype: Any, norm_type: float, max_norm: float) -> None:
    torch = pytest.importorskip("torch")
    params, grads = _with_grads(dtype, scale=3.0)
    params[1].grad = None  # parameters without a gradient are ignored
    tparams = [torch.tensor(p.numpy(), requires_grad=True) for p in params]
    for tp, g, p in zip(tparams, grads, params):
        tp.grad = torch.from_numpy(g.copy()) if p.grad is not None else None
    total = utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type, foreach=False)
    assert isinstance(total, mg.Tensor) and total.shape == () and total.dtype == dtype
    np.testing.assert_allclose(total.numpy(), expected.numpy(), **TOL[dtype])
    for p, tp in zip(params, tparams):
        if p.grad is None:
            assert tp.grad is None
        else:
            assert p.grad.dtype == dtype
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), **TOL[dtype])


def test_clip_grad_norm_edge_cases() -> None:
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    w.grad = mg.tensor([3.0, 4.0])
    assert utils.clip_grad_norm_(w, 1.0).item() == pytest.approx(5.0)  # a single tensor works
    np.testing.assert_allclose(w.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    assert utils.clip_grad_norm_([mg.tensor([1.0])], 1.0).item() == 0.0  # no gradients: norm 0
    s = mg.tensor(2.0, requires_grad=True)
    (s * s).backward()  # a 0-d gradient
    utils.clip_grad_norm_([s], 1.0)
    assert s.grad.item() == pytest.approx(1.0, rel=1e-5)
    w.grad = mg.tensor([math.nan, 1.0])
    with pytest.raises(RuntimeError, match="nan"):
        utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm"):
        utils.clip_grad_norm_([w], -1.0)
    with pytest.raises(ValueError, match="not a minigrad Tensor"):
        utils.clip_grad_norm_([np.ones(2)], 1.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_clip_grad_value_matches_pytorch(dtype: Any) -> None:
    torch = pytest.importorskip("torch")
    params, grads = _with_grads(dtype, scale=2.0)
    tparams = [torch.tensor(p.numpy(), requires_grad=True) for p in params]
    for tp, g in zip(tparams, grads):
        tp.grad = torch.from_numpy(g.copy())
    assert utils.clip_grad_value_(params, 0.7) is None
    torch.nn.utils.clip_grad_value_(tparams, 0.7, foreach=False)
    for p, tp in zip(params, tparams):
        assert p.grad.dtype == dtype
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())
    with pytest.raises(ValueError, match="clip_value"):
        utils.clip_grad_value_(params, -1.0)


def test_clipping_scales_a_gradient_shared_by_two_parameters_once() -> None:
    a = mg.tensor([3.0, 0.0], requires_grad=True)
    b = mg.tensor([0.0, 4.0], requires_grad=True)
    a.grad = b.grad = mg.tensor([3.0, 4.0])  # one gradient tensor for two parameters, as backward of a + b gives
    total = utils.clip_grad_norm_([a, b], 1.0)
    assert total.item() == pytest.approx(math.sqrt(50.0))
    scale = 1.0 / (math.sqrt(50.0) + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), np.array([3.0, 4.0]) * scale, rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), np.array([3.0, 4.0]) * scale, rtol=1e-6)
