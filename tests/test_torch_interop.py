"""interop.from_torch / to_torch: tensors and nested state both ways, and whole models moved
between the frameworks through state dicts, in memory and through files."""
import collections
import io

import numpy as np
import pytest
import safetensors.torch
import torch

import minitorch_lite as mt
from minitorch_lite.interop import from_torch, to_torch
from minitorch_lite.nn.container import Sequential
from minitorch_lite.nn.flatten import Flatten
from minitorch_lite.nn.linear import Linear
from minitorch_lite.nn.parameter import Parameter
from minitorch_lite.serialization import load, save
from conftest import FAKE_CUDA

TORCH_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
                torch.float16, torch.float32, torch.float64]


def torch_sample(dtype, shape, seed=0):
    values = np.random.default_rng(seed).uniform(-50, 50, size=shape)
    return torch.from_numpy(np.asarray(values)).to(dtype)


def assert_equal(m, t):
    assert isinstance(m, mt.Tensor) and isinstance(t, torch.Tensor)
    assert str(m.dtype) == str(t.dtype) and tuple(m.shape) == tuple(t.shape)
    assert m.requires_grad == t.requires_grad
    assert isinstance(m, Parameter) == isinstance(t, torch.nn.Parameter)
    np.testing.assert_array_equal(m.detach().cpu().numpy(), t.detach().cpu().numpy())


@pytest.mark.parametrize("dtype", TORCH_DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(), (0, 3), (4,), (2, 3)], ids=str)
def test_tensors_both_ways(dtype, shape, device):
    if device == "cuda" and FAKE_CUDA:
        pytest.skip("to_torch on cuda needs torch's CUDA: a real GPU, not the fake_cupy stand-in")
    t = torch_sample(dtype, shape)
    m = from_torch(t)
    assert_equal(m, t)
    m = m.to(device)
    back = to_torch(m)
    assert back.device.type == "cpu" or device != "cpu"
    assert_equal(m, back.cpu())


def test_no_memory_is_shared():
    t = torch.zeros(3)
    m = from_torch(t)
    t += 1
    assert m.tolist() == [0.0, 0.0, 0.0]
    back = to_torch(m)
    m.add_(5)
    assert back.tolist() == [0.0, 0.0, 0.0]


def test_non_contiguous_requires_grad_and_parameters():
    base = torch.arange(12.0).reshape(3, 4)
    out = from_torch({"t": base.t(), "step": base[:, ::2], "grad": torch.ones(2, requires_grad=True),
                      "param": torch.nn.Parameter(torch.ones(2)), "nonleaf": torch.ones(2, requires_grad=True) * 2,
                      "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False)})
    assert_equal(out["t"], base.t())
    assert_equal(out["step"], base[:, ::2])
    assert out["grad"].requires_grad and out["grad"].is_leaf
    assert isinstance(out["param"], Parameter) and out["param"].requires_grad
    assert out["nonleaf"].is_leaf and out["nonleaf"].requires_grad  # as torch.save/torch.load do
    assert isinstance(out["frozen"], Parameter) and not out["frozen"].requires_grad
    back = to_torch(out)
    for k in out:
        assert_equal(out[k], back[k])
    assert isinstance(back["param"], torch.nn.Parameter)


def test_nested_containers_keep_their_types_and_order():
    Point = collections.namedtuple("Point", "x y")
    sd = collections.OrderedDict([("b", torch.ones(1)), ("a", torch.zeros(1))])
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    obj = {"sd": sd, "list": [torch.ones(2), 3, "s", None], "tuple": (torch.ones(1), 1.5),
           "point": Point(torch.ones(1), 2), "meta": (torch.float16, torch.device("cpu"), torch.Size([2, 3])),
           "state": {0: {"step": torch.tensor(2.0)}}}
    m = from_torch(obj)
    assert type(m["sd"]) is collections.OrderedDict and list(m["sd"]) == ["b", "a"]
    assert m["sd"]._metadata == sd._metadata
    assert m["list"][1:] == [3, "s", None] and isinstance(m["list"][0], mt.Tensor)
    assert type(m["tuple"]) is tuple and m["tuple"][1] == 1.5
    assert type(m["point"]) is Point and m["point"].y == 2
    assert m["meta"] == (mt.float16, mt.device("cpu"), mt.Size([2, 3])) and type(m["meta"][2]) is mt.Size
    assert m["state"][0]["step"].item() == 2.0
    back = to_torch(m)
    assert back["meta"] == obj["meta"] and type(back["meta"][2]) is torch.Size
    assert type(back["point"]) is Point and list(back["sd"]) == ["b", "a"]
    assert back["sd"]._metadata == sd._metadata
    assert_equal(m["state"][0]["step"], back["state"][0]["step"])


def test_unsupported_torch_dtype_is_a_clear_error():
    with pytest.raises(TypeError, match="bfloat16"):
        from_torch({"w": torch.ones(2, dtype=torch.bfloat16)})


# ---- models -------------------------------------------------------------------------------

def make_pair(seed=0):
    torch.manual_seed(seed)
    tmodel = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 5), torch.nn.Linear(5, 3))
    model = Sequential(Flatten(), Linear(6, 5), Linear(5, 3))
    return tmodel, model


