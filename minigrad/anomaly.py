"""Anomaly detection: find the op that first produced a NaN or an inf.

Inside ``with mg.detect_anomaly():`` every op checks its outputs in forward,
and every backward checks the gradients it returns. The first op that turns
finite values into NaN or inf raises a RuntimeError naming the op and the
``file:line`` of the user code that created it. Outside this mode there are
no checks and no cost beyond one flag test per op.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

from . import backend

__all__ = ["AnomalyMode", "detect_anomaly", "check_forward", "check_backward", "user_frame"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class AnomalyMode:
    """Global switch: are forward outputs and backward gradients checked?"""

    enabled = False
    backward_of: Any = None  # the node whose backward is running, if any


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first op that produces NaN or inf, in forward or in backward."""
    previous = AnomalyMode.enabled
    AnomalyMode.enabled = True
    try:
        yield
    finally:
        AnomalyMode.enabled = previous


def user_frame() -> str:
    """``file:line in function`` of the innermost caller outside the minigrad package."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _bad_value(arrays: Sequence[Any]) -> str | None:
    """'nan' or 'inf' if any float array holds one, else None."""
    for a in arrays:
        if a is None or getattr(a, "dtype", None) is None or a.dtype.kind != "f":
            continue
        xp = backend.module_of(a)
        if bool(xp.isnan(a).any()):
            return "nan"
        if bool(xp.isinf(a).any()):
            return "inf"
    return None


def _data(values: Sequence[Any]) -> list[Any]:
    """The arrays of ``values`` (Tensors, arrays or None: a backward on arrays passes arrays)."""
    return [v if v is None or backend.is_array(v) or isinstance(v, backend.SCALAR) else v.data for v in values]


def check_forward(op: str, node: Any, inputs: Sequence[Any], outputs: Sequence[Any]) -> None:
    """Record where ``node`` was created; raise if finite inputs gave non-finite outputs."""
    site = user_frame()
    if node is not None:
        node.created_at = site
    bad = _bad_value(outputs)
    if bad and _bad_value(_data(inputs)) is None:
        running = AnomalyMode.backward_of
        if running is not None:
            raise RuntimeError(_backward_message(running, bad) + f" (its '{op}' step made it)")
        raise RuntimeError(f"detect_anomaly: '{op}' produced {bad} in its forward pass; it was called at {site}")


def _backward_message(node: Any, bad: str) -> str:
    where = getattr(node, "created_at", "<created outside detect_anomaly>")
    return (
        f"detect_anomaly: the backward of '{node.fn.name}' (node #{node.seq}) produced {bad} "
        f"in an input gradient; the op was created at {where}"
    )


def check_backward(node: Any, grads: Sequence[Any], result: Sequence[Any]) -> None:
    """Raise if ``node``'s backward turned finite gradients into NaN or inf."""
    bad = _bad_value(_data(result))
    if bad and _bad_value(_data(grads)) is None:
        raise RuntimeError(_backward_message(node, bad))
