"""Keras 3 conventions, checked on small inputs whose values are derived by hand.

Several inputs are the examples of Keras's own docstrings, so the expected
values can be read there too (rounded): they are recomputed here from the
formula written out in each test.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

L = mg.losses
EPS = 1e-7
DOC_TRUE = [[0.0, 1.0], [0.0, 0.0]]  # Keras's docstring examples use these two arrays
DOC_PRED = [[0.6, 0.4], [0.4, 0.6]]


def close(tensor: mg.Tensor, expected: float | list[float], rtol: float = 1e-12) -> None:
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=rtol, atol=1e-15)


def t64(data: list) -> mg.Tensor:
    return mg.tensor(np.array(data, dtype=np.float64))


def test_categorical_crossentropy_clips_and_averages_per_sample() -> None:
    # keras.losses.categorical_crossentropy docstring: [0.0513, 2.303]; CategoricalCrossentropy: 1.1769392
    y_true, y_pred = t64([[0, 1, 0], [0, 0, 1]]), t64([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    per_sample = [-np.log(0.95), -np.log(0.1)]
    close(L.categorical_crossentropy(y_pred, y_true, reduction="none"), per_sample)
    close(L.categorical_crossentropy(y_pred, y_true), np.mean(per_sample))
    # the 0 probability is clipped to 1e-7 before the log: it only matters once the target puts weight there
    smoothed = np.array([0.1, 0.8, 0.1])  # [0, 1, 0] * (1 - 0.3) + 0.3 / 3
    expected = -(smoothed * np.log([0.05, 0.95, EPS])).sum()
    close(L.categorical_crossentropy(y_pred, y_true, label_smoothing=0.3, reduction="none")[0], expected)


def test_categorical_crossentropy_renormalises_probabilities() -> None:
    close(L.categorical_crossentropy(t64([[0.2, 0.2, 0.4]]), t64([[0, 0, 1]])), -np.log(0.5))


def test_sparse_categorical_crossentropy_matches_the_one_hot_form() -> None:
    # keras.losses.sparse_categorical_crossentropy docstring: labels [1, 2], same probabilities: [0.0513, 2.303]
    y_pred = t64([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    close(L.sparse_categorical_crossentropy(y_pred, [1, 2], reduction="none"), [-np.log(0.95), -np.log(0.1)])
    close(L.sparse_categorical_crossentropy(y_pred, [[1], [2]], reduction="none"), [-np.log(0.95), -np.log(0.1)])


def test_sparse_categorical_crossentropy_ignore_index_averages_over_counted_samples() -> None:
    y_pred = t64([[0.05, 0.95, 0], [0.3, 0.3, 0.4], [0.1, 0.8, 0.1]])
    labels = [1, -1, 2]
    close(L.sparse_categorical_crossentropy(y_pred, labels, ignore_index=-1, reduction="none"),
          [-np.log(0.95), 0.0, -np.log(0.1)])
    close(L.sparse_categorical_crossentropy(y_pred, labels, ignore_index=-1), (-np.log(0.95) - np.log(0.1)) / 2)
    close(L.sparse_categorical_crossentropy(y_pred, [-1, -1, -1], ignore_index=-1), 0.0)


def test_binary_crossentropy_means_over_elements() -> None:
    # keras.losses.binary_crossentropy docstring: per sample [0.916, 0.714]
    per_element = -np.log([[0.4, 0.4], [0.6, 0.4]])
    close(L.binary_crossentropy(t64(DOC_PRED), t64(DOC_TRUE), reduction="none"), per_element)
    close(L.binary_crossentropy(t64(DOC_PRED), t64(DOC_TRUE)), per_element.mean())
    np.testing.assert_allclose(per_element.mean(axis=1), [0.916, 0.714], atol=5e-4)


def test_binary_crossentropy_clips_probabilities_and_stops_their_gradient() -> None:
    p = mg.tensor(np.array([0.0, 1.0, 0.5]), requires_grad=True)
    loss = L.binary_crossentropy(p, t64([1.0, 1.0, 1.0]), reduction="none")
    close(loss, [-np.log(EPS), -np.log(1 - EPS), np.log(2)])
    loss.sum().backward()
    close(p.grad, [0.0, 0.0, -2.0])


def test_binary_crossentropy_label_smoothing_moves_targets_toward_one_half() -> None:
    t = 1 * (1 - 0.2) + 0.5 * 0.2  # a target of 1 becomes 0.9
    close(L.binary_crossentropy(t64([0.7]), t64([1.0]), label_smoothing=0.2), -(t * np.log(0.7) + (1 - t) * np.log(0.3)))


def test_huber_docstring_example() -> None:
    # keras.losses.huber docstring: 0.155; errors 0.6, 0.6, 0.4, 0.6 are all below delta = 1
    close(L.huber(t64(DOC_PRED), t64(DOC_TRUE)), np.mean(0.5 * np.array([0.6, 0.6, 0.4, 0.6]) ** 2))
    # beyond delta the loss is linear: delta * (|d| - delta / 2)
    close(L.huber(t64([3.0]), t64([0.0]), delta=2.0), 2.0 * (3.0 - 1.0))


def test_log_cosh_docstring_example() -> None:
    # keras.losses.log_cosh docstring: 0.108 (one error of 1, three of 0)
    close(L.log_cosh(t64([[1.0, 1.0], [0.0, 0.0]]), t64(DOC_TRUE)), np.log(np.cosh(1.0)) / 4)


@pytest.mark.parametrize("targets", [DOC_TRUE, [[-1.0, 1.0], [-1.0, -1.0]]], ids=["zero_one", "plus_minus_one"])
def test_hinge_maps_zero_one_targets_to_plus_minus_one(targets) -> None:
    # keras.losses.Hinge docstring: 1.3; SquaredHinge: 1.86. Margins 1 - t p with t = [[-1, 1], [-1, -1]]:
    margins = np.array([1 + 0.6, 1 - 0.4, 1 + 0.4, 1 + 0.6])
    close(L.hinge(t64(DOC_PRED), t64(targets)), margins.mean())
    close(L.squared_hinge(t64(DOC_PRED), t64(targets)), (margins**2).mean())
    np.testing.assert_allclose([margins.mean(), (margins**2).mean()], [1.3, 1.86])


def test_hinge_is_zero_beyond_the_margin() -> None:
    close(L.hinge(t64([2.0, -3.0, 0.5]), t64([1.0, -1.0, 1.0]), reduction="none"), [0.0, 0.0, 0.5])


def test_kl_divergence_clips_both_inputs() -> None:
    # keras.losses.KLDivergence docstring: 0.458
    t = np.clip(DOC_TRUE, EPS, 1)
    per_sample = (t * np.log(t / np.array(DOC_PRED))).sum(axis=1)
    close(L.kl_divergence(t64(DOC_PRED), t64(DOC_TRUE), reduction="none"), per_sample)
    close(L.kl_divergence(t64(DOC_PRED), t64(DOC_TRUE)), per_sample.mean())
    assert abs(per_sample.mean() - 0.458) < 5e-4


def test_cosine_similarity_loss_is_minus_the_cosine_per_sample() -> None:
    # keras.losses.cosine_similarity docstring: [-0., -0.99999994, 0.99999994]; CosineSimilarity: -0.5 for two rows
    y_true, y_pred = t64([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]]), t64([[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
    close(L.cosine_similarity_loss(y_pred, y_true, reduction="none"), [0.0, -1.0, 1.0])
    close(L.cosine_similarity_loss(y_pred[:2], y_true[:2]), -0.5)


def test_cosine_similarity_loss_of_a_zero_vector_is_zero_with_a_finite_gradient() -> None:
    p = mg.tensor(np.zeros((1, 3)), requires_grad=True)
    loss = L.cosine_similarity_loss(p, t64([[1.0, 2.0, 2.0]]))
    loss.backward()
    close(loss, 0.0)
    assert np.isfinite(p.grad.numpy()).all()


def test_keras_mean_of_per_row_means_is_the_elementwise_mean() -> None:
    rng = np.random.default_rng(0)
    p, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    for name in ("mse", "mae", "huber", "log_cosh", "hinge", "squared_hinge"):
        target = np.sign(t) if "hinge" in name else t
        per_row = mg.losses.get(name)(mg.tensor(p), mg.tensor(target), reduction="none").numpy().mean(axis=-1)
        close(mg.losses.get(name)(mg.tensor(p), mg.tensor(target)), per_row.mean())
