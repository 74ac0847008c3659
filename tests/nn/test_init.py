"""``mg.nn.init`` and the layers' default initialisation: the distributions PyTorch uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import init

torch = pytest.importorskip("torch")


def _big(*shape: int) -> mg.Tensor:
    return mg.empty(*shape, dtype=mg.float64)


@pytest.mark.parametrize("name, param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                         ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_as_pytorch(name, param) -> None:
    assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def test_uniform_normal_constant() -> None:
    t = init.uniform_(_big(400, 250), -2.0, 3.0).numpy()
    assert t.min() >= -2 and t.max() < 3 and abs(t.mean() - 0.5) < 0.02
    t = init.normal_(_big(400, 250), 1.0, 2.0).numpy()
    assert abs(t.mean() - 1) < 0.02 and abs(t.std() - 2) < 0.02
    assert (init.ones_(_big(3)).numpy() == 1).all() and (init.zeros_(_big(3)).numpy() == 0).all()
    assert (init.constant_(_big(3), 0.5).numpy() == 0.5).all()


@pytest.mark.parametrize("fn, expected_std", [
    (lambda t: init.xavier_uniform_(t, gain=2.0), 2.0 * math.sqrt(2.0 / (300 + 200 * 3))),
    (lambda t: init.xavier_normal_(t), math.sqrt(2.0 / (300 + 200 * 3))),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2.0 / 300)),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(2.0 / (200 * 3))),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(3 * 300)),
])
def test_fan_based_initialisers_have_the_right_spread(fn, expected_std) -> None:
    t = fn(_big(200, 100, 3)).numpy()  # fan_in = 300, fan_out = 600
    assert abs(t.mean()) < 3 * expected_std / math.sqrt(t.size) * 3
    assert t.std() == pytest.approx(expected_std, rel=0.02)


def test_initialisers_keep_dtype_and_object_and_need_two_dims() -> None:
    t = mg.zeros(3, 4)
    assert init.kaiming_uniform_(t) is t and t.dtype == mg.float32 and t.numpy().any()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(mg.zeros(3, 3), mode="fan")
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")


def test_seeded_initialisation_is_reproducible() -> None:
    mg.manual_seed(7)
    a = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(4, 2), nn.Embedding(3, 2)).state_dict()
    mg.manual_seed(7)
    b = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(4, 2), nn.Embedding(3, 2)).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())


@pytest.mark.parametrize("make", [lambda: nn.Linear(300, 200), lambda: nn.Conv2d(20, 100, 3)])
def test_linear_and_conv_defaults_are_pytorchs(make) -> None:
    layer = make()
    w, b = layer.weight.numpy(), layer.bias.numpy()
    fan_in = w[0].size
    bound = 1 / math.sqrt(fan_in)
    for values in (w, b):
        assert values.dtype == np.float32 and np.abs(values).max() <= bound
    assert np.abs(w).max() > 0.98 * bound and w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


def test_other_layer_defaults() -> None:
    emb = nn.Embedding(500, 100).weight.numpy()
    assert abs(emb.mean()) < 0.02 and emb.std() == pytest.approx(1.0, rel=0.02)
    for layer in (nn.BatchNorm2d(4), nn.LayerNorm(4)):
        assert (layer.weight.numpy() == 1).all() and (layer.bias.numpy() == 0).all()
    bn = nn.BatchNorm1d(4)
    assert (bn.running_mean.numpy() == 0).all() and (bn.running_var.numpy() == 1).all()
    assert bn.num_batches_tracked.item() == 0
