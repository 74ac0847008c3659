"""``minigrad compare``: which optimizer and which loss train this model best?

Every run trains the same MLP (same initial weights, same batch order: both
come from ``mg.manual_seed(seed)``) with ``compile`` / ``fit``; the runs are the
grid ``--optimizers`` x ``--losses``. A run diverges when its training loss
turns NaN or infinite, or grows past ``EXPLODE`` times the untrained loss;
it stops there and the table says so.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from .. import backend, optim
from ..callbacks import Callback
from ..nn import Linear, Module, ReLU, Sequential
from ..random import manual_seed
from . import report
from .common import CLIError, finite_float, non_negative_int, positive_int
from .datasets import DATASETS, Data, Spec, load
from .objectives import NATURAL_LOSS, Objective, fitting_losses, objective, resolve, validation_metric
from .plots import check_plot_path, plot_compare

__all__ = ["Run", "DEFAULT_OPTIMIZERS", "DEFAULT_LR", "add_parser", "run", "compare"]

DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam")
DEFAULT_LR = {
    "sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3,
    "adagrad": 0.01, "adadelta": 1.0, "adamax": 2e-3, "nadam": 2e-3, "lion": 3e-4, "lamb": 1e-2,
}
"""A learning rate that suits each optimizer on these small MLPs (``--lr`` overrides)."""
DEFAULT_BATCH_SIZE = 32
EXPLODE = 10.0


@dataclass
class Run:
    """One training run of the grid and what it measured."""

    optimizer: str
    loss: str
    lr: float
    metric: str  # the validation metric's name: "accuracy" or "mae"
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    diverged: bool = False
    epochs_to_target: int | None = None

    @property
    def label(self) -> str:
        return f"{self.optimizer} / {self.loss}"

    @property
    def losses(self) -> list[float]:
        return self.history.get("loss", [])

    @property
    def metrics(self) -> list[float]:
        return self.history.get(f"val_{self.metric}", [])

    @property
    def final_loss(self) -> float:
        return self.losses[-1] if self.losses else math.nan

    @property
    def final_metric(self) -> float:
        return self.metrics[-1] if self.metrics else math.nan


def mlp(n_in: int, hidden: tuple[int, ...], n_out: int) -> Sequential:
    """``Linear -> ReLU -> ... -> Linear``: raw scores out."""
    sizes = (n_in, *hidden)
    layers: list[Module] = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [Linear(a, b), ReLU()]
    return Sequential(*layers, Linear(sizes[-1], n_out))


class _Watch(Callback):
    """Records each epoch's logs, advances the progress bar, stops a run whose loss explodes."""

    def __init__(self, run: Run, start_loss: float, progress: Any) -> None:
        super().__init__()
        self.run, self.limit, self.progress = run, EXPLODE * max(start_loss, 1e-3), progress

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if not math.isfinite((logs or {}).get("loss", 0.0)):  # fit would raise: stop cleanly instead
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        for key, value in (logs or {}).items():
            self.run.history.setdefault(key, []).append(float(value))
        self.progress.update(1)
        loss = self.run.final_loss
        if not math.isfinite(loss) or loss > self.limit:
            self.run.diverged = True
            self.model.stop_training = True


def _train(run: Run, obj: Objective, data: Data, args: argparse.Namespace, progress: Any) -> None:
    manual_seed(args.seed)  # the same initial weights and batch order for every run
    model = mlp(data.n_features, data.spec.hidden, data.n_outputs)
    opt = optim.get(run.optimizer, lr=run.lr, convention=args.convention)
    model.compile(optimizer=opt, loss=obj.loss, metrics=[validation_metric(data.spec.task)])
    start_loss = model.evaluate(data.x_train, obj.y_train, batch_size=len(data.x_train))["loss"]
    watch = _Watch(run, start_loss, progress)
    began = time.perf_counter()
    try:
        model.fit(data.x_train, obj.y_train, epochs=args.epochs, batch_size=args.batch_size,
                  validation_data=(data.x_val, obj.y_val), shuffle=True, callbacks=[watch], verbose=0)
    except FloatingPointError:  # the optimizer refuses a NaN or infinite gradient
        run.diverged = True
    run.seconds = time.perf_counter() - began
    progress.update(args.epochs - len(run.losses))
    if data.spec.task == "regression":  # trained on standardised targets; MAE back in the target's units
        for key in ("mae", "val_mae"):
            run.history[key] = [v * data.y_scale for v in run.history.get(key, [])]
    sign = 1.0 if data.spec.higher_is_better else -1.0
    run.epochs_to_target = next((i + 1 for i, v in enumerate(run.metrics) if sign * v >= sign * args.target), None)


