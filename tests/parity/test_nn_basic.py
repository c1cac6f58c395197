"""Layers and activations against torch: forward, input gradients and parameter gradients.

Functional forms go through `check_op` (one line per case). Modules go through `check_module`:
the same architecture is built in both libraries, torch's weights are copied into ours, and the
outputs, the input gradients and every parameter's gradient are compared, in float64 and float32.
"""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import TOLERANCE, TORCH_DTYPE, assert_close, check_op, check_same_error, mt_leaf, random_inputs, torch_leaf

MT_DTYPE = {np.float64: mt.float64, np.float32: mt.float32}


def check_module(build, shapes, *, device="cpu", dtypes=(np.float64, np.float32), low=-2.0, high=2.0,
                 train=True, seed=0, rtol=None, atol=None):
    """Compare build(torch) and build(minitorch_lite) with identical weights on identical inputs."""
    for dtype in dtypes:
        torch.manual_seed(seed)
        t_mod = build(torch).to(TORCH_DTYPE[dtype])
        m_mod = build(mt).to(MT_DTYPE[dtype])
        m_mod.load_state_dict({k: mt.tensor(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()})
        m_mod.to(device)
        t_mod.train(train)
        m_mod.train(train)
        r, a = TOLERANCE[dtype]
        r, a = rtol or r, atol or a
        arrays = random_inputs(shapes, dtype, low, high, seed)
        t_in = [torch_leaf(x.copy(), True) for x in arrays]
        m_in = [mt_leaf(x.copy(), True, device) for x in arrays]
        t_out, m_out = t_mod(*t_in), m_mod(*m_in)
        assert_close(m_out, t_out, r, a, f"forward ({dtype.__name__})")
        upstream = np.random.default_rng(seed + 1).uniform(-1, 1, size=tuple(t_out.shape)).astype(dtype)
        t_out.backward(torch.from_numpy(upstream.copy()))
        m_out.backward(mt.tensor(upstream, device=device))
        for i, (tx, mx) in enumerate(zip(t_in, m_in)):
            assert_close(mx.grad, tx.grad, r, a, f"input grad {i} ({dtype.__name__})")
        t_params, m_params = dict(t_mod.named_parameters()), dict(m_mod.named_parameters())
        assert list(m_params) == list(t_params)
        for name, tp in t_params.items():
            assert_close(m_params[name].grad, tp.grad, r, a, f"grad of {name} ({dtype.__name__})")


# ---- modules ------------------------------------------------------------------------------------------

MODULES = [
    ("linear", lambda L: L.nn.Linear(5, 3), [(4, 5)]),
    ("linear_nobias", lambda L: L.nn.Linear(5, 3, bias=False), [(4, 5)]),
    ("linear_1d_input", lambda L: L.nn.Linear(5, 3), [(5,)]),
    ("linear_3d_input", lambda L: L.nn.Linear(5, 3), [(2, 4, 5)]),
    ("linear_4d_input_nobias", lambda L: L.nn.Linear(5, 3, bias=False), [(2, 3, 4, 5)]),
    ("mlp", lambda L: L.nn.Sequential(L.nn.Linear(2, 10), L.nn.ReLU(), L.nn.Linear(10, 10), L.nn.Tanh(),
                                      L.nn.Linear(10, 1)), [(8, 2)]),
    ("mlp_ordered", lambda L: L.nn.Sequential(OrderedDict([
        ("flat", L.nn.Flatten()), ("fc", L.nn.Linear(12, 4)), ("act", L.nn.GELU()),
        ("out", L.nn.Linear(4, 6)), ("unflat", L.nn.Unflatten(1, (2, 3))), ("soft", L.nn.LogSoftmax(dim=2))])),
     [(3, 3, 4)]),
    ("identity", lambda L: L.nn.Identity(), [(2, 3)]),
    ("flatten_mid", lambda L: L.nn.Flatten(1, 2), [(2, 3, 4, 5)]),
    ("prelu_1", lambda L: L.nn.PReLU(), [(4, 3, 5)]),
    ("prelu_channels", lambda L: L.nn.PReLU(3), [(4, 3, 5)]),
    ("relu", lambda L: L.nn.ReLU(), [(4, 6)]),
    ("relu6", lambda L: L.nn.ReLU6(), [(4, 6)]),
    ("leaky_relu", lambda L: L.nn.LeakyReLU(0.2), [(4, 6)]),
    ("gelu", lambda L: L.nn.GELU(), [(4, 6)]),
    ("gelu_tanh", lambda L: L.nn.GELU("tanh"), [(4, 6)]),
    ("silu", lambda L: L.nn.SiLU(), [(4, 6)]),
    ("mish", lambda L: L.nn.Mish(), [(4, 6)]),
    ("sigmoid", lambda L: L.nn.Sigmoid(), [(4, 6)]),
    ("tanh", lambda L: L.nn.Tanh(), [(4, 6)]),
    ("softmax", lambda L: L.nn.Softmax(dim=1), [(4, 6)]),
    ("softmax_neg_dim", lambda L: L.nn.Softmax(dim=-2), [(3, 4, 6)]),
    ("log_softmax", lambda L: L.nn.LogSoftmax(dim=0), [(4, 6)]),
    ("softmin", lambda L: L.nn.Softmin(dim=1), [(4, 6)]),
    ("hardswish", lambda L: L.nn.Hardswish(), [(4, 6)]),
    # torch's hardsigmoid backward multiplies by 1/6 rounded to float32, even in float64
    ("hardsigmoid", lambda L: L.nn.Hardsigmoid(), [(4, 6)], dict(rtol=1e-7)),
    ("hardtanh", lambda L: L.nn.Hardtanh(-0.5, 1.5), [(4, 6)]),
    ("softplus", lambda L: L.nn.Softplus(beta=2.0, threshold=3.0), [(4, 6)]),
    ("elu", lambda L: L.nn.ELU(alpha=0.7), [(4, 6)]),
    # torch's celu backward uses 1 / alpha rounded to float32 (derivatives.yaml: 1.0/alpha.toFloat())
    ("celu", lambda L: L.nn.CELU(alpha=0.7), [(4, 6)], dict(rtol=1e-7)),
    ("selu", lambda L: L.nn.SELU(), [(4, 6)]),
    ("logsigmoid", lambda L: L.nn.LogSigmoid(), [(4, 6)]),
    ("softsign", lambda L: L.nn.Softsign(), [(4, 6)]),
    ("tanhshrink", lambda L: L.nn.Tanhshrink(), [(4, 6)]),
    ("threshold", lambda L: L.nn.Threshold(0.3, -2.0), [(4, 6)]),
    ("glu", lambda L: L.nn.GLU(dim=1), [(4, 6)]),
]


@pytest.mark.parametrize("case", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(case, device):
    name, build, shapes, *opts = case
    check_module(build, shapes, device=device, **(opts[0] if opts else {}))


class TinyVGG:
    """The course's chapter-03 model shape, minus the convolutions (nn-layers tests those)."""

    @staticmethod
    def build(L):
        nn = L.nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = nn.Sequential(nn.Linear(16, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU())
                self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(10 * 3, 4))
                self.scale = nn.Parameter(L.ones(1) * 0.5)

            def forward(self, x):
                return self.classifier(self.block(x)) * self.scale

        return Model()


def test_custom_model_matches_torch(device):
    check_module(TinyVGG.build, [(5, 3, 16)], device=device)


def tiny_vgg(L):
    """The course's chapter-03 TinyVGG (smaller images): conv blocks, pooling, classifier."""
    nn = L.nn

    def block(c_in):
        return nn.Sequential(nn.Conv2d(c_in, 4, kernel_size=3, stride=1, padding=1), nn.ReLU(),
                             nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2))

    return nn.Sequential(OrderedDict([("block_1", block(1)), ("block_2", block(4)),
                                      ("classifier", nn.Sequential(nn.Flatten(), nn.Linear(4 * 2 * 2, 3)))]))


def vit_block(L):
    """The course's chapter-08 encoder block pieces: LayerNorm, attention, MLP with GELU, residuals."""
    nn = L.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(8)
            self.msa = nn.MultiheadAttention(8, 2, dropout=0.0, batch_first=True)
            self.mlp = nn.Sequential(nn.LayerNorm(8), nn.Linear(8, 16), nn.GELU(), nn.Dropout(0.1),
                                     nn.Linear(16, 8), nn.Dropout(0.1))

        def forward(self, x):
            y = self.norm(x)
            x = self.msa(query=y, key=y, value=y, need_weights=False)[0] + x
            return self.mlp(x) + x

    return Block()


@pytest.mark.parametrize("build,shape,train", [(tiny_vgg, (2, 1, 8, 8), True), (vit_block, (2, 5, 8), False)],
                         ids=["tiny_vgg", "vit_block"])
def test_course_models_match_torch(build, shape, train, device):
    check_module(build, [shape], device=device, train=train)


def test_inplace_activations_write_the_input():
    for build, fn in [(lambda L: L.nn.ReLU(inplace=True), lambda L, x: L.nn.functional.relu(x, inplace=True)),
                      (lambda L: L.nn.LeakyReLU(0.1, inplace=True), None),
                      (lambda L: L.nn.ELU(inplace=True), None),
                      (lambda L: L.nn.SiLU(inplace=True), None),
                      (lambda L: L.nn.Hardswish(inplace=True), None),
                      (lambda L: L.nn.Hardtanh(inplace=True), None),
                      (lambda L: L.nn.ReLU6(inplace=True), None),
                      (lambda L: L.nn.Threshold(0.1, 2.0, inplace=True), None)]:
        x_np = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
        outs = []
        for L in (mt, torch):
            x = L.tensor(x_np)
            out = build(L)(x)
            assert out is x or out.data_ptr() == x.data_ptr()
            outs.append(x.numpy().copy())
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6, atol=1e-7)


