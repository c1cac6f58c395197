"""mt.save / mt.load: safe checkpoints in the safetensors format; PyTorch's .pt/.pth files read too.

    >>> import minitorch_lite as mt
    >>> model = mt.nn.Linear(2, 1)
    >>> mt.save(model.state_dict(), "model.safetensors")        # doctest: +SKIP
    >>> model.load_state_dict(mt.load("model.safetensors"))     # doctest: +SKIP
    <All keys matched successfully>

What `save` writes is ONE safetensors file (backend/safetensors_io.py):
  - every tensor becomes a safetensors entry (host copy, C order, little-endian); a flat state dict
    keeps its keys as entry names, so `safetensors.torch.load_file` reads it as the same state dict;
  - the object around the tensors (nested dicts, OrderedDicts, lists, tuples, numbers, strings,
    None, dtypes, devices, torch.Size), with each tensor's requires_grad, Parameter-ness and
    original device, is JSON in the header's `__metadata__["minitorch_lite"]` (see `_encode`).
Nothing in the file is ever executed: loading is parsing JSON and copying bytes. Writing to a path
is atomic (temporary file in the same directory, fsync, os.replace), so a failed save never
damages an existing checkpoint.

What `load` reads, recognised by the first bytes of the file:
  - safetensors files: ours (the saved object comes back) or any other (a dict name -> tensor);
  - PyTorch's zip checkpoints written by torch.save (torch_pickle.py, a restricted unpickler that
    admits only tensors and plain containers, as torch's weights_only=True).

Differences from torch, on purpose: the file format (safetensors, not pickle, so torch.load cannot
read our files: use `safetensors.torch.load_file` or `interop.to_torch`); arbitrary Python objects
cannot be saved (TypeError before anything is written); `weights_only=False` loads nothing more;
tensors that shared memory are saved (and loaded) separately unless they are the same object; a
callable `map_location` receives a CPU tensor where torch passes a storage.
"""
import collections
import json
import math
import os
import secrets
import stat

import numpy as np

from .backend import cuda_backend, safetensors_io
from .backend import dtypes as _dtypes
from .backend.device import CPU, as_device, device
from .backend.safetensors_io import SafetensorsError
from .ops.conversion import move_array
from .tensor import Size, Tensor
from . import torch_pickle

_METADATA_KEY = "minitorch_lite"
_FORMAT_VERSION = 1


# ---- save ----------------------------------------------------------------------------------------------

def save(obj, f):
    """Save `obj` (a tensor, a state dict, an optimizer state dict, or nested containers of them
    and plain values) to `f`: a path (str or pathlib.Path; written atomically) or a binary file."""
    arrays = []
    structure = _Encoder(arrays).encode(obj, "")
    metadata = {"format": "pt", _METADATA_KEY: json.dumps(
        {"version": _FORMAT_VERSION, "object": structure}, separators=(",", ":"), allow_nan=False)}
    if isinstance(f, (str, os.PathLike)):
        _write_atomically(os.fspath(f), lambda out: safetensors_io.write(out, arrays, metadata))
    else:
        safetensors_io.write(f, arrays, metadata)


def _write_atomically(path, write):
    """Write to a temporary file beside `path`, fsync it, then rename it over `path` in one step."""
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if os.path.exists(path):  # keep an overwritten checkpoint's permissions, as torch.save does
            os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class _Encoder:
    """Turn `obj` into JSON-ready nodes, collecting tensors as (entry name, array) pairs.

    Nodes: None, booleans, ints, finite floats and strings are themselves; a list is a JSON list;
    everything else is a one-key object naming its kind:
        {"tuple": [...]}   {"dict": [[key, value], ...]}   {"OrderedDict": [[key, value], ...]}
        {"float": "nan" | "inf" | "-inf"}   {"Size": [...]}   {"dtype": "float32"}   {"device": "cuda:0"}
        {"tensor": entry name, "requires_grad": bool, "parameter": bool, "device": "cpu"}
    (an OrderedDict may add "_metadata": the module versions that `state_dict()` attaches).
    """

    def __init__(self, arrays):
        self.arrays = arrays
        self.names = set()
        self.saved = {}  # id(tensor) -> node, so the same tensor object is stored once

    def encode(self, obj, path):
        if obj is None or isinstance(obj, (bool, int, str)):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, Tensor):
            return self.tensor(obj, path)
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":  # NumPy scalars: as Python's
            return self.encode(obj.item(), path)
        if isinstance(obj, _dtypes.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, device):
            return {"device": str(obj)}
        if isinstance(obj, Size):
            return {"Size": list(obj)}
        if type(obj) is list:
            return [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]
        if type(obj) is tuple:
            return {"tuple": [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]}
        if type(obj) in (dict, collections.OrderedDict):
            flat = path == "" and all(isinstance(k, str) and isinstance(v, Tensor)
                                      for k, v in obj.items())
            items = [[self.encode(k, path), self.encode(v, k if flat else _join(path, k))]
                     for k, v in obj.items()]
            node = {type(obj).__name__: items}
            if hasattr(obj, "_metadata"):
                node["_metadata"] = self.encode(obj._metadata, _join(path, "_metadata"))
            return node
        where = f" at {path!r}" if path else ""
        raise TypeError(f"mt.save cannot store an object of type {type(obj).__name__}{where}: only "
                        "tensors, dicts, OrderedDicts, lists, tuples, numbers, strings, None, "
                        "dtypes, devices and torch.Size can be saved")

    def tensor(self, t, path):
        node = self.saved.get(id(t))
        if node is None:
            from .nn.parameter import Parameter
            name = path or "tensor"
            if name in self.names or name == "__metadata__":
                name = next(f"{name}#{i}" for i in range(2, len(self.names) + 3)
                            if f"{name}#{i}" not in self.names)
            self.names.add(name)
            self.arrays.append((name, t._data))
            node = self.saved[id(t)] = {
                "tensor": name, "requires_grad": t._requires_grad,
                "parameter": isinstance(t, Parameter), "device": str(t._device)}
        return node


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


