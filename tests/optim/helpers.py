"""Shared pieces of the optimizer tests: parameters, a gradient field, and runners.

The gradient at each step is a fixed nonlinear function of the current
parameter plus step-dependent noise, so a trajectory is a real feedback loop:
an error in one step changes every later gradient.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import minigrad as mg
from minigrad import optim

SHAPES = [(), (3,), (2, 3), (2, 1, 4)]
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


def initial_arrays(dtype: Any, seed: int = 0, shapes: list[tuple[int, ...]] = SHAPES) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype(dtype) for shape in shapes]


def gradient(step: int, index: int, p: np.ndarray) -> np.ndarray:
    """d/dp of a bumpy loss at this step: sin(3p) + 0.3 p + noise, in p's dtype."""
    noise = np.random.default_rng([step, index]).normal(scale=0.5, size=p.shape)
    return np.asarray(np.sin(3.0 * p.astype(np.float64)) + 0.3 * p + noise, dtype=p.dtype)


def run_minigrad(opt: optim.Optimizer, params: list[mg.Tensor], steps: int) -> list[list[np.ndarray]]:
    """Step ``opt`` ``steps`` times; the parameters after each step."""
    path = []
    for t in range(steps):
        for i, p in enumerate(params):
            p.grad = mg.tensor(gradient(t, i, p.numpy()))
        opt.step()
        path.append([p.numpy() for p in params])
    return path


def run_rule(
    rule: Callable[..., np.ndarray], hyper: dict[str, Any], arrays: list[np.ndarray], steps: int
) -> list[list[np.ndarray]]:
    """The same run, with a reference update rule from ``reference.py``."""
    arrays = [a.copy() for a in arrays]
    states: list[dict[str, Any]] = [{} for _ in arrays]
    path = []
    for t in range(steps):
        for i, a in enumerate(arrays):
            arrays[i] = np.asarray(rule(a, gradient(t, i, a), states[i], hyper), dtype=a.dtype)
        path.append([a.copy() for a in arrays])
    return path


def run_torch(torch: Any, opt: Any, params: list[Any], steps: int) -> list[list[np.ndarray]]:
    path = []
    for t in range(steps):
        for i, p in enumerate(params):
            p.grad = torch.from_numpy(gradient(t, i, p.detach().numpy()))
        opt.step()
        path.append([p.detach().numpy().copy() for p in params])
    return path


@contextlib.contextmanager
def torch_default_dtype(torch: Any, dtype: Any) -> Iterator[None]:
    """Make torch's scalar state (e.g. NAdam's mu_product) use ``dtype``, as ours does."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64 if dtype == np.float64 else torch.float32)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def assert_paths_close(ours: list[list[np.ndarray]], theirs: list[list[np.ndarray]], dtype: Any) -> None:
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == dtype, f"step {step}, parameter {i}: dtype {x.dtype}"
            np.testing.assert_allclose(x, y, **TOL[dtype], err_msg=f"step {step}, parameter {i}")


def max_rel_diff(ours: list[list[np.ndarray]], theirs: list[list[np.ndarray]]) -> float:
    return max(
        float(np.max(np.abs(x.astype(np.float64) - y) / (np.abs(y) + 1e-12), initial=0.0))
        for a, b in zip(ours, theirs) for x, y in zip(a, b)
    )
