"""Reading PyTorch's .pt/.pth files without torch, and without running any code from the file.

    >>> import minitorch_lite as mt
    >>> sd = mt.load("model.pth", map_location="cpu")  # doctest: +SKIP
    >>> model.load_state_dict(sd)                       # doctest: +SKIP
    <All keys matched successfully>

torch.save writes a zip archive (since PyTorch 1.6):

    <name>/data.pkl      a pickle of the object; each tensor in it is a call
                         torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
                         whose `storage` is a *persistent id* ('storage', FloatStorage, key, 'cuda:0', numel)
    <name>/data/<key>    the raw bytes of each storage (little-endian unless <name>/byteorder says 'big')
    <name>/version, <name>/byteorder, ...

Unpickling can call any importable function, so a plain `pickle.load` of a downloaded checkpoint
can run arbitrary code (`os.system` via `__reduce__`). This reader admits only what torch's own
`weights_only=True` loader admits for tensors and plain containers:
  - the pickle may use only the protocol-2 opcodes torch's loader knows (checked before unpickling);
  - `find_class` answers a fixed table (tensor rebuild functions, storage types, dtypes,
    `torch.Size`, `torch.device`, `OrderedDict`, `set`, `complex`) and refuses every other name
    before anything is called;
  - callables reach the pickle as inert placeholders that refuse the BUILD opcode, so a hostile
    file cannot even set attributes on them.
Tensors are first collected as records; once the pickle is fully read and checked, `make_tensor`
turns each record into a minitorch_lite tensor (this is where `map_location` applies), so a failure
never leaves a half-built object behind.
"""
import collections
import io
import os
import pickle
import pickletools
import zipfile
import zlib

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .backend import dtypes as _dtypes
from .backend.device import device as _device
from .tensor import Size


class TorchFileError(pickle.UnpicklingError, RuntimeError):
    """A PyTorch file that cannot be read safely (corrupt, unsupported or containing code)."""


ZIP_MAGIC = b"PK\x03\x04"

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
    """A storage from `data/<key>`: raw bytes, the dtype they hold and where torch kept them."""

    __slots__ = ("raw", "dtype_name", "location")

    def __init__(self, raw, dtype_name, location):
        self.raw, self.dtype_name, self.location = raw, dtype_name, location

    def __repr__(self):
        return f"storage on {self.location}"


class _TensorRecord(_Inert):
    """A tensor as read from the pickle: a NumPy view of its storage, before any device placement."""

    __slots__ = ("array", "location", "requires_grad", "is_parameter")

    def __init__(self, array, location, requires_grad, is_parameter=False):
        self.array, self.location = array, location
        self.requires_grad, self.is_parameter = requires_grad, is_parameter

    def __repr__(self):
        return f"tensor record {self.array.dtype}{list(self.array.shape)}"