def assert_same_predictions(model, tmodel):
    x = np.random.default_rng(1).standard_normal((4, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(model(mt.from_numpy(x)).detach().numpy(),
                               tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_torch_model_state_dict_into_mt_model_and_back():
    tmodel, model = make_pair()
    assert str(model.load_state_dict(from_torch(tmodel.state_dict()))) == "<All keys matched successfully>"
    assert_same_predictions(model, tmodel)
    _, other = make_pair(seed=5)
    torch.manual_seed(9)
    fresh_torch = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 5), torch.nn.Linear(5, 3))
    fresh_torch.load_state_dict(to_torch(model.state_dict()))
    assert_same_predictions(model, fresh_torch)


def test_through_files_both_ways(tmp_path):
    tmodel, model = make_pair()
    torch.save(tmodel.state_dict(), tmp_path / "torch.pth")  # torch file -> mt.load
    model.load_state_dict(load(tmp_path / "torch.pth"))
    assert_same_predictions(model, tmodel)
    save(model.state_dict(), tmp_path / "mt.safetensors")  # mt file -> safetensors.torch
    torch.manual_seed(3)
    fresh_torch = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 5), torch.nn.Linear(5, 3))
    fresh_torch.load_state_dict(safetensors.torch.load_file(str(tmp_path / "mt.safetensors")))
    assert_same_predictions(model, fresh_torch)


def test_torch_optimizer_state_converts():
    tmodel, _ = make_pair()
    opt = torch.optim.SGD(tmodel.parameters(), lr=0.1, momentum=0.9)
    tmodel(torch.randn(2, 2, 3)).sum().backward()
    opt.step()
    state = from_torch(opt.state_dict())
    assert state["param_groups"] == opt.state_dict()["param_groups"]
    for i, s in opt.state_dict()["state"].items():
        assert_equal(state["state"][i]["momentum_buffer"], s["momentum_buffer"])
    buffer = io.BytesIO()
    save(state, buffer)
    buffer.seek(0)
    again = load(buffer)
    assert again["param_groups"] == state["param_groups"]


def test_mismatched_state_dict_raises_and_leaves_the_model_unchanged(tmp_path):
    torch.save(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 4), torch.nn.Linear(4, 3))
               .state_dict(), tmp_path / "other.pth")
    _, model = make_pair()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="size mismatch for 1.weight"):
        model.load_state_dict(load(tmp_path / "other.pth"))
    with pytest.raises(RuntimeError, match="Missing key"):
        model.load_state_dict({"1.weight": mt.zeros(5, 6)})
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy())
