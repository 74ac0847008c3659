"""mg.metrics: plain functions of (prediction, target) returning a Python float, Keras's rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

M = mg.metrics
PROBS = [[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]  # argmax 1, 0, 2, 1
LABELS = [1, 0, 1, 1]  # three of four right


def test_sparse_categorical_accuracy() -> None:
    assert M.sparse_categorical_accuracy(PROBS, LABELS) == 0.75
    assert M.sparse_categorical_accuracy(mg.tensor(PROBS), mg.tensor([[1], [0], [1], [1]])) == 0.75


def test_categorical_accuracy() -> None:
    assert M.categorical_accuracy(PROBS, np.eye(3)[LABELS]) == 0.75


def test_binary_accuracy_thresholds_at_one_half_by_default() -> None:
    p, t = [0.2, 0.5, 0.51, 0.9], [0.0, 1.0, 1.0, 0.0]  # 0.5 is not > 0.5: predicted 0
    assert M.binary_accuracy(p, t) == 0.5
    assert M.binary_accuracy(p, t, threshold=0.3) == 0.75
    assert M.get("binary_accuracy", threshold=0.6)(p, [0.0, 0.0, 0.0, 1.0]) == 1.0


def test_binary_accuracy_matches_a_column_of_predictions_with_flat_labels() -> None:
    assert M.binary_accuracy(mg.tensor([[0.9], [0.1], [0.8]]), mg.tensor([1, 0, 0])) == pytest.approx(2 / 3)


@pytest.mark.parametrize(("prediction", "target", "kind"), [
    (np.array([[0.9], [0.2]]), np.array([[1.0], [1.0]]), "binary"),      # last axis of size 1
    (np.array([[0.9], [0.2]]), np.array([1.0, 1.0]), "binary"),
    (np.array([0.9, 0.2, 0.7]), np.array([1.0, 1.0, 1.0]), "binary"),    # one score per sample
    (np.array(PROBS), np.array(LABELS), "sparse"),                        # fewer target axes
    (np.array(PROBS), np.array(LABELS)[:, None], "sparse"),              # target's last axis of size 1
    (np.array(PROBS), np.eye(3)[LABELS], "categorical"),
])
def test_accuracy_picks_its_kind_from_the_shapes(prediction, target, kind) -> None:
    expected = {"binary": M.binary_accuracy, "sparse": M.sparse_categorical_accuracy,
                "categorical": M.categorical_accuracy}[kind](prediction, target)
    assert M.accuracy(prediction, target) == expected
    assert M.get("acc")(prediction, target) == expected


@given(data=st.data())
def test_mae_and_mse_are_the_mean_absolute_and_squared_errors(data) -> None:
    shape = data.draw(hnp.array_shapes(max_dims=3, max_side=4))
    arrays = hnp.arrays(np.float64, shape, elements=st.floats(-10, 10))
    p, t = data.draw(arrays), data.draw(arrays)
    assert M.mae(p, t) == pytest.approx(np.abs(p - t).mean(), rel=1e-12, abs=1e-12)
    assert M.mse(mg.tensor(p), mg.tensor(t)) == pytest.approx(((p - t) ** 2).mean(), rel=1e-12, abs=1e-12)
    assert M.mse(p, t) == pytest.approx(mg.losses.mse(mg.tensor(p), mg.tensor(t)).item(), rel=1e-12, abs=1e-12)


def test_metrics_return_python_floats_and_record_nothing() -> None:
    p = mg.tensor(PROBS, requires_grad=True)
    for name in M.names():
        target = LABELS if "sparse" in name or name in ("accuracy", "acc") else np.eye(3)[LABELS]
        value = M.get(name)(p, target)
        assert type(value) is float
    assert p.grad is None


def test_get_is_case_insensitive_and_lists_valid_names() -> None:
    assert M.get("ACCURACY") is M.accuracy and M.get("Mean_Absolute_Error") is M.mae
    assert M.get("SparseCategoricalAccuracy") is M.sparse_categorical_accuracy
    assert M.get(M.mse) is M.mse
    with pytest.raises(ValueError, match=r"unknown metric 'f1'; valid names: acc, accuracy, binary_accuracy"):
        M.get("f1")


@pytest.mark.parametrize(("metric", "prediction", "target", "message"), [
    (M.mae, np.zeros((2, 3)), np.zeros((3, 2)), r"mae: prediction shape \(2, 3\) and target shape \(3, 2\) differ"),
    (M.categorical_accuracy, np.zeros((2, 3)), np.zeros((2, 4)), "categorical_accuracy: prediction shape"),
    (M.sparse_categorical_accuracy, np.zeros((2, 3)), np.zeros(3),
     r"sparse_categorical_accuracy: labels of shape \(3,\) do not match predictions of shape \(2, 3\)"),
])
def test_shape_mismatch(metric, prediction, target, message) -> None:
    with pytest.raises(ValueError, match=message):
        metric(prediction, target)
