"""A strict NumPy-backed stand-in for CuPy, so the CuPy code path runs without a GPU.

It behaves like CuPy where CuPy differs from NumPy, and is stricter than
CuPy where that catches bugs in code that should only ever reach its arrays
through the backend's array module:

* :class:`ndarray` wraps a NumPy array and is *not* a ``numpy.ndarray``;
  reductions and other 0-d results are 0-d arrays, never NumPy scalars.
* Converting to NumPy implicitly raises TypeError (``numpy.asarray(x)``, as
  CuPy), and so does calling any NumPy function or ufunc on it (stricter:
  real CuPy dispatches ``numpy.exp(x)`` to itself).
* Mixing an ``ndarray`` with a ``numpy.ndarray`` operand raises TypeError, as
  CuPy does; Python and NumPy scalars are fine.
* Floating-point errors are silent, as on a GPU.
* :data:`transfers` counts host->device and device->host copies (and the
  synchronising reads that data-dependent shapes need), standing in for a
  transfer guard: a test can assert that a training step makes none.

Module-level functions are NumPy's, applied to the wrapped arrays; dtypes
and constants are NumPy's own, as in CuPy. ``asarray(host)`` is the
host->device copy, ``asnumpy(x)`` and ``x.get()`` the way back.
:mod:`tests.fake_cupy.cupyx` holds ``scatter_add``.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as _np

__version__ = "13.0.0+fake"


class Transfers:
    """Counts of copies between the host and the fake device."""

    def __init__(self) -> None:
        self.host_to_device = 0
        self.device_to_host = 0

    def reset(self) -> None:
        """Start counting from zero."""
        self.host_to_device = self.device_to_host = 0

    @property
    def total(self) -> int:
        return self.host_to_device + self.device_to_host

    def __repr__(self) -> str:
        return f"Transfers(host_to_device={self.host_to_device}, device_to_host={self.device_to_host})"


transfers = Transfers()


def _quiet() -> Any:
    return _np.errstate(all="ignore")


def _unsupported(value: Any) -> TypeError:
    return TypeError(
        f"Unsupported type {type(value)}: a fake CuPy array cannot be combined with a NumPy array; "
        f"move it to the device with cupy.asarray first"
    )


def _unwrap(value: Any, seen: dict[int, ndarray]) -> Any:
    """The NumPy array inside ``value`` (recursing into lists, tuples and dicts); host arrays are refused."""
    if type(value) is ndarray:
        seen[id(value._a)] = value
        return value._a
    if isinstance(value, _np.ndarray):
        raise _unsupported(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v, seen) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, seen) for k, v in value.items()}
    return value


def _wrap(value: Any, seen: dict[int, ndarray] | None = None) -> Any:
    """NumPy results as fake arrays: scalars become 0-d arrays; an unwrapped input comes back as itself."""
    if isinstance(value, _np.ndarray):
        if seen and id(value) in seen:
            return seen[id(value)]
        return ndarray._of(value)
    if isinstance(value, _np.generic):
        return ndarray._of(_np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v, seen) for v in value)
    if isinstance(value, list):
        return [_wrap(v, seen) for v in value]
    return value


def _call(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], self: ndarray | None = None) -> Any:
    """``fn`` on the unwrapped arguments, its result wrapped (an input array returned comes back as itself)."""
    seen: dict[int, ndarray] = {} if self is None else {id(self._a): self}
    a, k = _unwrap(args, seen), _unwrap(kwargs, seen)
    with _quiet():
        return _wrap(fn(*a, **k), seen)


def _operand(value: Any) -> Any:
    """The NumPy side of an operator's other operand, or NotImplemented for types CuPy refuses."""
    if type(value) is ndarray:
        return value._a
    if isinstance(value, (bool, int, float, complex, _np.generic)):
        return value
    if isinstance(value, _np.ndarray):
        raise _unsupported(value)
    return NotImplemented


def _index(key: Any) -> tuple[Any, bool]:
    """An index with fake arrays unwrapped, and whether it holds a boolean mask."""
    parts = key if isinstance(key, tuple) else (key,)
    out, mask = [], False
    for p in parts:
        if type(p) is ndarray:
            p = p._a
        elif isinstance(p, (list, _np.ndarray)):  # host index data: CuPy copies it to the device
            transfers.host_to_device += 1
            p = _np.asarray(p)
        if isinstance(p, _np.ndarray) and p.dtype == _np.bool_:
            mask = True
        out.append(p)
    return (tuple(out) if isinstance(key, tuple) else out[0]), mask


