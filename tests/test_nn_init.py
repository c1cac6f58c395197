"""nn.init and the default initialisation of Linear: bit-identical to torch for the same seed."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import check_same_error

SEEDS = [0, 1, 42, 1234, 2**31 + 7]
SHAPES = [(6, 2), (1, 1), (17, 33), (8, 3, 3, 3), (4, 5, 2)]
DTYPES = [(mt.float32, torch.float32), (mt.float64, torch.float64)]


def same_bits(ours, theirs):
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def init_both(fn, shape, seed, dtypes=DTYPES[0]):
    """fn(L, tensor) on an empty tensor of `shape` after seeding both generators with `seed`."""
    out = []
    for L, dt in zip((mt, torch), dtypes):
        L.manual_seed(seed)
        t = L.empty(shape, dtype=dt)
        result = fn(L, t)
        assert result is t  # in place, returns its argument
        out.append(t)
    return out


INITS = {
    "uniform_": lambda L, t: L.nn.init.uniform_(t, -0.3, 0.7),
    "normal_": lambda L, t: L.nn.init.normal_(t, 0.5, 2.0),
    "constant_": lambda L, t: L.nn.init.constant_(t, 0.25),
    "ones_": lambda L, t: L.nn.init.ones_(t),
    "zeros_": lambda L, t: L.nn.init.zeros_(t),
    "xavier_uniform_": lambda L, t: L.nn.init.xavier_uniform_(t, gain=1.5),
    "xavier_normal_": lambda L, t: L.nn.init.xavier_normal_(t),
    "kaiming_uniform_": lambda L, t: L.nn.init.kaiming_uniform_(t, a=math.sqrt(5)),
    "kaiming_uniform_relu_fan_out": lambda L, t: L.nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
    "kaiming_normal_": lambda L, t: L.nn.init.kaiming_normal_(t),
    "kaiming_normal_leaky": lambda L, t: L.nn.init.kaiming_normal_(t, a=0.2, mode="fan_out"),
    "trunc_normal_": lambda L, t: L.nn.init.trunc_normal_(t, std=0.02),
    "trunc_normal_wide": lambda L, t: L.nn.init.trunc_normal_(t, mean=0.3, std=1.0, a=-0.5, b=1.5),
    "trunc_normal_narrow": lambda L, t: L.nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=0.5, b=0.8),
    "trunc_normal_tail": lambda L, t: L.nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=2.0, b=3.0),
}


@pytest.mark.parametrize("name", list(INITS))
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_init_bit_identical_to_torch(name, dtypes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # trunc_normal_tail: torch warns that mean is > 2 std away
        for seed in SEEDS:
            for shape in SHAPES:
                ours, theirs = init_both(INITS[name], shape, seed, dtypes)
                same_bits(ours, theirs)


def test_init_draws_continue_the_same_stream():
    """Consecutive inits consume exactly as many numbers as torch's."""
    def run(L):
        L.manual_seed(3)
        a = L.nn.init.kaiming_uniform_(L.empty(5, 4), a=math.sqrt(5))
        b = L.nn.init.trunc_normal_(L.empty(7, 3), std=0.5, a=-0.4, b=0.4)
        c = L.nn.init.normal_(L.empty(20))
        return a, b, c, L.rand(3)

    for ours, theirs in zip(run(mt), run(torch)):
        same_bits(ours, theirs)


def test_init_with_generator():
    g_mt, g_torch = mt.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    same_bits(mt.nn.init.xavier_uniform_(mt.empty(4, 6), generator=g_mt),
              torch.nn.init.xavier_uniform_(torch.empty(4, 6), generator=g_torch))


def test_init_on_parameters_records_no_graph():
    p = mt.nn.Parameter(mt.empty(3, 4))
    mt.nn.init.kaiming_normal_(p)
    mt.nn.init.trunc_normal_(p)
    assert p.grad_fn is None and p.requires_grad and p.is_leaf


@pytest.mark.parametrize("shape", [(3, 3), (4, 7), (7, 4), (6, 2, 3)])
def test_orthogonal_(shape):
    ours, theirs = init_both(lambda L, t: L.nn.init.orthogonal_(t, gain=2.0), shape, 5)
    # the same normal sample; QR goes through LAPACK in both, whose rounding may differ by an ulp
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_eye_dirac_sparse():
    for fn, shape in [(lambda L, t: L.nn.init.eye_(t), (3, 5)),
                      (lambda L, t: L.nn.init.dirac_(t), (4, 3, 3, 3)),
                      (lambda L, t: L.nn.init.dirac_(t, groups=2), (4, 2, 3)),
                      (lambda L, t: L.nn.init.sparse_(t, sparsity=0.5), (6, 4))]:
        ours, theirs = init_both(fn, shape, 9)
        same_bits(ours, theirs)


def test_calculate_gain_and_fans():
    for args in [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                 ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu",)]:
        assert mt.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    for shape in SHAPES:
        assert mt.nn.init._calculate_fan_in_and_fan_out(mt.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("case", [
    lambda L: L.nn.init.calculate_gain("swish"),
    lambda L: L.nn.init.calculate_gain("leaky_relu", True),
    lambda L: L.nn.init.xavier_uniform_(L.empty(3)),
    lambda L: L.nn.init.kaiming_uniform_(L.empty(3, 3), mode="fan_avg"),
    lambda L: L.nn.init.eye_(L.empty(3, 3, 3)),
    lambda L: L.nn.init.orthogonal_(L.empty(3)),
    lambda L: L.nn.init.dirac_(L.empty(3, 3)),
    lambda L: L.nn.init.dirac_(L.empty(3, 2, 3), groups=2),
])
def test_init_errors_match_torch(case):
    ours, theirs = check_same_error(case)
    assert ours == theirs


def test_zero_element_tensor_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        mt.nn.init.kaiming_uniform_(mt.empty(0, 3))


@pytest.mark.parametrize("shape", [(2, 6), (1, 1), (784, 10), (10, 10), (3, 128), (1000, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_default_init_is_torchs(shape, bias):
    for seed in SEEDS:
        for mt_dtype, torch_dtype in DTYPES:
            mt.manual_seed(seed)
            torch.manual_seed(seed)
            ours = mt.nn.Linear(*shape, bias=bias, dtype=mt_dtype)
            theirs = torch.nn.Linear(*shape, bias=bias, dtype=torch_dtype)
            same_bits(ours.weight, theirs.weight)
            if bias:
                same_bits(ours.bias, theirs.bias)
            same_bits(mt.rand(2), torch.rand(2))  # and the generator is left in the same state


def test_seeded_models_start_identical():
    """The course's pattern: seed, build a Sequential, get torch's weights layer by layer."""
    def build(L):
        L.manual_seed(42)
        return L.nn.Sequential(L.nn.Linear(2, 10), L.nn.ReLU(), L.nn.Linear(10, 10), L.nn.Linear(10, 1),
                               L.nn.PReLU(1))

    for (name, a), (_, b) in zip(build(mt).state_dict().items(), build(torch).state_dict().items()):
        same_bits(a, b)
