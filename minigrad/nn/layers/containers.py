"""Containers of modules: ``Sequential`` (a pipeline) and ``ModuleList`` (an indexable list)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..module import Module

__all__ = ["Sequential", "ModuleList"]


class _Indexed(Module):
    """Submodules named "0", "1", ... by position."""

    def _items(self) -> list[Module]:
        return list(self._modules.values())

    def _renumber(self, modules: list[Module]) -> None:
        self._modules.clear()
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items())

    def _slice(self, index: slice) -> Module:
        raise NotImplementedError

    def _key(self, index: int) -> str:
        keys = list(self._modules)
        if not isinstance(index, int) or not -len(keys) <= index < len(keys):
            raise IndexError(f"{type(self).__name__}: index {index!r} is out of range for {len(keys)} modules")
        return keys[index]

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._slice(index)
        return self._modules[self._key(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: cannot store a {type(module).__name__}, only Modules")
        self._modules[self._key(index)] = module

    def __delitem__(self, index: int | slice) -> None:
        items = self._items()
        del items[index]
        self._renumber(items)

    def append(self, module: Module) -> _Indexed:
        """Add ``module`` at the end."""
        self.add_module(str(len(self)), module)
        return self


class Sequential(_Indexed):
    """Modules applied one after the other: ``Sequential(m0, m1, ...)(x) = ...m1(m0(x))``.

    Also ``Sequential(dict)`` (an ordered dict of named modules). Submodules are
    named "0", "1", ... (or by the dict's keys), as PyTorch.
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, m in modules[0].items():
                self.add_module(name, m)
            return
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module")
            self.add_module(str(i), m)

    def _slice(self, index: slice) -> Sequential:
        return Sequential(dict(list(self._modules.items())[index]))

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(_Indexed):
    """A list of modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or ():
            self.append(m)

    def _slice(self, index: slice) -> ModuleList:
        return ModuleList(self._items()[index])

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add every module of ``modules`` at the end."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        items = self._items()
        items.insert(index, module)
        self._renumber(items)
