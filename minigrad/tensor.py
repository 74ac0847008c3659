"""The Tensor: an array, its gradient, and the node of the tape that made it.

No math lives here. The ops package installs ``Tensor.__add__``, ``exp``,
``sum`` and the rest, so this module never imports an op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import backend, dtypes
from .autograd import Node, RemovableHandle, bind_tensor_class, run_backward

if TYPE_CHECKING:
    from .backend import HostArray

__all__ = ["Tensor", "as_tensor_data"]


def as_tensor_data(data: Any, dtype: Any = None) -> Any:
    """Convert user data to a backend array, with minigrad's dtype defaults.

    Python floats give float32, Python ints int64, bools bool; arrays (NumPy
    or CuPy) keep their dtype. The result lives on the active backend.
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return backend.asarray(data, dtype=dtypes.as_dtype(dtype))
    if backend.is_array(data) or isinstance(data, backend.SCALAR):
        arr = backend.asarray(data)
    else:
        arr = backend.from_python(data, dtypes.DEFAULT_FLOAT)
    dtypes.as_dtype(arr.dtype)  # rejects object, complex and string data
    return arr


class Tensor:
    """An n-dimensional array that records the ops applied to it.

    ``requires_grad=True`` marks a leaf whose gradient ``backward`` fills in
    ``.grad``. Ops on tensors that require grad record a node (``.grad_fn``).
    """

    __slots__ = ("data", "grad", "_rg", "_node", "_out_idx", "_version", "_hooks", "_retains", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected ops

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self.data = as_tensor_data(data, dtype)
        self.grad: Tensor | None = None
        self._node: Node | None = None
        self._out_idx = 0
        self._version = 0
        self._hooks: list[Callable[..., Any]] | None = None
        self._retains = False
        self._rg = False
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, data: Any, node: Node | None = None, idx: int = 0, requires_grad: bool = False) -> Tensor:
        """Wrap an array without copying or checking: the hot path of every op."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._rg = requires_grad
        t._node = node
        t._out_idx = idx
        t._version = 0
        t._hooks = None
        t._retains = False
        return t

    # ---- autograd state ----
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients; this tensor has dtype "
                f"{self.data.dtype} (use .astype(mg.float32) first)"
            )
        if not flag and self._node is not None:
            raise RuntimeError("requires_grad can only be turned off on leaf tensors; use .detach()")
        self._rg = bool(flag)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op."""
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        """The tape node that made this tensor, or None for leaves."""
        return self._node

    def backward(self, grad: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``grad`` is the upstream gradient (required unless ``self`` is a scalar).
        """
        if not self._rg:
            raise RuntimeError(
                f"backward: this tensor (shape {self.shape}) does not require grad and has no "
                f"grad_fn; did you forget requires_grad=True on its inputs, or call it under no_grad?"
            )
        g = _initial_grad(self, grad, "backward")
        run_backward([self], [g], retain_graph or create_graph, create_graph)

    def detach(self) -> Tensor:
        """A tensor sharing this data, cut from the graph."""
        return Tensor._make(self.data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``fn(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._rg:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        if self._node is not None:
            return self._node.add_hook(self._out_idx, fn)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._node is None or self._retains:
            return
        self._retains = True
        import weakref

        ref = weakref.ref(self)

        def keep(g: Tensor) -> None:
            t = ref()
            if t is not None:
                t.grad = g.detach() if t.grad is None else t.grad + g.detach()

        self._node.add_hook(self._out_idx, keep)

    # ---- array facts ----
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> dtypes.DType:
        return self.data.dtype

    @property
    def backend(self) -> str:
        return backend.backend_of(self.data)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    # ---- conversions ----
    def numpy(self) -> HostArray:
        """A host NumPy copy of the data."""
        return backend.host_copy(self.data)

    def item(self) -> Any:
        if self.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a Python number, got shape {self.shape}")
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return backend.to_numpy(self.data).tolist()

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()"
            )
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iub" or self.size != 1:
            raise TypeError(f"only a one-element integer tensor can be used as an index, got {self.dtype} {self.shape}")
        return int(self.item())

    __hash__ = object.__hash__  # identity, as PyTorch; == is elementwise

    def __repr__(self) -> str:
        body = backend.format_array(self.data, prefix="tensor(")
        extras = []
        if self.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.backend != "numpy":
            extras.append(f"backend={self.backend!r}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.fn.__name__}>")
        elif self._rg:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    if TYPE_CHECKING:
        # The operators and methods that ``minigrad.ops`` installs on Tensor at import, declared
        # for type checkers only (this block never runs). tests/test_typing_surface.py checks
        # that it lists exactly what ops._install sets, with the real functions' parameters.

        # ---- operators ----
        def __add__(self, y: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, y: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, y: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, y: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, y: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, y: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __and__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __xor__(self, other: Any) -> Tensor: ...
        def __eq__(self, y: Any) -> Tensor: ...  # type: ignore[override]  # elementwise, as NumPy and PyTorch
        def __ne__(self, y: Any) -> Tensor: ...  # type: ignore[override]  # elementwise, as NumPy and PyTorch
        def __lt__(self, y: Any) -> Tensor: ...
        def __le__(self, y: Any) -> Tensor: ...
        def __gt__(self, y: Any) -> Tensor: ...
        def __ge__(self, y: Any) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __setitem__(self, index: Any, value: Any) -> None: ...
        def __iadd__(self, other: Any) -> Tensor: ...
        def __isub__(self, other: Any) -> Tensor: ...
        def __imul__(self, other: Any) -> Tensor: ...
        def __itruediv__(self, other: Any) -> Tensor: ...

        # ---- methods (ops.activation, arithmetic, compare, elementwise, indexing, layout, linalg,
        # reduce, shape, softmax_family, convert) ----
        @property
        def T(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def leaky_relu(self, negative_slope: float = 0.01) -> Tensor: ...
        def elu(self, alpha: float = 1.0) -> Tensor: ...
        def selu(self) -> Tensor: ...
        def gelu(self, approximate: str = "none") -> Tensor: ...
        def silu(self) -> Tensor: ...
        def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor: ...
        def add(self, y: Any) -> Tensor: ...
        def sub(self, y: Any) -> Tensor: ...
        def mul(self, y: Any) -> Tensor: ...
        def div(self, y: Any) -> Tensor: ...
        def true_divide(self, y: Any) -> Tensor: ...
        def pow(self, y: Any) -> Tensor: ...
        def neg(self) -> Tensor: ...
        def eq(self, y: Any) -> Tensor: ...
        def ne(self, y: Any) -> Tensor: ...
        def lt(self, y: Any) -> Tensor: ...
        def le(self, y: Any) -> Tensor: ...
        def gt(self, y: Any) -> Tensor: ...
        def ge(self, y: Any) -> Tensor: ...
        def isfinite(self) -> Tensor: ...
        def isnan(self) -> Tensor: ...
        def any(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def all(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def expm1(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def clip(self, min: float | None = None, max: float | None = None) -> Tensor: ...  # noqa: A002
        def clamp(self, min: float | None = None, max: float | None = None) -> Tensor: ...  # noqa: A002
        def maximum(self, y: Any) -> Tensor: ...
        def minimum(self, y: Any) -> Tensor: ...
        def gather(self, dim: int, index: Any) -> Tensor: ...
        def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor: ...
        def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]: ...
        def pad(self, pad: Sequence[int], value: float = 0.0) -> Tensor: ...
        def flip(self, dims: Any) -> Tensor: ...
        def repeat(self, *sizes: Any) -> Tensor: ...
        def tile(self, reps: Any) -> Tensor: ...
        def matmul(self, y: Any) -> Tensor: ...
        def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def var(self, axis: Any = None, keepdims: bool = False, *, correction: int = 1, dim: Any = None,
                keepdim: bool | None = None) -> Tensor: ...
        def std(self, axis: Any = None, keepdims: bool = False, *, correction: int = 1, dim: Any = None,
                keepdim: bool | None = None) -> Tensor: ...
        def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def amax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def amin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def prod(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def argmax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def argmin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def view(self, *shape: Any) -> Tensor: ...
        def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: ...
        def permute(self, *dims: Any) -> Tensor: ...
        def transpose(self, dim0: int, dim1: int) -> Tensor: ...
        def swapaxes(self, dim0: int, dim1: int) -> Tensor: ...
        def squeeze(self, dim: Any = None) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def expand(self, *sizes: Any) -> Tensor: ...
        def broadcast_to(self, *shape: Any) -> Tensor: ...
        def sum_to(self, *shape: Any) -> Tensor: ...
        def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor: ...
        def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor: ...
        def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                      keepdim: bool | None = None) -> Tensor: ...
        def astype(self, dtype: Any) -> Tensor: ...
        def to(self, name: str) -> Tensor: ...


bind_tensor_class(Tensor)


def _initial_grad(t: Tensor, grad: Any, where: str) -> Tensor:
    """The upstream gradient to start backward from ``t``: given, or 1 for a scalar."""
    if grad is None:
        if t.size != 1:
            raise RuntimeError(
                f"{where}: grad can be created implicitly only for a scalar output, but the "
                f"output has shape {t.shape}; pass a gradient of that shape"
            )
        return Tensor._make(backend.module_of(t.data).ones_like(t.data))
    g = grad if isinstance(grad, Tensor) else Tensor(grad, dtype=t.dtype)
    if g.shape != t.shape:
        raise RuntimeError(f"{where}: gradient has shape {g.shape} but the output has shape {t.shape}")
    if g.dtype != t.dtype:
        raise TypeError(f"{where}: gradient has dtype {g.dtype} but the output has dtype {t.dtype}")
    return g
