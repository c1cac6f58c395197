"""mt.save / mt.load: round trips of everything a checkpoint holds in both formats (PyTorch's zip for
.pth and file objects, safetensors for .safetensors names), safetensors validity (checked with the
`safetensors` package), atomic writes, hostile and corrupt files, and PyTorch's own .pt/.pth files
(written here by torch.save) read without torch's unpickler. What torch.load makes of mt.save's
files is in test_checkpoint_torch_format.py; zip bombs, deep nesting and odd files in
test_checkpoint_hostile.py; signals, symlinks and disk errors in test_checkpoint_atomic.py."""
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
import safetensors
import safetensors.numpy
import safetensors.torch
import torch

import minitorch_lite as mt
from minitorch_lite import optim
from minitorch_lite.backend import cuda_backend, safetensors_io
from minitorch_lite.backend.safetensors_io import SafetensorsError
from minitorch_lite.nn.container import Sequential
from minitorch_lite.nn.linear import Linear
from minitorch_lite.nn.parameter import Parameter
from minitorch_lite.serialization import load, save
from minitorch_lite.torch_pickle import TorchFileError

MT_DTYPES = [mt.bool, mt.uint8, mt.int8, mt.int16, mt.int32, mt.int64, mt.float16, mt.float32,
             mt.float64]


def sample(dtype, shape, seed=0):
    values = np.random.default_rng(seed).uniform(-50, 50, size=shape)
    return mt.from_numpy(np.asarray(values).astype(dtype.np))


def assert_same_tensor(a, b):
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape and a.device == b.device
    assert a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())


