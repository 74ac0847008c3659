"""Each example runs (in a fast mode where it has one) and does what it says."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_autograd_internals_tour(tmp_path: Path) -> None:
    out = run_example("autograd_internals.py", "--out", str(tmp_path))
    assert "[0] v0 = mul(x0[2]:float32, x1[2]:float32)" in out
    assert "H v = tensor([  6.,   1., -18.], dtype=float64" in out  # then ")" or ", backend='cupy')"
    assert "gradcheck: True  gradgradcheck: True" in out
    assert "backward of 'sqrt'" in out
    assert (tmp_path / "mlp_step.dot").read_text().startswith("digraph minigrad {")


needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                   reason='needs scikit-learn: pip install "minigrad[examples]"')
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def assert_figure(path: Path) -> None:
    if HAS_MATPLOTLIB:
        assert path.read_bytes()[:4] == b"\x89PNG"


def test_linear_regression(tmp_path: Path) -> None:
    out = run_example("linear_regression.py", "--quick", "--out", str(tmp_path / "fig.png"))
    gap = float(re.search(r"max \|adam - least squares\| = (\S+)", out)[1])
    assert gap < 0.05  # gradient descent found the least-squares weights
    assert_figure(tmp_path / "fig.png")


def test_binary_classification(tmp_path: Path) -> None:
    out = run_example("binary_classification.py", "--quick", "--out", str(tmp_path / "fig.png"))
    accuracies = [float(a) for a in re.findall(r"test accuracy (\S+)", out)]
    assert len(accuracies) == 2 and min(accuracies) > 0.75  # both losses learn the moons
    assert_figure(tmp_path / "fig.png")


def test_rosenbrock(tmp_path: Path) -> None:
    out = run_example("rosenbrock.py", "--quick", "--out", str(tmp_path / "fig.png"))
    rows = {line.split()[0]: line.split() for line in out.splitlines() if "lr=" in line}
    assert {"sgd", "momentum", "adam", "lion"} <= set(rows)
    start = (1 - -1.5) ** 2 + 100 * (2.0 - 1.5**2) ** 2
    assert all(float(row[4]) < start for row in rows.values())  # every optimizer went downhill
    assert_figure(tmp_path / "fig.png")


@needs_sklearn
def test_digits_fit(tmp_path: Path) -> None:
    out = run_example("digits_fit.py", "--quick", "--out", str(tmp_path / "fig.png"))
    assert float(re.search(r"test accuracy (\S+)", out)[1]) > 0.8
    assert_figure(tmp_path / "fig.png")


@needs_sklearn
def test_cnn_digits(tmp_path: Path) -> None:
    out = run_example("cnn_digits.py", "--quick", "--out", str(tmp_path / "fig.png"))
    assert "Conv2d(1, 16" in out
    assert float(re.search(r"test accuracy (\S+)", out)[1]) > 0.2  # one epoch on 300 images: it learns something
    assert_figure(tmp_path / "fig.png")


def test_gpu() -> None:
    out = run_example("gpu.py", "--quick")
    assert "speed-up" in out or 'pip install "minigrad[cuda]"' in out


@needs_sklearn
def test_diabetes_regression() -> None:
    out = run_example("diabetes_regression.py", "--quick")
    model_mse = float(re.search(r"test MSE\s+([\d.]+)", out).group(1))
    baseline_mse = float(re.search(r"mean\s+([\d.]+)", out).group(1))
    assert model_mse < baseline_mse  # beats predicting the mean, even after 5 epochs
