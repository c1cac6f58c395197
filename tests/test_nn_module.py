"""nn.Module, Parameter and the containers, compared with torch.nn on the same architectures.

Each test builds the same model in both libraries (a function of the library `L`) and compares
what the module system exposes: names and order of parameters/buffers/modules, state_dict keys,
load_state_dict results and error messages, reprs, hooks, modes, conversions.
"""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import check_same_error


def to_mt_state(torch_module):
    return OrderedDict((k, mt.tensor(v.detach().numpy().copy())) for k, v in torch_module.state_dict().items())


def make_block(L):
    """A custom module with a parameter, a buffer, a non-persistent buffer and submodules."""
    nn = L.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(L.ones(3))
            self.register_buffer("running", L.zeros(3))
            self.register_buffer("scratch", L.zeros(2), persistent=False)
            self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3, bias=False))
            self.name = "block"  # a plain attribute

        def forward(self, x):
            return self.body(x * self.scale) + self.running

        def extra_repr(self):
            return "custom=True"

    return Block()


def make_model(L):
    nn = L.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([make_block(L), make_block(L)])
            self.head = nn.ModuleDict({"cls": nn.Linear(3, 2), "act": nn.GELU()})
            self.norm_free = nn.Identity()
            self.flat = nn.Flatten(0, -1)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head["act"](self.head["cls"](x))

    return Net()


# ---- Parameter -----------------------------------------------------------------------------------

