"""``minigrad info``: what minigrad runs on here."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import platform
import sys

from .. import __version__, backend
from .common import EXTRA_HINT

__all__ = ["add_parser", "run", "report"]


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cupy() -> tuple[str, str]:
    """CuPy's version and the CUDA device it sees, or why there is none."""
    try:
        cupy = backend.xp("cupy")
    except RuntimeError as err:
        try:
            version = importlib.import_module("cupy").__version__
        except ImportError:
            version = "not installed"
        return version, f"none ({err})"
    device = cupy.cuda.Device()
    props = cupy.cuda.runtime.getDeviceProperties(device.id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    return cupy.__version__, f"CUDA device {device.id}: {name} ({props['totalGlobalMem'] / 2**30:.0f} GiB)"


def report() -> list[tuple[str, str]]:
    """The lines of ``minigrad info`` as (label, value) pairs."""
    cupy_version, gpu = _cupy()
    cpu = platform.processor() or platform.machine()
    extras = [f"{d} {v}" for d in ("matplotlib", "scikit-learn") if (v := _version(d))]
    return [
        ("minigrad", __version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("active backend", backend.get_backend()),
        ("available backends", ", ".join(backend.available_backends())),
        ("device", f"CPU ({cpu})" if backend.get_backend() == "numpy" else gpu),
        ("GPU", gpu),
        ("numpy", backend.xp("numpy").__version__),
        ("cupy", cupy_version),
        ("examples extra", ", ".join(extras) if len(extras) == 2 else f"incomplete ({EXTRA_HINT})"),
    ]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info", help="version, backends, device, NumPy/CuPy versions",
        description="Print minigrad's version, the active and available backends, the device and library versions.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    lines = report()
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label + ':':<{width + 1}} {value}")
    return 0
