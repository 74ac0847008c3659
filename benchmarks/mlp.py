"""One SGD step of an MLP, written three ways: minigrad, by hand in NumPy (or CuPy), PyTorch eager.

Every implementation offers the same methods, so the harness can check them
against each other before timing them:

* ``forward_backward()``: the loss, with the gradients left in place;
* ``grads()`` / ``weights()``: NumPy copies, in the order W1, b1, W2, b2, ...;
* ``update()``: in-place SGD ``p -= lr * grad``, then the gradients are dropped;
* ``step()``: the timed unit, forward + backward + update.

Weights are stored (in, out), so a layer is ``h @ W + b``. ``implementations``
puts all three on one device (see ``devices.py``): NumPy, minigrad's numpy
backend and PyTorch on the CPU, or CuPy, minigrad's cupy backend and PyTorch
on CUDA.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

import minigrad as mg
from benchmarks import devices
from benchmarks.devices import Device, host_copy

try:
    from minigrad import losses as mg_losses
except ImportError:  # the losses module is not there yet: use the composite forms below
    mg_losses = None  # type: ignore[assignment]

try:
    import torch
    import torch.nn.functional as F  # noqa: N812
except ImportError:
    torch = None  # type: ignore[assignment]


@dataclass(frozen=True)
class MLPSpec:
    """Layer sizes, hidden activation ("relu" or "tanh"), loss ("cross_entropy" or "mse"), batch, SGD rate."""

    sizes: tuple[int, ...]
    activation: str
    loss: str
    batch: int
    lr: float = 0.01


@dataclass
class Problem:
    """The same initial weights and data, handed to every implementation."""

    spec: MLPSpec
    params: list[np.ndarray]
    x: np.ndarray
    y: np.ndarray


def make_problem(spec: MLPSpec, seed: int = 0) -> Problem:
    """He-initialised float32 weights, small random biases, random inputs and targets."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:]):
        params.append((rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32))
        params.append((0.01 * rng.standard_normal(n_out)).astype(np.float32))
    x = rng.standard_normal((spec.batch, spec.sizes[0])).astype(np.float32)
    if spec.loss == "cross_entropy":
        y = rng.integers(0, spec.sizes[-1], spec.batch)
    else:
        y = rng.standard_normal((spec.batch, spec.sizes[-1])).astype(np.float32)
    return Problem(spec, params, x, y)


class MLPStep:
    """What the harness needs from an implementation."""

    def forward_backward(self) -> float:
        raise NotImplementedError

    def update(self) -> None:
        raise NotImplementedError

    def grads(self) -> list[np.ndarray]:
        raise NotImplementedError

    def weights(self) -> list[np.ndarray]:
        raise NotImplementedError

    def step(self) -> float:
        """Forward + backward + SGD update."""
        loss = self.forward_backward()
        self.update()
        return loss


# ---------------------------------------------------------------- minigrad

def composite_cross_entropy(logits: mg.Tensor, labels: mg.Tensor) -> mg.Tensor:
    """Mean softmax cross-entropy on integer labels, from minigrad ops."""
    rows = mg.arange(logits.shape[0])
    return -(mg.log_softmax(logits, axis=-1)[rows, labels]).mean()


def composite_mse(pred: mg.Tensor, target: mg.Tensor) -> mg.Tensor:
    """Mean squared error, from minigrad ops."""
    d = pred - target
    return (d * d).mean()


def minigrad_loss(name: str) -> tuple[Callable[[mg.Tensor, mg.Tensor], mg.Tensor], str]:
    """``mg.losses.<name>`` when minigrad has it (the fused op), else the composite form; and a label."""
    fused = getattr(mg_losses, name, None)
    if fused is not None:
        return fused, f"mg.losses.{name}"
    composite = {"cross_entropy": composite_cross_entropy, "mse": composite_mse}[name]
    return composite, f"{composite.__name__} (no mg.losses.{name} found)"


def mlp_forward_backward(x: Any, y: Any, layers: list[tuple[Any, Any]], activation: Callable[[Any], Any],
                         loss_fn: Callable[[Any, Any], Any]) -> float:
    """Forward, loss and backward; the same code runs on minigrad and PyTorch tensors."""
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = activation(h)
    loss = loss_fn(h, y)
    loss.backward()
    return loss.item()


class MinigradMLP(MLPStep):
    """The MLP in minigrad: ops recorded on the tape, ``loss.backward()``, SGD on ``p.data``."""

    def __init__(self, problem: Problem) -> None:
        spec = problem.spec
        self.params = [mg.tensor(p, requires_grad=True) for p in problem.params]
        self.layers = list(zip(self.params[0::2], self.params[1::2]))
        self.x, self.y = mg.tensor(problem.x), mg.tensor(problem.y)
        self.activation = mg.relu if spec.activation == "relu" else mg.tanh
        self.loss_fn, self.loss_name = minigrad_loss(spec.loss)
        self.lr = spec.lr

    def forward_backward(self) -> float:
        return mlp_forward_backward(self.x, self.y, self.layers, self.activation, self.loss_fn)

    def update(self) -> None:
        for p in self.params:
            p.data -= self.lr * p.grad.data
            p.grad = None

    def grads(self) -> list[np.ndarray]:
        return [p.grad.numpy() for p in self.params]

    def weights(self) -> list[np.ndarray]:
        return [p.numpy() for p in self.params]


