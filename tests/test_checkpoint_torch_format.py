"""mt.save writes PyTorch's own zip format for .pt/.pth (and any name but .safetensors): real
`torch.load(path, weights_only=True)` reads what it writes, and mt.load reads what torch.save writes,
for course models, optimizer checkpoints, every dtype, views and plain values."""
import collections
import io
import math
import os
import pickle
import pickletools
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
import safetensors.torch
import torch

import minitorch_lite as mt
from minitorch_lite import torch_pickle
from minitorch_lite.nn.parameter import Parameter
from minitorch_lite.serialization import load
from minitorch_lite.vision.models import TinyVGG

REPO = Path(__file__).resolve().parents[1]
MT_DTYPES = [mt.bool, mt.uint8, mt.int8, mt.int16, mt.int32, mt.int64, mt.float16, mt.float32,
             mt.float64]
# the opcodes torch/_weights_only_unpickler.py reads
TORCH_OPCODES = {"PROTO", "STOP", "MARK", "GLOBAL", "REDUCE", "NEWOBJ", "BUILD", "BINPERSID",
                 "APPEND", "APPENDS", "SETITEM", "SETITEMS", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3",
                 "EMPTY_TUPLE", "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "NONE", "NEWTRUE",
                 "NEWFALSE", "BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT", "BINUNICODE",
                 "SHORT_BINSTRING", "BINGET", "LONG_BINGET", "BINPUT", "LONG_BINPUT"}


def sample(dtype, shape, seed=0):
    values = np.random.default_rng(seed).uniform(-50, 50, size=shape)
    return mt.from_numpy(np.asarray(values).astype(dtype.np))


def torch_load(path):
    return torch.load(path, weights_only=True)


def assert_torch_matches(t, m):
    """A tensor torch.load gave equals the mt tensor that was saved: dtype, shape, strides, values."""
    assert isinstance(t, torch.Tensor), type(t)
    assert str(t.dtype) == str(m.dtype) and tuple(t.shape) == tuple(m.shape)
    assert t.requires_grad == m.requires_grad
    if m.numel():
        assert t.stride() == m.stride() or not m.is_contiguous()
    np.testing.assert_array_equal(t.detach().numpy(), m.detach().numpy())


# ---- state dicts -----------------------------------------------------------------------------------

def mt_sequential():
    mt.manual_seed(0)
    return mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 3),
                            mt.nn.BatchNorm1d(3))


def torch_sequential():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3),
                               torch.nn.BatchNorm1d(3))


