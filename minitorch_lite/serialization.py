"""mt.save / mt.load: checkpoints PyTorch reads (.pt/.pth) or safetensors files, never executing a byte.

    >>> import minitorch_lite as mt
    >>> model = mt.nn.Linear(2, 1)
    >>> mt.save(model.state_dict(), "model.pth")                # doctest: +SKIP
    >>> model.load_state_dict(mt.load("model.pth"))             # doctest: +SKIP
    <All keys matched successfully>

What `save` writes depends on the file name:
  - a path ending in `.safetensors` (or a file object whose `.name` does): ONE safetensors file
    (backend/safetensors_io.py). Every tensor is an entry (host copy, C order, little-endian); a
    flat state dict keeps its keys as entry names, so `safetensors.torch.load_file` reads it as the
    same state dict; the object around the tensors (nested dicts, lists, numbers, ...) with each
    tensor's requires_grad, Parameter-ness and device is JSON in the header's
    `__metadata__["minitorch_lite"]` (see `_Encoder`), which only `mt.load` reads back;
  - anything else (.pt, .pth, .bin, no suffix, file objects): the zip archive torch.save writes
    (torch_pickle.py), so `torch.load(path, weights_only=True)` reads it: state dicts, optimizer
    states, nested containers, shared storages.
Both hold the same objects: tensors, Parameters, dicts, OrderedDicts (with a state dict's
`_metadata`), lists, tuples, None, bools, ints, floats, strings, dtypes, devices and torch.Size. Anything else (a whole nn.Module, a function) is a TypeError before anything is
written, with the way to save it instead.

Writing to a path is atomic: the bytes go to a temporary file `.<name>.mt-tmp-<pid>-<token>-<host>`
beside the target, which is fsynced and renamed over it, so an interrupted or failed save never
damages an existing checkpoint. SIGTERM, SIGHUP (when they would kill the process at once) and
Ctrl-C during a save remove the temporary file before the process ends; a temporary file that a
killed writer left (SIGKILL, power loss) is removed by the next save to the same path on the same
host once its writer's process is gone. Saving through a symbolic link writes the file it points
to, as torch.save does.

What `load` reads, recognised by the first bytes of the file:
  - PyTorch's zip checkpoints, from torch.save or from `save` (torch_pickle.py: a restricted
    unpickler that admits only tensors and plain containers, as torch's weights_only=True);
  - safetensors files: ours (the saved object comes back) or any other (a dict name -> tensor);
  - anything else gets an error that says what the file is (empty, a plain pickle, a legacy
    torch file, not a checkpoint at all).

Differences from torch, on purpose: arbitrary Python objects cannot be saved; `weights_only=False`
loads nothing more; zip records compressed by another tool are refused (torch.save never
compresses); views of one array with different dtypes get separate storages (torch refuses to save
them); GPU tensors each get their own storage record; a callable `map_location` receives a CPU
tensor where torch passes a storage.
"""
import collections
import contextlib
import json
import math
import os
import pickletools
import re
import secrets
import signal
import socket
import stat
import threading

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


class UnknownFormatError(torch_pickle.TorchFileError, SafetensorsError):
    """A file that is neither a PyTorch zip checkpoint nor a safetensors file (caught by either
    format's handler: it is an UnpicklingError and RuntimeError as torch raises, and a ValueError)."""


# ---- save ----------------------------------------------------------------------------------------------