def test_parameter_is_a_tensor_that_shares_memory():
    t = mt.ones(2, 3)
    p = mt.nn.Parameter(t)
    assert isinstance(p, mt.Tensor) and isinstance(p, mt.nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert p.data_ptr() == t.data_ptr()
    with mt.no_grad():
        p.add_(1)
    assert t.tolist() == [[2.0] * 3] * 2
    for result in (p * 2, p + p, p.sum(), p[0], p.detach(), p.clone(), p.reshape(6)):
        assert type(result) is mt.Tensor
    assert type(p.to(mt.float32)) is mt.nn.Parameter  # unchanged: the same object, as torch


def test_parameter_repr_matches_torch():
    data = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    assert repr(mt.nn.Parameter(mt.tensor(data))) == repr(torch.nn.Parameter(torch.tensor(data)))
    assert repr(mt.nn.Parameter(mt.tensor([1, 2]), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.tensor([1, 2]), requires_grad=False))
    assert repr(mt.nn.Parameter()) == repr(torch.nn.Parameter())
    check_same_error(lambda L: L.nn.Parameter(L.tensor([1, 2])))


def test_parameter_deepcopy_and_pickle():
    p = mt.nn.Parameter(mt.tensor([1.0, 2.0]))
    for clone in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(clone) is mt.nn.Parameter and clone.requires_grad
        assert clone.tolist() == [1.0, 2.0] and clone.data_ptr() != p.data_ptr()


# ---- registration and traversal ------------------------------------------------------------------

def names(pairs):
    return [name for name, _ in pairs]


def test_traversal_order_and_names_match_torch():
    tm, mm = make_model(torch), make_model(mt)
    assert names(mm.named_parameters()) == names(tm.named_parameters())
    assert names(mm.named_buffers()) == names(tm.named_buffers())
    assert names(mm.named_modules()) == names(tm.named_modules())
    assert names(mm.named_children()) == names(tm.named_children())
    assert names(mm.named_parameters(prefix="model", recurse=False)) == \
        names(tm.named_parameters(prefix="model", recurse=False))
    assert names(mm.blocks[0].named_parameters(prefix="b")) == names(tm.blocks[0].named_parameters(prefix="b"))
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert [type(m).__name__ for m in mm.modules()] == [type(m).__name__ for m in tm.modules()]
    assert [type(m).__name__ for m in mm.children()] == [type(m).__name__ for m in tm.children()]
    assert len(list(mm.parameters())) == len(list(tm.parameters()))
    assert sum(p.numel() for p in mm.parameters()) == sum(p.numel() for p in tm.parameters())


def test_generators_are_lazy():
    model = make_model(mt)
    for gen in (model.parameters(), model.named_parameters(), model.buffers(), model.modules(),
                model.children(), model.named_modules()):
        assert iter(gen) is gen  # a generator, as torch


def build_shared(L):
    nn = L.nn
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    model.extra = nn.Linear(2, 2)
    model.extra.weight = model[0].weight  # tied weight
    return model


def test_shared_modules_and_parameters_dedup_like_torch():
    tm, mm = build_shared(torch), build_shared(mt)
    assert names(mm.named_parameters()) == names(tm.named_parameters())
    assert names(mm.named_parameters(remove_duplicate=False)) == names(tm.named_parameters(remove_duplicate=False))
    assert names(mm.named_modules()) == names(tm.named_modules())
    assert names(mm.named_modules(remove_duplicate=False)) == names(tm.named_modules(remove_duplicate=False))
    assert list(mm.state_dict()) == list(tm.state_dict())


def test_plain_attributes_and_reassignment():
    def run(L):
        m = make_block(L)
        m.name = "renamed"
        m.count = 3
        m.body = L.nn.Linear(3, 3)           # replace a submodule
        m.scale = None                       # parameters may be set to None
        m.running = L.ones(3)                # assigning a tensor to a buffer name replaces the buffer
        del m.count
        return m.name, names(m.named_parameters()), names(m.named_buffers()), list(m.state_dict()), \
            m.running.tolist(), hasattr(m, "count")

    assert run(mt) == run(torch)


def test_assigning_a_parameter_moves_names_between_dicts():
    def run(L):
        m = L.nn.Module()
        m.register_buffer("w", L.zeros(1))
        m.w = L.nn.Parameter(L.ones(1))      # a Parameter replaces the buffer of that name
        m.sub = L.nn.Linear(1, 1)
        m.sub = L.nn.Parameter(L.ones(1))    # ... and a submodule
        return names(m.named_parameters()), names(m.named_buffers()), names(m.named_children())

    assert run(mt) == run(torch)


@pytest.mark.parametrize("case", [
    lambda L: setattr(make_block(L), "scale", L.ones(3)),              # tensor as parameter
    lambda L: setattr(make_block(L), "body", 3),                       # int as child module
    lambda L: setattr(make_block(L), "running", [1.0]),                # list as buffer
    lambda L: make_block(L).register_buffer("name", L.ones(1)),        # existing attribute
    lambda L: make_block(L).register_buffer("a.b", L.ones(1)),
    lambda L: make_block(L).register_buffer("", L.ones(1)),
    lambda L: make_block(L).register_buffer("x", 3.0),
    lambda L: make_block(L).register_parameter("x", L.ones(1)),
    lambda L: make_block(L).register_parameter("x", L.nn.Parameter(L.ones(1)) * 2),
    lambda L: make_block(L).add_module("a.b", L.nn.ReLU()),
    lambda L: make_block(L).add_module("x", 3),
    lambda L: make_block(L).add_module(3, L.nn.ReLU()),
    lambda L: make_block(L).missing_attribute,
    lambda L: make_block(L).get_submodule("body.5"),
    lambda L: make_block(L).get_submodule("scale"),
    lambda L: make_block(L).get_parameter("body.0.nothing"),
    lambda L: make_block(L).get_parameter("running"),
    lambda L: L.nn.Module().forward(1),
    lambda L: L.nn.Module(3),
    lambda L: L.nn.Module(foo=3),
    lambda L: make_block(L).train("yes"),
    lambda L: make_block(L).to(L.int64),
])
def test_errors_match_torch(case):
    ours, theirs = check_same_error(case)
    assert ours == theirs


def test_assign_before_init_errors():
    def make(L, what):
        class Early(L.nn.Module):
            def __init__(self):
                if what == "param":
                    self.w = L.nn.Parameter(L.ones(1))
                else:
                    self.m = L.nn.ReLU()
        return Early()

    for what in ("param", "module"):
        ours, theirs = check_same_error(make, what)
        assert ours == theirs


def test_get_submodule_parameter_buffer():
    m = make_model(mt)
    assert m.get_submodule("") is m
    assert m.get_submodule("blocks.1.body.0") is m.blocks[1].body[0]
    assert m.get_parameter("blocks.0.scale") is m.blocks[0].scale
    assert m.get_parameter("head.cls.bias") is m.head["cls"].bias
    assert m.get_buffer("blocks.0.running") is m.blocks[0].running


def test_dir_lists_registered_names():
    def public_instance_names(L):
        block = make_block(L)
        return [n for n in dir(block) if n not in dir(type(block)) and not n.startswith("_")]

    assert public_instance_names(mt) == public_instance_names(torch)
    assert "0" not in dir(mt.nn.Sequential(mt.nn.ReLU()))


# ---- state_dict and load_state_dict ------------------------------------------------------------

def test_state_dict_values_are_detached_views():
    m = make_block(mt)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["scale", "running", "body.0.weight", "body.0.bias", "body.2.weight"]
    assert not sd["scale"].requires_grad and type(sd["scale"]) is mt.Tensor
    assert sd["body.0.weight"].data_ptr() == m.body[0].weight.data_ptr()
    kept = m.state_dict(keep_vars=True)
    assert kept["scale"] is m.scale
    assert list(m.state_dict(prefix="net.")) == ["net." + k for k in sd]
    assert sd._metadata[""] == {"version": 1} and sd._metadata["body.0"] == {"version": 1}


def test_load_state_dict_copies_in_place():
    tm, mm = make_model(torch), make_model(mt)
    params_before = list(mm.parameters())
    ptr = mm.blocks[0].body[0].weight.data_ptr()
    result = mm.load_state_dict(to_mt_state(tm))
    assert repr(result) == repr(tm.load_state_dict(tm.state_dict())) == "<All keys matched successfully>"
    assert list(mm.parameters()) == params_before  # same Parameter objects (optimizers hold them)
    assert mm.blocks[0].body[0].weight.data_ptr() == ptr
    for (name, a), (_, b) in zip(mm.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert mm.blocks[0].scale.requires_grad and mm.blocks[0].scale.grad_fn is None


def corrupt(sd, how):
    sd = OrderedDict(sd)
    if how in ("missing", "both"):
        del sd["blocks.0.scale"]
        del sd["head.cls.bias"]
    if how in ("unexpected", "both"):
        sd["blocks.0.extra"] = sd["blocks.1.scale"]
        sd["nothing.here"] = sd["blocks.1.scale"]
        sd["blocks.7.body.0.weight"] = sd["blocks.1.scale"]
    if how in ("size", "both"):
        sd["head.cls.weight"] = sd["head.cls.weight"][:, :2]
        sd["blocks.1.running"] = sd["blocks.1.running"][:2]
    return sd


@pytest.mark.parametrize("how", ["missing", "unexpected", "size", "both"])
def test_load_state_dict_errors_match_torch_and_leave_model_unchanged(how):
    tm, mm = make_model(torch), make_model(mt)
    mm.load_state_dict(to_mt_state(tm))
    source = make_model(torch)  # different values, so a partial copy would show
    with pytest.raises(RuntimeError) as t_err:
        tm.load_state_dict(corrupt(source.state_dict(), how))
    before = {k: v.numpy().copy() for k, v in mm.state_dict().items()}
    with pytest.raises(RuntimeError) as m_err:
        mm.load_state_dict(corrupt(to_mt_state(source), how))
    assert str(m_err.value) == str(t_err.value)
    for k, v in mm.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k], err_msg=f"{k} changed although loading failed")