def torch_tinyvgg(input_shape=1, hidden_units=4, output_shape=10, side=7):
    block = lambda c_in: torch.nn.Sequential(  # noqa: E731  (the course's TinyVGG blocks)
        torch.nn.Conv2d(c_in, hidden_units, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(hidden_units, hidden_units, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2))
    model = torch.nn.Module()
    model.conv_block_1, model.conv_block_2 = block(input_shape), block(hidden_units)
    model.classifier = torch.nn.Sequential(torch.nn.Flatten(),
                                           torch.nn.Linear(hidden_units * side * side, output_shape))
    model.forward = lambda x: model.classifier(model.conv_block_2(model.conv_block_1(x)))
    return model


@pytest.mark.parametrize("name", ["sequential", "tinyvgg"])
def test_course_model_state_dicts_load_in_torch_and_predict_the_same(name, tmp_path):
    if name == "sequential":
        model, tmodel, x = mt_sequential(), torch_sequential(), np.ones((5, 4), np.float32)
        model.train()
        model(mt.randn(6, 4))  # move BatchNorm's running statistics and num_batches_tracked
    else:
        mt.manual_seed(1)
        model = TinyVGG(input_shape=1, hidden_units=4, output_shape=10, image_size=28)
        tmodel = torch_tinyvgg()
        x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    model.eval()
    tmodel.eval()
    sd = model.state_dict()
    path = tmp_path / "model.pth"
    mt.save(sd, path)
    loaded = torch_load(path)
    assert type(loaded) is collections.OrderedDict and list(loaded) == list(sd)
    assert loaded._metadata == sd._metadata
    for k in sd:
        assert_torch_matches(loaded[k], sd[k])
    assert str(tmodel.load_state_dict(loaded)) == "<All keys matched successfully>"
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(x)).numpy()
    with mt.no_grad():
        got = model(mt.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # and back: what torch saves loads into the mt model
    torch.save(tmodel.state_dict(), tmp_path / "torch.pth")
    fresh = mt_sequential() if name == "sequential" else TinyVGG(1, 4, 10, image_size=28)
    assert str(fresh.load_state_dict(load(tmp_path / "torch.pth"))) == "<All keys matched successfully>"
    fresh.eval()
    with mt.no_grad():
        np.testing.assert_array_equal(fresh(mt.from_numpy(x)).numpy(), got)


@pytest.mark.parametrize("dtype", MT_DTYPES, ids=str)
def test_every_dtype_and_shape_loads_in_torch(dtype, tmp_path):
    base = sample(dtype, (4, 6))
    tensors = {"matrix": base, "scalar": sample(dtype, ()), "empty": sample(dtype, (0, 3)),
               "empty2": sample(dtype, (2, 0)), "vector": sample(dtype, (5,), seed=1),
               "t": base.t(), "step": base[:, 1::2], "row": base[2], "expand": base[0].expand(3, 6),
               "cube": sample(dtype, (2, 1, 3, 1, 2), seed=2)}
    mt.save(tensors, tmp_path / "t.pt")
    loaded = torch_load(tmp_path / "t.pt")
    assert list(loaded) == list(tensors)
    for k, m in tensors.items():
        assert_torch_matches(loaded[k], m)
        if m.numel():
            assert loaded[k].stride() == m.stride()
    # the views of `base` are views of one storage in torch too
    pointer = loaded["matrix"].untyped_storage().data_ptr()
    for k in ("t", "step", "row", "expand"):
        assert loaded[k].untyped_storage().data_ptr() == pointer, k
    assert loaded["row"].storage_offset() == 12 and loaded["step"].storage_offset() == 1


def test_views_written_alone_keep_only_the_bytes_they_reach(tmp_path):
    big = mt.arange(1_000_000, dtype=mt.float32)
    mt.save({"window": big[10:20], "strided": big[100:110:3]}, tmp_path / "v.pth")
    assert (tmp_path / "v.pth").stat().st_size < 4096  # not the whole 4 MB array
    loaded = torch_load(tmp_path / "v.pth")
    assert loaded["window"].tolist() == list(range(10, 20))
    assert loaded["strided"].tolist() == [100, 103, 106, 109]
    back = load(tmp_path / "v.pth")
    assert back["window"].tolist() == list(range(10, 20))


def test_views_of_one_array_with_different_dtypes_are_saved_separately(tmp_path):
    raw = np.arange(8, dtype=np.int32)
    a, b = mt.from_numpy(raw), mt.from_numpy(raw.view(np.float32))  # torch.save would refuse
    mt.save({"a": a, "b": b}, tmp_path / "d.pth")
    loaded = torch_load(tmp_path / "d.pth")
    assert loaded["a"].tolist() == list(range(8))
    np.testing.assert_array_equal(loaded["b"].numpy(), raw.view(np.float32))


def test_parameters_requires_grad_and_plain_values_load_in_torch(tmp_path):
    obj = {"p": Parameter(sample(mt.float32, (2, 2))),
           "frozen": Parameter(sample(mt.float64, (2,)), requires_grad=False),
           "g": sample(mt.float32, (3,)).requires_grad_(),
           "numbers": [0, 1, 255, 256, 65536, -1, -2 ** 31, 2 ** 31, 2 ** 70, -2 ** 70, 0.5, -0.0,
                       1e-308, math.inf, -math.inf, True, False, None],
           "strings": ["", "model", "ünïcödé ✓", "line\nbreak", "x" * 300],
           "nested": {"a": [1, (2, 3), {"b": (None,)}], 7: "seven", (1, "k"): [], None: 0.25},
           "dtype": mt.float16, "device": mt.device("cuda", 1), "cpu": mt.device("cpu"),
           "size": mt.Size([2, 3]), "empty": ((), [], {})}
    mt.save(obj, tmp_path / "plain.pth")
    loaded = torch_load(tmp_path / "plain.pth")
    assert type(loaded["p"]) is torch.nn.Parameter and loaded["p"].requires_grad
    assert type(loaded["frozen"]) is torch.nn.Parameter and not loaded["frozen"].requires_grad
    assert type(loaded["g"]) is torch.Tensor and loaded["g"].requires_grad and loaded["g"].is_leaf
    for k in ("p", "frozen", "g"):
        np.testing.assert_array_equal(loaded[k].detach().numpy(), obj[k].detach().numpy())
    for k in ("numbers", "strings", "nested", "empty"):
        assert loaded[k] == obj[k] and repr(loaded[k]) == repr(obj[k])
    assert loaded["dtype"] is torch.float16 and loaded["device"] == torch.device("cuda", 1)
    assert loaded["cpu"] == torch.device("cpu")
    assert type(loaded["size"]) is torch.Size and loaded["size"] == (2, 3)
    nan = torch_load_of({"nan": math.nan}, tmp_path)["nan"]
    assert math.isnan(nan)


def torch_load_of(obj, tmp_path):
    mt.save(obj, tmp_path / "obj.pth")
    return torch_load(tmp_path / "obj.pth")


def test_shared_objects_stay_shared_in_torch(tmp_path):
    w = sample(mt.float32, (3,))
    shared = [1, 2]
    loaded = torch_load_of({"a": w, "b": w, "l1": shared, "l2": shared}, tmp_path)
    assert loaded["a"] is loaded["b"] and loaded["l1"] is loaded["l2"]


def test_tensors_saved_from_each_device_load_in_torch(device, tmp_path):
    base = sample(mt.float32, (3, 4)).to(device)
    obj = {"w": base, "t": base.t(), "p": Parameter(sample(mt.float64, (2,)).to(device)),
           "i": sample(mt.int64, (5,)).to(device)}
    mt.save(obj, tmp_path / "d.pth")
    with zipfile.ZipFile(tmp_path / "d.pth") as z:
        locations = {arg for op, arg, _ in pickletools.genops(z.read("d/data.pkl"))
                     if op.name == "BINUNICODE" and arg.startswith(("cpu", "cuda"))}
    assert locations == ({"cpu"} if device == "cpu" else {"cuda:0"})  # where torch puts them back
    loaded = torch.load(tmp_path / "d.pth", weights_only=True, map_location="cpu")
    for k, m in obj.items():
        np.testing.assert_array_equal(loaded[k].detach().numpy(), m.detach().cpu().numpy())
    assert type(loaded["p"]) is torch.nn.Parameter
    back = load(tmp_path / "d.pth")
    for k, m in obj.items():
        assert back[k].device == m.device
        np.testing.assert_array_equal(back[k].detach().cpu().numpy(), m.detach().cpu().numpy())


def test_a_tensor_alone_and_a_file_object(tmp_path):
    t = sample(mt.float64, (2, 3))
    buffer = io.BytesIO()
    mt.save(t, buffer)
    buffer.seek(0)
    assert_torch_matches(torch.load(buffer, weights_only=True), t)
    assert zipfile.ZipFile(buffer).namelist()[0] == "archive/data.pkl"  # torch's name for buffers


# ---- the file itself -------------------------------------------------------------------------------

def records_and_pickle(path):
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None  # every CRC checks out
        names = z.namelist()
        return names, z.read(names[0]), z.infolist()


def test_the_archive_has_torchs_records_opcodes_and_alignment(tmp_path):
    model = mt_sequential()
    mt.save(model.state_dict(), tmp_path / "mine.pth")
    torch.save(torch_sequential().state_dict(), tmp_path / "theirs.pth")
    names, pickled, infos = records_and_pickle(tmp_path / "mine.pth")
    torch_names, torch_pickled, _ = records_and_pickle(tmp_path / "theirs.pth")
    assert [n.replace("mine/", "") for n in names] == [n.replace("theirs/", "") for n in torch_names]
    assert names[0] == "mine/data.pkl"
    ops = list(pickletools.genops(pickled))
    assert ops[0][0].name == "PROTO" and ops[0][1] == 2  # protocol 2, as torch.save
    assert {op.name for op, _, _ in ops} <= TORCH_OPCODES
    assert {op.name for op, _, _ in ops} == {op.name for op, _, _ in pickletools.genops(torch_pickled)}
    globals_ = {arg for op, arg, _ in ops if op.name == "GLOBAL"}
    assert globals_ == {"collections OrderedDict", "torch._utils _rebuild_tensor_v2",
                        "torch FloatStorage", "torch LongStorage"}
    content = (tmp_path / "mine.pth").read_bytes()
    for info in infos:  # every record's data starts on a 64-byte boundary, as torch's
        header = content[info.header_offset:info.header_offset + 30]
        start = (info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                 + int.from_bytes(header[28:30], "little"))
        assert start % 64 == 0, info.filename
        assert info.compress_type == zipfile.ZIP_STORED


def test_torch_mmap_load_of_an_mt_file(tmp_path):
    sd = mt_sequential().state_dict()
    mt.save(sd, tmp_path / "m.pth")
    loaded = torch.load(tmp_path / "m.pth", weights_only=True, mmap=True)
    for k in sd:
        assert_torch_matches(loaded[k], sd[k])


def test_saving_never_uses_pythons_pickler(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("mt.save used Python's pickle")

    for name in ("dump", "dumps", "Pickler", "_Pickler"):
        monkeypatch.setattr(pickle, name, refuse)
    mt.save({"sd": mt_sequential().state_dict(), "x": [1, (2, "3")]}, tmp_path / "x.pth")
    monkeypatch.undo()
    assert list(torch_load(tmp_path / "x.pth")["sd"]) == list(mt_sequential().state_dict())


def test_zip64_records_read_everywhere(tmp_path, monkeypatch):
    """Checkpoints past 4 GiB need ZIP64 fields; force them on a small file (the layout is the same)."""
    monkeypatch.setattr(torch_pickle, "_ZIP64_LIMIT", 0)
    monkeypatch.setattr(torch_pickle, "_ZIP_MAX_ENTRIES", 0)
    sd = mt_sequential().state_dict()
    mt.save(sd, tmp_path / "z64.pth")
    content = (tmp_path / "z64.pth").read_bytes()
    assert b"PK\x06\x06" in content and b"PK\x06\x07" in content  # ZIP64 end records
    names, _, infos = records_and_pickle(tmp_path / "z64.pth")
    assert names[0] == "z64/data.pkl"
    loaded = torch_load(tmp_path / "z64.pth")
    back = load(tmp_path / "z64.pth")
    for k in sd:
        assert_torch_matches(loaded[k], sd[k])
        np.testing.assert_array_equal(back[k].numpy(), sd[k].numpy())


@pytest.mark.parametrize("name,archive", [("model.pth", "model"), ("a.b.pt", "a.b"),
                                          ("noext", "noext"), (".hidden.pt", ".hidden"),
                                          ("ünï.pth", "archive")])
def test_archive_folder_named_as_torch_names_it(name, archive, tmp_path):
    mt.save({"w": mt.ones(1)}, tmp_path / name)
    assert zipfile.ZipFile(tmp_path / name).namelist()[0] == f"{archive}/data.pkl"
    assert torch_load(tmp_path / name)["w"].tolist() == [1.0]


# ---- optimizer checkpoints, both ways -----------------------------------------------------------------

DATA = np.random.default_rng(3)
X = DATA.standard_normal((16, 4)).astype(np.float32)
Y = DATA.standard_normal((16, 3)).astype(np.float32)


def mt_steps(model, opt, n):
    for _ in range(n):
        opt.zero_grad()
        ((model(mt.from_numpy(X)) - mt.from_numpy(Y)) ** 2).mean().backward()
        opt.step()


def torch_steps(model, opt, n):
    for _ in range(n):
        opt.zero_grad()
        ((model(torch.from_numpy(X)) - torch.from_numpy(Y)) ** 2).mean().backward()
        opt.step()


def plain_models():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Tanh(), mt.nn.Linear(8, 3))
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    return model, tmodel


OPTIMIZERS = {
    "sgd": (lambda p: mt.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-3),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-3)),
    "adam": (lambda p: mt.optim.Adam(p, lr=0.01, betas=(0.8, 0.95)),
             lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.95))),
}


