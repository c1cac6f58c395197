"""The safetensors file format, read and written with NumPy alone (no pickle, nothing executed).

    >>> import io, numpy as np
    >>> from minitorch_lite.backend import safetensors_io
    >>> buf = io.BytesIO()
    >>> safetensors_io.write(buf, [("w", np.eye(2, dtype=np.float32))], {"note": "hi"})
    >>> _ = buf.seek(0)
    >>> arrays, metadata = safetensors_io.read(buf)
    >>> arrays["w"].tolist(), metadata
    ([[1.0, 0.0], [0.0, 1.0]], {'note': 'hi'})

A safetensors file is three parts (https://github.com/huggingface/safetensors):

    8 bytes     N, the header length, unsigned little-endian
    N bytes     a JSON object: {"name": {"dtype": "F32", "shape": [2, 2], "data_offsets": [b, e]},
                ..., "__metadata__": {"key": "string value", ...}}, padded with spaces
    the rest    every tensor's bytes, C order, little-endian; tensor `name` is rest[b:e]

The reader trusts nothing: every length, offset, dtype and shape is checked against the file before
a byte of tensor data is read, and any problem raises `SafetensorsError` naming the file and the
problem. The tensor byte ranges must tile the data section exactly (no gaps, no overlaps, no
trailing bytes), as the reference implementation demands.
"""
import json
import mmap as _mmap
import os
import struct

import numpy as np

# the format's dtype names <-> NumPy dtypes it can hold (BF16 and the F8 types have no NumPy dtype)
DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2", "U32": "<u4",
          "I32": "<i4", "U64": "<u8", "I64": "<i8", "F16": "<f2", "F32": "<f4", "F64": "<f8"}
DTYPES = {name: np.dtype(code) for name, code in DTYPES.items()}
_NAMES = {dt.newbyteorder("="): name for name, dt in DTYPES.items()}
MAX_HEADER_BYTES = 100_000_000  # the reference implementation's limit, which also stops memory bombs
_ALIGNMENT = 8  # the header is padded so tensor data starts 8-byte aligned


class SafetensorsError(ValueError):
    """A file that is not valid safetensors (or cannot be written as one)."""


def dtype_name(np_dtype):
    """The safetensors name of a NumPy dtype ('F32' for float32)."""
    try:
        return _NAMES[np.dtype(np_dtype).newbyteorder("=")]
    except KeyError:
        raise SafetensorsError(f"safetensors cannot store dtype {np.dtype(np_dtype)}") from None


# ---- writing -------------------------------------------------------------------------------------

