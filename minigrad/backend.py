"""The array backend: the only module that touches NumPy or CuPy for tensor data.

Every op asks this module for ``xp``, the array module that holds its arrays,
so the same op code runs on NumPy (CPU) and CuPy (NVIDIA GPU).

    set_backend("numpy" | "cupy"), get_backend(), use_backend(name)

The environment variable ``MINIGRAD_BACKEND`` picks the backend at import.
NumPy is built in; CuPy is imported and registered the first time it is
asked for. Where the two spell something differently (scatter-add, copies
to the host, floating-point warnings, scalar constants) a per-backend
:class:`Spelling` decides, so ops never branch on the device.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

import numpy

__all__ = [
    "BACKENDS", "get_backend", "set_backend", "use_backend", "xp", "module_of",
    "backend_of", "available_backends", "asarray", "to_numpy", "sum_to",
    "index_add", "quiet", "owns_memory", "as_array", "SCALAR", "LOADED",
    "HostArray", "from_python", "host_copy", "format_array", "host_rng", "manual_seed", "is_array",
    "Spelling", "register_array_module", "stand_in", "constant", "numpy_constant", "by_columns",
]

BACKENDS = ("numpy", "cupy")
_CUPY_HINT = "install it with `pip install minigrad[cuda]` on a machine with an NVIDIA GPU"


class Spelling(NamedTuple):
    """How one backend spells what NumPy and CuPy spell differently."""

    scatter_add: Callable[[Any, Any, Any], None]  # target[index] += values, repeated indices accumulating
    to_host: Callable[[Any], numpy.ndarray]  # a host NumPy array with the values
    quiet: Callable[[], contextlib.AbstractContextManager[Any]]  # silence floating-point warnings
    constant: Callable[[Any, Any], Any]  # a Python number as an op operand of a dtype, without a host copy


def numpy_constant(value: float, dtype: Any) -> numpy.ndarray:
    """A Python number as a 0-d NumPy array of ``dtype``, the operand NumPy is fastest with.

    NumPy takes about 0.3 us longer per op when an operand is a Python number or a
    NumPy scalar than when it is a 0-d array (measured on arrays of 16 floats).
    The same few constants recur in a training loop (``1 - y``, ``x * 0.5``), so
    they are kept, read-only: writing into one raises instead of changing it
    everywhere. Zeros (whose sign matters) and NaN are made afresh.
    """
    if not value or value != value:  # a zero or NaN: not kept
        return numpy.asarray(value, dtype=dtype)
    key = (value, dtype)
    array = _constants.get(key)
    if array is None:
        array = numpy.asarray(value, dtype=dtype)
        if len(_constants) < _MAX_CONSTANTS:
            array.flags.writeable = False
            _constants[key] = array
    return array


_constants: dict[tuple[float, Any], numpy.ndarray] = {}
_MAX_CONSTANTS = 1024  # a loop over ever new numbers (x * i) stops adding to the cache here


_NUMPY = Spelling(
    scatter_add=numpy.add.at,
    to_host=numpy.asarray,
    quiet=lambda: numpy.errstate(all="ignore"),
    constant=numpy_constant,
)

_modules: dict[str, ModuleType] = {"numpy": numpy}
LOADED = _modules  # the array modules registered so far (read-only for other modules)
_spellings: dict[str, Spelling] = {"numpy": _NUMPY}
_types: dict[type, str] = {numpy.ndarray: "numpy"}  # array type -> backend name
ARRAY_TYPES = _types  # read-only for other modules: ``type(x) in ARRAY_TYPES`` is the fast "is x a plain array?"
_active = ["numpy"]
_rng = [numpy.random.default_rng()]


def register_array_module(name: str, module: ModuleType, scatter_add: Callable[[Any, Any, Any], None]) -> None:
    """Make ``module`` the array module of backend ``name`` (``"cupy"``).

    ``module`` offers NumPy's functions plus ``ndarray`` and ``asnumpy``, as
    CuPy does; ``scatter_add(target, index, values)`` is its unbuffered
    ``target[index] += values`` (``cupyx.scatter_add`` for CuPy). The rest
    follows from the module: host copies through ``asnumpy``, no
    floating-point warnings to silence, scalar constants filled on the device.
    """
    _check_name(name)
    if name == "numpy":
        raise ValueError("register_array_module: the numpy backend is built in")
    _unregister(name)
    _modules[name] = module
    _types[module.ndarray] = name
    _spellings[name] = Spelling(
        scatter_add=scatter_add,
        to_host=module.asnumpy,
        quiet=contextlib.nullcontext,
        constant=lambda value, dtype: module.full((), value, dtype=dtype),  # a device fill, no copy
    )


def _unregister(name: str) -> None:
    module = _modules.pop(name, None)
    _spellings.pop(name, None)
    if module is not None:
        _types.pop(module.ndarray, None)


@contextlib.contextmanager
def stand_in(name: str, module: ModuleType, scatter_add: Callable[[Any, Any, Any], None]) -> Iterator[ModuleType]:
    """Context manager: ``module`` serves as backend ``name`` inside the block.

    Tests use it to run the CuPy code path on a NumPy-backed stand-in. The
    module registered before (if any) and the active backend come back after.
    """
    previous = (_modules.get(name), _spellings.get(name), _active[0])
    register_array_module(name, module, scatter_add)
    try:
        yield module
    finally:
        _unregister(name)
        old_module, old_spelling, _active[0] = previous
        if old_module is not None and old_spelling is not None:
            _modules[name], _spellings[name] = old_module, old_spelling
            _types[old_module.ndarray] = name


def _load_cupy() -> ModuleType:
    """Import CuPy and check that a CUDA device exists, or say which is missing."""
    if "cupy" in _modules:
        return _modules["cupy"]
    try:
        import cupy
        import cupyx
    except ImportError as err:
        raise RuntimeError(f"the cupy backend needs CuPy, which is not installed: {_CUPY_HINT}") from err
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CUDA driver missing or broken
        raise RuntimeError(f"the cupy backend found no usable CUDA device ({err}); {_CUPY_HINT}") from err
    if count == 0:
        raise RuntimeError(f"the cupy backend found no CUDA device; {_CUPY_HINT}")
    register_array_module("cupy", cupy, cupyx.scatter_add)
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
    """True for an array of a registered backend (a NumPy or CuPy ndarray)."""
    return type(value) in _types or any(isinstance(value, m.ndarray) for m in _modules.values())


def backend_of(array: Any) -> str:
    """The backend that holds ``array``: ``"cupy"`` for a CuPy array, else ``"numpy"``."""
    name = _types.get(type(array))
    if name is not None:
        return name
    for name, module in _modules.items():  # a subclass of a registered array type
        if isinstance(array, module.ndarray):
            return name
    return "numpy"  # NumPy scalars, Python numbers


def module_of(array: Any) -> ModuleType:
    """The array module that holds ``array``."""
    name = _types.get(type(array))  # (a plain array, the hot path of every op, is looked up here without a call)
    return _modules[name if name is not None else backend_of(array)]


def asarray(data: Any, dtype: Any = None, backend: str | None = None) -> Any:
    """An array on ``backend`` (default: active) holding ``data``; copies only if needed."""
    name = backend or _active[0]
    if is_array(data) and backend_of(data) != name:
        data = to_numpy(data)
    return xp(name).asarray(data, dtype=dtype)


def constant(value: Any, dtype: Any, backend: str | None = None) -> Any:
    """A Python number as an operand of dtype ``dtype`` for an op on ``backend`` (default: active).

    A 0-d array of that backend: on NumPy the operand it is fastest with; on
    CuPy filled on the device, so the constant needs no host-to-device copy and
    ops see one array module.
    """
    return _spellings[backend or _active[0]].constant(value, dtype)


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
    return _spellings[backend_of(array)].to_host(array)


def sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``g`` over the axes that broadcasting to its shape added.

    The one place where broadcasting is reversed: the gradient of a broadcast
    input is the upstream gradient summed over the broadcast axes.
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead > 0 and g.shape[lead:] == shape:  # only leading axes were added: a bias, say (the common case)
        return g.sum(axis=0) if lead == 1 else g.sum(axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    out = g.sum(axis=axes, keepdims=True) if axes else g
    return out.reshape(shape) if lead or out.shape != shape else out


def by_columns(a: Any) -> Any:
    """``a``, or a column-major copy of it where reducing its short last axis is then faster.

    NumPy reduces the last axis of a row-major 2-D array one row at a time,
    slow when rows are short: the max over 10 classes of a (4096, 10) float32
    batch takes 179 us, of a column-major copy 20 us (the copy included), and
    (256, 10) 12 us against 2.7. Copied where that measured faster on NumPy: at
    least 64 rows of at most 16 values. Results are the same either way.
    """
    if type(a) is numpy.ndarray and a.ndim == 2 and a.shape[1] <= 16 and a.shape[0] >= 64:
        return numpy.asfortranarray(a)
    return a


def quiet(array: Any) -> contextlib.AbstractContextManager[Any]:
    """Silence floating-point warnings: invalid math gives NaN/inf quietly (GPUs never warn)."""
    return _spellings[backend_of(array)].quiet()


def owns_memory(array: Any) -> bool:
    """True for an array that owns its memory and may be written: no other array sees its elements.

    A view (a reshape, a broadcast, a slice) shares another array's memory, so
    writing into it in place would change that array too. NumPy and CuPy both
    keep an ``owndata`` flag; NumPy can also mark an array read-only.
    """
    if isinstance(array, numpy.ndarray):
        flags = array.flags
        return bool(flags.owndata and flags.writeable)
    if not is_array(array):
        return False  # a NumPy scalar cannot change in place
    return bool(array.flags.owndata)


SCALAR = numpy.generic  # what NumPy returns for 0-d results


def as_array(value: Any) -> Any:
    """A NumPy scalar (what NumPy returns for 0-d results) as a 0-d array; arrays unchanged."""
    return numpy.asarray(value) if isinstance(value, numpy.generic) else value


def index_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` in place, accumulating over repeated indices."""
    _spellings[backend_of(target)].scatter_add(target, index, values)


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
