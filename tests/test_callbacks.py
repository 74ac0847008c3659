"""Every callback of ``mg.callbacks``, through ``fit``, with Keras's semantics."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.callbacks import Callback, CSVLogger, EarlyStopping, LearningRateScheduler, ModelCheckpoint
from minigrad.optim import lr_scheduler


def data(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 3))
    return x, x @ np.array([1.0, -1.0, 2.0])


def model(lr: float = 0.05) -> nn.Module:
    m = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    m.compile(optimizer=mg.optim.SGD(lr=lr), loss="mse", metrics=["mae"])
    return m


class Recorder(Callback):
    """Logs every hook, and the weights at the end of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.weights: list[dict[str, np.ndarray]] = []

    def __getattribute__(self, name: str):
        if name.startswith("on_"):
            self.calls.append(name)
        return super().__getattribute__(name)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.weights.append({k: v.numpy() for k, v in self.model.state_dict().items()})


class Scripted(Callback):
    """Writes a scripted value per epoch into the logs, for the callbacks after it to react to."""

    def __init__(self, values: list[float], key: str = "score") -> None:
        super().__init__()
        self.values, self.key = values, key

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs[self.key] = self.values[epoch]


def test_hooks_are_called_in_keras_order_with_params() -> None:
    x, y = data(20)
    rec = Recorder()
    m = model()
    m.fit(x, y, epochs=2, batch_size=10, validation_split=0.5, verbose=0, callbacks=[rec])
    epoch = ["on_epoch_begin", "on_train_batch_begin", "on_train_batch_end", "on_test_begin",
             "on_test_batch_begin", "on_test_batch_end", "on_test_end", "on_epoch_end"]
    assert rec.calls == ["on_train_begin", *epoch, *epoch, "on_train_end"]
    assert rec.model is m and rec.params["epochs"] == 2 and rec.params["steps"] == 1


def test_a_callback_can_stop_training_after_the_current_batch() -> None:
    class StopAtThird(Callback):
        def on_train_batch_end(self, batch, logs=None) -> None:
            self.seen = getattr(self, "seen", 0) + 1
            if self.seen == 3:
                self.model.stop_training = True

    x, y = data(40)
    history = model().fit(x, y, epochs=5, batch_size=10, verbose=0, callbacks=[StopAtThird()])
    assert len(history.history["loss"]) == 1


def test_early_stopping_patience_and_min_delta() -> None:
    x, y = data(20)
    #            best  better  worse  worse -> stop at epoch 3 (patience 2)
    scores = [1.0, 0.8, 0.79, 0.85, 0.7, 0.6]
    es = EarlyStopping(monitor="score", patience=2, min_delta=0.05)
    history = model().fit(x, y, epochs=6, verbose=0, callbacks=[Scripted(scores), es])
    assert len(history.history["loss"]) == 4 and es.stopped_epoch == 3 and es.best == 0.8
    es = EarlyStopping(monitor="val_accuracy", patience=1)  # "acc" in the name: higher is better
    model().fit(x, y, epochs=6, verbose=0, callbacks=[Scripted([0.5, 0.6, 0.7, 0.6, 0.9, 0.9], "val_accuracy"), es])
    assert es.stopped_epoch == 3 and es.best == 0.7


def test_early_stopping_restores_the_best_weights() -> None:
    x, y = data(20)
    rec = Recorder()
    es = EarlyStopping(monitor="score", patience=2, restore_best_weights=True, verbose=1)
    m = model()
    m.fit(x, y, epochs=10, verbose=0, callbacks=[Scripted([3.0, 1.0, 2.0, 2.5, 0.1, 0.1]), es, rec])
    assert es.best_epoch == 1 and len(rec.weights) == 4
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), rec.weights[1][k])


def test_early_stopping_warns_about_a_missing_monitor() -> None:
    x, y = data(20)
    with pytest.warns(UserWarning, match="'val_loss' is not in the logs"):
        model().fit(x, y, epochs=1, verbose=0, callbacks=[EarlyStopping()])


