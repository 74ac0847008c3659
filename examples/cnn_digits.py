"""A small convolutional network on the 8x8 digits: Conv2d, pooling, compile and fit.

    python examples/cnn_digits.py [--epochs N] [--out cnn_digits.png] [--quick]

Images go in as NCHW tensors (N, 1, 8, 8), pixel values scaled to [0, 1].
Two 3x3 convolutions with padding 1 keep the size, each followed by ReLU and
a 2x2 max-pool (8x8 -> 4x4 -> 2x2), then one Linear layer reads 32 x 2 x 2
features into 10 logits. The figure shows the first layer's 16 filters and
what they respond to in one test digit.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import minigrad as mg


def load_digits(seed: int) -> tuple[np.ndarray, ...]:
    """Train/test split (80/20), images as (N, 1, 8, 8) in [0, 1]."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit('this example needs scikit-learn: pip install "minigrad[examples]"')
    images, labels = load_digits(return_X_y=True)
    x = (images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:360], order[360:]
    return x[train], labels[train], x[test], labels[test]


def cnn() -> mg.nn.Sequential:
    return mg.nn.Sequential(
        mg.nn.Conv2d(1, 16, kernel_size=3, padding=1), mg.nn.ReLU(), mg.nn.MaxPool2d(2),   # 16 x 4 x 4
        mg.nn.Conv2d(16, 32, kernel_size=3, padding=1), mg.nn.ReLU(), mg.nn.MaxPool2d(2),  # 32 x 2 x 2
        mg.nn.Flatten(), mg.nn.Linear(32 * 2 * 2, 10),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cnn_digits.png"))
    parser.add_argument("--quick", action="store_true", help="1 epoch on 300 images")
    args = parser.parse_args()
    x_train, y_train, x_test, y_test = load_digits(seed=0)
    epochs = args.epochs
    if args.quick:
        epochs, x_train, y_train = 1, x_train[:300], y_train[:300]

    mg.manual_seed(0)
    model = cnn()
    print(model)
    print(f"{model.num_parameters()} parameters")
    model.compile(optimizer=mg.optim.Adam(lr=3e-3),
                  loss=mg.losses.get("sparse_categorical_crossentropy", from_logits=True), metrics=["accuracy"])
    began = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_data=(x_test, y_test), verbose=2)
    seconds = time.perf_counter() - began
    result = model.evaluate(x_test, y_test)
    print(f"test accuracy {result['accuracy']:.4f} ({epochs} epochs in {seconds:.1f} s)")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('the figure needs matplotlib: pip install "minigrad[examples]"')
        return
    conv1 = model[0]
    filters = conv1.weight.numpy()[:, 0]  # (16, 3, 3)
    digit = x_test[:1]
    with mg.no_grad():
        maps = mg.relu(conv1(mg.tensor(digit))).numpy()[0]  # (16, 8, 8)
    fig, axes = plt.subplots(3, 17, figsize=(17, 3.4))
    axes[1, 0].imshow(digit[0, 0], cmap="gray_r")
    axes[1, 0].set_title(f"digit {y_test[0]}", fontsize=8)
    for k in range(16):
        axes[0, k + 1].imshow(filters[k], cmap="RdBu_r", vmin=-abs(filters).max(), vmax=abs(filters).max())
        axes[1, k + 1].imshow(maps[k], cmap="viridis")
        axes[0, k + 1].set_title(f"filter {k}", fontsize=7)
    for ax in axes.flat:
        ax.axis("off")
    axes[2, 1].text(0, 0.5, "row 1: the 16 first-layer filters (3x3); row 2: ReLU(filter * digit), the feature maps "
                    f"the rest of the network reads. Test accuracy {result['accuracy']:.3f}.", fontsize=9)
    fig.savefig(args.out, dpi=100, bbox_inches="tight")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
