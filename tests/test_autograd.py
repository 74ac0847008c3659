"""The tape and the backward engine."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.function import Function


def test_gradients_accumulate_over_backward_calls() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 + 3, 4 + 3])


def test_a_tensor_used_twice_receives_both_contributions() -> None:
    x = mg.tensor(3.0, requires_grad=True)
    y = x * x + x.exp() * x  # x reaches y along four edges
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 3 + np.exp(3) * 3 + np.exp(3))


def test_a_node_runs_once_after_all_paths_from_the_output_have_reached_it() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    seen = []
    a.register_hook(lambda g: seen.append(g.numpy()))  # a non-leaf hook sees the node's complete gradient
    long = a
    for _ in range(30):  # one path through many nodes, recorded after the short one's start
        long = long * 1.0
    y = (a * 3 + long + a.exp()).sum()
    y.backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 3 + 1 + np.exp([2.0, 4.0]), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), 2 * seen[0], rtol=1e-6)


def test_second_backward_without_retain_graph_raises() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_grad_returns_gradients_and_leaves_dot_grad_alone() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    gx, gw = mg.grad((x * w).sum(), [x, w])
    np.testing.assert_allclose(gx.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(gw.numpy(), [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_grad_of_a_non_leaf_input() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (gh,) = mg.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [4.0, 8.0])


def test_grad_with_an_unused_input() -> None:
    x = mg.tensor(1.0, requires_grad=True)
    unused = mg.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        mg.grad(x * 2, [x, unused])
    assert mg.grad(x * 2, [x, unused], allow_unused=True)[1] is None


def test_hessian_vector_product_with_create_graph() -> None:
    x = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, requires_grad=True)
    v = mg.tensor([0.5, -1.0, 2.0], dtype=mg.float64)
    f = (x * x * x).sum() + (x[0] * x[1])
    (g,) = mg.grad(f, x, create_graph=True)
    (hv,) = mg.grad((g * v).sum(), x)
    hessian = np.diag(6 * x.numpy()) + np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(hv.numpy(), hessian @ v.numpy())


def test_gradient_penalty_backpropagates_into_the_weights() -> None:
    w = mg.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=mg.float64, requires_grad=True)
    x = mg.tensor([0.3, -0.7], dtype=mg.float64, requires_grad=True)
    (gx,) = mg.grad((x @ w).tanh().sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    assert mg.gradcheck(lambda w: (mg.grad((x @ w).tanh().sum(), x, create_graph=True)[0] ** 2).sum(), [w])
    assert w.grad is not None and np.isfinite(w.grad.numpy()).all()


def test_a_chain_of_100000_ops_backpropagates_without_recursion() -> None:
    x = mg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_no_grad_records_nothing_and_works_as_a_decorator() -> None:
    x = mg.tensor([1.0], requires_grad=True)
    with mg.no_grad():
        y = x * 2
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            z = x * 2
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None

    @mg.no_grad()
    def double(t: mg.Tensor) -> mg.Tensor:
        return t * 2

    assert double(x).grad_fn is None
    assert mg.is_grad_enabled()


def test_ops_on_tensors_without_grad_record_nothing() -> None:
    y = mg.tensor([1.0]) * 2
    assert y.grad_fn is None and y.is_leaf


def test_float32_stays_float32_through_forward_and_backward() -> None:
    x = mg.randn(3, 4, requires_grad=True)
    w = mg.randn(4, 2, requires_grad=True)
    y = ((x @ w).tanh() * 0.5 + 1.0 / 3.0).softmax(axis=-1).log().mean()
    assert y.dtype == mg.float32
    y.backward()
    assert x.grad.dtype == mg.float32 and w.grad.dtype == mg.float32


def test_backward_of_a_leaf_accumulates_the_given_gradient() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    x.backward(mg.tensor([3.0, 4.0]))
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def test_unused_outputs_of_a_multi_output_op_get_zero_gradients() -> None:
    x = mg.arange(6.0, requires_grad=True)
    a, _, c = x.split(2)
    (a.sum() + c.sum() * 2).backward()
    np.testing.assert_allclose(x.grad.numpy(), [1, 1, 0, 0, 2, 2])


def test_hooks_see_and_can_replace_gradients() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.numpy()))
    h = x * 3
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [30.0, 30.0])
    np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])
    handle.remove()
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_retain_grad_keeps_the_gradient_of_a_non_leaf() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    (h * 3).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [3.0, 3.0])


class Cube(Function):
    """A user-defined op: d x^3 = 3 x^2 dx."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