@pytest.mark.parametrize("how", ["missing", "unexpected"])
def test_load_state_dict_non_strict_reports_keys(how):
    tm, mm = make_model(torch), make_model(mt)
    source = make_model(torch)
    t_result = tm.load_state_dict(corrupt(source.state_dict(), how), strict=False)
    m_result = mm.load_state_dict(corrupt(to_mt_state(source), how), strict=False)
    assert repr(m_result) == repr(t_result)
    assert m_result.missing_keys == t_result.missing_keys
    assert m_result.unexpected_keys == t_result.unexpected_keys
    np.testing.assert_array_equal(mm.blocks[1].scale.detach().numpy(), source.blocks[1].scale.detach().numpy())


def test_load_state_dict_size_mismatch_raises_even_when_not_strict():
    tm, mm = make_model(torch), make_model(mt)
    with pytest.raises(RuntimeError) as t_err:
        tm.load_state_dict(corrupt(tm.state_dict(), "size"), strict=False)
    with pytest.raises(RuntimeError) as m_err:
        mm.load_state_dict(corrupt(to_mt_state(tm), "size"), strict=False)
    assert str(m_err.value) == str(t_err.value)


def test_load_state_dict_other_errors():
    check_same_error(lambda L: L.nn.Linear(2, 2).load_state_dict([("weight", L.ones(2, 2))]))
    ours, theirs = check_same_error(lambda L: L.nn.Linear(2, 2).load_state_dict(
        {"weight": np.ones((2, 2), np.float32), "bias": L.ones(2)}))
    assert ours.replace("numpy.ndarray", "") == theirs.replace("numpy.ndarray", "")


