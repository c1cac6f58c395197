"""mt.load on files built to hurt: zip bombs (compressed and overlapping records) stay within a
bounded memory, 200,000-level nesting loads as in torch, absurd shapes name the file and the tensor,
and files of neither format say what they are."""
import collections
import gzip
import io
import pickle
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.serialization import UnknownFormatError, load, save
from minitorch_lite.torch_pickle import TorchFileError

MiB = 1 << 20


# ---- building hostile files ---------------------------------------------------------------------------

class _Storage:
    """Pickles as torch's persistent id of a storage."""

    def __init__(self, key, numel, storage_type=torch.FloatStorage):
        self.pid = ("storage", storage_type, key, "cpu", numel)


class _Call:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _Storage) else None


def torch_pickle_bytes(obj):
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def tensor(storage, size, stride, offset=0):
    return _Call(torch._utils._rebuild_tensor_v2, storage, offset, size, stride, False,
                 collections.OrderedDict())


def raw_zip(records, aliases=()):
    """A zip written byte by byte. `records`: (name, bytes as stored, method, declared size);
    `aliases`: (name, record name) directory entries that point at another record's bytes."""
    out, central, where = bytearray(), [], {}
    for name, data, method, size in records:
        encoded = name.encode()
        crc = zlib.crc32(data) if method == 0 else 0  # a bomb's CRC is never reached
        where[name] = (len(out), len(data), method, size, crc)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size,
                           len(encoded), 0) + encoded + data
        central.append((name, name))
    central += list(aliases)
    directory = len(out)
    for name, target in central:
        offset, stored, method, size, crc = where[target]
        out += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, stored,
                           size, len(name.encode()), 0, 0, 0, 0, 0, offset) + name.encode()
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                       len(out) - directory, directory, 0)
    return bytes(out)


