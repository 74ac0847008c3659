"""``mg.save`` / ``mg.load``: checkpoints as NumPy ``.npz`` files with JSON metadata, never pickle.

    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, "ckpt.npz")
    state = mg.load("ckpt.npz")

What can be saved: Tensors, NumPy arrays (bool, integer or float), Python
numbers, strings, None, and dicts (string or integer keys), lists and tuples
nesting them. Each array is one member of the ``.npz``; the structure is JSON
in a member of its own (``__minigrad__.json``, stored as bytes). Loading reads
the arrays with ``allow_pickle=False`` and builds only those types, so a
crafted file cannot run code: anything else in it is an error.

Writes are atomic: the file is written to a temporary file in the same
directory, flushed to disk and renamed over ``path``, so a crash mid-save
leaves the previous checkpoint intact. The path is used as given (no ``.npz``
is appended). A truncated, damaged or foreign file raises ValueError.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from typing import Any

import numpy as np

from . import backend
from .tensor import Tensor

__all__ = ["save", "load", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_META = "__minigrad__.json"
_KINDS = "biuf"  # bool, signed and unsigned integers, floats


def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """The JSON form of ``obj``; arrays are moved into ``arrays`` and referred to by name."""
    if obj is None or isinstance(obj, (bool, str, int, float)):
        return obj
    if isinstance(obj, np.generic):
        return _encode(obj.item(), arrays, where)
    if isinstance(obj, Tensor) or backend.is_array(obj):
        data = backend.to_numpy(obj.data if isinstance(obj, Tensor) else obj)
        if data.dtype.kind not in _KINDS:
            raise TypeError(f"save: {where} has dtype {data.dtype}; only bool, integer and float arrays can be saved")
        name = f"a{len(arrays)}"
        arrays[name] = data
        if isinstance(obj, Tensor):
            return {"tensor": name, "requires_grad": obj.requires_grad}
        return {"array": name}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: {where} has a key {key!r} of type {type(key).__name__}; keys must be str or int")
            items.append([key, _encode(value, arrays, f"{where}[{key!r}]")])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        values = [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]
        return {"tuple": values} if isinstance(obj, tuple) else values
    raise TypeError(
        f"save: {where} is a {type(obj).__name__}, which cannot be saved; save Tensors, arrays, numbers, "
        f"strings, None, and dicts, lists or tuples of them (a callable such as a LambdaLR lambda cannot be saved)"
    )


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict or a nest of them) to ``path`` atomically; see the module docstring."""
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, arrays, "the object")
    meta = json.dumps({"format": "minigrad", "version": FORMAT_VERSION, "object": tree})
    arrays[_META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy's stub checks **arrays against allow_pickle: bool too; no key is 'allow_pickle'
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class _Decoder:
    """Rebuilds the saved object from the JSON tree, taking each array member exactly once."""

    def __init__(self, members: dict[str, np.ndarray], path: str) -> None:
        self.members, self.path = members, path
        self.used: set[str] = set()

    def bad(self, why: str) -> ValueError:
        return ValueError(f"load: {self.path!r} is not a valid minigrad checkpoint: {why}")

    def array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.members or name in self.used:
            raise self.bad(f"the metadata refers to a missing or repeated array {name!r}")
        self.used.add(name)
        return self.members[name]

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or len(node) not in (1, 2):
            raise self.bad(f"unexpected metadata entry {node!r:.80}")
        if "tensor" in node:
            t = Tensor(backend.asarray(self.array(node["tensor"])))
            if node.get("requires_grad") is True:
                if t.dtype.kind != "f":
                    raise self.bad(f"a {t.dtype} tensor is marked as requiring grad")
                t.requires_grad = True
            return t
        if "array" in node:
            return self.array(node["array"])
        if "tuple" in node and isinstance(node["tuple"], list):
            return tuple(self.decode(v) for v in node["tuple"])
        if "dict" in node and isinstance(node["dict"], list):
            out = {}
            for item in node["dict"]:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], (str, int))):
                    raise self.bad(f"malformed dict entry {item!r:.80}")
                out[item[0]] = self.decode(item[1])
            return out
        raise self.bad(f"unexpected metadata entry {node!r:.80}")


def _read_members(path: str) -> dict[str, np.ndarray]:
    """Every member of the ``.npz`` as a NumPy array, refusing pickled (object) arrays."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it is a single .npy array, not an .npz archive")
        with loaded as npz:
            return {name: npz[name] for name in npz.files}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise ValueError(f"load: {path!r} is damaged or not a minigrad checkpoint ({type(err).__name__}: {err})") from None


def load(path: str | os.PathLike[str]) -> Any:
    """Read an object written by ``mg.save``: Tensors come back as Tensors on the active backend.

    Raises ValueError for a truncated, damaged or foreign file (including one
    holding pickled objects), naming the path and what is wrong.
    """
    path = os.fspath(path)
    members = _read_members(path)
    decoder = _Decoder(members, path)
    if _META not in members:
        raise decoder.bad(f"it has no {_META} member (was it written by mg.save?)")
    raw = members.pop(_META)
    try:
        meta = json.loads(raw.tobytes().decode("utf-8")) if raw.dtype == np.uint8 and raw.ndim == 1 else None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise decoder.bad(f"its metadata is not valid JSON ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != "minigrad" or "object" not in meta:
        raise decoder.bad("its metadata does not describe a minigrad checkpoint")
    if meta.get("version") != FORMAT_VERSION:
        raise decoder.bad(f"format version {meta.get('version')!r}; this minigrad reads version {FORMAT_VERSION}")
    for name, array in members.items():
        if array.dtype.kind not in _KINDS:
            raise decoder.bad(f"array {name!r} has dtype {array.dtype}, which minigrad never writes")
    try:
        obj = decoder.decode(meta["object"])
    except RecursionError:
        raise decoder.bad("its metadata nests too deeply") from None
    extra = sorted(set(members) - decoder.used)
    if extra:
        raise decoder.bad(f"arrays {extra} are not described by its metadata")
    return obj
