"""Seeing the tape: ``mg.trace(y)`` lists the recorded ops, ``mg.to_dot(y)`` draws them.

``trace`` returns the nodes that reach ``y`` in the order they were recorded,
which is the order forward ran them; printed, it is a Wengert list. Backward
runs the same list from the bottom up. ``to_dot`` returns Graphviz DOT text of
the same graph (no Graphviz needed to produce it; ``.render(path)`` calls the
``dot`` program to write SVG, PNG or PDF).
"""

from __future__ import annotations

import operator
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from .autograd import Node
from .tensor import Tensor

__all__ = ["trace", "to_dot", "Trace", "TraceRecord", "TensorInfo", "DotGraph"]


@dataclass(frozen=True)
class TensorInfo:
    """A value flowing through the tape: its name in the listing, shape and dtype."""

    name: str
    shape: tuple[int, ...]
    dtype: Any
    kind: str  # "op" (made by a recorded op), "leaf", "param" or "const"

    def __str__(self) -> str:
        return f"{self.name}{list(self.shape)}:{self.dtype}"


@dataclass(frozen=True)
class TraceRecord:
    """One recorded op: position, op name, inputs, outputs and what it saved for backward."""

    index: int
    op: str
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    saved: str
    node: Node

    def __str__(self) -> str:
        outs = ", ".join(o.name for o in self.outputs)
        args = ", ".join(str(i) for i in self.inputs)
        shapes = ", ".join(f"{list(o.shape)}:{o.dtype}" for o in self.outputs)
        return f"[{self.index}] {outs} = {self.op}({args}) -> {shapes}" + (f"  saves {self.saved}" if self.saved else "")


class Trace(list):
    """The tape as a list of :class:`TraceRecord`, printed as a numbered listing."""

    def __str__(self) -> str:
        head = f"tape: {len(self)} ops in recording order (backward runs them bottom to top)"
        return "\n".join([head] + [f"  {r}" for r in self])


def _roots(outputs: Tensor | list[Tensor] | tuple[Tensor, ...]) -> list[Tensor]:
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _saved(node: Node) -> str:
    if node.freed:
        return "(freed)"
    parts = []
    kept = sum(t is not None for t in node.saved)  # None stands for an input backward does not need
    if kept:
        parts.append(f"{kept} input{'s' if kept > 1 else ''}")
    if node.out is not None:
        parts.append("its output")
    extra = [k for k in node.__dict__]
    if extra:
        parts.append(", ".join(extra))
    return "; ".join(parts)


class _Namer:
    """Stable short names: v<k> for op outputs, x<k> for leaves, p<k> for parameters."""

    def __init__(self, order: list[Node]) -> None:
        self.index = {id(n): i for i, n in enumerate(order)}
        self.leaves: dict[int, str] = {}

    def output(self, node: Node, k: int) -> str:
        base = f"v{self.index[id(node)]}"
        return base if node.n_out == 1 else f"{base}.{k}"

    def leaf(self, t: Tensor) -> str:
        if id(t) not in self.leaves:
            prefix = "p" if type(t).__name__ == "Parameter" else "x"
            self.leaves[id(t)] = f"{prefix}{len(self.leaves)}"
        return self.leaves[id(t)]


def _input_info(namer: _Namer, node: Node, i: int) -> TensorInfo:
    edge, shape, dtype = node.edges[i], node.in_shapes[i], node.in_dtypes[i]
    if edge is None:
        return TensorInfo("const", shape, dtype, "const")
    source, k = edge
    if k < 0:
        kind = "param" if type(source).__name__ == "Parameter" else "leaf"
        return TensorInfo(namer.leaf(source), shape, dtype, kind)
    if id(source) in namer.index:
        return TensorInfo(namer.output(source, k), shape, dtype, "op")
    return TensorInfo("?", shape, dtype, "op")


_SEQUENCE_NUMBER = operator.attrgetter("seq")


def _recorded_order(roots: list[Node]) -> list[Node]:
    """Every node reachable from ``roots`` (an explicit stack: no recursion), in the order they were recorded."""
    seen = set(roots)
    stack = list(roots)
    while stack:
        for target in stack.pop().next:
            if type(target) is Node and target not in seen:  # not a leaf tensor, not None
                seen.add(target)
                stack.append(target)
    return sorted(seen, key=_SEQUENCE_NUMBER)


