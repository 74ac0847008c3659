"""Makes ``import cupyx`` give the fake's ``cupyx`` (``MINIGRAD_FAKE_CUPY=1`` puts this folder on the path)."""

import sys

from tests.fake_cupy import cupyx

sys.modules[__name__] = cupyx
