"""What every ``minigrad`` command shares: its one-line errors, optional imports, argument types."""

from __future__ import annotations

import argparse
import importlib
import math
from types import ModuleType

__all__ = [
    "CLIError", "MissingExtra", "EXTRA_HINT", "require", "positive_int", "non_negative_int", "positive_float", "finite_float",
]

EXTRA_HINT = 'pip install "minigrad[examples]"'
_PACKAGE_OF = {"matplotlib": "matplotlib", "sklearn": "scikit-learn"}


class CLIError(Exception):
    """An error the user can fix: ``main`` prints its message on one line and exits with ``code``."""

    code = 2  # a bad name or option, as argparse's own errors


class MissingExtra(CLIError):
    """An optional package the command needs is not installed."""

    code = 1


def require(module: str) -> ModuleType:
    """Import an optional dependency (``"matplotlib.pyplot"``, ``"sklearn.datasets"``) or say which extra to install."""
    try:
        if module.startswith("matplotlib"):
            import matplotlib

            matplotlib.use("Agg")  # files only: never open a window
        return importlib.import_module(module)
    except ImportError:
        package = _PACKAGE_OF.get(module.split(".")[0], module)
        raise MissingExtra(f"this needs {package}, which is not installed: {EXTRA_HINT}") from None


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """argparse type: a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
