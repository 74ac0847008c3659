"""Smoke tests of ``benchmarks/run.py`` on tiny sizes: it runs and its correctness checks pass.

No wall time is asserted; the timings belong to ``python benchmarks/run.py``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from benchmarks import chain, devices, mlp, run
from minigrad import backend


def test_every_default_workload_runs_and_passes_its_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--quick", "--tiny"]) == 0
    out = capsys.readouterr().out
    for name in run.DEFAULT_WORKLOADS["numpy"]:
        assert name in out
    assert "mlp_large" not in out  # too slow on a CPU to run unasked
    assert "peak memory of one step" in out
    assert "t(n)/t(n/4)" in out


def test_mlp_large_runs_on_numpy_when_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--quick", "--tiny", "--only", "mlp_large"]) == 0
    out = capsys.readouterr().out
    assert "mlp_large" in out and "mlp_medium" not in out


def test_cupy_backend_without_cupy_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    if "cupy" in backend.LOADED:
        pytest.skip("CuPy is loaded and has a GPU here: --backend cupy would run")
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` fails, as where it is not installed
    assert run.main(["--backend", "cupy", "--quick", "--tiny"]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "CuPy" in lines[0] and "pip install" in lines[0] and "minigrad[cuda]" in lines[0]


def test_torch_runs_on_cuda_only_where_it_has_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    if devices.torch is None:
        pytest.skip("needs torch")
    monkeypatch.setattr(devices.backend, "xp", lambda name: np)  # pretend CuPy is there
    monkeypatch.setattr(devices.torch.cuda, "is_available", lambda: False)
    no_cuda = devices.select("cupy")
    assert no_cuda.torch is None and "no CUDA" in no_cuda.torch_missing
    monkeypatch.setattr(devices.torch.cuda, "is_available", lambda: True)
    assert devices.select("cupy").torch == "cuda"
    assert devices.select("numpy").torch == "cpu"


def test_timing_waits_for_the_device_before_reading_the_clock() -> None:
    # Like a GPU: a step only queues its work, which takes 10 ms and is done at the next sync.
    queued: list[float] = []

    def sync() -> None:
        while queued:
            time.sleep(queued.pop())

    medians = run.time_in_turns({"minigrad": lambda: queued.append(0.01)}, run.Plan(3, 2, 1), sync)
    assert medians["minigrad"] >= 0.01


def test_only_and_repeats_pick_one_workload(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--tiny", "--only", "op_overhead", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "op_overhead" in out and "mlp_medium" not in out


def test_runs_without_torch(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(devices, "torch", None)
    monkeypatch.setattr(mlp, "torch", None)
    monkeypatch.setattr(chain, "torch", None)
    assert run.main(["--quick", "--tiny", "--only", "mlp_small", "--only", "deep_chain"]) == 0
    out = capsys.readouterr().out
    assert "mlp_small" in out and "deep_chain" in out
    assert "torch: not installed" in out


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
