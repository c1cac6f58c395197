"""Tensor creation, dtypes and promotion, attributes, conversions, printing and errors, against torch."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import assert_close, check_op, check_same_error


def same(fn):
    assert_close(fn(mt), fn(torch), 1e-6, 1e-7)


# ---- creation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    3, 2.5, True, [1, 2, 3], [1.0, 2], [[True, False]], [[1, 2], [3, 4]], [], [[]], (1, 2.5),
    np.arange(6, dtype=np.int16).reshape(2, 3), np.float64(1.5), np.array([1.5], dtype=np.float64),
    [np.float64(1.0), np.float64(2.0)], [np.int32(3)],
])
def test_tensor_from_data_infers_torch_dtype(data):
    same(lambda L: L.tensor(data))


def test_tensor_dtype_device_requires_grad_args(device):
    t = mt.tensor([1, 2], dtype=mt.float64, device=device, requires_grad=True)
    assert t.dtype is mt.float64 and t.requires_grad and t.device.type == device
    assert str(mt.tensor([1.0], device=device).device).startswith(device)


def test_tensor_of_tensors_and_copy_warning():
    same(lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0)]))
    with pytest.warns(UserWarning, match="clone"):
        mt.tensor(mt.ones(2))


@pytest.mark.parametrize("bad", [[[1, 2], [3]], "abc", [["a"]], {1: 2}])
def test_tensor_bad_data_errors(bad):
    check_same_error(lambda L: L.tensor(bad))


def test_factories_match_torch():
    same(lambda L: (L.zeros(2, 3), L.ones((2,)), L.zeros(size=(1, 2)), L.ones(size=[3]), L.empty(2, 0).shape,
                    L.full((2, 2), 7), L.full((2,), 1.5), L.full((1,), True), L.eye(3), L.eye(2, 3),
                    L.zeros(2, dtype=L.int32), L.ones_like(L.zeros(2, dtype=L.float64)),
                    L.zeros_like(input=L.ones(3)), L.full_like(L.ones(2), 4), L.empty_like(L.ones(3)).shape))


@pytest.mark.parametrize("args", [(5,), (0, 1, 0.02), (-3.3, 100.7, 0.37), (1, 10, 3), (10, 0, -1.5),
                                  (0.5, 1e5, 0.77), (0, 1e6, 0.3), (5.0,), (2, 9)])
def test_arange_matches_torch_to_the_bit(args):
    t, m = torch.arange(*args), mt.arange(*args)
    assert repr(m.dtype) == str(t.dtype)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_arange_keywords_dtype_and_errors():
    same(lambda L: (L.arange(start=0, end=5, step=2), L.arange(5, dtype=L.float64), L.arange(0, 1, 0.1, dtype=L.float64)))
    for args in [(0, 10, -1), (0, 10, 0)]:
        check_same_error(lambda L: L.arange(*args))


@pytest.mark.parametrize("args", [(0, 1, 50), (-2.5, 7.1, 1001), (3, -9.7, 77777), (0, 1, 1), (0, 1, 0), (2, 2, 5)])
def test_linspace_matches_torch(args):
    np.testing.assert_array_equal(mt.linspace(*args).numpy(), torch.linspace(*args).numpy())
    # float64: torch fuses a multiply-add we cannot express in NumPy; the values agree to 1 ulp
    np.testing.assert_allclose(mt.linspace(*args, dtype=mt.float64).numpy(),
                               torch.linspace(*args, dtype=torch.float64).numpy(), rtol=3e-16, atol=1e-15)


def test_range_is_deprecated_and_inclusive():
    with pytest.warns(UserWarning, match="deprecated"):
        m = mt.range(0, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.range(0, 10)
    assert_close(m, t, 0, 0)


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = mt.from_numpy(a)
    assert t.dtype is mt.float64
    a[0, 0] = 100
    assert t[0, 0].item() == 100
    t.add_(1)
    assert a[0, 0] == 101
    assert t.numpy() is a
    check_same_error(lambda L: L.from_numpy(np.arange(5)[::-1]))
    check_same_error(lambda L: L.from_numpy(np.array(["a"])))


def test_as_tensor_shares_when_possible():
    a = np.ones(3, dtype=np.float32)
    assert mt.as_tensor(a).numpy() is a
    assert mt.as_tensor(a, dtype=mt.float64).dtype is mt.float64
    t = mt.ones(2)
    assert mt.as_tensor(t) is t


def test_size_argument_forms_and_errors():
    same(lambda L: (L.zeros(2, 3).shape, L.zeros((2, 3)).shape, L.zeros([2, 3]).shape, L.rand(size=(2,)).shape))
    check_same_error(lambda L: L.zeros(-1))


# ---- dtypes and promotion -----------------------------------------------------------------------------

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_promote_types_matches_torch(a, b):
    assert repr(mt.promote_types(getattr(mt, a), getattr(mt, b))) == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("other", [1, 2.5, True, "0d_float64", "0d_int64", "1d_float16", "1d_int8"])
def test_result_type_of_binary_ops(a, other):
    def run(L):
        x = L.ones(3, dtype=getattr(L, a))
        o = {"0d_float64": L.tensor(2.0, dtype=L.float64), "0d_int64": L.tensor(3),
             "1d_float16": L.ones(3, dtype=L.float16), "1d_int8": L.ones(3, dtype=L.int8)}.get(other, other)
        return str(L.result_type(x, o)).replace("torch.", ""), str((x * o).dtype).replace("torch.", "")
    assert run(mt) == run(torch)


def test_conversion_methods_and_type():
    same(lambda L: (L.ones(2).long(), L.ones(2).int(), L.ones(2).half(), L.ones(2).double(), L.ones(2).bool(),
                    L.ones(2).byte(), L.ones(2).char(), L.ones(2).short(), L.ones(2, dtype=L.int64).float(),
                    L.ones(2).type(L.int8), L.ones(2).type(L.LongTensor), L.ones(2).to(L.float64),
                    L.ones(2).to("cpu", L.int16), L.ones(2).to(dtype=L.float16), L.ones(2).type("torch.DoubleTensor")))
    assert mt.ones(2).type() == torch.ones(2).type() == "torch.FloatTensor"
    assert mt.ones(2, dtype=mt.int64).type() == "torch.LongTensor"
    assert isinstance(mt.ones(2, dtype=mt.int64), mt.LongTensor)
    assert not isinstance(mt.ones(2), mt.LongTensor)
    assert mt.FloatTensor([1, 2]).dtype is mt.float32
    assert repr(mt.LongTensor) == repr(torch.LongTensor)
    t = mt.ones(2)
    assert t.to(mt.float32) is t and t.to("cpu") is t


def test_dtype_objects_and_default_dtype():
    assert repr(mt.float32) == "torch.float32" and mt.float is mt.float32 and mt.long is mt.int64
    assert mt.float32.is_floating_point and not mt.int64.is_floating_point
    assert mt.float32.itemsize == 4
    mt.set_default_dtype(mt.float64)
    assert mt.tensor([1.5]).dtype is mt.float64 and mt.ones(1).dtype is mt.float64
    assert (mt.ones(1, dtype=mt.int64) / 2).dtype is mt.float64
    mt.set_default_dtype(mt.float32)


# ---- attributes ---------------------------------------------------------------------------------------

def test_attributes_match_torch():
    same(lambda L: (tuple(L.ones(2, 3).shape), L.ones(2, 3).size(1), L.ones(2, 3).size(-2), L.ones(2, 3).ndim,
                    L.ones(2, 3).dim(), L.ones(2, 3).numel(), L.ones(2, 3).T.shape, L.ones(2, 3).T.stride(),
                    L.ones(2, 3).element_size(), L.ones(2, 3).is_contiguous(), L.ones(2, 3).T.is_contiguous(),
                    L.ones(4)[1:].storage_offset(), L.ones(2).is_leaf, L.ones(2).requires_grad, len(L.ones(5, 2))))
    assert repr(mt.ones(2, 3).shape) == "torch.Size([2, 3])"
    assert isinstance(mt.ones(2).shape, tuple) and mt.ones(2, 3).shape.numel() == 6
    assert repr(mt.ones(1).device) == "device(type='cpu')" and str(mt.ones(1).device) == "cpu"
    assert repr(mt.device("cuda", 0)) == repr(torch.device("cuda", 0))
    check_same_error(lambda L: L.device("gpu"))


# ---- conversions to Python ------------------------------------------------------------------------------

def test_python_conversions():
    same(lambda L: (L.tensor(2.5).item(), L.tensor([3]).item(), L.tensor([[1, 2]]).tolist(), float(L.tensor(1.5)),
                    int(L.tensor(2.7)), bool(L.tensor([0.0])), [1, 2, 3][L.tensor(1)], [1, 2][L.tensor([1])],
                    f"{L.tensor(0.123456):.3f}", f"{L.tensor(2.0)}", len(L.zeros(4, 2)), 2 in L.tensor([1, 2])))
    for fn in (lambda L: L.ones(2).item(), lambda L: bool(L.ones(2)), lambda L: [0][L.tensor(0.5)],
               lambda L: len(L.tensor(1.0)), lambda L: float(L.ones(2)), lambda L: iter(L.tensor(1.0))):
        msg, t_msg = check_same_error(fn)
        assert msg == t_msg


def test_numpy_bridge_errors_and_array_protocol():
    msg, t_msg = check_same_error(lambda L: L.ones(2, requires_grad=True).numpy())
    assert msg == t_msg
    a = np.asarray(mt.arange(3.0))
    assert a.dtype == np.float32 and a.tolist() == [0.0, 1.0, 2.0]
    assert np.linspace(mt.tensor(0.0), mt.tensor(1.0), 3).tolist() == [0.0, 0.5, 1.0]
    t = mt.ones(2)
    assert hash(t) == id(t) or hash(t) == object.__hash__(t)


def test_format_of_non_scalar_like_torch():
    same(lambda L: f"{L.tensor([1.0, 2.0])}")
    check_same_error(lambda L: f"{L.tensor([1.0, 2.0]):.2f}")


def test_repr_matches_torch():
    same(lambda L: (repr(L.tensor([1.0, 2.5])), repr(L.ones(2, requires_grad=True)),
                    repr(L.ones(2, requires_grad=True) * 2), repr(L.ones(2, dtype=L.float64)),
                    repr(L.arange(3000)), repr(L.tensor([True, False])), repr(L.zeros(0, 3)),
                    repr(L.ones(2, 3, requires_grad=True)[:, 1]), str(L.tensor(3.0))))


def test_pickle_and_deepcopy_round_trip():
    t = mt.tensor([[1.0, 2.0]], requires_grad=True)
    t.grad = mt.ones(1, 2)
    for c in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t)):
        assert c.tolist() == t.tolist() and c.requires_grad
    assert copy.deepcopy(t).grad.tolist() == [[1.0, 1.0]]
    check_same_error(lambda L: copy.deepcopy(L.ones(2, requires_grad=True) * 2))


# ---- views share memory ---------------------------------------------------------------------------------

def test_view_setitem_changes_base_like_torch():
    def run(L):
        x = L.arange(12.0)
        z = x.view(3, 4)
        z[:, 0] = 5
        y = x.reshape(4, 3)
        y[0] += 100
        s = x[2:6]
        s.mul_(-1)
        t = x.view(3, 4).t()
        t[1, 1] = 42
        return x, x._version > 0
    same(run)


def test_view_errors_like_torch():
    msg, t_msg = check_same_error(lambda L: L.ones(2, 3).t().view(6))
    assert msg == t_msg
    msg, t_msg = check_same_error(lambda L: L.ones(6).view(4, -1))
    assert msg == t_msg


# ---- error messages for shape, dim and index mistakes -------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda L: L.ones(3, 2) @ L.ones(3, 2),
    lambda L: L.matmul(L.ones(3), L.ones(4)),
    lambda L: L.ones(2, 3) @ L.ones(2),
    lambda L: L.ones(3) @ L.ones(2, 3),
    lambda L: L.ones(4, 2, 3) @ L.ones(4, 2, 3),
    lambda L: L.ones(4, 2, 3) @ L.ones(2, 3),
    lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64),
    lambda L: L.ones(2, 2, dtype=L.int64) @ L.ones(2, 2),
    lambda L: L.matmul(L.tensor(1.0), L.ones(2)),
    lambda L: L.mm(L.ones(2, 2, 2), L.ones(2, 2)),
    lambda L: L.bmm(L.ones(2, 3, 4), L.ones(3, 4, 4)),
    lambda L: L.dot(L.ones(3, 1), L.ones(3)),
    lambda L: L.ones(2, 3) + L.ones(3, 2),
    lambda L: L.ones(2, 3).sum(dim=2),
    lambda L: L.ones(2, 3).transpose(0, 3),
    lambda L: L.ones(2, 3)[2],
    lambda L: L.ones(2, 3)[0, 0, 0],
    lambda L: L.ones(2, 3)[:, 5],
    lambda L: L.ones(3)[L.tensor([0, 5])],
    lambda L: L.ones(3)[L.tensor([0.5])],
    lambda L: L.ones(2, 3).reshape(4, 2),
    lambda L: L.ones(2, 3).permute(0, 1, 2),
    lambda L: L.ones(3).expand(2, 4),
    lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
    lambda L: L.stack([L.ones(2), L.ones(3)]),
    lambda L: L.ones(2, 3).t().t().view(6).view(3, 3),
    lambda L: L.ones(2).mean(dtype=None) if False else L.ones(2, dtype=L.int64).mean(),
    lambda L: L.ones(3).unsqueeze(2),
    lambda L: L.ones(3).squeeze(1),
    lambda L: L.ones(3) - L.ones(3, dtype=L.bool) if False else L.ones(3, dtype=L.bool) - L.ones(3, dtype=L.bool),
    lambda L: -L.ones(3, dtype=L.bool),
    lambda L: L.ones(2, 3).t().t().max(dim=5),
    lambda L: L.zeros(0).max(),
    lambda L: L.ones(3).gather(0, L.tensor([5])),
    lambda L: L.ones(3).masked_fill(L.ones(3), 0),
    lambda L: L.where(L.ones(3), L.ones(3), L.zeros(3)),
    lambda L: L.ones(2, 3).flatten(1, 0),
    lambda L: L.ones(2, 3).unflatten(1, (2, 2)),
    lambda L: L.ones(2, 3).split([1, 1], dim=1),
    lambda L: L.ones(2).t().t().t() if False else L.ones(2, 3, 4).t(),
    lambda L: L.ones(2, 3).repeat(2),
    lambda L: L.ones(2, 3).mT if False else L.ones(3).mT,
    lambda L: L.ones(3).topk(4),
])
def test_errors_match_torch(fn):
    msg, t_msg = check_same_error(fn)
    assert msg == t_msg


# ---- random numbers through the factories -------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 42, 1234])
def test_seeded_factories_match_torch_bit_for_bit(seed):
    def run(L):
        L.manual_seed(seed)
        return (L.rand(3, 4), L.randn(5), L.randn(40), L.rand(2, dtype=L.float64), L.randint(0, 10, (6,)),
                L.randint(5, size=(3,)), L.randperm(10), L.normal(2.0, 3.0, size=(20,)), L.randn(2, 3),
                L.empty(17).uniform_(-1, 1), L.empty(33).normal_(1.0, 0.5))
    ours, theirs = run(mt), run(torch)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.numpy(), t.numpy())


def test_manual_seed_returns_generator_and_generator_argument():
    g = mt.manual_seed(3)
    assert isinstance(g, mt.Generator)
    gm, gt = mt.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    np.testing.assert_array_equal(mt.randperm(20, generator=gm).numpy(), torch.randperm(20, generator=gt).numpy())


# ---- in-place and operator forms ------------------------------------------------------------------------

def test_inplace_operator_forms():
    def run(L):
        x = L.arange(6.0).reshape(2, 3)
        x += 1
        x *= 2
        x -= L.ones(3)
        x /= 4
        x **= 2
        y = L.arange(6).reshape(2, 3)
        y //= 2
        y %= 2
        b = L.tensor([True, False])
        b &= L.tensor([True, True])
        b |= L.tensor([False, False])
        return x, y, b, x.clamp_(0, 2), x.zero_(), L.ones(3).fill_(7), L.ones(3).copy_(L.tensor([1.0, 2.0, 3.0]))
    same(run)


def test_reflected_operators():
    same(lambda L: (1 + L.ones(2), 3 - L.ones(2), 2 * L.ones(2), 1 / L.full((2,), 4.0), 2 ** L.ones(2),
                    5 // L.full((2,), 2), 7 % L.full((2,), 3), np.float64(2.0) * L.ones(2), L.ones(2) * np.float32(3),
                    1 / (1 + L.exp(-L.tensor([0.5, -0.5])))))


def test_getitem_with_sklearn_style_index():
    check_op(lambda L, a: a[np.array([3, 0, 1]), ...], [(4, 2)])
