"""The Optimizer contract: binding, param groups, stepping, state dicts, errors, ``get``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend, optim

from .helpers import gradient, initial_arrays, run_minigrad

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "Lion", "LAMB"]
# Options that switch on every buffer an optimizer can keep.
FULL_OPTIONS: dict[str, dict[str, Any]] = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": dict(lr=0.05, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.05, amsgrad=True),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adagrad": dict(lr=0.1, initial_accumulator_value=0.2),
    "Adadelta": dict(lr=0.5),
    "Adamax": dict(lr=0.05),
    "NAdam": dict(lr=0.05),
    "Lion": dict(lr=0.01, weight_decay=0.1),
    "LAMB": dict(lr=0.05, weight_decay=0.1),
}
CONFIGS = [(name, conv) for name in NAMES for conv in ("torch", "keras")]


def _params(dtype: Any = np.float64, seed: int = 0) -> list[mg.Tensor]:
    return [mg.tensor(a, requires_grad=True) for a in initial_arrays(dtype, seed)]


def _make(name: str, params: Any, convention: str = "torch") -> optim.Optimizer:
    return getattr(optim, name)(params, convention=convention, **FULL_OPTIONS[name])


def _set_grads(params: list[mg.Tensor], step: int = 0) -> None:
    for i, p in enumerate(params):
        p.grad = mg.tensor(gradient(step, i, p.numpy()))


def _snapshot(opt: optim.Optimizer, params: list[mg.Tensor]) -> tuple[list[np.ndarray], dict[int, dict[str, Any]]]:
    arrays = {pid: {k: backend.to_numpy(v) for k, v in entry.items()} for pid, entry in opt.state.items()}
    return [p.numpy() for p in params], arrays


# ---------------------------------------------------------------- binding parameters
@pytest.mark.parametrize(("name", "convention"), CONFIGS)
def test_binding_later_gives_the_same_trajectory(name: str, convention: str) -> None:
    now = _params()
    later_list, later_dict, later_gen = _params(), _params(), _params()
    paths = [run_minigrad(_make(name, now, convention), now, 4)]
    for params, bind in [
        (later_list, lambda o, ps: o.add_param_group(ps)),
        (later_dict, lambda o, ps: o.add_param_group({"params": ps})),
        (later_gen, lambda o, ps: o.add_param_group(p for p in ps)),
    ]:
        opt = _make(name, None, convention)
        assert opt.param_groups == []
        bind(opt, params)
        paths.append(run_minigrad(opt, params, 4))
    for path in paths[1:]:
        for a, b in zip(paths[0], path):
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)


def test_param_groups_layout_and_overrides() -> None:
    a, b, c = _params()[:3]
    opt = optim.Adam([{"params": [a, b]}, {"params": c, "lr": 0.5, "betas": [0.8, 0.9]}], lr=0.01)
    assert len(opt.param_groups) == 2
    first, second = opt.param_groups
    assert first["params"] == [a, b] and second["params"] == [c]
    assert first["lr"] == 0.01 and second["lr"] == 0.5
    assert second["betas"] == (0.8, 0.9) and first["betas"] == (0.9, 0.999)
    assert set(first) == {"params", "lr", "betas", "eps", "weight_decay", "amsgrad"}
    assert opt.defaults["lr"] == 0.01


def test_lr_property_reads_and_sets_the_first_group() -> None:
    opt = optim.SGD(lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.2  # before binding: the default for groups added later
    params = _params()
    opt.add_param_group(params[:2])
    opt.add_param_group({"params": params[2:], "lr": 0.7})
    assert opt.lr == 0.2 and opt.param_groups[0]["lr"] == 0.2
    opt.lr = 0.05
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.7]
    for bad in (-1.0, math.nan, math.inf, "big"):
        with pytest.raises(ValueError, match="lr"):
            opt.lr = bad
    assert opt.lr == 0.05


def test_parameters_without_gradient_are_skipped() -> None:
    params = _params()
    opt = optim.Adam(params, lr=0.1)
    before = params[1].numpy()
    _set_grads(params)
    params[1].grad = None
    opt.step()
    np.testing.assert_array_equal(params[1].numpy(), before)
    assert id(params[1]) not in opt.state and id(params[0]) in opt.state


def test_zero_grad() -> None:
    params = _params()
    opt = optim.SGD(params, lr=0.1)
    _set_grads(params)
    opt.zero_grad(set_to_none=False)
    for p in params:
        assert p.grad is not None and p.grad.shape == p.shape and not np.any(p.grad.numpy())
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_step_with_closure_recomputes_the_loss_under_grad_mode() -> None:
    w = mg.tensor([1.0, -2.0, 3.0], dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    calls = []

    def closure() -> mg.Tensor:
        calls.append(mg.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with mg.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert float(loss.item()) == pytest.approx(14.0)
    np.testing.assert_allclose(w.numpy(), [0.8, -1.6, 2.4])


@pytest.mark.parametrize(("name", "convention"), CONFIGS)
def test_updates_in_place_and_allocates_state_once(name: str, convention: str) -> None:
    params = _params(np.float32)
    opt = _make(name, params, convention)
    data_ids = [id(p.data) for p in params]
    _set_grads(params, 0)
    opt.step()
    buffers = {pid: {k: id(v) for k, v in entry.items() if backend.is_array(v)} for pid, entry in opt.state.items()}
    for t in range(1, 4):
        _set_grads(params, t)
        opt.step()
    assert [id(p.data) for p in params] == data_ids
    for pid, entry in opt.state.items():
        assert {k: id(v) for k, v in entry.items() if backend.is_array(v)} == buffers[pid]
        assert all(v.dtype == np.float32 for v in entry.values() if backend.is_array(v))
    assert all(p.dtype == np.float32 for p in params)


def test_step_marks_parameters_as_changed_for_autograd() -> None:
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()  # saves w for backward
    w.grad = mg.tensor([1.0, 1.0])
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError):
        y.backward()


# ---------------------------------------------------------------- non-finite gradients
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(("name", "convention"), CONFIGS)
def test_non_finite_gradient_raises_and_changes_nothing(name: str, convention: str, bad: float) -> None:
    params = _params()
    opt = _make(name, params, convention)
    run_minigrad(opt, params, 2)
    before = _snapshot(opt, params)
    _set_grads(params, 2)
    grad = params[2].grad.numpy()
    grad[0, 1] = bad
    params[2].grad = mg.tensor(grad)
    with pytest.raises(FloatingPointError, match="parameter 2 of param group 0"):
        opt.step()
    after = _snapshot(opt, params)
    for x, y in zip(before[0], after[0]):
        np.testing.assert_array_equal(x, y)
    assert before[1].keys() == after[1].keys()
    for pid in before[1]:
        for key in before[1][pid]:
            np.testing.assert_array_equal(before[1][pid][key], after[1][pid][key])


def test_gradient_of_wrong_shape_raises() -> None:
    p = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    p.grad = mg.tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        optim.SGD([p], lr=0.1).step()


# ---------------------------------------------------------------- state dicts
def _as_saved(state_dict: dict[str, Any]) -> dict[str, Any]:
    """What a round trip through JSON + npz gives back: str keys, lists, NumPy arrays."""
    return {
        **state_dict,
        "state": {
            str(i): {k: v.numpy() if isinstance(v, mg.Tensor) else v for k, v in entry.items()}
            for i, entry in state_dict["state"].items()
        },
        "param_groups": [
            {k: list(v) if isinstance(v, tuple) else v for k, v in group.items()}
            for group in state_dict["param_groups"]
        ],
    }


@pytest.mark.parametrize("saved_form", ["live", "serialized"])
@pytest.mark.parametrize(("name", "convention"), CONFIGS)
def test_resuming_from_a_state_dict_continues_the_same_trajectory(name: str, convention: str, saved_form: str) -> None:
    params = _params()
    opt = _make(name, [{"params": params[:2]}, {"params": params[2:], "lr": 0.02}], convention)
    run_minigrad(opt, params, 5)
    saved = opt.state_dict()
    saved_params = [p.numpy() for p in params]
    uninterrupted = _shifted_run(opt, params, start=5, steps=5)

    resumed = [mg.tensor(a, requires_grad=True) for a in saved_params]
    opt2 = _make(name, [{"params": resumed[:2]}, {"params": resumed[2:]}], convention)
    opt2.load_state_dict(_as_saved(saved) if saved_form == "serialized" else saved)
    assert opt2.param_groups[1]["lr"] == 0.02
    continued = _shifted_run(opt2, resumed, start=5, steps=5)
    for a, b in zip(uninterrupted, continued):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def _shifted_run(opt: optim.Optimizer, params: list[mg.Tensor], start: int, steps: int) -> list[list[np.ndarray]]:
    """Like run_minigrad, but with the gradients of steps start, start + 1, ..."""
    path = []
    for t in range(start, start + steps):
        _set_grads(params, t)
        opt.step()
        path.append([p.numpy() for p in params])
    return path


def test_state_dict_layout_and_snapshot() -> None:
    params = _params()
    opt = optim.Adam(params, lr=0.1)
    run_minigrad(opt, params, 2)
    sd = opt.state_dict()
    assert sd["optimizer"] == "Adam" and sd["convention"] == "torch"
    assert sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert set(sd["state"]) == {0, 1, 2, 3}
    assert sd["state"][1]["step"] == 2 and isinstance(sd["state"][1]["exp_avg"], mg.Tensor)
    frozen = sd["state"][1]["exp_avg"].numpy()
    run_minigrad(opt, params, 1)
    np.testing.assert_array_equal(sd["state"][1]["exp_avg"].numpy(), frozen)


def test_loaded_state_takes_each_parameters_dtype() -> None:
    params64 = _params(np.float64)
    opt = optim.Adam(params64, lr=0.1)
    run_minigrad(opt, params64, 2)
    params32 = _params(np.float32)
    opt32 = optim.Adam(params32, lr=0.1)
    opt32.load_state_dict(opt.state_dict())
    assert all(v.dtype == np.float32 for e in opt32.state.values() for v in e.values() if backend.is_array(v))


def _trained(name: str, convention: str = "torch", params: list[mg.Tensor] | None = None) -> optim.Optimizer:
    params = _params() if params is None else params
    opt = _make(name, params, convention)
    run_minigrad(opt, params, 2)
    return opt


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (lambda: _trained("Adam"), lambda ps: _make("SGD", ps), "optimizer 'Adam'"),
        (lambda: _trained("Adam"), lambda ps: _make("AdamW", ps), "optimizer 'Adam'"),
        (lambda: _trained("Adam", "keras"), lambda ps: _make("Adam", ps), "convention 'keras'"),
        (lambda: _trained("Adam"), lambda ps: _make("Adam", ps[:3]), "sizes"),
        (lambda: _trained("Adam"), lambda ps: _make("Adam", [{"params": ps[:2]}, {"params": ps[2:]}]), "sizes"),
        (lambda: _trained("Adam", params=[mg.tensor(np.ones(s)) for s in [(3,), (3,), (2, 3), (2, 1, 4)]]),
         lambda ps: _make("Adam", ps), "shape"),
    ],
    ids=["other-class", "adam-to-adamw", "other-convention", "fewer-params", "other-grouping", "other-shapes"],
)
def test_load_state_dict_rejects_a_foreign_state_dict(source: Any, target: Any, message: str) -> None:
    sd = source().state_dict()
    params = _params(seed=5)
    opt = target(params)
    run_minigrad(opt, params, 1)
    before = _snapshot(opt, params)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(sd)
    after = _snapshot(opt, params)
    assert before[1].keys() == after[1].keys()


def test_load_state_dict_rejects_tampered_entries() -> None:
    params = _params()
    sd = _trained("Adam", params=params).state_dict()
    opt = _make("Adam", _params())
    foreign = {**sd, "state": {0: {**sd["state"][0], "momentum_buffer": sd["state"][0]["exp_avg"]}}}
    with pytest.raises(ValueError, match="unknown entries"):
        opt.load_state_dict(foreign)
    lacking = {**sd, "state": {0: {"step": 2, "exp_avg": sd["state"][0]["exp_avg"]}}}
    with pytest.raises(ValueError, match="lacks"):
        opt.load_state_dict(lacking)
    with pytest.raises(ValueError, match="parameter 9"):
        opt.load_state_dict({**sd, "state": {9: sd["state"][0]}})
    no_betas = {**sd, "param_groups": [{k: v for k, v in sd["param_groups"][0].items() if k != "betas"}]}
    with pytest.raises(ValueError, match="betas"):
        opt.load_state_dict(no_betas)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})


# ---------------------------------------------------------------- bad input
BAD_HYPERPARAMETERS = [
    ("SGD", dict(lr=-0.1), "lr=-0.1"),
    ("Adam", dict(lr=math.nan), "lr=nan"),
    ("Adam", dict(lr=math.inf), "lr=inf"),
    ("Adam", dict(lr="fast"), "lr"),
    ("Adam", dict(betas=(1.0, 0.999)), r"betas\[0\]=1.0"),
    ("AdamW", dict(betas=(0.9, -0.1)), r"betas\[1\]=-0.1"),
    ("NAdam", dict(betas=(0.9,)), "pair"),
    ("Adamax", dict(eps=-1e-8), "eps=-1e-08"),
    ("Adam", dict(weight_decay=-0.1), "weight_decay=-0.1"),
    ("SGD", dict(momentum=-0.5), "momentum=-0.5"),
    ("SGD", dict(nesterov=True), "nesterov"),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening"),
    ("RMSprop", dict(alpha=1.5), "alpha=1.5"),
    ("Adadelta", dict(rho=-0.1), "rho=-0.1"),
    ("Adagrad", dict(lr_decay=-1.0), "lr_decay=-1.0"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    ("NAdam", dict(momentum_decay=-1.0), "momentum_decay"),
    ("Lion", dict(betas=(0.9, 1.2)), r"betas\[1\]"),
    ("LAMB", dict(eps=math.nan), "eps=nan"),
    ("Adam", dict(amsgrad="yes"), "amsgrad"),
    ("Adam", dict(convention="tensorflow"), "convention"),
    ("SGD", dict(dampening=0.5, convention="keras"), "dampening=0.5 is a torch-only option"),
    ("Adagrad", dict(lr_decay=0.1, convention="keras"), "lr_decay=0.1 is a torch-only option"),
    ("NAdam", dict(momentum_decay=4e-3, convention="keras"), "momentum_decay=0.004 is a torch-only option"),
]


@pytest.mark.parametrize(("name", "options", "message"), BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_raise_value_error(name: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)(_params(), **options)
    with pytest.raises(ValueError, match=message):  # also before any parameter is bound
        getattr(optim, name)(**options)


def test_bad_group_hyperparameters_name_the_group() -> None:
    params = _params()
    opt = optim.Adam(params[:2], lr=0.1)
    with pytest.raises(ValueError, match="lr=-1.*param group 1"):
        opt.add_param_group({"params": params[2:], "lr": -1})
    assert len(opt.param_groups) == 1


def test_torch_only_options_at_their_neutral_value_are_fine_with_keras() -> None:
    optim.SGD(dampening=0.0, convention="keras")
    optim.Adagrad(lr_decay=0.0, convention="keras")
    assert optim.NAdam(convention="keras").defaults["momentum_decay"] == 1.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([mg.tensor([1.0]), np.ones(2)], "parameter 1 .* is a ndarray, not a minigrad Tensor"),
        ([[1.0, 2.0]], "parameter 0 .* is a list"),
        ({mg.tensor([1.0])}, "ordered collection"),
        (42, "ordered collection .* got int"),
        ([mg.tensor([1, 2])], "dtype int64"),
        ([], "empty parameter list"),
        ([{"lr": 0.1}], "'params' entry"),
    ],
    ids=["array", "list", "set", "int", "int-tensor", "empty", "group-without-params"],
)
def test_bad_parameters_raise_value_error(params: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        optim.SGD(params, lr=0.1)


def test_non_leaf_and_repeated_parameters_raise() -> None:
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([w * 2.0], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([w, w], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group([w])


# ---------------------------------------------------------------- get, repr
def test_get_builds_by_name() -> None:
    assert isinstance(optim.get("ADAM"), optim.Adam)
    assert optim.get("adamw", lr=0.5).lr == 0.5
    momentum = optim.get("Momentum", lr=0.1)
    assert type(momentum) is optim.SGD and momentum.defaults["momentum"] == 0.9 and not momentum.defaults["nesterov"]
    nesterov = optim.get("nesterov")
    assert nesterov.defaults["momentum"] == 0.9 and nesterov.defaults["nesterov"]
    assert optim.get("nesterov", momentum=0.5).defaults["momentum"] == 0.5
    keras_rms = optim.get("rmsprop", convention="keras")
    assert keras_rms.defaults["alpha"] == 0.9
    params = _params()
    assert optim.get("lamb", params=params).param_groups[0]["params"] == params
    instance = optim.Lion()
    assert optim.get(instance) is instance
    for name in ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam",
                 "lion", "lamb"]:
        assert isinstance(optim.get(name), optim.Optimizer)


def test_get_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'adamax2'.*sgd, momentum, nesterov, adam"):
        optim.get("adamax2")
    with pytest.raises(ValueError, match="also options"):
        optim.get(optim.SGD(), lr=0.1)


def test_repr_shows_the_groups() -> None:
    text = repr(optim.SGD(_params(), lr=0.1, momentum=0.9))
    assert "SGD (convention='torch')" in text and "Parameter Group 0 (4 tensors)" in text and "momentum: 0.9" in text


def test_zero_grad_in_place_keeps_shapes_even_for_shared_or_0d_gradients() -> None:
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    s = mg.tensor(2.0, requires_grad=True)
    ((a + b).sum() * s).backward()
    opt = optim.SGD([a, b, s], lr=0.1)
    opt.step()
    opt.zero_grad(set_to_none=False)
    assert [p.grad.shape for p in (a, b, s)] == [(2,), (2,), ()]
    assert all(not np.any(p.grad.numpy()) for p in (a, b, s))
