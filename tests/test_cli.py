"""The ``minigrad`` command: every subcommand runs (tiny epochs), every mistake ends in one line, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minigrad.cli import main
from minigrad.cli.common import CLIError
from minigrad.cli.compare import DEFAULT_LR, _learning_rates
from minigrad.cli.datasets import DATASETS, Data
from minigrad.cli.loss_curves import GROUPS, curves
from minigrad.cli.objectives import fitting_losses, objective

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
needs_sklearn = pytest.mark.skipif(not HAS_SKLEARN, reason='needs scikit-learn: pip install "minigrad[examples]"')
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB, reason='needs matplotlib: pip install "minigrad[examples]"')
RUN_KEYS = {"optimizer", "loss", "lr", "history", "final_loss", "final_metric", "epochs_to_target", "seconds"}


def minigrad(*args: str, env: dict[str, str] | None = None, code: str | None = None) -> subprocess.CompletedProcess:
    """``python -m minigrad ARGS`` (or ``python -c CODE``) in a fresh process, numpy backend unless ``env`` says."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "minigrad", *args]
    environment = {**os.environ, "MINIGRAD_BACKEND": "numpy", **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)


def in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess:
    """``main(ARGS)`` in this process, as a CompletedProcess (faster than a subprocess for the error paths)."""
    try:
        code = main(list(args))
    except SystemExit as stop:  # argparse's own errors and --help
        code = stop.code
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, captured.out, captured.err)


def assert_one_line_error(result: subprocess.CompletedProcess, *expected: str, code: int = 2) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