def assert_same(a, b):
    """Deep equality of loaded objects: same container types, key order, values, tensors."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, mt.Tensor):
        assert_same_tensor(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b and repr(a) == repr(b)  # repr tells -0.0 from 0.0


class NamedBuffer(io.BytesIO):
    """An in-memory file with a name, as open() gives: its suffix picks the format."""

    def __init__(self, name):
        super().__init__()
        self.name = name


FORMATS = ["pth", "safetensors"]


@pytest.fixture(params=FORMATS)
def fmt(request):
    return request.param


def roundtrip(obj, fmt="pth", **load_kwargs):
    buffer = NamedBuffer(f"checkpoint.{fmt}")
    save(obj, buffer)
    content = buffer.getvalue()
    assert content.startswith(b"PK\x03\x04") if fmt == "pth" else content[8:9] == b"{"
    buffer.seek(0)
    return load(buffer, **load_kwargs)


# ---- round trips --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", MT_DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (5,), (2, 3, 4)], ids=str)
def test_tensor_roundtrip_every_dtype_and_shape(dtype, shape, device, fmt):
    t = sample(dtype, shape).to(device)
    assert_same_tensor(roundtrip(t, fmt), t)


@pytest.mark.parametrize("make", [lambda t: t.t(), lambda t: t[:, ::2], lambda t: t[1:, 1],
                                  lambda t: t[0].expand(3, 6)], ids=["t", "step", "slice", "expand"])
def test_non_contiguous_tensors(make, device, fmt):
    t = make(sample(mt.float32, (4, 6)).to(device))
    assert not t.is_contiguous() or t.dim() == 1
    out = roundtrip(t, fmt)
    assert_same_tensor(out, t)
    if fmt == "safetensors" or device != "cpu":  # saved by value, in C order
        assert out.is_contiguous()
    else:  # a view of its storage, with torch's strides, as torch.load gives
        assert out.stride() == t.stride()


def test_views_of_one_tensor_share_a_storage_again(fmt):
    base = sample(mt.float32, (4, 6))
    obj = {"t": base.t(), "row": base[1], "base": base, "flat": base.view(-1)}
    out = roundtrip(obj, fmt)
    for k in obj:
        assert_same_tensor(out[k], obj[k])
    shared = all(np.shares_memory(out[k].numpy(), out["base"].numpy()) for k in obj)
    assert shared == (fmt == "pth")  # safetensors keeps one entry per tensor
    if fmt == "pth":
        out["base"][1, 2] = 100.0
        assert out["row"][2].item() == out["t"][2, 1].item() == out["flat"][8].item() == 100.0


def test_requires_grad_parameters_and_devices_come_back(device, fmt):
    w = Parameter(sample(mt.float32, (3, 2)).to(device))
    frozen = Parameter(sample(mt.float64, (2,)).to(device), requires_grad=False)
    leaf = sample(mt.float32, (2,)).to(device).requires_grad_()
    out = roundtrip({"w": w, "frozen": frozen, "leaf": leaf, "plain": sample(mt.int64, (2,))}, fmt)
    for key, original in [("w", w), ("frozen", frozen), ("leaf", leaf)]:
        assert_same_tensor(out[key], original)
    assert isinstance(out["w"], Parameter) and out["w"].is_leaf
    assert out["plain"].device == mt.device("cpu")


def test_state_dict_keeps_order_type_and_metadata(fmt):
    model = Sequential(Linear(3, 4), Linear(4, 2))
    sd = model.state_dict()
    out = roundtrip(sd, fmt)
    assert_same(out, sd)
    assert type(out) is collections.OrderedDict
    assert out._metadata == sd._metadata
    fresh = Sequential(Linear(3, 4), Linear(4, 2))
    fresh.load_state_dict(out)
    x = mt.randn(5, 3)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_optimizer_like_state_nested_values(fmt):
    step = mt.tensor(3.0)
    obj = {
        "state": {0: {"step": step, "exp_avg": sample(mt.float32, (2, 2)), "momentum_buffer": None},
                  1: {"step": step}},
        "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0,
                          "amsgrad": False, "foreach": None, "params": [0, 1], "name": "group ü"}],
        "floats": [float("nan"), float("inf"), -float("inf"), -0.0, 1e-308, 2 ** 70],
        "ints": [0, 255, 256, 65535, 65536, -1, -2 ** 31, 2 ** 31 - 1, 2 ** 31, -2 ** 31 - 1,
                 -2 ** 63, 2 ** 64, -2 ** 200],
        "misc": (mt.float16, mt.device("cuda:1"), mt.device("cpu"), mt.Size([2, 3]), mt.Size([]),
                 {(1, "a"): [], None: ()}),
        "long tuple": (1, 2.5, "three", None, True, [4]),
        "numpy scalars": [np.float32(0.5), np.int64(7), np.bool_(True)],
        "many": list(range(2500)), "many keys": {str(i): i for i in range(1500)},
    }
    out = roundtrip(obj, fmt)
    expected = dict(obj, **{"numpy scalars": [0.5, 7, True]})
    assert_same(out, expected)
    assert out["state"][0]["step"] is out["state"][1]["step"]  # one object saved once stays one


def test_shared_containers_and_cycles_in_the_torch_format():
    shared = [1, 2]
    cycle = []
    cycle.append(cycle)
    out = roundtrip({"a": shared, "b": shared, "cycle": cycle, "t": (shared, shared)})
    assert out["a"] is out["b"] is out["t"][0] is out["t"][1]
    assert out["cycle"][0] is out["cycle"]
    inner = []
    inner.append(inner)
    out = roundtrip([(inner,)])  # a list inside a tuple inside that list
    assert out[0][0] is out[0][0][0]
    loop = []
    loop.append((loop,))  # a tuple inside its own list: fine when the list comes first
    out = roundtrip({"loop": loop})
    assert out["loop"][0][0] is out["loop"]
    inside = []
    tup = (inside,)
    inside.append(tup)  # the tuple first: pickle would need POP_MARK, which torch.load refuses
    with pytest.raises(ValueError, match="tuple that contains itself at 'x.0.0'"):
        save({"x": tup}, io.BytesIO())


@pytest.mark.parametrize("make_opt", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
                                      lambda p: optim.Adam(p, lr=0.01)], ids=["sgd", "adam"])
def test_training_resumes_exactly_from_a_checkpoint(make_opt, tmp_path, fmt):
    x, y = mt.randn(8, 3), mt.randn(8, 2)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    model = Sequential(Linear(3, 4), Linear(4, 2))
    opt = make_opt(model.parameters())
    train(model, opt, 3)
    save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, tmp_path / f"ckpt.{fmt}")
    train(model, opt, 2)

    checkpoint = load(tmp_path / f"ckpt.{fmt}")
    resumed = Sequential(Linear(3, 4), Linear(4, 2))
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = make_opt(resumed.parameters())
    resumed_opt.load_state_dict(checkpoint["opt"])
    train(resumed, resumed_opt, 2)
    assert checkpoint["epoch"] == 3
    for a, b in zip(model.parameters(), resumed.parameters()):
        assert np.isfinite(a.detach().numpy()).all()
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_path_pathlib_and_file_object(tmp_path, fmt):
    t = sample(mt.float32, (3,))
    save(t, str(tmp_path / f"a.{fmt}"))
    save(t, tmp_path / f"b.{fmt}")
    with open(tmp_path / f"c.{fmt}", "wb") as f:  # an open file's name picks the format too
        save(t, f)
    for name in "abc":
        content = (tmp_path / f"{name}.{fmt}").read_bytes()
        assert content.startswith(b"PK\x03\x04") if fmt == "pth" else content[8:9] == b"{"
        assert_same_tensor(load(tmp_path / f"{name}.{fmt}"), t)
        assert_same_tensor(load(str(tmp_path / f"{name}.{fmt}")), t)
    with open(tmp_path / f"a.{fmt}", "rb") as f:
        assert_same_tensor(load(f), t)


@pytest.mark.parametrize("name", ["model.pt", "model.pth", "model.bin", "model", "model.PTH",
                                  "model.tar", "weights.safetensors", "W.SafeTensors"])
def test_the_suffix_picks_the_format(name, tmp_path):
    save({"w": mt.ones(2)}, tmp_path / name)
    content = (tmp_path / name).read_bytes()
    if name.lower().endswith(".safetensors"):
        assert content[8:9] == b"{"
    else:
        assert zipfile.ZipFile(tmp_path / name).namelist()[0].endswith("/data.pkl")
    assert_same_tensor(load(tmp_path / name)["w"], mt.ones(2))
    buffer = io.BytesIO()  # a file object without a name: PyTorch's format, as torch.save
    save({"w": mt.ones(2)}, buffer)
    assert buffer.getvalue().startswith(b"PK\x03\x04")


def test_mmap_load_is_a_writable_copy_on_write_view(tmp_path):
    path = tmp_path / "m.safetensors"
    sd = {"a": sample(mt.float64, (3, 3)), "b": sample(mt.int8, (5,)), "e": mt.zeros(0)}
    save(sd, path)
    before = path.read_bytes()
    out = load(path, mmap=True)
    assert_same(out, sd)
    out["a"].add_(1)  # writes go to private pages, never to the file
    assert path.read_bytes() == before
    with pytest.raises(SafetensorsError, match="mmap"):
        load(io.BytesIO(before), mmap=True)


# ---- the file is valid safetensors ----------------------------------------------------------------

def test_flat_state_dict_reads_back_with_the_safetensors_package(tmp_path):
    sd = collections.OrderedDict((str(d), sample(d, (2, 3))) for d in MT_DTYPES)
    sd["scalar"], sd["empty"] = mt.tensor(1.5), mt.zeros(0, 4)
    sd["noncontig"] = sample(mt.float32, (3, 4)).t()
    path = tmp_path / "sd.safetensors"
    save(sd, path)
    read = safetensors.numpy.load_file(str(path))
    assert sorted(read) == sorted(sd)
    for k, v in sd.items():
        assert read[k].dtype == v.dtype.np and read[k].shape == tuple(v.shape)
        np.testing.assert_array_equal(read[k], v.numpy())
    with safetensors.safe_open(str(path), framework="numpy") as f:
        assert f.metadata()["format"] == "pt"
        json.loads(f.metadata()["minitorch_lite"])
    # every tensor starts aligned to its itemsize (so memory-mapped readers can use it in place)
    header_len = struct.unpack("<Q", path.read_bytes()[:8])[0]
    assert (8 + header_len) % 8 == 0
    header = json.loads(path.read_bytes()[8:8 + header_len])
    for name, info in header.items():
        if name != "__metadata__":
            assert info["data_offsets"][0] % np.dtype(sd[name].dtype.np).itemsize == 0


def test_nested_objects_are_valid_safetensors_too(tmp_path):
    path = tmp_path / "opt.safetensors"
    save({"state": {0: {"m": mt.ones(2)}}, "model": {"__metadata__": mt.zeros(1)}}, path)
    read = safetensors.numpy.load_file(str(path))
    assert sorted(read) == ["model.__metadata__", "state.0.m"]


def test_files_from_the_safetensors_package_load_as_dicts(tmp_path):
    arrays = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3), "flag": np.array(True),
              "ids": np.arange(4, dtype=np.int64), "half": np.ones((0, 2), np.float16)}
    safetensors.numpy.save_file(arrays, str(tmp_path / "np.safetensors"), metadata={"x": "y"})
    out = load(tmp_path / "np.safetensors")
    assert sorted(out) == sorted(arrays)
    for k, a in arrays.items():
        assert out[k].dtype.np == a.dtype and out[k].shape == a.shape
        np.testing.assert_array_equal(out[k].numpy(), a)
    safetensors.torch.save_file({"w": torch.randn(2, 2)}, str(tmp_path / "t.safetensors"))
    np.testing.assert_array_equal(load(tmp_path / "t.safetensors")["w"].numpy(),
                                  safetensors.torch.load_file(str(tmp_path / "t.safetensors"))["w"].numpy())
    safetensors.torch.save_file({"b": torch.ones(2, dtype=torch.bfloat16)}, str(tmp_path / "bf.safetensors"))
    with pytest.raises(SafetensorsError, match="unsupported dtype 'BF16'"):
        load(tmp_path / "bf.safetensors")


# ---- map_location -------------------------------------------------------------------------------

def _rewrite_devices(path, new_device):
    """Rewrite the saved device of every tensor in one of our files (to fake a GPU checkpoint)."""
    arrays, metadata = safetensors_io.read(str(path))
    metadata["minitorch_lite"] = metadata["minitorch_lite"].replace('"device":"cpu"',
                                                                    f'"device":"{new_device}"')
    with open(path, "wb") as f:
        safetensors_io.write(f, arrays.items(), metadata)


def test_map_location_forms(tmp_path):
    path = tmp_path / "gpu.safetensors"
    sd = {"w": sample(mt.float32, (2, 2)).requires_grad_()}
    save(sd, path)
    _rewrite_devices(path, "cuda:0")
    for where in ["cpu", mt.device("cpu"), torch.device("cpu"), {"cuda:0": "cpu"},
                  {"cuda:0": torch.device("cpu")}, lambda t, location: t]:
        out = load(path, map_location=where)
        assert out["w"].device == mt.device("cpu") and out["w"].requires_grad
        np.testing.assert_array_equal(out["w"].detach().numpy(), sd["w"].detach().numpy())
    seen = []
    load(path, map_location=lambda t, location: seen.append(location) or t)
    assert seen == ["cuda:0"]


@pytest.mark.skipif(cuda_backend.is_available(), reason="checks the CPU-only error")
def test_gpu_checkpoint_without_gpu_asks_for_map_location(tmp_path):
    path = tmp_path / "gpu.safetensors"
    save({"w": mt.ones(2)}, path)
    _rewrite_devices(path, "cuda:0")
    with pytest.raises(RuntimeError, match="map_location"):
        load(path)
    with pytest.raises(RuntimeError, match="map_location"):
        load(tmp_path / "gpu.safetensors", map_location="cuda")


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason="needs CuPy and a CUDA GPU")
def test_map_location_moves_cpu_checkpoints_to_the_gpu(tmp_path):
    sd = {"w": sample(mt.float32, (3, 2)), "i": sample(mt.int64, (4,))}
    save(sd, tmp_path / "cpu.safetensors")
    out = load(tmp_path / "cpu.safetensors", map_location="cuda")
    for k in sd:
        assert out[k].device.type == "cuda"
        np.testing.assert_array_equal(out[k].cpu().numpy(), sd[k].numpy())
    out = load(tmp_path / "cpu.safetensors", map_location={"cpu": "cuda:0"})
    assert out["w"].device == mt.device("cuda:0")


# ---- atomic writes: a failed save loses nothing ------------------------------------------------

def test_unsupported_object_leaves_the_old_checkpoint_untouched(tmp_path, fmt):
    path = tmp_path / f"ckpt.{fmt}"
    save({"w": mt.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"function at 'extra\.fn'"):
        save({"w": mt.zeros(3), "extra": {"fn": lambda x: x}}, path)
    with pytest.raises(TypeError, match="object"):
        save({"w": mt.zeros(3), "obj": object()}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [f"ckpt.{fmt}"]


def test_write_error_midway_leaves_the_old_checkpoint_untouched(tmp_path, monkeypatch, fmt):
    path = tmp_path / f"ckpt.{fmt}"
    save({"w": mt.ones(3)}, path)
    before = path.read_bytes()
    written = []

    def failing_fsync(fd):
        written.append(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        save({"w": mt.zeros(1000)}, path)
    monkeypatch.undo()
    assert written and path.read_bytes() == before
    assert os.listdir(tmp_path) == [f"ckpt.{fmt}"]
    assert_same_tensor(load(path)["w"], mt.ones(3))


@pytest.mark.parametrize("name", ["x.pth", "x.safetensors"])
def test_write_error_from_a_file_object_propagates(name):
    class FailingFile(io.BytesIO):
        def write(self, data):
            if self.tell() > 100:
                raise OSError("disk unplugged")
            return super().write(data)

    with pytest.raises(OSError, match="disk unplugged"):
        f = FailingFile()
        f.name = name
        save({"w": mt.zeros(1000)}, f)


def test_overwrite_keeps_permissions(tmp_path, fmt):
    path = tmp_path / f"ckpt.{fmt}"
    save(mt.ones(1), path)
    os.chmod(path, 0o640)
    save(mt.zeros(1), path)
    assert os.stat(path).st_mode & 0o777 == 0o640


# ---- corrupt and hostile safetensors files ------------------------------------------------------

def _file(header, data=b"", raw_header=None):
    body = raw_header if raw_header is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(body)) + body + data


def _structure(obj_node):
    return {"format": "pt", "minitorch_lite": json.dumps({"version": 1, "object": obj_node})}


_T = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
_NODE = {"tensor": "t", "requires_grad": False, "parameter": False, "device": "cpu"}
CORRUPT = {
    "empty file": (b"", "the file is empty"),
    "huge header length": (struct.pack("<Q", 2 ** 63) + b"{}", "over the"),
    "header past end": (struct.pack("<Q", 1000) + b"{}", "runs past the end"),
    "header not json": (_file(None, raw_header=b"{not json"), "not valid JSON"),
    "header not utf8": (_file(None, raw_header=b'{"\xff":1}'), "not valid JSON"),
    "header a list": (_file([1, 2]), "not a JSON object"),
    "duplicate key": (_file(None, b"\0" * 8, raw_header=b'{"t":%s,"t":%s}' % (
        json.dumps(_T).encode(), json.dumps(_T).encode())), "duplicate"),
    "unknown dtype": (_file({"t": dict(_T, dtype="Q7")}, b"\0" * 8), "unknown or unsupported dtype"),
    "shape/bytes mismatch": (_file({"t": dict(_T, shape=[3])}, b"\0" * 8), "needs 12 bytes"),
    "negative shape": (_file({"t": dict(_T, shape=[-2])}, b"\0" * 8), "invalid shape"),
    "bool in shape": (_file({"t": dict(_T, shape=[True, 2])}, b"\0" * 8), "invalid shape"),
    "offsets reversed": (_file({"t": dict(_T, data_offsets=[8, 0])}, b"\0" * 8), "invalid data_offsets"),
    "offsets out of range": (_file({"t": dict(_T, data_offsets=[8, 16])}, b"\0" * 8), "gap"),
    "truncated data": (_file({"t": _T}, b"\0" * 5), "truncated"),
    "trailing bytes": (_file({"t": _T}, b"\0" * 12), "unexplained bytes"),
    "overlap": (_file({"a": _T, "b": dict(_T, data_offsets=[4, 12])}, b"\0" * 12), "overlapping"),
    "missing field": (_file({"t": {"dtype": "F32", "shape": [2]}}, b"\0" * 8), "needs 'dtype'"),
    "metadata not strings": (_file({"__metadata__": {"a": 1}}), "string values"),
    "structure not json": (_file({"__metadata__": {"minitorch_lite": "{"}}), "invalid minitorch_lite"),
    "unknown version": (_file({"__metadata__": {"minitorch_lite": '{"version": 99}'}}), "version"),
    "missing tensor": (_file({"__metadata__": _structure(_NODE)}), "missing tensor entry 't'"),
    "unreferenced tensor": (_file({"__metadata__": _structure(None), "t": _T}, b"\0" * 8),
                            "not part of the saved object"),
    "unknown node": (_file({"__metadata__": _structure({"pickle": "os.system"})}), "unexpected node"),
    "bad dict": (_file({"__metadata__": _structure({"dict": [[1]]})}), "pairs"),
    "unhashable key": (_file({"__metadata__": _structure({"dict": [[[1], 2]]})}), "unhashable"),
    "malformed tensor node": (_file({"__metadata__": _structure(dict(_NODE, requires_grad="yes")),
                                     "t": _T}, b"\0" * 8), "malformed tensor node"),
    "int requires grad": (_file({"__metadata__": _structure(dict(_NODE, requires_grad=True)),
                                 "t": dict(_T, dtype="I32")}, b"\0" * 8), "cannot require grad"),
    "deep json": (_file({"__metadata__": {"minitorch_lite": '{"version":1,"object":%s}' % (
        "[" * 5000 + "]" * 5000)}}), "invalid minitorch_lite metadata"),
    "deep object": (_file({"__metadata__": {"minitorch_lite": '{"version":1,"object":%s}' % (
        "[" * 900 + "]" * 900)}}), "nested too deeply"),
}


@pytest.mark.parametrize("name", CORRUPT)
def test_corrupt_files_raise_a_clear_error_naming_the_file(name, tmp_path):
    content, message = CORRUPT[name]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(SafetensorsError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)


def test_truncation_anywhere_raises_a_clear_error(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    save({"w": sample(mt.float32, (4, 4)), "b": mt.ones(4)}, path)
    content = path.read_bytes()
    for cut in range(0, len(content), 7):
        path.write_bytes(content[:cut])
        with pytest.raises(SafetensorsError, match="bad|truncated|too short|past the end|invalid|empty"):
            load(path)


def test_random_corruption_never_crashes_outside_clear_errors(fmt):
    buffer = NamedBuffer(f"x.{fmt}")
    save({"w": sample(mt.float32, (3, 3)), "opt": {"lr": 0.1, "steps": [1, 2]}}, buffer)
    content = bytearray(buffer.getvalue())
    rng = np.random.default_rng(0)
    for _ in range(300):
        damaged = bytearray(content)
        for i in rng.integers(0, len(damaged), size=rng.integers(1, 4)):
            damaged[i] = rng.integers(0, 256)
        try:
            load(io.BytesIO(bytes(damaged)))
        except (SafetensorsError, TorchFileError):
            pass  # loading may also succeed when only tensor bytes were hit


# ---- PyTorch files, written by torch.save -------------------------------------------------------------

TORCH_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
                torch.float16, torch.float32, torch.float64]


def torch_sample(dtype, shape, seed=0):
    values = np.random.default_rng(seed).uniform(-50, 50, size=shape)
    return torch.from_numpy(np.asarray(values)).to(dtype)


def assert_matches_torch(m, t):
    assert isinstance(m, mt.Tensor), type(m)
    assert str(m.dtype) == str(t.dtype) and tuple(m.shape) == tuple(t.shape)
    assert m.requires_grad == t.requires_grad
    np.testing.assert_array_equal(m.detach().numpy(), t.detach().numpy())


def test_torch_state_dicts_of_linear_and_sequential(tmp_path):
    torch.manual_seed(0)
    for model in [torch.nn.Linear(3, 2),
                  torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3),
                                      torch.nn.BatchNorm1d(3))]:
        path = tmp_path / "model.pth"
        torch.save(model.state_dict(), path)
        out = load(path)
        expected = model.state_dict()
        assert type(out) is collections.OrderedDict and list(out) == list(expected)
        for k in expected:
            assert_matches_torch(out[k], expected[k])
        assert out._metadata == expected._metadata


def test_torch_state_dict_loads_into_an_mt_model_and_predicts_the_same(tmp_path):
    torch.manual_seed(1)
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Linear(7, 2))
    torch.save(obj=tmodel.state_dict(), f=tmp_path / "model.pth")
    model = Sequential(Linear(5, 7), Linear(7, 2))
    model.load_state_dict(load(f=tmp_path / "model.pth"))
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(model(mt.from_numpy(x)).detach().numpy(),
                               tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_torch_optimizer_state_dict(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    torch.save(opt.state_dict(), tmp_path / "opt.pt")
    out, expected = load(tmp_path / "opt.pt"), opt.state_dict()
    assert list(out) == ["state", "param_groups"] and list(out["state"]) == [0, 1]
    for i, state in expected["state"].items():
        assert list(out["state"][i]) == list(state)
        for k, v in state.items():
            assert_matches_torch(out["state"][i][k], v)
    assert out["param_groups"] == expected["param_groups"]
    assert out["param_groups"][0]["betas"] == (0.8, 0.9)


@pytest.mark.parametrize("dtype", TORCH_DTYPES, ids=str)
def test_torch_tensors_of_every_dtype(dtype, tmp_path):
    tensors = {"matrix": torch_sample(dtype, (3, 4)), "scalar": torch_sample(dtype, ()),
               "empty": torch_sample(dtype, (0, 2)), "vector": torch_sample(dtype, (5,), seed=1)}
    torch.save(tensors, tmp_path / "t.pt")
    out = load(tmp_path / "t.pt")
    assert list(out) == list(tensors)
    for k, t in tensors.items():
        assert_matches_torch(out[k], t)


def test_torch_non_contiguous_views_keep_values_strides_and_sharing(tmp_path):
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = {"t": base.t(), "step": base[:, 1::2], "offset": base[2:, 3], "expand": base[0].expand(3, 6),
             "base": base}
    torch.save(views, tmp_path / "views.pt", _use_new_zipfile_serialization=True)
    out = load(tmp_path / "views.pt")
    for k, t in views.items():
        assert_matches_torch(out[k], t)
        assert out[k].stride() == t.stride()
    assert np.shares_memory(out["t"].numpy(), out["base"].numpy())  # one storage, as in torch


def test_torch_file_object_parameter_and_requires_grad(tmp_path):
    buffer = io.BytesIO()
    torch.save({"p": torch.nn.Parameter(torch.randn(2, 2)), "g": torch.randn(3).requires_grad_(),
                "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False)}, buffer)
    buffer.seek(0)
    out = load(buffer)
    assert isinstance(out["p"], Parameter) and out["p"].requires_grad
    assert type(out["g"]) is mt.Tensor and out["g"].requires_grad and out["g"].is_leaf
    assert isinstance(out["frozen"], Parameter) and not out["frozen"].requires_grad


def test_torch_plain_containers_and_values(tmp_path):
    obj = {"epoch": 7, "loss": 0.25, "name": "run", "flags": (True, None), "ids": [1, 2],
           "set": {1, 2}, "z": complex(1, 2), "size": torch.Size([2, 3]),
           "dtype": torch.float16, "device": torch.device("cuda", 1)}
    torch.save(obj, tmp_path / "plain.pt")
    out = load(tmp_path / "plain.pt")
    assert out == dict(obj, size=mt.Size([2, 3]), dtype=mt.float16, device=mt.device("cuda:1"))
    assert type(out["size"]) is mt.Size


def test_torch_mmap_load(tmp_path):
    sd = {"w": torch.randn(3, 5), "i": torch.arange(4)}
    torch.save(sd, tmp_path / "m.pt")
    out = load(tmp_path / "m.pt", mmap=True)
    for k in sd:
        assert_matches_torch(out[k], sd[k])


def test_torch_records_are_crc_checked_and_never_inflated(tmp_path):
    sd = {"w": torch.arange(100, dtype=torch.float32)}
    torch.save(sd, tmp_path / "ok.pt")
    with zipfile.ZipFile(tmp_path / "ok.pt") as z:
        records = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(tmp_path / "deflated.pt", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in records:
            z.writestr(name, data)
    assert torch.load(tmp_path / "deflated.pt")["w"].equal(sd["w"])  # torch inflates; we refuse
    with pytest.raises(TorchFileError, match="is compressed .*torch.save never compresses") as info:
        load(tmp_path / "deflated.pt")
    assert str(tmp_path / "deflated.pt") in str(info.value)
    content = bytearray((tmp_path / "ok.pt").read_bytes())
    content[content.find(np.float32(57).tobytes())] ^= 1  # flip a bit inside the tensor's bytes
    (tmp_path / "flipped.pt").write_bytes(bytes(content))
    with pytest.raises(TorchFileError, match="CRC mismatch"):
        load(tmp_path / "flipped.pt")


def _with_location(path, location):
    """Rewrite a torch.save archive so that its storages say `location` (e.g. saved from 'cuda:0')."""
    with zipfile.ZipFile(path) as z:
        records = [(info, z.read(info)) for info in z.infolist()]
    old, new = "cpu".encode(), location.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for info, data in records:
            if info.filename.endswith("data.pkl"):  # BINUNICODE: opcode X, 4-byte length, utf-8
                data = data.replace(b"X" + struct.pack("<I", len(old)) + old,
                                    b"X" + struct.pack("<I", len(new)) + new)
            z.writestr(info, data)


def test_torch_checkpoint_saved_on_gpu_with_map_location(tmp_path):
    path = tmp_path / "model.pth"
    sd = torch.nn.Linear(2, 3).state_dict()
    torch.save(sd, path)
    _with_location(path, "cuda:0")
    if not torch.cuda.is_available():  # the rewritten file really looks like a GPU checkpoint
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(path)
    for where in ["cpu", torch.device("cpu"), mt.device("cpu"), {"cuda:0": "cpu"}]:
        out = load(path, map_location=where)
        for k in sd:
            assert out[k].device == mt.device("cpu")
            assert_matches_torch(out[k], sd[k])
    if not cuda_backend.is_available():  # like torch: no silent move to the CPU
        with pytest.raises(RuntimeError, match=r"map_location='cpu'"):
            load(path)


def test_unsupported_torch_contents_are_refused_clearly(tmp_path):
    torch.save({"b": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "bf.pt")
    with pytest.raises(TorchFileError, match="no dtype torch.bfloat16"):
        load(tmp_path / "bf.pt")
    torch.save({"w": torch.arange(3.0)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    assert load(tmp_path / "legacy.pt")["w"].tolist() == [0.0, 1.0, 2.0]  # pre-1.6 format: read too
    p = torch.nn.Parameter(torch.ones(2))
    p.note = "hi"
    torch.save(p, tmp_path / "attr.pt")
    with pytest.raises(TorchFileError, match="extra Python attributes"):
        load(tmp_path / "attr.pt")


# ---- hostile pickles inside a torch-style zip ------------------------------------------------

class _Call:
    """Pickles as `fn(*args)` (then `BUILD state`, if given): how a hostile checkpoint runs code."""

    def __init__(self, fn, *args, state=None):
        self.fn, self.args, self.state = fn, args, state

    def __reduce__(self):
        return (self.fn, self.args) if self.state is None else (self.fn, self.args, self.state)


class _Storage:
    def __init__(self, key, numel, storage_type=torch.FloatStorage, location="cpu"):
        self.pid = ("storage", storage_type, key, location, numel)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _Storage) else None


def write_torch_zip(path, obj=None, records=None, pickle_bytes=None):
    """A zip laid out as torch.save's, with any pickle in it."""
    if pickle_bytes is None:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=2).dump(obj)
        pickle_bytes = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle_bytes)
        z.writestr("archive/byteorder", "little")
        for key, data in (records or {}).items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")