def test_a_user_function_is_recorded_and_passes_gradcheck() -> None:
    x = mg.tensor([0.5, -1.5], dtype=mg.float64, requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name == "cube"
    assert mg.gradcheck(Cube.apply, [x])
    assert mg.gradgradcheck(Cube.apply, [x])


def test_gradcheck_reports_a_wrong_backward() -> None:
    class WrongCube(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * x

    x = mg.tensor([0.5, -1.5], dtype=mg.float64, requires_grad=True)
    with pytest.raises(mg.GradcheckError, match="analytic .* vs numeric"):
        mg.gradcheck(WrongCube.apply, [x])


def test_changing_a_saved_tensor_in_place_is_detected() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = (h * h).sum()  # saves h
    h += 1
    with pytest.raises(RuntimeError, match=r"mul: .*modified in place.*version 0, now version 1"):
        y.backward()


def test_in_place_update_of_a_non_leaf_is_differentiable() -> None:
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    h[1] = h[0] * 5
    h *= 3
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6 + 30, 0, 6])


def test_in_place_change_of_a_leaf_requiring_grad() -> None:
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad.*no_grad"):
        w -= 1
    (w * w).sum().backward()
    with mg.no_grad():
        w -= 0.1 * w.grad  # a hand-written SGD step
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])
    assert w.is_leaf and w.requires_grad


def test_trace_order_is_recording_order() -> None:
    x = mg.tensor([1.0], requires_grad=True)
    a = x.exp()
    b = x.sin()
    c = a * b
    assert a.grad_fn.seq < b.grad_fn.seq < c.grad_fn.seq


def test_div_gradient_does_not_overflow_in_float32() -> None:
    x = mg.tensor(np.array([1e30], np.float32), requires_grad=True)
    y = mg.tensor(np.array([2e30], np.float32), requires_grad=True)
    (x / y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [-2.5e-31], rtol=1e-5)


def test_log_softmax_is_exact_for_large_float32_logits() -> None:
    out = mg.log_softmax(mg.tensor(np.array([[-1e4, -1e4], [1e4, 1e4 - 1]], np.float32)), axis=-1)
    np.testing.assert_allclose(out.numpy(), [[-np.log(2)] * 2, [-0.3132617, -1.3132617]], rtol=1e-6)


def test_an_op_that_saved_nothing_reads_no_saved_tensors() -> None:
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, g):
            assert ctx.saved_tensors == ()
            return g * 2

    x = mg.tensor([1.0], requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.item() == 2.0


def test_ctx_output_of_an_op_without_saves_output_says_so() -> None:
    class Triple(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 3

        @staticmethod
        def backward(ctx, g):
            return g * 3 + 0 * ctx.output  # saves_output is not set, so nothing was kept

    x = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="triple: ctx.output is kept only for ops with saves_output = True"):
        Triple.apply(x).sum().backward()


class _ScaledSquare(Function):
    """y = c x^2 with c a forward option: dy = 2 c x dx (a user op whose backward runs on arrays)"""

    on_arrays = True
    seen: list[tuple[type, type, type]] = []

    @staticmethod
    def forward(ctx, x, *, c):
        ctx.save_for_backward(x)
        ctx.c = c
        return x.data * x.data * c

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        out = g * x * (2 * ctx.c)
        _ScaledSquare.seen.append((type(g), type(x), type(out)))
        return out


def test_an_on_arrays_backward_sees_arrays_without_create_graph_and_tensors_with_it() -> None:
    x = mg.tensor([1.0, -2.0, 3.0], dtype=mg.float64, requires_grad=True)
    _ScaledSquare.seen.clear()
    (_ScaledSquare.apply(x, c=0.5).sin()).sum().backward()  # sin's backward is not on arrays: its gradient is wrapped
    (g_t,) = mg.grad(_ScaledSquare.apply(x, c=0.5).sin().sum(), [x], create_graph=True)
    (arrays, tensors) = _ScaledSquare.seen
    assert not any(issubclass(t, mg.Tensor) for t in arrays)
    assert all(issubclass(t, mg.Tensor) for t in tensors)
    expected = np.cos(0.5 * x.numpy() ** 2) * x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), expected)
    np.testing.assert_allclose(g_t.numpy(), expected)
    assert g_t.requires_grad and x.grad.dtype == mg.float64