def write(f, arrays, metadata=None):
    """Write `arrays` ((name, array) pairs; NumPy or CuPy arrays, any layout) to binary file `f`.

    `metadata` is a dict of str -> str stored as the header's "__metadata__". Tensor data is laid
    out largest itemsize first, so every tensor starts aligned to its itemsize (readers can map
    the file and use the bytes in place). Header order is the order given.
    """
    arrays = list(arrays)
    names = [name for name, _ in arrays]
    if len(set(names)) != len(names) or "__metadata__" in names:
        raise SafetensorsError("tensor names must be unique and must not be '__metadata__'")
    for name, _ in arrays:
        if not isinstance(name, str):
            raise SafetensorsError(f"tensor names must be strings, got {name!r}")
    header = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("safetensors metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    layout = sorted(range(len(arrays)), key=lambda i: -arrays[i][1].dtype.itemsize)  # stable
    offsets = [None] * len(arrays)
    end = 0
    for i in layout:
        array = arrays[i][1]
        offsets[i] = (end, end + array.size * array.dtype.itemsize)
        end = offsets[i][1]
    for (name, array), (begin, stop) in zip(arrays, offsets):
        header[name] = {"dtype": dtype_name(array.dtype), "shape": list(array.shape),
                        "data_offsets": [begin, stop]}
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header_bytes += b" " * (-(8 + len(header_bytes)) % _ALIGNMENT)
    f.write(struct.pack("<Q", len(header_bytes)))
    f.write(header_bytes)
    for i in layout:
        f.write(_host_bytes(arrays[i][1]))


def _host_bytes(array):
    """A buffer with the array's bytes in C order, little-endian, on the host (copies only if needed)."""
    get = getattr(array, "get", None)  # a CuPy array: copy to host memory
    if get is not None and not isinstance(array, np.ndarray):
        array = get()
    array = np.ascontiguousarray(array)
    if array.dtype.byteorder == ">" or (array.dtype.byteorder == "=" and np.little_endian is False):
        array = array.astype(array.dtype.newbyteorder("<"))
    return memoryview(array.reshape(-1)).cast("B") if array.size else b""


# ---- reading -------------------------------------------------------------------------------------

def read(f, source=None, use_mmap=False):
    """Read a safetensors file: (dict name -> NumPy array in header order, metadata dict).

    `f` is a path or a seekable binary file positioned at the file's start; `source` names the
    file in error messages. With `use_mmap`, arrays are copy-on-write views of a memory map of
    the file (nothing is read until used; writes never reach the file).
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as opened:
            return read(opened, os.fspath(f) if source is None else source, use_mmap)
    source = source or getattr(f, "name", None) or "<file object>"
    start = f.tell()
    size = f.seek(0, os.SEEK_END) - start
    f.seek(start)
    entries, metadata, data_start = _read_header(f, size, source)
    if use_mmap:
        try:
            buffer = _mmap.mmap(f.fileno(), 0, access=_mmap.ACCESS_COPY)
        except (AttributeError, OSError, ValueError) as err:
            raise SafetensorsError(f"{source}: mmap=True needs a real file on disk ({err})") from None
        base = start + data_start
        arrays = {name: _view(buffer, base + begin, dt, shape)
                  for name, (dt, shape, begin, end) in entries.items()}
        return arrays, metadata
    arrays = {}
    f.seek(start + data_start)
    for name, (dt, shape, begin, end) in sorted(entries.items(), key=lambda kv: kv[1][2]):
        arrays[name] = _read_array(f, dt, shape, end - begin, source, name)
    return {name: arrays[name] for name in entries}, metadata


def _view(buffer, offset, dt, shape):
    count = int(np.prod(shape, dtype=np.int64))
    array = np.frombuffer(buffer, dtype=dt, count=count, offset=offset).reshape(shape)
    if not array.flags.aligned:  # a foreign file that does not align its tensors
        array = array.copy()
    return array if dt.isnative else array.astype(dt.newbyteorder("="))


def _read_array(f, dt, shape, nbytes, source, name):
    array = np.empty(shape, dtype=dt)
    if nbytes:
        view = memoryview(array.reshape(-1)).cast("B")
        got = 0
        while got < nbytes:  # readinto may return fewer bytes than asked (pipes, some wrappers)
            n = f.readinto(view[got:])
            if not n:
                raise SafetensorsError(f"{source}: file is truncated inside tensor '{name}'")
            got += n
    return array if dt.isnative else array.astype(dt.newbyteorder("="))


def _read_header(f, size, source):
    """Parse and check the header. Returns ({name: (dtype, shape, begin, end)}, metadata, data_start)."""
    def fail(problem):
        raise SafetensorsError(f"{source}: not a valid safetensors file: {problem}")

    raw = f.read(8)
    if len(raw) < 8:
        fail(f"file is {size} bytes, too short for the 8-byte header length")
    (n,) = struct.unpack("<Q", raw)
    if n > MAX_HEADER_BYTES:
        fail(f"header length {n} is over the {MAX_HEADER_BYTES}-byte limit")
    if 8 + n > size:
        fail(f"header length {n} runs past the end of the {size}-byte file (truncated?)")
    header_bytes = f.read(n)
    if len(header_bytes) != n:
        fail("file is truncated inside the header")
    try:
        header = json.loads(header_bytes.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        fail(f"header is not valid JSON ({err})")
    if not isinstance(header, dict):
        fail("header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        fail("'__metadata__' must be an object of string values")
    entries = {}
    for name, info in header.items():
        if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= info.keys():
            fail(f"entry '{name}' needs 'dtype', 'shape' and 'data_offsets'")
        dt = DTYPES.get(info["dtype"]) if isinstance(info["dtype"], str) else None
        if dt is None:
            fail(f"tensor '{name}' has unknown or unsupported dtype {info['dtype']!r}")
        shape, offsets = info["shape"], info["data_offsets"]
        if not isinstance(shape, list) or not all(_is_count(s) for s in shape):
            fail(f"tensor '{name}' has an invalid shape {shape!r}")
        if (not isinstance(offsets, list) or len(offsets) != 2 or not all(map(_is_count, offsets))
                or offsets[0] > offsets[1]):
            fail(f"tensor '{name}' has invalid data_offsets {offsets!r}")
        numel = 1
        for s in shape:
            numel *= s
        if numel * dt.itemsize != offsets[1] - offsets[0]:
            fail(f"tensor '{name}' of dtype {info['dtype']} and shape {shape} needs "
                 f"{numel * dt.itemsize} bytes but data_offsets span {offsets[1] - offsets[0]}")
        entries[name] = (dt, tuple(shape), offsets[0], offsets[1])
    data_size = size - 8 - n
    end = 0
    for name, (_, _, begin, stop) in sorted(entries.items(), key=lambda kv: (kv[1][2], kv[1][3])):
        if begin != end:
            fail(f"tensor '{name}' starts at byte {begin} of the data section, expected {end} "
                 f"({'overlapping tensors' if begin < end else 'a gap between tensors'})")
        end = stop
    if end > data_size:
        fail(f"tensor data needs {end} bytes but the file holds {data_size} (truncated?)")
    if end < data_size:
        fail(f"{data_size - end} unexplained bytes after the last tensor")
    return entries, metadata, 8 + n


def _is_count(value):
    return type(value) is int and value >= 0


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate keys {sorted({k for k in keys if keys.count(k) > 1})}")
    return dict(pairs)
