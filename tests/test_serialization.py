"""``mg.save`` / ``mg.load``: round trips, atomic writes, and files that must be refused."""

from __future__ import annotations

import json
import math
import os
import pickle

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.serialization import load, save


def _assert_same(a, b) -> None:
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, mg.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_round_trip_of_nested_values(tmp_path) -> None:
    obj = {
        "weights": {"w": mg.randn(3, 2), "b64": mg.tensor(np.arange(3.0)), "p": mg.ones(2, requires_grad=True)},
        "ints": mg.tensor([1, 2]), "mask": mg.tensor([True, False]), "scalar": mg.tensor(2.5), "empty": mg.zeros(0, 3),
        "array": np.arange(4, dtype=np.int32),
        0: "int key", 7: [1, 2.5, None, True, "s", float("nan"), float("inf"), -0.0],
        "tuple": (0.9, 0.999), "nested": [{"a": (1, [mg.zeros(1)])}],
    }
    save(obj, tmp_path / "ckpt.npz")
    _assert_same(obj, load(tmp_path / "ckpt.npz"))


def test_path_is_used_as_given(tmp_path) -> None:
    path = tmp_path / "model.ckpt"
    save({"x": 1}, str(path))
    assert os.listdir(tmp_path) == ["model.ckpt"]
    assert load(str(path)) == {"x": 1}


def test_model_and_optimizer_state_round_trip(tmp_path) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    opt = mg.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        model(mg.randn(5, 3)).sum().backward()
        opt.step()
    save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "c.npz")
    state = load(tmp_path / "c.npz")
    _assert_same(model.state_dict(), state["model"])
    _assert_same(opt.state_dict(), state["optimizer"])
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    fresh.load_state_dict(state["model"])
    fresh_opt = mg.optim.Adam(fresh.parameters(), lr=0.01)
    fresh_opt.load_state_dict(state["optimizer"])
    _assert_same(opt.state_dict(), fresh_opt.state_dict())


def test_a_crash_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch) -> None:
    path = tmp_path / "ckpt.npz"
    save({"version": 1, "w": mg.ones(3)}, path)

    def crash(f, **arrays):
        f.write(b"PK\x03\x04 half a zip file")
        raise KeyboardInterrupt  # the process dies mid-save

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        save({"version": 2, "w": mg.zeros(3)}, path)
    monkeypatch.undo()
    assert load(path)["version"] == 1
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temporary file left behind


def test_unsupported_values_are_refused_before_writing(tmp_path) -> None:
    with pytest.raises(TypeError, match=r"the object\['fn'\] is a function"):
        save({"fn": lambda x: x}, tmp_path / "a.npz")
    with pytest.raises(TypeError, match="keys must be str or int"):
        save({(1, 2): 3}, tmp_path / "a.npz")
    with pytest.raises(TypeError, match="dtype"):
        save({"s": np.array(["text"])}, tmp_path / "a.npz")
    assert not os.listdir(tmp_path)


class _Exploit:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_pickle_inside_the_npz_never_runs(tmp_path) -> None:
    marker = str(tmp_path / "pwned")
    meta = json.dumps({"format": "minigrad", "version": 1, "object": {"dict": [["w", {"array": "a0"}]]}})
    path = tmp_path / "evil.npz"
    np.savez(path, a0=np.array([_Exploit(marker)], dtype=object),
             **{"__minigrad__.json": np.frombuffer(meta.encode(), dtype=np.uint8)})
    with pytest.raises(ValueError, match="evil.npz"):
        load(path)
    assert not os.path.exists(marker)


def test_a_plain_pickle_file_is_refused(tmp_path) -> None:
    marker = str(tmp_path / "pwned")
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"w": _Exploit(marker)}))
    with pytest.raises(ValueError, match="damaged or not a minigrad checkpoint"):
        load(path)
    assert not os.path.exists(marker)


def test_truncated_and_garbage_files(tmp_path) -> None:
    path = tmp_path / "ckpt.npz"
    save({"w": mg.randn(50, 50), "b": mg.zeros(50)}, path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 10):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="ckpt.npz"):
            load(path)
    path.write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError):
        load(path)
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match="single .npy array"):
        load(tmp_path / "single.npy")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


def _write_npz(path, meta, **arrays) -> None:
    if meta is not None:
        arrays["__minigrad__.json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


@pytest.mark.parametrize("meta, arrays, match", [
    (None, {"a0": np.zeros(2)}, "no __minigrad__.json"),
    ({"format": "other", "object": 1}, {}, "does not describe"),
    ({"format": "minigrad", "version": 99, "object": 1}, {}, "version 99"),
    ({"format": "minigrad", "version": 1, "object": {"tensor": "a1"}}, {"a0": np.zeros(2)}, "missing or repeated array 'a1'"),
    ({"format": "minigrad", "version": 1, "object": [{"array": "a0"}, {"array": "a0"}]}, {"a0": np.zeros(2)}, "repeated"),
    ({"format": "minigrad", "version": 1, "object": {"tensor": "a0"}}, {"a0": np.zeros(2), "a1": np.ones(1)}, r"\['a1'\]"),
    ({"format": "minigrad", "version": 1, "object": {"tensor": "a0"}}, {"a0": np.array(["x"])}, "dtype <U1"),
    ({"format": "minigrad", "version": 1, "object": {"eval": "1"}}, {}, "unexpected metadata"),
    ({"format": "minigrad", "version": 1, "object": {"tensor": "a0", "requires_grad": True}},
     {"a0": np.arange(2)}, "requiring grad"),
])
def test_mismatched_metadata_is_refused(tmp_path, meta, arrays, match) -> None:
    path = tmp_path / "bad.npz"
    _write_npz(path, meta, **arrays)
    with pytest.raises(ValueError, match=match):
        load(path)