def test_load_state_dict_assign_and_zero_dim():
    m = mt.nn.Linear(2, 3)
    new_w = mt.ones(3, 2, dtype=mt.float64)
    m.load_state_dict({"weight": new_w, "bias": mt.zeros(3)}, assign=True)
    assert isinstance(m.weight, mt.nn.Parameter) and m.weight.dtype == mt.float64
    assert m.weight.data_ptr() == new_w.data_ptr() and m.weight.requires_grad

    class Scalar(mt.nn.Module):
        def __init__(self):
            super().__init__()
            self.s = mt.nn.Parameter(mt.tensor(0.5))

    s = Scalar()
    s.load_state_dict({"s": mt.tensor([2.0])})  # a 1-element tensor loads into a 0-d parameter
    assert s.s.item() == 2.0 and s.s.shape == ()


def test_load_state_dict_casts_dtype_in_place():
    m = mt.nn.Linear(2, 2)
    m.load_state_dict({"weight": mt.ones(2, 2, dtype=mt.float64), "bias": mt.zeros(2, dtype=mt.float64)})
    assert m.weight.dtype == mt.float32 and m.weight.sum().item() == 4.0


# ---- repr ------------------------------------------------------------------------------------------

def test_repr_matches_torch():
    assert repr(make_model(mt)) == repr(make_model(torch))
    assert repr(make_block(mt)) == repr(make_block(torch))

    def many(L):
        nn = L.nn
        return nn.Sequential(OrderedDict([
            ("features", nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 3)), nn.Identity())),
            ("blocks", nn.ModuleList([nn.Linear(4, 4) for _ in range(3)] + [nn.ReLU(), nn.Linear(4, 4)])),
            ("empty", nn.ModuleList()),
            ("params", nn.ParameterList([nn.Parameter(L.ones(2)), nn.Parameter(L.ones(2, 3, dtype=L.float64))])),
            ("pdict", nn.ParameterDict({"b": nn.Parameter(L.ones(2)), "a": nn.Parameter(L.ones(1))})),
            ("acts", nn.Sequential(nn.ReLU(inplace=True), nn.LeakyReLU(0.2), nn.GELU("tanh"), nn.SiLU(),
                                   nn.Softmax(dim=1), nn.LogSoftmax(1), nn.Hardswish(), nn.Softplus(),
                                   nn.ELU(0.5, inplace=True), nn.Sigmoid(), nn.Tanh(), nn.ReLU6(),
                                   nn.Hardtanh(0.0, 6.0), nn.Hardsigmoid(), nn.Mish(), nn.Softmin(0),
                                   nn.LogSigmoid(), nn.Softsign(), nn.Tanhshrink(), nn.SELU(), nn.CELU(),
                                   nn.GLU(), nn.PReLU(3), nn.Threshold(0.1, 20.0))),
            ("losses", nn.ModuleList([nn.L1Loss(), nn.MSELoss(), nn.CrossEntropyLoss(label_smoothing=0.1),
                                      nn.BCEWithLogitsLoss(), nn.BCELoss(), nn.NLLLoss(), nn.KLDivLoss(),
                                      nn.SmoothL1Loss(), nn.HuberLoss()])),
            ("nobias", nn.Linear(3, 1, bias=False)),
        ]))

    assert repr(many(mt)) == repr(many(torch))
    assert str(many(mt)) == str(many(torch))


# ---- calling and hooks ------------------------------------------------------------------------------

def test_forward_hooks_like_torch():
    def run(L):
        calls = []
        m = L.nn.Linear(2, 2)
        with L.no_grad():
            m.weight.copy_(L.tensor([[1.0, 2.0], [3.0, 4.0]]))
            m.bias.zero_()

        def pre(module, args):
            calls.append(("pre", type(module).__name__, len(args)))
            return args[0] * 2                        # a single value replaces the args

        def pre_first(module, args):
            calls.append(("pre_first",))

        def post(module, args, output):
            calls.append(("post", tuple(output.shape)))
            return output + 1

        def post_kwargs(module, args, kwargs, output):
            calls.append(("post_kwargs", sorted(kwargs)))

        h1 = m.register_forward_pre_hook(pre)
        m.register_forward_pre_hook(pre_first, prepend=True)
        h2 = m.register_forward_hook(post)
        h3 = m.register_forward_hook(post_kwargs, with_kwargs=True)
        out1 = m(L.ones(1, 2)).tolist()
        h1.remove()
        h2.remove()
        h3.remove()
        out2 = m(L.ones(1, 2)).tolist()
        with m.register_forward_hook(post):
            out3 = m(L.ones(1, 2)).tolist()
        out4 = m(L.ones(1, 2)).tolist()
        return calls, out1, out2, out3, out4

    assert run(mt) == run(torch)