# ---- commands that work ----
@pytest.mark.parametrize("command", ["", "compare", "losses", "info"])
def test_help(command: str) -> None:
    result = minigrad(*([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: minigrad" in result.stdout
    if command == "compare":
        assert "--optimizers" in result.stdout and "default learning rates: sgd 0.1" in result.stdout


def test_console_script_and_info() -> None:
    script = Path(sys.executable).with_name("minigrad")
    if not script.exists():
        pytest.skip("the minigrad console script is not installed next to this Python")
    result = subprocess.run([str(script), "info"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "MINIGRAD_BACKEND": "numpy"})
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
    assert lines["minigrad"].strip() == "0.1.0"
    assert lines["active backend"].strip() == "numpy"
    assert "numpy" in lines["available backends"]
    assert lines["device"].strip().startswith("CPU")
    assert lines["numpy"].strip() == np.__version__
    assert "cupy" in lines


def test_losses_table_without_matplotlib() -> None:
    result = minigrad(code="import sys; sys.modules['matplotlib'] = None\n"
                           "from minigrad.cli import main; raise SystemExit(main(['losses']))")
    assert result.returncode == 0, result.stderr
    rows = {m[1]: m[2] for m in re.finditer(r"^(\S.*?) +(-?\d+\.\d{3} \( *-?\d\.\d\d\))", result.stdout, re.M)}
    assert rows["L2 (mse)"] == "4.000 (-4.00)"  # at residual -2: value 4, gradient -4
    assert rows["hinge"] == "3.000 (-1.00)"  # at margin -2
    assert "weighted cross-entropy, pos_weight=3" in rows


@needs_matplotlib
def test_losses_plot(tmp_path: Path) -> None:
    out = tmp_path / "losses.png"
    result = minigrad("losses", "--plot", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_sklearn
@needs_matplotlib
def test_compare_json_schema_and_plot(tmp_path: Path) -> None:
    out, plot = tmp_path / "runs.json", tmp_path / "curves.png"
    result = minigrad("compare", "--dataset", "iris", "--optimizers", "sgd,adam", "--epochs", "3",
                      "--json", str(out), "--plot", str(plot))
    assert result.returncode == 0, result.stderr
    assert "sgd" in result.stdout and "epochs to 0.9" in result.stdout and "best:" in result.stdout
    assert plot.read_bytes()[:4] == b"\x89PNG"
    document = json.loads(out.read_text())
    assert {"dataset", "model", "runs"} <= set(document)
    assert document["dataset"] == "iris" and document["model"] == "MLP 4-16-3 (ReLU)"
    assert [r["optimizer"] for r in document["runs"]] == ["sgd", "adam"]
    for run in document["runs"]:
        assert RUN_KEYS <= set(run)
        assert run["loss"] == "sparse_categorical_crossentropy"
        assert run["lr"] == DEFAULT_LR[run["optimizer"]]
        history = run["history"]
        assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert all(len(values) == 3 for values in history.values())
        assert run["final_loss"] == history["loss"][-1]
        assert run["final_metric"] == history["val_accuracy"][-1]
        reached = [i + 1 for i, v in enumerate(history["val_accuracy"]) if v >= document["target"]]
        assert run["epochs_to_target"] == (reached[0] if reached else None)
        assert run["seconds"] > 0


@needs_sklearn
def test_compare_same_start_for_every_run(tmp_path: Path) -> None:
    """Two names of the same loss, same optimizer: identical runs prove same weights and batch order."""
    out = tmp_path / "runs.json"
    result = minigrad("compare", "--dataset", "iris", "--optimizers", "adam", "--losses",
                      "sparse_categorical_crossentropy,cross_entropy", "--epochs", "2", "--json", str(out))
    assert result.returncode == 0, result.stderr
    first, second = json.loads(out.read_text())["runs"]
    assert (first["loss"], second["loss"]) == ("sparse_categorical_crossentropy", "cross_entropy")
    np.testing.assert_allclose(first["history"]["loss"], second["history"]["loss"], rtol=1e-5)


@needs_sklearn
def test_compare_regression_grid_keras_convention(tmp_path: Path) -> None:
    out = tmp_path / "runs.json"
    result = minigrad("compare", "--dataset", "diabetes", "--optimizers", "adam,momentum", "--losses", "mse,huber",
                      "--epochs", "2", "--lr", "0.01,adam=3e-3", "--convention", "keras", "--json", str(out))
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["convention"] == "keras"
    runs = document["runs"]
    assert [(r["loss"], r["optimizer"], r["lr"]) for r in runs] == [
        ("mse", "adam", 3e-3), ("mse", "momentum", 0.01), ("huber", "adam", 3e-3), ("huber", "momentum", 0.01)]
    for run in runs:
        assert set(run["history"]) == {"loss", "mae", "val_loss", "val_mae"}
        assert 20 < run["final_metric"] < 200  # MAE in the target's units (the target spans 25..346)


@needs_sklearn
def test_compare_reports_divergence(tmp_path: Path) -> None:
    out = tmp_path / "runs.json"
    result = minigrad("compare", "--dataset", "diabetes", "--optimizers", "sgd,adam", "--lr", "sgd=50",
                      "--epochs", "3", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "diverged at epoch 1" in result.stdout and "Warning" not in result.stderr
    sgd, adam = json.loads(out.read_text())["runs"]  # strict JSON: NaN and inf became null
    assert sgd["diverged"] and sgd["final_loss"] is None and len(sgd["history"]["loss"]) == 1
    assert not adam["diverged"] and len(adam["history"]["loss"]) == 3


# ---- mistakes: one line, non-zero, valid choices listed ----
@pytest.mark.parametrize(("args", "expected"), [
    ((), ["choose a command: compare, losses, info"]),
    (("fit",), ["invalid choice: 'fit'", "'compare', 'losses', 'info'"]),
    (("compare", "--dataset", "mnist"), ["invalid choice: 'mnist'", "'digits', 'moons', 'iris', 'breast_cancer', 'diabetes'"]),
    (("compare", "--epochs", "0"), ["--epochs", "expected an integer >= 1, got '0'"]),
    (("compare", "--epochs", "ten"), ["--epochs", "expected an integer, got 'ten'"]),
    (("compare", "--batch-size", "-4"), ["--batch-size", ">= 1"]),
    (("compare", "--seed", "-1"), ["--seed", ">= 0"]),
    (("compare", "--target", "inf"), ["--target", "finite"]),
    (("compare", "--convention", "jax"), ["invalid choice: 'jax'", "'torch', 'keras'"]),
    (("compare", "--backend", "tpu"), ["invalid choice: 'tpu'", "'numpy', 'cupy'"]),
    (("compare", "--optimizers", "adam,adamm"), ["unknown optimizer 'adamm'", "valid names: sgd, momentum, nesterov"]),
    (("compare", "--optimizers", "adam,,sgd"), ["--optimizers: empty name"]),
    (("compare", "--lr", "-0.1"), ["--lr", "> 0"]),
    (("compare", "--lr", "adam=fast"), ["--lr", "'adam=fast'"]),
    (("compare", "--optimizers", "sgd", "--lr", "adam=0.1"), ["--lr", "'adam' is not among the optimizers compared (sgd)"]),
    (("losses", "--range", "0"), ["--range"]),
])
def test_bad_arguments(args: tuple[str, ...], expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(in_process(capsys, *args), *expected)


@needs_matplotlib
@pytest.mark.parametrize(("args", "expected"), [
    (("compare", "--plot", "/no/such/folder/c.png"), ["cannot write the plot", "does not exist"]),
    (("compare", "--plot", "curves.txt"), ["cannot write the plot to 'curves.txt'", "extensions", "png", "svg"]),
    (("losses", "--plot", "losses"), ["cannot write the plot to 'losses'", "extensions"]),
])
def test_bad_plot_paths(args: tuple[str, ...], expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(in_process(capsys, *args), *expected)


def test_output_cut_short_by_the_reader() -> None:
    """``minigrad losses | head -1``: the reader is gone before minigrad writes; no BrokenPipeError traceback."""
    process = subprocess.Popen([sys.executable, "-m", "minigrad", "losses"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "MINIGRAD_BACKEND": "numpy"})
    process.stdout.close()  # long before the import finishes and the first line is written
    assert process.wait(timeout=60) == 1
    assert process.stderr.read() == ""


def test_bad_arguments_end_to_end() -> None:
    """The same one-line errors from the real process: argparse's, and minigrad's own."""
    assert_one_line_error(minigrad("compare", "--epochs", "-1"), "--epochs", "expected an integer >= 1")
    assert_one_line_error(minigrad("compare", "--optimizers", "adamm"), "unknown optimizer 'adamm'", "valid names: sgd")


@pytest.mark.parametrize(("args", "expected"), [
    (("--losses", "focal"), ["unknown loss 'focal'", "valid losses for digits: sparse_categorical_crossentropy"]),
    (("--dataset", "diabetes", "--losses", "mse,hinge"),
     ["loss 'hinge' does not fit diabetes (regression task)", "valid losses: mse, mae, huber"]),
    (("--dataset", "moons", "--losses", "mse"), ["does not fit moons", "binary_crossentropy_with_logits, binary_crossentropy"]),
    (("--target", "1.5"), ["--target is a validation accuracy", "(0, 1]"]),
    (("--dataset", "diabetes", "--target", "-3"), ["--target is a validation MAE", "> 0"]),
])
def test_bad_names_for_the_dataset(args: tuple[str, ...], expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(in_process(capsys, "compare", "--optimizers", "sgd", *args), *expected)


def test_cupy_backend_without_cupy(capsys: pytest.CaptureFixture[str]) -> None:
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed")
    assert_one_line_error(in_process(capsys, "compare", "--backend", "cupy"), "pip install minigrad[cuda]")
    imported = minigrad("info", env={"MINIGRAD_BACKEND": "cupy"})  # the SPEC: the clear error at import
    assert imported.returncode != 0
    assert imported.stderr.strip().splitlines()[-1].startswith("ImportError: MINIGRAD_BACKEND='cupy'")


@pytest.mark.parametrize(("hidden", "args"), [
    ("sklearn", ["compare", "--epochs", "1"]),
    ("matplotlib", ["losses", "--plot", "x.png"]),
    ("matplotlib", ["compare", "--plot", "x.png"]),
])
def test_missing_examples_extra(hidden: str, args: list[str], capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    for module in [name for name in sys.modules if name == hidden or name.startswith(hidden + ".")] + [hidden]:
        monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    assert_one_line_error(in_process(capsys, *args), 'pip install "minigrad[examples]"', code=1)


def test_missing_examples_extra_end_to_end() -> None:
    code = "import sys; sys.modules['sklearn'] = None\nfrom minigrad.cli import main; raise SystemExit(main(['compare']))"
    assert_one_line_error(minigrad(code=code), "needs scikit-learn", 'pip install "minigrad[examples]"', code=1)


# ---- the parts, in process ----
def test_learning_rates() -> None:
    names = ["sgd", "adam"]
    assert _learning_rates(None, names) == {"sgd": 0.1, "adam": 1e-3}
    assert _learning_rates("0.05", names) == {"sgd": 0.05, "adam": 0.05}
    assert _learning_rates("adam=3e-3", names) == {"sgd": 0.1, "adam": 3e-3}
    assert _learning_rates("adam=3e-3,0.2", names) == {"sgd": 0.2, "adam": 0.2}  # left to right
    with pytest.raises(CLIError, match="> 0"):
        _learning_rates("nan", names)


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_fitting_loss_trains(dataset: str) -> None:
    """Each loss a task accepts gets targets it takes and gives a finite loss and gradient on raw scores."""
    import minigrad as mg

    spec = DATASETS[dataset]
    rng = np.random.default_rng(0)
    n_classes = {"multiclass": 3, "binary": 2, "regression": 0}[spec.task]
    y = rng.integers(0, n_classes, 8) if n_classes else rng.normal(size=8).astype(np.float32)
    x = rng.normal(size=(8, 4)).astype(np.float32)
    data = Data(spec, x, y, x, y, n_classes, 1.0)
    for name in fitting_losses(spec.task):
        obj = objective(name, data)
        scores = mg.tensor(rng.normal(size=(8, data.n_outputs)).astype(np.float32), requires_grad=True)
        loss = obj.loss(scores, mg.tensor(obj.y_train))
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(scores.grad.numpy()).all(), name


@pytest.mark.parametrize("group", list(GROUPS))
def test_loss_curve_gradients_match_finite_differences(group: str) -> None:
    x = np.linspace(-2.9, 2.9, 59) + 0.013  # off the kinks at 0 and 1
    h = 1e-6
    for exact, above, below in zip(curves(group, x), curves(group, x + h), curves(group, x - h)):
        np.testing.assert_allclose(exact.grad, (above.loss - below.loss) / (2 * h), atol=1e-5, err_msg=exact.label)