def assert_parameters_close(model, tmodel):
    # optimizer updates agree with torch to a few float32 ulps (README: torch's kernels fuse
    # multiply-adds), so a few steps on from the same state stay within 1e-5
    for a, b in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_mt_optimizer_checkpoint_resumes_in_torch(kind, tmp_path):
    make_mt, make_torch = OPTIMIZERS[kind]
    model, tmodel = plain_models()
    opt = make_mt(model.parameters())
    mt_steps(model, opt, 3)
    mt.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3},
            tmp_path / "checkpoint.pth")
    checkpoint = torch_load(tmp_path / "checkpoint.pth")
    assert checkpoint["epoch"] == 3
    tmodel.load_state_dict(checkpoint["model"])
    topt = make_torch(tmodel.parameters())
    topt.load_state_dict(checkpoint["optimizer"])
    saved = opt.state_dict()
    assert topt.state_dict()["param_groups"] == saved["param_groups"]
    for i, state in saved["state"].items():
        for k, v in state.items():
            assert_torch_matches(topt.state_dict()["state"][i][k], v)
    mt_steps(model, opt, 2)
    torch_steps(tmodel, topt, 2)
    assert_parameters_close(model, tmodel)


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_torch_optimizer_checkpoint_resumes_in_mt(kind, tmp_path):
    make_mt, make_torch = OPTIMIZERS[kind]
    model, tmodel = plain_models()
    topt = make_torch(tmodel.parameters())
    torch_steps(tmodel, topt, 3)
    torch.save({"model": tmodel.state_dict(), "optimizer": topt.state_dict()}, tmp_path / "t.pth")
    checkpoint = load(tmp_path / "t.pth")
    model.load_state_dict(checkpoint["model"])
    opt = make_mt(model.parameters())
    opt.load_state_dict(checkpoint["optimizer"])
    torch_steps(tmodel, topt, 2)
    mt_steps(model, opt, 2)
    assert_parameters_close(model, tmodel)
    # and the mt checkpoint of the resumed run goes back to torch once more
    mt.save({"optimizer": opt.state_dict()}, tmp_path / "again.pth")
    make_torch(tmodel.parameters()).load_state_dict(torch_load(tmp_path / "again.pth")["optimizer"])