# ---- load ----------------------------------------------------------------------------------------------

def load(f, map_location=None, weights_only=True, mmap=None):
    """Load what `save` wrote, any safetensors file, or a PyTorch zip checkpoint (.pt/.pth).

    `f`: a path or a seekable binary file. `map_location` moves tensors as torch.load does: a
    device or string ('cpu', 'cuda:0') for all of them, a dict {'cuda:0': 'cpu'} of saved -> new
    locations, or a callable (cpu_tensor, saved_location) returning a tensor or None (= default).
    `mmap=True` maps the file instead of reading it (tensors are copy-on-write views of it).
    `weights_only` is accepted for torch compatibility: loading never runs code either way.
    """
    source = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as opened:
            return _load_file(opened, source, map_location, bool(mmap))
    return _load_file(f, source, map_location, bool(mmap))


def _load_file(f, source, map_location, use_mmap):
    start = f.tell()
    head = f.read(9)
    f.seek(start)
    place = _Placement(map_location)
    # safetensors: 8-byte length, then the JSON header's "{"; a zip starts "PK\3\4" (its byte 8 is
    # a compression method, never "{"); a pickle starts "\x80" and its protocol, 2 to 5
    if head[8:9] != b"{" and head.startswith(torch_pickle.ZIP_MAGIC):
        return torch_pickle.read(f, place, source, use_mmap)
    if len(head) == 9 and head[8:9] != b"{" and head[:1] == b"\x80" and 2 <= head[1] <= 5:
        raise torch_pickle.TorchFileError(
            f"{source}: is a plain pickle or a PyTorch checkpoint in the legacy format (before "
            "PyTorch 1.6); minitorch_lite.load does not unpickle arbitrary objects. Re-save it with "
            "a current torch.save (zip format) or as safetensors.")
    return _load_safetensors(f, source, place, use_mmap)


def _load_safetensors(f, source, place, use_mmap):
    arrays, metadata = safetensors_io.read(f, source, use_mmap)
    for name, array in arrays.items():
        if array.dtype not in _dtypes._FROM_NP:
            raise SafetensorsError(f"{source}: tensor '{name}' has dtype {array.dtype}, which "
                                   "minitorch_lite does not support")
    if _METADATA_KEY not in metadata:  # a file from another writer: its tensors, by name
        return {name: place(array, "cpu", False, False) for name, array in arrays.items()}
    try:
        document = json.loads(metadata[_METADATA_KEY])
    except (ValueError, RecursionError) as err:
        raise SafetensorsError(f"{source}: invalid minitorch_lite metadata: {err}") from None
    if not isinstance(document, dict) or document.get("version") != _FORMAT_VERSION:
        raise SafetensorsError(f"{source}: unknown minitorch_lite metadata version")
    decoder = _Decoder(arrays, place, source)
    try:
        obj = decoder.decode(document.get("object"))
    except RecursionError:
        decoder.fail("the saved object is nested too deeply")
    unused = arrays.keys() - decoder.used
    if unused:
        decoder.fail(f"tensor entries {sorted(unused)} are not part of the saved object")
    return obj


