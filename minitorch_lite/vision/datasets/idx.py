"""The IDX file format of MNIST and Fashion-MNIST: read and write, plain or gzip-compressed.

    >>> import numpy as np
    >>> from minitorch_lite.vision.datasets.idx import write_idx, read_idx
    >>> write_idx("labels-idx1-ubyte", np.array([3, 1, 4], dtype=np.uint8))   # doctest: +SKIP
    >>> read_idx("labels-idx1-ubyte")                                          # doctest: +SKIP
    array([3, 1, 4], dtype=uint8)

An IDX file (LeCun's format, "SN3 Pascal Vincent" in torchvision) is a 4-byte magic number, then
one big-endian uint32 per dimension, then the elements in row-major (C) order, big-endian:

    byte 0-1   0x00 0x00            always zero
    byte 2     element type         0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                                    0x0D float32, 0x0E float64
    byte 3     number of dimensions (1 for labels, 3 for images)
    then       ndim x uint32 sizes  e.g. 60000, 28, 28
    then       the data             prod(sizes) elements

A file whose name ends in `.gz` (or that starts with gzip's magic bytes) is decompressed first.
Every malformed file raises ValueError naming the file and what is wrong with it.
"""
import gzip
import os
import zlib

import numpy as np

__all__ = ["read_idx", "write_idx", "IDX_TYPES"]

# element-type code -> big-endian NumPy dtype
IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF = {dt.newbyteorder("="): code for code, dt in IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path):
    """The file's bytes, gunzipped when it is a gzip file (by name or by its first two bytes)."""
    with open(path, "rb") as f:
        raw = f.read()
    if str(path).endswith(".gz") or raw[:2] == _GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError(f"{path}: not a valid gzip file ({e})") from None
    return raw


def read_idx(path):
    """Read an IDX file into a NumPy array of native byte order (uint8 for images and labels)."""
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: too short for an IDX file ({len(raw)} bytes, the header alone is 4+)")
    zero0, zero1, type_code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0 or type_code not in IDX_TYPES:
        raise ValueError(f"{path}: bad IDX magic number 0x{raw[:4].hex()} (expected 0x0000TTNN with "
                         f"element type TT in {sorted(f'{c:02x}' for c in IDX_TYPES)})")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header says 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, {ndim} dimensions "
                         f"need {header_size})")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header_size
    if got != expected:
        problem = "truncated" if got < expected else "has trailing bytes"
        raise ValueError(f"{path}: IDX data {problem}: header says shape {shape} of {dtype.name} "
                         f"({expected} bytes), file holds {got} bytes after the header")
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native order, writable copy


def write_idx(path, array):
    """Write an array as an IDX file; gzip-compressed when `path` ends in `.gz`."""
    array = np.asarray(array)
    code = _CODE_OF.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"IDX cannot store dtype {array.dtype} (supported: "
                        f"{', '.join(dt.name for dt in IDX_TYPES.values())})")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(array, dtype=IDX_TYPES[code]).tobytes()
    if str(path).endswith(".gz"):
        payload = gzip.compress(payload, compresslevel=6, mtime=0)  # mtime=0: same bytes every run
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(payload)
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written data file
