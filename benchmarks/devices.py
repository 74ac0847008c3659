"""Where the benchmarks run: minigrad's backend, the array module of the hand-written baseline, PyTorch's device.

    device = select("numpy")   # CPU: minigrad on NumPy, the baseline in NumPy, PyTorch on "cpu"
    device = select("cupy")    # GPU: minigrad on CuPy, the baseline in CuPy, PyTorch on "cuda"

``select("cupy")`` raises the ``RuntimeError`` of minigrad's backend layer
(which says how to install CuPy) where CuPy or a CUDA device is missing. A
GPU runs its work asynchronously: a timer calls ``device.sync()`` before it
reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from minigrad import backend

try:
    import torch
except ImportError:
    torch = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Device:
    """``backend``: minigrad's backend, also the name of ``xp``, the baseline's array module.

    ``torch``: PyTorch's device ("cpu" or "cuda"), or None with the reason in ``torch_missing``.
    """

    backend: str
    xp: ModuleType
    torch: str | None
    torch_missing: str = ""

    def sync(self) -> None:
        """Wait until the work queued so far on the device has finished (nothing to wait for on the CPU)."""
        if self.backend == "cupy":
            self.xp.cuda.Device().synchronize()
        if self.torch == "cuda":
            torch.cuda.synchronize()

    def describe(self) -> str:
        """The array library and, on the GPU, the GPU's name."""
        if self.backend == "numpy":
            return f"numpy {np.__version__}"
        name = self.xp.cuda.runtime.getDeviceProperties(self.xp.cuda.Device().id)["name"]
        return f"cupy {self.xp.__version__} on {name.decode() if isinstance(name, bytes) else name}"


def select(name: str) -> Device:
    """The device of backend ``name`` ("numpy" or "cupy"); RuntimeError if that backend cannot run here."""
    xp = backend.xp(name)
    if torch is None:
        return Device(name, xp, None, "not installed")
    if name == "numpy":
        return Device(name, xp, "cpu")
    if torch.cuda.is_available():
        return Device(name, xp, "cuda")
    return Device(name, xp, None, f"torch {torch.__version__} sees no CUDA device")


def host_copy(array: Any) -> np.ndarray:
    """A NumPy copy of a NumPy or CuPy array (CuPy's ``get`` copies to the host)."""
    return array.get() if hasattr(array, "get") else np.array(array, copy=True)