def _check(condition, problem):
    if not condition:
        raise TorchFileError(problem)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    _check(isinstance(storage, _StorageRef), "tensor built from something that is not a storage")
    _check(not metadata, f"unsupported tensor metadata {metadata!r} (conjugate/negative views)")
    return _strided(storage, _numpy_dtype(storage.dtype_name), storage_offset, size,
                    stride, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    _check(isinstance(storage, _StorageRef) and isinstance(dtype, _DtypeRef),
           "tensor built from something that is not a storage and a dtype")
    _check(not metadata, f"unsupported tensor metadata {metadata!r} (conjugate/negative views)")
    return _strided(storage, _numpy_dtype(dtype.name), storage_offset, size, stride, requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _numpy_dtype(name):
    dt = _TORCH_DTYPES.get(name)
    if dt is None:
        raise TorchFileError(f"minitorch_lite has no dtype torch.{name}")
    return np.dtype(dt)


def _strided(storage, dtype, offset, size, stride, requires_grad):
    """The tensor's elements as a view of its storage, checked to stay inside the storage."""
    dtype = np.dtype(dtype)
    size, stride = tuple(size), tuple(stride)
    _check(all(type(v) is int and v >= 0 for v in (offset, *size, *stride))
           and len(size) == len(stride) and type(requires_grad) is bool,
           f"invalid tensor geometry: offset {offset!r}, size {size!r}, stride {stride!r}")
    raw = storage.raw
    _check(raw.size % dtype.itemsize == 0,
           f"storage of {raw.size} bytes does not hold whole {dtype} elements")
    elements = raw.view(dtype)
    if 0 in size:
        array = elements[:0].reshape(size)
    else:
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        _check(last < elements.size, f"tensor of size {list(size)}, stride {list(stride)} and "
               f"offset {offset} reaches past its storage of {elements.size} elements")
        array = as_strided(elements[offset:], size, [s * dtype.itemsize for s in stride])
    return _TensorRecord(array, storage.location, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    _check(isinstance(data, _TensorRecord) and type(requires_grad) is bool,
           "parameter built from something that is not a tensor")
    return _TensorRecord(data.array, data.location, requires_grad, is_parameter=True)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    _check(not state, f"parameters with extra Python attributes {sorted(state)!r} are not supported")
    return _rebuild_parameter(data, requires_grad, backward_hooks)


def _rebuild_from_type_v2(func, new_type, args, state):
    _check(isinstance(func, _Global) and func.fn in _TENSOR_REBUILDERS and isinstance(args, tuple),
           f"unsupported tensor reconstruction through {func!r}")
    _check(not state, f"tensors with extra Python attributes {state!r} are not supported")
    record = func(*args)
    if new_type is _PARAMETER:
        return _TensorRecord(record.array, record.location, record.requires_grad, True)
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


# the opcodes torch's weights_only unpickler accepts (protocol 2 and below; no bytes, buffers, INST/OBJ)
_OPCODES = {"PROTO", "STOP", "MARK", "GLOBAL", "REDUCE", "NEWOBJ", "BUILD", "BINPERSID", "APPEND",
            "APPENDS", "SETITEM", "SETITEMS", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_TUPLE",
            "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "NONE", "NEWTRUE", "NEWFALSE", "BININT",
            "BININT1", "BININT2", "LONG1", "BINFLOAT", "BINUNICODE", "SHORT_BINSTRING", "BINGET",
            "LONG_BINGET", "BINPUT", "LONG_BINPUT"}


# ---- the restricted unpickler -------------------------------------------------------------------------

class _Unpickler(pickle.Unpickler):
    def __init__(self, file, load_storage):
        super().__init__(file)
        self._load_storage = load_storage

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
        return self._load_storage(key, storage_type.dtype_name, location, numel)


# ---- the zip archive ---------------------------------------------------------------------------------------

def read(f, make_tensor, source, use_mmap=False):
    """Read a torch.save zip archive from path or seekable binary file `f`.

    Each tensor becomes `make_tensor(array, location, requires_grad, is_parameter)`, with `array`
    a NumPy view of the file's bytes on the host and `location` the device string torch saved
    ('cpu', 'cuda:0'). Returns the unpickled object.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as opened:
            return read(opened, make_tensor, source, use_mmap)
    try:
        archive = zipfile.ZipFile(f)
        obj = _Archive(archive, f, source, use_mmap).load()
    except TorchFileError as err:
        raise TorchFileError(f"{source}: {err}") from None
    except Exception as err:  # whatever a damaged archive or pickle trips on: name the file
        raise TorchFileError(f"{source}: not a readable PyTorch checkpoint: "
                             f"{type(err).__name__}: {err}") from err
    try:
        return _resolve(obj, make_tensor, {})
    except TorchFileError as err:
        raise TorchFileError(f"{source}: {err}") from None


class _Archive:
    def __init__(self, archive, file, source, use_mmap):
        self.archive, self.file, self.source = archive, file, source
        self.storages = {}
        names = archive.namelist()
        _check(names and "/" in names[0], "empty zip archive, or not written by torch.save")
        self.prefix = names[0].split("/", 1)[0] + "/"
        if f"{self.prefix}constants.pkl" in names:
            raise TorchFileError("is a TorchScript archive (torch.jit.save); minitorch_lite.load "
                                 "reads only torch.save checkpoints")
        _check(f"{self.prefix}data.pkl" in names,
               "zip archive without data.pkl: not written by torch.save")
        order = archive.read(f"{self.prefix}byteorder").decode() if (
            f"{self.prefix}byteorder" in names) else "little"
        _check(order in ("little", "big"), f"unknown byteorder record {order!r}")
        self.byteorder = "<" if order == "little" else ">"
        self.mmap = None
        if use_mmap:
            import mmap
            try:
                self.mmap = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation) as err:
                raise TorchFileError(f"mmap=True needs a real file on disk ({err})") from None

    def load(self):
        data = self.archive.read(f"{self.prefix}data.pkl")
        for opcode, arg, _ in pickletools.genops(data):
            _check(opcode.name in _OPCODES and not (opcode.name == "PROTO" and arg > 2),
                   f"refusing pickle opcode {opcode.name}: torch.save writes only protocol-2 "
                   "opcodes for tensors and plain containers")
        return _Unpickler(io.BytesIO(data), self.load_storage).load()

    def load_storage(self, key, dtype_name, location, numel):
        """The storage's raw bytes as a uint8 array (read once, shared by every view of it)."""
        cached = self.storages.get(key)
        if cached is not None:
            return cached
        itemsize = _numpy_dtype(dtype_name).itemsize
        name = f"{self.prefix}data/{key}"
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise TorchFileError(f"storage record '{name}' is missing") from None
        nbytes = numel * itemsize
        _check(info.file_size == nbytes, f"storage record '{name}' holds {info.file_size} bytes, "
               f"expected {numel} elements of {itemsize} bytes")
        raw = self.map_record(info, nbytes) if self.mmap is not None else self.read_record(info, nbytes)
        if self.byteorder == ">" and itemsize > 1:  # byte-swap big-endian files once, here
            dt = _numpy_dtype(dtype_name)
            raw = raw.view(dt.newbyteorder(">")).astype(dt).view(np.uint8)
        storage = self.storages[key] = _StorageRef(raw, dtype_name, location)
        return storage

    def read_record(self, info, nbytes):
        """Read a record into a fresh array, checking its CRC."""
        raw = np.empty(nbytes, dtype=np.uint8)
        if info.compress_type != zipfile.ZIP_STORED:  # torch never compresses; a re-zipped file may
            with self.archive.open(info) as record:
                _check(record.readinto(raw) == nbytes, f"record '{info.filename}' is truncated")
            return raw
        # torch stores records uncompressed: read them straight into place, no intermediate bytes
        self.file.seek(self.data_start(info))
        view, got = memoryview(raw), 0
        while got < nbytes:
            n = self.file.readinto(view[got:])
            _check(n, f"record '{info.filename}' is truncated")
            got += n
        _check(zlib.crc32(raw) == info.CRC, f"record '{info.filename}' is corrupt (CRC mismatch)")
        return raw

    def map_record(self, info, nbytes):
        """A copy-on-write view of a stored (uncompressed) record: mapped, not read, so no CRC check."""
        _check(info.compress_type == zipfile.ZIP_STORED,
               f"mmap=True needs uncompressed records; '{info.filename}' is compressed")
        start = self.data_start(info)
        _check(start + nbytes <= len(self.mmap), f"record '{info.filename}' runs past the file end")
        return np.frombuffer(self.mmap, dtype=np.uint8, count=nbytes, offset=start)

    def data_start(self, info):
        """Where a record's bytes begin: after its local header, whose name and extra field
        lengths may differ from the central directory's (torch pads with the extra field)."""
        self.file.seek(info.header_offset)
        header = self.file.read(30)
        _check(len(header) == 30 and header[:4] == ZIP_MAGIC, f"bad local header for '{info.filename}'")
        return (info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                + int.from_bytes(header[28:30], "little"))


# ---- from placeholders to minitorch_lite objects -------------------------------------------------------------------

_PLAIN = (type(None), bool, int, float, complex, str, bytes, bytearray, _dtypes.dtype, _device, Size)


def _resolve(obj, make_tensor, memo):
    """Replace every placeholder in the unpickled object; lists and dicts are updated in place."""
    key = id(obj)
    if key in memo:
        return memo[key]
    kind = type(obj)
    if kind is _TensorRecord:
        out = memo[key] = make_tensor(obj.array, obj.location, obj.requires_grad, obj.is_parameter)
        return out
    if kind is _DtypeRef:
        return _dtypes.from_numpy_dtype(_numpy_dtype(obj.name))
    if kind in _PLAIN:
        return obj
    if kind is list:
        memo[key] = obj
        obj[:] = [_resolve(v, make_tensor, memo) for v in obj]
        return obj
    if kind is dict or kind is collections.OrderedDict:
        memo[key] = obj
        items = [(_resolve(k, make_tensor, memo), _resolve(v, make_tensor, memo))
                 for k, v in obj.items()]
        obj.clear()
        obj.update(items)
        if kind is collections.OrderedDict:  # its attributes (state_dict()._metadata) came from BUILD
            for name, value in list(vars(obj).items()):
                setattr(obj, name, _resolve(value, make_tensor, memo))
        return obj
    if kind in (tuple, set, frozenset):
        out = memo[key] = kind(_resolve(v, make_tensor, memo) for v in obj)
        return out
    raise TorchFileError(f"the checkpoint holds an unsupported object: {obj!r}")