def test_pre_hook_with_kwargs_replaces_args_and_kwargs():
    def run(L):
        class Scale(L.nn.Module):
            def forward(self, x, factor=1.0):
                return x * factor

        m = Scale()
        m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] + 1,), {"factor": 3.0}),
                                    with_kwargs=True)
        return m(L.ones(2), factor=2.0).tolist()

    assert run(mt) == run(torch)


# ---- modes, gradients, conversions ---------------------------------------------------------------------

def test_train_eval_propagate():
    def run(L):
        m = make_model(L)
        states = [[x.training for x in m.modules()]]
        assert m.eval() is m
        states.append([x.training for x in m.modules()])
        m.blocks.train()
        states.append([x.training for x in m.modules()])
        return states

    ours = run(mt)
    assert ours == run(torch)
    assert all(ours[0]) and not any(ours[1]) and any(ours[2]) and not all(ours[2])


def test_zero_grad_and_requires_grad():
    m = make_block(mt)
    x = mt.ones(2, 3)
    m(x).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any().item() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    def run(L):
        seen = []
        make_model(L).apply(lambda mod: seen.append(type(mod).__name__))
        return seen

    assert run(mt) == run(torch)


def test_to_keeps_parameter_identity_and_converts_grads():
    m = make_block(mt)
    m(mt.ones(2, 3)).sum().backward()
    params = list(m.parameters())
    assert m.to(mt.float64) is m
    assert list(m.parameters()) == params
    assert all(p.dtype == mt.float64 and p.grad.dtype == mt.float64 for p in params)
    assert m.running.dtype == mt.float64 and m.scratch.dtype == mt.float64
    assert m.float() is m and m.scale.dtype == mt.float32 and m.scale.grad.dtype == mt.float32
    assert m.double() is m and m.half() is m and m.scale.dtype == mt.float16
    assert m.to("cpu") is m and m.cpu() is m and m.to(mt.device("cpu"), mt.float32) is m
    assert m.to(dtype=mt.float64).scale.dtype == mt.float64
    assert m.to(mt.zeros(1)).scale.dtype == mt.float32
    m.register_buffer("steps", mt.tensor(3))
    m.to(mt.float64)
    assert m.steps.dtype == mt.int64  # integer buffers keep their dtype
    out = m(mt.ones(2, 3, dtype=mt.float64))
    assert out.dtype == mt.float64


def test_module_to_device(device):
    m = make_block(mt)
    m(mt.ones(2, 3)).sum().backward()
    params = list(m.parameters())
    assert m.to(device) is m and list(m.parameters()) == params
    assert all(p.device.type == device and p.grad.device.type == device for p in params)
    assert m.running.device.type == device
    out = m(mt.ones(2, 3, device=device))
    assert out.device.type == device
    m.cpu()
    assert all(p.device.type == "cpu" for p in m.parameters())


def test_deepcopy_and_pickle_module():
    m = mt.nn.Sequential(mt.nn.Linear(2, 3), mt.nn.ReLU(), mt.nn.ModuleList([mt.nn.Linear(3, 3)]))
    m.register_buffer("steps", mt.tensor([1, 2]))
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert repr(clone) == repr(m)
        assert names(clone.named_parameters()) == names(m.named_parameters())
        assert clone.steps.tolist() == [1, 2]
        for a, b in zip(clone.parameters(), m.parameters()):
            assert type(a) is mt.nn.Parameter and a is not b
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    model = make_model(mt)  # a class defined in a function: deepcopy only (pickle needs an importable class)
    clone = copy.deepcopy(model)
    assert repr(clone) == repr(model) and clone.blocks[0].name == "block"


# ---- containers ---------------------------------------------------------------------------------

def describe(seq):
    return [(k, type(v).__name__) for k, v in seq._modules.items()]


