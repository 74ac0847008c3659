"""What ``minigrad compare`` reports: the table it prints and the JSON it writes."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .common import CLIError

if TYPE_CHECKING:
    from .compare import Run

__all__ = ["table", "best", "to_json", "write_json", "check_writable"]


def _number(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if math.isfinite(value) else str(value)


def table(runs: Sequence[Run], metric: str, target: float) -> str:
    """The comparison as an aligned text table, one row per run."""
    header = ["optimizer", "loss", "lr", "final loss", f"val {metric}", f"epochs to {target:g}", "time (s)", "note"]
    rows = [header]
    for run in runs:
        reached = "-" if run.epochs_to_target is None else str(run.epochs_to_target)
        note = f"diverged at epoch {len(run.losses)}" if run.diverged else ""
        rows.append([run.optimizer, run.loss, f"{run.lr:g}", _number(run.final_loss), _number(run.final_metric),
                     reached, f"{run.seconds:.1f}", note])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6}
    lines = ["  ".join(cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def best(runs: Sequence[Run], metric: str, higher_is_better: bool) -> str:
    """One line naming the run with the best final validation metric (diverged runs excluded)."""
    finished = [run for run in runs if not run.diverged and math.isfinite(run.final_metric)]
    if not finished:
        return "every run diverged: try a smaller --lr"
    sign = 1.0 if higher_is_better else -1.0
    # ties (a few validation samples apart at most) go to the faster learner: fewer epochs to target, lower loss
    top = max(finished, key=lambda run: (sign * run.final_metric, -(run.epochs_to_target or math.inf), -run.final_loss))
    return f"best: {top.label} (val {metric} {top.final_metric:.4g} after {len(top.losses)} epochs)"


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def to_json(runs: Sequence[Run], header: dict[str, Any]) -> dict[str, Any]:
    """``{"dataset", "model", ..., "runs": [{"optimizer", "loss", "lr", "history", "final_loss", ...}]}``."""
    return _finite({
        **header,
        "runs": [
            {
                "optimizer": run.optimizer, "loss": run.loss, "lr": run.lr, "history": run.history,
                "final_loss": run.final_loss, "final_metric": run.final_metric,
                "epochs_to_target": run.epochs_to_target, "seconds": round(run.seconds, 3), "diverged": run.diverged,
            }
            for run in runs
        ],
    })


def write_json(document: dict[str, Any], path: str) -> None:
    """Write ``document`` to ``path`` (strict JSON: no NaN), or a CLIError saying why not."""
    try:
        with open(path, "w") as f:
            json.dump(document, f, indent=1, allow_nan=False)
            f.write("\n")
    except OSError as err:
        raise CLIError(f"cannot write the JSON to {path!r}: {err.strerror}") from None


def check_writable(path: str | None, what: str) -> None:
    """Fail before training, not after, when ``path``'s folder does not exist."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"cannot write the {what} to {path!r}: folder {folder!r} does not exist")
