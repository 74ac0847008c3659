"""The stand-in for ``cupyx``: CuPy's spelling of an unbuffered scatter-add."""

from __future__ import annotations

from typing import Any

import numpy as _np

from . import _index, _unsupported, ndarray

__all__ = ["scatter_add"]


def scatter_add(a: ndarray, slices: Any, value: Any) -> None:
    """``a[slices] += value`` in place, adding once per repeated index (as ``cupyx.scatter_add``)."""
    if type(a) is not ndarray:
        raise TypeError(f"scatter_add: the target must be a cupy.ndarray, got {type(a)}")
    if type(value) is ndarray:
        value = value._a
    elif isinstance(value, _np.ndarray):
        raise _unsupported(value)
    index, _ = _index(slices)
    with _np.errstate(all="ignore"):
        _np.add.at(a._a, index, value)