class _Decoder:
    """The inverse of `_Encoder`, trusting nothing: any malformed node raises SafetensorsError."""

    def __init__(self, arrays, place, source):
        self.arrays, self.place, self.source = arrays, place, source
        self.used = set()
        self.tensors = {}  # entry name -> Tensor, so a tensor saved once and used twice is one object

    def fail(self, problem):
        raise SafetensorsError(f"{self.source}: invalid minitorch_lite metadata: {problem}")

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or not node:
            self.fail(f"unexpected node {node!r}")
        kind = "tensor" if "tensor" in node else next(iter(node))
        value = node[kind]
        if kind == "tensor":
            return self.tensor(node)
        if len(node) != 1 and not (kind == "OrderedDict" and node.keys() == {kind, "_metadata"}):
            self.fail(f"unexpected node {node!r}")
        if kind in ("dict", "OrderedDict"):
            if not isinstance(value, list) or not all(isinstance(kv, list) and len(kv) == 2
                                                      for kv in value):
                self.fail(f"{kind} entries must be [key, value] pairs")
            out = (dict if kind == "dict" else collections.OrderedDict)()
            for k, v in value:
                key = self.decode(k)
                try:
                    out[key] = self.decode(v)
                except TypeError:
                    self.fail(f"unhashable dict key {k!r}")
            if "_metadata" in node:
                out._metadata = self.decode(node["_metadata"])
            return out
        if kind in ("tuple", "Size") and isinstance(value, list):
            items = tuple(self.decode(v) for v in value)
            if kind == "tuple":
                return items
            if all(type(v) is int for v in items):
                return Size(items)
        if kind == "float" and value in ("nan", "inf", "-inf"):
            return float(value)
        if kind == "dtype" and isinstance(value, str) and value in _dtypes._BY_NAME:
            return _dtypes._BY_NAME[value]
        if kind == "device" and isinstance(value, str):
            try:
                return device(value)
            except RuntimeError:
                pass
        self.fail(f"unexpected node {node!r}")

    def tensor(self, node):
        name = node["tensor"]
        if (node.keys() != {"tensor", "requires_grad", "parameter", "device"}
                or not isinstance(name, str) or not isinstance(node["device"], str)
                or not isinstance(node["requires_grad"], bool)
                or not isinstance(node["parameter"], bool)):
            self.fail(f"malformed tensor node {node!r}")
        if name not in self.arrays:
            self.fail(f"reference to missing tensor entry {name!r}")
        if name not in self.tensors:
            array = self.arrays[name]
            if node["requires_grad"] and array.dtype.kind != "f":
                self.fail(f"integer tensor {name!r} cannot require grad")
            self.used.add(name)
            self.tensors[name] = self.place(array, node["device"], node["requires_grad"],
                                            node["parameter"])
        return self.tensors[name]


# ---- map_location ---------------------------------------------------------------------------------------

class _Placement:
    """Build each loaded tensor where `map_location` says, from a host array and its saved location."""

    def __init__(self, map_location):
        self.map_location = map_location
        self.devices = {}  # saved location -> checked target device

    def __call__(self, array, location, requires_grad, is_parameter):
        target = self.map_location
        tensor = None
        if callable(target) and not isinstance(target, (str, device)):
            tensor = target(Tensor._make(array, CPU), location)
            if tensor is not None and not isinstance(tensor, Tensor):
                raise TypeError(f"map_location returned {type(tensor).__name__}, expected a tensor or None")
        if tensor is None:
            dev = self.device_for(location)
            tensor = Tensor._make(array if dev is CPU else move_array(array, dev), dev)
        if is_parameter:
            from .nn.parameter import Parameter
            return Parameter(tensor, requires_grad=requires_grad)
        tensor._requires_grad = requires_grad
        return tensor

    def device_for(self, location):
        dev = self.devices.get(location)
        if dev is None:
            target = self.map_location
            if isinstance(target, dict):
                wanted = target.get(location, location)
            elif target is None or (callable(target) and not isinstance(target, (str, device))):
                wanted = location
            else:
                wanted = target
            dev = self.devices[location] = _available_device(str(wanted))
        return dev


def _available_device(name):
    """The device `name` ('cpu', 'cuda', 'cuda:1', ...); RuntimeError like torch's if it is absent."""
    wanted = device(name)
    if wanted.type == "cuda":
        if not cuda_backend.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but CUDA is not available "
                "to minitorch_lite (it needs CuPy and an NVIDIA GPU). If you are running on a "
                "CPU-only machine, please use minitorch_lite.load with map_location='cpu' (or "
                "map_location=minitorch_lite.device('cpu')) to map your storages to the CPU.")
        count = cuda_backend.device_count()
        if wanted.index is not None and wanted.index >= count:
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {wanted.index} but "
                f"minitorch_lite.cuda.device_count() is {count}. Please use minitorch_lite.load "
                "with map_location to map your storages to an existing device.")
    return as_device(wanted)