def test_model_checkpoint_formats_paths_and_saves_every_epoch(tmp_path) -> None:
    x, y = data(20)
    m = model()
    path = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.npz")
    history = m.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[ModelCheckpoint(path)])
    expected = [f"ckpt-{e + 1:02d}-{v:.3f}.npz" for e, v in enumerate(history.history["val_loss"])]
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    state = mg.load(tmp_path / expected[-1])
    assert state["epoch"] == 3 and set(state) >= {"model", "optimizer", "rng", "callbacks"}
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state["model"][k].numpy())


def test_model_checkpoint_save_best_only_and_weights_only(tmp_path) -> None:
    x, y = data(20)
    rec = Recorder()
    ckpt = ModelCheckpoint(tmp_path / "best-{epoch}.npz", monitor="score", save_best_only=True, save_weights_only=True)
    m = model()
    m.fit(x, y, epochs=5, verbose=0, callbacks=[Scripted([0.5, 0.7, 0.4, 0.4, 0.6]), ckpt, rec])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best-1.npz", "best-3.npz"]
    fresh = model()
    fresh.load_state_dict(mg.load(tmp_path / "best-3.npz"))
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), rec.weights[2][k])


def test_model_checkpoint_with_an_unknown_name_in_the_path(tmp_path) -> None:
    x, y = data(20)
    with pytest.raises(ValueError, match="cannot format"):
        model().fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "{val_acc}.npz")])


def test_learning_rate_scheduler_with_a_function() -> None:
    x, y = data(20)
    m = model(lr=0.1)
    history = m.fit(x, y, epochs=4, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: lr / 2)])
    assert history.history["learning_rate"] == [0.05, 0.025, 0.0125, 0.00625]
    m.fit(x, y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    assert m.optimizer.lr == 0.02


def test_learning_rate_scheduler_with_optim_schedulers() -> None:
    x, y = data(20)
    m = model(lr=0.1)
    step = lr_scheduler.StepLR(m.optimizer, step_size=2, gamma=0.5)
    history = m.fit(x, y, epochs=5, verbose=0, callbacks=[LearningRateScheduler(step)])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05, 0.05, 0.025])
    m = model(lr=0.1)
    per_batch = lr_scheduler.ExponentialLR(m.optimizer, gamma=0.9)
    m.fit(x, y, epochs=2, batch_size=5, verbose=0, callbacks=[LearningRateScheduler(per_batch, interval="batch")])
    assert m.optimizer.lr == pytest.approx(0.1 * 0.9**8)
    m = model(lr=0.1)
    plateau = lr_scheduler.ReduceLROnPlateau(m.optimizer, patience=0, factor=0.5)
    m.fit(x, y, epochs=3, verbose=0, callbacks=[Scripted([1.0, 2.0, 3.0], "val_loss"), LearningRateScheduler(plateau)])
    assert m.optimizer.lr == pytest.approx(0.025)


def test_learning_rate_scheduler_errors() -> None:
    x, y = data(20)
    other = model()
    with pytest.raises(ValueError, match="another optimizer"):
        model().fit(x, y, verbose=0, callbacks=[LearningRateScheduler(lr_scheduler.StepLR(other.optimizer, 1))])
    with pytest.raises(ValueError, match="interval"):
        LearningRateScheduler(lambda e: 0.1, interval="step")
    with pytest.raises(ValueError, match="returned 'fast'"):
        model().fit(x, y, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: "fast")])
    with pytest.raises(ValueError, match="schedule is a function"):  # a scheduler's state for a function schedule
        LearningRateScheduler(lambda e: 0.1).load_state_dict({"schedule": {"last_epoch": 1}})


def test_csv_logger(tmp_path) -> None:
    x, y = data(20)
    path = tmp_path / "log.csv"
    m = model()
    m.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path)])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    m.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path, append=True)])
    rows = list(csv.reader(path.open()))
    assert len(rows) == 6 and rows[4][0] == "0"
    m.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    assert path.read_text().splitlines()[0] == "epoch;loss;mae"


def test_callbacks_must_be_callbacks() -> None:
    x, y = data(20)
    with pytest.raises(TypeError, match="Callback instances"):
        model().fit(x, y, verbose=0, callbacks=[lambda: None])
