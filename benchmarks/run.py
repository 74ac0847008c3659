"""Time minigrad against the same math written by hand and PyTorch eager; print medians and ratios.

    python benchmarks/run.py [--backend numpy|cupy] [--quick] [--only NAME] [--repeats N] [--tiny]

Workloads: ``mlp_medium``, ``mlp_small`` and ``mlp_large`` (one SGD step, see
``mlp.py``), ``op_overhead`` and ``deep_chain`` (a chain of small elementwise
ops, forward + backward, see ``chain.py``). Before timing, every workload
checks once that all implementations compute the same loss and gradients from
the same initial values. minigrad and the hand-written baseline are sampled in
turns (minigrad, baseline, minigrad, ...) so that drift of the machine hits
both alike; torch is sampled in a block of its own (see ``time_in_turns``).

``--backend numpy`` (the default) runs on the CPU: minigrad on NumPy, the
baseline in NumPy, PyTorch on "cpu". ``--backend cupy`` runs on the GPU:
minigrad on CuPy, the same baseline code in CuPy, PyTorch on "cuda" where it
has CUDA (else its column stays empty); the clock is read only after the
device has finished its queued work. ``mlp_large`` (MLP 4096-4096-4096-10,
batch 1024) takes seconds a step on a CPU: it runs by default only with
``--backend cupy``, on NumPy only when named with ``--only``.

Threads: BLAS (OpenBLAS) gets ``OPENBLAS_NUM_THREADS`` threads, default all
cores, and PyTorch gets the same number through ``torch.set_num_threads``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

THREADS = int(os.environ.setdefault("OPENBLAS_NUM_THREADS", str(os.cpu_count() or 1)))
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(THREADS))
# The repository root goes last: an installed minigrad or one on PYTHONPATH wins.
sys.path.append(str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from benchmarks import chain, devices, mlp  # noqa: E402
from benchmarks.devices import Device  # noqa: E402

WORKLOADS = ("mlp_medium", "mlp_small", "op_overhead", "deep_chain", "mlp_large")
# What runs without --only, per backend: mlp_large takes seconds a step on a CPU.
DEFAULT_WORKLOADS = {"numpy": tuple(w for w in WORKLOADS if w != "mlp_large"), "cupy": WORKLOADS}

FULL_SIZES: dict[str, Any] = {
    "mlp_medium": mlp.MLPSpec((784, 512, 512, 10), "relu", "cross_entropy", 256),
    "mlp_small": mlp.MLPSpec((2, 16, 16, 1), "tanh", "mse", 32),
    "op_overhead": 1_000,
    "deep_chain": 100_000,
    "mlp_large": mlp.MLPSpec((4096, 4096, 4096, 10), "relu", "cross_entropy", 1024),
}
TINY_SIZES: dict[str, Any] = {
    "mlp_medium": mlp.MLPSpec((12, 8, 8, 3), "relu", "cross_entropy", 4),
    "mlp_small": mlp.MLPSpec((2, 4, 4, 1), "tanh", "mse", 4),
    "op_overhead": 30,
    "deep_chain": 400,
    "mlp_large": mlp.MLPSpec((32, 32, 32, 10), "relu", "cross_entropy", 8),
}

# Per backend, the targets: workload -> (the implementation minigrad is compared
# with, the largest allowed ratio). On the numpy backend the hand-written
# baseline is named "numpy"; a workload without an entry has no target there.
TARGETS = {
    "numpy": {
        "mlp_medium": ("numpy", 1.10),
        "mlp_small": ("numpy", 2.5),
        "op_overhead": ("torch", 1.0),
        "deep_chain": ("torch", 1.0),
    },
    "cupy": {
        "mlp_large": ("torch", 1.5),
    },
}
MEMORY_TARGET = 1.5


@dataclass
class Plan:
    """How to sample one workload: samples per implementation, calls per sample, warm-up calls."""

    repeats: int
    inner: int
    warmup: int


FULL_PLANS = {
    "mlp_medium": Plan(30, 1, 3),
    "mlp_small": Plan(30, 50, 20),
    "op_overhead": Plan(30, 1, 3),
    "deep_chain": Plan(3, 1, 1),
    "mlp_large": Plan(20, 1, 3),
}
QUICK_PLAN = Plan(3, 2, 1)


@dataclass
class Row:
    """One line of the table: medians in seconds per call, shown as ``unit`` after multiplying by ``scale``."""

    name: str
    unit: str
    scale: float
    medians: dict[str, float]
    notes: list[str] = field(default_factory=list)


def time_in_turns(steps: dict[str, Callable[[], object]], plan: Plan,
                  sync: Callable[[], None] = lambda: None) -> dict[str, float]:
    """Median seconds per call of each step: minigrad and the baseline sampled in turns, then torch on its own.

    PyTorch's OpenMP threads and OpenBLAS's threads each spin for a while after
    a parallel op; interleaved, one library's spinning threads take the cores
    the other's matrix products need. minigrad and numpy share OpenBLAS, so they
    alternate; torch gets a block of its own. ``sync`` waits for the device
    (``Device.sync``) before each reading of the clock.
    """
    blocks = [{k: v for k, v in steps.items() if k != "torch"}, {k: v for k, v in steps.items() if k == "torch"}]
    medians: dict[str, float] = {}
    for block in blocks:
        medians.update(_sample_in_turns(block, plan, sync))
    return medians


def _sample_in_turns(steps: dict[str, Callable[[], object]], plan: Plan, sync: Callable[[], None]) -> dict[str, float]:
    """Median seconds per call, samples taken round-robin over ``steps``."""
    for fn in steps.values():
        for _ in range(plan.warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(plan.repeats):
        for name, fn in steps.items():
            sync()
            start = time.perf_counter()
            for _ in range(plan.inner):
                fn()
            sync()
            samples[name].append((time.perf_counter() - start) / plan.inner)
    return {name: statistics.median(s) for name, s in samples.items()}


def peak_memory(fn: Callable[[], object]) -> int:
    """Bytes allocated at the peak of one call of ``fn``, beyond what was held before (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def assert_close(what: str, got: Any, want: Any, rtol: float = 1e-3) -> None:
    """Fail with ``what`` named unless ``got`` matches ``want`` to float32 accuracy."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    atol = rtol * max(float(np.abs(want).max(initial=0.0)), 1e-12)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"correctness check failed: {what}")


def check_mlp(name: str, impls: dict[str, mlp.MLPStep], ref_name: str = "numpy") -> None:
    """One step of every implementation: same loss, gradients and updated weights as the hand-written one."""
    ref = impls[ref_name]
    ref_loss = ref.forward_backward()
    ref_grads = ref.grads()
    ref.update()
    ref_weights = ref.weights()
    for impl_name, impl in impls.items():
        if impl is ref:
            continue
        assert_close(f"{name} {impl_name} loss", impl.forward_backward(), ref_loss)
        for i, (g, want) in enumerate(zip(impl.grads(), ref_grads, strict=True)):
            assert_close(f"{name} {impl_name} gradient of parameter {i}", g, want)
        impl.update()
        for i, (w, want) in enumerate(zip(impl.weights(), ref_weights, strict=True)):
            assert_close(f"{name} {impl_name} parameter {i} after SGD", w, want)


def check_chain(name: str, impls: dict[str, Any], ref_name: str = "numpy") -> None:
    """Every implementation: same loss and gradient with respect to the input as the hand-written one."""
    ref = impls[ref_name]
    ref_loss, ref_grad = ref.step(), ref.grad()
    for impl_name, impl in impls.items():
        if impl is not ref:
            assert_close(f"{name} {impl_name} loss", impl.step(), ref_loss)
            assert_close(f"{name} {impl_name} gradient of the input", impl.grad(), ref_grad)


def bench_mlp(name: str, spec: mlp.MLPSpec, plan: Plan, device: Device) -> Row:
    """Check, then time one SGD step of each implementation; then, on the CPU, the peak memory of one step."""
    impls = mlp.implementations(mlp.make_problem(spec), device)
    check_mlp(name, impls, device.backend)
    medians = time_in_turns({k: v.step for k, v in impls.items()}, plan, device.sync)
    unit, scale = ("ms/step", 1e3) if name in ("mlp_medium", "mlp_large") else ("us/step", 1e6)
    row = Row(name, unit, scale, medians)
    loss_name = impls["minigrad"].loss_name  # type: ignore[attr-defined]
    row.notes.append(f"minigrad loss: {loss_name}")
    if name == "mlp_medium" and device.backend == "numpy":
        mem = {k: peak_memory(impls[k].step) for k in ("minigrad", "numpy")}
        ratio = mem["minigrad"] / mem["numpy"]
        row.notes.append(
            f"peak memory of one step (tracemalloc): minigrad {mem['minigrad'] / 2**20:.2f} MiB, "
            f"numpy {mem['numpy'] / 2**20:.2f} MiB, ratio {ratio:.2f}x "
            f"(target <= {MEMORY_TARGET}: {'met' if ratio <= MEMORY_TARGET else 'NOT met'})"
        )
    return row


def bench_op_overhead(n_ops: int, plan: Plan, device: Device) -> Row:
    """Microseconds per op (forward + backward) of a chain of ``n_ops`` ops on a 16-element vector."""
    impls = chain.implementations(chain.make_problem(n_ops), device)
    check_chain("op_overhead", impls, device.backend)
    medians = time_in_turns({k: v.step for k, v in impls.items()}, plan, device.sync)
    return Row("op_overhead", "us/op", 1e6 / n_ops, medians, [f"{n_ops} ops: y * a, y + 0.1, tanh(y), repeated"])


class FullCollections:
    """Wraps a step; per call, its seconds and those Python's garbage collector spent in full collections."""

    def __init__(self, step: Callable[[], object]) -> None:
        self.step = step
        self.calls: list[tuple[float, float, int]] = []  # (seconds, seconds in full collections, how many)
        self._in_gc = self._started = 0.0
        self._count = 0

    def _watch(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._count += 1
            self._in_gc += time.perf_counter() - self._started

    def __call__(self) -> object:
        self._in_gc, self._count = 0.0, 0
        gc.callbacks.append(self._watch)
        start = time.perf_counter()
        try:
            return self.step()
        finally:
            self.calls.append((time.perf_counter() - start, self._in_gc, self._count))
            gc.callbacks.remove(self._watch)

    def summary(self, skip: int) -> tuple[float, float]:
        """Over the calls after the first ``skip``: full collections per call, median seconds outside them."""
        timed = self.calls[skip:]
        return (statistics.mean(c[2] for c in timed), statistics.median(c[0] - c[1] for c in timed))


def bench_deep_chain(n_ops: int, plan: Plan, device: Device) -> Row:
    """Seconds for a chain of ``n_ops`` ops, forward + backward; also at n/4 and n/2 to show it is linear.

    Python's garbage collector runs a full collection after every ~85,000 new
    container objects (its default thresholds), so a graph kept in Python
    objects pays for a few, in steps as it grows. Printed per length: the full
    collections per call, and the growth of the time spent outside them.
    """
    lengths = (n_ops // 4, n_ops // 2, n_ops)
    by_length, watched = {}, {}
    for n in lengths:
        impls = chain.implementations(chain.make_problem(n), device)
        check_chain(f"deep_chain ({n} ops)", impls, device.backend)
        watched[n] = {k: FullCollections(v.step) for k, v in impls.items()}
        by_length[n] = time_in_turns(dict(watched[n]), plan, device.sync)
        del impls
        gc.collect()
    row = Row("deep_chain", "s", 1.0, by_length[n_ops], ["linearity (forward + backward; full garbage collections per call):"])
    first, last = lengths[0], lengths[-1]
    for impl in by_length[n_ops]:
        summaries = {n: watched[n][impl].summary(plan.warmup) for n in lengths}
        times = "  ".join(f"{n:>7} ops {by_length[n][impl]:7.3f} s ({by_length[n][impl] / n * 1e6:5.2f} us/op, "
                          f"{summaries[n][0]:.1f} GC)" for n in lengths)
        row.notes.append(f"  {impl:<8} {times}   t(n)/t(n/4) = {by_length[last][impl] / by_length[first][impl]:.2f}, "
                         f"outside full GCs {summaries[last][1] / summaries[first][1]:.2f} (4.00 is linear)")
    return row


def ratio_cell(row: Row, other: str) -> str:
    if other not in row.medians:
        return "-"
    return f"{row.medians['minigrad'] / row.medians[other]:.2f}x"


def target_cells(row: Row, backend: str) -> tuple[str, str]:
    """The target of ``row`` on ``backend`` and whether it is met: "yes", "NO", or "-" (no target, or no data)."""
    if row.name not in TARGETS[backend]:
        return "none", "-"
    other, limit = TARGETS[backend][row.name]
    if other not in row.medians:
        return f"mg/{other} <= {limit:.2f}", "-"
    return f"mg/{other} <= {limit:.2f}", "yes" if row.medians["minigrad"] / row.medians[other] <= limit else "NO"


def format_table(rows: Sequence[Row], backend: str = "numpy") -> str:
    """The results as a fixed-width table, each row followed by its notes; the baseline is named ``backend``."""
    impls = ("minigrad", backend, "torch")
    head = f"{'workload':<12} {'unit':<8}" + "".join(f"{n:>10}" for n in impls)
    head += f"{'mg/' + backend:>10}{'mg/torch':>10}   {'target':<18} met"
    lines = [head, "-" * len(head)]
    for row in rows:
        cells = "".join(f"{row.medians[n] * row.scale:>10.3g}" if n in row.medians else f"{'-':>10}" for n in impls)
        target, met = target_cells(row, backend)
        lines.append(f"{row.name:<12} {row.unit:<8}{cells}{ratio_cell(row, backend):>10}{ratio_cell(row, 'torch'):>10}"
                     f"   {target:<18} {met}")
        lines.extend(f"    {note}" for note in row.notes)
    return "\n".join(lines)


def header(args: argparse.Namespace, device: Device) -> str:
    torch = devices.torch
    if device.torch is None:
        torch_text = f"torch: {device.torch_missing}"
    else:
        torch_text = f"torch {torch.__version__} on {device.torch} ({torch.get_num_threads()} CPU threads)"
    return "\n".join([
        f"minigrad {mg.__version__} from {Path(mg.__file__).parent}, backend {device.backend}",
        f"python {platform.python_version()}, numpy {np.__version__} (OPENBLAS_NUM_THREADS={THREADS}), "
        f"{os.cpu_count()} cores; {torch_text}",
        f"baseline '{device.backend}': the same math written by hand in {device.describe()}",
        f"medians; minigrad and {device.backend} sampled in turns, torch in its own block; "
        f"mode: {'quick' if args.quick else 'full'}"
        f"{', tiny sizes' if args.tiny else ''}; load average before the run: {os.getloadavg()[0]:.2f}",
    ])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=mg.backend.BACKENDS, default="numpy",
                        help="numpy: on the CPU (default); cupy: on the GPU, against PyTorch CUDA")
    parser.add_argument("--quick", action="store_true", help="a few samples per workload (a smoke test)")
    parser.add_argument("--only", choices=WORKLOADS, action="append", help="run only this workload (repeatable)")
    parser.add_argument("--repeats", type=int, help="samples per implementation (overrides the defaults)")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, for the test suite")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, device: Device) -> list[Row]:
    """Check and time the chosen workloads on ``device``."""
    sizes = TINY_SIZES if args.tiny else FULL_SIZES
    rows = []
    for name in args.only or DEFAULT_WORKLOADS[device.backend]:
        plan = QUICK_PLAN if args.quick else FULL_PLANS[name]
        if args.repeats:
            plan = Plan(args.repeats, plan.inner, plan.warmup)
        gc.collect()
        if name.startswith("mlp"):
            rows.append(bench_mlp(name, sizes[name], plan, device))
        elif name == "op_overhead":
            rows.append(bench_op_overhead(sizes[name], plan, device))
        else:
            rows.append(bench_deep_chain(sizes[name], plan, device))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        device = devices.select(args.backend)
    except RuntimeError as err:  # no CuPy or no GPU: minigrad's backend layer says which, and how to install
        print(f"benchmarks/run.py: {err}", file=sys.stderr)
        return 2
    if devices.torch is not None:
        devices.torch.set_num_threads(THREADS)
    print(header(args, device), flush=True)
    with mg.use_backend(device.backend):
        rows = run(args, device)
    print(format_table(rows, device.backend))
    return 0


if __name__ == "__main__":
    sys.exit(main())
