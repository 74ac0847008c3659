"""The same training on the CPU (NumPy) and on an NVIDIA GPU (CuPy), timed side by side.

    python examples/gpu.py [--epochs N] [--quick]

minigrad's code is the same on both: only the backend changes, with
``mg.use_backend("cupy")`` (or ``MINIGRAD_BACKEND=cupy`` before the import, or
``model.to("cupy")``). Tensors created while a backend is active live on it,
and ``fit`` moves the data it is given to the model's backend.

Without CuPy or without a CUDA device, this says which is missing and how to
install it, and exits normally.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad as mg


def teacher_data(n: int, d: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and the labels a random teacher network gives them: learnable, but not trivially."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d)).astype(np.float32)
    w1, w2 = rng.normal(size=(d, 64)) / np.sqrt(d), rng.normal(size=(64, classes)) / 8
    return x, np.argmax(np.tanh(x @ w1) @ w2, axis=1).astype(np.int64)


def train(backend: str, x: np.ndarray, y: np.ndarray, epochs: int, hidden: int) -> tuple[float, float]:
    """Train on ``backend``; return the final training loss and the seconds per epoch."""
    with mg.use_backend(backend):
        mg.manual_seed(0)  # the same weights and batch order on both backends
        model = mg.nn.Sequential(mg.nn.Linear(x.shape[1], hidden), mg.nn.ReLU(), mg.nn.Linear(hidden, hidden),
                                 mg.nn.ReLU(), mg.nn.Linear(hidden, int(y.max()) + 1))
        model.compile(optimizer="adam", loss=mg.losses.get("sparse_categorical_crossentropy", from_logits=True))
        model.fit(x[:256], y[:256], epochs=1, batch_size=256, verbose=0)  # warm-up: CUDA kernels compile on first use
        began = time.perf_counter()
        history = model.fit(x, y, epochs=epochs, batch_size=256, verbose=0)
        return history.history["loss"][-1], (time.perf_counter() - began) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smaller network, 1 epoch")
    args = parser.parse_args()
    try:
        mg.set_backend("cupy")
    except RuntimeError as err:
        print(f"no GPU run: {err}")
        print('on a machine with an NVIDIA GPU and CUDA 12: pip install "minigrad[cuda]", then run this again')
        return
    mg.set_backend("numpy")
    epochs, hidden = (1, 256) if args.quick else (args.epochs, 2048)
    x, y = teacher_data(8192, 512, 10)
    print(f"MLP 512-{hidden}-{hidden}-10, {len(x)} samples, batch 256, {epochs} epochs, float32")
    results = {name: train(name, x, y, epochs, hidden) for name in ("numpy", "cupy")}
    for name, (loss, seconds) in results.items():
        print(f"{name:>6}: final loss {loss:.5f}, {seconds:.3f} s per epoch")
    print(f"speed-up {results['numpy'][1] / results['cupy'][1]:.1f}x; "
          f"loss difference {abs(results['numpy'][0] - results['cupy'][0]):.1e} (float32 rounding)")


if __name__ == "__main__":
    main()
