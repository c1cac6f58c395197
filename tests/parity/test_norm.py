"""Normalization and dropout against torch: the layers whose behaviour depends on train/eval mode.

batch_norm / layer_norm / group_norm: forward, input grads, parameter grads and running statistics
(float64 tight, float32 ~1e-5), in training and eval mode. Dropout: the same elements dropped as
torch for the same seed (the generator reproduces torch's bernoulli stream), train/eval/p=0/p=1.
"""
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import check_op, check_same_error
from layer_harness import check_module


def F(L):
    return L.nn.functional


# ---- functional ------------------------------------------------------------------------------------------------

def _batch_norm_with_stats(training, momentum=0.3, affine=True):
    """batch_norm on fresh running stats; returns the output and the updated running stats."""
    def fn(L, x, w, b, mean, var):
        mean, var = mean.detach().clone(), var.detach().abs() + 0.5
        out = F(L).batch_norm(x, mean, var, w if affine else None, b if affine else None, training=training,
                              momentum=momentum, eps=1e-3)
        return out, mean, var
    return fn


NORM_CASES = [
    ("bn_train_4d", _batch_norm_with_stats(True), [(4, 3, 5, 6), (3,), (3,), (3,), (3,)]),
    ("bn_eval_4d", _batch_norm_with_stats(False), [(4, 3, 5, 6), (3,), (3,), (3,), (3,)]),
    ("bn_train_2d", _batch_norm_with_stats(True, momentum=0.1), [(8, 5), (5,), (5,), (5,), (5,)]),
    ("bn_train_3d_no_affine", _batch_norm_with_stats(True, affine=False), [(4, 3, 7), (3,), (3,), (3,), (3,)]),
    ("bn_eval_3d_no_affine", _batch_norm_with_stats(False, affine=False), [(4, 3, 7), (3,), (3,), (3,), (3,)]),
    ("bn_train_no_stats", lambda L, x: F(L).batch_norm(x, None, None, training=True), [(4, 3)]),
    ("bn_weight_only", lambda L, x, w: F(L).batch_norm(x, None, None, w, training=True), [(4, 3, 7), (3,)]),
    ("bn_bias_only", lambda L, x, b: F(L).batch_norm(x, None, None, None, b, training=True), [(4, 3, 7), (3,)]),
    ("bn_batch_2", lambda L, x, w, b: F(L).batch_norm(x, None, None, w, b, training=True), [(2, 3), (3,), (3,)]),
    ("ln_last", lambda L, x, w, b: F(L).layer_norm(x, (5,), w, b), [(4, 3, 5), (5,), (5,)]),
    ("ln_two_dims", lambda L, x, w, b: F(L).layer_norm(x, (3, 5), w, b, eps=1e-3), [(4, 3, 5), (3, 5), (3, 5)]),
    ("ln_no_affine", lambda L, x: F(L).layer_norm(x, (5,)), [(4, 3, 5)]),
    ("ln_weight_only", lambda L, x, w: F(L).layer_norm(x, [5], w), [(4, 3, 5), (5,)]),
    ("ln_1d", lambda L, x, w, b: F(L).layer_norm(x, (6,), w, b), [(6,), (6,), (6,)]),
    ("gn_2_groups", lambda L, x, w, b: F(L).group_norm(x, 2, w, b), [(4, 6, 5, 3), (6,), (6,)]),
    ("gn_no_affine", lambda L, x: F(L).group_norm(x, 3), [(4, 6, 5)]),
    ("gn_instance", lambda L, x, w, b: F(L).group_norm(x, 6, w, b), [(4, 6, 5, 3), (6,), (6,)]),
    ("gn_one_group", lambda L, x, w, b: F(L).group_norm(x, 1, w, b, eps=1e-2), [(2, 4, 3), (4,), (4,)]),
]


@pytest.mark.parametrize("name,fn,shapes", NORM_CASES, ids=[c[0] for c in NORM_CASES])
def test_norm(name, fn, shapes, device):
    check_op(fn, shapes, device=device, check_grad_fn=True)


