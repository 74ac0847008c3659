"""Shared test setup: Hypothesis profiles and a clean global state per test.

Profiles (``HYPOTHESIS_PROFILE``): ``dev`` (default, quick), ``ci`` (more
examples, derandomized so CI is reproducible), ``thorough`` (many examples,
for hunting bugs). Tests run on the backend named by ``MINIGRAD_BACKEND``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import minigrad as mg
from minigrad import backend
from minigrad.autograd import GradMode

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