def _tensor(storage, offset, size, stride):
    return _Call(torch._utils._rebuild_tensor_v2, storage, offset, size, stride, False,
                 collections.OrderedDict())


def test_handmade_torch_zip_is_read(tmp_path):
    data = np.arange(6, dtype=np.float32).tobytes()
    write_torch_zip(tmp_path / "ok.pt", {"x": _tensor(_Storage("0", 6), 1, (2, 2), (3, 1))}, {"0": data})
    assert torch.load(tmp_path / "ok.pt")["x"].tolist() == [[1.0, 2.0], [4.0, 5.0]]
    assert load(tmp_path / "ok.pt")["x"].tolist() == [[1.0, 2.0], [4.0, 5.0]]


@pytest.mark.parametrize("payload", ["os.system", "eval", "exec", "getattr", "subprocess", "numpy"])
def test_hostile_pickles_are_refused_and_run_nothing(payload, tmp_path):
    marker = tmp_path / "pwned"
    command = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    import builtins
    import subprocess
    obj = {"os.system": _Call(os.system, command),
           "eval": _Call(builtins.eval, code),
           "exec": _Call(builtins.exec, code),
           "getattr": _Call(builtins.getattr, "str", "upper"),
           "subprocess": _Call(subprocess.call, ["touch", str(marker)]),
           "numpy": _Call(np.frombuffer, b"\0" * 8)}[payload]
    path = tmp_path / "evil.pt"
    write_torch_zip(path, {"w": torch.ones(1), "evil": obj})
    with pytest.raises(TorchFileError, match="refusing to load '.*': minitorch_lite.load only reads") as info:
        load(path)
    assert str(path) in str(info.value)
    with pytest.raises(pickle.UnpicklingError):  # torch refuses the same file (weights_only=True)
        torch.load(path)
    assert not marker.exists()


