"""Smoke tests of ``benchmarks/run.py`` on tiny sizes: it runs and its correctness checks pass.

No wall time is asserted; the timings belong to ``python benchmarks/run.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import chain, mlp, run


def test_every_workload_runs_and_passes_its_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--quick", "--tiny"]) == 0
    out = capsys.readouterr().out
    for name in run.WORKLOADS:
        assert name in out
    assert "peak memory of one step" in out
    assert "t(n)/t(n/4)" in out


def test_only_and_repeats_pick_one_workload(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--tiny", "--only", "op_overhead", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "op_overhead" in out and "mlp_medium" not in out


def test_runs_without_torch(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(mlp, "torch", None)
    monkeypatch.setattr(chain, "torch", None)
    assert run.main(["--quick", "--tiny", "--only", "mlp_small", "--only", "deep_chain"]) == 0
    out = capsys.readouterr().out
    assert "mlp_small" in out and "deep_chain" in out


def test_mlp_check_catches_a_wrong_gradient() -> None:
    impls = mlp.implementations(mlp.make_problem(run.TINY_SIZES["mlp_small"]))
    numpy_impl = impls["numpy"]
    right = numpy_impl.grads
    numpy_impl.grads = lambda: [g * 1.5 for g in right()]  # type: ignore[method-assign]
    with pytest.raises(AssertionError, match="gradient of parameter"):
        run.check_mlp("mlp_small", impls)


def test_chain_check_catches_a_wrong_gradient() -> None:
    impls = chain.implementations(chain.make_problem(9))
    minigrad_impl = impls["minigrad"]
    minigrad_impl.grad = lambda: np.zeros(16, np.float32)  # type: ignore[method-assign]
    with pytest.raises(AssertionError, match="gradient of the input"):
        run.check_chain("op_overhead", impls)


def test_implementations_agree_on_the_full_mlp_medium_step() -> None:
    impls = mlp.implementations(mlp.make_problem(run.FULL_SIZES["mlp_medium"]))
    run.check_mlp("mlp_medium", impls)
