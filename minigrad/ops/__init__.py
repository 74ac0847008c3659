"""The op library. Importing it installs the operators and methods on ``Tensor``.

One module per family; each op is a ``Function`` subclass with its forward
and backward side by side, and a snake_case function below it.
"""

from __future__ import annotations

from typing import Any

from ..function import common_backend
from ..tensor import Tensor
from . import (
    activation,
    arithmetic,
    compare,
    convert,
    elementwise,
    indexing,
    inplace,
    layout,
    linalg,
    reduce,
    shape,
    softmax_family,
)
from .activation import *  # noqa: F403
from .arithmetic import *  # noqa: F403
from .compare import *  # noqa: F403
from .convert import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .indexing import *  # noqa: F403
from .layout import *  # noqa: F403
from .linalg import *  # noqa: F403
from .reduce import *  # noqa: F403
from .shape import *  # noqa: F403
from .softmax_family import *  # noqa: F403

_FAMILIES = (activation, arithmetic, compare, convert, elementwise, indexing, layout, linalg, reduce, shape, softmax_family)

__all__ = [
    name
    for module in _FAMILIES
    for name in module.__all__
    if name not in ("normalize_axes", "setitem", "getitem", "to", "astype", "sum_to")
]


def _reflected(fn: Any) -> Any:
    return lambda self, other: fn(other, self)


_OPERATORS = {
    "__add__": arithmetic.add, "__radd__": _reflected(arithmetic.add),
    "__sub__": arithmetic.sub, "__rsub__": _reflected(arithmetic.sub),
    "__mul__": arithmetic.mul, "__rmul__": _reflected(arithmetic.mul),
    "__truediv__": arithmetic.div, "__rtruediv__": _reflected(arithmetic.div),
    "__pow__": arithmetic.pow, "__rpow__": _reflected(arithmetic.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": arithmetic.neg, "__abs__": elementwise.abs,
    "__eq__": compare.eq, "__ne__": compare.ne, "__lt__": compare.lt,
    "__le__": compare.le, "__gt__": compare.gt, "__ge__": compare.ge,
    "__getitem__": indexing.getitem, "__setitem__": inplace.assign_item,
    "__iadd__": inplace.__iadd__, "__isub__": inplace.__isub__,
    "__imul__": inplace.__imul__, "__itruediv__": inplace.__itruediv__,
}


def _logical(fn: Any) -> Any:
    def op(self: Tensor, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            common_backend(fn.__name__.strip("_"), [self, other])
        a, b = self.data, (other.data if isinstance(other, Tensor) else other)
        if a.dtype.kind not in "biu":
            raise TypeError(f"{fn.__name__}: logical operators need bool or integer tensors, got {a.dtype}")
        return Tensor._make(fn(a, b))

    return op


def _invert(self: Tensor) -> Tensor:
    return Tensor._make(~self.data)


def _transposed(self: Tensor) -> Tensor:
    return self.permute(*reversed(range(self.ndim)))


def _install() -> None:
    """Set the operators and methods on Tensor (declared for type checkers in Tensor's TYPE_CHECKING block)."""
    import operator

    for name, fn in _OPERATORS.items():
        setattr(Tensor, name, fn)
    for name, fn in (("__and__", operator.and_), ("__or__", operator.or_), ("__xor__", operator.xor)):
        setattr(Tensor, name, _logical(fn))
    methods = [n for n in __all__ if n not in ("where", "concatenate", "cat", "stack", "one_hot")]
    for name in methods + ["astype", "to", "sum_to"]:
        setattr(Tensor, name, globals()[name])
    for name, attr in (("__invert__", _invert), ("T", property(_transposed))):
        setattr(Tensor, name, attr)


_install()
