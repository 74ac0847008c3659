"""The CuPy code path, run on the NumPy-backed stand-in (``tests/fake_cupy``) so it runs everywhere.

Every op, loss, optimizer and the training loop computes on the fake exactly
what it computes on NumPy, its results stay fake device arrays, and a training
step copies nothing between host and device. The last tests need real CuPy and
a GPU and skip without them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import backend, nn, optim

from . import fake_cupy as fake
from .helpers import as_list, make_inputs, skip_if_unavailable
from .losses.cases import CASES
from .op_db import ALL_OPS
from .optim.helpers import gradient

FLOATS = [np.float64, np.float32]
TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-12}, np.float32: {"rtol": 1e-6, "atol": 1e-6}}
FEW = settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.filter_too_much])
OPTIMIZERS = [cls for cls in vars(optim).values() if isinstance(cls, type) and issubclass(cls, optim.Optimizer)
              and cls is not optim.Optimizer]
CUPY_HINT = "needs CuPy and a CUDA device: pip install minigrad[cuda] on a machine with an NVIDIA GPU"
FAKE_RUN = os.environ.get("MINIGRAD_FAKE_CUPY") == "1"
REAL_CUPY = not FAKE_RUN and "cupy" in backend.available_backends()
needs_gpu = pytest.mark.skipif(not REAL_CUPY, reason=CUPY_HINT)


def on_fake(t: mg.Tensor) -> bool:
    return type(t.data) is fake.ndarray and t.backend == "cupy"


def assert_close(got: mg.Tensor, expected: mg.Tensor, dtype: Any, what: str) -> None:
    assert got.dtype == expected.dtype, f"{what}: {got.dtype} != {expected.dtype}"
    np.testing.assert_allclose(got.numpy(), expected.numpy(), err_msg=what, **TOL[dtype])


def run_op(op: Any, arrays: list[np.ndarray], params: dict[str, Any], dtype: Any) -> tuple[list[Any], list[Any]]:
    """The op's outputs, and the gradients of its inputs for a fixed random upstream gradient."""
    mg.manual_seed(0)  # ops that draw (dropout) draw the same numbers on every backend
    xs = make_inputs(op, arrays, dtype)
    outs = as_list(op.fn(*xs, **params))
    live = [o for o in outs if o.requires_grad]
    wrt = [x for x in xs if x.requires_grad]
    if not (live and wrt):
        return outs, []
    rng = np.random.default_rng(1)
    vs = [mg.tensor(rng.standard_normal(o.shape).astype(dtype)) for o in live]
    return outs, list(mg.grad(live, wrt, vs, allow_unused=True))


def check_op_matches_numpy(op: Any, data: Any, dtype: Any, device: str, array_type: type) -> None:
    """``op`` on backend ``device`` (active) gives NumPy's values and gradients, as ``array_type`` arrays."""
    skip_if_unavailable(op)
    arrays, params = op.sample(data.draw)
    with mg.use_backend("numpy"):
        ref_outs, ref_grads = run_op(op, arrays, params, dtype)
    outs, grads = run_op(op, arrays, params, dtype)
    out_backend = "numpy" if op.name == "to_backend" else device  # to_backend's output moves back to NumPy
    for k, (o, r) in enumerate(zip(outs, ref_outs, strict=True)):
        assert o.backend == out_backend and (out_backend == "numpy" or type(o.data) is array_type), (op.name, type(o.data))
        assert_close(o, r, dtype, f"{op.name} output {k}")
    for k, (g, r) in enumerate(zip(grads, ref_grads, strict=True)):
        assert (g is None) == (r is None), f"{op.name} gradient {k}"
        if g is not None:
            assert type(g.data) is array_type, (op.name, type(g.data))
            assert_close(g, r, dtype, f"{op.name} gradient {k}")


# ------------------------------------------------------------------ the fake itself
def test_the_fake_refuses_numpy_like_cupy_and_stricter() -> None:
    a = fake.asarray(np.arange(6.0).reshape(2, 3))
    assert not isinstance(a, np.ndarray)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array"):
        np.asarray(a)
    with pytest.raises(TypeError):
        np.exp(a)  # a ufunc
    with pytest.raises(TypeError, match="numpy.sum was called on a fake CuPy array"):
        np.sum(a)  # an array function
    for mixed in (lambda: a + np.ones(3), lambda: np.ones(3) * a, lambda: fake.maximum(a, np.ones(3))):
        with pytest.raises(TypeError, match="Unsupported type"):
            mixed()
    with pytest.raises(TypeError):
        fake.indices((2, 3), sparse=True)  # CuPy's indices() has no sparse=


