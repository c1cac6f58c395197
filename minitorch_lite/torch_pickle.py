"""PyTorch's own checkpoint format (.pt/.pth), read and written without torch and without pickle
running any code.

    >>> import io, minitorch_lite as mt
    >>> from minitorch_lite import torch_pickle
    >>> buffer = io.BytesIO()
    >>> torch_pickle.encode({"w": mt.ones(2), "epoch": 3}).write(buffer)  # what torch.save writes
    >>> _ = buffer.seek(0)
    >>> torch_pickle.read(buffer, lambda array, *where: array.tolist(), "<buffer>")
    {'w': [1.0, 1.0], 'epoch': 3}

torch.save writes a zip archive (since PyTorch 1.6), every record stored uncompressed:

    <name>/data.pkl      a pickle (protocol 2) of the object; each tensor in it is a call
                         torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
                         whose `storage` is a *persistent id* ('storage', FloatStorage, key, 'cpu', numel)
    <name>/data/<key>    the raw bytes of each storage (little-endian unless <name>/byteorder says 'big')
    <name>/byteorder, <name>/version, <name>/.format_version, ...

Reading. Unpickling can call any importable function, so a plain `pickle.load` of a downloaded
checkpoint can run arbitrary code (`os.system` via `__reduce__`). `read` admits only what torch's
own `weights_only=True` loader admits for tensors and plain containers:
  - the pickle may use only the opcodes torch's weights-only loader knows (checked before
    unpickling; the protocol number itself may be 2 to 5, as torch.save(pickle_protocol=3) writes);
  - `find_class` answers a fixed table (tensor rebuild functions, storage types, dtypes,
    `torch.Size`, `torch.device`, `OrderedDict`, `set`, `complex`) and refuses every other name
    before anything is called;
  - callables reach the pickle as inert placeholders that refuse the BUILD opcode.
Tensors come out of the pickle as records (a storage and a geometry), not arrays. Once the pickle is
fully read, `_Resolver` walks the object without recursion (a 200,000-level nesting loads as it
does in torch) and turns each record into a tensor: its geometry is checked first (an absurd shape
fails before any memory is touched), then its storage is read. Errors name the file and the
tensor's key. Records are read only if stored uncompressed (torch.save never compresses, and a
compressed record could inflate a small file into gigabytes) and only if no two records overlap,
so loading reads at most the file's own bytes.

Writing. `encode(obj).write(f)` writes the same archive torch.save writes (same records, 64-byte
aligned data, CRC-32s, ZIP64 past 4 GiB), with a pickle this module writes opcode by opcode: the
protocol-2 opcodes torch's own files use, so `torch.load(f, weights_only=True)` reads it. Python's
pickle module is never used to write. Tensors that are views of one array share one storage record
(as in torch) when they have the same dtype and that array is contiguous; any other tensor gets
its own record. Everything that can be rejected (an unsupported object) is rejected by `encode`,
before a byte is written.
"""
import bisect
import collections
import io
import os
import pickle
import pickletools
import secrets
import struct
import sys
import zipfile
import zlib
from functools import partial

import numpy as np

from .backend import dtypes as _dtypes
from .backend.device import CPU
from .backend.device import device as _device
from .tensor import Size, Tensor


class TorchFileError(pickle.UnpicklingError, RuntimeError):
    """A PyTorch file that cannot be read safely (corrupt, unsupported or containing code)."""


ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # an archive with no records: just the end-of-directory record

# torch's dtype names -> NumPy dtypes; the names torch has but we cannot hold map to None
_TORCH_DTYPES = {d.name: d.np for d in _dtypes.ALL}
_TORCH_DTYPES.update({alias: d.np for alias, d in _dtypes.ALIASES.items()})
_TORCH_DTYPES.update(dict.fromkeys(
    ["bfloat16", "complex32", "complex64", "complex128", "cfloat", "cdouble", "chalf",
     "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
     "float8_e5m2fnuz", "float8_e8m0fnu", "qint8", "quint8", "qint32", "quint4x2", "quint2x4"]))
# legacy typed storages (the dtype of the tensors built on them); UntypedStorage holds bytes
_STORAGE_DTYPES = {"DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
                   "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
                   "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
                   "BFloat16Storage": "bfloat16", "ComplexDoubleStorage": "complex128",
                   "ComplexFloatStorage": "complex64", "QInt8Storage": "qint8",
                   "QInt32Storage": "qint32", "QUInt8Storage": "quint8",
                   "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4"}


def _check(condition, problem):
    if not condition:
        raise TorchFileError(problem)


def _numpy_dtype(name):
    dt = _TORCH_DTYPES.get(name)
    if dt is None:
        raise TorchFileError(f"minitorch_lite has no dtype torch.{name}")
    return np.dtype(dt)


# =====================================================================================================
# Reading
# =====================================================================================================

# ---- what the pickle may build ---------------------------------------------------------------------

class _Inert:
    """Base of every object the pickle gets from us: no attributes can be set on it by BUILD."""

    __slots__ = ()

    def __setstate__(self, state):
        raise TorchFileError(f"refusing to set state on {self!r}: the pickle tried to modify an object")


class _Global(_Inert):
    """An admitted global (a rebuild function or type), as the inert callable the pickle sees."""

    __slots__ = ("name", "fn")

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return self.name


