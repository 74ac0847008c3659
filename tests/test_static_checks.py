"""The code passes its linters: ``ruff check`` and ``mypy minigrad``, with the settings of pyproject.toml.

Both come with the ``test`` extra; where one is not installed its test is
skipped. mypy takes about 4 s from a cold cache on two cores.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip(module)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_reports_nothing() -> None:
    result = _run("ruff", "check", "minigrad", "tests", "benchmarks", "examples")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reports_no_errors() -> None:
    result = _run("mypy", "minigrad")
    assert result.returncode == 0, result.stdout + result.stderr