def test_pickle_protocol_3_files_from_torch_load(tmp_path):
    sd = torch_sequential().state_dict()
    torch.save({"model": sd, "epoch": 2}, tmp_path / "p3.pth", pickle_protocol=3)
    with zipfile.ZipFile(tmp_path / "p3.pth") as z:
        assert z.read(z.namelist()[0])[:2] == b"\x80\x03"
    out = load(tmp_path / "p3.pth")
    assert out["epoch"] == 2
    for k in sd:
        np.testing.assert_array_equal(out["model"][k].numpy(), sd[k].numpy())


# ---- safetensors and torch -----------------------------------------------------------------------------

def test_safetensors_files_are_flat_for_torch_and_whole_for_mt(tmp_path):
    obj = {"model": mt_sequential().state_dict(), "epoch": 4}
    mt.save(obj, tmp_path / "ckpt.safetensors")
    # torch 2.13's torch.load reads safetensors files as safetensors.torch.load_file does: a flat
    # dict of the tensors, named by their paths; the nesting and the non-tensor values are gone
    for flat in (torch.load(tmp_path / "ckpt.safetensors", weights_only=True),
                 safetensors.torch.load_file(str(tmp_path / "ckpt.safetensors"))):
        assert sorted(flat) == sorted(f"model.{k}" for k in obj["model"])
        for k, v in obj["model"].items():
            assert_torch_matches(flat[f"model.{k}"], v)
    whole = load(tmp_path / "ckpt.safetensors")
    assert whole["epoch"] == 4 and list(whole["model"]) == list(obj["model"])


