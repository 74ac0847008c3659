"""Parameter trajectories, step by step: against PyTorch and against the written-out rules."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim

from .helpers import (
    assert_paths_close,
    initial_arrays,
    run_minigrad,
    run_rule,
    run_torch,
    torch_default_dtype,
)
from .reference import DEFAULTS, RULES

STEPS = 15
DTYPES = [np.float64, np.float32]

# (optimizer, options); every option of every optimizer appears at least once.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {}),
    ("SGD", dict(lr=0.05, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", {}),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)),
    ("AdamW", {}),
    ("AdamW", dict(lr=0.05, weight_decay=0.2, amsgrad=True)),
    ("RMSprop", {}),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1, eps=1e-4)),
    ("Adagrad", {}),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, weight_decay=0.1, eps=1e-4)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)),
    ("Adamax", {}),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)),
    ("NAdam", {}),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.05)),
    ("Lion", {}),
    ("Lion", dict(lr=0.01, betas=(0.95, 0.98), weight_decay=0.5)),
    ("LAMB", {}),
    ("LAMB", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)),
]
TORCH_HAS = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam"}


def _ids(case: tuple[str, dict[str, Any]]) -> str:
    name, options = case
    return name + "".join(f"-{k}={v}" for k, v in options.items())


def _keras_valid(name: str, options: dict[str, Any]) -> bool:
    return not set(options) & set(getattr(optim, name).torch_only)


REF_CASES = [(c, conv) for c in CASES for conv in ("torch", "keras") if conv == "torch" or _keras_valid(*c)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize(("case", "convention"), REF_CASES, ids=[f"{conv}-{_ids(c)}" for c, conv in REF_CASES])
def test_matches_written_out_rule(case: tuple[str, dict[str, Any]], convention: str, dtype: Any) -> None:
    name, options = case
    arrays = initial_arrays(dtype)
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    opt = getattr(optim, name)(params, convention=convention, **options)
    hyper = {**DEFAULTS[name, convention], **options}
    ours = run_minigrad(opt, params, STEPS)
    theirs = run_rule(RULES[name, convention], hyper, arrays, STEPS)
    assert_paths_close(ours, theirs, dtype)


TORCH_CASES = [c for c in CASES if c[0] in TORCH_HAS]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=[_ids(c) for c in TORCH_CASES])
def test_matches_pytorch(case: tuple[str, dict[str, Any]], dtype: Any) -> None:
    torch = pytest.importorskip("torch")
    name, options = case
    arrays = initial_arrays(dtype)
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    ours = run_minigrad(getattr(optim, name)(params, **options), params, STEPS)
    with torch_default_dtype(torch, dtype):
        tparams = [torch.tensor(a, requires_grad=True) for a in arrays]
        theirs = run_torch(torch, getattr(torch.optim, name)(tparams, foreach=False, **options), tparams, STEPS)
    assert_paths_close(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_param_groups_match_pytorch(dtype: Any) -> None:
    """Two groups with their own lr, momentum and weight decay, one parameter never stepped."""
    torch = pytest.importorskip("torch")
    arrays = initial_arrays(dtype, seed=1)

    def groups(ps: list[Any]) -> list[dict[str, Any]]:
        return [
            {"params": ps[:2], "lr": 0.1, "momentum": 0.5},
            {"params": ps[2:], "weight_decay": 0.2, "nesterov": True},
        ]

    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    opt = optim.SGD(groups(params), lr=0.03, momentum=0.9)
    ours = run_minigrad(opt, params, STEPS)
    with torch_default_dtype(torch, dtype):
        tparams = [torch.tensor(a, requires_grad=True) for a in arrays]
        topt = torch.optim.SGD(groups(tparams), lr=0.03, momentum=0.9, foreach=False)
        theirs = run_torch(torch, topt, tparams, STEPS)
    assert_paths_close(ours, theirs, dtype)
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]


@pytest.mark.parametrize("name", sorted(TORCH_HAS))
def test_torch_defaults_match_pytorch_signature(name: str) -> None:
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    ours = getattr(optim, name)().defaults
    for key, value in ours.items():
        expected = theirs[key].default
        assert value == (tuple(expected) if isinstance(expected, tuple) else expected), key


@pytest.mark.parametrize(("name", "convention"), sorted(DEFAULTS))
def test_defaults(name: str, convention: str) -> None:
    ours = getattr(optim, name)(convention=convention).defaults
    expected = DEFAULTS[name, convention]
    assert {k: ours[k] for k in expected} == expected
    assert set(ours) - set(expected) <= set(getattr(optim, name).torch_only)


def test_keras_sgd_equals_torch_sgd_at_constant_lr() -> None:
    """The README's claim: lr inside or outside the velocity only matters when lr changes."""
    arrays = initial_arrays(np.float64, seed=2)
    paths = []
    for convention in ("torch", "keras"):
        params = [mg.tensor(a, requires_grad=True) for a in arrays]
        opt = optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, convention=convention)
        paths.append(run_minigrad(opt, params, STEPS))
    assert_paths_close(paths[0], paths[1], np.float64)


def test_keras_nadam_is_torch_rule_with_unit_momentum_decay() -> None:
    """Keras's 0.96**t schedule is torch's 0.96**(t * momentum_decay) with momentum_decay = 1."""
    arrays = initial_arrays(np.float64, seed=3)
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    options = dict(lr=0.01, eps=1e-7)
    ours = run_minigrad(optim.NAdam(params, momentum_decay=1.0, **options), params, STEPS)
    keras = run_rule(RULES["NAdam", "keras"], {**DEFAULTS["NAdam", "keras"], **options}, arrays, STEPS)
    assert_paths_close(ours, keras, np.float64)
