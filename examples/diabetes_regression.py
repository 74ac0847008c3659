"""Regression with compile / fit on scikit-learn's diabetes data, against the predict-the-mean baseline.

    python examples/diabetes_regression.py [--epochs N] [--quick]

442 patients, 10 standardised features, a disease-progression score to
predict. A small MLP trained with ``loss="mse", metrics=["mae"]``, early
stopping on a validation split (keeping the best weights), and a
learning-rate schedule through a callback. The baseline predicts the
training mean for everyone; a useful model must beat it clearly.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import minigrad as mg


def load(seed: int) -> tuple[np.ndarray, ...]:
    """Train/test split (80/20); features and target standardised with the training statistics."""
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        sys.exit('this example needs scikit-learn: pip install "minigrad[examples]"')
    x, y = load_diabetes(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:88], order[88:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    x = (x - mean) / std
    return x[train], y[train], x[test], y[test]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="5 epochs")
    args = parser.parse_args()
    epochs = 5 if args.quick else args.epochs
    x_train, y_train, x_test, y_test = load(seed=0)
    y_mean, y_std = y_train.mean(), y_train.std()

    mg.manual_seed(0)
    model = mg.nn.Sequential(mg.nn.Linear(10, 32), mg.nn.ReLU(), mg.nn.Dropout(0.1), mg.nn.Linear(32, 1))
    model.compile(optimizer=mg.optim.Adam(lr=3e-3), loss="mse", metrics=["mae"])
    schedule = mg.optim.lr_scheduler.CosineAnnealingLR(model.optimizer, T_max=epochs)
    began = time.perf_counter()
    history = model.fit(
        x_train, (y_train - y_mean) / y_std, epochs=epochs, batch_size=32, validation_split=0.15, verbose=0,
        callbacks=[mg.callbacks.EarlyStopping(patience=20, restore_best_weights=True),
                   mg.callbacks.LearningRateScheduler(schedule)],
    )
    seconds = time.perf_counter() - began

    predicted = model.predict(x_test)[:, 0] * y_std + y_mean
    mse, mae = np.mean((predicted - y_test) ** 2), np.mean(np.abs(predicted - y_test))
    base_mse, base_mae = np.mean((y_mean - y_test) ** 2), np.mean(np.abs(y_mean - y_test))
    print(f"{len(history.history['loss'])} epochs in {seconds:.1f} s")
    print(f"test MSE {mse:8.1f}   MAE {mae:5.1f}   R^2 {1 - mse / base_mse:.3f}")
    print(f"mean     {base_mse:8.1f}   MAE {base_mae:5.1f}   (predicting the training mean)")


if __name__ == "__main__":
    main()