def test_the_fake_behaves_like_an_array_and_keeps_results_on_the_device() -> None:
    a = fake.asarray(np.arange(6.0).reshape(2, 3))
    for r in (a.sum(), a.max(), a[0, 1], a.mean(axis=(0, 1)), np.float32(2) * a[1, 2], fake.exp(a).min()):
        assert type(r) is fake.ndarray and r.ndim == 0  # 0-d arrays, never NumPy scalars
    assert (a + 1).T.shape == (3, 2) and a.astype(np.float32).dtype == np.float32 and a.reshape(3, 2).shape == (3, 2)
    assert fake.asnumpy(a[a > 2]).tolist() == [3.0, 4.0, 5.0] and fake.asnumpy(a[:, fake.asarray([2, 0])])[0].tolist() == [2, 0]
    assert len(a) == 2 and [row.shape for row in a] == [(3,), (3,)]
    assert float(a[1, 1]) == 4.0 and int(a[1, 2]) == 5 and bool(a[0, 1]) and a[0, 2].item() == 2.0
    assert a.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and repr(a[0]) == "array([0., 1., 2.])"
    b = a.copy()
    b[0] = fake.asarray([9.0, 9.0, 9.0])
    b[b > 8] = 1.0
    b += 1
    assert fake.asnumpy(b).tolist() == [[2.0, 2.0, 2.0], [4.0, 5.0, 6.0]] and a[0, 0].item() == 0.0
    assert fake.maximum(a, 2.0, out=b) is b and a.astype(a.dtype, copy=False) is a and fake.asarray(a) is a
    target = fake.zeros(3)
    fake.cupyx.scatter_add(target, fake.asarray([0, 0, 2]), fake.asarray([1.0, 2.0, 3.0]))
    assert target.tolist() == [3.0, 0.0, 3.0]


def test_the_fake_counts_copies_between_host_and_device() -> None:
    fake.transfers.reset()
    a = fake.asarray(np.ones(3))
    b = fake.exp(a) * 2 + a.sum()  # device math copies nothing
    assert (fake.transfers.host_to_device, fake.transfers.device_to_host) == (1, 0)
    b.get(), fake.asnumpy(b), float(b[0]), b.tolist()
    assert (fake.transfers.host_to_device, fake.transfers.device_to_host) == (1, 4)
    b[b > 0]  # a boolean mask reads the count of True back
    assert fake.transfers.device_to_host == 5


def test_stand_in_installs_the_fake_and_restores_the_backend_layer() -> None:
    before = (backend.get_backend(), dict(backend.LOADED))
    with backend.stand_in("cupy", fake, fake.cupyx.scatter_add):
        backend.set_backend("cupy")
        assert backend.xp() is fake and backend.module_of(fake.zeros(1)) is fake and backend.backend_of(fake.zeros(1)) == "cupy"
        assert mg.zeros(2).backend == "cupy" and backend.is_array(fake.zeros(1)) and not backend.is_array(3.0)
    assert (backend.get_backend(), dict(backend.LOADED)) == before
    with pytest.raises(ValueError, match="built in"):
        backend.register_array_module("numpy", fake, fake.cupyx.scatter_add)


# ------------------------------------------------------------------ ops, losses, optimizers
@pytest.mark.parametrize("dtype", FLOATS, ids=["float64", "float32"])
@pytest.mark.parametrize("op", ALL_OPS, ids=str)
@FEW
@given(data=st.data())
def test_every_op_matches_numpy_on_the_fake(fake_cupy: ModuleType, op: Any, dtype: Any, data: Any) -> None:
    check_op_matches_numpy(op, data, dtype, "cupy", fake.ndarray)


def test_the_loss_cases_cover_every_loss() -> None:
    assert {case.name for case in CASES} == set(mg.losses.registry.LOSSES)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=str)
