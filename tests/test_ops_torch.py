"""Every op entry with a PyTorch equivalent matches PyTorch: values and gradients.

Skipped when PyTorch is not installed (it is a test oracle, never a dependency).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg

from .helpers import as_list, cotangents, make_inputs, skip_if_unavailable, to_host
from .op_db import ALL_OPS

torch = pytest.importorskip("torch")

WITH_TORCH = [op for op in ALL_OPS if op.torch_fn is not None]


@pytest.mark.parametrize("op", WITH_TORCH, ids=str)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_matches_pytorch_float64(op, data, seed) -> None:
    skip_if_unavailable(op)
    arrays, params = op.sample(data.draw)
    xs = make_inputs(op, arrays, np.float64)
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=x.requires_grad) for a, x in zip(arrays, xs)]
    outs = as_list(op.fn(*xs, **params))
    touts = as_list(op.torch_fn(torch, *ts, **params))
    assert len(outs) == len(touts)
    for o, t in zip(outs, touts):
        assert o.shape == tuple(t.shape), f"{op.name}: shape {o.shape} vs torch {tuple(t.shape)}"
        np.testing.assert_allclose(to_host(o), t.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=op.name)
    live = [i for i, o in enumerate(outs) if o.requires_grad]
    wrt = [i for i, x in enumerate(xs) if x.requires_grad]
    if not live or not wrt:
        return
    vs = cotangents([outs[i] for i in live], seed)
    grads = mg.grad([outs[i] for i in live], [xs[i] for i in wrt], [mg.tensor(v) for v in vs], allow_unused=True)
    tgrads = torch.autograd.grad([touts[i] for i in live], [ts[i] for i in wrt],
                                 [torch.tensor(v) for v in vs], allow_unused=True)
    for i, g, tg in zip(wrt, grads, tgrads):
        expected = np.zeros(xs[i].shape) if tg is None else tg.numpy()
        got = np.zeros(xs[i].shape) if g is None else to_host(g)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-11, err_msg=f"{op.name} gradient {i}")


@pytest.mark.parametrize("op", WITH_TORCH, ids=str)
@given(data=st.data())
def test_matches_pytorch_float32(op, data) -> None:
    skip_if_unavailable(op)
    arrays, params = op.sample(data.draw)
    xs = make_inputs(op, arrays, np.float32, requires_grad=False)
    ts = [torch.tensor(a, dtype=torch.float32) for a in arrays]
    for o, t in zip(as_list(op.fn(*xs, **params)), as_list(op.torch_fn(torch, *ts, **params))):
        assert o.dtype == np.float32
        np.testing.assert_allclose(to_host(o), t.numpy(), rtol=1e-5, atol=1e-5, err_msg=op.name)