# ---------------------------------------------------------------- NumPy (or CuPy), by hand

class NumpyMLP(MLPStep):
    """The same MLP with forward and backward written out in NumPy: the floor for a NumPy framework.

    ``xp`` is the array module: ``numpy``, or ``cupy`` for the same code on the GPU.
    """

    def __init__(self, problem: Problem, xp: ModuleType = np) -> None:
        self.xp = xp
        self.params = [xp.array(p) for p in problem.params]
        self.layers = list(zip(self.params[0::2], self.params[1::2]))
        self.x, self.y = xp.array(problem.x), xp.array(problem.y)
        self.spec = problem.spec
        self.gradients: list[Any] = []

    def forward_backward(self) -> float:
        last = len(self.layers) - 1
        inputs = []  # each layer's input, which its backward needs
        h = self.x
        for i, (w, b) in enumerate(self.layers):
            inputs.append(h)
            h = h @ w
            h += b
            if i < last:
                self._activate(h)
        loss, g = self._loss(h)
        grads: list[Any] = [None] * len(self.params)
        for i in range(last, -1, -1):
            a, w = inputs[i], self.layers[i][0]
            grads[2 * i] = a.T @ g
            grads[2 * i + 1] = g.sum(axis=0)
            if i > 0:
                g = g @ w.T
                self._activation_backward(g, a)
        self.gradients = grads
        return loss

    def _activate(self, z: Any) -> None:
        """The hidden activation, in place."""
        if self.spec.activation == "relu":
            self.xp.maximum(z, 0, out=z)
        else:
            self.xp.tanh(z, out=z)

    def _activation_backward(self, g: Any, a: Any) -> None:
        """``g`` times the activation's derivative, in place; ``a`` is the activation's output."""
        if self.spec.activation == "relu":
            g *= a > 0
        else:
            g *= 1 - a * a

    def _loss(self, out: Any) -> tuple[float, Any]:
        """The mean loss and its gradient with respect to ``out`` (which may be overwritten)."""
        xp, n = self.xp, len(out)
        if self.spec.loss == "cross_entropy":
            rows = xp.arange(n)
            out -= out.max(axis=1, keepdims=True)
            e = xp.exp(out)
            s = e.sum(axis=1, keepdims=True)
            loss = float(xp.log(s).mean() - out[rows, self.y].mean())
            e /= s
            e[rows, self.y] -= 1
            e /= n
            return loss, e
        d = out - self.y
        loss = float((d * d).mean())
        d *= 2.0 / d.size
        return loss, d

    def update(self) -> None:
        for p, g in zip(self.params, self.gradients):
            p -= self.spec.lr * g
        self.gradients = []

    def grads(self) -> list[np.ndarray]:
        return [host_copy(g) for g in self.gradients]

    def weights(self) -> list[np.ndarray]:
        return [host_copy(p) for p in self.params]


# ---------------------------------------------------------------- PyTorch eager

class TorchMLP(MLPStep):
    """The same MLP in PyTorch eager on ``device`` ("cpu" or "cuda"), with its fused losses."""

    def __init__(self, problem: Problem, device: str = "cpu") -> None:
        spec = problem.spec
        self.params = [torch.tensor(p, device=device, requires_grad=True) for p in problem.params]
        self.layers = list(zip(self.params[0::2], self.params[1::2]))
        self.x, self.y = torch.tensor(problem.x, device=device), torch.tensor(problem.y, device=device)
        self.activation = torch.relu if spec.activation == "relu" else torch.tanh
        self.loss_fn: Any = F.cross_entropy if spec.loss == "cross_entropy" else F.mse_loss
        self.lr = spec.lr

    def forward_backward(self) -> float:
        return mlp_forward_backward(self.x, self.y, self.layers, self.activation, self.loss_fn)

    def update(self) -> None:
        with torch.no_grad():
            for p in self.params:
                p -= self.lr * p.grad
                p.grad = None

    def grads(self) -> list[np.ndarray]:
        return [p.grad.cpu().numpy().copy() for p in self.params]

    def weights(self) -> list[np.ndarray]:
        return [p.detach().cpu().numpy().copy() for p in self.params]


def implementations(problem: Problem, device: Device | None = None) -> dict[str, MLPStep]:
    """minigrad, the hand-written baseline (named after ``device.backend``) and torch where it runs.

    All from the same initial weights, on ``device`` (default: the CPU).
    """
    device = device or devices.select("numpy")
    impls: dict[str, MLPStep] = {}
    with mg.use_backend(device.backend):
        impls["minigrad"] = MinigradMLP(problem)
    impls[device.backend] = NumpyMLP(problem, device.xp)
    if device.torch is not None:
        impls["torch"] = TorchMLP(problem, device.torch)
    return impls
