"""The Module API: registration, traversal, modes, gradients, state dicts, moving, printing."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2)
        self.norm = nn.BatchNorm1d(3)
        self.scale = nn.Parameter(mg.ones(1))
        self.register_buffer("calls", mg.zeros(1))
        self.register_buffer("scratch", mg.zeros(2), persistent=False)
        self.note = "not registered"

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        return self.fc2(self.act(self.norm(self.fc1(x)))) * self.scale


def test_registration_by_attribute_and_dotted_names() -> None:
    m = MLP()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "norm.weight", "norm.bias"]
    assert [n for n, _ in m.named_buffers()] == [
        "calls", "scratch", "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "fc2", "norm"]
    assert list(m.modules())[0] is m and len(list(m.modules())) == 5
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "fc2", "norm"]
    assert m.note == "not registered" and "note" not in m._parameters
    assert m.num_parameters() == 1 + (4 * 3 + 3) + (3 * 2 + 2) + 3 + 3
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())


def test_reassigning_and_deleting_attributes() -> None:
    m = MLP()
    m.fc2 = nn.Linear(3, 5)
    assert m(mg.randn(4, 4)).shape == (4, 5)
    with pytest.raises(TypeError, match="parameter 'scale'"):
        m.scale = mg.ones(1)
    with pytest.raises(TypeError, match="buffer 'calls'"):
        m.calls = np.zeros(1)
    m.calls = mg.ones(1)
    assert m.state_dict()["calls"].item() == 1.0
    del m.fc1
    assert "fc1" not in dict(m.named_children())
    with pytest.raises(AttributeError, match="fc1"):
        m.fc1  # noqa: B018


def test_shared_parameters_are_listed_once() -> None:
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.Tanh(), shared)
    assert len(list(m.parameters())) == 2
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as PyTorch


def test_forgetting_super_init_gives_a_clear_error() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_forward_must_be_defined() -> None:
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(mg.ones(1))


def test_train_and_eval_reach_every_submodule() -> None:
    m = MLP()
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())


def test_dropout_drops_in_training_and_is_the_identity_in_eval() -> None:
    drop = nn.Dropout(0.25)
    x = mg.ones(200, 50)
    y = drop(x).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert drop.eval()(x) is x
    assert (nn.Dropout(1.0)(x).numpy() == 0).all()
    mg.manual_seed(3)
    a = nn.Dropout(0.5)(x).numpy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(a, nn.Dropout(0.5)(x).numpy())


def test_dropout_gradient_is_the_mask() -> None:
    x = mg.ones(30, 30, requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())


def test_zero_grad() -> None:
    m = MLP()
    m(mg.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_state_dict_is_a_snapshot_with_buffers() -> None:
    m = MLP()
    state = m.state_dict()
    assert list(state) == ["scale", "calls", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "norm.weight",
                           "norm.bias", "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]
    assert all(isinstance(v, mg.Tensor) and not v.requires_grad for v in state.values())
    before = state["fc1.weight"].numpy()
    with mg.no_grad():
        m.fc1.weight.data[...] = 0
    np.testing.assert_array_equal(state["fc1.weight"].numpy(), before)
    assert state["norm.num_batches_tracked"].dtype == mg.int64


def test_load_state_dict_round_trip() -> None:
    a, b = MLP(), MLP()
    a(mg.randn(6, 4))  # moves a's running statistics
    b.load_state_dict(a.state_dict())
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(x.numpy(), y.numpy(), err_msg=name)
    x = mg.randn(3, 4)
    np.testing.assert_array_equal(a.eval()(x).numpy(), b.eval()(x).numpy())


def test_load_state_dict_reports_every_problem_and_changes_nothing() -> None:
    m = MLP()
    before = m.state_dict()
    state = m.state_dict()
    del state["fc1.bias"]
    state["fc2.weight"] = mg.zeros(9, 9)
    state["extra.weight"] = mg.zeros(1)
    state["fc1.weight"] = mg.zeros(3, 4)
    with pytest.raises(ValueError) as err:
        m.load_state_dict(state)
    message = str(err.value)
    assert "fc2.weight: shape (9, 9) in the state dict, (2, 3) in the model" in message
    assert "missing key 'fc1.bias'" in message and "unexpected key 'extra.weight'" in message
    for name, value in m.state_dict().items():  # nothing was loaded, not even fc1.weight
        np.testing.assert_array_equal(value.numpy(), before[name].numpy(), err_msg=name)


def test_load_state_dict_non_strict_skips_keys_but_not_shapes() -> None:
    m = MLP()
    state = {"fc1.weight": np.zeros((3, 4)), "extra": mg.ones(2)}
    result = m.load_state_dict(state, strict=False)
    assert result.unexpected_keys == ["extra"] and "fc1.bias" in result.missing_keys
    assert not m.fc1.weight.numpy().any() and m.fc1.weight.dtype == mg.float32
    with pytest.raises(ValueError, match="shape"):
        m.load_state_dict({"fc1.weight": np.zeros((4, 3))}, strict=False)


def test_load_state_dict_keeps_the_parameter_objects() -> None:
    m = MLP()
    weight = m.fc1.weight
    opt = mg.optim.SGD(m.parameters(), lr=0.1)
    m.load_state_dict(MLP().state_dict())
    assert m.fc1.weight is weight and opt.param_groups[0]["params"][1] is weight


def test_to_dtype_and_backend() -> None:
    m = MLP()
    weight = m.fc1.weight
    m.to(mg.float64)
    assert m.fc1.weight is weight and weight.dtype == mg.float64
    assert m.norm.running_mean.dtype == mg.float64 and m.norm.num_batches_tracked.dtype == mg.int64
    assert m(mg.randn(3, 4, dtype=mg.float64)).dtype == mg.float64
    assert m.to("numpy") is m
    with pytest.raises(ValueError, match="backend name"):
        m.to(mg.int64)
    if "cupy" not in mg.backend.available_backends():
        with pytest.raises(RuntimeError, match="cupy"):
            m.to("cupy")


def test_parameter_keeps_its_dtype_and_shares_tensor_data() -> None:
    assert nn.Parameter(np.zeros(3)).dtype == mg.float64
    assert nn.Parameter([1.0, 2.0]).dtype == mg.float32
    t = mg.zeros(2)
    p = nn.Parameter(t)
    assert p.data is t.data and p.requires_grad and p.is_leaf
    a = np.zeros(2)
    nn.Parameter(a).data[0] = 1  # arrays are copied
    assert a[0] == 0
    assert repr(nn.Parameter(mg.ones(1))).startswith("Parameter containing:\ntensor(")


def test_repr_like_pytorch() -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.Sequential(nn.ReLU(), nn.Dropout(0.1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Dropout(p=0.1)\n"
        "  )\n"
        ")"
    )


def test_containers() -> None:
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert [n for n, _ in seq[1:].named_children()] == ["1", "2"]
    seq.append(nn.Sigmoid())
    assert seq(mg.randn(5, 2)).shape == (5, 1)
    seq[1] = nn.Tanh()
    assert isinstance(seq[1], nn.Tanh)
    named = nn.Sequential({"enc": nn.Linear(2, 2), "out": nn.Linear(2, 1)})
    assert list(named.state_dict()) == ["enc.weight", "enc.bias", "out.weight", "out.bias"]
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    blocks.insert(0, nn.Linear(2, 2))
    blocks.extend([nn.Linear(2, 2)])
    del blocks[1]
    assert [n for n, _ in blocks.named_children()] == ["0", "1", "2"]
    assert len(list(blocks.parameters())) == 6
    with pytest.raises(IndexError):
        blocks[3]  # noqa: B018
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_apply_visits_every_module() -> None:
    m = MLP()
    m.apply(lambda mod: mg.nn.init.zeros_(mod.weight) if isinstance(mod, nn.Linear) else None)
    assert not m.fc1.weight.numpy().any() and not m.fc2.weight.numpy().any()
