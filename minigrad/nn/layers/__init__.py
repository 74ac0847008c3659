"""The layers of ``mg.nn``, one family per module."""

from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .containers import ModuleList, Sequential
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .linear import Dropout, Embedding, Flatten, Linear
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = [
    "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "BatchNorm1d", "BatchNorm2d",
    "LayerNorm", "Embedding", "Sequential", "ModuleList", "ReLU", "Tanh", "Sigmoid", "GELU", "LeakyReLU",
    "ELU", "SiLU", "Softmax", "LogSoftmax",
]
