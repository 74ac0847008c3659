"""Every layer against PyTorch with the same weights: outputs, input gradients and parameter gradients.

Weights are copied through ``state_dict`` (so the parameter names must match
PyTorch's too), in float64 to ~1e-10 and in float32 to ~1e-5.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
TOL = {np.float64: {"rtol": 1e-9, "atol": 1e-11}, np.float32: {"rtol": 2e-4, "atol": 2e-5}}


def copy_into_torch(layer: nn.Module, tlayer: Any) -> None:
    tlayer.load_state_dict({k: torch.tensor(v.numpy()) for k, v in layer.state_dict().items()}, strict=True)


def compare(layer: nn.Module, tlayer: Any, x: np.ndarray, dtype: Any, grad_input: bool = True) -> None:
    """Same output, same input gradient, same parameter gradients, same buffers afterwards."""
    tol = TOL[dtype]
    tlayer = tlayer.to(TORCH_DTYPE[dtype])
    copy_into_torch(layer, tlayer)
    tlayer.train(layer.training)
    xm = mg.tensor(x.astype(dtype) if x.dtype.kind == "f" else x, requires_grad=grad_input)
    xt = torch.tensor(xm.numpy(), requires_grad=grad_input)
    ym, yt = layer(xm), tlayer(xt)
    np.testing.assert_allclose(ym.numpy(), yt.detach().numpy(), **tol)
    g = np.random.default_rng(1).standard_normal(ym.shape)
    ym.backward(mg.tensor(g.astype(dtype)))
    yt.backward(torch.tensor(g, dtype=TORCH_DTYPE[dtype]))
    if grad_input:
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), **tol)
    tparams = dict(tlayer.named_parameters())
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tparams[name].grad.numpy(), err_msg=name, **tol)
    tstate = tlayer.state_dict()
    for name, b in layer.named_buffers():
        np.testing.assert_allclose(b.numpy(), tstate[name].numpy(), err_msg=name, **tol)


def image(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape)


DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear(dtype, bias) -> None:
    compare(nn.Linear(5, 3, bias=bias, dtype=dtype), tnn.Linear(5, 3, bias=bias), image(4, 2, 5), dtype)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", [
    {}, {"stride": 2}, {"padding": 1}, {"padding": "same"}, {"padding": "valid"},
    {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)}, {"bias": False},
])
def test_conv2d(dtype, options) -> None:
    compare(nn.Conv2d(3, 4, (3, 2), **options, dtype=dtype), tnn.Conv2d(3, 4, (3, 2), **options), image(2, 3, 7, 6), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("in_c", "out_c", "groups", "options"), [
    (4, 6, 2, {}), (6, 4, 2, {"stride": 2, "padding": 1, "bias": False}), (6, 6, 3, {"dilation": (2, 1)}),
    (3, 3, 3, {"padding": 1}),  # depthwise
    (3, 6, 3, {"stride": (1, 2), "padding": "same"}),  # depthwise with channel multiplier 2
    (4, 8, 4, {"padding": (2, 0), "dilation": 2}),
])
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # PyTorch's note on its own copy
def test_grouped_conv2d(dtype, in_c, out_c, groups, options) -> None:
    if options.get("padding") == "same":
        options = {**options, "stride": 1}
    layer = nn.Conv2d(in_c, out_c, (3, 2), groups=groups, **options, dtype=dtype)
    tlayer = tnn.Conv2d(in_c, out_c, (3, 2), groups=groups, **options)
    assert layer.weight.shape == tuple(tlayer.weight.shape) == (out_c, in_c // groups, 3, 2)
    compare(layer, tlayer, image(2, in_c, 7, 6), dtype)


def test_grouped_conv2d_repr_and_state_dict_as_pytorch() -> None:
    layer, tlayer = nn.Conv2d(4, 6, 3, groups=2, bias=False), tnn.Conv2d(4, 6, 3, groups=2, bias=False)
    assert repr(layer) == repr(tlayer) == "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), groups=2, bias=False)"
    state, tstate = layer.state_dict(), tlayer.state_dict()
    assert list(state) == list(tstate) and state["weight"].shape == tuple(tstate["weight"].shape) == (6, 2, 3, 3)


POOL_OPTIONS = [
    {"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": (2, 3), "stride": 1},
    {"kernel_size": 2, "ceil_mode": True}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1), "ceil_mode": True},
]
AVG_ONLY = [
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1), "ceil_mode": True, "count_include_pad": False},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("cls", "options"), [(cls, o) for cls in ("MaxPool2d", "AvgPool2d") for o in POOL_OPTIONS]
                         + [("AvgPool2d", o) for o in AVG_ONLY])
def test_pooling(dtype, cls, options) -> None:
    compare(getattr(nn, cls)(**options), getattr(tnn, cls)(**options), image(2, 3, 7, 6), dtype)


def test_pooling_over_many_geometries_matches_pytorch() -> None:
    """Output size, values and input gradient for every small size, kernel, stride, padding and mode."""
    F, TF = nn.functional, torch.nn.functional
    rng = np.random.default_rng(0)
    cases = 0
    for size in range(1, 9):
        x = rng.standard_normal((1, 2, size, size + 2))
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(k // 2 + 1):
                    for ceil_mode in (False, True):
                        try:
                            tmax = TF.max_pool2d(torch.tensor(x), k, s, p, ceil_mode=ceil_mode)
                        except RuntimeError:  # PyTorch rejects it: so must minigrad
                            with pytest.raises(ValueError, match="does not fit"):
                                F.max_pool2d(mg.tensor(x), k, s, p, ceil_mode=ceil_mode)
                            continue
                        for name, extra in (("max_pool2d", {}), ("avg_pool2d", {"count_include_pad": True}),
                                            ("avg_pool2d", {"count_include_pad": False})):
                            xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
                            ym = getattr(F, name)(xm, k, s, p, ceil_mode=ceil_mode, **extra)
                            yt = getattr(TF, name)(xt, k, s, p, ceil_mode=ceil_mode, **extra)
                            where = f"{name}(size {size}, k={k}, s={s}, p={p}, ceil_mode={ceil_mode}, {extra})"
                            assert ym.shape == tuple(yt.shape), where
                            np.testing.assert_allclose(ym.numpy(), yt.detach().numpy(), rtol=1e-12, err_msg=where)
                            g = rng.standard_normal(ym.shape)
                            ym.backward(mg.tensor(g))
                            yt.backward(torch.tensor(g))
                            np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-14,
                                                       err_msg=where)
                        cases += 1
                        assert tmax.shape[2:] == ym.shape[2:]
    assert cases > 300


def test_pooling_repr_as_pytorch() -> None:
    assert repr(nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)) == repr(
        tnn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False))
    # PyTorch's MaxPool2d also shows dilation=1, an option minigrad's pooling does not take
    assert repr(nn.MaxPool2d(3, ceil_mode=True)) == "MaxPool2d(kernel_size=3, stride=3, padding=0, ceil_mode=True)"
    assert repr(tnn.MaxPool2d(3, ceil_mode=True)).endswith("ceil_mode=True)")


def test_max_pool_ties_send_the_gradient_to_the_first_maximum_as_pytorch() -> None:
    x = np.maximum(image(2, 2, 6, 6), 0)  # ReLU output: whole windows of zeros
    x[0, 0, :2, :2] = 1.5
    compare(nn.MaxPool2d(2), tnn.MaxPool2d(2), x, np.float64)
    compare(nn.MaxPool2d(3, stride=1, padding=1), tnn.MaxPool2d(3, stride=1, padding=1), x, np.float64)
    x[1, 1, :3, :3] = -np.inf  # windows of -inf only, their padding first
    compare(nn.MaxPool2d(3, stride=2, padding=1), tnn.MaxPool2d(3, stride=2, padding=1), x, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, cls", [((6, 3), "BatchNorm1d"), ((4, 3, 5), "BatchNorm1d"), ((3, 3, 4, 4), "BatchNorm2d")])
@pytest.mark.parametrize("options", [{}, {"momentum": 0.3, "eps": 1e-3}, {"momentum": None}, {"affine": False},
                                     {"track_running_stats": False}])
def test_batch_norm_training_then_eval(dtype, shape, cls, options) -> None:
    layer, tlayer = getattr(nn, cls)(3, **options, dtype=dtype), getattr(tnn, cls)(3, **options)
    for step in range(3):  # the running statistics follow PyTorch's over several batches
        layer.zero_grad()
        tlayer.zero_grad()
        if step == 0:
            compare(layer, tlayer, image(*shape) * 2 + 1, dtype)
        else:
            x = (image(*shape) * (step + 1)).astype(dtype)
            np.testing.assert_allclose(layer(mg.tensor(x)).numpy(), tlayer(torch.tensor(x)).detach().numpy(), **TOL[dtype])
    if options.get("track_running_stats", True):
        state = tlayer.state_dict()
        for name, b in layer.named_buffers():
            np.testing.assert_allclose(b.numpy(), state[name].numpy(), err_msg=name, **TOL[dtype])
    layer.eval()
    tlayer.eval()
    compare(layer, tlayer, image(*shape), dtype)


def test_batch_norm_rejects_the_wrong_rank_and_single_values() -> None:
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(mg.randn(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(mg.randn(1, 3))
    nn.BatchNorm1d(3).eval()(mg.randn(1, 3))  # fine in eval mode


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, options", [((4,), {}), ((3, 4), {"eps": 1e-3}), ((4,), {"elementwise_affine": False}),
                                            ((4,), {"bias": False})])
def test_layer_norm(dtype, shape, options) -> None:
    layer, tlayer = nn.LayerNorm(shape, **options, dtype=dtype), tnn.LayerNorm(shape, **options)
    for p in layer.parameters():  # not the trivial ones/zeros, so the affine part is tested
        p.data[...] = image(*p.shape).astype(dtype)
    compare(layer, tlayer, image(2, 3, 4), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding(dtype) -> None:
    idx = np.array([[0, 3, 3], [9, 0, 1]])  # repeated indices accumulate their gradients
    compare(nn.Embedding(10, 4, dtype=dtype), tnn.Embedding(10, 4), idx, dtype, grad_input=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [0, 3, 9, -1, -10])
def test_embedding_padding_idx(dtype, padding_idx) -> None:
    """The padding row starts at zero and gets a zero gradient; other rows, repeated ones included, as usual."""
    layer, tlayer = nn.Embedding(10, 4, padding_idx=padding_idx, dtype=dtype), tnn.Embedding(10, 4, padding_idx=padding_idx)
    assert layer.padding_idx == tlayer.padding_idx == padding_idx % 10
    assert repr(layer) == repr(tlayer) == f"Embedding(10, 4, padding_idx={padding_idx % 10})"
    assert not layer.weight.numpy()[padding_idx].any()
    row = padding_idx % 10
    idx = np.array([[0, 3, row, 3], [9, row, 1, row]])
    layer.weight.data[row] = np.arange(1, 5)  # a non-zero padding row is still read, just not trained
    compare(layer, tlayer, idx, dtype, grad_input=False)
    assert not layer.weight.grad.numpy()[row].any() and layer.weight.grad.numpy()[1].any()
    np.testing.assert_array_equal(layer(mg.tensor([row])).numpy(), [np.arange(1, 5)])


def test_functional_embedding_padding_idx_as_pytorch() -> None:
    w = image(6, 3)
    idx = np.array([[5, 2, 5], [0, 2, 1]])
    wm, wt = mg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ym = nn.functional.embedding(mg.tensor(idx), wm, padding_idx=-1)
    yt = torch.nn.functional.embedding(torch.tensor(idx), wt, padding_idx=-1)
    np.testing.assert_array_equal(ym.numpy(), yt.detach().numpy())
    g = image(*ym.shape)
    ym.backward(mg.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(wm.grad.numpy(), wt.grad.numpy(), rtol=1e-12)
    assert not wm.grad.numpy()[5].any()


def test_embedding_rejects_bad_indices() -> None:
    emb = nn.Embedding(5, 2)
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        emb(mg.tensor([1, 5]))
    with pytest.raises(TypeError, match="integers"):
        emb(mg.tensor([1.0]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, options", [
    ("ReLU", {}), ("Tanh", {}), ("Sigmoid", {}), ("GELU", {}), ("GELU", {"approximate": "tanh"}),
    ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {}), ("ELU", {"alpha": 0.5}), ("SiLU", {}),
    ("Softmax", {"dim": 1}), ("LogSoftmax", {"dim": -1}),
])
def test_activation_modules(dtype, name, options) -> None:
    compare(getattr(nn, name)(**options), getattr(tnn, name)(**options), image(3, 4), dtype)


def test_flatten_and_dropout_in_eval_mode() -> None:
    compare(nn.Flatten(), tnn.Flatten(), image(2, 3, 4, 5), np.float64)
    compare(nn.Flatten(0, 2), tnn.Flatten(0, 2), image(2, 3, 4, 5), np.float64)
    compare(nn.Dropout(0.3).eval(), tnn.Dropout(0.3), image(4, 5), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_small_cnn_end_to_end(dtype) -> None:
    def build(m: Any, **kw: Any) -> Any:
        return m.Sequential(
            m.Conv2d(1, 4, 3, padding=1, **kw), m.BatchNorm2d(4, **kw), m.ReLU(), m.MaxPool2d(2),
            m.Conv2d(4, 6, 3, **kw), m.Tanh(), m.AvgPool2d(2), m.Flatten(), m.Linear(6, 5, **kw),
            m.LayerNorm(5, **kw), m.GELU(), m.Linear(5, 3, **kw), m.LogSoftmax(dim=1),
        )

    compare(build(nn, dtype=dtype), build(tnn), image(3, 1, 8, 8), dtype)