def test_build_on_admitted_globals_is_refused(tmp_path):
    # BUILD on a rebuild function would let the file change our module's code objects/defaults
    evil = _Call(torch._utils._rebuild_parameter, _tensor(_Storage("0", 1), 0, (1,), (1,)), True,
                 collections.OrderedDict(), state={"__defaults__": (1,)})
    write_torch_zip(tmp_path / "build.pt", evil, {"0": b"\0" * 4})
    with pytest.raises(TorchFileError, match="refusing to set state"):
        load(tmp_path / "build.pt")
    # BUILD on a dtype global would rename minitorch_lite.float32 for the whole process
    body = pickle.dumps((None, {"name": "evil"}), protocol=2)[2:-1]
    write_torch_zip(tmp_path / "dtype.pt", pickle_bytes=b"\x80\x02ctorch\nfloat32\n" + body + b"b.")
    with pytest.raises(TorchFileError, match="refusing to set state"):
        load(tmp_path / "dtype.pt")
    assert mt.float32.name == "float32"


@pytest.mark.parametrize("case,message", [
    ("past the end", "reaches past its storage"),
    ("negative stride", "invalid tensor geometry"),
    ("missing record", "is missing"),
    ("record too short", "expected 6 elements"),
    ("bad persistent id", "unsupported persistent id"),
    ("not a storage", "not a storage"),
    ("truncated pickle", "not a readable PyTorch checkpoint"),
    ("bad device", "not a readable PyTorch checkpoint"),
    ("bad location", "invalid storage location 'gpu'"),
    ("protocol 4", "refusing pickle opcode"),
])
def test_malformed_torch_archives(case, message, tmp_path):
    data = {"0": np.arange(6, dtype=np.float32).tobytes()}
    s = _Storage("0", 6)
    obj = {"past the end": _tensor(s, 2, (2, 3), (3, 1)),
           "negative stride": _tensor(s, 5, (6,), (-1,)),
           "missing record": _tensor(_Storage("7", 6), 0, (6,), (1,)),
           "record too short": _tensor(s, 0, (6,), (1,)),
           "bad persistent id": _tensor(_Storage("0", "six"), 0, (6,), (1,)),
           "not a storage": _Call(torch._utils._rebuild_tensor_v2, "storage", 0, (6,), (1,), False, None),
           "bad device": _Call(torch.device, "gpu:7"),
           "bad location": _tensor(_Storage("0", 6, location="gpu"), 0, (6,), (1,)),
           "truncated pickle": None, "protocol 4": None}[case]
    if case == "record too short":
        data["0"] = data["0"][:-4]
    path = tmp_path / "bad.pt"
    write_torch_zip(path, obj, data)
    if case == "truncated pickle":
        write_torch_zip(path, pickle_bytes=pickle.dumps({"a": [1, 2, 3]}, protocol=2)[:-5])
    if case == "protocol 4":
        write_torch_zip(path, pickle_bytes=pickle.dumps({"a": b"bytes"}, protocol=4))
    with pytest.raises(TorchFileError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)


