"""The tape: grad mode, the Node recorded for each op, and the backward engine.

Recording. When an op runs in grad mode and one of its inputs requires grad,
``Function.apply`` creates a :class:`Node`: the op, its saved values, an edge
to where each input's gradient must go, and a sequence number taken from a
global counter. Because a node's inputs exist before it does, creation order
is a topological order of the graph.

Backward. :func:`run_backward` keeps the nodes that have received a
gradient in a heap and always runs the one with the highest sequence number
(a loop, no recursion, so a chain of 100,000 ops is fine). Every consumer of a
node's outputs was recorded after it, and so was every node on the way from
the outputs to that consumer, so by the time a node runs, all the gradients
it will get have arrived: it calls the op's ``backward``, sums each input
gradient back to the input's shape (undoing broadcasting), and adds it to the
gradient buffer of the node that made that input (which joins the heap), or
to the leaf tensor's ``.grad`` at the end. Nodes no gradient reaches are
never visited.

Gradients are arrays or Tensors. Without ``create_graph`` nothing of the
backward pass is recorded, so the engine passes raw arrays: an op whose
backward uses only what arrays and Tensors share (operators, ``.T``,
``.reshape``) says so with ``Function.on_arrays`` and runs its backward
directly on them, skipping one ``Function.apply`` per operation; any other
op gets its gradients wrapped in Tensors. With ``create_graph`` every
gradient is a Tensor and each backward is recorded like a forward. Either
way the engine only adds gradients (``a + b``) and knows nothing else of the
Tensor's arithmetic.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any, TypeVar, overload

from . import backend
from .anomaly import AnomalyMode, check_backward

if TYPE_CHECKING:
    from .function import Function
    from .tensor import Tensor

__all__ = [
    "GradMode", "ArrayBackward", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "Node", "run_backward", "RemovableHandle",
]

F = TypeVar("F", bound=Callable[..., Any])


class _Switch:
    """A global on/off setting, as the one instance of a class with a slot.

    ``Function.apply`` turns grad mode off and on again around every forward;
    setting an instance's slot takes a few nanoseconds, a class attribute
    several times longer (it invalidates the interpreter's caches for the class).
    """

    __slots__ = ("enabled",)

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled


GradMode = _Switch(True)  # are ops recorded on the tape right now?


class ArrayBackward:
    """Set while a backward without ``create_graph`` runs: ops with ``on_arrays`` then see arrays."""

    active = False


def is_grad_enabled() -> bool:
    """True when ops are being recorded for autograd."""
    return GradMode.enabled


class set_grad_enabled:
    """Context manager and decorator that turns recording on or off."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(GradMode.enabled)
        GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        GradMode.enabled = self.previous.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(set_grad_enabled):
    """Run a block (or a decorated function) without recording ops."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record ops inside a block even within ``no_grad``."""

    def __init__(self) -> None:
        super().__init__(True)


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list[Callable[..., Any]], fn: Callable[..., Any]) -> None:
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


_next_seq = itertools.count().__next__


