"""``mg.GradientTape``: TensorFlow's way of asking for gradients, on minigrad's tape.

    with mg.GradientTape() as tape:
        tape.watch(x)          # tensors that require grad are watched already
        y = f(x)
    dy_dx = tape.gradient(y, x)

A tape records while its block runs (even inside ``no_grad``). ``gradient``
differentiates the sum of ``target`` with respect to ``sources``; sources the
target does not depend on get None. A non-persistent tape answers once; a
persistent one keeps the graph and answers as often as asked. Calling
``gradient`` inside an outer tape's block records the computation, so nested
tapes give higher derivatives.
"""

from __future__ import annotations

from typing import Any

from .autograd import GradMode, run_backward
from .tensor import Tensor, _initial_grad

__all__ = ["GradientTape"]


class GradientTape:
    """Record ops in a block; then ``gradient(target, sources)``."""

    _recording: list[GradientTape] = []

    def __init__(self, persistent: bool = False) -> None:
        self.persistent = persistent
        self._watched: dict[int, Tensor] = {}
        self._used = False
        self._previous_mode = True

    def __enter__(self) -> GradientTape:
        self._previous_mode = GradMode.enabled
        GradMode.enabled = True
        GradientTape._recording.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        GradientTape._recording.remove(self)
        GradMode.enabled = self._previous_mode
        for t in self._watched.values():
            t._rg = False

    def watch(self, tensors: Tensor | list[Tensor] | tuple[Tensor, ...]) -> None:
        """Record ops on ``tensors`` from now on, even if they do not require grad."""
        for t in tensors if isinstance(tensors, (list, tuple)) else [tensors]:
            if not isinstance(t, Tensor) or t.dtype.kind != "f":
                raise TypeError(f"GradientTape.watch: expected floating-point tensors, got {t!r}")
            if not t._rg and t._node is None:
                t._rg = True
                self._watched[id(t)] = t

    def gradient(self, target: Tensor | list[Tensor] | tuple[Tensor, ...],
                 sources: Tensor | list[Tensor] | tuple[Tensor, ...], output_gradients: Any = None) -> Any:
        """d(sum of target)/d(sources), with the structure of ``sources`` (None where unconnected)."""
        if self._used and not self.persistent:
            raise RuntimeError(
                "GradientTape.gradient: a non-persistent tape can be asked for gradients only once; "
                "create it with GradientTape(persistent=True) to ask again"
            )
        self._used = True
        targets = list(target) if isinstance(target, (list, tuple)) else [target]
        if isinstance(sources, (list, tuple)):
            many, srcs = True, list(sources)
        else:
            many, srcs = False, [sources]
        gouts = output_gradients if isinstance(output_gradients, (list, tuple)) else [output_gradients] * len(targets)
        live = [(t, g) for t, g in zip(targets, gouts) if t._rg]
        if not live:
            result: list[Any] = [None] * len(srcs)
        else:
            roots = [_initial_grad(t, g if g is not None else _ones(t), "GradientTape.gradient") for t, g in live]
            nested = any(tape is not self for tape in GradientTape._recording)
            result = run_backward([t for t, _ in live], roots, self.persistent or nested, nested, capture=srcs)
        return result if many else result[0]


def _ones(t: Tensor) -> Tensor:
    from . import backend

    return Tensor._make(backend.module_of(t.data).ones_like(t.data))
