"""Tensor's declared operators and methods match what ``minigrad.ops`` installs.

``minigrad.ops._install`` sets the operators and op methods on Tensor at
import; tensor.py declares them for type checkers in the ``if TYPE_CHECKING:``
block of the class body. These tests keep the declarations from drifting:
the same names, and for each the real function's parameters (names, kinds,
defaults, and annotations where the real function has them).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest

import minigrad.ops as ops
from minigrad.tensor import Tensor

_NO_DEFAULT = "<no default>"
_NO_ANNOTATION = "<no annotation>"

Param = tuple[str, str, str, str]  # name, kind, repr of the default, annotation


def _declared() -> dict[str, ast.FunctionDef]:
    """The functions of the ``if TYPE_CHECKING:`` block in Tensor's class body, by name."""
    tree = ast.parse(Path(inspect.getfile(Tensor)).read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    blocks = [n for n in cls.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    assert len(blocks) == 1, "Tensor's class body should have exactly one `if TYPE_CHECKING:` block"
    defs = [n for n in blocks[0].body if isinstance(n, ast.FunctionDef)]
    names = [d.name for d in defs]
    assert len(names) == len(set(names)), f"declared twice: {sorted({n for n in names if names.count(n) > 1})}"
    return {d.name: d for d in defs}


def _installed(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``ops._install`` sets, found by running it on a bare class instead of Tensor."""
    probe = type("Probe", (), {})
    bare = set(vars(probe))
    monkeypatch.setattr(ops, "Tensor", probe)
    ops._install()
    return {name: value for name, value in vars(probe).items() if name not in bare}


def _declared_params(fn: ast.FunctionDef) -> tuple[str, list[Param], str]:
    """(first parameter's name, the other parameters, return annotation) of a declaration."""
    a = fn.args

    def ann(node: ast.expr | None) -> str:
        return _NO_ANNOTATION if node is None else ast.unparse(node)

    def default(node: ast.expr | None) -> str:
        return _NO_DEFAULT if node is None else repr(ast.literal_eval(node))

    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    params: list[Param] = []
    for arg, d in zip(positional, defaults):
        kind = "POSITIONAL_ONLY" if arg in a.posonlyargs else "POSITIONAL_OR_KEYWORD"
        params.append((arg.arg, kind, default(d), ann(arg.annotation)))
    if a.vararg is not None:
        params.append((a.vararg.arg, "VAR_POSITIONAL", _NO_DEFAULT, ann(a.vararg.annotation)))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        params.append((arg.arg, "KEYWORD_ONLY", default(d), ann(arg.annotation)))
    if a.kwarg is not None:
        params.append((a.kwarg.arg, "VAR_KEYWORD", _NO_DEFAULT, ann(a.kwarg.annotation)))
    return params[0][0], params[1:], ann(fn.returns)


def _annotation(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return _NO_ANNOTATION
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _real_params(fn: Any) -> tuple[list[Param], str]:
    """(the parameters after the first, return annotation) of an installed function."""
    sig = inspect.signature(fn)
    params = [
        (p.name, p.kind.name, _NO_DEFAULT if p.default is inspect.Parameter.empty else repr(p.default), _annotation(p.annotation))
        for p in list(sig.parameters.values())[1:]
    ]
    return params, _annotation(sig.return_annotation)


def _is_property(fn: ast.FunctionDef) -> bool:
    return any(ast.unparse(d) == "property" for d in fn.decorator_list)


def test_every_installed_name_is_declared_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    installed, declared = set(_installed(monkeypatch)), set(_declared())
    assert not installed - declared, f"installed on Tensor but not declared in tensor.py: {sorted(installed - declared)}"
    assert not declared - installed, f"declared in tensor.py but not installed on Tensor: {sorted(declared - installed)}"


def test_installed_names_are_on_tensor(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [name for name in _installed(monkeypatch) if name not in vars(Tensor)]
    assert not missing


def test_declarations_have_the_real_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    installed, declared = _installed(monkeypatch), _declared()
    problems = []
    for name in sorted(set(installed) & set(declared)):
        real, decl = installed[name], declared[name]
        if isinstance(real, property) != _is_property(decl):
            problems.append(f"{name}: a property on one side only")
            continue
        if isinstance(real, property):
            real = real.fget
        first, decl_params, decl_return = _declared_params(decl)
        real_params, real_return = _real_params(real)
        if first != "self":
            problems.append(f"{name}: the first parameter of the declaration is {first!r}, not 'self'")
        if len(decl_params) != len(real_params):
            problems.append(f"{name}: declared {decl_params}, the real function has {real_params}")
            continue
        for d, r in zip(decl_params, real_params):
            # Name, kind and default must match; the annotation too where the real function has one
            # (the reflected-operator lambdas have none, and their declarations add them).
            if d[:3] != r[:3] or (r[3] != _NO_ANNOTATION and d[3] != r[3]):
                problems.append(f"{name}: parameter declared as {d}, the real one is {r}")
        if real_return != _NO_ANNOTATION and decl_return != real_return:
            problems.append(f"{name}: returns {decl_return!r} in the declaration, {real_return!r} in the real function")
    assert not problems, "\n".join(problems)