def save(obj, f):
    """Save `obj` (a tensor, a state dict, an optimizer state dict, or nested containers of them
    and plain values) to `f`: a path (str or pathlib.Path; written atomically) or a binary file.

    A `.safetensors` name gives a safetensors file; any other name, or a file object, the zip
    format torch.save writes (torch.load reads it)."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", None)
    if isinstance(name, str) and name.lower().endswith(".safetensors"):
        arrays, metadata = _encode_safetensors(obj)
        write = lambda out: safetensors_io.write(out, arrays, metadata)  # noqa: E731
    else:
        encoded = torch_pickle.encode(obj)  # everything is checked before the file is touched
        archive = _archive_name(f)
        write = lambda out: encoded.write(out, archive)  # noqa: E731
    if isinstance(f, (str, os.PathLike)):
        _write_atomically(os.fspath(f), write)
    else:
        write(f)
        if callable(getattr(f, "flush", None)):
            f.flush()


def _encode_safetensors(obj):
    arrays = []
    try:
        structure = _Encoder(arrays).encode(obj, "")
        document = json.dumps({"version": _FORMAT_VERSION, "object": structure},
                              separators=(",", ":"), allow_nan=False)
    except RecursionError:
        raise ValueError("the object is nested too deeply for a .safetensors file (its structure "
                         "is stored as JSON); save it to a .pth path instead") from None
    return arrays, {"format": "pt", _METADATA_KEY: document}


def _archive_name(f):
    """The folder name torch.save gives the records: the file's name without its suffix
    ('model' for model.pth), or 'archive' for file objects and names it cannot use."""
    if not isinstance(f, (str, os.PathLike)):
        return "archive"
    name = os.path.basename(os.fspath(f))
    stem = name[:name.rfind(".")] if name.rfind(".") > 0 else name
    return stem if stem.isascii() and stem.isprintable() else "archive"


# ---- atomic writes ---------------------------------------------------------------------------------------

_TEMP_MARK = ".mt-tmp-"
_TERMINATING_SIGNALS = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                        if hasattr(signal, name)]


def _write_atomically(path, write):
    """Write to a temporary file beside the target, fsync it, then rename it over the target."""
    target = _target_of(path)
    directory, name = os.path.split(os.path.abspath(target))
    prefix = _temp_prefix(name)
    _remove_stale_temporaries(directory, prefix)
    temp = os.path.join(directory, f"{prefix}{os.getpid()}-{secrets.token_hex(4)}-{_host()}")
    with _signals_raise_exceptions():
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            if os.path.exists(target):  # keep an overwritten checkpoint's permissions, as torch.save does
                os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
            os.replace(temp, target)
        except BaseException as error:
            # remove the temporary file even if it was made but os.open never returned (a signal
            # handler can run right after the call): no one else uses this pid + random name
            if not isinstance(error, FileExistsError):
                with contextlib.suppress(OSError):
                    os.unlink(temp)
            if isinstance(error, OSError) and error.filename == temp:
                # e.g. no permission to write in the directory: say so about the path the user
                # gave, not about a file name they never saw
                raise type(error)(error.errno, error.strerror, path) from None
            raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _target_of(path):
    """The file a save to `path` writes: through a symbolic link to the file it names (as opening
    the path would); RuntimeError, as torch.save raises, if its directory does not exist."""
    target = os.path.realpath(path) if os.path.islink(path) else path
    if os.path.isdir(target):
        raise RuntimeError(f"cannot save to {path!r}: it is a directory (give a file name, e.g. "
                           f"{os.path.join(path, 'model.pth')!r})")
    parent = os.path.dirname(target)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    return target


def _host():
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:32] or "host"


def _temp_prefix(name):
    """'.<name>.mt-tmp-': how our temporary files for `name` start (a long name is cut so that the
    whole temporary name stays within the usual 255-byte limit)."""
    encoded = os.fsencode(name)[:180]
    return f".{encoded.decode('utf-8', 'ignore') if len(encoded) == 180 else name}{_TEMP_MARK}"


def _remove_stale_temporaries(directory, prefix):
    """Delete temporary files (named `prefix`<pid>-<token>-<host>) of earlier saves to the same
    path whose writer ran on this host and no longer runs: one killed by SIGKILL or a crash."""
    try:
        entries = [e for e in os.listdir(directory) if e.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid, _, rest = entry[len(prefix):].partition("-")
        host = rest.partition("-")[2]
        if pid.isdigit() and host == _host() and int(pid) != os.getpid() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, entry))


def _running(pid):
    """Whether process `pid` exists (True when it cannot be known, so nothing is deleted)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else (EPERM)
    return True