def test_random_corruption_of_torch_pickles_never_escapes_as_other_errors():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(4, 2)).sum().backward()
    opt.step()
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "v": torch.ones(2, 3).t()}, buffer)
    with zipfile.ZipFile(buffer) as z:
        records = [(info.filename, z.read(info)) for info in z.infolist()]
    rng = np.random.default_rng(0)
    for _ in range(300):  # damage the pickle, keep the zip (and its CRCs) valid
        damaged = io.BytesIO()
        with zipfile.ZipFile(damaged, "w") as z:
            for name, data in records:
                if name.endswith("data.pkl"):
                    data = bytearray(data)
                    for i in rng.integers(0, len(data), size=rng.integers(1, 4)):
                        data[i] = rng.integers(0, 256)
                z.writestr(name, bytes(data))
        damaged.seek(0)
        try:
            load(damaged)
        except TorchFileError:
            pass


def test_not_a_checkpoint(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(TorchFileError, match="not a readable PyTorch checkpoint"):
        load(tmp_path / "x.zip")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("docs/readme.txt", "hello")
    with pytest.raises(TorchFileError, match="without data.pkl"):
        load(tmp_path / "other.zip")
    (tmp_path / "pickle.pkl").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(TorchFileError, match="plain pickle"):
        load(tmp_path / "pickle.pkl")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit is deprecated in torch 2.13
def test_torchscript_archives_are_refused(tmp_path):
    scripted = torch.jit.script(torch.nn.Linear(2, 2))
    torch.jit.save(scripted, str(tmp_path / "scripted.pt"))
    with pytest.raises(TorchFileError, match="TorchScript"):
        load(tmp_path / "scripted.pt")
