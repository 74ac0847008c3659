"""Property: for a small enough learning rate, one step of any optimizer lowers a convex quadratic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import optim

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "Lion", "LAMB"]
CASES = [  # (optimizer, convention, options): plain, and with momentum where the optimizer has it
    (name, convention, options)
    for name in NAMES
    for convention in ("torch", "keras")
    for options in ({}, {"momentum": 0.9})
    if set(options) <= set(getattr(optim, name).defaults_by_convention[convention])
]

# f(p) = 0.5 * sum(a * (p - c)**2), a > 0, started where every |p - c| >= 0.1, so
# that a step of at most lr = 1e-4 per coordinate cannot overshoot the minimum.
quadratics = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.5, 2.0), min_size=n, max_size=n),
        st.lists(st.floats(-5.0, 5.0), min_size=n, max_size=n),
        st.lists(st.floats(0.1, 5.0).flatmap(lambda d: st.sampled_from([d, -d])), min_size=n, max_size=n),
    )
)


def _loss(a: np.ndarray, c: np.ndarray, p: np.ndarray) -> float:
    return float(0.5 * np.sum(a * (p - c) ** 2))


@pytest.mark.parametrize(("name", "convention", "options"), CASES)
@given(quadratic=quadratics)
def test_one_small_step_decreases_a_convex_quadratic(name: str, convention: str, options: dict, quadratic) -> None:
    a, c, d = (np.array(v) for v in quadratic)
    p = mg.tensor(c + d, requires_grad=True)
    opt = getattr(optim, name)([p], lr=1e-4, weight_decay=0.0, convention=convention, **options)
    before = _loss(a, c, p.numpy())
    p.grad = mg.tensor(a * (p.numpy() - c))
    opt.step()
    assert _loss(a, c, p.numpy()) < before