# ---- what cannot be saved ----------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["pth", "safetensors"])
def test_a_whole_model_gets_the_state_dict_advice(suffix, tmp_path):
    model = TinyVGG(1, 4, 10, image_size=28)
    with pytest.raises(TypeError) as info:
        mt.save(model, tmp_path / f"model.{suffix}")
    message = str(info.value)
    assert "cannot save a whole model (TinyVGG)" in message
    assert "mt.save(model.state_dict(), 'model.pth')" in message
    assert "model.load_state_dict(mt.load('model.pth'))" in message
    assert "weights_only=True" in message
    with pytest.raises(TypeError, match=r"cannot save a whole model \(Linear at 'parts.1'\)"):
        mt.save({"parts": [mt.ones(1), mt.nn.Linear(2, 2)]}, tmp_path / f"x.{suffix}")
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"cannot save a SGD object; save its state instead: "
                                        r"mt.save\(x.state_dict\(\), PATH\)"):
        mt.save(opt, tmp_path / f"opt.{suffix}")
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_torch_save_of_a_whole_model_in_drop_in_mode(tmp_path):
    script = textwrap.dedent("""
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(2, 3))
        try:
            torch.save(model, "model.pth")
        except TypeError as error:
            print(error)
        torch.save(model.state_dict(), "model.pth")
        print(model.load_state_dict(torch.load("model.pth")))
        """)
    (tmp_path / "script.py").write_text(script)
    result = subprocess.run([sys.executable, "-m", "minitorch_lite.as_torch", "script.py"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert "torch.save cannot save a whole model (Sequential)" in result.stdout
    assert "torch.save(model.state_dict(), 'model.pth')" in result.stdout
    assert "model.load_state_dict(torch.load('model.pth'))" in result.stdout
    assert result.stdout.strip().endswith("<All keys matched successfully>")
    # the file the drop-in torch.save wrote is one real torch reads
    assert list(torch_load(tmp_path / "model.pth")) == ["0.weight", "0.bias"]
