"""Tensor creation, dtypes, conversions and the promotion rules."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg


def test_dtype_defaults_follow_the_spec() -> None:
    assert mg.tensor(1.5).dtype == mg.float32
    assert mg.tensor([1.0, 2]).dtype == mg.float32
    assert mg.tensor([1, 2]).dtype == mg.int64
    assert mg.tensor([True, False]).dtype == mg.bool
    assert mg.tensor(np.zeros(2, dtype=np.float64)).dtype == mg.float64
    assert mg.tensor(np.zeros(2, dtype=np.int32)).dtype == mg.int32
    assert mg.tensor([1, 2], dtype="float64").dtype == mg.float64
    assert mg.zeros(2, 3).dtype == mg.float32


def test_creation_functions_take_both_shape_spellings() -> None:
    for fn in (mg.zeros, mg.ones, mg.empty, mg.rand, mg.randn):
        assert fn(2, 3).shape == (2, 3) == fn((2, 3)).shape
    assert mg.full((2,), 7).dtype == mg.int64
    assert mg.full((2,), 7.0).numpy().tolist() == [7.0, 7.0]
    assert mg.arange(5).dtype == mg.int64 and mg.arange(0.0, 1.0, 0.25).dtype == mg.float32
    assert mg.linspace(0, 1, 5).shape == (5,)
    np.testing.assert_array_equal(mg.eye(3).numpy(), np.eye(3))
    t = mg.tensor([[1.0, 2.0]])
    assert mg.zeros_like(t).shape == (1, 2) and mg.ones_like(t, dtype=mg.int64).dtype == mg.int64
    assert mg.full_like(t, 3.0).numpy().tolist() == [[3.0, 3.0]]
    with pytest.raises(ValueError, match="zeros: shape must be non-negative"):
        mg.zeros(-1)


def test_manual_seed_makes_draws_reproducible() -> None:
    mg.manual_seed(7)
    a = (mg.rand(3).numpy(), mg.randn(2, 2).numpy(), mg.randint(0, 10, (4,)).numpy(), mg.randperm(5).numpy())
    mg.manual_seed(7)
    b = (mg.rand(3).numpy(), mg.randn(2, 2).numpy(), mg.randint(0, 10, (4,)).numpy(), mg.randperm(5).numpy())
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert mg.randint(5, size=100).numpy().max() < 5


def test_python_scalars_and_arrays_adopt_the_tensor_dtype() -> None:
    x = mg.tensor([1.0, 2.0])
    for y in (x * 2.5, 2.5 * x, x / 3, x**2, 1 - x, x + np.array([1.0, 2.0]), np.array([1.0, 2.0]) * x):
        assert y.dtype == mg.float32
    assert (mg.tensor([1, 2]) * 2.5).dtype == mg.float32
    assert (mg.tensor([1, 2]) / mg.tensor([2, 4])).dtype == mg.float32
    assert (mg.tensor([1, 2]) + 1).dtype == mg.int64
    assert (mg.tensor([1, 2]) + mg.tensor([1.0, 2.0])).dtype == mg.float32
    d = mg.tensor([1.0, 2.0], dtype=mg.float64)
    assert (d * 2.5).dtype == mg.float64


def test_float32_and_float64_tensors_do_not_mix_silently() -> None:
    with pytest.raises(TypeError, match="mul: cannot combine float32 and float64 tensors"):
        mg.tensor([1.0]) * mg.tensor([1.0], dtype=mg.float64)


def test_conversions() -> None:
    t = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    n = t.numpy()
    n[0, 0] = 99
    assert t.numpy()[0, 0] == 1.0  # a copy
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert t[1, 1].item() == 4.0
    d = t.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert t.astype(mg.float64).dtype == mg.float64
    assert t.to(mg.get_backend()) is t and t.backend == mg.get_backend()
    assert len(t) == 2 and [row.shape for row in t] == [(2,), (2,)]
    assert float(t.sum()) == 10.0 and bool(mg.tensor([1.0]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(t)


def test_repr_shows_values_and_autograd_state() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    on = "" if mg.get_backend() == "numpy" else f", backend={mg.get_backend()!r}"  # NumPy tensors do not say so
    assert repr(x) == f"tensor([1., 2.]{on}, requires_grad=True)"
    assert repr(x * 2) == f"tensor([2., 4.]{on}, grad_fn=<Mul>)"
    assert "dtype=float64" in repr(mg.tensor([1.0], dtype=mg.float64))


def test_zero_grad_and_requires_grad_rules() -> None:
    x = mg.tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    x.zero_grad()
    assert x.grad is None
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients.*int64"):
        mg.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="int64"):
        mg.tensor([1, 2]).requires_grad = True


def test_comparisons_give_bool_tensors_without_gradient() -> None:
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x > 1, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert r.dtype == mg.bool and not r.requires_grad
    assert (x > 1).tolist() == [False, True, True]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]
    assert (~(x > 1)).tolist() == [True, False, False]


def test_argmax_argmin_and_one_hot() -> None:
    x = mg.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]])
    assert x.argmax().item() == 3
    assert x.argmax(axis=1).tolist() == [1, 0] and x.argmin(dim=1, keepdim=True).tolist() == [[0], [1]]
    assert x.argmax(axis=1).dtype == mg.int64
    np.testing.assert_array_equal(mg.one_hot(mg.tensor([0, 2]), 3).numpy(), [[1, 0, 0], [0, 0, 1]])
    assert mg.one_hot(mg.tensor([1, 3])).shape == (2, 4)
    with pytest.raises(ValueError, match="one_hot: index 3 is out of range for num_classes=3"):
        mg.one_hot(mg.tensor([3]), 3)


def test_max_ties_share_the_gradient_equally() -> None:
    x = mg.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    y = mg.tensor([1.0, 1.0], requires_grad=True)
    mg.maximum(y, mg.tensor([1.0, 0.0])).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.5, 1.0])


def test_prod_gradient_is_exact_with_zeros() -> None:
    x = mg.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0]], dtype=mg.float64, requires_grad=True)
    x.prod(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])


def test_std_gradient_is_zero_where_std_is_zero() -> None:
    x = mg.tensor([[1.0, 1.0], [1.0, 3.0]], requires_grad=True)
    x.std(axis=1).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy()[0], [0.0, 0.0])


def test_reductions_accept_torch_spellings() -> None:
    x = mg.ones(2, 3)
    assert x.sum(dim=1, keepdim=True).shape == (2, 1) == x.sum(axis=1, keepdims=True).shape
    assert x.mean(dim=(0, 1)).shape == ()
    assert mg.tensor([1, 2]).sum().dtype == mg.int64
    with pytest.raises(TypeError, match="mean: expected a floating-point tensor"):
        mg.tensor([1, 2]).mean()


def test_invalid_math_gives_nan_without_warnings() -> None:
    # In a fresh interpreter with warnings turned into errors: pytest itself resets the
    # warning filters that minigrad installs at import, so check what a user sees.
    code = (
        "import numpy as np, minigrad as mg\n"
        "assert np.isnan(mg.tensor(-1.0).log().item()) and np.isnan(mg.tensor(-1.0).sqrt().item())\n"
        "assert (mg.tensor(1.0) / 0.0).item() == float('inf')\n"
        "big = mg.tensor(np.array([1e30], np.float32))\n"
        "assert (big * big).item() == float('inf') and np.isnan((big * big - big * big).item())\n"
        "import warnings; warnings.warn('user warnings still work', RuntimeWarning)\n"
    )
    result = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], capture_output=True, text=True)
    # had any op warned, that warning would have been the error; only the user's own one is
    assert "RuntimeWarning: user warnings still work" in result.stderr
