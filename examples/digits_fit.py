"""Handwritten digits with the Keras-style training API: compile, fit, evaluate, predict.

    python examples/digits_fit.py [--epochs N] [--out digits_fit.png] [--quick]

scikit-learn's digits (1797 images of 8x8 pixels, 10 classes), an MLP
64-128-10 that outputs logits, Adam, and early stopping on a validation split.
The figure shows the learning curves and the test digits the model gets wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import minigrad as mg


def load_digits(seed: int) -> tuple[np.ndarray, ...]:
    """Train/test split (80/20) of the digits, standardised with the training statistics."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit('this example needs scikit-learn: pip install "minigrad[examples]"')
    images, labels = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(images))
    test, train = order[:360], order[360:]
    mean, std = images[train].mean(axis=0), images[train].std(axis=0) + 1e-8
    x = ((images - mean) / std).astype(np.float32)
    return x[train], labels[train], x[test], labels[test], images[test]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits_fit.png"))
    parser.add_argument("--quick", action="store_true", help="2 epochs")
    args = parser.parse_args()
    epochs = 2 if args.quick else args.epochs
    x_train, y_train, x_test, y_test, test_images = load_digits(seed=0)

    mg.manual_seed(0)
    model = mg.nn.Sequential(mg.nn.Linear(64, 128), mg.nn.ReLU(), mg.nn.Dropout(0.2), mg.nn.Linear(128, 10))
    model.compile(
        optimizer=mg.optim.Adam(lr=1e-3),
        loss=mg.losses.get("sparse_categorical_crossentropy", from_logits=True),  # the model outputs logits
        metrics=["accuracy"],
    )
    print(model)
    began = time.perf_counter()
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1,
        callbacks=[mg.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)],
        verbose=2,
    )
    seconds = time.perf_counter() - began
    result = model.evaluate(x_test, y_test)
    predicted = model.predict(x_test).argmax(axis=1)
    print(f"test loss {result['loss']:.4f}, test accuracy {result['accuracy']:.4f} "
          f"({len(history.history['loss'])} epochs in {seconds:.1f} s)")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('the figure needs matplotlib: pip install "minigrad[examples]"')
        return
    wrong = np.flatnonzero(predicted != y_test)[:12]
    fig = plt.figure(figsize=(13, 4.5))
    ax_loss, ax_acc = fig.add_subplot(1, 3, 1), fig.add_subplot(1, 3, 2)
    for key, ax in (("loss", ax_loss), ("accuracy", ax_acc)):
        ax.plot(history.history[key], label="train")
        ax.plot(history.history[f"val_{key}"], label="validation")
        ax.set(xlabel="epoch", title=key)
        ax.legend()
    grid = fig.add_gridspec(3, 12, left=0.69, right=0.99, wspace=0.1, hspace=0.5)
    for k, i in enumerate(wrong):
        ax = fig.add_subplot(grid[k // 4, 3 * (k % 4):3 * (k % 4) + 3])
        ax.imshow(test_images[i].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"{y_test[i]} as {predicted[i]}", fontsize=8)
        ax.axis("off")
    fig.suptitle(f"digits: test accuracy {result['accuracy']:.3f}; right: wrong answers (true as predicted)")
    fig.savefig(args.out, dpi=100, bbox_inches="tight")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
