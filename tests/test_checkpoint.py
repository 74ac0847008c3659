"""Resuming from a checkpoint continues on exactly the trajectory of an uninterrupted run."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.callbacks import EarlyStopping, LearningRateScheduler, ModelCheckpoint
from minigrad.checkpoint import resume
from minigrad.optim import lr_scheduler


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    return rng.standard_normal((60, 4)) + np.eye(3, 4)[y], y


def setup(seed: int, path) -> tuple[nn.Module, list]:
    """Model (dropout + batch norm: both use the generator and buffers), Adam, StepLR, checkpoints."""
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    model.compile(optimizer=mg.optim.Adam(lr=0.01), metrics=["accuracy"],
                  loss=mg.losses.get("sparse_categorical_crossentropy", from_logits=True))
    callbacks = [ModelCheckpoint(str(path / "run-{epoch}.npz")), EarlyStopping(monitor="val_loss", patience=10),
                 LearningRateScheduler(lr_scheduler.StepLR(model.optimizer, step_size=2, gamma=0.5))]
    return model, callbacks


def test_resume_continues_exactly(tmp_path) -> None:
    x, y = data()
    model, callbacks = setup(0, tmp_path)
    full = model.fit(x, y, epochs=5, batch_size=8, validation_split=0.2, verbose=0, callbacks=callbacks).history
    final = {k: v.numpy() for k, v in model.state_dict().items()}

    fresh, callbacks = setup(123, tmp_path)  # other initial weights and generator state: all overwritten
    start = resume(fresh, tmp_path / "run-2.npz", callbacks)
    assert start == 2 and fresh.optimizer.lr == 0.005
    rest = fresh.fit(x, y, epochs=5, batch_size=8, validation_split=0.2, verbose=0, callbacks=callbacks,
                     initial_epoch=start).history
    for key in full:
        assert rest[key] == full[key][2:], key
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), final[k], err_msg=k)
    assert callbacks[1].best == min(full["val_loss"])


def test_resume_refuses_a_mismatched_setup(tmp_path) -> None:
    x, y = data()
    model, callbacks = setup(0, tmp_path)
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0, callbacks=callbacks)
    other, other_callbacks = setup(1, tmp_path)
    with pytest.raises(ValueError, match="saved with callbacks"):
        resume(other, tmp_path / "run-1.npz", other_callbacks[:2])
    wide = nn.Sequential(nn.Linear(4, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    wide.compile(optimizer="adam", loss="mse")
    before = {k: v.numpy() for k, v in wide.state_dict().items()}
    with pytest.raises(ValueError, match="shape"):
        resume(wide, tmp_path / "run-1.npz", other_callbacks)
    for k, v in wide.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    mg.save(model.state_dict(), tmp_path / "weights.npz")
    with pytest.raises(ValueError, match="not a full training checkpoint"):
        resume(other, tmp_path / "weights.npz", other_callbacks)
    with pytest.raises(RuntimeError, match="compile"):
        resume(nn.Linear(4, 3), tmp_path / "run-1.npz")


def test_manual_loop_resume_with_model_optimizer_and_scheduler_state(tmp_path) -> None:
    """The same promise for a hand-written loop: save the three state dicts, load them, continue."""
    x, y = data()

    def build():
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
        opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return model, opt, lr_scheduler.CosineAnnealingLR(opt, T_max=6)

    def epoch(model, opt, sched) -> None:
        for xb, yb in mg.data.DataLoader(x.astype(np.float32), y, batch_size=16):
            opt.zero_grad()
            mg.losses.cross_entropy(model(xb), yb).backward()
            opt.step()
        sched.step()

    mg.manual_seed(0)
    model, opt, sched = build()
    for e in range(6):
        epoch(model, opt, sched)
        if e == 2:
            mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
                    tmp_path / "ckpt.npz")
    model2, opt2, sched2 = build()
    state = mg.load(tmp_path / "ckpt.npz")
    model2.load_state_dict(state["model"])
    opt2.load_state_dict(state["optimizer"])
    sched2.load_state_dict(state["scheduler"])
    for _ in range(3):
        epoch(model2, opt2, sched2)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), model2.state_dict()[k].numpy(), err_msg=k)