def test_sequential_like_torch():
    def run(L):
        nn = L.nn
        out = []
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        out.append((len(s), type(s[0]).__name__, type(s[-1]).__name__, type(s[1:]).__name__, describe(s[1:])))
        out.append(describe(s[::-1]))
        s.append(nn.Tanh())
        s.insert(1, nn.Sigmoid())
        s.insert(-1, nn.GELU())
        s.extend([nn.SiLU(), nn.ELU()])
        out.append(describe(s))
        del s[2]
        out.append(describe(s))
        del s[1:3]
        out.append(describe(s))
        s[0] = nn.Identity()
        out.append(describe(s))
        out.append(describe(s + nn.Sequential(nn.ReLU())))
        out.append(describe(s * 2))
        out.append(type(s.pop(0)).__name__)
        out.append([type(m).__name__ for m in s])
        named = nn.Sequential(OrderedDict([("conv", nn.Linear(1, 1)), ("act", nn.ReLU())]))
        out.append((list(named.state_dict()), describe(named[1:]), type(named.act).__name__))
        return out

    assert run(mt) == run(torch)
    check_same_error(lambda L: L.nn.Sequential(L.nn.ReLU())[3])
    check_same_error(lambda L: L.nn.Sequential(L.nn.ReLU()) + [1])
    check_same_error(lambda L: L.nn.Sequential(L.nn.ReLU()).insert(5, L.nn.ReLU()))


def test_sequential_forward_and_state_dict_keys():
    tm = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1))
    mm = mt.nn.Sequential(mt.nn.Linear(2, 5), mt.nn.ReLU(), mt.nn.Linear(5, 1))
    assert list(mm.state_dict()) == list(tm.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    mm.load_state_dict(to_mt_state(tm))
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_allclose(mm(mt.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-7)


def test_module_list_and_dict_like_torch():
    def run(L):
        nn = L.nn
        out = []
        ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
        ml.append(nn.GELU())
        ml.extend([nn.SiLU()])
        ml.insert(1, nn.ELU())
        ml += [nn.Sigmoid()]
        out.append(describe(ml))
        del ml[0]
        out.append((describe(ml), type(ml[-1]).__name__, describe(ml[1:3]), len(ml)))
        ml[0] = nn.Identity()
        out.append(describe(ml + nn.ModuleList([nn.ReLU()])))
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
        md["c"] = nn.GELU()
        md.update([("d", nn.SiLU())])
        out.append((list(md), list(md.keys()), "a" in md, len(md), type(md.pop("b")).__name__, describe(md)))
        pl = nn.ParameterList([nn.Parameter(L.ones(1)), L.zeros(2)])
        pl.append(L.ones(3))
        out.append((len(pl), [type(p).__name__ for p in pl], names(pl.named_parameters()), len(pl[1:])))
        pd = nn.ParameterDict({"w": L.ones(2), "a": nn.Parameter(L.zeros(1))})
        pd["z"] = L.ones(1)
        out.append((list(pd), list(pd.keys()), names(pd.named_parameters()), type(pd["w"]).__name__, len(pd),
                    "w" in pd))
        return out

    assert run(mt) == run(torch)
    check_same_error(lambda L: L.nn.ModuleList([L.nn.ReLU()])[2])
    check_same_error(lambda L: L.nn.ModuleList(3))
    check_same_error(lambda L: L.nn.ParameterList()(1))
    check_same_error(lambda L: L.nn.ModuleDict([("a", L.nn.ReLU(), 3)]))


def test_flatten_unflatten_identity():
    x = mt.zeros(2, 3, 4, 5)
    assert mt.nn.Flatten()(x).shape == (2, 60)
    assert mt.nn.Flatten(2, 3)(x).shape == (2, 3, 20)
    assert mt.nn.Flatten(0, -1)(x).shape == (120,)
    assert mt.nn.Unflatten(1, (3, 1))(mt.zeros(2, 3)).shape == (2, 3, 1)
    assert mt.nn.Unflatten(-1, [2, -1])(mt.zeros(2, 6)).shape == (2, 2, 3)
    assert mt.nn.Identity(3, foo=1)(x) is x
    check_same_error(lambda L: L.nn.Unflatten(1, 5))
    check_same_error(lambda L: L.nn.Unflatten(1, (2.0, 3)))


def test_linear_arguments():
    m = mt.nn.Linear(3, 2, bias=False, dtype=mt.float64)
    assert m.bias is None and m.weight.dtype == mt.float64 and m.weight.shape == (2, 3)
    assert list(m.state_dict()) == ["weight"]
    assert m(mt.ones(3, dtype=mt.float64)).shape == (2,)
    assert m(mt.ones(4, 5, 3, dtype=mt.float64)).shape == (4, 5, 2)
    ours, theirs = check_same_error(lambda L: L.nn.Linear(3, 2)(L.ones(4, 2)))
    assert ours == theirs
