"""Makes ``import cupy`` give the fake (``MINIGRAD_FAKE_CUPY=1`` puts this folder on the path)."""

import sys

from tests import fake_cupy

sys.modules[__name__] = fake_cupy
