"""What ``fit`` prints: a tqdm progress bar per epoch (``verbose=1``) or one line per epoch (``verbose=2``)."""

from __future__ import annotations

import time
from typing import Any

from .callbacks import Callback, Logs

__all__ = ["ProgressLogger", "format_logs"]


def format_logs(logs: Logs | None) -> str:
    """``"loss: 0.1234 - accuracy: 0.9500"``, as Keras prints them."""
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}" for k, v in (logs or {}).items())


class ProgressLogger(Callback):
    """Shows training progress; ``fit`` adds it (last) when ``verbose`` is 1 or 2."""

    def __init__(self, verbose: int) -> None:
        super().__init__()
        self.verbose = verbose
        self.bar: Any = None
        self.start = 0.0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self.start = time.perf_counter()
        if self.verbose == 1:
            from tqdm import tqdm  # a dependency, imported only when a bar is shown

            self.bar = tqdm(total=self.params["steps"], desc=f"Epoch {epoch + 1}/{self.params['epochs']}", unit="batch")

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(format_logs(logs), refresh=False)
            self.bar.update(1)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(format_logs(logs))
            self.bar.close()
            self.bar = None
        elif self.verbose == 2:
            seconds = time.perf_counter() - self.start
            print(f"Epoch {epoch + 1}/{self.params['epochs']} - {seconds:.2f}s - {format_logs(logs)}")

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.bar is not None:  # an epoch that did not finish
            self.bar.close()
            self.bar = None
