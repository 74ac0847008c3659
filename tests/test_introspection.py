"""Seeing and debugging the tape: trace, to_dot, GradientTape, anomaly detection, minigrad.testing."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import broadcastable_shapes, check_gradients, tensors

UNARY = ["exp", "tanh", "sin", "sigmoid", "neg"]
BINARY = ["add", "mul", "sub"]


@given(program=st.lists(st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 100), st.integers(0, 100)),
                        min_size=1, max_size=12))
def test_trace_lists_ops_in_recording_order(program) -> None:
    values = [mg.tensor([0.5, -0.25], requires_grad=True)]
    recorded = []
    for name, i, j in program:
        a, b = values[i % len(values)], values[j % len(values)]
        values.append(getattr(mg, name)(a, b) if name in BINARY else getattr(mg, name)(a))
        recorded.append(name)
    total = values[1]
    for v in values[2:]:
        total = total + v
    ops = [r.op for r in mg.trace(total)]
    assert ops == recorded + ["add"] * (len(values) - 2)
    assert [r.index for r in mg.trace(total)] == list(range(len(ops)))


def test_trace_records_shapes_dtypes_and_saved_values() -> None:
    x = mg.ones(4, 3, requires_grad=True)
    w = mg.ones(3, 2, dtype=mg.float32, requires_grad=True)
    y = (x @ w).exp().sum()
    records = mg.trace(y)
    assert [r.op for r in records] == ["matmul", "exp", "sum"]
    mm = records[0]
    assert [(i.shape, str(i.dtype), i.kind) for i in mm.inputs] == [((4, 3), "float32", "leaf"), ((3, 2), "float32", "leaf")]
    assert mm.outputs[0].shape == (4, 2) and mm.saved == "2 inputs"
    assert records[1].saved == "its output"
    text = str(records)
    assert "[0] v0 = matmul(x0[4, 3]:float32, x1[3, 2]:float32) -> [4, 2]:float32" in text
    assert "[2] v2 = sum(v1[4, 2]:float32)" in text
    y.backward()
    assert all(r.saved == "(freed)" for r in mg.trace(y))
    assert mg.trace(x * 2)[0].saved == "1 input"  # the constant 2; x itself is not needed for d(x * 2)/dx


def test_to_dot_describes_the_graph() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3.0).sum()
    y.backward(retain_graph=True)
    dot = mg.to_dot(y, show_grads=True)
    assert dot.startswith("digraph minigrad {") and dot.rstrip().endswith("}")
    assert 'label="mul"' in dot and 'label="sum"' in dot and "x0 -> op0" in dot
    assert "grad norm 4.243" in dot  # |(3, 3)|


def test_render_writes_an_image_or_says_how_to_install(tmp_path) -> None:
    y = (mg.tensor([1.0], requires_grad=True) * 2).sum()
    target = tmp_path / "graph.svg"
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="apt-get install graphviz"):
            mg.to_dot(y).render(str(target))
    else:
        mg.to_dot(y).render(str(target))
        assert target.read_text().lstrip().startswith("<")


def test_gradient_tape_watches_and_answers_once() -> None:
    x = mg.tensor([1.0, 2.0])
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    unrelated = mg.tensor([1.0], requires_grad=True)
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = x * w
    gx, gw, gu = tape.gradient(y, [x, w, unrelated])
    np.testing.assert_allclose(gx.numpy(), [3.0, 4.0])  # gradient of sum(y)
    np.testing.assert_allclose(gw.numpy(), [1.0, 2.0])
    assert gu is None and not x.requires_grad and w.grad is None
    with pytest.raises(RuntimeError, match="only once.*persistent=True"):
        tape.gradient(y, x)


def test_persistent_and_nested_tapes() -> None:
    x = mg.tensor(3.0)
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert tape.gradient(y, x).item() == 6.0
    assert tape.gradient(z, x).item() == 4 * 27.0
    with mg.GradientTape() as outer:
        outer.watch(x)
        with mg.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        g = inner.gradient(y, x)
    assert g.item() == 27.0 and outer.gradient(g, x).item() == 18.0


def test_tape_records_inside_no_grad() -> None:
    w = mg.tensor([2.0], requires_grad=True)
    with mg.no_grad(), mg.GradientTape() as tape:
        y = w * w
    assert tape.gradient(y, w).item() == 4.0


def test_detect_anomaly_names_the_op_and_the_user_line() -> None:
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.detect_anomaly():
        y = x.sqrt()  # the line the error must point at
        with pytest.raises(RuntimeError, match=r"backward of 'sqrt'.*test_introspection.py:\d+"):
            y.sum().backward()
        with pytest.raises(RuntimeError, match=r"'log' produced nan in its forward pass.*test_introspection.py"):
            mg.tensor([-1.0]).log()
        mg.tensor([float("nan")]).exp()  # NaN in, NaN out: not produced here, no error
    assert np.isnan(mg.tensor([-1.0]).log().item())  # outside the mode: NaN, quietly


def test_hooks_fire_on_every_backward_with_retain_graph() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert len(seen) == 2
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * 2 * np.array([2.0, 4.0]))


def test_hooks_under_create_graph_see_differentiable_gradients() -> None:
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    h = x * x
    h.register_hook(lambda g: g * 2)
    (gx,) = mg.grad((h * x).sum(), x, create_graph=True)  # d/dx [x^3] with the h-path doubled: 2*x^2*... + x^2
    assert gx.requires_grad
    np.testing.assert_allclose(gx.numpy(), 2 * 2 * x.numpy() ** 2 + x.numpy() ** 2)


def test_version_check_survives_retain_graph() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = (h.exp() * h).sum()
    y.backward(retain_graph=True)
    h += 1
    with pytest.raises(RuntimeError, match=r"mul: .*modified in place.*saved at version 0, now version 1"):
        y.backward()


@given(x=tensors(shape=(3,), min_value=0.5, max_value=2.0))
def test_testing_helpers_check_a_user_function(x) -> None:
    check_gradients(lambda t: (t.log() * t).sum(axis=0), [x])


def test_check_gradients_catches_a_wrong_backward() -> None:
    class Wrong(mg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x

    with pytest.raises(AssertionError, match="check_gradients: gradient of input 0"):
        check_gradients(Wrong.apply, [mg.tensor([1.0, 2.0], requires_grad=True)])


@given(shapes=broadcastable_shapes(2))
def test_broadcastable_shapes_broadcast(shapes) -> None:
    a, b = (mg.ones(*s) for s in shapes)
    assert (a + b).shape == np.broadcast_shapes(*shapes)
