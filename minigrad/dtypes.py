"""Dtypes and the promotion rule that decides the dtype of an op's result.

minigrad's dtypes are NumPy dtypes. The promotion rule follows PyTorch in
spirit and keeps one promise strictly: float32 is never silently upcast.

* Tensors are *strong*: their dtypes combine as bool < integer < float, and
  within a kind the wider integer wins. float32 and float64 tensors in one op
  are an error (convert one explicitly) rather than a silent upcast.
* Python numbers and NumPy arrays mixed into an op are *weak*: they adopt the
  tensor's dtype unless they are of a higher kind (a Python float with an
  integer tensor gives the default float dtype, float32).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DType", "float32", "float64", "int32", "int64", "bool_", "DEFAULT_FLOAT",
    "as_dtype", "is_floating", "kind_rank", "promote", "weak_kind",
]

DType = np.dtype  # the type of a dtype: minigrad's dtypes are NumPy's

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)
DEFAULT_FLOAT = float32

_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}
_KIND_DEFAULT = {0: bool_, 1: int64, 2: DEFAULT_FLOAT}


def as_dtype(dtype: Any) -> np.dtype:
    """Normalise a dtype given as a NumPy dtype, a type or a string."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None
    if dt.kind not in _KIND_RANK:
        raise TypeError(f"unsupported dtype {dt}: minigrad supports bool, integer and float dtypes")
    return dt


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def kind_rank(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats."""
    return _KIND_RANK[dtype.kind]


def weak_kind(value: Any) -> int:
    """The kind rank of a Python number or a non-Tensor array."""
    if isinstance(value, (bool, np.bool_)):
        return 0
    if isinstance(value, (int, np.integer)):
        return 1
    if isinstance(value, (float, np.floating)):
        return 2
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return kind_rank(np.dtype(dtype))
    raise TypeError(f"cannot use {type(value).__name__} as a tensor operand")


def promote(op: str, strong: list[np.dtype], weak: list[int]) -> np.dtype:
    """The result dtype of ``op`` for tensor dtypes ``strong`` and weak kinds."""
    top_weak = max(weak, default=-1)
    if not strong:
        return _KIND_DEFAULT[top_weak]
    result = strong[0]
    for dt in strong[1:]:
        if dt == result:
            continue
        rk, dk = kind_rank(result), kind_rank(dt)
        if rk == dk == 2:
            raise TypeError(
                f"{op}: cannot combine {result} and {dt} tensors; minigrad never "
                f"upcasts silently, so convert one with .astype(...)"
            )
        if dk > rk or (dk == rk and dt.itemsize > result.itemsize):
            result = dt
    if top_weak > kind_rank(result):
        return _KIND_DEFAULT[top_weak]
    return result
