"""The backend layer: choosing NumPy or CuPy, and clear errors when CuPy cannot be used."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

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


# Modules outside backend.py that may import an array library, each with why it never runs ops on tensor data.
ARRAY_IMPORTS_ALLOWED = {
    ("dtypes.py", "numpy"): "minigrad's dtypes are NumPy dtypes (the SPEC); no array math",
    ("serialization.py", "numpy"): "writes and reads .npz files of host copies (backend.to_numpy)",
    ("gradcheck.py", "numpy"): "float64 Jacobians built from host copies of outputs and gradients",
    ("training.py", "numpy"): "predict returns NumPy (the SPEC): it joins host copies of the batches",
    ("testing.py", "numpy"): "Hypothesis strategies draw host arrays; finite differences read host copies",
    ("cli/datasets.py", "numpy"): "prepares host data before any tensor exists",
    ("cli/objectives.py", "numpy"): "encodes host labels of the data sets",
    ("cli/loss_curves.py", "numpy"): "host grids of plot points, and host copies for plotting",
    ("cli/info.py", "cupy"): "reads CuPy's version string when the backend cannot load it",
}
ARRAY_LIBRARIES = ("numpy", "cupy", "cupyx")


def _array_imports(path: Path) -> set[str]:
    """The array libraries a module imports: import statements and importlib.import_module("...") calls."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)):
            names = [str(node.args[0].value)]
        found |= {n.split(".")[0] for n in names} & set(ARRAY_LIBRARIES)
    return found


def test_only_the_backend_layer_imports_array_libraries() -> None:
    package = Path(mg.__file__).parent
    seen = set()
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel == "backend.py":
            continue
        for library in _array_imports(path):
            seen.add((rel, library))
            assert (rel, library) in ARRAY_IMPORTS_ALLOWED, (
                f"minigrad/{rel} imports {library}; get the array module from minigrad.backend instead "
                f"(or add it to ARRAY_IMPORTS_ALLOWED with the reason it never touches tensor data)"
            )
    assert seen == set(ARRAY_IMPORTS_ALLOWED), f"stale allowlist entries: {set(ARRAY_IMPORTS_ALLOWED) - seen}"
    assert _array_imports(package / "backend.py") == {"numpy", "cupy", "cupyx"}  # the scan does see imports


def test_python_number_constants_are_shared_read_only_and_keep_the_sign_of_zero() -> None:
    from minigrad.backend import numpy_constant

    half = numpy_constant(0.5, np.dtype(np.float32))
    assert numpy_constant(0.5, np.dtype(np.float32)) is half and half.dtype == np.float32
    assert numpy_constant(0.5, np.dtype(np.float64)) is not half
    with pytest.raises(ValueError, match="read-only"):
        half[...] = 2.0
    assert np.signbit(numpy_constant(-0.0, np.dtype(np.float32)))
    assert np.isnan(numpy_constant(float("nan"), np.dtype(np.float32)))
    x = mg.tensor([1.0, -2.0])
    np.testing.assert_array_equal((1.0 / (x * -0.0)).numpy(), [-np.inf, np.inf])
