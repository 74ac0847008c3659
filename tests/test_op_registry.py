"""Every op registered by minigrad has an entry in the op database."""

from __future__ import annotations

from minigrad.function import Function

from .op_db import ALL_OPS


def test_every_registered_op_has_an_entry() -> None:
    covered = {cls for op in ALL_OPS for cls in op.covers}
    builtin = {cls for key, cls in Function.registry.items() if key.startswith("minigrad.")}
    missing = sorted(cls.__qualname__ for cls in builtin - covered)
    assert not missing, f"ops without a tests/op_db entry: {missing}"


def test_entry_names_are_unique() -> None:
    names = [op.name for op in ALL_OPS]
    assert len(names) == len(set(names))
