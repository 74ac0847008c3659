"""Grouped convolution, ceil_mode / count_include_pad pooling and padding_idx embeddings, without PyTorch.

Their PyTorch parity is in test_layers_torch.py and the op database; here are
the errors, and properties that hold by construction.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.ops.pool import pool_output_size


def randn(*shape: int) -> mg.Tensor:
    return mg.tensor(np.random.default_rng(0).standard_normal(shape))


# ------------------------------------------------------------- grouped convolution
@pytest.mark.parametrize(("in_c", "out_c", "groups"), [(6, 4, 2), (3, 6, 3), (4, 4, 4)])
def test_grouped_conv_is_independent_convolutions_of_channel_blocks(in_c, out_c, groups) -> None:
    x, w, b = randn(2, in_c, 6, 5), randn(out_c, in_c // groups, 3, 2), randn(out_c)
    got = F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=groups).numpy()
    ci, co = in_c // groups, out_c // groups
    for g in range(groups):
        block = F.conv2d(x[:, g * ci:(g + 1) * ci], w[g * co:(g + 1) * co], b[g * co:(g + 1) * co],
                         stride=(2, 1), padding=1, dilation=(1, 2))
        np.testing.assert_allclose(got[:, g * co:(g + 1) * co], block.numpy(), rtol=1e-12, atol=1e-12)


def test_grouped_conv_keeps_float32_and_its_gradients_stay_in_their_group() -> None:
    x = mg.tensor(np.ones((1, 4, 5, 5), np.float32), requires_grad=True)
    w = mg.tensor(np.ones((2, 2, 3, 3), np.float32), requires_grad=True)
    y = F.conv2d(x, w, groups=2)
    assert y.dtype == np.float32 and y.shape == (1, 2, 3, 3)
    (y[:, 0]).sum().backward()  # output channel 0 reads input channels 0 and 1 only
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    assert x.grad.numpy()[0, :2].all() and not x.grad.numpy()[0, 2:].any()
    assert w.grad.numpy()[0].all() and not w.grad.numpy()[1].any()


def test_grouped_conv2d_layer_uses_in_over_groups_as_fan_in() -> None:
    mg.manual_seed(0)
    layer = nn.Conv2d(64, 128, 3, groups=64)
    bound = 1 / math.sqrt(1 * 3 * 3)  # fan_in = (in / groups) kh kw, as PyTorch; in kh kw would give 1/24
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert w.shape == (128, 1, 3, 3) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.9 * bound
    assert layer(randn(2, 64, 5, 5).astype(mg.float32)).shape == (2, 128, 3, 3)


def test_grouped_weights_do_not_load_into_an_ungrouped_layer() -> None:
    state = nn.Conv2d(4, 6, 3, groups=2).state_dict()
    with pytest.raises(ValueError, match="weight"):
        nn.Conv2d(4, 6, 3).load_state_dict(state)
    nn.Conv2d(4, 6, 3, groups=2).load_state_dict(state)


@pytest.mark.parametrize(("x_shape", "w_shape", "groups", "error", "message"), [
    ((1, 6, 5, 5), (4, 3, 3, 3), 4, ValueError,
     r"conv2d: in_channels \(6, input shape \(1, 6, 5, 5\)\) and out_channels \(4, .*\) .*divisible by groups \(4\)"),
    ((1, 6, 5, 5), (6, 3, 3, 3), 3, ValueError,
     r"conv2d: the input has 6 channels \(shape \(1, 6, 5, 5\)\) but the weight \(shape \(6, 3, 3, 3\)\) with "
     r"groups=3 expects 9 \(3 per group\)"),
    ((1, 4, 5, 5), (6, 2, 3, 3), 4, ValueError, r"conv2d: .*out_channels \(6.*divisible by groups \(4\)"),
    ((1, 4, 5, 5), (4, 4, 3, 3), 0, ValueError, r"conv2d: groups must be at least 1, got 0"),
    ((1, 4, 5, 5), (4, 2, 3, 3), 2.0, TypeError, r"conv2d: groups must be an int, got 2.0"),
])
def test_conv2d_rejects_bad_groups(x_shape, w_shape, groups, error, message) -> None:
    with pytest.raises(error, match=message):
        F.conv2d(mg.ones(*x_shape), mg.ones(*w_shape), groups=groups)


def test_conv2d_layer_rejects_bad_groups() -> None:
    with pytest.raises(ValueError, match=r"Conv2d: in_channels \(6\) and out_channels \(4\) .*divisible by groups \(4\)"):
        nn.Conv2d(6, 4, 3, groups=4)
    with pytest.raises(ValueError, match=r"Conv2d: in_channels \(4\) and out_channels \(6\) .*divisible by groups \(4\)"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="Conv2d: groups must be at least 1, got -1"):
        nn.Conv2d(4, 4, 3, groups=-1)
    with pytest.raises(TypeError, match="Conv2d: groups must be an int"):
        nn.Conv2d(4, 4, 3, groups=True)


# ------------------------------------------------------------- pooling options
@pytest.mark.parametrize(("size", "k", "s", "p", "floor", "ceil"), [
    (5, 2, 2, 0, 2, 3),   # the last, partial window is kept
    (6, 2, 2, 0, 3, 3),   # nothing left over
    (6, 3, 2, 1, 3, 4),
    (5, 2, 2, 1, 3, 3),   # a fourth window would start in the right padding: dropped
    (1, 3, 3, 1, 1, 1),
    (7, 3, 3, 0, 2, 3),
])
def test_pool_output_size(size, k, s, p, floor, ceil) -> None:
    assert pool_output_size(size, k, s, p) == floor
    assert pool_output_size(size, k, s, p, ceil_mode=True) == ceil
    x = randn(1, 1, size, size)
    assert F.max_pool2d(x, k, s, p, ceil_mode=True).shape == (1, 1, ceil, ceil)
    assert F.avg_pool2d(x, k, s, p, ceil_mode=False).shape == (1, 1, floor, floor)


def test_avg_pool_divisors() -> None:
    ones = mg.ones(1, 1, 4, 4)
    # count_include_pad: corner windows hold 4 input elements of 9, edges 6, the rest 9
    with_pad = F.avg_pool2d(ones, 3, 1, 1).numpy()[0, 0]
    np.testing.assert_allclose(with_pad[0], [4 / 9, 6 / 9, 6 / 9, 4 / 9], rtol=1e-6)
    np.testing.assert_allclose(with_pad[1], [6 / 9, 1, 1, 6 / 9], rtol=1e-6)
    assert with_pad.dtype == np.float32
    # without: the mean of the input elements only, so a constant stays constant
    np.testing.assert_allclose(F.avg_pool2d(ones, 3, 1, 1, count_include_pad=False).numpy(), np.ones((1, 1, 4, 4)))
    # ceil_mode: the part of a window past the padding never counts, whichever the flag
    x = mg.tensor(np.arange(25.0).reshape(1, 1, 5, 5))
    for include in (True, False):
        y = F.avg_pool2d(x, 2, ceil_mode=True, count_include_pad=include).numpy()[0, 0]
        assert y.shape == (3, 3)
        assert y[2, 2] == 24.0 and y[0, 2] == (4 + 9) / 2 and y[2, 0] == (20 + 21) / 2


def test_avg_pool_without_padding_counts_gets_gradient_weights_of_one_over_count() -> None:
    x = mg.ones(1, 1, 3, 3, dtype=mg.float64, requires_grad=True)
    F.avg_pool2d(x, 3, 3, 1, count_include_pad=False).sum().backward()  # one 3x3 window over 2x2 of input
    np.testing.assert_allclose(x.grad.numpy()[0, 0], [[0.25, 0.25, 0], [0.25, 0.25, 0], [0, 0, 0]])


def test_max_pool_ceil_mode_windows_ignore_what_lies_past_the_input() -> None:
    x = mg.tensor(-np.arange(1.0, 10.0).reshape(1, 1, 3, 3), requires_grad=True)  # all negative: padding would win
    y = F.max_pool2d(x, 2, ceil_mode=True)
    np.testing.assert_array_equal(y.numpy()[0, 0], [[-1, -3], [-7, -9]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0, 1], [0, 0, 0], [1, 0, 1]])


def test_max_pool_window_of_minus_infinity_reads_its_own_first_element() -> None:
    """Padding is -inf too: the first input element of such a window is its maximum, never a padding cell."""
    x = np.arange(32.0).reshape(2, 1, 4, 4)
    x[1, 0, :2, :2] = -np.inf  # the first window of image 1, whose padding cells come first
    xt = mg.tensor(x, requires_grad=True)
    y = F.max_pool2d(xt, 3, 2, 1)
    np.testing.assert_array_equal(y.numpy()[1, 0], [[-np.inf, 23], [29, 31]])  # not a value of image 0
    y.sum().backward()
    expected = np.zeros((4, 4))
    expected[0, 0] = expected[1, 3] = expected[3, 1] = expected[3, 3] = 1
    np.testing.assert_array_equal(xt.grad.numpy()[1, 0], expected)


def test_pooling_layers_pass_their_options() -> None:
    x = randn(1, 2, 5, 5)
    np.testing.assert_array_equal(nn.MaxPool2d(2, ceil_mode=True)(x).numpy(), F.max_pool2d(x, 2, ceil_mode=True).numpy())
    layer = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)
    np.testing.assert_array_equal(layer(x).numpy(), F.avg_pool2d(x, 3, 2, 1, True, False).numpy())
    assert layer.ceil_mode and not layer.count_include_pad and layer(x).shape == (1, 2, 3, 3)


def test_pooling_rejects_bad_options() -> None:
    x = randn(1, 1, 4, 4)
    with pytest.raises(TypeError, match="max_pool2d: ceil_mode must be a bool, got 1"):
        F.max_pool2d(x, 2, ceil_mode=1)
    with pytest.raises(TypeError, match="avg_pool2d: count_include_pad must be a bool, got 'no'"):
        F.avg_pool2d(x, 2, count_include_pad="no")
    with pytest.raises(TypeError):  # PyTorch's 5th positional is dilation, which max_pool2d does not take
        F.max_pool2d(x, 2, 2, 0, True)
    with pytest.raises(ValueError, match=r"avg_pool2d: padding \(2, 2\) must be at most half the kernel size"):
        F.avg_pool2d(x, 3, padding=2, ceil_mode=True)


# ------------------------------------------------------------- embedding padding_idx
def test_embedding_padding_row_gets_no_gradient_even_when_repeated() -> None:
    w = mg.tensor(randn(5, 3).numpy(), requires_grad=True)
    idx = mg.tensor([[1, 4, 4], [4, 1, 2]])
    y = F.embedding(idx, w, padding_idx=4)
    np.testing.assert_array_equal(y.numpy(), w.numpy()[idx.numpy()])  # the padding row is still read
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(mg.tensor(g))
    expected = np.zeros((5, 3))
    np.add.at(expected, idx.numpy(), g)
    expected[4] = 0
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)
    # the same through mg.grad with create_graph, the path higher-order gradients take
    (gw,) = mg.grad([F.embedding(idx, w, padding_idx=-1)], [w], [mg.tensor(g)], create_graph=True)
    np.testing.assert_allclose(gw.numpy(), expected, rtol=1e-12)


def test_embedding_layer_padding_row_stays_put_while_the_others_train() -> None:
    mg.manual_seed(0)
    emb = nn.Embedding(6, 4, padding_idx=-2)
    assert emb.padding_idx == 4 and not emb.weight.numpy()[4].any() and emb.weight.numpy()[5].any()
    before = emb.weight.numpy().copy()
    opt = mg.optim.SGD(emb.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        (emb(mg.tensor([[4, 0, 4], [5, 4, 0]])) ** 2).sum().backward()
        opt.step()
    after = emb.weight.numpy()
    assert not after[4].any()
    assert not np.allclose(after[[0, 5]], before[[0, 5]])
    np.testing.assert_array_equal(after[[1, 2, 3]], before[[1, 2, 3]])


@pytest.mark.parametrize(("padding_idx", "error", "message"), [
    (6, ValueError, r"padding_idx must lie in \[-6, 6\) for 6 embeddings, got 6"),
    (-7, ValueError, r"padding_idx must lie in \[-6, 6\) for 6 embeddings, got -7"),
    (1.0, TypeError, r"padding_idx must be an int or None, got 1.0"),
])
def test_embedding_rejects_a_bad_padding_idx(padding_idx, error, message) -> None:
    with pytest.raises(error, match="Embedding: " + message):
        nn.Embedding(6, 2, padding_idx=padding_idx)
    with pytest.raises(error, match="embedding: " + message):
        F.embedding(mg.tensor([0, 1]), mg.ones(6, 2), padding_idx=padding_idx)