def _patterns(values: tuple[Any, ...], longest: int = 4) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Every tuple of ``values`` up to ``longest`` long, each mapped to itself."""
    return {combo: combo for n in range(longest + 1) for combo in itertools.product(values, repeat=n)}


# A node's small tuples of edge indices, flags and saved versions (None for a tensor not saved)
# almost always follow a few patterns. Sharing one copy of each, instead of keeping one per
# node, leaves Python's cyclic garbage collector fewer objects to scan: in a 100,000-op chain
# it did most of the work.
_SHARED_INTS = _patterns((0, -1, None))
_SHARED_FLAGS = _patterns((False, True))


def _live(needs_input_grad: tuple[bool, ...]) -> tuple[int, ...]:
    """The positions of the inputs that need a gradient."""
    return tuple(i for i, needs in enumerate(needs_input_grad) if needs)


_LIVE = {flags: _live(flags) for flags in _SHARED_FLAGS}  # one shared copy per pattern, as above


class _SharedShapes(dict[Any, Any]):
    """Shapes (and tuples of shapes) -> the one copy of each that nodes keep.

    NumPy's ``.shape`` makes a new tuple on every call. A full collection of
    the garbage collector follows each reference of every node, so a tuple of
    its own per node is a cache miss per node per collection, where a shared
    one stays in cache: in a 100,000-op chain that halved the time of a full
    collection (105-114 ms -> 40-60 ms). A program whose shapes keep changing
    stops adding to the table at ``limit`` shapes and keeps the rest as they come.
    """

    limit = 4096

    def __missing__(self, shape: Any) -> Any:
        if len(self) < self.limit:
            self[shape] = shape
        return shape


_SHARED_SHAPES = _SharedShapes()  # ``_SHARED_SHAPES[shape]``: the shared copy of ``shape``
_tensor_class: list[Any] = []  # set by tensor.py; the tape itself never needs Tensor's math


def bind_tensor_class(cls: type) -> None:
    _tensor_class[:] = [cls]


def _edge(t: Tensor) -> tuple[Any, int, tuple[int, ...], bool]:
    """Where the gradient of input ``t`` goes, as (target, output index, shape, needs grad).

    The target is the node that made ``t`` (and ``t`` is its output number
    ``index``), the leaf ``t`` itself if it requires grad (index -1), or None.
    """
    producer = t._node
    if producer is not None:
        return producer, t._out_idx, (producer.out_shape if producer.n_out == 1 else t.data.shape), True  # share the tuple
    return (t if t._rg else None), -1, t.data.shape, t._rg


class Node:
    """One recorded op. It is also the ``ctx`` the op's forward and backward see.

    Edges. ``live`` lists the inputs that need a gradient and ``to`` says where
    their gradients go: to the node that made the input (``next_idx[i]`` is
    which of its outputs the input was) or to the leaf tensor itself
    (``next_idx[i]`` is -1). With one such input, as for most nodes (a unary
    op, or an op whose other operands are constants), ``to`` is that target
    itself; otherwise it is a tuple with an entry per input, None where no
    gradient is needed. ``next`` and ``edges`` give every input's edge.

    Why not always a tuple: each object a node owns is one more for Python's
    cyclic garbage collector to count and scan, and the collector runs a full
    collection after every ~85,000 new objects. In the benchmark's chain of
    100,000 ops (``y * a``, ``y + 0.1``, ``tanh``) a node with its own tuple,
    plus ``mul`` keeping both operands, made 2.67 objects per op and three full
    collections per pass; now 1.33 objects and one or two.
    """

    __slots__ = (
        "fn", "to", "live", "next_idx", "seq", "in_shapes", "in_dtype", "needs_input_grad", "saved", "saved_versions",
        "out", "n_out", "out_shape", "out_dtype", "many_meta", "hooks", "freed", "created_at", "__dict__",
    )

    # The slots, for type checkers (annotations only: a class-level value would clash with a slot).
    # Set when the op is recorded (the constructor):
    fn: type[Function]
    to: Any  # the target of the one input in ``live``, or a tuple of targets per input (see above)
    live: tuple[int, ...]  # the inputs that need a gradient
    next_idx: tuple[int, ...]
    seq: int
    in_shapes: tuple[tuple[int, ...], ...]
    in_dtype: Any  # the inputs' dtype (None for an op without inputs)
    needs_input_grad: tuple[bool, ...]
    n_out: int
    # Set by Function.apply after the forward: out_shape and out_dtype for one output, many_meta for several.
    out_shape: tuple[int, ...]
    out_dtype: Any
    many_meta: tuple[tuple[tuple[int, ...], Any], ...]
    out: Any  # for ops with saves_output: the output array, or a tuple of them for several outputs
    # Kept by the ctx API, hooks and anomaly mode:
    saved: tuple[Tensor | None, ...]
    saved_versions: tuple[int | None, ...]
    hooks: dict[int, list[Callable[..., Any]]] | None
    freed: bool
    created_at: str  # where the op was called, set only in anomaly mode

    def __init__(self, fn: type[Function], inputs: Sequence[Tensor], n_out: int) -> None:
        """Stamp a node for ``fn`` applied to ``inputs``: edges, shapes, sequence number."""
        self.fn = fn
        targets: tuple[Any, ...]
        next_idx: tuple[int, ...]
        in_shapes: tuple[tuple[int, ...], ...]
        needs_input_grad: tuple[bool, ...]
        n = len(inputs)
        if n == 1:  # nearly every op has one or two inputs: their tuples are built directly, without lists
            target, idx, shape, needs = _edge(inputs[0])
            targets, next_idx, in_shapes, needs_input_grad = (target,), (idx,), (shape,), (needs,)
        elif n == 2:
            target, idx, shape, needs = _edge(inputs[0])
            target2, idx2, shape2, needs2 = _edge(inputs[1])
            targets, next_idx, in_shapes, needs_input_grad = (target, target2), (idx, idx2), (shape, shape2), (needs, needs2)
        elif n:
            targets, next_idx, in_shapes, needs_input_grad = zip(*map(_edge, inputs))
        else:
            targets = next_idx = in_shapes = needs_input_grad = ()
        live = _LIVE.get(needs_input_grad) or _live(needs_input_grad)
        self.live = live
        self.to = targets[live[0]] if len(live) == 1 else targets  # (the tuple is dropped here, see above)
        self.next_idx = _SHARED_INTS.get(next_idx, next_idx)
        self.needs_input_grad = _SHARED_FLAGS.get(needs_input_grad, needs_input_grad)
        self.in_shapes = _SHARED_SHAPES[in_shapes]
        self.in_dtype = inputs[0].data.dtype if inputs else None
        self.n_out = n_out
        self.seq = _next_seq()
        self.saved = ()
        self.saved_versions = ()
        self.out = None
        self.hooks = None
        self.freed = False

    # ---- the ctx API used by Function.forward / backward ----
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; in-place changes to them are detected.

        None stands in for a tensor that backward will not need (as ``x``
        in ``x * y`` when only ``x`` needs a gradient), so it can be freed.
        """
        self.saved = tensors
        versions = tuple([None if t is None else t._version for t in tensors])
        self.saved_versions = _SHARED_INTS.get(versions, versions)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors kept by ``save_for_backward`` (their arrays in a backward that runs on arrays)."""
        if self.freed:
            self._check_alive()
        saved, versions = self.saved, self.saved_versions
        arrays = ArrayBackward.active and self.fn.on_arrays
        values = []
        i = 0
        for t in saved:  # (for a few tensors, a plain loop is faster than map or comparing tuples of versions)
            if t is not None:
                if t._version != versions[i]:
                    self._raise_modified()
                if arrays:
                    t = t.data
            values.append(t)
            i += 1
        return tuple(values)

    def _raise_modified(self) -> None:
        for t, version in zip(self.saved, self.saved_versions):
            if t is not None and t._version != version:
                raise RuntimeError(
                    f"{self.fn.name}: a tensor of shape {t.shape} saved for backward was modified "
                    f"in place after it was saved (saved at version {version}, now version "
                    f"{t._version}); compute the change out of place instead (x = x + u, not x += u)"
                )

    @property
    def next(self) -> tuple[Any, ...]:
        """Per input: the node that made it, the leaf tensor itself, or None if it needs no gradient."""
        if len(self.live) != 1:
            return self.to
        return tuple(self.to if needs else None for needs in self.needs_input_grad)

    @property
    def edges(self) -> tuple[tuple[Any, int] | None, ...]:
        """``(target, output_index)`` per input, or None for an input that needs no gradient."""
        return tuple(None if t is None else (t, k) for t, k in zip(self.next, self.next_idx))

    @property
    def in_dtypes(self) -> tuple[Any, ...]:
        """The dtype of each input (``apply`` gives every input of an op the same dtype)."""
        return (self.in_dtype,) * len(self.in_shapes)

    @property
    def out_meta(self) -> tuple[tuple[tuple[int, ...], Any], ...]:
        """``(shape, dtype)`` of each output."""
        return ((self.out_shape, self.out_dtype),) if self.n_out == 1 else self.many_meta

    @property
    def output(self) -> Tensor:
        """The op's (first) output, for ops with ``saves_output = True`` (its array in a backward on arrays)."""
        out = self.out
        if out is None:  # released by backward (freed), or never kept
            self._check_alive()
            raise TypeError(f"{self.fn.name}: ctx.output is kept only for ops with saves_output = True")
        first = out if self.n_out == 1 else out[0]
        if ArrayBackward.active and self.fn.on_arrays:
            return first
        return _tensor_class[0]._make(first, self, 0, True)

    def _check_alive(self) -> None:
        if self.freed:
            raise RuntimeError(
                f"backward through the graph a second time: the saved values of "
                f"'{self.fn.name}' (node #{self.seq}) were freed by the first backward; "
                f"pass retain_graph=True to the first backward to go through it twice"
            )

    def release(self) -> None:
        """Free what the op saved; the edges stay so errors can still name the op."""
        self.saved = ()
        self.out = None
        del self.__dict__  # the attributes the op set on ctx (deleting the dict creates none where there was none)
        self.freed = True

    def add_hook(self, index: int, fn: Callable[..., Any]) -> RemovableHandle:
        """Call ``fn(grad)`` on output ``index``'s complete gradient (see Tensor.register_hook)."""
        if self.hooks is None:
            self.hooks = {}
        hooks = self.hooks.setdefault(index, [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    @property
    def name(self) -> str:
        return self.fn.name

    def __repr__(self) -> str:
        return f"<{self.fn.__name__} node #{self.seq}>"


@overload
def run_backward(
    roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool, create_graph: bool, capture: None = None
) -> None: ...
@overload
def run_backward(
    roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool, create_graph: bool, capture: Sequence[Tensor]
) -> list[Tensor | None]: ...
def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
) -> list[Tensor | None] | None:
    """Backpropagate ``root_grads`` from ``roots`` through the tape.

    Without ``capture`` the gradients are accumulated into the ``.grad`` of the
    leaves (``Tensor.backward``). With ``capture`` nothing's ``.grad`` is
    touched: the gradients of those tensors are returned (``mg.grad``).
    Gradients travel as arrays unless ``create_graph`` (see the module docstring).
    """
    on_arrays = not create_graph
    buffers: dict[Node, list[Any]] = {}  # node -> the gradients of its outputs so far
    pending: list[tuple[int, Node]] = []  # the nodes in buffers, as a heap: the highest sequence number first
    leaf_grads: dict[int, list[Any]] = {}  # id(leaf) -> [leaf, its gradient so far]
    captured: dict[int, Tensor] = {}
    capture_nodes = _capture_points(capture) if capture else None
    previous = GradMode.enabled, ArrayBackward.active
    GradMode.enabled, ArrayBackward.active = create_graph, on_arrays
    try:
        for t, g in zip(roots, root_grads):
            value = g.data if on_arrays else g
            if t._node is None:
                _add_to_leaf(leaf_grads, t, value)
            else:
                _add_to_node(buffers, pending, t._node, t._out_idx, value)
        while pending:
            node = heappop(pending)[1]
            grads = buffers.pop(node)
            if node.freed:
                node._check_alive()
            if node.hooks:
                _run_node_hooks(node.hooks, grads, on_arrays)
            if capture_nodes:
                for idx in range(node.n_out):
                    if (id(node), idx) in capture_nodes:
                        captured[capture_nodes[(id(node), idx)]] = _as_tensor(grads[idx])
            fn = node.fn
            if node.n_out == 1 and not AnomalyMode.enabled and (fn.on_arrays or not on_arrays):
                result = fn.backward(node, grads[0])  # the common case, called directly
            else:
                result = _call_backward(node, grads, on_arrays)
            if type(result) is not tuple:
                result = (result,)
            if len(result) != len(node.in_shapes):
                raise RuntimeError(f"{fn.name}: backward returned {len(result)} gradients for {len(node.in_shapes)} inputs")
            live, to = node.live, node.to
            sole = len(live) == 1  # then ``to`` is the one target itself (see Node)
            for i in live:
                g = result[i]
                if g is None:
                    continue
                target = to if sole else to[i]
                if not on_arrays and not isinstance(g, _tensor_class[0]):
                    g = _as_tensor(g)  # a custom backward may return arrays
                if g.shape != node.in_shapes[i]:
                    g = _reduce_to_input(node, i, g, on_arrays)
                idx = node.next_idx[i]
                if idx < 0:
                    _add_to_leaf(leaf_grads, target, g)
                else:
                    buf = buffers.get(target)
                    if buf is None:
                        buffers[target] = buf = [None] * target.n_out
                        heappush(pending, (-target.seq, target))
                    buf[idx] = g if buf[idx] is None else buf[idx] + g
            if not retain_graph:
                node.release()
        if capture is not None:
            for leaf, g in leaf_grads.values():
                for k, t in enumerate(capture):
                    if t is leaf:
                        captured[k] = _run_leaf_hooks(leaf, _as_tensor(g))
            return [captured.get(k) for k in range(len(capture))]
        owned: set[int] = set()
        for leaf, g in leaf_grads.values():
            g = _as_tensor(g)
            if leaf._hooks:
                g = _run_leaf_hooks(leaf, g)
            leaf.grad = _own(g, owned) if leaf.grad is None else leaf.grad + g
        return None
    finally:
        GradMode.enabled, ArrayBackward.active = previous


def _capture_points(capture: Sequence[Tensor]) -> dict[tuple[int, int], int]:
    """For ``mg.grad``: (id of node, output index) of each non-leaf tensor to capture -> its position."""
    return {(id(t._node), t._out_idx): k for k, t in enumerate(capture) if t._node is not None}


def _as_tensor(value: Any) -> Tensor:
    """A gradient as a Tensor: arrays (and NumPy's 0-d scalars) are wrapped, Tensors kept."""
    tensor_class = _tensor_class[0]
    return value if isinstance(value, tensor_class) else tensor_class._make(backend.as_array(value))


def _as_value(g: Any, on_arrays: bool) -> Any:
    """A gradient in the form this backward passes around: its array, or a Tensor."""
    if on_arrays:
        return g.data if isinstance(g, _tensor_class[0]) else g
    return _as_tensor(g)


def _add_to_leaf(leaf_grads: dict[int, list[Any]], leaf: Tensor, g: Any) -> None:
    slot = leaf_grads.get(id(leaf))
    if slot is None:
        leaf_grads[id(leaf)] = [leaf, g]
    else:
        slot[1] = slot[1] + g


def _add_to_node(buffers: dict[Node, list[Any]], pending: list[tuple[int, Node]], node: Node, idx: int, g: Any) -> None:
    buf = buffers.get(node)
    if buf is None:
        buffers[node] = buf = [None] * node.n_out
        heappush(pending, (-node.seq, node))
    buf[idx] = g if buf[idx] is None else buf[idx] + g


def _run_node_hooks(hooks: dict[int, list[Callable[..., Any]]], grads: list[Any], on_arrays: bool) -> None:
    """Tensor hooks of a non-leaf output see (and may replace) its complete gradient, as a Tensor."""
    for idx, fns in hooks.items():
        for fn in list(fns):
            if grads[idx] is not None:
                replaced = fn(_as_tensor(grads[idx]))
                if replaced is not None:
                    grads[idx] = _as_value(replaced, on_arrays)


def _call_backward(node: Node, grads: list[Any], on_arrays: bool) -> Any:
    """Run a backward the engine does not call directly.

    That is one of: a node with several outputs (zeros stand in for those that
    got no gradient), an op without ``on_arrays`` in a backward on arrays (its
    gradients go in and come out as Tensors), or anomaly mode.
    """
    if node.n_out > 1 and any(g is None for g in grads):
        like = next(g for g in grads if g is not None)
        grads = [_as_value(_zeros(node.out_meta[i], like), on_arrays) if g is None else g for i, g in enumerate(grads)]
    wrap = on_arrays and not node.fn.on_arrays
    if wrap:
        grads = [_as_tensor(g) for g in grads]
    result = _checked_backward(node, grads) if AnomalyMode.enabled else node.fn.backward(node, *grads)
    if not wrap:
        return result
    if type(result) is not tuple:
        return _as_value(result, True) if result is not None else None
    return tuple(None if g is None else _as_value(g, True) for g in result)


def _reduce_to_input(node: Node, i: int, g: Any, on_arrays: bool) -> Any:
    """Sum a broadcast gradient back to the shape of input ``i`` (recorded only under ``create_graph``)."""
    shape = node.in_shapes[i]
    try:
        reduced = backend.sum_to(g, shape) if on_arrays else g.sum_to(shape)
    except ValueError:
        reduced = None
    if reduced is None or reduced.shape != shape:
        raise RuntimeError(
            f"{node.fn.name}: backward returned a gradient of shape {g.shape} for input {i}, "
            f"which has shape {shape} and cannot be reduced to it"
        )
    return reduced


def _checked_backward(node: Node, grads: list[Any]) -> Any:
    """Run ``node``'s backward in anomaly mode: NaN or inf it produces names the op."""
    outer, AnomalyMode.backward_of = AnomalyMode.backward_of, node
    try:
        result = node.fn.backward(node, *grads)
    finally:
        AnomalyMode.backward_of = outer
    check_backward(node, grads, result if isinstance(result, tuple) else (result,))
    return result


def _zeros(meta: tuple[tuple[int, ...], Any], like: Any) -> Any:
    """A zero gradient (an array) for an output of a multi-output op that received none."""
    shape, dtype = meta
    like = like.data if isinstance(like, _tensor_class[0]) else like
    return backend.module_of(like).zeros(shape, dtype=dtype)


def _own(g: Tensor, owned: set[int]) -> Tensor:
    """``g`` as a gradient whose memory no other gradient shares, so it can be updated in place (copy if needed)."""
    if id(g.data) in owned or not backend.owns_memory(g.data):
        g = g * 1 if g._node is not None else type(g)._make(g.data.copy())  # keep a recorded graph intact
    owned.add(id(g.data))
    return g


def _run_leaf_hooks(leaf: Tensor, g: Tensor) -> Tensor:
    for fn in list(leaf._hooks or ()):
        replaced = fn(g)
        g = g if replaced is None else replaced
    return g
