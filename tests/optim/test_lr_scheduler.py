"""Learning-rate schedulers: sequences against PyTorch, warmup, state dicts, bad input."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from minigrad.optim import lr_scheduler as sched

from .helpers import assert_paths_close, gradient, initial_arrays, torch_default_dtype

STEPS = 120


def _optimizer(lib: Any, name: str = "SGD", **options: Any) -> Any:
    """An optimizer with two param groups (lr 0.1 and 0.02), from minigrad or torch."""
    if lib is optim:
        a, b = mg.tensor(np.zeros(2), requires_grad=True), mg.tensor(np.zeros(3), requires_grad=True)
    else:
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    opt_cls = getattr(lib, name) if lib is optim else getattr(lib.optim, name)
    return opt_cls([{"params": [a]}, {"params": [b], "lr": 0.02}], lr=0.1, **options)


def _lrs(opt: Any) -> list[float]:
    return [float(g["lr"]) for g in opt.param_groups]


# (scheduler, arguments, optimizer, optimizer options); ``lambdas`` stand in for functions.
SCHEDULES: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    ("StepLR", dict(step_size=7), "SGD", {}),
    ("StepLR", dict(step_size=3, gamma=0.5), "SGD", {}),
    ("MultiStepLR", dict(milestones=[5, 30, 30, 80]), "SGD", {}),
    ("MultiStepLR", dict(milestones=[50, 10], gamma=0.3), "SGD", {}),
    ("ExponentialLR", dict(gamma=0.97), "SGD", {}),
    ("CosineAnnealingLR", dict(T_max=40), "SGD", {}),
    ("CosineAnnealingLR", dict(T_max=25, eta_min=0.001), "SGD", {}),
    ("LambdaLR", dict(lr_lambda="inverse"), "SGD", {}),
    ("LambdaLR", dict(lr_lambda="per-group"), "SGD", {}),
    ("LinearLR", dict(), "SGD", {}),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.5, total_iters=30), "SGD", {}),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=STEPS), "SGD", dict(momentum=0.9)),
    ("OneCycleLR", dict(max_lr=[1.0, 0.3], total_steps=STEPS + 5, anneal_strategy="linear", div_factor=10.0),
     "SGD", dict(momentum=0.9)),
    ("OneCycleLR", dict(max_lr=0.01, epochs=12, steps_per_epoch=10, three_phase=True), "Adam", {}),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=STEPS, cycle_momentum=False, pct_start=0.25), "Adagrad", {}),
]


def _arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    lambdas = {"inverse": lambda t: 1.0 / (1.0 + 0.1 * t), "per-group": [lambda t: 0.95**t, lambda t: 1.0 + t % 3]}
    return {k: lambdas[v] if k == "lr_lambda" else v for k, v in arguments.items()}


def _sequence(lib: Any, schedule: tuple[str, dict[str, Any], str, dict[str, Any]]) -> list[list[float]]:
    """Group lrs and momentum-like values at steps 0..STEPS."""
    name, arguments, opt_name, options = schedule
    opt = _optimizer(lib, opt_name, **options)
    module = sched if lib is optim else lib.optim.lr_scheduler
    scheduler = getattr(module, name)(opt, **_arguments(arguments))
    seen = []
    for _ in range(STEPS):
        seen.append(_lrs(opt) + scheduler.get_last_lr() + _momenta(opt))
        opt.step()
        scheduler.step()
    return seen


def _momenta(opt: Any) -> list[float]:
    return [float(g["betas"][0]) if "betas" in g else float(g.get("momentum", 0.0)) for g in opt.param_groups]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: f"{s[0]}-{s[1]}")
def test_sequence_matches_pytorch(schedule: tuple[str, dict[str, Any], str, dict[str, Any]]) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when optimizer.step() ran without gradients
        theirs = _sequence(torch, schedule)
    ours = _sequence(optim, schedule)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


PLATEAU_OPTIONS = [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.01, cooldown=3, min_lr=[0.01, 0.001]),
    dict(threshold_mode="abs", threshold=0.05, patience=1, factor=0.7, min_lr=0.015, eps=1e-3),
    dict(mode="max", threshold_mode="abs", patience=0),
]


@pytest.mark.parametrize("options", PLATEAU_OPTIONS, ids=str)
def test_reduce_lr_on_plateau_matches_pytorch(options: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    metrics = [1.0 / (1 + t) + 0.3 * math.sin(t) ** 2 + (0.2 if t % 17 == 0 else 0.0) for t in range(STEPS)]
    sequences = []
    for lib, module in [(optim, sched), (torch, torch.optim.lr_scheduler)]:
        opt = _optimizer(lib)
        scheduler = module.ReduceLROnPlateau(opt, **options)
        seen = []
        for metric in metrics:
            scheduler.step(metric)
            seen.append(_lrs(opt) + scheduler.get_last_lr() + [scheduler.num_bad_epochs, scheduler.best])
        sequences.append(seen)
    np.testing.assert_allclose(sequences[0], sequences[1], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_optimizer_with_scheduler_matches_pytorch_trajectory(dtype: Any) -> None:
    """SGD with Nesterov momentum under OneCycleLR: lr and momentum change every step."""
    torch = pytest.importorskip("torch")
    arrays = initial_arrays(dtype, seed=4)
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    opt = optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True)
    scheduler = sched.OneCycleLR(opt, max_lr=0.2, total_steps=20)
    with torch_default_dtype(torch, dtype):
        tparams = [torch.tensor(a, requires_grad=True) for a in arrays]
        topt = torch.optim.SGD(tparams, lr=0.1, momentum=0.9, nesterov=True, foreach=False)
        tscheduler = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.2, total_steps=20)
        ours, theirs = [], []
        for t in range(20):
            for i, (p, tp) in enumerate(zip(params, tparams)):
                p.grad = mg.tensor(gradient(t, i, p.numpy()))
                tp.grad = torch.from_numpy(gradient(t, i, tp.detach().numpy()))
            opt.step()
            topt.step()
            scheduler.step()
            tscheduler.step()
            ours.append([p.numpy() for p in params])
            theirs.append([tp.detach().numpy().copy() for tp in tparams])
    assert_paths_close(ours, theirs, dtype)


# ---------------------------------------------------------------- warmup
def test_warmup_ramps_then_hands_over_at_step_zero() -> None:
    opt = _optimizer(optim)
    scheduler = sched.warmup(sched.StepLR(opt, step_size=2, gamma=0.5), steps=4)
    seen = []
    for _ in range(9):
        seen.append(_lrs(opt))
        assert scheduler.get_last_lr() == _lrs(opt)
        scheduler.step()
    expected_first = [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025]
    np.testing.assert_allclose([s[0] for s in seen], expected_first, rtol=1e-15)
    np.testing.assert_allclose([s[1] for s in seen], np.array(expected_first) / 5, rtol=1e-15)


def test_warmup_of_linear_lr_and_zero_steps() -> None:
    opt = _optimizer(optim)
    scheduler = sched.warmup(sched.LinearLR(opt, start_factor=0.5, total_iters=2), steps=2)
    firsts = []
    for _ in range(6):
        firsts.append(_lrs(opt)[0])
        scheduler.step()
    np.testing.assert_allclose(firsts, [0.05, 0.1, 0.05, 0.075, 0.1, 0.1], rtol=1e-15)
    opt = _optimizer(optim)
    plain = sched.warmup(sched.ExponentialLR(opt, gamma=0.5), steps=0)
    assert _lrs(opt)[0] == 0.1
    plain.step()
    assert _lrs(opt)[0] == 0.05


def test_warmup_passes_the_metric_to_reduce_lr_on_plateau() -> None:
    opt = _optimizer(optim)
    plateau = sched.ReduceLROnPlateau(opt, patience=0)
    scheduler = sched.warmup(plateau, steps=2)
    assert _lrs(opt)[0] == 0.05
    scheduler.step(5.0)  # warming up: the metric is ignored
    assert _lrs(opt)[0] == 0.1
    scheduler.step(5.0)  # hand-over: the plateau scheduler at its step 0
    assert _lrs(opt)[0] == 0.1 and plateau.best == math.inf
    lrs = []
    for metric in (1.0, 1.0, 2.0):  # a new best, then two bad epochs with patience 0
        scheduler.step(metric)
        lrs.append(_lrs(opt)[0])
    np.testing.assert_allclose(lrs, [0.1, 0.01, 0.001], rtol=1e-12)
    assert plateau.best == 1.0


# ---------------------------------------------------------------- state dicts
def _make_all(opt: optim.Optimizer) -> list[Any]:
    return [
        sched.StepLR(opt, step_size=4),
        sched.MultiStepLR(opt, milestones=[3, 9]),
        sched.ExponentialLR(opt, gamma=0.9),
        sched.CosineAnnealingLR(opt, T_max=10, eta_min=0.01),
        sched.LambdaLR(opt, lambda t: 1.0 / (1 + t)),
        sched.LinearLR(opt, total_iters=6),
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=40),
        sched.warmup(sched.CosineAnnealingLR(opt, T_max=10), steps=5),
        sched.ReduceLROnPlateau(opt, patience=1, cooldown=1),
    ]


def _step(scheduler: Any, t: int) -> None:
    if isinstance(scheduler, sched.ReduceLROnPlateau):
        scheduler.step(1.0 + 0.1 * ((t * 7) % 3))
    else:
        scheduler.step()


@pytest.mark.parametrize("index", range(9), ids=["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                                  "LambdaLR", "LinearLR", "OneCycleLR", "warmup", "ReduceLROnPlateau"])
def test_resuming_from_state_dicts_continues_the_same_sequence(index: int) -> None:
    opt = _optimizer(optim, momentum=0.9)
    scheduler = _make_all(opt)[index]
    for t in range(7):
        _step(scheduler, t)
    saved_opt, saved_sched = opt.state_dict(), scheduler.state_dict()
    uninterrupted = []
    for t in range(7, 25):
        _step(scheduler, t)
        uninterrupted.append(_lrs(opt) + _momenta(opt))

    opt2 = _optimizer(optim, momentum=0.9)
    scheduler2 = _make_all(opt2)[index]
    opt2.load_state_dict(saved_opt)
    scheduler2.load_state_dict(saved_sched)
    resumed = []
    for t in range(7, 25):
        _step(scheduler2, t)
        resumed.append(_lrs(opt2) + _momenta(opt2))
    assert resumed == uninterrupted


def test_state_dict_is_plain_data_and_rejects_other_schedulers() -> None:
    opt = _optimizer(optim)
    step_lr = sched.StepLR(opt, step_size=3)
    step_lr.step()
    assert step_lr.state_dict() == {
        "step_size": 3, "gamma": 0.1, "base_lrs": [0.1, 0.02], "last_epoch": 1, "_last_lr": [0.1, 0.02],
    }
    with pytest.raises(ValueError, match="another scheduler"):
        sched.ExponentialLR(opt, gamma=0.5).load_state_dict(step_lr.state_dict())
    with pytest.raises(ValueError, match="another scheduler"):
        sched.warmup(sched.StepLR(opt, step_size=3), 2).load_state_dict(step_lr.state_dict())
    one_group = sched.StepLR(optim.SGD([mg.tensor([1.0])], lr=0.1), step_size=3)
    with pytest.raises(ValueError, match="param groups"):
        one_group.load_state_dict(step_lr.state_dict())


# ---------------------------------------------------------------- bad input
def test_scheduler_needs_a_bound_minigrad_optimizer() -> None:
    with pytest.raises(ValueError, match="no parameters yet"):
        sched.StepLR(optim.Adam(lr=0.1), step_size=2)
    with pytest.raises(TypeError, match="minigrad optimizer"):
        sched.StepLR("adam", step_size=2)
    with pytest.raises(TypeError, match="minigrad scheduler"):
        sched.warmup(optim.SGD([mg.tensor([1.0])]), 3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda o: sched.StepLR(o, step_size=0), "step_size"),
        (lambda o: sched.CosineAnnealingLR(o, T_max=0), "T_max"),
        (lambda o: sched.LinearLR(o, start_factor=0.0), "start_factor"),
        (lambda o: sched.LinearLR(o, end_factor=1.5), "end_factor"),
        (lambda o: sched.LambdaLR(o, [lambda t: 1.0]), "one per param group"),
        (lambda o: sched.OneCycleLR(o, max_lr=1.0), "total_steps"),
        (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="cubic"), "anneal_strategy"),
        (lambda o: sched.OneCycleLR(o, max_lr=[1.0], total_steps=10), "one per param group"),
        (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), "factor"),
        (lambda o: sched.ReduceLROnPlateau(o, mode="lowest"), "mode"),
        (lambda o: sched.warmup(sched.StepLR(o, step_size=2), steps=-1), "steps"),
    ],
)
def test_bad_scheduler_arguments(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(_optimizer(optim))


def test_one_cycle_without_momentum_and_past_its_end() -> None:
    with pytest.raises(ValueError, match="cycle_momentum"):
        sched.OneCycleLR(_optimizer(optim, "Adagrad"), max_lr=1.0, total_steps=10)
    scheduler = sched.OneCycleLR(_optimizer(optim), max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="total_steps is 3"):
        scheduler.step()
