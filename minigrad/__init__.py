"""minigrad: a small, readable, tape-based reverse-mode autograd over NumPy (or CuPy).

    import minigrad as mg
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad            # tensor([2., 4., 6.])
"""

from . import callbacks, checkpoint, data, losses, metrics, nn, optim, training
from . import ops as _ops  # installs the Tensor operators and methods
from .anomaly import detect_anomaly
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .backend import get_backend, set_backend, use_backend
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .differentiate import grad
from .dtypes import bool_, float32, float64, int32, int64
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .introspection import to_dot, trace
from .ops import *  # noqa: F403
from .ops import __all__ as _ops_all
from .random import manual_seed, rand, rand_like, randint, randn, randn_like, randperm
from .serialization import load, save
from .tape import GradientTape
from .tensor import Tensor

__version__ = "0.1.0"
bool = bool_  # noqa: A001  (mg.bool, as the SPEC names it)

__all__ = [
    "nn", "optim", "Tensor", "Function", "grad", "gradcheck", "gradgradcheck", "GradcheckError",
    "trace", "to_dot", "GradientTape", "detect_anomaly", "losses", "metrics",
    "data", "training", "callbacks", "checkpoint", "save", "load",
    "tensor", "zeros", "ones", "full", "empty", "arange", "linspace",
    "eye", "zeros_like", "ones_like", "full_like", "empty_like", "rand", "randn", "randint",
    "rand_like", "randn_like", "randperm", "manual_seed", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "get_backend", "set_backend", "use_backend",
    "float32", "float64", "int32", "int64", "bool", "__version__", *_ops_all,
]
del _ops