class _DtypeRef(_Inert):
    """torch.float32 and friends; resolved to a minitorch_lite dtype after unpickling."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


class _StorageType(_Inert):
    """torch.FloatStorage and friends (only meaningful inside a storage's persistent id)."""

    __slots__ = ("dtype_name",)

    def __init__(self, dtype_name):
        self.dtype_name = dtype_name

    def __repr__(self):
        return f"storage type of {self.dtype_name}"


class _StorageRef(_Inert):
    """A storage named by the pickle: record `data/<key>` holding `numel` elements of a dtype.
    Only a name here: its bytes are read when a tensor on it is built."""

    __slots__ = ("key", "dtype_name", "location", "numel")

    def __init__(self, key, dtype_name, location, numel):
        self.key, self.dtype_name, self.location, self.numel = key, dtype_name, location, numel

    def __repr__(self):
        return f"storage '{self.key}' on {self.location}"


class _TensorRecord(_Inert):
    """A tensor as the pickle describes it: its storage and geometry, checked when it is built."""

    __slots__ = ("storage", "dtype_name", "offset", "size", "stride", "requires_grad",
                 "is_parameter")

    def __init__(self, storage, dtype_name, offset, size, stride, requires_grad, is_parameter=False):
        self.storage, self.dtype_name = storage, dtype_name
        self.offset, self.size, self.stride = offset, size, stride
        self.requires_grad, self.is_parameter = requires_grad, is_parameter

    def __repr__(self):
        return f"tensor record of size {self.size!r}"


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    _check(isinstance(storage, _StorageRef), "tensor built from something that is not a storage")
    _check(not metadata, f"unsupported tensor metadata {metadata!r} (conjugate/negative views)")
    return _TensorRecord(storage, storage.dtype_name, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    _check(isinstance(storage, _StorageRef) and isinstance(dtype, _DtypeRef),
           "tensor built from something that is not a storage and a dtype")
    _check(not metadata, f"unsupported tensor metadata {metadata!r} (conjugate/negative views)")
    return _TensorRecord(storage, dtype.name, storage_offset, size, stride, requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    _check(isinstance(data, _TensorRecord), "parameter built from something that is not a tensor")
    return _TensorRecord(data.storage, data.dtype_name, data.offset, data.size, data.stride,
                         requires_grad, is_parameter=True)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    _check(not state, f"parameters with extra Python attributes {sorted(state)!r} are not supported")
    return _rebuild_parameter(data, requires_grad, backward_hooks)


def _rebuild_from_type_v2(func, new_type, args, state):
    _check(isinstance(func, _Global) and func.fn in _TENSOR_REBUILDERS and isinstance(args, tuple),
           f"unsupported tensor reconstruction through {func!r}")
    _check(not state, f"tensors with extra Python attributes {state!r} are not supported")
    record = func(*args)
    if new_type is _PARAMETER:
        return _rebuild_parameter(record, record.requires_grad, None)
    _check(new_type is _TENSOR, f"tensor subclass {new_type!r} is not supported")
    return record


def _device_from(*args):
    if len(args) == 1 and isinstance(args[0], (str, int)):
        return _device(args[0])
    _check(len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], int),
           f"invalid torch.device arguments {args!r}")
    return _device(*args)


def _size_from(values=()):
    values = tuple(values)
    _check(all(type(v) is int for v in values), f"invalid torch.Size {values!r}")
    return Size(values)


_TENSOR_REBUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3)
_TENSOR = _Global("torch.Tensor", None)
_PARAMETER = _Global("torch.nn.parameter.Parameter", None)

# builtin types are immutable, so the pickle can have them as they are
_SAFE_BUILTINS = {("collections", "OrderedDict"): collections.OrderedDict,
                  ("builtins", "set"): set, ("builtins", "complex"): complex}
_FUNCTIONS = {("torch._utils", f.__name__): f for f in
              (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
               _rebuild_parameter_with_state)}
_FUNCTIONS[("torch._tensor", "_rebuild_from_type_v2")] = _rebuild_from_type_v2
_FUNCTIONS[("torch", "Size")] = _size_from
_FUNCTIONS[("torch", "device")] = _device_from


# the opcodes torch's weights_only unpickler accepts (torch/_weights_only_unpickler.py): those of
# protocol 2 and below, without bytes, buffers, INST/OBJ or POP; it takes any PROTO number, so we do
_OPCODES = {"PROTO", "STOP", "MARK", "GLOBAL", "REDUCE", "NEWOBJ", "BUILD", "BINPERSID", "APPEND",
            "APPENDS", "SETITEM", "SETITEMS", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_TUPLE",
            "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "NONE", "NEWTRUE", "NEWFALSE", "BININT",
            "BININT1", "BININT2", "LONG1", "BINFLOAT", "BINUNICODE", "SHORT_BINSTRING", "BINGET",
            "LONG_BINGET", "BINPUT", "LONG_BINPUT"}


# ---- the restricted unpickler -------------------------------------------------------------------------