def test_leaf_gradients_never_share_memory() -> None:
    """x's gradient is a view of the same array as y's (reshape of add's g): each leaf gets its own."""
    x = mg.tensor(np.ones((2, 2)), requires_grad=True)
    y = mg.tensor(np.ones(4), requires_grad=True)
    (x.reshape(4) + y).sum().backward()
    x.grad.data *= 3  # what clip_grad_norm_ and weight decay do
    np.testing.assert_array_equal(y.grad.numpy(), np.ones(4))


def test_relu_keeps_its_output_for_backward_and_lets_its_input_go() -> None:
    import weakref

    x = mg.tensor([-1.0, 2.0, 0.0, 3.0], requires_grad=True)
    pre = x * 2
    gone = weakref.ref(pre)
    y = mg.relu(pre)
    del pre
    assert gone() is None  # nothing holds the pre-activation once relu has run
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 16.0, 0.0, 24.0])


def test_mul_keeps_only_the_operand_its_backward_needs() -> None:
    import weakref

    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    c = mg.tensor([2.0, 5.0, -1.0])
    h = x * 1
    gone = weakref.ref(h)
    y = h * c  # dy/dh = c: h itself is not needed, as in PyTorch
    del h
    assert gone() is None
    c += 1  # ... but c is, and changing it is detected
    with pytest.raises(RuntimeError, match=r"mul: .*shape \(3,\) saved for backward was modified in place"):
        y.sum().backward()


def test_an_input_not_saved_may_change_in_place_afterwards() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = (h * 3.0 + h / 4.0).sum()  # neither op keeps h: its gradients are 3 and 1/4
    h += 100
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 * 3.25, 2 * 3.25])


def test_save_for_backward_takes_none_for_what_backward_will_not_need() -> None:
    class ScaleBy(Function):
        """d(x * s) = s dx (s a constant)"""

        @staticmethod
        def forward(ctx, x, s):
            ctx.save_for_backward(None, s)
            return x.data * s.data

        @staticmethod
        def backward(ctx, g):
            nothing, s = ctx.saved_tensors
            assert nothing is None
            return g * s, None

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    s = mg.tensor([3.0, -1.0])
    ScaleBy.apply(x, s).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, -1.0])
    y = ScaleBy.apply(x, s).sum()
    s *= 2
    with pytest.raises(RuntimeError, match=r"scale_by: .*modified in place.*version 0, now version 1"):
        y.backward()


def test_a_node_keeps_its_one_live_edge_without_a_tuple_and_lists_every_edge() -> None:
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    h = w * 2
    node = (c * h)._node
    assert node.live == (1,) and node.to is h._node  # the one target itself
    assert node.next == (None, h._node) and node.edges == (None, (h._node, 0))
    both = (h * w)._node
    assert both.live == (0, 1) and both.to == (h._node, w) and both.next == both.to
    assert both.edges == ((h._node, 0), (w, -1))


def test_an_op_in_a_chain_leaves_one_object_for_the_garbage_collector() -> None:
    """Each object a node owns is scanned by every full collection and makes them come sooner.

    On NumPy, whose arrays the collector does not track (tanh keeps its output array).
    """
    import gc

    with mg.use_backend("numpy"):
        x = mg.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
        a = mg.tensor(np.full(4, 0.5, dtype=np.float32))
    y = x.tanh()  # shapes and flags seen once, so the tables that share them are filled
    n_ops = 300
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for _ in range(n_ops // 3):
            y = (y * a + 0.1).tanh()
        objects = len(gc.get_objects()) - before
    finally:
        gc.enable()
    # a node per op, and the saved tuple (None, a) of each mul
    assert objects <= 1.4 * n_ops, f"{objects / n_ops:.2f} tracked objects per op"


def test_nodes_share_one_copy_of_each_shape() -> None:
    from minigrad.autograd import _SharedShapes

    x = mg.tensor(np.ones((3, 4)), requires_grad=True)
    a, b = (x * 2)._node, (x.tanh() + 1)._node
    assert a.out_shape == (3, 4) and a.out_shape is b.out_shape
    assert a.in_shapes == ((3, 4), ()) and a.in_shapes is b.in_shapes
    table = _SharedShapes()
    table.limit = 1
    first, second = (2, 5), (7,)
    assert table[first] is first and table[(2, 5)] is first
    assert table[second] is second and second not in table  # full: shapes past the limit are handed back, not kept