class _Terminated(BaseException):
    """Raised by our handler for a terminating signal, so the temporary file is removed first."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise _Terminated(signum)


@contextlib.contextmanager
def _signals_raise_exceptions():
    """While saving, a signal that would end the process at once (SIGTERM and SIGHUP, and SIGINT
    if its Python handler was removed) raises `_Terminated` instead; after the cleanup, the signal
    is sent again with its old handler, so the process still ends as the signal says. Handlers the
    program installed itself are left alone (Ctrl-C's KeyboardInterrupt cleans up on its own)."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in _TERMINATING_SIGNALS:
            if signal.getsignal(signum) == signal.SIG_DFL:
                previous[signum] = signal.signal(signum, _raise_terminated)
    try:
        yield
    except _Terminated as stop:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        previous.clear()
        os.kill(os.getpid(), stop.signum)  # end the process as the signal would have
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
        raise torch_pickle.unsupported_object_error(obj, path)

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
    head = f.read(64)
    size = f.seek(0, os.SEEK_END) - start
    f.seek(start)
    place = _Placement(map_location)
    # safetensors: an 8-byte length, then the JSON header's "{" (a damaged one still has a length
    # that fits the file); a zip starts "PK\3\4" (its byte 8 is a compression method, never "{");
    # anything else is named by `_what_file_is`
    header_length = int.from_bytes(head[:8], "little") if len(head) >= 8 else None
    if head[8:9] == b"{" or (header_length and header_length <= min(
            size - 8, safetensors_io.MAX_HEADER_BYTES) and not head.startswith(b"PK")):
        return _load_safetensors(f, source, place, use_mmap)
    if head.startswith(torch_pickle.ZIP_MAGIC):
        return torch_pickle.read(f, place, source, use_mmap)
    from . import legacy_pth  # (it builds on this module's placement of tensors)
    if legacy_pth.starts_like_legacy(head):  # torch.save before PyTorch 1.6, read just as safely
        return legacy_pth.read(f, source, map_location)
    raise UnknownFormatError(f"{source}: {_what_file_is(f, head)}")


def _what_file_is(f, head):
    """What a file that is neither format is, for the error message."""
    if not head:
        return "the file is empty (0 bytes): not a PyTorch checkpoint nor a safetensors file"
    if len(head) < 9:
        return (f"the file is too short ({len(head)} bytes) to be a PyTorch checkpoint or a "
                "safetensors file")
    if head.startswith(torch_pickle.EMPTY_ZIP_MAGIC):
        return ("an empty zip archive (it holds no records): not a PyTorch checkpoint; torch.save "
                "writes a zip with data.pkl and data/ records")
    if head.startswith(b"\x1f\x8b"):
        return "a gzip-compressed file: decompress it first (e.g. with gunzip), then load it"
    if head[:1] == b"\x80" and 2 <= head[1] <= 5:
        return ("a plain pickle (not a PyTorch checkpoint of any format); minitorch_lite.load "
                "does not unpickle arbitrary objects. Save tensors with torch.save or as safetensors.")
    if _is_old_pickle(f):
        return ("a pickle in protocol 0 or 1 (text-era pickles, as pickle.dumps(obj, protocol=0) "
                "writes), not a PyTorch zip checkpoint nor a safetensors file; "
                "minitorch_lite.load does not unpickle arbitrary objects")
    return (f"not a PyTorch zip checkpoint nor a safetensors file (it starts with "
            f"{head[:16]!r})")


def _is_old_pickle(f, limit=1 << 20):
    """Whether the first `limit` bytes parse as one protocol 0/1 pickle (opcodes only: nothing
    is built or run)."""
    start = f.tell()
    data = f.read(limit)
    f.seek(start)
    try:
        last = None
        for opcode, _, _ in pickletools.genops(data):
            last = opcode.name
        return last == "STOP"
    except Exception:  # genops raises ValueError and friends on anything that is not a pickle
        return False


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
