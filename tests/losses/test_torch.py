"""Values and gradients equal PyTorch's functional losses (skipped when PyTorch is not installed).

Inputs are fixed random draws over a grid of options, layouts and reductions;
float64 must agree to ~1e-12 relative, float32 to ~1e-5.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
F = torch.nn.functional
L = mg.losses
REDUCTIONS = ["mean", "sum", "none"]
DTYPES = {np.float32: (1e-5, 1e-6), np.float64: (1e-12, 1e-14)}  # rtol, atol


def _rng(*key: Any) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _check(ours: Callable[..., mg.Tensor], theirs: Callable[..., Any], arrays: list[np.ndarray], dtype: Any,
           grad_of: tuple[int, ...] = (0,)) -> None:
    """Same value and same gradient (for the positions in ``grad_of``) under a random cotangent."""
    cast = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    xs = [mg.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(cast)]
    ts = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(cast)]
    out, expected = ours(*xs), theirs(*ts)
    assert out.dtype == dtype and out.shape == tuple(expected.shape)
    rtol, atol = DTYPES[dtype]
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)
    v = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    grads = mg.grad([out], [xs[i] for i in grad_of], [mg.tensor(v)])
    expected_grads = torch.autograd.grad([expected], [ts[i] for i in grad_of], [torch.tensor(v)])
    for g, e in zip(grads, expected_grads):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=max(rtol, 1e-10), atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("ours", "theirs", "options"), [
    (L.mse, F.mse_loss, {}),
    (L.mae, F.l1_loss, {}),
    (L.huber, F.huber_loss, {"delta": 0.5}),
    (L.huber, F.huber_loss, {"delta": 2.0}),
    (L.smooth_l1, F.smooth_l1_loss, {"beta": 0.0}),
    (L.smooth_l1, F.smooth_l1_loss, {"beta": 0.7}),
], ids=lambda x: getattr(x, "__name__", str(x)))
def test_regression(ours, theirs, options, reduction, dtype) -> None:
    rng = _rng(ours.__name__, reduction)
    p, t = rng.standard_normal((5, 4)) * 2, rng.standard_normal((5, 4)) * 2
    _check(lambda a, b: ours(a, b, reduction=reduction, **options),
           lambda a, b: theirs(a, b, reduction=reduction, **options), [p, t], dtype, grad_of=(0, 1))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_on_probabilities(reduction, dtype) -> None:
    rng = _rng("bce", reduction)
    p, t = rng.uniform(0.01, 0.99, (6, 3)), rng.uniform(0, 1, (6, 3))
    _check(lambda a, b: L.binary_crossentropy(a, b, reduction=reduction),
           lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), [p, t], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, "scalar", "per_class"])
@pytest.mark.parametrize("weight", [None, "per_class"])
def test_binary_cross_entropy_with_logits(weight, pos_weight, reduction, dtype) -> None:
    rng = _rng("bcel", weight, pos_weight, reduction)
    x, t = rng.standard_normal((6, 3)) * 3, rng.uniform(0, 1, (6, 3))
    arrays = [x, t]
    positions = {}
    for name, kind in (("pos_weight", pos_weight), ("weight", weight)):
        if kind is not None:
            positions[name] = len(arrays)
            arrays.append(rng.uniform(0.2, 3, () if kind == "scalar" else (3,)))

    def call(fn: Callable[..., Any], a: Any, b: Any, *extra: Any) -> Any:
        return fn(a, b, reduction=reduction, **{name: extra[i - 2] for name, i in positions.items()})

    _check(lambda *xs: call(L.binary_crossentropy_with_logits, *xs),
           lambda *xs: call(F.binary_cross_entropy_with_logits, *xs), arrays, dtype, grad_of=(0, 1))


CLASS_LAYOUTS = {"single": ((4,), ()), "batch": ((6, 4), (6,)), "spatial": ((3, 4, 5), (3, 5))}


def _class_problem(layout: str, *key: Any) -> tuple[np.random.Generator, np.ndarray, np.ndarray]:
    rng = _rng(layout, *key)
    shape, label_shape = CLASS_LAYOUTS[layout]
    return rng, rng.standard_normal(shape) * 3, rng.integers(0, 4, label_shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", CLASS_LAYOUTS)
@pytest.mark.parametrize(("weighted", "ignore_index", "label_smoothing"), [
    (False, -100, 0.0), (True, -100, 0.0), (False, 2, 0.0), (True, 2, 0.0),
    (False, -100, 0.25), (True, -100, 0.25), (True, 2, 0.25), (False, 1, 0.1),
])
def test_cross_entropy_with_class_indices(weighted, ignore_index, label_smoothing, layout, reduction, dtype) -> None:
    rng, z, labels = _class_problem(layout, weighted, ignore_index, label_smoothing, reduction)
    if labels.ndim == 0:  # one sample: keep it counted (PyTorch's mean of nothing is NaN; see the test below)
        labels = np.array(0 if ignore_index != 0 else 1)
    elif ignore_index == -100:
        labels.flat[0] = -100
    w = rng.uniform(0.2, 2, 4).astype(dtype) if weighted else None
    options = {"ignore_index": ignore_index, "label_smoothing": label_smoothing, "reduction": reduction}
    _check(lambda a, b: L.cross_entropy(a, b, weight=w, **options),
           lambda a, b: F.cross_entropy(a, b, weight=None if w is None else torch.tensor(w), **options),
           [z, labels], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", CLASS_LAYOUTS)
@pytest.mark.parametrize(("weighted", "label_smoothing"), [(False, 0.0), (True, 0.0), (False, 0.3), (True, 0.3)])
def test_cross_entropy_with_probabilities(weighted, label_smoothing, layout, reduction, dtype) -> None:
    rng, z, _ = _class_problem(layout, weighted, label_smoothing, reduction)
    samples = () if z.ndim == 1 else z.shape[:1] + z.shape[2:]
    t = np.moveaxis(rng.dirichlet(np.ones(4), samples), -1, 0 if z.ndim == 1 else 1)  # classes onto PyTorch's axis
    w = rng.uniform(0.2, 2, 4).astype(dtype) if weighted else None
    options = {"label_smoothing": label_smoothing, "reduction": reduction}
    _check(lambda a, b: L.cross_entropy(a, b, weight=w, **options),
           lambda a, b: F.cross_entropy(a, b, weight=None if w is None else torch.tensor(w), **options),
           [z, t.reshape(z.shape)], dtype, grad_of=(0, 1))


@pytest.mark.parametrize("loss", [L.cross_entropy, L.nll_loss], ids=lambda f: f.__name__)
def test_mean_over_no_counted_sample_is_zero_where_torch_gives_nan(loss) -> None:
    z = mg.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    out = loss(z, mg.tensor([-100]))
    out.backward()
    assert out.item() == 0.0 and (z.grad.numpy() == 0).all()
    assert np.isnan(getattr(F, loss.__name__)(torch.tensor([[0.5, -1.0, 2.0]]), torch.tensor([-100])).item())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", CLASS_LAYOUTS)
@pytest.mark.parametrize(("weighted", "ignore_index"), [(False, -100), (True, -100), (True, 3)])
def test_nll_loss(weighted, ignore_index, layout, reduction, dtype) -> None:
    rng, z, labels = _class_problem(layout, weighted, ignore_index, reduction)
    log_p = z - np.log(np.exp(z).sum(0 if z.ndim == 1 else 1, keepdims=True))
    w = rng.uniform(0.2, 2, 4).astype(dtype) if weighted else None
    options = {"ignore_index": ignore_index, "reduction": reduction}
    _check(lambda a, b: L.nll_loss(a, b, weight=w, **options),
           lambda a, b: F.nll_loss(a, b, weight=None if w is None else torch.tensor(w), **options),
           [log_p, labels], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_keras_named_cross_entropies_from_logits_agree_with_torch(reduction, dtype) -> None:
    rng = _rng("keras", reduction)
    z, labels = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    labels[1] = 3
    _check(lambda a, b: L.sparse_categorical_crossentropy(a, b, from_logits=True, ignore_index=3, reduction=reduction),
           lambda a, b: F.cross_entropy(a, b, ignore_index=3, reduction=reduction), [z, labels], dtype)
    t = rng.dirichlet(np.ones(4), 6)
    _check(lambda a, b: L.categorical_crossentropy(a, b, from_logits=True, label_smoothing=0.2, reduction=reduction),
           lambda a, b: F.cross_entropy(a, b, label_smoothing=0.2, reduction=reduction), [z, t], dtype, grad_of=(0, 1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cosine_similarity_loss(dtype) -> None:
    rng = _rng("cosine")
    p, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    _check(lambda a, b: L.cosine_similarity_loss(a, b, reduction="none"),
           lambda a, b: -F.cosine_similarity(a, b, dim=-1), [p, t], dtype, grad_of=(0, 1))
