"""``Module`` and ``Parameter``: the containers that layers and models are made of.

A Module registers what is assigned to its attributes: a ``Parameter`` is a
trainable tensor, another Module a submodule, and ``register_buffer`` adds a
tensor that is state but not trained (BatchNorm's running statistics).
Names are dotted as PyTorch's (``"0.weight"``, ``"fc1.bias"``)::

    class MLP(mg.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = mg.nn.Linear(64, 32)
            self.fc2 = mg.nn.Linear(32, 10)

        def forward(self, x):
            return self.fc2(mg.relu(self.fc1(x)))

Every Module can also be trained Keras-style: ``compile``, ``fit``,
``evaluate`` and ``predict`` (see :mod:`minigrad.training`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .. import backend, dtypes
from ..creation import tensor as _copy_tensor
from ..tensor import Tensor

__all__ = ["Module", "Parameter", "IncompatibleKeys"]


class Parameter(Tensor):
    """A tensor that is a trainable parameter of a Module (``requires_grad=True``).

    ``Parameter(t)`` shares the data of a Tensor ``t``; other data (arrays,
    lists) is copied. The dtype is the data's: a float64 array gives a float64
    parameter, Python floats give float32.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        array = data.data if isinstance(data, Tensor) else _copy_tensor(data).data
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _check_name(owner: Module, kind: str, name: Any) -> None:
    if not isinstance(name, str) or not name or "." in name:
        raise ValueError(f"{type(owner).__name__}: a {kind} name must be a non-empty string without '.', got {name!r}")