def test_inplace_relu_in_a_graph_backpropagates():
    """ReLU(inplace=True) after a Linear, as in the course's models: gradients still match."""
    check_module(lambda L: L.nn.Sequential(L.nn.Linear(3, 4), L.nn.ReLU(inplace=True), L.nn.Linear(4, 2),
                                           L.nn.LeakyReLU(0.1, inplace=True)), [(5, 3)])


# ---- functional ---------------------------------------------------------------------------------------

FUNCTIONAL = [
    ("linear", lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(4, 5), (3, 5), (3,)], {}),
    ("linear_nobias", lambda L, x, w: L.nn.functional.linear(x, w), [(2, 4, 5), (3, 5)], {}),
    ("relu", lambda L, x: L.nn.functional.relu(x), [(3, 4)], {}),
    ("leaky_relu", lambda L, x: L.nn.functional.leaky_relu(x, 0.3), [(3, 4)], {}),
    ("gelu", lambda L, x: L.nn.functional.gelu(x), [(3, 4)], {}),
    ("gelu_tanh", lambda L, x: L.nn.functional.gelu(x, approximate="tanh"), [(3, 4)], {}),
    ("silu", lambda L, x: L.nn.functional.silu(x), [(3, 4)], {}),
    ("sigmoid", lambda L, x: L.nn.functional.sigmoid(x), [(3, 4)], {}),
    ("tanh", lambda L, x: L.nn.functional.tanh(x), [(3, 4)], {}),
    ("softmax", lambda L, x: L.nn.functional.softmax(x, dim=1), [(3, 4)], {}),
    ("softmax_dtype", lambda L, x: L.nn.functional.softmax(x, 0, dtype=L.float64), [(3, 4)], {}),
    ("log_softmax", lambda L, x: L.nn.functional.log_softmax(x, -1), [(2, 3, 4)], {}),
    ("softmin", lambda L, x: L.nn.functional.softmin(x, 1), [(3, 4)], {}),
    ("hardswish", lambda L, x: L.nn.functional.hardswish(x), [(3, 4)], dict(low=-5, high=5)),
    ("hardsigmoid", lambda L, x: L.nn.functional.hardsigmoid(x), [(3, 4)], dict(low=-5, high=5, rtol=1e-7)),
    ("hardtanh", lambda L, x: L.nn.functional.hardtanh(x, -0.5, 0.5), [(3, 4)], {}),
    ("relu6", lambda L, x: L.nn.functional.relu6(x * 4), [(3, 4)], {}),
    ("softplus", lambda L, x: L.nn.functional.softplus(x, beta=0.5, threshold=1.0), [(3, 4)], {}),
    ("elu", lambda L, x: L.nn.functional.elu(x, alpha=2.0), [(3, 4)], {}),
    ("selu", lambda L, x: L.nn.functional.selu(x), [(3, 4)], {}),
    ("celu", lambda L, x: L.nn.functional.celu(x, alpha=0.7), [(3, 4)], dict(rtol=1e-7)),  # as CELU above
    ("mish", lambda L, x: L.nn.functional.mish(x), [(3, 4)], dict(low=-25, high=25)),
    ("logsigmoid", lambda L, x: L.nn.functional.logsigmoid(x), [(3, 4)], dict(low=-30, high=30)),
    ("softsign", lambda L, x: L.nn.functional.softsign(x), [(3, 4)], {}),
    ("tanhshrink", lambda L, x: L.nn.functional.tanhshrink(x), [(3, 4)], {}),
    ("threshold", lambda L, x: L.nn.functional.threshold(x, 0.5, -1.0), [(3, 4)], {}),
    ("glu", lambda L, x: L.nn.functional.glu(x, 0), [(4, 3)], {}),
    ("prelu", lambda L, x, w: L.nn.functional.prelu(x, w), [(2, 3, 4), (3,)], {}),
    ("normalize", lambda L, x: L.nn.functional.normalize(x), [(3, 4)], {}),
    ("normalize_p1_dim0", lambda L, x: L.nn.functional.normalize(x, p=1.0, dim=0), [(3, 4)], {}),
]


