"""Binary classification: sigmoid cross-entropy vs hinge, same network, same start.

    python examples/binary_classification.py [--epochs N] [--out binary_classification.png] [--quick]

Two interleaved half-moons, a 2-32-32-1 MLP that outputs one score ``f(x)``,
trained twice with ``compile`` / ``fit`` from the same initial weights:

* ``binary_crossentropy_with_logits``: ``log(1 + exp(-y f(x)))`` with labels
  ``y = +-1``. The score is a logit, ``sigmoid(f(x))`` a probability. The loss
  never reaches zero, so every point keeps pulling the boundary a little.
* ``hinge``: ``max(0, 1 - y f(x))``. Points beyond the margin ``y f(x) >= 1``
  cost nothing and stop mattering; only points near the boundary (the
  support vectors) shape it. The score is not a probability.

The figure shows both decision boundaries, and the margins ``y f(x)`` of the
training points: cross-entropy spreads them out, hinge stacks them at 1.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import minigrad as mg


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's make_moons), labels 0 and 1."""
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    x = x + rng.normal(scale=noise, size=x.shape)
    return ((x - [0.5, 0.25]) / [0.87, 0.5]).astype(np.float32), (~upper).astype(np.float32).reshape(-1, 1)


def model() -> mg.nn.Module:
    mg.manual_seed(0)  # the same initial weights (and batch order) for both losses
    return mg.nn.Sequential(mg.nn.Linear(2, 32), mg.nn.ReLU(), mg.nn.Linear(32, 32), mg.nn.ReLU(), mg.nn.Linear(32, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "binary_classification.png"))
    parser.add_argument("--quick", action="store_true", help="5 epochs")
    args = parser.parse_args()
    epochs = 5 if args.quick else args.epochs
    rng = np.random.default_rng(0)
    x_train, y_train = moons(800, 0.25, rng)
    x_test, y_test = moons(400, 0.25, rng)

    trained = {}
    for loss in ("binary_crossentropy_with_logits", "hinge"):
        net = model()
        net.compile(optimizer=mg.optim.Adam(lr=3e-3), loss=loss)  # hinge maps labels {0, 1} to {-1, +1}
        began = time.perf_counter()
        history = net.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        score = net.predict(x_test)
        accuracy = float(np.mean((score > 0) == (y_test > 0.5)))  # a score above 0 predicts class 1
        print(f"{loss:<32} final loss {history.history['loss'][-1]:.4f}  test accuracy {accuracy:.3f}  "
              f"({time.perf_counter() - began:.1f} s)")
        trained[loss] = net

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('the figure needs matplotlib: pip install "minigrad[examples]"')
        return
    (x0, y0), (x1, y1) = x_train.min(axis=0) - 0.3, x_train.max(axis=0) + 0.3
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    grid = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    labels = {"binary_crossentropy_with_logits": "sigmoid cross-entropy", "hinge": "hinge"}
    for ax, (loss, net) in zip(axes, trained.items()):
        score = net.predict(grid).reshape(gx.shape)
        if loss == "hinge":
            ax.contourf(gx, gy, np.clip(score, -1, 1), levels=20, cmap="RdBu_r", alpha=0.6)
            ax.contour(gx, gy, score, levels=[-1, 0, 1], colors="k", linestyles=[":", "-", ":"])
            ax.set_title("hinge: boundary f = 0, margins f = +-1")
        else:
            ax.contourf(gx, gy, 1 / (1 + np.exp(-score)), levels=20, cmap="RdBu_r", alpha=0.6)
            ax.contour(gx, gy, score, levels=[0], colors="k")
            ax.set_title("sigmoid cross-entropy: P(class 1) and boundary")
        ax.scatter(*x_train.T, c=y_train.ravel(), cmap="RdBu_r", s=6, edgecolors="k", linewidths=0.2)
        sign = 2 * y_train - 1
        margins = (sign * net.predict(x_train)).ravel()
        axes[2].hist(np.clip(margins, -3, 8), bins=60, alpha=0.6, label=labels[loss])
    axes[2].axvline(1, color="k", linestyle=":")
    axes[2].set(title="training margins y f(x) (clipped to [-3, 8])", xlabel="y f(x)", ylabel="points")
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