def _names(text: str, what: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise CLIError(f"--{what}: empty name in {text!r}; give a comma-separated list")
    return list(dict.fromkeys(names))  # keep the first of repeated names


def _learning_rates(text: str | None, names: list[str]) -> dict[str, float]:
    """``--lr 0.01`` (every optimizer) or ``--lr adam=3e-3,sgd=0.1`` (those; the rest keep DEFAULT_LR)."""
    rates = {name: DEFAULT_LR[name.lower()] for name in names}
    for item in _names(text, "lr") if text else []:
        key, _, value = item.rpartition("=")
        key = key.strip().lower()
        try:
            lr = float(value)
        except ValueError:
            raise CLIError(f"--lr: expected a number or optimizer=number, got {item!r}") from None
        if not (math.isfinite(lr) and lr > 0):
            raise CLIError(f"--lr: the learning rate must be a number > 0, got {item!r}")
        if key and key not in rates:
            raise CLIError(f"--lr: {key!r} is not among the optimizers compared ({', '.join(names)})")
        rates.update({key: lr} if key else dict.fromkeys(rates, lr))
    return rates


def _check_target(args: argparse.Namespace, spec: Spec) -> float:
    if args.target is None:
        return spec.target
    if spec.metric == "accuracy" and not 0 < args.target <= 1:
        raise CLIError(f"--target is a validation accuracy for {spec.name}: a number in (0, 1], got {args.target:g}")
    if spec.metric == "mae" and args.target <= 0:
        raise CLIError(f"--target is a validation MAE for {spec.name}: a number > 0, got {args.target:g}")
    return args.target


def compare(args: argparse.Namespace) -> tuple[Data, list[Run]]:
    """Run the grid that ``args`` describes; return the data set and the finished runs.

    Every name and number is checked before the data set is loaded or anything is trained.
    """
    spec = DATASETS.get(args.dataset)
    if spec is None:
        raise CLIError(f"unknown dataset {args.dataset!r}; valid datasets: {', '.join(DATASETS)}")
    optimizers = list(dict.fromkeys(name.lower() for name in _names(args.optimizers, "optimizers")))
    for name in optimizers:
        try:
            optim.get(name, convention=args.convention)
        except ValueError as err:
            raise CLIError(str(err)) from None
    rates = _learning_rates(args.lr, optimizers)
    loss_names = list(dict.fromkeys(resolve(name, spec) for name in _names(args.losses or NATURAL_LOSS[spec.task], "losses")))
    args.target, args.epochs = _check_target(args, spec), args.epochs or spec.epochs
    if args.backend:
        try:
            backend.set_backend(args.backend)
        except RuntimeError as err:
            raise CLIError(str(err)) from None
    from tqdm import tqdm  # a dependency, imported only when a bar may be shown

    data = load(args.dataset, args.seed)
    grid = [(Run(o, name, rates[o], spec.metric), objective(name, data)) for name in loss_names for o in optimizers]
    with tqdm(total=len(grid) * args.epochs, unit="epoch", desc="compare", file=sys.stderr, leave=False,
              disable=None) as progress:  # no bar when stderr is not a terminal
        for run_, obj in grid:
            progress.set_postfix_str(run_.label)
            _train(run_, obj, data, args, progress)
    return data, [run_ for run_, _ in grid]


def _epilog() -> str:
    lines = ["data sets (scikit-learn; 80/20 training/validation split by --seed; features standardised):"]
    for spec in DATASETS.values():
        lines.append(f"  {spec.name:<14} {spec.about}; {spec.epochs} epochs, target {spec.metric} {spec.target:g}")
    lines.append("losses that fit each task (the model outputs raw scores; the first is the default):")
    lines += [f"  {task:<14} {', '.join(fitting_losses(task))}" for task in NATURAL_LOSS]
    lines.append("default learning rates: " + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()))
    return "\n".join(lines)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="train one model per optimizer and loss; table, plot and JSON",
        description=(
            "Train the same MLP (same initial weights, same batch order) once per optimizer and loss on a\n"
            "built-in data set; print the final training loss, the validation metric (accuracy, or MAE for\n"
            "regression), the epoch at which it first reached --target, and the wall time of each run."
        ),
        epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dataset", default="digits", choices=list(DATASETS), help="data set (default digits)")
    parser.add_argument("--optimizers", default=",".join(DEFAULT_OPTIMIZERS), metavar="A,B,...",
                        help="comma-separated optimizer names (default: %(default)s; also lion, lamb)")
    parser.add_argument("--losses", metavar="A,B,...",
                        help="comma-separated loss names (default: the data set's natural loss: "
                             + "; ".join(f"{task} {fitting_losses(task)[0]}" for task in NATURAL_LOSS) + ")")
    parser.add_argument("--epochs", type=positive_int, metavar="N", help="epochs per run (default: per data set, "
                        + ", ".join(f"{s.name} {s.epochs}" for s in DATASETS.values()) + ")")
    parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, metavar="N", help="default %(default)s")
    parser.add_argument("--lr", metavar="LR", help="learning rate for every optimizer, or per optimizer: adam=3e-3,sgd=0.1")
    parser.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                        help="initial weights, batch order and validation split (default 0)")
    parser.add_argument("--backend", choices=list(backend.BACKENDS), help="default: the active one (MINIGRAD_BACKEND)")
    parser.add_argument("--target", type=finite_float, metavar="VALUE",
                        help="validation metric to reach: accuracy, or MAE for diabetes (default: per data set, "
                        + ", ".join(f"{s.name} {s.target:g}" for s in DATASETS.values()) + ")")
    parser.add_argument("--convention", choices=list(optim.CONVENTIONS), default="torch",
                        help="optimizer update rules: torch.optim's or Keras 3's (default torch)")
    parser.add_argument("--plot", metavar="PNG", help="write loss and metric curves to this image (needs matplotlib)")
    parser.add_argument("--json", metavar="PATH", help="write every number to this JSON file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.plot:
        check_plot_path(args.plot)
    report.check_writable(args.json, "JSON")
    data, runs = compare(args)
    spec = data.spec
    model = "MLP " + "-".join(str(n) for n in (data.n_features, *spec.hidden, data.n_outputs)) + " (ReLU)"
    print(f"{spec.name}: {len(data.x_train)} training / {len(data.x_val)} validation samples, {model}, "
          f"{args.epochs} epochs, batch {args.batch_size}, seed {args.seed}, {args.convention} convention, "
          f"{backend.get_backend()} backend")
    print(report.table(runs, spec.metric, args.target))
    print(report.best(runs, spec.metric, spec.higher_is_better))
    if args.plot:
        plot_compare(runs, f"{spec.name}: {model}, batch {args.batch_size}, {args.convention} convention",
                     spec.metric, args.target, args.plot)
        print(f"wrote {args.plot}")
    if args.json:
        header = {"dataset": spec.name, "model": model, "task": spec.task, "metric": spec.metric,
                  "target": args.target, "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
                  "convention": args.convention, "backend": backend.get_backend()}
        report.write_json(report.to_json(runs, header), args.json)
        print(f"wrote {args.json}")
    return 0
