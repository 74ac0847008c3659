"""Helpers shared by the op tests: running an OpInfo entry and finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

import minigrad as mg
from minigrad import backend

from .op_db import OpInfo


def skip_if_unavailable(op: OpInfo) -> None:
    if op.needs_backend and op.needs_backend not in backend.available_backends():
        pytest.skip(f"{op.name} needs the {op.needs_backend} backend")


def as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def differentiable_positions(op: OpInfo, n_inputs: int) -> Sequence[int]:
    return range(n_inputs) if op.differentiable is None else op.differentiable


def make_inputs(op: OpInfo, arrays: list[np.ndarray], dtype: Any, requires_grad: bool = True,
                grad_at: Sequence[int] | None = None) -> list[mg.Tensor]:
    """Tensors of ``dtype`` for ``arrays``; those at ``grad_at`` (default: every differentiable position) require grad."""
    if grad_at is None:
        grad_at = differentiable_positions(op, len(arrays))
    return [mg.tensor(a.astype(dtype), requires_grad=requires_grad and i in grad_at) for i, a in enumerate(arrays)]


def draw_grad_inputs(draw: Callable[..., Any], op: OpInfo) -> tuple[list[mg.Tensor], dict[str, Any]]:
    """An op's sample as float64 tensors, a random nonempty subset of the differentiable ones requiring grad; its options."""
    arrays, params = op.sample(draw)
    return make_inputs(op, arrays, np.float64, grad_at=draw_grad_positions(draw, op, len(arrays))), params


def draw_grad_positions(draw: Callable[..., Any], op: OpInfo, n_inputs: int) -> tuple[int, ...]:
    """A random nonempty subset of the differentiable inputs, to require grad while the rest stay constants.

    An op must give the right gradients whichever of its inputs need one (its
    ``ctx.needs_input_grad``), and the tape must route them (see ``Node.live``).
    """
    positions = tuple(differentiable_positions(op, n_inputs))
    if len(positions) <= 1:
        return positions
    return tuple(sorted(draw(st.sets(st.sampled_from(positions), min_size=1))))


def to_host(t: mg.Tensor) -> np.ndarray:
    return backend.to_numpy(t.data)


def cotangents(outs: list[mg.Tensor], seed: int) -> list[np.ndarray]:
    """A random upstream gradient per output (never all ones: that hides transposition bugs)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape) for o in outs]