class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "__builtin__":  # protocol 2 pickles name builtins as Python 2 did
            module = "builtins"
        if (module, name) in _SAFE_BUILTINS:
            return _SAFE_BUILTINS[module, name]
        if (module, name) in _FUNCTIONS:
            return _Global(f"{module}.{name}", _FUNCTIONS[module, name])
        if module == "torch" and name == "Tensor":
            return _TENSOR
        if module == "torch.nn.parameter" and name == "Parameter":
            return _PARAMETER
        if module == "torch" and name in _TORCH_DTYPES:
            return _DtypeRef(name)
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        if module in ("torch", "torch.storage") and name == "UntypedStorage":
            return _StorageType("uint8")  # bytes; the tensor's dtype comes with _rebuild_tensor_v3
        raise TorchFileError(f"refusing to load '{module}.{name}': minitorch_lite.load only reads "
                             "tensors and plain containers")

    def persistent_load(self, pid):
        _check(isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
               and isinstance(pid[1], _StorageType)
               and isinstance(pid[2], str) and isinstance(pid[3], str)
               and type(pid[4]) is int and pid[4] >= 0,
               f"unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        try:
            _device(location)
        except RuntimeError:
            raise TorchFileError(f"invalid storage location {location!r}") from None
        return _StorageRef(key, storage_type.dtype_name, location, numel)


# ---- the zip archive ---------------------------------------------------------------------------------------

def read(f, make_tensor, source, use_mmap=False):
    """Read a torch.save zip archive from path or seekable binary file `f`.

    Each tensor becomes `make_tensor(array, location, requires_grad, is_parameter)`, with `array`
    a NumPy view of the file's bytes on the host and `location` the device string torch saved
    ('cpu', 'cuda:0'). Returns the unpickled object. `source` names the file in errors.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as opened:
            return read(opened, make_tensor, source, use_mmap)
    try:
        archive = _Archive(f, use_mmap)
        obj = archive.unpickle()
    except TorchFileError as err:
        raise TorchFileError(f"{source}: {err}") from None
    except Exception as err:  # whatever a damaged archive or pickle trips on: name the file
        raise TorchFileError(f"{source}: not a readable PyTorch checkpoint: "
                             f"{type(err).__name__}: {err}") from err
    try:
        return _Resolver(archive, make_tensor).resolve(obj)
    except TorchFileError as err:
        raise TorchFileError(f"{source}: {err}") from None


class _Archive:
    """The records of a torch.save zip, read only when stored uncompressed and not overlapping."""

    def __init__(self, file, use_mmap):
        self.file = file
        self.size = file.seek(0, os.SEEK_END)  # zipfile's offsets count from the file's start
        file.seek(0)
        self.zip = zipfile.ZipFile(file)
        self.records = {info.filename: info for info in self.zip.infolist()}
        names = list(self.records)
        _check(names and "/" in names[0], "empty zip archive, or not written by torch.save")
        self.prefix = names[0].split("/", 1)[0] + "/"
        if f"{self.prefix}constants.pkl" in names:
            raise TorchFileError("is a TorchScript archive (torch.jit.save); minitorch_lite.load "
                                 "reads only torch.save checkpoints")
        _check(f"{self.prefix}data.pkl" in names,
               "zip archive without data.pkl: not written by torch.save")
        # where each record's bytes may end: at the next record's local header (or the directory)
        offsets = [info.header_offset for info in self.zip.infolist()]
        self.header_offsets = sorted(offsets)
        self.shared_offsets = {o for o, n in collections.Counter(offsets).items() if n > 1}
        self.directory_offset = getattr(self.zip, "start_dir", self.size)
        self.storages = {}  # key -> raw bytes (uint8 array), read once, shared by its tensors
        order = bytes(self.read_record(f"{self.prefix}byteorder", limit=16)).decode(
            "ascii", "replace") if f"{self.prefix}byteorder" in names else "little"
        _check(order in ("little", "big"), f"unknown byteorder record {order!r}")
        self.byteorder = "<" if order == "little" else ">"
        self.mmap = None
        if use_mmap:
            import mmap
            try:
                self.mmap = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation) as err:
                raise TorchFileError(f"mmap=True needs a real file on disk ({err})") from None

    def unpickle(self):
        data = bytes(self.read_record(f"{self.prefix}data.pkl"))
        for opcode, arg, _ in pickletools.genops(data):
            _check(opcode.name in _OPCODES,
                   f"refusing pickle opcode {opcode.name}: torch.save writes only protocol-2 "
                   "opcodes for tensors and plain containers")
        return _Unpickler(io.BytesIO(data)).load()

    def record_span(self, name):
        """(info, first data byte) of record `name`, checked to be stored and inside its own bytes."""
        info = self.records.get(name)
        _check(info is not None, f"record '{name}' is missing")
        _check(info.compress_type == zipfile.ZIP_STORED,
               f"record '{name}' is compressed (zip method {info.compress_type}): torch.save never "
               "compresses, and minitorch_lite.load reads only stored records so that a small file "
               "cannot expand into gigabytes of memory; re-save the checkpoint with torch.save")
        _check(info.header_offset not in self.shared_offsets,
               f"records overlap at byte {info.header_offset} (a zip bomb, or a damaged archive)")
        self.file.seek(info.header_offset)
        header = self.file.read(30)
        _check(len(header) == 30 and header[:4] == ZIP_MAGIC, f"bad local header for '{name}'")
        # the local header's name and extra field lengths may differ from the directory's (torch
        # pads its records to 64-byte boundaries with the extra field)
        begin = (info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                 + int.from_bytes(header[28:30], "little"))
        later = bisect.bisect_right(self.header_offsets, info.header_offset)
        limit = (self.header_offsets[later] if later < len(self.header_offsets)
                 else self.directory_offset)
        _check(begin + info.file_size <= min(limit, self.size),
               f"record '{name}' of {info.file_size} bytes runs into the next record or past the "
               "end of the file (truncated, or a zip bomb)")
        return info, begin

    def read_record(self, name, limit=None):
        """The bytes of a record, read into a fresh uint8 array and CRC-checked."""
        info, begin = self.record_span(name)
        if limit is not None:
            _check(info.file_size <= limit, f"record '{name}' is {info.file_size} bytes, "
                   f"expected at most {limit}")
        raw = np.empty(info.file_size, dtype=np.uint8)
        self.file.seek(begin)
        view, got = memoryview(raw), 0
        while got < info.file_size:
            n = self.file.readinto(view[got:])
            _check(n, f"record '{name}' is truncated")
            got += n
        _check(zlib.crc32(raw) == info.CRC, f"record '{name}' is corrupt (CRC mismatch)")
        return raw

    def map_record(self, name):
        """A copy-on-write view of a record, mapped, not read (so its CRC is not checked)."""
        info, begin = self.record_span(name)
        return np.frombuffer(self.mmap, dtype=np.uint8, count=info.file_size, offset=begin)

    def storage_bytes(self, storage):
        """The raw bytes of a storage as a uint8 array (read once, shared by every tensor on it)."""
        raw = self.storages.get(storage.key)
        if raw is not None:
            return raw
        dt = _numpy_dtype(storage.dtype_name)
        name = f"{self.prefix}data/{storage.key}"
        info = self.records.get(name)
        _check(info is not None, f"storage record '{name}' is missing")
        _check(info.file_size == storage.numel * dt.itemsize,
               f"storage record '{name}' holds {info.file_size} bytes, expected "
               f"{storage.numel} elements of {dt.itemsize} bytes")
        raw = self.map_record(name) if self.mmap is not None else self.read_record(name)
        if self.byteorder == ">" and dt.itemsize > 1:  # byte-swap big-endian files once, here
            raw = raw.view(dt.newbyteorder(">")).astype(dt).view(np.uint8)
        self.storages[storage.key] = raw
        return raw

    def tensor_array(self, record):
        """The NumPy view of its storage that a tensor record describes, geometry checked first."""
        storage = record.storage
        _check(isinstance(storage, _StorageRef), "built from something that is not a storage")
        dt = _numpy_dtype(record.dtype_name)
        offset, size, stride = record.offset, record.size, record.stride
        _check(isinstance(size, (tuple, list)) and isinstance(stride, (tuple, list))
               and len(size) == len(stride) and len(size) <= 64
               and all(type(v) is int and 0 <= v <= sys.maxsize for v in (offset, *size, *stride))
               and type(record.requires_grad) is bool,
               f"invalid tensor geometry: offset {offset!r}, size {size!r}, stride {stride!r}")
        numel = 1
        for n in size:
            numel *= n
        _check(numel * dt.itemsize <= sys.maxsize,
               f"shape {list(size)} has {numel} elements of {dt}: more than any memory can hold")
        _check(not (record.requires_grad and dt.kind != "f"),
               f"a tensor of dtype {dt} cannot require gradients")
        if numel == 0:
            return np.empty(size, dtype=dt)
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        _check(last < storage.numel * _numpy_dtype(storage.dtype_name).itemsize // dt.itemsize,
               f"size {list(size)}, stride {list(stride)} and offset {offset} reach element {last} "
               f"of storage '{storage.key}', which holds {storage.numel} elements (reaches past "
               "its storage)")
        raw = self.storage_bytes(storage)
        _check(raw.size % dt.itemsize == 0,
               f"storage of {raw.size} bytes does not hold whole {dt} elements")
        return np.ndarray(size, dtype=dt, buffer=raw, offset=offset * dt.itemsize,
                          strides=[s * dt.itemsize for s in stride])


# ---- from placeholders to minitorch_lite objects ------------------------------------------------------

_PLAIN = (type(None), bool, int, float, complex, str, bytes, bytearray, _dtypes.dtype, _device, Size)
_REBUILT = (tuple, set, frozenset)  # immutable containers: a new one if anything inside changed


class _Resolver:
    """Replace every placeholder in the unpickled object, walking it with a stack, not recursion.

    Lists and dicts are updated in place (so shared ones and cycles stay as they are); tuples and
    sets are rebuilt after their contents. `parents` remembers how each node was reached, so an
    error can name the tensor's key ('model.0.weight') without building paths for every node.
    """

    def __init__(self, archive, make_tensor):
        self.archive, self.make_tensor = archive, make_tensor
        self.parents = {}   # id(node) -> (parent node, key)
        self.replaced = {}  # id(original) -> its replacement

    def resolve(self, root):
        visited = self.post_order(root)  # also keeps every node alive, so ids stay unique
        for node in visited:
            self.replace(node)
        return self.replaced.get(id(root), root)

    def post_order(self, root):
        order, seen, stack = [], set(), [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for key, child in reversed(list(self.children(node))):  # first child on top
                if id(child) not in seen and type(child) not in _PLAIN:
                    self.parents.setdefault(id(child), (node, key))
                    stack.append((child, False))
        return order

    def children(self, node):
        kind = type(node)
        if kind is list or kind in _REBUILT:
            return enumerate(node)
        if kind is dict or kind is collections.OrderedDict:
            items = [(k, v) for k, v in node.items()] + [("(a key)", k) for k in node]
            if kind is collections.OrderedDict:  # its attributes (state_dict()._metadata) came from BUILD
                items += list(vars(node).items())
            return items
        return ()

    def new(self, value):
        return self.replaced.get(id(value), value)

    def replace(self, node):
        kind = type(node)
        if kind is _TensorRecord:
            try:
                array = self.archive.tensor_array(node)
            except TorchFileError as err:
                raise TorchFileError(f"{self.describe(node)}: {err}") from None
            self.replaced[id(node)] = self.make_tensor(array, node.storage.location,
                                                       node.requires_grad, node.is_parameter)
        elif kind is _DtypeRef:
            self.replaced[id(node)] = _dtypes.from_numpy_dtype(_numpy_dtype(node.name))
        elif kind is list:
            node[:] = [self.new(v) for v in node]
        elif kind is dict or kind is collections.OrderedDict:
            items = [(self.new(k), self.new(v)) for k, v in node.items()]
            node.clear()
            try:
                node.update(items)
            except TypeError as err:
                raise TorchFileError(f"{self.describe(node)}: {err}") from None
            if kind is collections.OrderedDict:
                for name, value in list(vars(node).items()):
                    setattr(node, name, self.new(value))
        elif kind in _REBUILT:
            if any(id(v) in self.replaced for v in node):
                try:
                    self.replaced[id(node)] = kind(self.new(v) for v in node)
                except TypeError as err:
                    raise TorchFileError(f"{self.describe(node)}: {err}") from None
        elif kind not in _PLAIN:
            raise TorchFileError(f"{self.describe(node)}: the checkpoint holds an unsupported "
                                 f"object: {node!r}")

    def describe(self, node):
        """'tensor 'model.0.weight'': where `node` is in the loaded object."""
        keys = []
        while id(node) in self.parents:
            node, key = self.parents[id(node)]
            keys.append(str(key))
        return f"tensor '{'.'.join(reversed(keys))}'" if keys else "the saved object"


# =====================================================================================================
# Writing
# =====================================================================================================

STORAGE_ALIGNMENT = 64  # torch aligns every record's data to 64 bytes (so it can be memory-mapped)
_STORAGE_TYPES = {np.dtype(dt): name for name, dt in
                  [("DoubleStorage", "float64"), ("FloatStorage", "float32"),
                   ("HalfStorage", "float16"), ("LongStorage", "int64"), ("IntStorage", "int32"),
                   ("ShortStorage", "int16"), ("CharStorage", "int8"), ("ByteStorage", "uint8"),
                   ("BoolStorage", "bool")]}
_CHUNK = 16 << 20  # storages are written (and CRC-summed) in pieces, so signals are handled soon


def encode(obj):
    """Check `obj` and lay it out as a torch.save archive: returns an `Encoded` to `.write(f)`.

    Raises TypeError, naming where in `obj`, for anything torch.load(weights_only=True) could not
    read back (whole modules, optimizers, functions, arbitrary classes)."""
    plan = _StoragePlan(_tensors_in(obj))
    return Encoded(_Pickler(plan).dump(obj), plan)


class Encoded:
    """A checkpoint ready to write: the pickle, and the storages it names."""

    def __init__(self, pickled, plan):
        self.pickled, self.plan = pickled, plan

    def write(self, f, archive_name="archive"):
        """Write the zip archive to binary file `f`; records are named `<archive_name>/...`."""
        zip_file = _ZipWriter(f)
        prefix = archive_name + "/"
        zip_file.add(prefix + "data.pkl", len(self.pickled), [self.pickled])
        for name, content in [(".format_version", b"1"),
                              (".storage_alignment", str(STORAGE_ALIGNMENT).encode()),
                              ("byteorder", b"little")]:
            zip_file.add(prefix + name, len(content), [content])
        for key, nbytes, chunks in self.plan.records():
            zip_file.add(prefix + "data/" + key, nbytes, chunks)
        zip_file.add(prefix + "version", 2, [b"3\n"])
        # torch identifies each checkpoint by a random decimal string
        zip_file.add(prefix + ".data/serialization_id", 40, [f"{secrets.randbits(128):040d}".encode()])
        zip_file.finish()


def _tensors_in(obj):
    """Every distinct tensor in `obj` (through the containers `_Pickler` writes), in a stack walk."""
    tensors, seen, stack = [], set(), [obj]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Tensor):
            tensors.append(node)
        elif type(node) in (list, tuple):
            stack.extend(node)
        elif type(node) in (dict, collections.OrderedDict):
            stack.extend(node.keys())
            stack.extend(node.values())
            stack.extend(vars(node).values() if type(node) is collections.OrderedDict else ())
    return tensors


def _contiguous_strides(size):
    """torch's strides for a contiguous tensor (a dimension of size 0 counts as 1)."""
    strides, step = [], 1
    for n in reversed(size):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class _Storage:
    """One storage record: `nbytes` bytes from `source()`, a buffer made only when it is written."""

    __slots__ = ("key", "dtype", "location", "nbytes", "source")

    def __init__(self, dtype, location, nbytes, source):
        self.key, self.dtype, self.location, self.nbytes, self.source = None, dtype, location, nbytes, source


class _StoragePlan:
    """Which storage record holds each tensor's elements, at which offset and strides.

    Views of one contiguous host array with the same dtype share a record holding the span of
    bytes they cover (as in torch, where they share a storage; torch writes the whole storage, we
    write only the part the saved tensors reach). Any other tensor (on a GPU, with negative
    strides, over memory NumPy does not own contiguously) gets a record of its own with a C-order
    copy of its elements. Record keys are numbered in the order the pickle first names them.
    """

    def __init__(self, tensors):
        self.slots = {}  # id(tensor) -> (_Storage, offset, strides)
        self.keyed = []  # storages in key order
        spans = {}  # (id(root), dtype, location) -> [root, lo, hi, [(tensor, byte start, strides)]]
        for t in tensors:
            array, location = t._data, str(t._device)
            shared = self.shared_layout(array) if t._device is CPU else None
            if shared is None:
                self.slots[id(t)] = (self.own_storage(array, location), 0,
                                     _contiguous_strides(array.shape))
                continue
            root, start, end = shared
            span = spans.setdefault((id(root), array.dtype, location), [root, start, end, []])
            span[1], span[2] = min(span[1], start), max(span[2], end)
            span[3].append((t, start, tuple(s // array.itemsize for s in array.strides)))
        for root, lo, hi, members in spans.values():
            dtype = members[0][0]._data.dtype
            storage = _Storage(dtype, str(members[0][0]._device), hi - lo,
                               partial(_root_bytes, root, lo, hi, dtype))
            for t, start, strides in members:
                self.slots[id(t)] = (storage, (start - lo) // dtype.itemsize, strides)

    @staticmethod
    def shared_layout(array):
        """(root array, first byte, end byte) of a NumPy view inside a contiguous root, else None."""
        itemsize = array.itemsize
        if array.size == 0 or any(s < 0 or s % itemsize for s in array.strides):
            return None
        root = array
        while isinstance(root.base, np.ndarray):
            root = root.base
        if not (root.flags.c_contiguous or root.flags.f_contiguous):
            return None
        start = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        end = start + sum((n - 1) * s for n, s in zip(array.shape, array.strides)) + itemsize
        if start < 0 or start % itemsize or end > root.nbytes:
            return None
        return root, start, end

    @staticmethod
    def own_storage(array, location):
        def source():
            from .ops.conversion import move_array
            host = np.ascontiguousarray(move_array(array, CPU))
            return _little_endian_bytes(host)
        return _Storage(array.dtype, location, array.size * array.itemsize, source)

    def slot(self, tensor):
        """(storage key, storage type name, location, numel, offset, strides) of a tensor."""
        storage, offset, strides = self.slots[id(tensor)]
        if storage.key is None:
            storage.key = str(len(self.keyed))
            self.keyed.append(storage)
        return (storage.key, _STORAGE_TYPES[storage.dtype.newbyteorder("=")], storage.location,
                storage.nbytes // storage.dtype.itemsize, offset, strides)

    def records(self):
        """(key, nbytes, chunks) of every storage, in key order; chunks are made when iterated."""
        for storage in self.keyed:
            yield storage.key, storage.nbytes, _chunks(storage.source)


def _root_bytes(root, lo, hi, dtype):
    data = root.reshape(-1, order="A").view(np.uint8)[lo:hi]  # memory order: no copy
    return _little_endian_bytes(data.view(dtype)) if data.size else data


def _little_endian_bytes(array):
    if array.dtype.byteorder == ">" or (array.dtype.byteorder == "=" and sys.byteorder == "big"):
        array = array.astype(array.dtype.newbyteorder("<"))
    return array.reshape(-1).view(np.uint8)


def _chunks(source):
    data = memoryview(source())
    for begin in range(0, len(data), _CHUNK):
        yield data[begin:begin + _CHUNK]


# ---- the pickle, opcode by opcode ------------------------------------------------------------------------

# protocol-2 opcodes (see pickletools): exactly the ones torch's weights_only loader reads
_PROTO_2, _STOP, _MARK, _GLOBAL, _REDUCE, _BUILD = b"\x80\x02", b".", b"(", b"c", b"R", b"b"
_BINPERSID, _APPEND, _APPENDS, _SETITEM, _SETITEMS = b"Q", b"a", b"e", b"s", b"u"
_TUPLE, _TUPLES, _EMPTY_TUPLE, _EMPTY_LIST, _EMPTY_DICT = b"t", {1: b"\x85", 2: b"\x86", 3: b"\x87"}, b")", b"]", b"}"
_NONE, _NEWTRUE, _NEWFALSE = b"N", b"\x88", b"\x89"
_BININT, _BININT1, _BININT2, _LONG1, _BINFLOAT, _BINUNICODE = b"J", b"K", b"M", b"\x8a", b"G", b"X"
_BINGET, _LONG_BINGET, _BINPUT, _LONG_BINPUT = b"h", b"j", b"q", b"r"
_BATCH = 1000  # items per APPENDS/SETITEMS, as Python's pickler


class _Pickler:
    """Write an object as the protocol-2 pickle torch.save would write for it.

    Objects are written from an explicit stack of work (objects, and opcodes to emit after their
    contents), so nesting depth is limited only by memory. Lists, dicts and tensors go into the
    memo, so an object that appears twice (a tied weight, a shared step count) is read back as
    one object; strings and globals are written once and fetched from the memo after that.
    """

    def __init__(self, plan):
        self.plan = plan
        self.out = bytearray(_PROTO_2)
        self.memo = {}      # id(object) -> memo index
        self.alive = []     # the memoized objects, held so their ids stay unique while we write
        self.values = {}    # ("str" | "global", value) -> memo index
        self.open_tuples = set()

    def dump(self, obj):
        todo = [(obj, None)]  # (object, where) to save, bytes to emit, or a callable to run
        while todo:
            item = todo.pop()
            kind = type(item)
            if kind is tuple:
                self.save(item[0], item[1], todo)
            elif kind is bytes:
                self.out += item
            else:
                item()
        self.out += _STOP
        return bytes(self.out)

    # -- memo --
    def put(self, key=None, obj=None):
        index = len(self.memo) + len(self.values)
        if obj is not None:
            self.memo[id(obj)] = index
            self.alive.append(obj)
        else:
            self.values[key] = index
        self.out += _BINPUT + bytes([index]) if index < 256 else _LONG_BINPUT + struct.pack("<I", index)

    def get(self, index):
        self.out += _BINGET + bytes([index]) if index < 256 else _LONG_BINGET + struct.pack("<I", index)

    # -- scalars --
    def int(self, value):
        if 0 <= value <= 0xFF:
            self.out += _BININT1 + bytes([value])
        elif 0 <= value <= 0xFFFF:
            self.out += _BININT2 + struct.pack("<H", value)
        elif -0x80000000 <= value <= 0x7FFFFFFF:
            self.out += _BININT + struct.pack("<i", value)
        else:
            data = value.to_bytes((value.bit_length() >> 3) + 1, "little", signed=True)
            if value < 0 and len(data) > 1 and data[-1] == 0xFF and data[-2] & 0x80:
                data = data[:-1]  # the shortest two's complement, as pickle.encode_long
            if len(data) > 255:
                raise ValueError(f"integer of {value.bit_length()} bits is too large to save "
                                 "(torch.load reads integers of at most 2040 bits)")
            self.out += _LONG1 + bytes([len(data)]) + data

    def str(self, value):
        index = self.values.get(("str", value))
        if index is not None:
            return self.get(index)
        data = value.encode("utf-8", "surrogatepass")
        if len(data) > 0xFFFFFFFF:
            raise ValueError("strings of 4 GiB or more cannot be saved")
        self.out += _BINUNICODE + struct.pack("<I", len(data)) + data
        self.put(("str", value))

    def global_(self, module, name):
        index = self.values.get(("global", module, name))
        if index is not None:
            return self.get(index)
        self.out += _GLOBAL + f"{module}\n{name}\n".encode("ascii")
        self.put(("global", module, name))

    def small_tuple(self, values):
        """A tuple of ints (sizes, strides): MARK only when it has more than three items."""
        if len(values) > 3:
            self.out += _MARK
            for v in values:
                self.int(v)
            self.out += _TUPLE
        else:
            for v in values:
                self.int(v)
            self.out += _TUPLES[len(values)] if values else _EMPTY_TUPLE

    def empty_ordered_dict(self):
        self.global_("collections", "OrderedDict")
        self.out += _EMPTY_TUPLE + _REDUCE

    # -- objects --
    def save(self, obj, where, todo):
        kind = type(obj)
        if obj is None:
            self.out += _NONE
        elif kind is bool:
            self.out += _NEWTRUE if obj else _NEWFALSE
        elif isinstance(obj, Tensor):
            self.tensor(obj)
        elif isinstance(obj, int) and not isinstance(obj, bool):
            self.int(int(obj))
        elif isinstance(obj, float):
            self.out += _BINFLOAT + struct.pack(">d", obj)
        elif isinstance(obj, str):
            self.str(obj if kind is str else str.__str__(obj))
        elif isinstance(obj, np.generic) and obj.dtype.kind in "biuf":  # NumPy scalars: as Python's
            todo.append((obj.item(), where))
        elif isinstance(obj, _dtypes.dtype):
            self.global_("torch", obj.name)
        elif isinstance(obj, _device):
            self.global_("torch", "device")
            self.str(obj.type)
            if obj.index is None:
                self.out += _TUPLES[1] + _REDUCE
            else:
                self.int(obj.index)
                self.out += _TUPLES[2] + _REDUCE
        elif kind is Size:
            self.global_("torch", "Size")
            self.small_tuple(tuple(obj))
            self.out += _TUPLES[1] + _REDUCE
        elif id(obj) in self.memo:
            self.get(self.memo[id(obj)])
        elif kind is list:
            self.out += _EMPTY_LIST
            self.put(obj=obj)
            self.items(obj, where, todo, single=_APPEND, batch=_APPENDS)
        elif kind is dict or kind is collections.OrderedDict:
            if kind is dict:
                self.out += _EMPTY_DICT
            else:
                self.empty_ordered_dict()
            self.put(obj=obj)
            state = vars(obj) if kind is collections.OrderedDict else None
            if state:  # attributes (state_dict()._metadata): BUILD after the items, as pickle does
                todo.append(_BUILD)
                todo.append((dict(state), where))
            self.items(list(obj.items()), where, todo, single=_SETITEM, batch=_SETITEMS)
        elif kind is tuple:
            self.tuple(obj, where, todo)
        else:
            raise unsupported_object_error(obj, _render(where))

    def items(self, items, where, todo, single, batch):
        """Queue a list's items (or a dict's pairs) in batches, as Python's pickler writes them."""
        pairs = single == _SETITEM
        for begin in reversed(range(0, len(items), _BATCH)):
            chunk = items[begin:begin + _BATCH]
            todo.append(single if len(chunk) == 1 else batch)
            for i in reversed(range(len(chunk))):
                if pairs:
                    key, value = chunk[i]
                    todo.append((value, (where, key)))
                    todo.append((key, (where, key)))
                else:
                    todo.append((chunk[i], (where, begin + i)))
            if len(chunk) > 1:
                todo.append(_MARK)

    def tuple(self, obj, where, todo):
        if not obj:
            self.out += _EMPTY_TUPLE
            return
        if id(obj) in self.open_tuples:
            raise ValueError(f"cannot save a tuple that contains itself{_at(_render(where))}: "
                             "torch.load cannot read such a cycle")
        self.open_tuples.add(id(obj))

        def close():
            self.out += _TUPLES.get(len(obj), _TUPLE)
            self.put(obj=obj)
            self.open_tuples.discard(id(obj))

        todo.append(close)
        for i in reversed(range(len(obj))):
            todo.append((obj[i], (where, i)))
        if len(obj) > 3:
            todo.append(_MARK)

    def tensor(self, t):
        if id(t) in self.memo:
            return self.get(self.memo[id(t)])
        from .nn.parameter import Parameter
        is_parameter = isinstance(t, Parameter)
        key, storage_type, location, numel, offset, strides = self.plan.slot(t)
        if is_parameter:  # _rebuild_parameter(<the tensor, without grad>, requires_grad, hooks)
            self.global_("torch._utils", "_rebuild_parameter")
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.out += _MARK + _MARK  # the arguments, starting with the storage's persistent id
        self.str("storage")
        self.global_("torch", storage_type)
        self.str(key)
        self.str(location)
        self.int(numel)
        self.out += _TUPLE + _BINPERSID
        self.int(offset)
        self.small_tuple(tuple(t._data.shape))
        self.small_tuple(strides)
        self.out += _NEWTRUE if t._requires_grad and not is_parameter else _NEWFALSE
        self.empty_ordered_dict()  # backward hooks: never saved
        self.out += _TUPLE + _REDUCE
        if is_parameter:
            self.out += _NEWTRUE if t._requires_grad else _NEWFALSE
            self.empty_ordered_dict()
            self.out += _TUPLES[3] + _REDUCE
        self.put(obj=t)


def _render(where):
    """'state.0.exp_avg': the path of keys a linked `where` ((parent, key) pairs) stands for."""
    keys = []
    while where is not None:
        where, key = where
        keys.append(str(key))
    return ".".join(reversed(keys))


def _at(path):
    return f" at {path!r}" if path else ""


def unsupported_object_error(obj, path):
    """The TypeError for an object neither format can hold, with the way to save it instead."""
    torch = sys.modules.get("torch")
    api = "torch" if getattr(torch, "__minitorch_lite__", False) else "mt"  # drop-in mode or not
    name = type(obj).__name__
    from .nn.module import Module
    if isinstance(obj, Module):
        return TypeError(
            f"{api}.save cannot save a whole model ({name}{_at(path)}). Save its weights instead:\n"
            f"    {api}.save(model.state_dict(), 'model.pth')\n"
            "and to use them later, build the model again and load the weights into it:\n"
            f"    model = {name}(...)  # the same arguments as before\n"
            f"    model.load_state_dict({api}.load('model.pth'))\n"
            "(A whole saved model is a pickle of your Python classes, and loading one can run any "
            "code inside the file. That is why torch.load refuses such files by default since "
            "PyTorch 2.6 (weights_only=True), and why minitorch_lite saves only tensors and plain "
            "values.)")
    if callable(getattr(obj, "state_dict", None)):  # an optimizer, a scheduler, ...
        return TypeError(
            f"{api}.save cannot save a {name} object{_at(path)}; save its state instead: "
            f"{api}.save(x.state_dict(), PATH), and restore it with "
            f"x.load_state_dict({api}.load(PATH))")
    return TypeError(f"{api}.save cannot store an object of type {name}{_at(path)}: only "
                     "tensors, dicts, OrderedDicts, lists, tuples, numbers, strings, None, "
                     "dtypes, devices and torch.Size can be saved")


# ---- the zip archive -----------------------------------------------------------------------------------

_ZIP64_LIMIT = 0xFFFFFFFF  # sizes and offsets from here on need ZIP64 fields
_ZIP_MAX_ENTRIES = 0xFFFF
_PADDING_FIELD = 0x4246     # "FB": the extra field torch pads with to align record data


class _ZipWriter:
    """Stored (uncompressed) records written in one pass, as torch's writer does: each local
    header is padded so the data starts on a 64-byte boundary, the CRC-32 and sizes follow the
    data in a data descriptor, and the central directory closes the archive (ZIP64 when needed).
    Offsets count from where writing began."""

    def __init__(self, f):
        self.f = f
        self.offset = 0
        self.entries = []

    def write(self, data):
        self.f.write(data)
        self.offset += len(data)

    def add(self, name, size, chunks):
        name = name.encode("utf-8")
        header_offset = self.offset
        zip64 = size >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, 0, 0) if zip64 else b""
        header_size = 30 + len(name) + len(extra) + 4
        padding = -(header_offset + header_size) % STORAGE_ALIGNMENT
        extra += struct.pack("<HH", _PADDING_FIELD, padding) + b"Z" * padding
        unknown = 0xFFFFFFFF if zip64 else 0  # sizes and CRC come in the data descriptor
        self.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, 0x808, 0, 0, 0,
                               0, unknown, unknown, len(name), len(extra)) + name + extra)
        crc, written = 0, 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            self.write(chunk)
            written += len(chunk)
        if written != size:
            raise AssertionError(f"record {name!r}: wrote {written} bytes, expected {size}")
        self.write(struct.pack("<IIQQ" if zip64 else "<IIII", 0x08074B50, crc, size, size))
        self.entries.append((name, crc, size, header_offset))

    def finish(self):
        directory_offset = self.offset
        def clip(value):  # a value too large for its 4-byte field: its real value is in ZIP64 extra
            return 0xFFFFFFFF if value >= _ZIP64_LIMIT else value

        for name, crc, size, header_offset in self.entries:
            large = [v for v in (size, size, header_offset) if v >= _ZIP64_LIMIT]
            extra = struct.pack(f"<HH{len(large)}Q", 1, 8 * len(large), *large) if large else b""
            self.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45 if large else 20,
                                   45 if large else 20, 0x808, 0, 0, 0, crc, clip(size), clip(size),
                                   len(name), len(extra), 0, 0, 0, 0, clip(header_offset))
                       + name + extra)
        count, directory_size = len(self.entries), self.offset - directory_offset
        if (count >= _ZIP_MAX_ENTRIES or directory_size >= _ZIP64_LIMIT
                or directory_offset >= _ZIP64_LIMIT):
            end64 = self.offset
            self.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                                   directory_size, directory_offset))
            self.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
            count = min(count, 0xFFFF)
            directory_size = min(directory_size, 0xFFFFFFFF)
            directory_offset = min(directory_offset, 0xFFFFFFFF)
        self.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, directory_size,
                               directory_offset, 0))
