"""Optimizers on the Rosenbrock function, their paths drawn on its contour plot.

    python examples/rosenbrock.py [--steps N] [--out rosenbrock.png] [--quick]

f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 has its minimum f = 0 at (1, 1), at the
end of a long, curved, nearly flat valley: easy to fall into, slow to follow.
Every optimizer starts at (-1.5, 2) and takes the same number of steps, each
one a forward pass, ``backward()`` and ``opt.step()`` on a 2-element tensor.

What to look for: plain SGD must use a tiny learning rate (the walls are
steep) and crawls along the valley floor; momentum carries speed along it;
Adam-style methods normalise each coordinate's step, so they move at about
``lr`` per step wherever they are; Adagrad's steps only shrink.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import minigrad as mg

START = (-1.5, 2.0)
# (label, optimizer name, options): learning rates tuned by hand for this start
OPTIMIZERS = [
    ("sgd lr=5e-4", "sgd", {"lr": 5e-4}),
    ("momentum lr=1e-4", "momentum", {"lr": 1e-4}),
    ("nesterov lr=1e-4", "nesterov", {"lr": 1e-4}),
    ("adagrad lr=0.3", "adagrad", {"lr": 0.3}),
    ("rmsprop lr=0.01", "rmsprop", {"lr": 0.01}),
    ("adam lr=0.05", "adam", {"lr": 0.05}),
    ("nadam lr=0.05", "nadam", {"lr": 0.05}),
    ("lion lr=0.005", "lion", {"lr": 0.005}),
]


def rosenbrock(p: mg.Tensor) -> mg.Tensor:
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def trajectory(name: str, options: dict, steps: int) -> np.ndarray:
    """The points an optimizer visits from START, one per step."""
    p = mg.tensor(START, dtype=mg.float64, requires_grad=True)
    opt = mg.optim.get(name, **options)
    opt.add_param_group({"params": [p]})
    path = [p.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        rosenbrock(p).backward()
        opt.step()
        path.append(p.numpy().copy())
    return np.array(path)


def plot(paths: dict[str, np.ndarray], out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
    fs = (1 - xs) ** 2 + 100 * (ys - xs**2) ** 2
    fig, axes = plt.subplots(2, (len(paths) + 1) // 2, figsize=(4 * ((len(paths) + 1) // 2), 8.4), sharex=True, sharey=True)
    for ax, (label, path) in zip(axes.flat, paths.items()):
        ax.contour(xs, ys, fs, levels=np.logspace(-1, 3.5, 14), cmap="viridis", linewidths=0.6, alpha=0.6)
        ax.plot(path[:, 0], path[:, 1], "-", color="crimson", linewidth=1.2)
        ax.plot(*path[-1], "o", color="crimson", markersize=5)
        ax.plot(*START, "ks", markersize=5)
        ax.plot(1, 1, "*", color="gold", markeredgecolor="k", markersize=13)
        x, y = path[-1]
        ax.set_title(f"{label}\nf = {(1 - x) ** 2 + 100 * (y - x**2) ** 2:.2g} at ({x:.2f}, {y:.2f})", fontsize=9)
        ax.set(xlim=(-2, 2), ylim=(-1, 3))
    fig.suptitle(f"Rosenbrock from {START} (square) to the minimum (1, 1) (star): {len(path) - 1} steps each")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "rosenbrock.png"))
    parser.add_argument("--quick", action="store_true", help="200 steps")
    args = parser.parse_args()
    steps = 200 if args.quick else args.steps
    began = time.perf_counter()
    paths = {}
    print(f"{'optimizer':<18} {'final x':>8} {'final y':>8} {'f(x, y)':>10} {'distance to (1, 1)':>19}")
    for label, name, options in OPTIMIZERS:
        paths[label] = path = trajectory(name, options, steps)
        x, y = path[-1]
        f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
        print(f"{label:<18} {x:8.4f} {y:8.4f} {f:10.2e} {np.hypot(x - 1, y - 1):19.4f}")
    print(f"{len(OPTIMIZERS)} x {steps} steps in {time.perf_counter() - began:.1f} s")
    try:
        plot(paths, args.out)
    except ImportError:
        print('the figure needs matplotlib: pip install "minigrad[examples]"')


if __name__ == "__main__":
    main()