@FEW
@given(data=st.data(), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_every_loss_matches_numpy_on_the_fake(fake_cupy: ModuleType, case: Any, dtype: Any, data: Any,
                                              reduction: str) -> None:
    prediction, target, options = case.sample(data.draw)

    def run() -> tuple[mg.Tensor, list[Any]]:
        p = mg.tensor(prediction.astype(dtype), requires_grad=True)
        t = mg.tensor(target.astype(dtype) if target.dtype.kind == "f" else target, requires_grad=case.target_grad)
        loss = case.fn(p, t, reduction=reduction, **options)
        wrt = [p, t] if case.target_grad else [p]
        v = mg.tensor(np.random.default_rng(2).standard_normal(loss.shape).astype(dtype))
        return loss, list(mg.grad([loss], wrt, [v], allow_unused=True))

    with mg.use_backend("numpy"):
        ref, ref_grads = run()
    loss, grads = run()
    assert on_fake(loss)
    assert_close(loss, ref, dtype, case.name)
    for g, r in zip(grads, ref_grads, strict=True):
        assert (g is None) == (r is None) and (g is None or on_fake(g))
        if g is not None:
            assert_close(g, r, dtype, f"{case.name} gradient")


@pytest.mark.parametrize("convention", ["torch", "keras"])
@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_every_optimizer_follows_the_numpy_trajectory_on_the_fake(fake_cupy: ModuleType, cls: type,
                                                                  convention: str) -> None:
    start = [np.random.default_rng(i).standard_normal(shape).astype(np.float32) for i, shape in enumerate([(3,), (2, 3), ()])]

    def run() -> tuple[list[list[np.ndarray]], list[mg.Tensor], optim.Optimizer]:
        params = [mg.tensor(a, requires_grad=True) for a in start]
        opt = cls(params, convention=convention, weight_decay=0.01)
        path = []
        for step in range(4):
            for i, p in enumerate(params):
                p.grad = mg.tensor(gradient(step, i, p.numpy()))
            opt.step()
            path.append([p.numpy() for p in params])
        return path, params, opt

    with mg.use_backend("numpy"):
        expected, _, _ = run()
    path, params, opt = run()
    assert all(on_fake(p) and p.dtype == mg.float32 for p in params)
    assert all(type(v) is fake.ndarray for s in opt.state.values() for v in s.values() if backend.is_array(v))
    for step, (got, want) in enumerate(zip(path, expected)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"{cls.__name__} step {step}")


# ------------------------------------------------------------------ tensors, modules, training
def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def test_fit_on_the_fake_follows_the_numpy_run(fake_cupy: ModuleType) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 48)
    x = rng.standard_normal((48, 4)) + np.eye(3, 4)[y]

    def train() -> tuple[dict[str, list[float]], nn.Module]:
        mg.manual_seed(5)
        model = mlp()
        model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
        history = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
        return history.history, model

    with mg.use_backend("numpy"):
        expected, _ = train()
    got, model = train()
    assert all(on_fake(p) for p in model.parameters())
    assert list(got) == list(expected)
    for key in got:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    predictions = model.predict(x[:5])
    assert type(predictions) is np.ndarray and predictions.shape == (5, 3)
    assert set(model.evaluate(x, y)) == {"loss", "accuracy"}


def test_module_and_tensor_to_move_between_backends(fake_cupy: ModuleType) -> None:
    with mg.use_backend("numpy"):
        model = mlp()
    params = list(model.parameters())
    opt = optim.SGD(params, lr=0.1)
    x = mg.tensor(np.ones((2, 4), dtype=np.float32))
    assert model.to("cupy") is model and list(model.parameters()) == params and all(on_fake(p) for p in params)
    model(x).sum().backward()
    opt.step()  # the optimizer bound before the move still works
    assert all(on_fake(p.grad) for p in params)
    model.to("numpy")
    assert all(type(p.data) is np.ndarray and type(p.grad.data) is np.ndarray for p in params)
    with mg.use_backend("numpy"):
        t = mg.tensor([1.0, 2.0], requires_grad=True)
    moved = t.to("cupy")
    assert on_fake(moved) and moved.to("cupy") is moved
    (moved * moved).sum().backward()
    assert t.grad.backend == "numpy" and t.grad.tolist() == [2.0, 4.0]


