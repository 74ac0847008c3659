"""``mg.data.DataLoader``: mini-batches over arrays that share their first dimension.

    loader = mg.data.DataLoader(x, y, batch_size=32, shuffle=True)
    for xb, yb in loader:        # always a tuple of Tensors, even for one array
        ...

Arrays may be NumPy arrays, Tensors or nested lists; each keeps its dtype
(lists follow ``mg.tensor``'s defaults). Shuffling draws from minigrad's
seeded generator, so ``mg.manual_seed`` makes the batch order reproducible;
every pass over the loader draws a new order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from . import backend
from .tensor import Tensor, as_tensor_data

__all__ = ["DataLoader"]


class DataLoader:
    """Batches of ``batch_size`` rows taken together from every array.

    ``shuffle`` draws a new order at each pass; ``drop_last`` skips a final
    batch smaller than ``batch_size``. ``len(loader)`` is the number of batches.
    """

    def __init__(self, *arrays: Any, batch_size: int = 32, shuffle: bool = False, drop_last: bool = False) -> None:
        if not arrays:
            raise ValueError("DataLoader: give at least one array")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        data = [a.data if isinstance(a, Tensor) else as_tensor_data(a) for a in arrays]
        for i, a in enumerate(data):
            if a.ndim == 0:
                raise ValueError(f"DataLoader: array {i} is a scalar; every array needs a first (sample) dimension")
        lengths = [len(a) for a in data]
        if len(set(lengths)) != 1:
            raise ValueError(f"DataLoader: the arrays must have the same length (first dimension), got {lengths}")
        self.arrays = data
        self.num_samples = lengths[0]
        self.batch_size, self.shuffle, self.drop_last = batch_size, bool(shuffle), bool(drop_last)

    def __len__(self) -> int:
        if self.drop_last:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        order = backend.host_rng().permutation(self.num_samples) if self.shuffle else None
        for b in range(len(self)):
            lo, hi = b * self.batch_size, min((b + 1) * self.batch_size, self.num_samples)
            if order is None:
                yield tuple(Tensor._make(a[lo:hi]) for a in self.arrays)
            else:
                yield tuple(Tensor._make(a[backend.asarray(order[lo:hi], backend=backend.backend_of(a))]) for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(a.shape)) for a in self.arrays)
        return (f"DataLoader({shapes}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