def test_norm_large_offset():
    """Data far from zero: the two-pass variance stays accurate (a one-pass E[x^2] - E[x]^2 would
    lose every digit in float32 here). float32 is held to 1e-3: inputs near 1000 carry only
    ~6e-5 absolute precision, so x - mean is known to ~1e-4 relative in *any* implementation."""
    rng = np.random.default_rng(0)
    x = rng.uniform(999, 1001, (8, 64))
    w, b = rng.normal(size=64), rng.normal(size=64)
    fn = lambda L, x, w, b: F(L).layer_norm(x, (64,), w, b)  # noqa: E731
    check_op(fn, arrays=[x, w, b], dtypes=(np.float64,))
    check_op(fn, arrays=[x, w, b], dtypes=(np.float32,), rtol=1e-3)
    bn = lambda L, x: F(L).batch_norm(x, None, None, training=True)  # noqa: E731
    check_op(bn, arrays=[rng.uniform(999, 1001, (16, 4, 5))], dtypes=(np.float64,))
    check_op(bn, arrays=[rng.uniform(999, 1001, (16, 4, 5))], dtypes=(np.float32,), rtol=1e-3)


NORM_ERRORS = [
    lambda L: F(L).batch_norm(L.randn(1, 3), L.zeros(3), L.ones(3), training=True),
    lambda L: F(L).batch_norm(L.randn(4, 3, 5), None, None, training=False),
    lambda L: F(L).batch_norm(L.randn(4, 3, 5), L.zeros(4), L.ones(3), training=True),
    lambda L: F(L).batch_norm(L.randn(4, 3, 5), L.zeros(3), L.ones(3), L.ones(4), training=True),
    lambda L: F(L).batch_norm(L.ones(4, 3, dtype=L.int64), L.zeros(3), L.ones(3), training=True),
    lambda L: F(L).layer_norm(L.randn(4, 3, 5), (4,)),
    lambda L: F(L).layer_norm(L.randn(4, 3, 5), 5),
    lambda L: F(L).layer_norm(L.randn(4, 3, 5), (5,), L.ones(4)),
    lambda L: F(L).layer_norm(L.ones(4, 5, dtype=L.int64), (5,)),
    lambda L: F(L).group_norm(L.randn(4, 3, 5), 2),
    lambda L: F(L).group_norm(L.randn(4, 3, 5), 3, L.ones(2)),
    lambda L: L.nn.BatchNorm2d(3)(L.randn(4, 3, 5)),
    lambda L: L.nn.BatchNorm1d(3)(L.randn(4, 3, 5, 5)),
    lambda L: L.nn.BatchNorm1d(3)(L.randn(1, 3)),
    lambda L: L.nn.GroupNorm(2, 3),
]


@pytest.mark.parametrize("fn", NORM_ERRORS)
def test_norm_errors(fn):
    ours, theirs = check_same_error(fn)
    assert ours == theirs


# ---- layers ---------------------------------------------------------------------------------------------------

NORM_MODULES = [
    ("bn2d", lambda L: L.nn.BatchNorm2d(3), [(4, 3, 5, 6)]),
    ("bn2d_momentum_none", lambda L: L.nn.BatchNorm2d(3, momentum=None), [(4, 3, 5, 6)]),
    ("bn2d_no_affine", lambda L: L.nn.BatchNorm2d(3, affine=False), [(4, 3, 5, 6)]),
    ("bn2d_no_bias", lambda L: L.nn.BatchNorm2d(3, bias=False), [(4, 3, 5, 6)]),
    ("bn2d_untracked", lambda L: L.nn.BatchNorm2d(3, track_running_stats=False), [(4, 3, 5, 6)]),
    ("bn1d_2d_input", lambda L: L.nn.BatchNorm1d(5, eps=1e-3, momentum=0.5), [(8, 5)]),
    ("bn1d_3d_input", lambda L: L.nn.BatchNorm1d(3), [(4, 3, 7)]),
    ("layernorm", lambda L: L.nn.LayerNorm(5), [(4, 3, 5)]),
    ("layernorm_2d_shape", lambda L: L.nn.LayerNorm([3, 5], eps=1e-6), [(4, 3, 5)]),
    ("layernorm_no_affine", lambda L: L.nn.LayerNorm(5, elementwise_affine=False), [(4, 3, 5)]),
    ("layernorm_no_bias", lambda L: L.nn.LayerNorm(5, bias=False), [(4, 3, 5)]),
    ("groupnorm", lambda L: L.nn.GroupNorm(2, 4), [(3, 4, 5, 2)]),
    ("groupnorm_no_affine", lambda L: L.nn.GroupNorm(4, 4, affine=False), [(3, 4, 5)]),
]