class Module:
    """Base class of every layer and model: override ``__init__`` (call ``super().__init__()``) and ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- registration by attribute ----
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() has run; call super().__init__() first "
                f"in {type(self).__name__}.__init__"
            )
        buffers, modules = self._buffers, self._modules
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} to parameter {name!r} (a Parameter or None is expected)")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} to submodule {name!r} (a Module or None is expected)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign a {type(value).__name__} to buffer {name!r} (a Tensor or None is expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name: str) -> Any:
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters or name in self._buffers or name in self._modules:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder, such as a disabled bias)."""
        _check_name(self, "parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not trained; ``persistent`` ones are in the state dict."""
        _check_name(self, "buffer", name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a submodule under ``name``."""
        _check_name(self, "module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    # ---- walking the tree ----
    def named_modules(self, prefix: str = "", memo: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """(name, module) for this module (name ``prefix``) and every submodule, each once, pre-order."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator[Module]:
        """This module and every submodule."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct submodules."""
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_tensors(self, table: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        owners = self.named_modules() if recurse else iter([("", self)])
        for prefix, module in owners:
            for name, t in getattr(module, table).items():
                if t is not None and id(t) not in seen:
                    seen.add(id(t))
                    yield (f"{prefix}.{name}" if prefix else name), t

    def named_parameters(self, recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two modules appears once."""
        yield from self._named_tensors("_parameters", recurse)  # type: ignore[misc]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_tensors("_buffers", recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule, then on this module (for custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def num_parameters(self, trainable_only: bool = False) -> int:
        """The number of scalar parameters (only those that require grad if ``trainable_only``)."""
        return sum(p.size for p in self.parameters() if p.requires_grad or not trainable_only)

    # ---- modes and gradients ----
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``None``), or zero it in place."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = Tensor._make(backend.module_of(p.grad.data).zeros_like(p.grad.data))

    def to(self, target: Any) -> Module:
        """Move every parameter and buffer to a backend (``"numpy"``/``"cupy"``) or cast floats to a dtype.

        Tensors change in place (the same objects), so optimizers bound to the
        parameters stay valid.
        """
        if isinstance(target, str) and target in backend.BACKENDS:
            backend.xp(target)  # the clear error when CuPy or a GPU is missing

            def move(data: Any) -> Any:
                return backend.asarray(data, backend=target)
        else:
            dtype = dtypes.as_dtype(target)
            if dtype.kind != "f":
                raise ValueError(f"Module.to: expected a backend name {backend.BACKENDS} or a float dtype, got {target!r}")

            def move(data: Any) -> Any:
                return data.astype(dtype) if data.dtype.kind == "f" else data
        for t in [*self.parameters(), *self.buffers()]:
            t.data = move(t.data)
            if t.grad is not None:
                t.grad = Tensor._make(move(t.grad.data))
            t._version += 1
        return self

    # ---- state dicts ----
    def _state_entries(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """(key, tensor) for every parameter and persistent buffer, in PyTorch's order."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                yield prefix + name, b
        for name, child in self._modules.items():
            if child is not None:
                yield from child._state_entries(f"{prefix}{name}.")

    def state_dict(self) -> dict[str, Tensor]:
        """A snapshot of every parameter and persistent buffer: {dotted name: Tensor copy}.

        The values are copies, so training on does not change a state dict
        already taken (save it with ``mg.save``, restore with ``load_state_dict``).
        """
        return {key: Tensor._make(t.data.copy()) for key, t in self._state_entries()}

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` into this module's parameters and buffers.

        Everything is checked before anything changes. Entries whose shape
        differs raise ValueError listing them; so do missing and unexpected
        keys unless ``strict=False``, which skips them and returns them.
        Values are cast to each parameter's dtype and backend.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict of tensors, got {type(state_dict).__name__}")
        targets = dict(self._state_entries())
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        values, problems = {}, []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            data = value.data if isinstance(value, Tensor) else value
            if not backend.is_array(data):
                try:
                    data = backend.xp().asarray(data)
                except (TypeError, ValueError):
                    problems.append(f"{key}: a {type(value).__name__} is not a tensor")
                    continue
            if tuple(data.shape) != target.shape:
                problems.append(f"{key}: shape {tuple(data.shape)} in the state dict, {target.shape} in the model")
            elif data.dtype.kind not in "biuf":
                problems.append(f"{key}: dtype {data.dtype} cannot be loaded")
            else:
                values[key] = data
        if strict:
            problems += [f"missing key {k!r}" for k in missing] + [f"unexpected key {k!r}" for k in unexpected]
        if problems:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: {len(problems)} problem(s), nothing was loaded:\n  "
                + "\n  ".join(problems)
            )
        for key, data in values.items():
            target = targets[key]
            target.data[...] = backend.asarray(data, dtype=target.dtype, backend=target.backend)
            target._version += 1
        return IncompatibleKeys(missing, unexpected)

    # ---- Keras-style training (minigrad.training) ----
    def compile(self, optimizer: Any = "adam", loss: Any = None, metrics: Any = None) -> None:
        """Choose the optimizer, loss and metrics for ``fit``; see :func:`minigrad.training.compile`."""
        from ..training import compile as _compile

        _compile(self, optimizer, loss, metrics)

    def fit(self, x: Any, y: Any, **kwargs: Any) -> Any:
        """Train on (x, y); returns a History. Options (see :func:`minigrad.training.fit`): epochs,
        batch_size, validation_data, validation_split, shuffle, callbacks, verbose, initial_epoch."""
        from ..training import fit as _fit

        return _fit(self, x, y, **kwargs)

    def evaluate(self, x: Any, y: Any, batch_size: int = 32, verbose: int = 0) -> dict[str, float]:
        """The loss and metrics on (x, y), averaged per sample; see :func:`minigrad.training.evaluate`."""
        from ..training import evaluate as _evaluate

        return _evaluate(self, x, y, batch_size=batch_size, verbose=verbose)

    def predict(self, x: Any, batch_size: int = 32) -> Any:
        """The model's outputs for ``x`` as a NumPy array (eval mode, no_grad); see :func:`minigrad.training.predict`."""
        from ..training import predict as _predict

        return _predict(self, x, batch_size=batch_size)

    # ---- printing ----
    def extra_repr(self) -> str:
        """The text inside this module's parentheses (layers list their settings)."""
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {text}")
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