def test_numpy_repr_and_conversions_of_a_cupy_tensor(fake_cupy: ModuleType) -> None:
    t = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    host = t.numpy()
    assert type(host) is np.ndarray and host.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    host[0, 0] = 99.0
    assert t[0, 0].item() == 1.0  # a copy
    assert repr(t) == "tensor([[1., 2.],\n        [3., 4.]], backend='cupy', requires_grad=True)"
    assert str(t * 2).endswith("backend='cupy', grad_fn=<Mul>)")
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]] and float(t.sum()) == 10.0 and int(t[1, 1]) == 4
    assert mg.tensor(fake.asarray(np.zeros(2, dtype=np.float64))).dtype == mg.float64


def test_save_and_load_cupy_tensors(fake_cupy: ModuleType, tmp_path: Path) -> None:
    model = mlp()
    opt = optim.Adam(model.parameters())
    model(mg.ones(2, 4)).sum().backward()
    opt.step()
    path = tmp_path / "checkpoint.npz"
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    loaded = mg.load(path)
    for key, value in model.state_dict().items():
        assert on_fake(loaded["model"][key]) and loaded["model"][key].tolist() == value.tolist()
    restored = optim.Adam(model.parameters())
    restored.load_state_dict(loaded["optimizer"])
    assert all(type(v) is fake.ndarray for s in restored.state.values() for v in s.values() if backend.is_array(v))
    with mg.use_backend("numpy"):
        on_host = mg.load(path)["model"]
    assert all(type(v.data) is np.ndarray for v in on_host.values())


def test_manual_seed_gives_the_same_draws_on_cupy_as_on_numpy(fake_cupy: ModuleType) -> None:
    def draws() -> list[np.ndarray]:
        mg.manual_seed(11)
        layer = nn.Linear(3, 2)
        order = [b[0].numpy() for b in mg.data.DataLoader(np.arange(6), batch_size=6, shuffle=True)]
        return [mg.rand(3).numpy(), mg.randn(2, 2).numpy(), mg.randint(0, 9, (4,)).numpy(), mg.randperm(5).numpy(),
                layer.weight.numpy(), nn.functional.dropout(mg.ones(8)).numpy(), *order]

    with mg.use_backend("numpy"):
        expected = draws()
    first, second = draws(), draws()
    for a, b, c in zip(first, second, expected, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert on_fake(mg.rand(2)) and on_fake(mg.randint(3, size=2))


def test_mixing_numpy_and_cupy_tensors_names_both_backends(fake_cupy: ModuleType) -> None:
    c = mg.tensor([1.0, 2.0])
    with mg.use_backend("numpy"):
        n = mg.tensor([1.0, 2.0])
    cases = {
        "add": lambda: n + c, "sub": lambda: c - n, "mul": lambda: c * n, "matmul": lambda: n @ c,
        "maximum": lambda: mg.maximum(c, n), "lt": lambda: n < c, "and": lambda: (n > 0) & (c > 0),
        "where": lambda: mg.where(n > 0, c, c), "concatenate": lambda: mg.concatenate([c, n]),
        "squared_error": lambda: mg.losses.mse(c, n),
    }
    for op, fn in cases.items():
        with pytest.raises(ValueError, match=rf"{op}: inputs live on different backends \(cupy, numpy\)"):
            fn()


def test_work_on_numpy_tensors_stays_on_numpy_while_cupy_is_active(fake_cupy: ModuleType) -> None:
    """Arrays a loss, clip or optimizer makes for its inputs live on the inputs' backend, not the active one."""
    with mg.use_backend("numpy"):
        mg.manual_seed(0)
        model = nn.Linear(4, 3)
        x, labels = mg.randn(5, 4), mg.tensor([0, 2, 1, 2, 0])
        weight = mg.tensor([1.0, 2.0, 0.5])
    opt = optim.Adam(model.parameters())
    losses = [
        mg.losses.cross_entropy(model(x), labels),
        mg.losses.cross_entropy(model(x), labels, weight=weight, label_smoothing=0.1),
        mg.losses.nll_loss(model(x).log_softmax(axis=1), labels, weight=weight),
        mg.losses.nll_loss(model(x).log_softmax(axis=1), labels),
    ]
    for loss in losses:
        assert loss.backend == "numpy"
        loss.backward()
    assert x[[0, 1]].backend == x[True].backend == mg.gather(x, 1, [[0], [1], [2], [3], [0]]).backend == "numpy"
    assert nn.utils.clip_grad_norm_(model.parameters(), 1.0).backend == "numpy"
    opt.step()
    opt.zero_grad(set_to_none=False)
    assert all(p.backend == p.grad.backend == "numpy" for p in model.parameters())
    state = opt.state_dict()["state"]
    assert state and all(v.backend == "numpy" for entry in state.values() for v in entry.values() if isinstance(v, mg.Tensor))


def test_broadcast_gradients_are_copied_before_anything_writes_into_them(fake_cupy: ModuleType) -> None:
    """CuPy has no read-only flag: a broadcast view must count as not owning its memory all the same."""
    view = fake.broadcast_to(fake.zeros(3), (2, 3))
    assert not backend.owns_memory(view) and backend.owns_memory(fake.zeros((2, 3)))
    x = mg.zeros(2, 3, requires_grad=True)
    upstream = mg.full((1, 3), 4.0)
    x.sum_to((1, 3)).backward(upstream)  # x's gradient is the upstream one broadcast back: a view
    nn.utils.clip_grad_norm_([x], 1.0)  # scales x.grad in place
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 1 / np.sqrt(6)), rtol=1e-5)
    assert upstream.tolist() == [[4.0, 4.0, 4.0]]


