"""``mg.nn``: modules, layers, layer functions (``mg.nn.functional``), initialisers (``mg.nn.init``)
and gradient utilities (``mg.nn.utils``)."""

from . import functional, init, utils
from .layers import (
    ELU,
    GELU,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from .module import IncompatibleKeys, Module, Parameter

__all__ = [
    "functional", "init", "utils", "Module", "Parameter", "IncompatibleKeys",
    "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "BatchNorm1d", "BatchNorm2d",
    "LayerNorm", "Embedding", "Sequential", "ModuleList", "ReLU", "Tanh", "Sigmoid", "GELU", "LeakyReLU",
    "ELU", "SiLU", "Softmax", "LogSoftmax",
]