@pytest.mark.parametrize("name,make,shapes", NORM_MODULES, ids=[c[0] for c in NORM_MODULES])
def test_norm_module(name, make, shapes, device):
    check_module(make, shapes, device=device)


def _pair(make):
    torch.manual_seed(0)
    t = make(torch).double()
    m = make(mt).double()
    m.load_state_dict({k: mt.tensor(v.numpy().copy()) for k, v in t.state_dict().items()})
    return t, m


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats_over_steps(momentum):
    """Several training batches, then eval: running stats, num_batches_tracked and eval outputs."""
    t, m = _pair(lambda L: L.nn.BatchNorm2d(3, momentum=momentum))
    rng = np.random.default_rng(0)
    for step in range(4):
        x = rng.normal(step, 1 + step, (5, 3, 4, 4))
        np.testing.assert_allclose(m(mt.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(m, name).numpy(), getattr(t, name).numpy(), rtol=1e-12)
    assert m.num_batches_tracked.item() == t.num_batches_tracked.item() == 4
    assert m.num_batches_tracked.dtype == mt.int64
    t.eval(), m.eval()
    x = rng.normal(size=(2, 3, 4, 4))
    np.testing.assert_allclose(m(mt.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_batchnorm_eval_without_running_stats_uses_batch():
    t, m = _pair(lambda L: L.nn.BatchNorm1d(3, track_running_stats=False))
    t.eval(), m.eval()
    x = np.random.default_rng(0).normal(size=(6, 3))
    np.testing.assert_allclose(m(mt.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    assert m.running_mean is None and m.num_batches_tracked is None


def test_batchnorm_eval_batch_of_one():
    t, m = _pair(lambda L: L.nn.BatchNorm1d(3))
    t.eval(), m.eval()
    x = np.random.default_rng(0).normal(size=(1, 3))
    np.testing.assert_allclose(m(mt.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_norm_state_dict_keys():
    for make in (lambda L: L.nn.BatchNorm1d(3), lambda L: L.nn.BatchNorm2d(3, affine=False),
                 lambda L: L.nn.BatchNorm2d(3, track_running_stats=False), lambda L: L.nn.LayerNorm(5, bias=False),
                 lambda L: L.nn.GroupNorm(2, 4)):
        t, m = make(torch), make(mt)
        assert list(m.state_dict()) == list(t.state_dict())
        assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]


NORM_REPRS = [
    lambda L: L.nn.BatchNorm2d(3),
    lambda L: L.nn.BatchNorm1d(3, momentum=None, affine=False, track_running_stats=False),
    lambda L: L.nn.BatchNorm1d(3, eps=1e-3, bias=False),
    lambda L: L.nn.LayerNorm(5),
    lambda L: L.nn.LayerNorm((4, 5), elementwise_affine=False),
    lambda L: L.nn.LayerNorm(5, bias=False),
    lambda L: L.nn.GroupNorm(2, 4),
    lambda L: L.nn.GroupNorm(2, 4, affine=False),
    lambda L: L.nn.Dropout(),
    lambda L: L.nn.Dropout(p=0.1, inplace=True),
    lambda L: L.nn.Dropout2d(0.3),
]


@pytest.mark.parametrize("make", NORM_REPRS)
def test_reprs(make):
    assert repr(make(mt)) == repr(make(torch))


# ---- dropout ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(7,), (32, 100), (4, 3, 5, 5)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_same_mask_as_torch(p, shape, dtype):
    """Seeded dropout drops exactly torch's elements and scales exactly as torch; the stream then
    continues identically."""
    x = np.random.default_rng(0).normal(size=shape).astype(dtype)
    torch.manual_seed(3)
    t = torch.tensor(x, requires_grad=True)
    t_out = torch.nn.functional.dropout(t, p)
    t_after = torch.rand(3)
    mt.manual_seed(3)
    m = mt.tensor(x, requires_grad=True)
    m_out = mt.nn.functional.dropout(m, p)
    m_after = mt.rand(3)
    np.testing.assert_array_equal(m_out.detach().numpy(), t_out.detach().numpy())
    np.testing.assert_array_equal(m_after.numpy(), t_after.numpy())
    g = np.random.default_rng(1).normal(size=shape).astype(dtype)
    t_out.backward(torch.tensor(g))
    m_out.backward(mt.tensor(g))
    np.testing.assert_array_equal(m.grad.numpy(), t.grad.numpy())
    assert m_out.grad_fn.name() == type(t_out.grad_fn).__name__


@pytest.mark.parametrize("view", [lambda a: a.transpose(0, 2), lambda a: a.permute(1, 2, 0), lambda a: a[:, ::2],
                                  lambda a: a.transpose(0, 1)[:, :1]])
def test_dropout_non_contiguous_same_mask_as_torch(view):
    """torch draws the mask in the input's memory order (empty_like keeps a transposed layout)."""
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    torch.manual_seed(0)
    t_out = torch.nn.functional.dropout(view(torch.tensor(x)), 0.5)
    mt.manual_seed(0)
    m_out = mt.nn.functional.dropout(view(mt.tensor(x)), 0.5)
    np.testing.assert_array_equal(m_out.numpy(), t_out.numpy())


@pytest.mark.filterwarnings("ignore:dropout2d")
@pytest.mark.parametrize("shape", [(4, 6, 5, 5), (4, 6, 7)])
def test_dropout2d_same_mask_as_torch(shape):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    torch.manual_seed(5)
    t_out = torch.nn.functional.dropout2d(torch.tensor(x), 0.4)
    mt.manual_seed(5)
    m_out = mt.nn.functional.dropout2d(mt.tensor(x), 0.4)
    np.testing.assert_array_equal(m_out.numpy(), t_out.numpy())


def test_dropout_modes_and_extremes():
    for L in (torch, mt):
        x = L.ones(1000)
        drop = L.nn.Dropout(0.5)
        drop.eval()
        assert drop(x) is x                                     # eval: identity, same object
        assert F(L).dropout(x, 0.0) is x                          # p=0: identity
        assert F(L).dropout(x, 0.5, training=False) is x
        zeroed = F(L).dropout(x, 1.0)
        assert float(zeroed.abs().sum()) == 0.0
    L.manual_seed(0)
    # p=0, p=1 and eval draw no random numbers, as in torch
    torch.manual_seed(0), mt.manual_seed(0)
    torch.nn.functional.dropout(torch.ones(5), 1.0), mt.nn.functional.dropout(mt.ones(5), 1.0)
    np.testing.assert_array_equal(mt.rand(4).numpy(), torch.rand(4).numpy())


def test_dropout_statistics():
    mt.manual_seed(0)
    out = mt.nn.functional.dropout(mt.ones(100_000), 0.3).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[kept], np.float32(1) / np.float32(0.7))


def test_dropout_inplace():
    for L in (torch, mt):
        L.manual_seed(1)
        x = L.ones(10)
        y = F(L).dropout(x, 0.5, inplace=True)
        assert y is x
    torch.manual_seed(1), mt.manual_seed(1)
    a, b = torch.ones(10), mt.ones(10)
    torch.nn.functional.dropout(a, 0.5, inplace=True), mt.nn.functional.dropout(b, 0.5, inplace=True)
    np.testing.assert_array_equal(b.numpy(), a.numpy())


def test_dropout_module_training_matches_torch():
    """A seeded model with dropout trains like torch's: same masks, same outputs, same grads."""
    def make(L):
        return L.nn.Sequential(L.nn.Linear(6, 8), L.nn.ReLU(), L.nn.Dropout(0.4), L.nn.Linear(8, 2))
    t, m = _pair(make)
    x = np.random.default_rng(0).normal(size=(16, 6))
    torch.manual_seed(7), mt.manual_seed(7)
    for _ in range(3):
        t_out, m_out = t(torch.tensor(x)), m(mt.tensor(x))
        np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10)
        t_out.square().sum().backward()
        m_out.square().sum().backward()
        for (name, tp), mp in zip(t.named_parameters(), m.parameters()):
            np.testing.assert_allclose(mp.grad.numpy(), tp.grad.numpy(), rtol=1e-10, err_msg=name)


DROPOUT_ERRORS = [
    lambda L: F(L).dropout(L.ones(3), 1.5),
    lambda L: F(L).dropout2d(L.ones(3, 3, 3), -0.1),
    lambda L: L.nn.Dropout(2),
]


@pytest.mark.parametrize("fn", DROPOUT_ERRORS)
def test_dropout_errors(fn):
    ours, theirs = check_same_error(fn)
    assert ours == theirs
