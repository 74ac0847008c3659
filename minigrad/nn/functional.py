"""``mg.nn.functional``: the layer ops as functions, as ``torch.nn.functional``.

    import minigrad.nn.functional as F
    y = F.relu(F.conv2d(x, weight, bias, padding=1))

``linear``, ``dropout`` and ``embedding`` live here (compositions of core
ops); convolution, pooling and normalisation come from ``minigrad.ops``; the
activations are re-exported so one namespace holds everything a layer needs.
"""

from __future__ import annotations

from typing import Any

from .. import backend, dtypes
from ..ops.activation import elu, gelu, leaky_relu, relu, selu, sigmoid, silu, softplus, tanh
from ..ops.conv import conv2d
from ..ops.elementwise import where
from ..ops.linalg import Linear
from ..ops.norm import batch_norm, layer_norm
from ..ops.pool import avg_pool2d, max_pool2d
from ..ops.softmax_family import log_softmax, softmax
from ..tensor import Tensor

__all__ = [
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout", "batch_norm", "layer_norm", "embedding",
    "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus", "sigmoid", "tanh", "softmax", "log_softmax",
]


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, with W of shape (out_features, in_features) as PyTorch; x is (..., in_features)."""
    if weight.ndim != 2 or x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: the input's last dimension must equal in_features; got input {x.shape} and weight "
            f"{weight.shape} (out_features, in_features)"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    return Linear.apply(x, weight) if bias is None else Linear.apply(x, weight, bias)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by 1 / (1 - p).

    The expectation is unchanged, so evaluation (``training=False``) is the
    identity. The mask is drawn from minigrad's seeded generator.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    keep = backend.host_rng().random(x.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = backend.asarray(keep * scale, dtype=x.dtype, backend=x.backend)
    return x * Tensor._make(mask)


def padding_index(op: str, padding_idx: int | None, num_embeddings: int) -> int | None:
    """``padding_idx`` as a row number in [0, num_embeddings): negative values count from the end."""
    if padding_idx is None:
        return None
    if not isinstance(padding_idx, int) or isinstance(padding_idx, bool):
        raise TypeError(f"{op}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(
            f"{op}: padding_idx must lie in [-{num_embeddings}, {num_embeddings}) for {num_embeddings} embeddings, "
            f"got {padding_idx}"
        )
    return padding_idx % num_embeddings


def embedding(indices: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by integer ``indices`` of any shape.

    out[..., :] = weight[indices[...], :]; the gradient adds up into the rows
    that were picked (repeated indices accumulate). As PyTorch, the row
    ``padding_idx`` (negative counts from the end) is read like any other but
    gets no gradient: d out / d weight[padding_idx] is taken to be 0.
    """
    idx = indices.data if isinstance(indices, Tensor) else backend.asarray(indices, backend=weight.backend)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be (num_embeddings, embedding_dim), got shape {weight.shape}")
    pad = padding_index("embedding", padding_idx, weight.shape[0])
    if idx.size and bool(((idx < 0) | (idx >= weight.shape[0])).any()):  # one read from the device
        raise ValueError(
            f"embedding: indices must lie in [0, {weight.shape[0]}), got range [{int(idx.min())}, {int(idx.max())}]"
        )
    picked = weight[idx.astype(dtypes.int64, copy=False)]
    if pad is None or not picked.requires_grad:
        return picked
    # the same values, but positions that read the padding row pass no gradient back
    return where(Tensor._make(idx[..., None] != pad), picked, picked.detach())
