"""Losses: ``loss(prediction, target, *, options..., reduction="mean")``.

    import minigrad as mg
    loss = mg.losses.sparse_categorical_crossentropy(logits, labels, from_logits=True)
    loss = mg.losses.get("huber", delta=2.0)(prediction, target)

Every loss takes ``reduction="mean" | "sum" | "none"``. ``"none"`` keeps one
value per element for the elementwise losses (regression, binary, hinge) and
one per sample for those that sum over a class or feature axis
(cross-entropies, ``kl_divergence``, ``cosine_similarity_loss``).

| module         | losses                                                                     |
|----------------|----------------------------------------------------------------------------|
| ``regression`` | mse, mae, huber, smooth_l1, pseudo_huber, log_cosh, cosine_similarity_loss |
| ``binary``     | binary_crossentropy(_with_logits), weighted_cross_entropy_with_logits,     |
|                | hinge, squared_hinge                                                       |
| ``categorical``| categorical_crossentropy, sparse_categorical_crossentropy,                 |
|                | softmax_cross_entropy_with_logits, cross_entropy, nll_loss, kl_divergence  |

Losses named as PyTorch names them match PyTorch; those named as Keras names
them match Keras 3 for ``reduction="mean"``. Cross-entropies from logits run
through two fused ops (``minigrad.ops.cross_entropy``) that are exact and
finite for any finite logit. Bad input raises ValueError naming the loss.
"""

from .binary import (
    binary_crossentropy,
    binary_crossentropy_with_logits,
    hinge,
    squared_hinge,
    weighted_cross_entropy_with_logits,
)
from .categorical import (
    categorical_crossentropy,
    cross_entropy,
    kl_divergence,
    nll_loss,
    softmax_cross_entropy_with_logits,
    sparse_categorical_crossentropy,
)
from .common import REDUCTIONS
from .registry import get, names
from .regression import cosine_similarity_loss, huber, log_cosh, mae, mse, pseudo_huber, smooth_l1

mean_squared_error = mse
mean_absolute_error = l1 = mae
sigmoid_cross_entropy_with_logits = binary_crossentropy_with_logits
kld = kl_divergence

__all__ = [
    "get", "names", "REDUCTIONS",
    "mse", "mean_squared_error", "mae", "l1", "mean_absolute_error", "huber", "smooth_l1", "pseudo_huber",
    "log_cosh", "cosine_similarity_loss",
    "binary_crossentropy", "binary_crossentropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits", "hinge", "squared_hinge",
    "categorical_crossentropy", "softmax_cross_entropy_with_logits", "sparse_categorical_crossentropy",
    "cross_entropy", "nll_loss", "kl_divergence", "kld",
]
