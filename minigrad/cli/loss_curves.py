"""``minigrad losses``: every loss as a function of the prediction, with its gradient.

Regression losses are drawn against the residual ``prediction - target``,
classification losses against the margin ``y * score`` (label ``y = +1``, so
the score is the margin). Gradients are d loss / d prediction, computed by
minigrad's own autograd on the same points.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import losses
from ..creation import full_like, tensor
from ..differentiate import grad as grad_of
from ..dtypes import float64
from ..tensor import Tensor
from .common import CLIError
from .plots import check_plot_path, plot_losses

__all__ = ["Curve", "GROUPS", "curves", "add_parser", "run"]


@dataclass(frozen=True)
class Curve:
    """One loss sampled on a grid: its values and its gradient."""

    label: str
    x: np.ndarray
    loss: np.ndarray
    grad: np.ndarray


# (axis label, target the prediction is compared with, [(curve label, loss with its options bound)])
GROUPS: dict[str, tuple[str, float, list[tuple[str, Callable[..., Tensor]]]]] = {
    "regression": ("residual  prediction - target", 0.0, [
        ("L1 (mae)", losses.get("mae")),
        ("L2 (mse)", losses.get("mse")),
        ("huber, delta=0.5", losses.get("huber", delta=0.5)),
        ("huber, delta=2", losses.get("huber", delta=2.0)),
        ("pseudo_huber, delta=0.5", losses.get("pseudo_huber", delta=0.5)),
        ("pseudo_huber, delta=2", losses.get("pseudo_huber", delta=2.0)),
        ("log_cosh", losses.get("log_cosh")),
    ]),
    "classification": ("margin  y * score  (y = +1)", 1.0, [
        ("hinge", losses.get("hinge")),
        ("squared_hinge", losses.get("squared_hinge")),
        ("logistic (sigmoid cross-entropy)", losses.get("binary_crossentropy_with_logits")),
        ("weighted cross-entropy, pos_weight=3", losses.get("weighted_cross_entropy_with_logits", pos_weight=3.0)),
    ]),
}


def curves(group: str, x: np.ndarray) -> list[Curve]:
    """Every loss of ``group`` at the predictions ``x``, and its gradient by autograd."""
    _, target, entries = GROUPS[group]
    result = []
    for label, fn in entries:
        p = tensor(np.asarray(x, dtype=np.float64), dtype=float64, requires_grad=True)
        values = fn(p, full_like(p, target), reduction="none")
        (grad,) = grad_of(values.sum(), p)  # elementwise losses: the sum's gradient is each point's derivative
        result.append(Curve(label, np.asarray(x), values.numpy(), grad.numpy()))
    return result


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "losses", help="plot every loss and its gradient against the residual or the margin",
        description=(
            "Every loss as a function of the prediction: regression losses against the residual, "
            "classification losses against the margin, each with its gradient computed by minigrad's "
            "autograd. Without --plot, prints the values at a few points."
        ),
    )
    parser.add_argument("--plot", metavar="PNG", help="write the figure to this file (needs matplotlib)")
    parser.add_argument("--range", type=float, default=3.0, metavar="R", help="x axis from -R to R (default 3)")
    parser.set_defaults(run=run)


def _print_table() -> None:
    points = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    for group, (axis, _, _) in GROUPS.items():
        rows = curves(group, points)
        width = max(len(c.label) for c in rows)
        print(f"{group} losses, value (gradient) at {axis.split()[0]} =")
        print(" " * width + "".join(f"{p:>16g}" for p in points))
        for c in rows:
            print(f"{c.label:<{width}}" + "".join(f"{v:>8.3f} ({g:>5.2f})" for v, g in zip(c.loss, c.grad)))
        print()


def run(args: argparse.Namespace) -> int:
    if not 0 < args.range < 1e3:
        raise CLIError(f"--range must be a number in (0, 1000), got {args.range}")
    if args.plot is None:
        _print_table()
        return 0
    check_plot_path(args.plot)
    x = np.linspace(-args.range, args.range, 601)
    plot_losses({group: curves(group, x) for group in GROUPS}, {g: axis for g, (axis, _, _) in GROUPS.items()}, args.plot)
    print(f"wrote {args.plot}")
    return 0
