"""The optimizer base class: parameter groups, per-parameter state, state dicts.

A subclass says three things and nothing else:

* ``defaults_by_convention``: its hyperparameter defaults under each
  convention, ``{"torch": {...}, "keras": {...}}``;
* ``init_state(p, group)``: the state it keeps for one parameter (moment
  buffers, a step count), created the first time that parameter is stepped;
* ``update_one(p, g, state, group)``: one update of one parameter, in place on
  the parameter's array ``p`` given its gradient array ``g``. Its docstring
  states the update rule.

The base class owns everything around those: binding parameters (now or later,
in groups with their own hyperparameters), checking hyperparameters, skipping
parameters without a gradient, refusing non-finite gradients before anything
changes, weight decay in the two styles, and ``state_dict`` /
``load_state_dict`` in PyTorch's layout.

Two conventions. ``convention="torch"`` (the default) follows ``torch.optim``;
``convention="keras"`` follows Keras 3's ``keras.optimizers``: its defaults,
its update rules where they differ, and its weight decay, which is always
decoupled (``p <- p - lr * wd * p`` before the update).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from .. import backend
from ..autograd import enable_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "CONVENTIONS"]

CONVENTIONS = ("torch", "keras")


def _non_negative(x: float) -> bool:
    return 0.0 <= x < math.inf


def _unit_closed(x: float) -> bool:
    return 0.0 <= x <= 1.0


# The rule each numeric hyperparameter must satisfy, in any optimizer. Every
# comparison with NaN is false, so every rule also rejects NaN.
_RULES: dict[str, tuple[Callable[[float], bool], str]] = {
    "lr": (_non_negative, "a finite number >= 0"),
    "eps": (_non_negative, "a finite number >= 0"),
    "weight_decay": (_non_negative, "a finite number >= 0"),
    "momentum": (_non_negative, "a finite number >= 0"),
    "dampening": (_unit_closed, "a number in [0, 1]"),
    "alpha": (_unit_closed, "a number in [0, 1]"),
    "rho": (_unit_closed, "a number in [0, 1]"),
    "lr_decay": (_non_negative, "a finite number >= 0"),
    "initial_accumulator_value": (_non_negative, "a finite number >= 0"),
    "momentum_decay": (_non_negative, "a finite number >= 0"),
}


def _first_non_finite(grads: list[Any]) -> int | None:
    """The position of the first gradient holding NaN or inf, or None.

    The per-gradient flags are combined on their device, so a step reads one
    bool back to the host (a GPU syncs once, not once per parameter).
    """
    flags: dict[int, tuple[Any, list[Any]]] = {}  # id(array module) -> (module, its flags)
    for g in grads:
        xp = backend.module_of(g)
        flags.setdefault(id(xp), (xp, []))[1].append(xp.isfinite(g).all())
    if all(bool(xp.stack(fs).all()) for xp, fs in flags.values()):
        return None
    return next(k for k, g in enumerate(grads) if not bool(backend.module_of(g).isfinite(g).all()))


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (bool, str))


class Optimizer:
    """Base class of every optimizer.

    ``param_groups`` is a list of dicts, each with ``"params"`` (a list of
    Tensors) and one entry per hyperparameter, as in PyTorch. ``state`` maps
    ``id(param)`` to that parameter's state dict (filled at its first step).
    """

    check_finite: bool = True
    """Refuse NaN or inf gradients in ``step`` (one read from the device per step); set False to skip."""

    defaults_by_convention: ClassVar[dict[str, dict[str, Any]]] = {}
    torch_only: ClassVar[tuple[str, ...]] = ()  # options Keras has no counterpart for
    state_keys: ClassVar[tuple[str, ...]] = ()  # every name update_one may store

    def __init__(self, params: Any = None, convention: str = "torch", **hyper: Any) -> None:
        if convention not in CONVENTIONS:
            raise ValueError(
                f"{self.name}: unknown convention {convention!r}; valid: {', '.join(CONVENTIONS)}"
            )
        self.convention = convention
        table = self.defaults_by_convention[convention]
        for key, value in hyper.items():
            if convention == "keras" and key in self.torch_only and value is not None and value != table[key]:
                raise ValueError(
                    f"{self.name}: {key}={value!r} is a torch-only option; Keras has no such "
                    f"setting, so convention='keras' needs the default ({table[key]!r})"
                )
        given = {key: table[key] if value is None else value for key, value in hyper.items()}
        self.defaults: dict[str, Any] = self._checked(given, where="")
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        if params is not None:
            groups = self._as_groups(params)
            if not groups:
                raise ValueError(
                    f"{self.name}: got an empty parameter list (an exhausted generator?); pass "
                    f"params=None to bind parameters later with add_param_group"
                )
            for group in groups:
                self.add_param_group(group)

    # ---- what a subclass provides ----
    def init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        """The state kept for the parameter array ``p``, before its first update."""
        return {}

    def update_one(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Update the parameter array ``p`` in place, given its gradient ``g``."""
        raise NotImplementedError

    # ---- weight decay, in the two styles ----
    def apply_weight_decay(self, p: Any, g: Any, group: dict[str, Any]) -> Any:
        """Apply ``group["weight_decay"]`` and return the gradient to use.

        torch convention, L2 penalty: ``g <- g + wd * p`` (the decay flows
        through the moment estimates). keras convention, decoupled:
        ``p <- p - lr * wd * p`` before the update, ``g`` unchanged.
        """
        if self.convention == "keras":
            self.decoupled_decay(p, group)
            return g
        wd = group["weight_decay"]
        return g + wd * p if wd else g

    @staticmethod
    def decoupled_decay(p: Any, group: dict[str, Any]) -> None:
        """Decoupled weight decay: ``p <- p * (1 - lr * wd)``, in place."""
        wd = group["weight_decay"]
        if wd:
            p *= 1.0 - group["lr"] * wd

    # ---- binding parameters ----
    @property
    def name(self) -> str:
        return type(self).__name__

    def add_param_group(self, param_group: dict[str, Any] | Iterable[Tensor] | Tensor) -> None:
        """Add a group of parameters, with hyperparameters that override the defaults.

        ``param_group`` is a dict ``{"params": [...], "lr": ...}`` as in
        PyTorch, or simply a Tensor or an iterable of Tensors.
        """
        group = dict(param_group) if isinstance(param_group, dict) else {"params": param_group}
        if "params" not in group:
            raise ValueError(f"{self.name}: a param group needs a 'params' entry, got keys {sorted(group)}")
        where = f" in param group {len(self.param_groups)}"
        params = self._as_param_list(group["params"], where)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if id(p) in seen:
                raise ValueError(f"{self.name}: parameter {i}{where} appears more than once in this optimizer")
            seen.add(id(p))
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group = self._checked(group, where)
        group["params"] = params
        self.param_groups.append(group)

    def _as_groups(self, params: Any) -> list[Any]:
        if isinstance(params, (Tensor, dict)):
            return [params]
        if isinstance(params, (set, frozenset)) or not isinstance(params, Iterable):
            raise ValueError(
                f"{self.name}: params must be a Tensor or an ordered collection (a list or generator) of "
                f"Tensors or of param-group dicts, got {type(params).__name__}"
            )
        params = list(params)
        if params and all(isinstance(p, dict) for p in params):
            return params
        return [params] if params else []

    def _as_param_list(self, params: Any, where: str) -> list[Tensor]:
        if isinstance(params, Tensor):
            return [params]
        if isinstance(params, (set, frozenset)) or not isinstance(params, Iterable):
            raise ValueError(
                f"{self.name}: params{where} must be a Tensor or an ordered collection of Tensors "
                f"(a list or generator), got {type(params).__name__}"
            )
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise ValueError(
                    f"{self.name}: parameter {i}{where} is a {type(p).__name__}, not a minigrad Tensor"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{self.name}: parameter {i}{where} is not a leaf tensor (it was made by an op); "
                    f"optimize the leaf, or .detach() it and set requires_grad=True"
                )
            if p.dtype.kind != "f":
                raise ValueError(f"{self.name}: parameter {i}{where} has dtype {p.dtype}; only float tensors can be optimized")
        return params

    def _checked(self, group: dict[str, Any], where: str) -> dict[str, Any]:
        """Check the group's hyperparameters and normalise them to Python types."""
        out = dict(group)
        for key, default in self.defaults_by_convention[self.convention].items():
            value = group[key]
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{self.name}: {key}{where} must be True or False, got {value!r}")
            elif isinstance(default, tuple):
                out[key] = self._checked_betas(key, value, where)
            else:
                if not _is_number(value):
                    raise ValueError(f"{self.name}: {key}{where} must be a number, got {value!r}")
                out[key] = float(value)
                rule, expected = _RULES[key]
                if not rule(out[key]):
                    raise ValueError(f"{self.name}: invalid {key}={value!r}{where}; expected {expected}")
        self.check_group(out, where)
        return out

    def _checked_betas(self, key: str, value: Any, where: str) -> tuple[float, float]:
        if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(map(_is_number, value)):
            raise ValueError(f"{self.name}: {key}{where} must be a pair of numbers, got {value!r}")
        for i, beta in enumerate(value):
            if not 0.0 <= float(beta) < 1.0:
                raise ValueError(f"{self.name}: invalid {key}[{i}]={beta!r}{where}; expected a number in [0, 1)")
        return float(value[0]), float(value[1])

    def check_group(self, group: dict[str, Any], where: str) -> None:
        """Checks that involve several hyperparameters (subclasses extend this)."""

    # ---- the learning rate, as Keras users expect ----
    @property
    def lr(self) -> float:
        """The learning rate of the first param group (the default before binding)."""
        return (self.param_groups[0] if self.param_groups else self.defaults)["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        target = self.param_groups[0] if self.param_groups else self.defaults
        if not _is_number(value) or not _non_negative(float(value)):
            raise ValueError(f"{self.name}: invalid lr={value!r}; expected a finite number >= 0")
        target["lr"] = float(value)

    # ---- stepping ----
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``None``), or zero it in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:  # fresh zeros: the engine may share one gradient array between tensors
                    p.grad = Tensor._make(backend.module_of(p.grad.data).zeros_like(p.grad.data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss.

        ``closure``, if given, recomputes the loss (with gradients) before the
        update. Every gradient is checked first: a NaN or infinite gradient
        raises ``FloatingPointError`` naming the parameter, before any
        parameter or state has changed (PyTorch would silently write NaN into
        the parameters and the moment estimates). The check reads one bool
        back from the device per step; ``opt.check_finite = False`` skips it,
        for steps that never wait on a GPU.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group, p, g in self._params_with_grad():
            if not backend.is_array(p.data):  # a NumPy scalar (0-d) cannot change in place
                p.data = backend.module_of(p.data).asarray(p.data)
            state = self.state.get(id(p))
            if state is None:
                state = self.state[id(p)] = self.init_state(p.data, group)
            self.update_one(p.data, g, state, group)
            p._version += 1  # changed in place: autograd must see saved copies of p as stale
        return loss

    def _params_with_grad(self) -> list[tuple[dict[str, Any], Tensor, Any]]:
        """(group, parameter, gradient array) for every parameter to update, all checked first."""
        work = []
        places = []
        for gi, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                if p.grad is None:
                    continue
                g = p.grad.data
                where = f"parameter {i} of param group {gi} (shape {p.shape}, dtype {p.dtype})"
                if g.shape != p.shape or g.dtype != p.dtype:
                    raise ValueError(
                        f"{self.name}.step: {where} has a gradient of shape {g.shape} and dtype {g.dtype}"
                    )
                work.append((group, p, g))
                places.append(where)
        if self.check_finite and work:
            bad = _first_non_finite([g for _, _, g in work])
            if bad is not None:
                raise FloatingPointError(
                    f"{self.name}.step: the gradient of {places[bad]} contains NaN or inf; nothing was "
                    f"updated. Find where it comes from with mg.detect_anomaly(), or tame it with "
                    f"mg.nn.utils.clip_grad_norm_ or a lower learning rate"
                )
        return work

    # ---- saving and resuming ----
    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the optimizer: hyperparameters and per-parameter state.

        PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{...,
        "params": [index, ...]}]}``, parameters numbered in group order, plus
        ``"optimizer"`` (the class name) and ``"convention"``. Buffers are
        copied into Tensors, so later steps do not change the snapshot.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[pid]: {k: Tensor._make(v.copy()) if backend.is_array(v) else v for k, v in entry.items()}
            for pid, entry in self.state.items()
            if pid in index
        }
        return {"optimizer": self.name, "convention": self.convention, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` taken from an optimizer of the same kind and layout.

        Everything is checked before anything changes: the optimizer class and
        convention, the number and sizes of param groups, the hyperparameter
        names, and each state buffer's name and shape. A mismatch raises
        ValueError. Buffers are copied to each parameter's dtype and backend.
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(f"{self.name}.load_state_dict: expected a dict with 'state' and 'param_groups'")
        for key, mine in (("optimizer", self.name), ("convention", self.convention)):
            theirs = state_dict.get(key, mine)
            if theirs != mine:
                raise ValueError(f"{self.name}.load_state_dict: the state dict has {key} {theirs!r}, this optimizer {mine!r}")
        saved_groups = state_dict["param_groups"]
        sizes = [len(g["params"]) for g in self.param_groups]
        saved_sizes = [len(g.get("params", ())) for g in saved_groups]
        if sizes != saved_sizes:
            raise ValueError(
                f"{self.name}.load_state_dict: the state dict has param groups of sizes {saved_sizes}, "
                f"this optimizer {sizes}"
            )
        groups = []
        for gi, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            missing = sorted(set(self.defaults) - saved.keys())
            if missing:
                raise ValueError(
                    f"{self.name}.load_state_dict: param group {gi} lacks {missing}; is it from another optimizer?"
                )
            restored = self._checked(saved, f" in param group {gi}")  # betas saved as a list come back a tuple
            restored["params"] = group["params"]
            groups.append(restored)
        owners = {  # saved index -> (group, parameter), matched by position as PyTorch does
            int(i): (group, p) for group, saved in zip(groups, saved_groups) for i, p in zip(saved["params"], group["params"])
        }
        state = {}
        for key, entry in state_dict["state"].items():
            if int(key) not in owners:
                raise ValueError(f"{self.name}.load_state_dict: state for parameter {key}, which no param group lists")
            group, p = owners[int(key)]
            state[id(p)] = self._restored_entry(int(key), entry, p, group)
        self.param_groups[:] = groups
        self.state = state

    def _restored_entry(self, i: int, entry: dict[str, Any], p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """One parameter's saved state, checked against what this optimizer keeps."""
        template = self.init_state(p.data, group)
        unknown = sorted(set(entry) - set(self.state_keys))
        missing = sorted(set(template) - set(entry))
        if unknown or missing:
            raise ValueError(
                f"{self.name}.load_state_dict: state of parameter {i} has unknown entries {unknown} and "
                f"lacks {missing}; is it from another optimizer?"
            )
        restored: dict[str, Any] = {}
        for name, value in entry.items():
            data = value.data if isinstance(value, Tensor) else value
            kind = type(template.get(name))
            if kind in (int, float):  # a scalar such as the step count
                restored[name] = kind(data)
                continue
            shape = getattr(data, "shape", None)
            if shape != p.shape:
                raise ValueError(
                    f"{self.name}.load_state_dict: {name!r} of parameter {i} has shape {shape}, "
                    f"the parameter has shape {p.shape}"
                )
            restored[name] = backend.asarray(data, dtype=p.dtype, backend=p.backend).copy()
        return restored

    def __repr__(self) -> str:
        lines = [f"{self.name} (convention={self.convention!r})"]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i} ({len(group['params'])} tensors)")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines)
