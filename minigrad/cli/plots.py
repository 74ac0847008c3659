"""The figures of ``minigrad compare`` and ``minigrad losses`` (matplotlib, imported only here, only when plotting)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .common import CLIError, require
from .report import check_writable

if TYPE_CHECKING:
    from .compare import Run
    from .loss_curves import Curve

__all__ = ["check_plot_path", "plot_compare", "plot_losses"]


def check_plot_path(path: str) -> None:
    """Fail now, not after training, if matplotlib is missing or cannot write ``path``'s format."""
    canvas = require("matplotlib.backend_bases").FigureCanvasBase
    formats = canvas.get_supported_filetypes()
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    if extension not in formats:
        raise CLIError(f"cannot write the plot to {path!r}: use one of the extensions {', '.join(sorted(formats))}")
    check_writable(path, "plot")


def _save(fig: Any, path: str) -> None:
    try:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    except (OSError, ValueError) as err:  # a missing folder, an unknown extension
        raise CLIError(f"cannot write the plot to {path!r}: {err}") from None
    finally:
        require("matplotlib.pyplot").close(fig)


def plot_compare(runs: Sequence[Run], title: str, metric: str, target: float, path: str) -> None:
    """Training loss (log scale) and validation metric per epoch, one line per run."""
    plt = require("matplotlib.pyplot")
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(13, 5))
    colors = plt.get_cmap("tab10")
    one_loss = len({run.loss for run in runs}) == 1
    for i, run in enumerate(runs):
        epochs = range(1, len(run.losses) + 1)
        style = {"color": colors(i % 10), "linestyle": ("-", "--", ":", "-.")[i // 10 % 4], "linewidth": 1.6}
        label = (run.optimizer if one_loss else run.label) + (" (diverged)" if run.diverged else "")
        ax_loss.plot(epochs, [v if math.isfinite(v) else math.nan for v in run.losses], label=label, **style)
        ax_metric.plot(epochs, run.metrics, **style)
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log",
                title="training loss" + (f" ({runs[0].loss})" if one_loss else "") + ", log scale")
    ax_metric.axhline(target, color="0.4", linestyle=":", linewidth=1)
    ax_metric.annotate(f"target {target:g}", (1, target), xycoords=("axes fraction", "data"), ha="right", va="bottom",
                       color="0.3", fontsize=8)
    ax_metric.set(xlabel="epoch", ylabel=f"validation {metric}", title=f"validation {metric}")
    if metric == "accuracy":  # zoom on the interesting part: near the target and the final values
        finals = [run.final_metric for run in runs if math.isfinite(run.final_metric)]
        ax_metric.set_ylim(max(0.0, min([*finals, target - 0.1]) - 0.02), 1.0 + 0.005)
    for ax in (ax_loss, ax_metric):
        ax.grid(True, alpha=0.3)
    fig.legend(loc="lower center", ncol=min(len(runs), 5 if one_loss else 3), fontsize=9, frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.06 + 0.035 * ((len(runs) - 1) // (5 if one_loss else 3)), 1, 1))
    _save(fig, path)


def plot_losses(groups: dict[str, list[Curve]], axes: dict[str, str], path: str) -> None:
    """One row per group of losses: the losses on the left, their gradients on the right."""
    plt = require("matplotlib.pyplot")
    fig, grid = plt.subplots(len(groups), 2, figsize=(13, 5 * len(groups)), squeeze=False)
    for (group, group_curves), (ax_loss, ax_grad) in zip(groups.items(), grid):
        for c in group_curves:
            line, = ax_loss.plot(c.x, c.loss, label=c.label, linewidth=1.6)
            ax_grad.plot(c.x, c.grad, color=line.get_color(), linewidth=1.6)
        if group == "classification":  # the loss every classification loss stands in for
            x = group_curves[0].x
            ax_loss.plot(x, (x <= 0).astype(float), color="0.5", linestyle=":", label="0-1 loss (reference)")
        top = max(float(c.loss.max()) for c in group_curves)
        ax_loss.set(xlabel=axes[group], ylabel="loss", title=f"{group} losses", ylim=(-0.05 * min(top, 5.0), min(top, 5.0)))
        ax_grad.set(xlabel=axes[group], ylabel="d loss / d prediction",
                    title=f"{group} losses: gradient (minigrad autograd)", ylim=(-3.2, 3.2))
        for ax in (ax_loss, ax_grad):
            ax.axhline(0, color="0.7", linewidth=0.8)
            ax.axvline(0 if group == "regression" else 1, color="0.7", linewidth=0.8)
            ax.grid(True, alpha=0.3)
        ax_loss.legend(fontsize=8, loc="upper center")
    fig.suptitle("Choosing a loss: value and gradient as a function of the prediction")
    _save(fig, path)
