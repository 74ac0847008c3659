"""The array backend: the only module that touches NumPy or CuPy for tensor data.

Every op asks this module for ``xp``, the array module that holds its arrays,
so the same op code runs on NumPy (CPU) and CuPy (NVIDIA GPU).

    set_backend("numpy" | "cupy"), get_backend(), use_backend(name)

The environment variable ``MINIGRAD_BACKEND`` picks the backend at import.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy

__all__ = [
    "BACKENDS", "get_backend", "set_backend", "use_backend", "xp", "module_of",
    "backend_of", "available_backends", "asarray", "to_numpy", "sum_to",
    "index_add", "quiet", "is_writeable", "as_array", "SCALAR", "LOADED",
    "HostArray", "from_python", "host_copy", "format_array", "host_rng", "manual_seed", "is_array",
    "numpy_constant",
]

BACKENDS = ("numpy", "cupy")
_CUPY_HINT = "install it with `pip install minigrad[cuda]` on a machine with an NVIDIA GPU"

_modules: dict[str, ModuleType] = {"numpy": numpy}
LOADED = _modules  # the array modules imported so far (read-only for other modules)
_active = ["numpy"]
_rng = [numpy.random.default_rng()]


def _load_cupy() -> ModuleType:
    """Import CuPy and check that a CUDA device exists, or say which is missing."""
    if "cupy" in _modules:
        return _modules["cupy"]
    try:
        import cupy
    except ImportError as err:
        raise RuntimeError(f"the cupy backend needs CuPy, which is not installed: {_CUPY_HINT}") from err
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CUDA driver missing or broken
        raise RuntimeError(f"the cupy backend found no usable CUDA device ({err}); {_CUPY_HINT}") from err
    if count == 0:
        raise RuntimeError(f"the cupy backend found no CUDA device; {_CUPY_HINT}")
    _modules["cupy"] = cupy
    return cupy


def _check_name(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; valid backends: {', '.join(BACKENDS)}")
    return name


def set_backend(name: str) -> None:
    """Make ``name`` the backend on which new tensors are created."""
    _check_name(name)
    if name == "cupy":
        _load_cupy()
    _active[0] = name


def get_backend() -> str:
    """The name of the active backend: ``"numpy"`` or ``"cupy"``."""
    return _active[0]


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Context manager: run a block with ``name`` as the active backend."""
    previous = _active[0]
    set_backend(name)
    try:
        yield
    finally:
        _active[0] = previous


def available_backends() -> list[str]:
    """The backends that can be used on this machine."""
    names = ["numpy"]
    try:
        _load_cupy()
        names.append("cupy")
    except RuntimeError:
        pass
    return names


def xp(name: str | None = None) -> ModuleType:
    """The array module of backend ``name`` (default: the active backend)."""
    return _modules[name or _active[0]] if name != "cupy" else _load_cupy()


def is_array(value: Any) -> bool:
    """True for a NumPy or CuPy ndarray."""
    return isinstance(value, numpy.ndarray) or ("cupy" in _modules and isinstance(value, _modules["cupy"].ndarray))


def backend_of(array: Any) -> str:
    """``"cupy"`` for a CuPy array, else ``"numpy"``."""
    return "cupy" if "cupy" in _modules and isinstance(array, _modules["cupy"].ndarray) else "numpy"


def module_of(array: Any) -> ModuleType:
    """The array module that holds ``array``."""
    return _modules[backend_of(array)]


def asarray(data: Any, dtype: Any = None, backend: str | None = None) -> Any:
    """An array on ``backend`` (default: active) holding ``data``; copies only if needed."""
    name = backend or _active[0]
    if name == "numpy" and backend_of(data) == "cupy":
        data = data.get()
    return xp(name).asarray(data, dtype=dtype)


HostArray = numpy.ndarray  # the type of what ``to_numpy`` returns


def from_python(data: Any, default_float: Any) -> Any:
    """An array on the active backend from Python numbers or (nested) lists.

    Floats become ``default_float``, integers int64, bools bool, as the SPEC
    settles for ``mg.tensor``.
    """
    host = numpy.asarray(data)
    if host.dtype == numpy.float64:
        host = host.astype(default_float)
    elif host.dtype.kind in "iu":
        host = host.astype(numpy.int64)
    return asarray(host)


def host_copy(array: Any) -> numpy.ndarray:
    """A NumPy copy of ``array`` that shares no memory with it."""
    return numpy.array(to_numpy(array), copy=True)


def format_array(array: Any, prefix: str) -> str:
    """The values of ``array`` as text, aligned after ``prefix`` (4 significant decimals)."""
    return numpy.array2string(to_numpy(array), separator=", ", prefix=prefix, precision=4)


def to_numpy(array: Any) -> numpy.ndarray:
    """A host NumPy array with the values of ``array`` (a copy for CuPy)."""
    if backend_of(array) == "cupy":
        return array.get()
    return numpy.asarray(array)


def sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``g`` over the axes that broadcasting to its shape added.

    The one place where broadcasting is reversed: the gradient of a broadcast
    input is the upstream gradient summed over the broadcast axes.
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    out = g.sum(axis=axes, keepdims=True) if axes else g
    return out.reshape(shape) if lead or out.shape != shape else out


def quiet(array: Any) -> contextlib.AbstractContextManager[Any]:
    """Silence floating-point warnings: invalid math gives NaN/inf quietly, as NumPy values."""
    if backend_of(array) == "numpy":
        return numpy.errstate(all="ignore")
    return contextlib.nullcontext()


def is_writeable(array: Any) -> bool:
    """True for an array that owns or shares writeable memory (not a broadcast view)."""
    if isinstance(array, numpy.ndarray):
        return bool(array.flags.writeable)
    return backend_of(array) == "cupy"


SCALAR = numpy.generic  # what NumPy returns for 0-d results


def as_array(value: Any) -> Any:
    """A NumPy scalar (what NumPy returns for 0-d results) as a 0-d array; arrays unchanged."""
    return numpy.asarray(value) if isinstance(value, numpy.generic) else value


def numpy_constant(value: float, dtype: Any) -> numpy.ndarray:
    """A Python number as a 0-d NumPy array of ``dtype``, the operand NumPy is fastest with.

    NumPy takes about 0.3 us longer per op when an operand is a Python number or a
    NumPy scalar than when it is a 0-d array (measured on arrays of 16 floats).
    """
    return numpy.asarray(value, dtype=dtype)


def index_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` in place, accumulating over repeated indices."""
    if backend_of(target) == "cupy":
        import cupyx

        cupyx.scatter_add(target, index, values)
    else:
        numpy.add.at(target, index, values)


def host_rng() -> numpy.random.Generator:
    """The host random generator behind every random draw, init and shuffle."""
    return _rng[0]


def manual_seed(seed: int) -> None:
    """Seed every random draw minigrad makes, on every backend."""
    _rng[0] = numpy.random.default_rng(seed)


# Invalid or overflowing math in minigrad's ops gives NaN or inf quietly, as the
# SPEC asks; NumPy attributes its floating-point warnings to the calling frame,
# so this silences them in minigrad's own code only, at no cost per op.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"minigrad(\.|$)")


def _backend_from_env() -> None:
    name = os.environ.get("MINIGRAD_BACKEND", "").strip().lower()
    if not name:
        return
    try:
        set_backend(name)
    except (RuntimeError, ValueError) as err:
        raise ImportError(f"MINIGRAD_BACKEND={name!r}: {err}") from None


_backend_from_env()
