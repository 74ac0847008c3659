"""Each example runs (in a fast mode where it has one) and does what it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_autograd_internals_tour(tmp_path: Path) -> None:
    out = run_example("autograd_internals.py", "--out", str(tmp_path))
    assert "[0] v0 = mul(x0[2]:float32, x1[2]:float32)" in out
    assert "H v = tensor([  6.,   1., -18.], dtype=float64)" in out
    assert "gradcheck: True  gradgradcheck: True" in out
    assert "backward of 'sqrt'" in out
    assert (tmp_path / "mlp_step.dot").read_text().startswith("digraph minigrad {")
