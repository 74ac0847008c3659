"""``Function``: the base of every op, built-in or written by a user.

An op is a subclass with two static methods side by side::

    class Exp(Function):
        '''d exp(x) = exp(x) dx'''
        saves_output = True

        @staticmethod
        def forward(ctx, x):             # Tensors in, an array (or Tensor) out
            return xp(x).exp(x.data)

        @staticmethod
        def backward(ctx, g):            # Tensors in, Tensors out: one per input
            return g * ctx.output

    y = Exp.apply(x)

Calling convention of ``apply``: positional arguments are the op's tensor
inputs (Python numbers and arrays among them become constants of the
promoted dtype); keyword arguments are static options (axis, shape, ...).
``forward`` runs without recording and may return a tuple for several
outputs. ``backward`` gets one gradient per output and returns one per
input (``None`` where an input needs none); it is written with minigrad ops,
so with ``create_graph=True`` the backward pass is itself recorded and
gradients of gradients work. Defining a subclass registers it.

Without ``create_graph`` nothing of the backward is recorded, and going
through ``apply`` for each of its operations would only cost time. An op
whose backward uses nothing but what arrays and Tensors share (arithmetic
operators, ``@``, ``.T``, ``.reshape``, ``.sum``) sets ``on_arrays = True``;
the engine then runs that same backward on the raw arrays: ``g``,
``ctx.saved_tensors`` and ``ctx.output`` are arrays, and so are the
gradients it returns. One body, two ways to run it: the gradient tests run it
on arrays, the second-derivative tests on Tensors.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from . import backend, dtypes
from .anomaly import AnomalyMode, check_forward
from .autograd import _SHARED_SHAPES, GradMode, Node
from .backend import as_array
from .backend import numpy_constant as _numpy_constant
from .tensor import Tensor

_LOADED = backend.LOADED  # one entry until CuPy is loaded: from then on inputs may mix backends
_ARRAY_TYPES = backend.ARRAY_TYPES

__all__ = ["Function", "xp", "common_backend"]


def xp(t: Tensor) -> Any:
    """The array module (NumPy or CuPy) that holds ``t``'s data."""
    return backend.module_of(t.data)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class _Scratch:
    """The ctx of an op that is not recorded: accepts and forgets everything."""

    needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors: Tensor) -> None:
        pass


