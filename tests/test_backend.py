"""The backend layer: choosing NumPy or CuPy, and clear errors when CuPy cannot be used."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend

HAS_CUPY = "cupy" in backend.available_backends()


def test_numpy_is_always_available() -> None:
    assert "numpy" in backend.available_backends()
    with mg.use_backend("numpy"):
        assert mg.get_backend() == "numpy"
        assert mg.zeros(2).backend == "numpy"


def test_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown backend 'tpu'; valid backends: numpy, cupy"):
        mg.set_backend("tpu")


@pytest.mark.skipif(HAS_CUPY, reason="checks the error raised without CuPy or a GPU")
def test_asking_for_cupy_without_it_says_how_to_install() -> None:
    with pytest.raises(RuntimeError, match=r"pip install minigrad\[cuda\]"):
        mg.set_backend("cupy")
    assert mg.get_backend() == "numpy"
    with pytest.raises(RuntimeError, match="cupy"):
        mg.tensor([1.0]).to("cupy")


@pytest.mark.skipif(HAS_CUPY, reason="checks the error raised without CuPy or a GPU")
def test_env_var_without_cupy_fails_at_import() -> None:
    env = dict(os.environ, MINIGRAD_BACKEND="cupy")
    result = subprocess.run([sys.executable, "-c", "import minigrad"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "ImportError: MINIGRAD_BACKEND='cupy'" in result.stderr and "minigrad[cuda]" in result.stderr


@pytest.mark.skipif(not HAS_CUPY, reason="needs CuPy and a CUDA device")
def test_tensors_move_between_backends_with_their_gradient() -> None:
    with mg.use_backend("numpy"):
        x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.to("cupy") * 3).sum()
    assert y.backend == "cupy"
    y.backward()
    assert x.grad.backend == "numpy"
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    with pytest.raises(ValueError, match="different backends"):
        x.to("cupy") + x


def test_importing_minigrad_loads_no_optional_dependency() -> None:
    code = (
        "import sys, minigrad\n"
        "bad = [m for m in ('cupy', 'torch', 'matplotlib', 'sklearn', 'hypothesis', 'scipy') if m in sys.modules]\n"
        "print(bad)"
    )
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_BACKEND"}  # the default backend
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(("shape", "target", "expected"), [
    ((2, 3), (2, 3), [[1, 2, 3], [4, 5, 6]]),
    ((2, 3), (3,), [5, 7, 9]),
    ((2, 3), (1, 3), [[5, 7, 9]]),
    ((2, 3), (2, 1), [[6], [15]]),
    ((2, 3), (), 21),
])
def test_sum_to_undoes_broadcasting(shape: tuple[int, ...], target: tuple[int, ...], expected: object) -> None:
    g = np.arange(1, 7, dtype=np.float64).reshape(shape)
    np.testing.assert_array_equal(backend.sum_to(g, target), expected)
    assert backend.sum_to(g, shape) is g  # nothing to undo, nothing done