@pytest.mark.parametrize("name,fn,shapes,opts", FUNCTIONAL, ids=[c[0] for c in FUNCTIONAL])
def test_functional_matches_torch(name, fn, shapes, opts, device):
    check_op(fn, shapes, device=device, layouts=("contiguous", "transposed"), check_grad_fn=False, **opts)


# kinks and ties: the gradient convention at the exact breakpoints must be torch's
EDGES = np.array([[-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0]])


KINKS = [
    ("relu", lambda L, x: L.nn.functional.relu(x), {}),
    ("relu6", lambda L, x: L.nn.functional.relu6(x), {}),
    ("hardtanh", lambda L, x: L.nn.functional.hardtanh(x), {}),
    ("hardtanh_half", lambda L, x: L.nn.functional.hardtanh(x, -0.5, 0.5), {}),
    ("hardsigmoid", lambda L, x: L.nn.functional.hardsigmoid(x), dict(rtol=1e-7)),  # 1/6 in float32, as above
    ("hardswish", lambda L, x: L.nn.functional.hardswish(x), {}),
    ("leaky_relu", lambda L, x: L.nn.functional.leaky_relu(x), {}),
    ("threshold", lambda L, x: L.nn.functional.threshold(x, 0.5, 2.0), {}),
    ("elu", lambda L, x: L.nn.functional.elu(x), {}),
    ("prelu", lambda L, x: L.nn.functional.prelu(x, L.tensor([0.25], dtype=x.dtype)), {}),
]


