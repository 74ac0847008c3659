"""``mypy minigrad`` is clean, with the settings of pyproject.toml (skipped where mypy is not installed).

It takes about 4 s from a cold cache on two cores, well under a second with
the cache in ``.mypy_cache``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# minigrad/function.py (being changed in another branch) still needs one annotation for mypy to pass:
# `ctx: Any = new_node(cls, inputs, 1) if record else _Scratch()` in Function.apply. Until then this
# test is expected to fail; once that line is annotated, this condition is False and the test must pass.
_CTX_UNANNOTATED = "        ctx = new_node(cls, inputs, 1) if record else _Scratch()\n" in (
    ROOT / "minigrad" / "function.py"
).read_text()


@pytest.mark.xfail(_CTX_UNANNOTATED, reason="Function.apply's ctx is not annotated yet (function.py)", strict=True)
def test_mypy_reports_no_errors() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "minigrad"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
