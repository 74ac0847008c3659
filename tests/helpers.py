"""Helpers shared by the op tests: running an OpInfo entry and finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend

from .op_db import OpInfo


def skip_if_unavailable(op: OpInfo) -> None:
    if op.needs_backend and op.needs_backend not in backend.available_backends():
        pytest.skip(f"{op.name} needs the {op.needs_backend} backend")


def as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def make_inputs(op: OpInfo, arrays: list[np.ndarray], dtype: Any, requires_grad: bool = True) -> list[mg.Tensor]:
    """Tensors of ``dtype`` for ``arrays``; the differentiable positions require grad."""
    grad_at = range(len(arrays)) if op.differentiable is None else op.differentiable
    return [mg.tensor(a.astype(dtype), requires_grad=requires_grad and i in grad_at) for i, a in enumerate(arrays)]


def to_host(t: mg.Tensor) -> np.ndarray:
    return backend.to_numpy(t.data)


def cotangents(outs: list[mg.Tensor], seed: int) -> list[np.ndarray]:
    """A random upstream gradient per output (never all ones: that hides transposition bugs)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape) for o in outs]
