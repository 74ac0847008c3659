"""Bad input raises a ValueError that names the loss and the offending shapes or values."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

L = mg.losses
ELEMENTWISE_OR_PAIRED = [
    "mse", "mae", "huber", "smooth_l1", "pseudo_huber", "log_cosh", "cosine_similarity_loss", "binary_crossentropy",
    "binary_crossentropy_with_logits", "hinge", "squared_hinge", "categorical_crossentropy",
    "softmax_cross_entropy_with_logits", "kl_divergence",
]


@pytest.mark.parametrize("name", mg.losses.names())
def test_unknown_reduction(name) -> None:
    loss = mg.losses.get(name)
    options = {"pos_weight": 2.0} if name == "weighted_cross_entropy_with_logits" else {}
    with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum', 'none', got 'avg'") as err:
        loss(mg.ones(2, 3), mg.ones(2, 3), reduction="avg", **options)
    assert str(err.value).startswith(loss.__name__)


@pytest.mark.parametrize("name", ELEMENTWISE_OR_PAIRED)
def test_shape_mismatch_names_both_shapes(name) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: prediction shape \(4, 1\) and target shape \(4,\) differ"):
        mg.losses.get(name)(mg.full((4, 1), 0.5), mg.full((4,), 0.5))


@pytest.mark.parametrize("loss", [L.sparse_categorical_crossentropy, L.cross_entropy, L.nll_loss], ids=lambda f: f.__name__)
def test_labels_out_of_range(loss) -> None:
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: labels must lie in \[0, 3\).*got labels in \[0, 3\]"):
        loss(mg.zeros(2, 3), mg.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"got labels in \[-2, 1\]"):
        loss(mg.zeros(2, 3), mg.tensor([-2, 1]))


@pytest.mark.parametrize("loss", [L.sparse_categorical_crossentropy, L.cross_entropy, L.nll_loss], ids=lambda f: f.__name__)
def test_ignored_labels_may_lie_outside_the_classes(loss) -> None:
    assert np.isfinite(loss(mg.full((2, 3), 0.5), mg.tensor([-7, 1]), ignore_index=-7).item())


@pytest.mark.parametrize("loss", [L.sparse_categorical_crossentropy, L.nll_loss], ids=lambda f: f.__name__)
def test_labels_need_an_integer_dtype(loss) -> None:
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: class labels must have an integer dtype, got float32"):
        loss(mg.full((2, 3), 0.5), mg.tensor([0.0, 1.0]))


def test_cross_entropy_float_targets_are_probabilities_of_the_input_shape() -> None:
    with pytest.raises(ValueError, match=r"^cross_entropy: a float target is read as class probabilities.*\(2, 3\), got \(2,\)"):
        L.cross_entropy(mg.zeros(2, 3), mg.tensor([0.0, 1.0]))


@pytest.mark.parametrize("loss", [L.sparse_categorical_crossentropy, L.cross_entropy], ids=lambda f: f.__name__)
def test_labels_shape_must_match_the_prediction_without_its_class_axis(loss) -> None:
    with pytest.raises(ValueError, match=r"labels of shape \(3,\) do not match the prediction of shape \(2, 3\)"):
        loss(mg.full((2, 3), 0.5), mg.tensor([0, 1, 2]))


@pytest.mark.parametrize("loss", [L.categorical_crossentropy, L.sparse_categorical_crossentropy, L.cross_entropy],
                         ids=lambda f: f.__name__)
def test_a_class_axis_is_required(loss) -> None:
    with pytest.raises(ValueError, match="needs an? (axis of )?class"):
        loss(mg.tensor(0.5), mg.tensor(0))


@pytest.mark.parametrize("targets", [[-1.0, 0.0, 1.0], [0.0, 0.5], [2.0, 1.0]])
@pytest.mark.parametrize("loss", [L.hinge, L.squared_hinge], ids=lambda f: f.__name__)
def test_hinge_targets_must_be_plus_minus_one_or_zero_one(loss, targets) -> None:
    shown = ", ".join(f"{v:g}" for v in sorted(set(targets)))
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: targets must all be in {{-1, 1}} or all in {{0, 1}}, "
                                         rf"got values {{{shown}}}"):
        loss(mg.zeros(len(targets)), mg.tensor(targets))


@pytest.mark.parametrize("bad", [-0.1, 1.5, np.nan])
def test_binary_crossentropy_probabilities_outside_unit_interval(bad) -> None:
    with pytest.raises(ValueError, match=r"^binary_crossentropy: probabilities must lie in \[0, 1\].*from_logits=True"):
        L.binary_crossentropy(mg.tensor([0.5, bad]), mg.tensor([1.0, 0.0]))


@pytest.mark.parametrize("loss", [L.binary_crossentropy, L.binary_crossentropy_with_logits], ids=lambda f: f.__name__)
def test_binary_targets_outside_unit_interval(loss) -> None:
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: targets must lie in \[0, 1\], got values in \[-1, 1\]"):
        loss(mg.tensor([0.5, 0.5]), mg.tensor([-1.0, 1.0]))


@pytest.mark.parametrize("loss", [L.categorical_crossentropy, L.sparse_categorical_crossentropy], ids=lambda f: f.__name__)
def test_categorical_probabilities_outside_unit_interval_or_all_zero(loss) -> None:
    target = mg.tensor([[0.0, 1.0]]) if loss is L.categorical_crossentropy else mg.tensor([1])
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: probabilities must lie in \[0, 1\], got values in \[-2, 3\]"):
        loss(mg.tensor([[-2.0, 3.0]]), target)
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: the probabilities of some sample are all 0"):
        loss(mg.tensor([[0.0, 0.0]]), target)


def test_kl_divergence_inputs_must_be_probabilities() -> None:
    with pytest.raises(ValueError, match=r"^kl_divergence: predictions must lie in \[0, 1\]"):
        L.kl_divergence(mg.tensor([[1.5, 0.5]]), mg.tensor([[0.5, 0.5]]))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: L.huber(mg.zeros(2), mg.zeros(2), delta=0.0), "huber: delta must be positive, got 0.0"),
    (lambda: L.pseudo_huber(mg.zeros(2), mg.zeros(2), delta=-1.0), "pseudo_huber: delta must be positive, got -1.0"),
    (lambda: L.smooth_l1(mg.zeros(2), mg.zeros(2), beta=-1.0), "smooth_l1: beta must be non-negative, got -1.0"),
    (lambda: L.categorical_crossentropy(mg.ones(1, 2), mg.ones(1, 2), label_smoothing=1.5),
     "categorical_crossentropy: label_smoothing must be in [0, 1], got 1.5"),
    (lambda: L.cross_entropy(mg.zeros(2, 3), mg.tensor([0, 1]), weight=[1.0, 2.0]),
     "cross_entropy: weight must have shape (3,), one value per class, got (2,)"),
    (lambda: L.binary_crossentropy_with_logits(mg.zeros(2, 3), mg.zeros(2, 3), pos_weight=mg.ones(2)),
     "binary_crossentropy_with_logits: pos_weight of shape (2,) does not broadcast to the prediction's shape (2, 3)"),
    (lambda: L.categorical_crossentropy(mg.full((2, 3), 0.3), mg.full((2, 3), 0.3), axis=2),
     "categorical_crossentropy: axis 2 is out of range for a prediction of shape (2, 3)"),
])
def test_bad_options(call, message) -> None:
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message