def deflated_zeros(n_mib):
    """A raw deflate stream of `n_mib` MiB of zeros, about 1 KiB per MiB, made without
    compressing them all: after a full flush the compressor restarts, so each MiB gives the
    same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == block
    stream = block * n_mib + compressor.flush()
    assert len(zlib.decompressobj(-15).decompress(stream[:len(block) * 4], 8 * MiB)) == 4 * MiB
    return stream


def peak_memory_of(fn):
    """Run fn (which must raise TorchFileError); return (error, peak bytes traced meanwhile)."""
    tracemalloc.start()
    try:
        with pytest.raises(TorchFileError) as info:
            fn()
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---- zip bombs ----------------------------------------------------------------------------------------

def test_a_compressed_storage_record_is_refused_without_inflating_it(tmp_path):
    inflated_mib = 1024  # 1 GiB of zeros in ~1 MiB of file
    pickled = torch_pickle_bytes({"w": tensor(_Storage("0", inflated_mib * MiB // 4),
                                              (inflated_mib * MiB // 4,), (1,))})
    content = raw_zip([("archive/data.pkl", pickled, 0, len(pickled)),
                       ("archive/byteorder", b"little", 0, 6),
                       ("archive/data/0", deflated_zeros(inflated_mib), 8, inflated_mib * MiB)])
    assert len(content) < 1.1 * MiB
    path = tmp_path / "bomb.pth"
    path.write_bytes(content)
    error, peak = peak_memory_of(lambda: load(path))
    assert "record 'archive/data/0' is compressed" in str(error) and "tensor 'w'" in str(error)
    assert str(path) in str(error)
    assert peak < 8 * MiB, f"loading a 1 MiB zip bomb allocated {peak / MiB:.1f} MiB"


def test_a_compressed_pickle_is_refused_too(tmp_path):
    content = raw_zip([("archive/data.pkl", deflated_zeros(1024), 8, 1024 * MiB)])
    path = tmp_path / "bomb.pth"
    path.write_bytes(content)
    error, peak = peak_memory_of(lambda: load(path))
    assert "record 'archive/data.pkl' is compressed" in str(error)
    assert peak < 8 * MiB


def test_overlapping_records_are_refused(tmp_path):
    """One 512 KiB record that 2,048 directory entries point at: 1 GiB if each were read."""
    numel = 128 * 1024
    pickled = torch_pickle_bytes([tensor(_Storage(str(i), numel), (numel,), (1,))
                                  for i in range(2048)])
    content = raw_zip([("archive/data.pkl", pickled, 0, len(pickled)),
                       ("archive/data/0", bytes(4 * numel), 0, 4 * numel)],
                      aliases=[(f"archive/data/{i}", "archive/data/0") for i in range(1, 2048)])
    assert len(content) < 1 * MiB
    path = tmp_path / "overlap.pth"
    path.write_bytes(content)
    error, peak = peak_memory_of(lambda: load(path))
    assert "records overlap" in str(error) and "tensor '0'" in str(error)
    assert peak < 8 * MiB


def test_a_record_that_runs_into_the_next_one_is_refused(tmp_path):
    pickled = torch_pickle_bytes({"w": tensor(_Storage("0", 1000), (1000,), (1,))})
    # the directory says data/0 holds 4,000 bytes; the file holds 16 before the next record
    content = bytearray(raw_zip([("archive/data.pkl", pickled, 0, len(pickled)),
                                 ("archive/data/0", bytes(16), 0, 16),
                                 ("archive/version", b"3\n", 0, 2)]))
    entries = [i for i in range(len(content)) if content[i:i + 4] == b"PK\x01\x02"]
    entry = entries[1]  # data/0's directory entry: its sizes are at bytes 20-28, its name at 46
    assert content[entry + 46:entry + 60] == b"archive/data/0"
    content[entry + 20:entry + 28] = struct.pack("<II", 4000, 4000)
    path = tmp_path / "long.pth"
    path.write_bytes(bytes(content))
    with pytest.raises(TorchFileError, match="runs into the next record or past the end"):
        load(path)


# ---- deep nesting ---------------------------------------------------------------------------------

DEPTH = 200_000


def nested(depth, leaf):
    """[{"k": [{"k": ... leaf ...}]}], built without recursion."""
    obj = leaf
    for level in range(depth):
        obj = [obj] if level % 2 else {"k": obj}
    return obj


def unnest(obj):
    depth = 0
    while isinstance(obj, (list, dict)):
        obj = obj[0] if isinstance(obj, list) else obj["k"]
        depth += 1
    return depth, obj


def test_200k_levels_save_and_load_as_in_torch(tmp_path):
    path = tmp_path / "deep.pth"
    save(nested(DEPTH, mt.arange(3.0)), path)  # the writer is not recursive either
    depth, leaf = unnest(load(path))
    assert depth == DEPTH and leaf.tolist() == [0.0, 1.0, 2.0]
    depth, leaf = unnest(torch.load(path, weights_only=True))  # torch reads the same file
    assert depth == DEPTH and leaf.tolist() == [0.0, 1.0, 2.0]


def test_200k_levels_in_a_handmade_pickle(tmp_path):
    # EMPTY_LIST x N, then APPEND x (N - 1): N lists, each inside the one before
    body = b"\x80\x02" + b"]" * DEPTH + b"K\x07a" + b"a" * (DEPTH - 1) + b"."
    path = tmp_path / "lists.pth"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", body)
        z.writestr("archive/version", "3\n")
    assert unnest(torch.load(path, weights_only=True)) == (DEPTH, 7)
    assert unnest(load(path)) == (DEPTH, 7)


def test_too_deep_for_safetensors_json_says_so(tmp_path):
    with pytest.raises(ValueError, match="nested too deeply for a .safetensors file .* .pth"):
        save(nested(DEPTH, 1), tmp_path / "deep.safetensors")
    assert list(tmp_path.iterdir()) == []


# ---- absurd shapes ------------------------------------------------------------------------------------

def write_zip(path, obj, records):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", torch_pickle_bytes(obj))
        for key, data in records.items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")  # torch.load insists on it


@pytest.mark.parametrize("case,message", [
    ("huge view", "reaches past its storage"),
    ("too many elements", "has 4611686018427387904 elements of float32: more than any memory"),
    ("huge storage", "holds 24 bytes, expected 4611686018427387904 elements"),
    ("dimension past int64", "invalid tensor geometry"),
])
def test_absurd_shapes_name_the_file_and_the_tensor(case, message, tmp_path):
    data = {"0": np.arange(6, dtype=np.float32).tobytes()}
    w = {"huge view": tensor(_Storage("0", 6), (2 ** 60,), (1,)),
         "too many elements": tensor(_Storage("0", 6), (2 ** 31, 2 ** 31), (0, 0)),
         "huge storage": tensor(_Storage("0", 2 ** 62), (6,), (1,)),
         "dimension past int64": tensor(_Storage("0", 6), (2 ** 64,), (0,))}[case]
    path = tmp_path / "absurd.pth"
    write_zip(path, {"layers": [{"w": w}]}, data)
    tracemalloc.start()
    try:
        with pytest.raises(TorchFileError, match=message) as info:
            load(path)
        assert tracemalloc.get_traced_memory()[1] < 8 * MiB
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value) and "tensor 'layers.0.w'" in str(info.value)
    if case == "huge view":  # torch refuses the same tensor, with a RuntimeError as ours is
        with pytest.raises(RuntimeError, match="resize storage that is not resizable"):
            torch.load(path, weights_only=True)
        assert isinstance(info.value, RuntimeError)


def test_a_zero_stride_view_keeps_its_storage_small(tmp_path):
    """A legal expanded view (stride 0) over one element loads as a view, as in torch."""
    write_zip(tmp_path / "expanded.pth", {"e": tensor(_Storage("0", 1), (1000, 1000), (0, 0))},
              {"0": np.float32(2.5).tobytes()})
    out = load(tmp_path / "expanded.pth")
    assert out["e"].shape == (1000, 1000) and out["e"].stride() == (0, 0)
    assert out["e"][999, 999].item() == 2.5


# ---- files of neither format ----------------------------------------------------------------------------

def empty_zip():
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


NEITHER_FORMAT = [
    ("empty", b"", "the file is empty"),
    ("short", b"PK", "too short"),
    ("empty zip", empty_zip(), "an empty zip archive"),
    ("protocol 0", pickle.dumps({"w": [1.0, 2.0]}, protocol=0), "a pickle in protocol 0 or 1"),
    ("protocol 1", pickle.dumps({"w": [1.0, 2.0]}, protocol=1), "a pickle in protocol 0 or 1"),
    ("random", np.random.default_rng(0).bytes(4096),
     "not a PyTorch zip checkpoint nor a safetensors file"),
    ("text", b"epoch,loss\n1,0.5\n2,0.25\n" * 20, "not a PyTorch zip checkpoint nor a safetensors"),
    ("gzip", gzip.compress(b"x" * 100, mtime=0), "gzip-compressed"),
    ("plain-pickle", pickle.dumps({"w": 1}, protocol=2), "plain pickle"),
]


@pytest.mark.parametrize("name,content,message", [pytest.param(*case, id=case[0])
                                                  for case in NEITHER_FORMAT])
@pytest.mark.parametrize("suffix", ["pth", "safetensors"])
def test_files_of_neither_format_say_what_they_are(name, content, message, suffix, tmp_path):
    path = tmp_path / f"file.{suffix}"
    path.write_bytes(content)
    with pytest.raises(UnknownFormatError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)
    assert "header" not in str(info.value)  # no safetensors header complaint
    assert isinstance(info.value, pickle.UnpicklingError)  # torch's type for such files


def test_a_protocol_0_pickle_inside_a_torch_zip_is_refused(tmp_path):
    path = tmp_path / "p0.pth"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"w": [1, 2]}, protocol=0))
        z.writestr("archive/version", "3\n")
    with pytest.raises(TorchFileError, match="refusing pickle opcode"):
        load(path)
    with pytest.raises(pickle.UnpicklingError):  # torch's weights-only loader refuses it too
        torch.load(path, weights_only=True)