def trace(outputs: Tensor | list[Tensor] | tuple[Tensor, ...]) -> Trace:
    """The recorded ops that reach ``outputs``, in execution order, as a printable :class:`Trace`."""
    roots = [t._node for t in _roots(outputs) if t._node is not None]
    order = _recorded_order(roots)
    namer = _Namer(order)
    records = Trace()
    for i, node in enumerate(order):
        inputs = tuple(_input_info(namer, node, j) for j in range(len(node.next)))
        outs = tuple(TensorInfo(namer.output(node, k), s, d, "op") for k, (s, d) in enumerate(node.out_meta))
        records.append(TraceRecord(i, node.fn.name, inputs, outs, _saved(node), node))
    return records


class DotGraph(str):
    """Graphviz DOT text; ``render(path)`` writes an image with the ``dot`` program."""

    def render(self, path: str, format: str | None = None) -> str:  # noqa: A002
        """Write the graph to ``path`` (format from the extension: svg, png, pdf); return the path."""
        fmt = format or os.path.splitext(path)[1].lstrip(".") or "svg"
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError(
                "to_dot(...).render needs the Graphviz `dot` program, which is not installed: "
                "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
                "`conda install graphviz`; the DOT text itself needs nothing (print it or paste it "
                "into any Graphviz viewer)"
            )
        subprocess.run([dot, f"-T{fmt}", "-o", path], input=str(self).encode(), check=True)
        return path


def _label(info: TensorInfo, grad: Any = None) -> str:
    text = f"{info.name}\\n{list(info.shape)} {info.dtype}"
    if grad is not None:
        text += f"\\ngrad norm {float((grad.data.astype('float64') ** 2).sum()) ** 0.5:.4g}"
    return text


def to_dot(outputs: Tensor | list[Tensor] | tuple[Tensor, ...], show_grads: bool = False) -> DotGraph:
    """Graphviz DOT text of the graph reaching ``outputs``.

    Ops are ellipses, tensors boxes: leaves grey, parameters bold, outputs
    doubled. With ``show_grads=True`` leaves show the norm of their ``.grad``.
    """
    records = trace(outputs)
    lines = ["digraph minigrad {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    drawn: set[str] = set()
    leaves = {id(e[0]): e[0] for r in records for e in r.node.edges if e is not None and e[1] < 0}
    for r in records:
        op_id = f"op{r.index}"
        lines.append(f'  {op_id} [label="{r.op}", shape=ellipse, style=filled, fillcolor="#dbe9f6"];')
        for j, info in enumerate(r.inputs):
            if info.name not in drawn and info.kind != "op":
                style = {"leaf": 'style=filled, fillcolor="#eeeeee"', "param": 'style="filled,bold", fillcolor="#fde7c8"',
                         "const": 'style=dashed'}[info.kind]
                node_id = info.name if info.kind != "const" else f"const{r.index}_{j}"
                grad = None
                if show_grads and info.kind in ("leaf", "param"):
                    edge = r.node.edges[j]
                    grad = leaves[id(edge[0])].grad if edge is not None else None
                lines.append(f'  {node_id} [label="{_label(info, grad)}", shape=box, {style}];')
                if info.kind != "const":
                    drawn.add(info.name)
                lines.append(f"  {node_id} -> {op_id};")
            else:
                lines.append(f"  {info.name.replace('.', '_')} -> {op_id};")
        for info in r.outputs:
            if info.name not in drawn:
                lines.append(f'  {info.name.replace(".", "_")} [label="{_label(info)}", shape=box];')
                drawn.add(info.name)
            lines.append(f"  {op_id} -> {info.name.replace('.', '_')};")
    for t in _roots(outputs):
        if t._node is not None and records:
            name = next(o.name for r in records if r.node is t._node for o in r.outputs)
            lines.append(f"  {name.replace('.', '_')} [peripheries=2];")
    lines.append("}")
    return DotGraph("\n".join(lines) + "\n")
