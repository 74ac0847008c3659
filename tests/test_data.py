"""``mg.data.DataLoader``: batching, shuffling (seeded), drop_last, inputs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader


def test_batches_in_order_with_a_smaller_last_batch() -> None:
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    loader = DataLoader(x, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(t, mg.Tensor) and not t.requires_grad for b in batches for t in b)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)
    assert batches[0][0].dtype == mg.float64 and batches[0][1].dtype == mg.int64


def test_drop_last() -> None:
    loader = DataLoader(np.zeros((10, 3)), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [b[0].shape[0] for b in loader] == [4, 4]
    assert len(DataLoader(np.zeros((3, 1)), batch_size=4, drop_last=True)) == 0


def test_one_array_still_yields_tuples() -> None:
    (batch,) = next(iter(DataLoader(mg.ones(5, 2), batch_size=8)))
    assert batch.shape == (5, 2)


def test_shuffle_keeps_rows_together_and_covers_every_sample_once() -> None:
    x = np.arange(50)
    loader = DataLoader(x, x * 10, batch_size=7, shuffle=True)
    seen = []
    for xb, yb in loader:
        np.testing.assert_array_equal(yb.numpy(), xb.numpy() * 10)
        seen += xb.tolist()
    assert sorted(seen) == list(range(50)) and seen != list(range(50))


def test_shuffle_is_seeded_and_changes_between_passes() -> None:
    def order(loader: DataLoader) -> list[int]:
        return [v for (b,) in loader for v in b.tolist()]

    mg.manual_seed(1)
    loader = DataLoader(np.arange(30), batch_size=5, shuffle=True)
    first, second = order(loader), order(loader)
    assert first != second
    mg.manual_seed(1)
    assert order(loader) == first


def test_lists_and_tensors_follow_tensor_defaults() -> None:
    xb, yb = next(iter(DataLoader([[1.0, 2.0], [3.0, 4.0]], mg.tensor([1, 0]), batch_size=2)))
    assert xb.dtype == mg.float32 and yb.dtype == mg.int64


@pytest.mark.parametrize("arrays, options, match", [
    ((), {}, "at least one array"),
    ((np.zeros(3), np.zeros(4)), {}, r"same length .*\[3, 4\]"),
    ((np.zeros(3),), {"batch_size": 0}, "positive integer"),
    ((np.zeros(3),), {"batch_size": 2.5}, "positive integer"),
    ((np.float64(1.0),), {}, "scalar"),
])
def test_bad_input(arrays, options, match) -> None:
    with pytest.raises(ValueError, match=match):
        DataLoader(*arrays, **options)
