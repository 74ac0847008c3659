"""A long chain of small elementwise ops, forward then backward, written three ways.

The chain repeats three ops on a float32 vector: ``y * a`` (a constant
tensor), ``y + 0.1`` (a Python number) and ``tanh(y)``; the loss is
``y.sum()`` and the gradient is taken with respect to the input ``x``. With a
vector of 16 elements the arrays cost next to nothing, so the time is the
framework's per-op overhead: recording the op, then running its backward.

Every implementation has ``step()`` (forward + backward, returns the loss)
and ``grad()`` (d loss / d x after a step). ``implementations`` puts all three
on one device (see ``devices.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

import minigrad as mg
from benchmarks import devices
from benchmarks.devices import Device, host_copy

try:
    import torch
except ImportError:
    torch = None  # type: ignore[assignment]

SHIFT = 0.1


@dataclass
class ChainProblem:
    """The input ``x``, the constant ``a`` and the number of ops."""

    x: np.ndarray
    a: np.ndarray
    n_ops: int


def make_problem(n_ops: int, size: int = 16, seed: int = 0) -> ChainProblem:
    """Random float32 input and a constant near 1, so values stay in range over any length."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(size).astype(np.float32)
    a = rng.uniform(0.5, 1.5, size).astype(np.float32)
    return ChainProblem(x, a, n_ops)


def chain_step(x: Any, a: Any, n_ops: int) -> float:
    """Forward and backward through the chain; the same code runs on minigrad and PyTorch tensors."""
    x.grad = None
    y = x
    for k in range(n_ops):
        r = k % 3
        if r == 0:
            y = y * a
        elif r == 1:
            y = y + SHIFT
        else:
            y = y.tanh()
    loss = y.sum()
    loss.backward()
    return loss.item()


class MinigradChain:
    """The chain in minigrad, recorded on the tape."""

    def __init__(self, problem: ChainProblem) -> None:
        self.x = mg.tensor(problem.x, requires_grad=True)
        self.a = mg.tensor(problem.a)
        self.n_ops = problem.n_ops

    def step(self) -> float:
        return chain_step(self.x, self.a, self.n_ops)

    def grad(self) -> np.ndarray:
        return self.x.grad.numpy()


class NumpyChain:
    """The chain with its backward written out: keep each tanh output, then walk back.

    ``xp`` is the array module: ``numpy``, or ``cupy`` for the same code on the GPU.
    """

    def __init__(self, problem: ChainProblem, xp: ModuleType = np) -> None:
        self.xp = xp
        self.x, self.a = xp.array(problem.x), xp.array(problem.a)
        self.n_ops = problem.n_ops
        self.gx: Any = None

    def step(self) -> float:
        y, a = self.x, self.a
        saved = []
        for k in range(self.n_ops):
            r = k % 3
            if r == 0:
                y = y * a
            elif r == 1:
                y = y + SHIFT
            else:
                y = self.xp.tanh(y)
                saved.append(y)
        loss = float(y.sum())
        g = self.xp.ones_like(y)
        for k in range(self.n_ops - 1, -1, -1):
            r = k % 3
            if r == 0:
                g = g * a
            elif r == 2:
                t = saved.pop()
                g = g * (1 - t * t)
        self.gx = g
        return loss

    def grad(self) -> np.ndarray:
        return host_copy(self.gx)


class TorchChain:
    """The chain in PyTorch eager on ``device`` ("cpu" or "cuda")."""

    def __init__(self, problem: ChainProblem, device: str = "cpu") -> None:
        self.x = torch.tensor(problem.x, device=device, requires_grad=True)
        self.a = torch.tensor(problem.a, device=device)
        self.n_ops = problem.n_ops

    def step(self) -> float:
        return chain_step(self.x, self.a, self.n_ops)

    def grad(self) -> np.ndarray:
        return self.x.grad.cpu().numpy().copy()


def implementations(problem: ChainProblem, device: Device | None = None) -> dict[str, MinigradChain | NumpyChain | TorchChain]:
    """minigrad, the hand-written baseline (named after ``device.backend``) and torch where it runs.

    All from the same input, on ``device`` (default: the CPU).
    """
    device = device or devices.select("numpy")
    impls: dict[str, MinigradChain | NumpyChain | TorchChain] = {}
    with mg.use_backend(device.backend):
        impls["minigrad"] = MinigradChain(problem)
    impls[device.backend] = NumpyChain(problem, device.xp)
    if device.torch is not None:
        impls["torch"] = TorchChain(problem, device.torch)
    return impls
