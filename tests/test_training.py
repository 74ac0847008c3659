"""compile / fit / evaluate / predict: learning, logs as Keras, modes, output, bad input, NaN losses."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def regression_data(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    return x, x @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.01 * rng.standard_normal(n)


def classification_data(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return rng.standard_normal((n, 4)) + 2 * np.eye(3, 4)[y], y


def classifier(dropout: float = 0.0) -> nn.Module:
    return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 3))


def compiled_classifier(dropout: float = 0.0) -> nn.Module:
    model = classifier(dropout)
    model.compile(optimizer=mg.optim.Adam(lr=0.02), metrics=["accuracy"],
                  loss=mg.losses.get("sparse_categorical_crossentropy", from_logits=True))
    return model


def weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.numpy() for k, v in model.state_dict().items()}


def assert_same_weights(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_fit_learns_a_linear_regression() -> None:
    x, y = regression_data()
    model = nn.Linear(3, 1)
    model.compile(optimizer=mg.optim.SGD(lr=0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 15 and history.epoch == list(range(15))
    assert losses[-1] < losses[0] / 100 and history.history["mae"][-1] < 0.05
    np.testing.assert_allclose(model.weight.numpy()[0], [1.5, -2.0, 0.5], atol=0.02)
    assert model.weight.dtype == mg.float32  # float64 data trained the float32 model


def test_history_keys_follow_keras() -> None:
    x, y = classification_data()
    model = compiled_classifier()
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.history["accuracy"][-1] > 0.8
    def confidence(p: mg.Tensor, t: mg.Tensor) -> float:
        return float(p.numpy().max(axis=1).mean())

    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc", confidence])
    model.add_module("softmax", nn.Softmax())
    keys = model.fit(x, y, epochs=1, validation_data=(x[:9], y[:9]), verbose=0).history
    assert list(keys) == ["loss", "acc", "confidence", "val_loss", "val_acc", "val_confidence"]


def test_validation_split_takes_the_last_samples_and_logs_their_loss() -> None:
    x, y = classification_data(50)
    model = compiled_classifier()
    history = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[40:], y[40:])["loss"], rel=1e-6)


def test_evaluate_averages_per_sample_whatever_the_batch_size() -> None:
    x, y = classification_data(50)
    model = compiled_classifier()
    model.fit(x, y, epochs=2, verbose=0)
    whole = model.evaluate(x, y, batch_size=50)
    uneven = model.evaluate(x, y, batch_size=7)
    assert set(whole) == {"loss", "accuracy"}
    assert uneven["loss"] == pytest.approx(whole["loss"], rel=1e-5)
    assert uneven["accuracy"] == pytest.approx(whole["accuracy"])
    with mg.no_grad():
        logits = model.eval()(mg.tensor(x.astype(np.float32)))
    expected = mg.losses.sparse_categorical_crossentropy(logits, mg.tensor(y), from_logits=True).item()
    assert whole["loss"] == pytest.approx(expected, rel=1e-5)


def test_predict_and_evaluate_run_in_eval_mode_without_recording_or_changing_state() -> None:
    x, y = classification_data(40)
    model = compiled_classifier(dropout=0.5)
    model.fit(x, y, epochs=1, verbose=0)
    model.train()
    model.zero_grad()
    before = weights(model)
    first, second = model.predict(x, batch_size=16), model.predict(x, batch_size=40)
    assert isinstance(first, np.ndarray) and first.shape == (40, 3) and first.dtype == np.float32
    np.testing.assert_allclose(first, second, rtol=1e-6)  # no dropout, running statistics used
    model.evaluate(x, y)
    assert_same_weights(before, weights(model))
    assert model.training and all(p.grad is None for p in model.parameters())
    assert model.eval().predict(x[:3]).shape == (3, 3) and not model.training


def test_targets_get_the_trailing_axis_of_the_output() -> None:
    x, y = regression_data(20)
    model = nn.Linear(3, 1)
    model.compile(optimizer="adam", loss="mae", metrics=["mse"])
    model.fit(x, y, epochs=1, verbose=0)  # y is (20,), the output (20, 1)
    assert model.predict(x).shape == (20, 1)


def test_verbose_modes(capsys) -> None:
    x, y = classification_data(30)
    model = compiled_classifier()
    model.fit(x, y, epochs=2, verbose=0)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    model.fit(x, y, epochs=3, validation_split=0.2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Epoch 1/3 - ") and "loss: " in lines[0]
    assert "accuracy: " in lines[2] and "val_loss: " in lines[2] and "val_accuracy: " in lines[2]
    model.fit(x, y, epochs=2, verbose=1)
    out, err = capsys.readouterr()
    assert "Epoch 1/2" in err and "Epoch 2/2" in err and "loss: " in err and "accuracy: " in err
    model.evaluate(x, y, verbose=1)
    assert capsys.readouterr().out.startswith("evaluate - loss: ")


# ---- bad input: a clear error, and nothing changed ----
@pytest.mark.parametrize("make_call, error, match", [
    (lambda m, x, y: m.fit(x, y[:-1], verbose=0), ValueError, "x has 30 samples but y has 29"),
    (lambda m, x, y: m.fit(x, y.astype(np.float64), verbose=0), ValueError, "integer dtype"),
    (lambda m, x, y: m.fit(np.where(np.arange(120).reshape(30, 4) == 50, np.nan, x), y, verbose=0), ValueError,
     "1 NaN or infinite value.*sample 12"),
    (lambda m, x, y: m.fit(x, y, validation_data=(x, y[:3]), verbose=0), ValueError, "x_val has 30 samples but y_val has 3"),
    (lambda m, x, y: m.fit(x[:, :3], y, verbose=0), ValueError, "reject the data.*in_features"),
    (lambda m, x, y: m.fit(x, y, epochs=-1, verbose=0), ValueError, "epochs"),
    (lambda m, x, y: m.fit(x, y, verbose=3), ValueError, "verbose"),
    (lambda m, x, y: m.fit(x, y, validation_split=1.0, verbose=0), ValueError, "validation_split"),
])
def test_bad_input_fails_before_anything_changes(make_call, error, match) -> None:
    x, y = classification_data(30)
    model = compiled_classifier()
    before = weights(model)
    with pytest.raises(error, match=match):
        make_call(model, x, y)
    assert_same_weights(before, weights(model))  # parameters and BatchNorm statistics


def test_an_uncompiled_model_cannot_fit_or_evaluate() -> None:
    x, y = classification_data(10)
    with pytest.raises(RuntimeError, match="not compiled"):
        classifier().fit(x, y, verbose=0)
    with pytest.raises(RuntimeError, match="not compiled"):
        classifier().evaluate(x, y)
    assert classifier().predict(x).shape == (10, 3)  # predict needs no loss


def test_an_optimizer_bound_to_other_parameters_is_refused() -> None:
    x, y = classification_data(10)
    model, other = classifier(), classifier()
    with pytest.raises(ValueError, match="not this model's"):
        model.compile(optimizer=mg.optim.Adam(other.parameters()), loss="mse")
    model.compile(optimizer=mg.optim.Adam(model.parameters()), loss="sparse_categorical_crossentropy")
    model.optimizer.add_param_group({"params": [mg.zeros(2, requires_grad=True)]})
    with pytest.raises(ValueError, match="not this model's"):
        model.fit(x, y, verbose=0)


def test_compile_errors() -> None:
    with pytest.raises(ValueError, match="unknown loss"):
        classifier().compile(loss="nope")
    with pytest.raises(ValueError, match="give a loss"):
        classifier().compile(optimizer="adam")
    with pytest.raises(ValueError, match="unknown optimizer"):
        classifier().compile(optimizer="nope", loss="mse")
    with pytest.raises(ValueError, match="unknown metric"):
        classifier().compile(loss="mse", metrics=["nope"])
    with pytest.raises(ValueError, match="no trainable parameters"):
        nn.Sequential(nn.ReLU()).compile(loss="mse")
    model = classifier()
    model.compile(loss=lambda p, t: mg.losses.mse(p, t, reduction="none"))
    with pytest.raises(ValueError, match="scalar"):
        model.fit(np.zeros((4, 4)), np.zeros((4, 3)), verbose=0)


def _exploding_data() -> tuple[np.ndarray, np.ndarray]:
    x, y = regression_data(32)
    y[20] = 1e30  # in the second batch of 16: its squared error overflows float32
    return x, y


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_a_nan_loss_stops_fit_naming_the_epoch_and_batch() -> None:
    x, y = _exploding_data()
    model = nn.Linear(3, 1)
    model.compile(optimizer=mg.optim.SGD(lr=0.01), loss="mse")
    with pytest.raises(FloatingPointError, match="epoch 1, batch 2.*TerminateOnNaN"):
        model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    assert np.isfinite(model.weight.numpy()).all()


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_terminate_on_nan_stops_cleanly_and_keeps_finite_weights(capsys) -> None:
    x, y = _exploding_data()
    model = nn.Linear(3, 1)
    model.compile(optimizer=mg.optim.SGD(lr=0.01), loss="mse")
    history = model.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0,
                        callbacks=[mg.callbacks.TerminateOnNaN()])
    assert "Epoch 1, batch 2: invalid loss inf, terminating training" in capsys.readouterr().out
    assert len(history.history["loss"]) == 1 and not np.isfinite(history.history["loss"][0])
    assert np.isfinite(model.weight.numpy()).all()