class Function:
    """Base class of every op: ``forward(ctx, *inputs, **options)``, ``backward(ctx, *grads)``."""

    registry: ClassVar[dict[str, type[Function]]] = {}
    name: ClassVar[str] = "function"
    saves_output: ClassVar[bool] = False
    on_arrays: ClassVar[bool] = False  # backward runs unchanged on raw arrays (see the module docstring)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__dict__.get("name") or _snake(cls.__name__)
        Function.registry[f"{cls.__module__}.{cls.__qualname__}"] = cls

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op; record a node if grad mode is on and an input requires grad."""
        dtype = None
        numbers = slow = wants_grad = False
        for a in args:
            if isinstance(a, Tensor):
                wants_grad = wants_grad or a._rg
                if dtype is None:
                    dtype = a.data.dtype
                elif a.data.dtype is not dtype and a.data.dtype != dtype:  # (dtypes are usually the same object)
                    slow = True
                    break
            elif type(a) is float or type(a) is int:
                numbers = True
            else:
                slow = True
                break
        if slow or dtype is None or len(_LOADED) > 1 or (numbers and dtype.kind != "f"):
            inputs = _as_inputs(cls.name, args)
            wants_grad = any(t._rg for t in inputs)  # (the loop above may have stopped early)
        elif numbers:  # a Python number becomes a 0-d constant of the tensors' float dtype (only NumPy is loaded here)
            converted = []
            for a in args:
                converted.append(a if isinstance(a, Tensor) else Tensor._make(_numpy_constant(a, dtype)))
            inputs = tuple(converted)
        else:
            inputs = args
        grad_mode = GradMode.enabled  # off under no_grad, and in backward unless create_graph
        record = grad_mode and wants_grad
        ctx: Any = Node(cls, inputs, 1) if record else _Scratch()
        try:
            if grad_mode:
                GradMode.enabled = False  # forward is not recorded op by op: its node stands for all of it
            out = cls.forward(ctx, *inputs, **kwargs) if kwargs else cls.forward(ctx, *inputs)
        except (ValueError, TypeError, IndexError) as err:
            raise _named_error(cls.name, err, inputs) from err
        finally:
            if grad_mode:
                GradMode.enabled = True
        if type(out) not in _ARRAY_TYPES:  # several outputs, a Tensor, or a NumPy scalar
            if type(out) is tuple:
                return _wrap_many(cls, ctx, out, record, inputs)
            if isinstance(out, Tensor):
                out = out.data
            out = as_array(out)
        if AnomalyMode.enabled:
            check_forward(cls.name, ctx if record else None, inputs, (out,))
        if not record:
            return Tensor._make(out)
        ctx.out_shape = _SHARED_SHAPES[out.shape]  # (a copy of its own per node costs the garbage collector time)
        ctx.out_dtype = out.dtype
        if cls.saves_output:
            ctx.out = out  # the array itself: a tuple around it would be one more object for the garbage collector
        return Tensor._make(out, ctx, 0, True)


def _wrap_many(
    cls: type[Function], ctx: Any, outs: tuple[Any, ...], record: bool, inputs: tuple[Tensor, ...]
) -> tuple[Tensor, ...]:
    arrays = tuple(as_array(o.data if isinstance(o, Tensor) else o) for o in outs)
    if AnomalyMode.enabled:
        check_forward(cls.name, ctx if record else None, inputs, arrays)
    if not record:
        return tuple(Tensor._make(a) for a in arrays)
    ctx.n_out = len(arrays)
    ctx.many_meta = tuple((a.shape, a.dtype) for a in arrays)
    if cls.saves_output:
        ctx.out = arrays
    return tuple(Tensor._make(a, ctx, i, True) for i, a in enumerate(arrays))


def _as_inputs(op: str, args: tuple[Any, ...]) -> tuple[Tensor, ...]:
    """Promote the inputs of ``op`` to one dtype; numbers and arrays become constants.

    The general path (``apply`` handles tensors of one dtype and Python numbers itself).
    """
    tensors = [a for a in args if isinstance(a, Tensor)]
    weak = [dtypes.weak_kind(a) for a in args if not isinstance(a, Tensor)]
    target = dtypes.promote(op, [t.data.dtype for t in tensors], weak)
    where = common_backend(op, tensors) or backend.get_backend()
    out = []
    for a in args:
        if isinstance(a, Tensor):
            if a.data.dtype != target:
                a = _cast_constant(op, a, target)
        elif backend.is_array(a):
            a = Tensor._make(backend.asarray(a, dtype=target, backend=where))
        else:
            a = Tensor._make(backend.constant(a, target, where))
        out.append(a)
    return tuple(out)


def common_backend(op: str, tensors: list[Tensor]) -> str | None:
    """The backend that holds the arrays of ``tensors`` (None if none holds one).

    Raises ValueError naming both backends if they differ: an op never moves data behind the user's back.
    """
    if len(_LOADED) == 1:  # one backend registered: nothing to mix (the hot path on NumPy)
        return None
    names = {t.backend for t in tensors if backend.is_array(t.data)}
    if len(names) > 1:
        raise ValueError(f"{op}: inputs live on different backends ({', '.join(sorted(names))}); move them with .to(...)")
    return names.pop() if names else None


def _cast_constant(op: str, t: Tensor, target: Any) -> Tensor:
    """Cast an input to the promoted dtype; a tensor that requires grad is cast differentiably."""
    if t._rg:
        return t.astype(target)
    return Tensor._make(t.data.astype(target))


def _named_error(op: str, err: Exception, inputs: tuple[Tensor, ...]) -> Exception:
    msg = str(err)
    if msg.startswith(f"{op}:"):
        return err
    shapes = ", ".join(f"{t.shape} {t.dtype}" for t in inputs)
    return type(err)(f"{op}: {msg} (inputs: {shapes})")
