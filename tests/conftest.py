"""Shared test setup: Hypothesis profiles and a clean global state per test.

Profiles (``HYPOTHESIS_PROFILE``): ``dev`` (default, quick), ``ci`` (more
examples, derandomized so CI is reproducible), ``thorough`` (many examples,
for hunting bugs). Tests run on the backend named by ``MINIGRAD_BACKEND``.

``MINIGRAD_FAKE_CUPY=1`` makes ``import cupy`` give the NumPy-backed stand-in
(``tests/fake_cupy``), in this process and in the ones tests start, so

    MINIGRAD_FAKE_CUPY=1 MINIGRAD_BACKEND=cupy python -m pytest -n 2

runs the whole suite through the CuPy code path without a GPU.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

if os.environ.get("MINIGRAD_FAKE_CUPY") == "1":  # before minigrad reads MINIGRAD_BACKEND
    _paths = [str(Path(__file__).parent / "fake_cupy" / "site"), str(Path(__file__).parent.parent)]
    sys.path[:0] = _paths
    os.environ["PYTHONPATH"] = os.pathsep.join(_paths + [p for p in [os.environ.get("PYTHONPATH")] if p])

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad import backend  # noqa: E402
from minigrad.autograd import GradMode  # noqa: E402

_common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}
settings.register_profile("dev", max_examples=15, **_common)
settings.register_profile("ci", max_examples=30, derandomize=True, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=400, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    """Each test starts in grad mode on the configured backend with a fixed seed."""
    name = backend.get_backend()
    mg.manual_seed(0)
    yield
    GradMode.enabled = True
    backend.set_backend(name)


@pytest.fixture
def fake_cupy() -> Iterator[ModuleType]:
    """The NumPy-backed CuPy stand-in as the active ``"cupy"`` backend for one test, transfer counts at zero."""
    from . import fake_cupy as fake

    with backend.stand_in("cupy", fake, fake.cupyx.scatter_add):
        backend.set_backend("cupy")
        fake.transfers.reset()
        yield fake
