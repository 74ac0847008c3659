"""Dense layers and their companions: ``Linear``, ``Embedding``, ``Flatten``, ``Dropout``."""

from __future__ import annotations

import math
from typing import Any

from ... import dtypes
from ...creation import empty
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module, Parameter

__all__ = ["Linear", "Embedding", "Flatten", "Dropout", "reset_weight_and_bias", "float_dtype"]


def float_dtype(dtype: Any) -> Any:
    """The dtype of a layer's parameters: the default float (float32) unless given; floats only."""
    dt = dtypes.DEFAULT_FLOAT if dtype is None else dtypes.as_dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"layers need a float dtype, got {dt}")
    return dt


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv2d: weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias likewise.

    (``kaiming_uniform_`` with a = sqrt(5) gives exactly that bound for the weight.)
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = init.calculate_fan_in_and_fan_out(weight)[0]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features), as ``torch.nn.Linear``."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        dt = float_dtype(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dt))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Embedding(Module):
    """A lookup table: integer indices of any shape pick rows of ``weight`` (num_embeddings, embedding_dim).

    The weight starts as N(0, 1) samples, as ``torch.nn.Embedding``. With
    ``padding_idx`` (negative counts from the end; stored as the row number,
    as PyTorch), that row starts as zeros and never receives a gradient, so it
    stays what it was set to while the other rows train.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = F.padding_index("Embedding", padding_idx, num_embeddings)
        self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=float_dtype(dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, indices: Any) -> Tensor:
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx}"


class Flatten(Module):
    """Merge dimensions ``start_dim`` .. ``end_dim`` (by default all but the batch dimension)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout in training mode (zero with probability p, scale by 1/(1-p)); identity in eval mode."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