@pytest.mark.parametrize("name,fn,opts", KINKS, ids=[k[0] for k in KINKS])
def test_activation_gradients_at_kinks(name, fn, opts):
    check_op(fn, arrays=[EDGES], **opts)


def test_large_logits_do_not_overflow():
    big = np.array([[-1000.0, 0.0, 1000.0, 88.0, -88.0, 20.5]])
    for fn in (lambda L, x: L.nn.functional.logsigmoid(x), lambda L, x: L.nn.functional.softplus(x),
               lambda L, x: L.nn.functional.silu(x), lambda L, x: L.nn.functional.log_softmax(x, 1),
               lambda L, x: L.nn.functional.softmax(x, 1), lambda L, x: L.nn.functional.sigmoid(x)):
        check_op(fn, arrays=[big])


def test_one_hot():
    for args in [([0, 3, 1],), ([[0, 2], [1, 1]], 4), ([], 3), ([2],)]:
        ours = mt.nn.functional.one_hot(mt.tensor(args[0], dtype=mt.int64), *args[1:])
        theirs = torch.nn.functional.one_hot(torch.tensor(args[0], dtype=torch.int64), *args[1:])
        assert_close(ours, theirs, 0, 0)
    for case in [lambda L: L.nn.functional.one_hot(L.tensor([0, -1])),
                 lambda L: L.nn.functional.one_hot(L.tensor([0, 3]), 3),
                 lambda L: L.nn.functional.one_hot(L.tensor([0.0, 1.0])),
                 lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.int64))]:
        ours, theirs = check_same_error(case)
        assert ours == theirs


@pytest.mark.parametrize("case", [
    lambda L: L.nn.functional.glu(L.ones(2, 3)),
    lambda L: L.nn.functional.gelu(L.ones(2), approximate="fast"),
    lambda L: L.nn.functional.linear(L.ones(2, 3), L.ones(4, 2)),
    lambda L: L.nn.Hardtanh(1.0, 0.0),
])
def test_functional_errors_match_torch(case):
    ours, theirs = check_same_error(case)
    assert ours == theirs
