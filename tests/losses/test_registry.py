"""``mg.losses.get``: every name and alias, case-insensitively, with options bound."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

L = mg.losses


def test_every_public_loss_has_a_name() -> None:
    public = {name for name in L.__all__ if callable(getattr(L, name)) and name not in ("get", "names")}
    assert public == set(L.names())
    for name in public:
        assert L.get(name) is getattr(L, name)


@pytest.mark.parametrize(("spelling", "loss"), [
    ("MSE", L.mse), ("Mean_Squared_Error", L.mse), ("meansquarederror", L.mse),
    ("L1", L.mae), ("mean_absolute_error", L.mae), ("KLD", L.kl_divergence),
    ("SparseCategoricalCrossentropy", L.sparse_categorical_crossentropy),
    ("BinaryCrossentropy", L.binary_crossentropy),
    ("sigmoid_cross_entropy_with_logits", L.binary_crossentropy_with_logits),
    ("CROSS_ENTROPY", L.cross_entropy), ("NLLLoss", L.nll_loss), ("logcosh", L.log_cosh),
])
def test_names_are_case_insensitive_with_optional_underscores(spelling, loss) -> None:
    assert L.get(spelling) is loss


def test_options_are_bound_as_keyword_arguments() -> None:
    huber2 = L.get("huber", delta=2.0)
    p, t = mg.tensor([3.0, 0.5]), mg.tensor([0.0, 0.0])
    assert huber2(p, t).item() == L.huber(p, t, delta=2.0).item() != L.huber(p, t).item()
    assert huber2.__name__ == "huber"
    assert huber2(p, t, reduction="sum").item() == L.huber(p, t, delta=2.0, reduction="sum").item()


def test_callables_pass_through() -> None:
    def my_loss(p: mg.Tensor, t: mg.Tensor, scale: float = 1.0) -> mg.Tensor:
        return ((p - t) * scale).sum()

    assert L.get(my_loss) is my_loss
    assert L.get(my_loss, scale=2.0)(mg.tensor([1.0]), mg.tensor([0.0])).item() == 2.0


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown loss 'hubber'; valid names: .*cross_entropy.*huber.*mse") as err:
        L.get("hubber")
    assert all(name in str(err.value) for name in L.names())


def test_an_option_the_loss_does_not_take_fails_at_lookup() -> None:
    with pytest.raises(TypeError, match="'mse' does not take"):
        L.get("mse", delta=1.0)
    with pytest.raises(TypeError, match="expected a loss name or a callable"):
        L.get(3)


def test_mg_exposes_losses_and_metrics() -> None:
    assert mg.losses is L and "losses" in mg.__all__ and "metrics" in mg.__all__
    assert np.isclose(mg.losses.mse(mg.tensor([1.0]), mg.tensor([0.0])).item(), 1.0)