# ------------------------------------------------------------------ no copies in a training step
def training_step(model: nn.Module, loss: Any, opt: optim.Optimizer, x: mg.Tensor, y: mg.Tensor,
                  clip: bool = False) -> None:
    opt.zero_grad()
    loss(model(x), y).backward()
    if clip:
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_a_training_step_copies_nothing_between_host_and_device(fake_cupy: ModuleType, cls: type) -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = cls(model.parameters())
    opt.check_finite = False  # the one check that reads a bool back (counted in the next test)
    x, y = mg.randn(16, 4), mg.randn(16, 1)
    for clip in (False, True):
        training_step(model, mg.losses.mse, opt, x, y, clip)  # warm-up: optimizer state is created
        fake.transfers.reset()
        training_step(model, mg.losses.mse, opt, x, y, clip)
        assert fake.transfers.total == 0, (cls.__name__, clip, fake.transfers)


def test_value_checks_in_a_classification_step_read_one_bool_each(fake_cupy: ModuleType) -> None:
    model = mlp()
    opt = optim.Adam(model.parameters())
    x, y = mg.randn(16, 4), mg.randint(0, 3, (16,))
    training_step(model, mg.losses.cross_entropy, opt, x, y)
    fake.transfers.reset()
    training_step(model, mg.losses.cross_entropy, opt, x, y)
    # the label range check and the optimizer's NaN/inf check: one bool each, nothing copied to the device
    assert (fake.transfers.host_to_device, fake.transfers.device_to_host) == (0, 2)


# ------------------------------------------------------------------ real CuPy and a GPU
@pytest.fixture
def real_cupy() -> Iterator[ModuleType]:
    backend.set_backend("cupy")
    yield backend.xp("cupy")


@needs_gpu
@pytest.mark.parametrize("dtype", FLOATS, ids=["float64", "float32"])
@FEW
@given(data=st.data())
def test_every_op_matches_numpy_on_real_cupy(real_cupy: ModuleType, dtype: Any, data: Any) -> None:
    for op in ALL_OPS:
        check_op_matches_numpy(op, data, dtype, "cupy", real_cupy.ndarray)


@needs_gpu
def test_a_training_step_does_not_synchronize_on_real_cupy(real_cupy: ModuleType) -> None:
    """CuPy has no transfer guard; ``cupyx.allow_synchronize(False)`` (deprecated) flags device syncs."""
    import cupyx

    if not hasattr(cupyx, "allow_synchronize"):
        pytest.skip("this CuPy has no cupyx.allow_synchronize to detect device synchronisation")
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.Adam(model.parameters())
    opt.check_finite = False
    x, y = mg.randn(16, 4), mg.randn(16, 1)
    training_step(model, mg.losses.mse, opt, x, y)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="cupyx.allow_synchronize")  # deprecated since CuPy 10
        with cupyx.allow_synchronize(False):
            training_step(model, mg.losses.mse, opt, x, y)