class _Flags:
    """CuPy's ``ndarray.flags``: contiguity and ownership, no ``writeable`` flag."""

    def __init__(self, a: _np.ndarray) -> None:
        self.c_contiguous = bool(a.flags.c_contiguous)
        self.f_contiguous = bool(a.flags.f_contiguous)
        self.owndata = bool(a.flags.owndata)

    def __getitem__(self, name: str) -> bool:
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous, "OWNDATA": self.owndata}[name]


class ndarray:  # noqa: N801 - CuPy's spelling
    """A fake device array: a NumPy array that NumPy may not touch."""

    __slots__ = ("_a",)
    __array_ufunc__ = None  # numpy ufuncs refuse it; ndarray (op) fake defers to the reflected operator
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, shape: Any, dtype: Any = float) -> None:
        self._a = _np.empty(shape, dtype=dtype)

    @classmethod
    def _of(cls, a: _np.ndarray) -> ndarray:
        out = object.__new__(cls)
        out._a = a
        return out

    # ---- NumPy may not convert or operate on it ----
    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a NumPy array "
            "explicitly."
        )

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise TypeError(
            f"numpy.{func.__name__} was called on a fake CuPy array: code must use the array module that holds "
            f"its arrays (cupy.{func.__name__})"
        )

    # ---- properties ----
    @property
    def shape(self) -> tuple[int, ...]:
        return self._a.shape

    @property
    def ndim(self) -> int:
        return self._a.ndim

    @property
    def size(self) -> int:
        return self._a.size

    @property
    def dtype(self) -> _np.dtype:
        return self._a.dtype

    @property
    def itemsize(self) -> int:
        return self._a.itemsize

    @property
    def nbytes(self) -> int:
        return self._a.nbytes

    @property
    def strides(self) -> tuple[int, ...]:
        return self._a.strides

    @property
    def flags(self) -> _Flags:
        return _Flags(self._a)

    @property
    def T(self) -> ndarray:  # noqa: N802
        return ndarray._of(self._a.T)

    @property
    def device(self) -> Device:
        return Device(0)

    # ---- moving data ----
    def get(self, stream: Any = None, order: str = "C", out: Any = None) -> _np.ndarray:
        """A host copy (device -> host)."""
        transfers.device_to_host += 1
        return _np.array(self._a, order=order, copy=True)

    def set(self, arr: _np.ndarray, stream: Any = None) -> None:
        """Overwrite with a host array of the same shape (host -> device)."""
        if not isinstance(arr, _np.ndarray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, got {type(arr)}")
        if arr.shape != self._a.shape:
            raise ValueError(f"Shape mismatch: {arr.shape} vs {self._a.shape}")
        transfers.host_to_device += 1
        self._a[...] = arr

    def item(self, *args: Any) -> Any:
        transfers.device_to_host += 1
        return self._a.item(*args)

    def tolist(self) -> Any:
        transfers.device_to_host += 1
        return self._a.tolist()

    def _read(self, convert: Callable[[Any], Any]) -> Any:
        transfers.device_to_host += 1
        return convert(self._a)

    def __float__(self) -> float:
        return self._read(float)

    def __int__(self) -> int:
        return self._read(int)

    def __complex__(self) -> complex:
        return self._read(complex)

    def __bool__(self) -> bool:
        return self._read(bool)

    def __repr__(self) -> str:
        return self._read(repr)

    def __str__(self) -> str:
        return self._read(str)

    def __format__(self, spec: str) -> str:
        return self._read(lambda a: format(a, spec))

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[ndarray]:
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(len(self._a)):
            yield ndarray._of(self._a[i])

    def __copy__(self) -> ndarray:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> ndarray:
        return self.copy()

    # ---- indexing ----
    def __getitem__(self, key: Any) -> ndarray:
        index, mask = _index(key)
        if mask:  # the result's size depends on the data: CuPy reads the count back
            transfers.device_to_host += 1
        return _wrap(self._a[index])

    def __setitem__(self, key: Any, value: Any) -> None:
        index, _ = _index(key)
        if type(value) is ndarray:
            value = value._a
        elif isinstance(value, (_np.ndarray, list)):
            transfers.host_to_device += 1
        self._a[index] = value

    # ---- methods ----
    def fill(self, value: Any) -> None:
        self._a.fill(_operand(value) if type(value) is ndarray else value)

    def nonzero(self) -> tuple[ndarray, ...]:
        transfers.device_to_host += 1  # the number of non-zeros is read back
        return _wrap(self._a.nonzero())


def _method(name: str) -> Callable[..., Any]:
    def method(self: ndarray, *args: Any, **kwargs: Any) -> Any:
        return _call(getattr(self._a, name), args, kwargs, self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``numpy.ndarray.{name}`` on the device array."
    return method


_METHODS = (
    "all", "any", "argmax", "argmin", "argsort", "astype", "clip", "conj", "copy", "cumprod", "cumsum", "diagonal",
    "dot", "flatten", "max", "mean", "min", "prod", "ravel", "repeat", "reshape", "round", "sort", "squeeze", "std",
    "sum", "swapaxes", "take", "trace", "transpose", "var", "view",
)
for _name in _METHODS:
    setattr(ndarray, _name, _method(_name))


def _binary(fn: Callable[[Any, Any], Any], reflected: bool = False) -> Callable[[ndarray, Any], Any]:
    def op(self: ndarray, other: Any) -> Any:
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        with _quiet():
            return _wrap(fn(o, self._a) if reflected else fn(self._a, o))

    return op


def _inplace(fn: Callable[[Any, Any], Any]) -> Callable[[ndarray, Any], Any]:
    def op(self: ndarray, other: Any) -> Any:
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        with _quiet():
            fn(self._a, o)
        return self

    return op


def _unary(fn: Callable[[Any], Any]) -> Callable[[ndarray], ndarray]:
    def op(self: ndarray) -> ndarray:
        with _quiet():
            return _wrap(fn(self._a))

    return op


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
              "lshift", "rshift"):
    _fn = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    setattr(ndarray, f"__{_name}__", _binary(_fn))
    setattr(ndarray, f"__r{_name}__", _binary(_fn, reflected=True))
    setattr(ndarray, f"__i{_name}__", _inplace(getattr(operator, f"i{_name}")))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(ndarray, f"__{_name}__", _binary(getattr(operator, _name)))
setattr(ndarray, "__divmod__", _binary(divmod))  # noqa: B010
for _name in ("neg", "pos", "abs", "invert"):
    setattr(ndarray, f"__{_name}__", _unary(getattr(operator, _name)))


# ---------------------------------------------------------------- module level
def asarray(a: Any, dtype: Any = None, order: Any = None) -> ndarray:
    """``a`` on the device: fake arrays as they are (cast if asked), host data copied (host -> device)."""
    if type(a) is ndarray:
        return _call(_np.asarray, (a,), {"dtype": dtype, "order": order})
    return _from_host(a, dtype, order)


def array(obj: Any, dtype: Any = None, copy: bool = True, order: str = "K", ndmin: int = 0) -> ndarray:
    """A new device array: a device copy of a fake array, or host data copied (host -> device)."""
    if type(obj) is ndarray:
        return _call(_np.array, (obj,), {"dtype": dtype, "copy": copy, "order": order, "ndmin": ndmin})
    return _from_host(obj, dtype, order, ndmin)


def _holds_device_arrays(obj: Any) -> bool:
    return isinstance(obj, (list, tuple)) and builtins.any(type(v) is ndarray or _holds_device_arrays(v) for v in obj)


def _from_host(obj: Any, dtype: Any, order: Any, ndmin: int = 0) -> ndarray:
    if _holds_device_arrays(obj):  # a (nested) list of device arrays is stacked on the device
        return _call(_np.array, (obj,), {"dtype": dtype, "ndmin": ndmin})
    transfers.host_to_device += 1
    return ndarray._of(_np.array(obj, dtype=dtype, order=order or "K", copy=True, ndmin=ndmin))


def asnumpy(a: Any, stream: Any = None, order: str = "C", out: Any = None) -> _np.ndarray:
    """A host array with the values of ``a`` (device -> host for a fake array)."""
    if type(a) is ndarray:
        return a.get(order=order)
    return _np.asarray(a, order=order)


def get_array_module(*args: Any) -> Any:
    """This module if any argument is a fake array, else NumPy."""
    import sys

    return sys.modules[__name__] if builtins.any(type(a) is ndarray for a in args) else _np


def ascontiguousarray(a: Any, dtype: Any = None) -> ndarray:
    """A C-contiguous device array (CuPy takes device arrays only)."""
    if type(a) is not ndarray:
        raise TypeError(f"Unsupported type {type(a)}")
    return _call(_np.ascontiguousarray, (a,), {"dtype": dtype})


def indices(dimensions: Any, dtype: Any = int) -> ndarray:
    """The dense index grid, shape ``(len(dimensions), *dimensions)``; CuPy has no ``sparse=``."""
    return ndarray._of(_np.indices(dimensions, dtype=dtype))


def _syncing(name: str) -> Callable[..., Any]:
    """A function whose result's shape depends on the data: CuPy reads a count back (device -> host)."""
    fn = getattr(_np, name)

    def f(*args: Any, **kwargs: Any) -> Any:
        transfers.device_to_host += 1
        return _call(fn, args, kwargs)

    f.__name__ = f.__qualname__ = name
    return f


def _function(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def f(*args: Any, **kwargs: Any) -> Any:
        return _call(fn, args, kwargs)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``numpy.{name}`` on device arrays."
    return f


# NumPy functions that CuPy provides with the same signature.
_FUNCTIONS = (
    # math (ufuncs)
    "abs", "absolute", "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "negative",
    "positive", "power", "remainder", "mod", "fmod", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sqrt", "square", "cbrt", "reciprocal", "sign", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "hypot", "maximum", "minimum", "fmax", "fmin",
    "floor", "ceil", "trunc", "rint", "copysign", "signbit", "isfinite", "isinf", "isnan", "logaddexp",
    "logical_and", "logical_or", "logical_not", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
    "invert", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "clip", "around", "round",
    # creation
    "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
    "eye", "identity", "copy", "meshgrid", "tri", "tril", "triu", "diag",
    # shape and layout
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze", "broadcast_to",
    "broadcast_arrays", "concatenate", "stack", "vstack", "hstack", "split", "array_split", "tile", "repeat",
    "flip", "pad", "roll", "atleast_1d", "atleast_2d", "take", "take_along_axis", "where",
    "einsum", "matmul", "dot", "tensordot", "outer", "inner", "cumsum", "cumprod",
    # reductions and sorting
    "sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
    "count_nonzero", "sort", "argsort", "allclose", "isclose", "array_equal",
    # dtypes
    "result_type", "can_cast", "promote_types", "finfo", "iinfo", "issubdtype",
)
for _name in _FUNCTIONS:
    globals()[_name] = _function(getattr(_np, _name), _name)
for _name in ("nonzero", "unique", "argwhere", "flatnonzero"):
    globals()[_name] = _syncing(_name)

# dtypes and constants are NumPy's own, as in CuPy
for _name in ("dtype", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128", "generic", "number", "integer",
              "signedinteger", "unsignedinteger", "floating", "complexfloating", "pi", "e", "inf", "nan",
              "newaxis", "euler_gamma"):
    globals()[_name] = getattr(_np, _name)

linalg = SimpleNamespace(**{
    name: _function(getattr(_np.linalg, name), f"linalg.{name}")
    for name in ("norm", "inv", "det", "solve", "svd", "qr", "cholesky", "eigh")
})

lib = SimpleNamespace(stride_tricks=SimpleNamespace(
    as_strided=_function(_np.lib.stride_tricks.as_strided, "lib.stride_tricks.as_strided"),
))


class Device:
    """``cupy.cuda.Device``: the one fake device, id 0."""

    def __init__(self, device: int | None = None) -> None:
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise RuntimeError(f"cudaErrorInvalidDevice: invalid device ordinal {self.id} (the fake has one device)")
        self.compute_capability = "90"

    def use(self) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<CUDA Device {self.id}>"


def _device_properties(device: int) -> dict[str, Any]:
    Device(device)
    return {"name": b"NumPy stand-in for a CUDA device", "totalGlobalMem": 16 * 2**30, "major": 9, "minor": 0}


cuda = SimpleNamespace(
    Device=Device,
    runtime=SimpleNamespace(getDeviceCount=lambda: 1, getDeviceProperties=_device_properties),
)

from . import cupyx  # noqa: E402  (the scatter functions need ndarray)

__all__ = ["ndarray", "asarray", "array", "asnumpy", "get_array_module", "ascontiguousarray", "transfers",
           "Transfers", "cuda", "linalg", "lib", "cupyx", "Device", "__version__"]
