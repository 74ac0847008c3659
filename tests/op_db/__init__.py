"""The op database: one entry per differentiable op, read by the generic tests.

An :class:`OpInfo` says how to call the op (``fn`` on minigrad tensors), what
it should compute (``ref`` on NumPy arrays, and ``torch_fn`` where PyTorch
defines the semantics), how to draw valid inputs (``sample``: float64 arrays
kept away from the op's non-differentiable points, plus keyword options), and
which ``Function`` classes it exercises (``covers``). ``tests/test_op_registry``
fails if a registered op is covered by no entry, so a new op cannot ship
untested. Families live in the sibling modules; add an entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "OpInfo", "ALL_OPS", "unary", "binary", "floats_array", "shape_st", "axis_st",
]

Sample = tuple[list[np.ndarray], dict[str, Any]]


@dataclass(frozen=True)
class OpInfo:
    name: str
    fn: Callable[..., Any]
    ref: Callable[..., Any] | None
    sample: Callable[[Callable[..., Any]], Sample]
    covers: tuple[type, ...]
    torch_fn: Callable[..., Any] | None = None
    gradgrad: bool = True
    differentiable: tuple[int, ...] | None = None  # input positions that get a gradient; None = all
    eps: float = 1e-6
    atol: float = 1e-6
    rtol: float = 1e-5
    needs_backend: str | None = None
    float32_rtol: float = 2e-5
    tags: frozenset[str] = field(default_factory=frozenset)

    def __repr__(self) -> str:  # readable pytest ids
        return self.name


def shape_st(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def floats_array(draw: Callable[..., Any], shape: tuple[int, ...], lo: float = -3.0, hi: float = 3.0,
                 away: tuple[float, ...] = (), margin: float = 1e-2) -> np.ndarray:
    """A float64 array with values in [lo, hi], each at least ``margin`` from every point in ``away``."""
    a = draw(hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False)))
    for p in away:
        near = np.abs(a - p) < margin
        a = np.where(near, p + np.where(a >= p, margin, -margin) * 2, a)
    return a


def axis_st(draw: Callable[..., Any], ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    """An axis argument valid for ``ndim`` dims: None, an int (maybe negative) or a tuple."""
    choices = ["int"] if ndim else []
    if allow_none or not ndim:
        choices.append("none")
    if allow_tuple and ndim >= 2:
        choices.append("tuple")
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))


def unary(lo: float = -3.0, hi: float = 3.0, away: tuple[float, ...] = (), min_side: int = 0) -> Callable[..., Sample]:
    """Sampler for an elementwise op: one array of any shape (size 0 included)."""

    def sample(draw: Callable[..., Any]) -> Sample:
        shape = draw(shape_st(min_side=min_side))
        return [floats_array(draw, shape, lo, hi, away)], {}

    return sample


def binary(lo: float = -3.0, hi: float = 3.0, ylo: float | None = None, yhi: float | None = None,
           y_away: tuple[float, ...] = (), distinct: bool = False) -> Callable[..., Sample]:
    """Sampler for a broadcasting binary op: two arrays of mutually broadcastable shapes."""

    def sample(draw: Callable[..., Any]) -> Sample:
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4))
        x = floats_array(draw, shapes.input_shapes[0], lo, hi)
        y = floats_array(draw, shapes.input_shapes[1], lo if ylo is None else ylo, hi if yhi is None else yhi, y_away)
        if distinct:
            assume(np.all(np.abs(np.subtract(x, y)) > 1e-2))
        return [x, y], {}

    return sample


def _collect() -> list[OpInfo]:
    from importlib import import_module
    from pkgutil import iter_modules

    entries: list[OpInfo] = []
    for module in iter_modules(__path__):
        entries += import_module(f"{__name__}.{module.name}").ENTRIES
    return entries


ALL_OPS: list[OpInfo] = _collect()
