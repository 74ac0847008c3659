"""Linear regression with MSE and Adam, done right, checked against the exact least-squares answer.

    python examples/linear_regression.py [--epochs N] [--out linear_regression.png] [--quick]

The classic first example, with the details that make it work on real data:

1. hold out a validation set before looking at the data;
2. standardise the features with the *training* mean and standard deviation
   (here the raw features differ in scale by 1000x; unscaled, one learning
   rate cannot suit every weight);
3. shuffled mini-batches (``mg.data.DataLoader``), ``zero_grad`` before each
   ``backward``, evaluation under ``mg.no_grad()``;
4. decay the learning rate (cosine): at a constant rate, mini-batch noise
   keeps the weights jittering around the optimum instead of settling on it;
5. compare with the closed-form solution (``numpy.linalg.lstsq``): gradient
   descent should reach the same weights and the same validation loss.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

import minigrad as mg


def make_data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y = X w + 3 + noise, with features on very different scales."""
    scales = np.array([1.0, 10.0, 1000.0, 0.1])
    x = rng.normal(size=(n, len(scales))) * scales
    w = np.array([2.0, -0.3, 0.004, 15.0])
    y = x @ w + 3.0 + rng.normal(scale=0.5, size=n)
    return x.astype(np.float32), y.astype(np.float32).reshape(-1, 1), w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "linear_regression.png"))
    parser.add_argument("--quick", action="store_true", help="10 epochs")
    args = parser.parse_args()
    epochs = 10 if args.quick else args.epochs
    mg.manual_seed(0)
    rng = np.random.default_rng(0)

    x, y, w_true = make_data(1000, rng)
    order = rng.permutation(len(x))
    train, val = order[:800], order[800:]  # 1. hold out 20%
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    x = (x - mean) / std  # 2. training statistics only
    x_train, y_train, x_val, y_val = x[train], y[train], x[val], y[val]

    # 5. the answer gradient descent should find: least squares on [x, 1]
    design = np.hstack([x_train, np.ones((len(x_train), 1), np.float32)])
    exact, *_ = np.linalg.lstsq(design.astype(np.float64), y_train.astype(np.float64), rcond=None)
    exact_val_mse = float(np.mean((np.hstack([x_val, np.ones((len(x_val), 1))]) @ exact - y_val) ** 2))

    w = mg.zeros(x.shape[1], 1, requires_grad=True)
    b = mg.zeros(1, requires_grad=True)
    opt = mg.optim.Adam([w, b], lr=0.1)
    schedule = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)  # 4. from 0.1 down to 0
    loader = mg.data.DataLoader(x_train, y_train, batch_size=32, shuffle=True)
    history = {"train": [], "val": []}
    for epoch in range(1, epochs + 1):
        total = 0.0
        for xb, yb in loader:  # 3. shuffled mini-batches
            loss = mg.losses.mse(xb @ w + b, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        schedule.step()
        with mg.no_grad():
            val_mse = mg.losses.mse(mg.tensor(x_val) @ w + b, mg.tensor(y_val)).item()
        history["train"].append(total / len(x_train))
        history["val"].append(val_mse)
        if epoch == 1 or epoch % 10 == 0 or epoch == epochs:
            print(f"epoch {epoch:3d}  train mse {history['train'][-1]:10.4f}  val mse {val_mse:8.4f}")

    learned = np.vstack([w.numpy(), b.numpy().reshape(1, 1)]).ravel()
    print(f"least squares    val mse {exact_val_mse:8.4f}")
    print("weights (standardised features, then bias):")
    print("  adam         ", np.round(learned, 4))
    print("  least squares", np.round(exact.ravel(), 4))
    print("  true         ", np.round(np.append(w_true * std, 3.0 + w_true @ mean), 4))
    print(f"max |adam - least squares| = {np.abs(learned - exact.ravel()).max():.4f}")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('the figure needs matplotlib: pip install "minigrad[examples]"')
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(range(1, epochs + 1), history["train"], label="train")
    ax1.plot(range(1, epochs + 1), history["val"], label="validation")
    ax1.axhline(exact_val_mse, color="k", linestyle=":", label="least squares (validation)")
    ax1.set(yscale="log", xlabel="epoch", ylabel="MSE", title="MSE + Adam (lr 0.1, cosine decay, batch 32)")
    ax1.legend()
    with mg.no_grad():
        pred = (mg.tensor(x_val) @ w + b).numpy()
    ax2.scatter(y_val, pred, s=8, alpha=0.6)
    lims = [float(min(y_val.min(), pred.min())), float(max(y_val.max(), pred.max()))]
    ax2.plot(lims, lims, "k:", linewidth=1)
    ax2.set(xlabel="true y", ylabel="predicted y", title="validation set")
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
