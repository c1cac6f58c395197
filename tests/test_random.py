"""minitorch_lite.random against torch's CPU generator: every draw must match bit for bit.

Each test seeds one of our Generators and one torch.Generator alike, makes the same calls on
both and compares the bytes of the results (so even the sign of a zero must agree).
"""
import copy
import math
import pickle
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings, strategies as st  # noqa: E402

import minitorch_lite.random as mrandom  # noqa: E402
from minitorch_lite.random import Generator  # noqa: E402

TORCH_DTYPE = {
    np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64,
    np.int64: torch.int64, np.int32: torch.int32, np.int16: torch.int16, np.int8: torch.int8,
    np.uint8: torch.uint8, np.bool_: torch.bool,
}
FLOATS = [np.float16, np.float32, np.float64]
SEEDS = [0, 1, 42, 1234, 2**31 - 1, 2**32 + 5, 2**63 + 12345, 2**64 - 1, -1, -2**63]
SIZES = list(range(1, 16)) + [16, 17, 31, 33, 1000]


def pair(seed):
    return Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def assert_same(ours, theirs):
    theirs = theirs.numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert isinstance(ours, np.ndarray)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, ours.shape,
                                                                       theirs.dtype, theirs.shape)
    if ours.tobytes() != theirs.tobytes():
        bad = np.flatnonzero(ours.reshape(-1) != theirs.reshape(-1))
        raise AssertionError(f"{bad.size} of {ours.size} differ, first at {bad[:5]}: "
                             f"{ours.reshape(-1)[bad[:5]]} vs {theirs.reshape(-1)[bad[:5]]}")


# ---- uniform ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_rand_sizes_in_sequence(seed, dtype):
    g, tg = pair(seed)
    for n in SIZES:
        assert_same(g.rand((n,), dtype), torch.rand(n, dtype=TORCH_DTYPE[dtype], generator=tg))


@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_large_and_multidim(dtype):
    g, tg = pair(7)
    for shape in [(100_003,), (3, 4), (2, 3, 5), (0,), (2, 0, 3), ()]:
        assert_same(g.rand(shape, dtype), torch.rand(shape, dtype=TORCH_DTYPE[dtype], generator=tg))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("low,high", [(0.0, 1.0), (-0.3, 0.7), (-2.5, 3.1), (0.1, 0.2),
                                      (1.0, 1.001), (-1e-3, 1e-3), (5.0, 7.0), (0.0, 0.69995),
                                      (2.0, 2.0019), (3.0, 3.0)])
def test_uniform(dtype, low, high):
    # 20_000 draws hit the rare "rounds up to high" case, which torch maps back to low.
    g, tg = pair(3)
    t = torch.empty(20_000, dtype=TORCH_DTYPE[dtype]).uniform_(low, high, generator=tg)
    assert_same(g.uniform((20_000,), low, high, dtype), t)


def test_uniform_rejects_reversed_range():
    with pytest.raises(RuntimeError):
        torch.empty(3).uniform_(1.0, 0.0)
    with pytest.raises(RuntimeError):
        Generator().uniform((3,), 1.0, 0.0)


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_default_linear_and_conv_init(seed):
    """nn.Linear / nn.Conv2d default init: kaiming_uniform_(a=sqrt(5)) on the weight, then the bias."""
    torch.manual_seed(seed)
    lin, conv = torch.nn.Linear(7, 5), torch.nn.Conv2d(3, 4, 3)
    g = Generator().manual_seed(seed)
    for layer, fan_in in ((lin, 7), (conv, 27)):
        bound = math.sqrt(3.0) * math.sqrt(2.0 / (1 + 5)) / math.sqrt(fan_in)
        w = g.uniform(tuple(layer.weight.shape), -bound, bound)
        b = g.uniform(tuple(layer.bias.shape), -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))
        assert_same(w, layer.weight.detach())
        assert_same(b, layer.bias.detach())


# ---- normal -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_randn_sizes_in_sequence(seed, dtype):
    """Small (scalar path, cached normal) and large (blocks of 16 plus tail) calls interleaved."""
    g, tg = pair(seed)
    for n in SIZES + [3, 1, 1, 20, 5]:
        assert_same(g.randn((n,), dtype), torch.randn(n, dtype=TORCH_DTYPE[dtype], generator=tg))


@pytest.mark.parametrize("dtype", FLOATS)
def test_randn_large_and_multidim(dtype):
    g, tg = pair(11)
    for shape in [(100_003,), (4, 4), (3, 5, 7), (2, 3), (0,), (), (1,), (65, 3)]:
        assert_same(g.randn(shape, dtype), torch.randn(shape, dtype=TORCH_DTYPE[dtype], generator=tg))


def test_randn_float32_million():
    g, tg = pair(2024)
    assert_same(g.randn((1 << 20,)), torch.randn(1 << 20, generator=tg))


def test_randn_cache_carries_across_calls_and_other_draws():
    g, tg = pair(42)
    calls = [("randn", 3), ("rand", 5), ("randn", 20), ("randn", 1), ("randn", 1),
             ("randn", 1), ("rand", 2), ("randn", 15), ("randn", 16), ("randn", 2)]
    for op, n in calls:
        assert_same(getattr(g, op)((n,)), getattr(torch, op)(n, generator=tg))


def test_manual_seed_clears_the_cache():
    g, tg = pair(5)
    assert_same(g.randn((1,)), torch.randn(1, generator=tg))   # leaves a cached normal
    g.manual_seed(5)
    tg.manual_seed(5)
    assert_same(g.randn((3,)), torch.randn(3, generator=tg))
    assert_same(g.randn((3,)), Generator().manual_seed(5).randn((6,))[3:])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("mean,std", [(0.3, 1.7), (-1.1, 0.013), (5.0, 3.3), (0.1, 0.2),
                                      (2.0, 0.0), (0.0, 1.0), (-3.0, 1.0)])
def test_normal_mean_std(dtype, mean, std):
    """mean + std * z is one fused multiply-add in torch, in both the scalar and block paths."""
    g, tg = pair(9)
    for n in (1, 5, 15, 16, 17, 100, 1000, 1):
        t = torch.empty(n, dtype=TORCH_DTYPE[dtype]).normal_(mean, std, generator=tg)
        assert_same(g.normal((n,), mean, std, dtype), t)


def test_torch_normal_function_and_std_check():
    g, tg = pair(1)
    assert_same(g.normal((4, 5), 2.0, 3.0), torch.normal(2.0, 3.0, size=(4, 5), generator=tg))
    with pytest.raises(RuntimeError):
        g.normal((3,), 0.0, -1.0)


# ---- integers ---------------------------------------------------------------------------------

RANDINT_CASES = [
    (0, 10, np.int64), (-5, 5, np.int64), (-7, -2, np.int64), (3, 2**28 - 1, np.int64),
    (0, 2**28, np.int64), (0, 2**31, np.int64), (0, 2**32 - 1, np.int64), (0, 2**32, np.int64),
    (-2**40, 2**40, np.int64), (3, 2**62, np.int64), (-2**63, 2**63 - 1, np.int64),
    (0, 10, np.int32), (-2**31, 2**31 - 1, np.int32), (0, 2**30, np.int32),
    (-100, 100, np.int16), (0, 256, np.uint8), (-128, 127, np.int8),
    (0, 10, np.float32), (0, 2**25, np.float32), (0, 2**28, np.float32), (0, 2**30 + 3, np.float32),
    (-5, 2**24 + 3, np.float32), (-2**30 - 3, 7, np.float32),
    (0, 2**53, np.float64), (-2**53, 2**53 + 7, np.float64), (0, 2**28, np.float64),
    (0, 2048, np.float16), (-2049, 2049, np.float16), (0, 60000, np.float16),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("low,high,dtype", RANDINT_CASES)
@pytest.mark.parametrize("seed", [0, 3, 2**32 + 5])
def test_randint(seed, low, high, dtype):
    g, tg = pair(seed)
    t = torch.randint(low, high, (500,), dtype=TORCH_DTYPE[dtype], generator=tg)
    assert_same(g.randint(low, high, (500,), dtype), t)
    assert_same(g.randint(low, high, (2, 3), dtype),
                torch.randint(low, high, (2, 3), dtype=TORCH_DTYPE[dtype], generator=tg))


def test_randint_errors():
    with pytest.raises(RuntimeError):
        torch.randint(5, 5, (3,))
    with pytest.raises(RuntimeError):
        Generator().randint(5, 5, (3,))
    with pytest.raises(RuntimeError):
        Generator().randint(0, 2**40, (3,), np.int32)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_,
                                   np.float32, np.float64, np.float16])
def test_random_(dtype):
    g, tg = pair(17)
    t = torch.empty(300, dtype=TORCH_DTYPE[dtype]).random_(generator=tg)
    assert_same(g.random_(dtype, shape=(300,)), t)
    scalar = torch.empty((), dtype=TORCH_DTYPE[dtype]).random_(generator=tg).item()
    ours = g.random_(dtype)
    assert ours == scalar and type(ours) is type(scalar)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 37, 2048, 2049, 5000, 100_003])
@pytest.mark.parametrize("seed", [0, 7, 2**32 + 5])
def test_randperm(seed, n):
    g, tg = pair(seed)
    assert_same(g.randperm(n), torch.randperm(n, generator=tg))
    assert_same(g.randperm(n), torch.randperm(n, generator=tg))   # and the stream continues


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64, np.float16, np.int16])
def test_randperm_dtypes(dtype):
    g, tg = pair(2)
    for n in (10, 1000, 2049 if dtype == np.float16 else 3000):
        assert_same(g.randperm(n, dtype), torch.randperm(n, dtype=TORCH_DTYPE[dtype], generator=tg))


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 1500), st.integers(0, 2**32 - 1), st.sampled_from(["uniform", "self", "last", "near"]))
def test_randperm_vectorised_equals_loop(n, seed, kind):
    """The vectorised Fisher-Yates equals the plain loop for any swap targets t_i >= i."""
    i = np.arange(n - 1)
    rng = np.random.default_rng(seed)
    offsets = {"uniform": rng.integers(0, n - i), "self": np.zeros(n - 1, np.int64),
               "last": n - 1 - i, "near": np.minimum(rng.integers(0, 3, n - 1), n - 1 - i)}[kind]
    targets = (i + offsets).astype(np.int64)
    assert np.array_equal(mrandom._swap_vectorised(targets), mrandom._swap_loop(targets))


# ---- bernoulli / dropout ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("p", [0.0, 1e-9, 0.3, 0.5, 0.9, 1.0])
def test_bernoulli_float_p(p, dtype):
    g, tg = pair(4)
    for n in (1, 40, 10_007):
        t = torch.empty(n, dtype=TORCH_DTYPE[dtype]).bernoulli_(p, generator=tg)
        assert_same(g.bernoulli((n,), p, dtype), t)


@pytest.mark.parametrize("pdtype", [np.float32, np.float64, np.float16])
def test_bernoulli_tensor_p(pdtype):
    g, tg = pair(8)
    probs = np.random.default_rng(0).random((50, 7)).astype(pdtype)
    assert_same(g.bernoulli(probs.shape, probs, pdtype), torch.bernoulli(torch.from_numpy(probs), generator=tg))
    col = probs[:, :1].copy()   # broadcast over a wider result
    t = torch.empty(50, 7, dtype=torch.float64).bernoulli_(torch.from_numpy(col), generator=tg)
    assert_same(g.bernoulli((50, 7), col, np.float64), t)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("p", [0.1, 0.5])
def test_dropout_mask_any_thread_count(threads, p):
    """F.dropout on the CPU keeps an element where bernoulli_(1 - p) drew a 1."""
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(31)
        out = torch.nn.functional.dropout(torch.ones(100_000), p, training=True).numpy()
    finally:
        torch.set_num_threads(old)
    keep = Generator().manual_seed(31).bernoulli((100_000,), 1 - p)
    assert_same(keep / np.float32(1 - p), out)


# ---- seeds and state --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_initial_seed_and_state_layout(seed):
    g, tg = pair(seed)
    assert g.initial_seed() == tg.initial_seed()
    assert_same(g.get_state(), tg.get_state())
    for op, n in (("rand", 3), ("randn", 1), ("rand", 700), ("randn", 1), ("rand", 621), ("randn", 5)):
        getattr(g, op)((n,))
        getattr(torch, op)(n, generator=tg)
        assert_same(g.get_state(), tg.get_state())


def test_fresh_generator_matches_torch():
    g, tg = Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == mrandom.DEFAULT_SEED
    assert_same(g.get_state(), tg.get_state())
    assert_same(g.randn((40,)), torch.randn(40, generator=tg))


def test_state_exactly_at_twist_boundary():
    g, tg = pair(0)
    g.rand((624,))
    torch.rand(624, generator=tg)
    assert_same(g.get_state(), tg.get_state())
    assert_same(g.rand((3,)), torch.rand(3, generator=tg))


def test_state_moves_from_torch_to_us_and_back():
    tg = torch.Generator().manual_seed(99)
    torch.randn(3, generator=tg)            # leaves a cached normal in the state
    torch.rand(100, generator=tg)
    g = Generator().set_state(tg.get_state())
    assert g.initial_seed() == 99
    assert_same(g.randn((5,)), torch.randn(5, generator=tg))
    tg2 = torch.Generator()
    tg2.set_state(torch.from_numpy(g.get_state()))
    assert_same(g.randn((33,)), torch.randn(33, generator=tg2))


def test_state_round_trip_and_bad_states():
    g = Generator().manual_seed(3)
    g.randn((1,))
    s = g.get_state()
    a = g.randn((7,))
    assert_same(g.set_state(s).randn((7,)), a)
    for bad in (np.zeros(100, np.uint8), s[:5048].copy()):   # torch 2.13 refuses the old size too
        with pytest.raises(RuntimeError):
            torch.Generator().set_state(torch.from_numpy(bad))
        with pytest.raises(RuntimeError):
            g.set_state(bad)
    with pytest.raises(TypeError):
        g.set_state(s.astype(np.int64))


def test_generator_copy_and_pickle():
    g = Generator().manual_seed(12)
    g.randn((1,))
    for other in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert_same(other.randn((20,)), Generator().set_state(g.get_state()).randn((20,)))


def test_seed_range_like_torch():
    for bad in (2**64, -2**63 - 1):
        with pytest.raises(ValueError):
            torch.Generator().manual_seed(bad)
        with pytest.raises(ValueError):
            Generator().manual_seed(bad)
    assert Generator().manual_seed(-1).initial_seed() == 2**64 - 1


def test_nondeterministic_seed():
    g = Generator()
    s1, s2 = g.seed(), g.seed()
    assert s1 != s2 and 0 <= s1 < 2**64
    assert g.initial_seed() == s2
    assert_same(g.rand((5,)), torch.rand(5, generator=torch.Generator().manual_seed(s2)))


def test_module_functions_and_fork_rng():
    assert mrandom.manual_seed(21) is mrandom.default_generator
    assert mrandom.initial_seed() == 21
    before = mrandom.default_generator.get_state()
    with mrandom.fork_rng():
        mrandom.manual_seed(5).rand((10,))
    assert_same(mrandom.default_generator.get_state(), before)
    s = mrandom.seed()
    assert mrandom.initial_seed() == s


def test_get_set_rng_state_tensors():
    tensor_mod = pytest.importorskip("minitorch_lite.tensor")
    if not hasattr(tensor_mod.Tensor, "_make"):
        pytest.skip("Tensor._make not there yet")
    mrandom.manual_seed(4)
    state = mrandom.get_rng_state()
    assert tuple(state.shape) == (5056,)
    a = mrandom.default_generator.rand((4,))
    mrandom.set_rng_state(state)
    assert_same(mrandom.default_generator.rand((4,)), a)
    torch.manual_seed(4)
    assert_same(np.asarray(state.numpy()), torch.get_rng_state())


def test_dataloader_shuffle_order():
    """DataLoader(shuffle=True): the iterator draws a base seed, RandomSampler draws its own seed,
    seeds a fresh generator with it and takes randperm(n) from that."""
    ds = torch.utils.data.TensorDataset(torch.arange(23))
    for seed in (0, 1, 42):
        torch.manual_seed(seed)
        order = [int(v) for (batch,) in torch.utils.data.DataLoader(ds, batch_size=4, shuffle=True)
                 for v in batch]
        g = Generator().manual_seed(seed)
        g.random_()                                   # the iterator's base seed
        sampler = Generator().manual_seed(g.random_())
        assert sampler.randperm(23).tolist() == order


# ---- arbitrary call sequences -----------------------------------------------------------------

OPS = st.one_of(
    st.tuples(st.just("rand"), st.integers(0, 40), st.sampled_from(FLOATS)),
    st.tuples(st.just("randn"), st.integers(0, 40), st.sampled_from(FLOATS)),
    st.tuples(st.just("normal"), st.integers(0, 40), st.floats(-5, 5), st.floats(0, 5)),
    st.tuples(st.just("randint"), st.integers(-2**40, 2**40), st.integers(1, 2**34), st.integers(0, 20)),
    st.tuples(st.just("randperm"), st.integers(0, 50)),
    st.tuples(st.just("bernoulli"), st.integers(0, 30), st.floats(0, 1)),
    st.tuples(st.just("random_")),
)


def _apply(op, g, tg):
    kind = op[0]
    if kind in ("rand", "randn"):
        _, n, dt = op
        return getattr(g, kind)((n,), dt), getattr(torch, kind)(n, dtype=TORCH_DTYPE[dt], generator=tg)
    if kind == "normal":
        _, n, mean, std = op
        return g.normal((n,), mean, std), torch.empty(n).normal_(mean, std, generator=tg)
    if kind == "randint":
        _, low, span, n = op
        return g.randint(low, low + span, (n,)), torch.randint(low, low + span, (n,), generator=tg)
    if kind == "randperm":
        return g.randperm(op[1]), torch.randperm(op[1], generator=tg)
    if kind == "bernoulli":
        _, n, p = op
        return g.bernoulli((n,), p), torch.empty(n).bernoulli_(p, generator=tg)
    return (np.array(g.random_()),
            torch.empty((), dtype=torch.int64).random_(generator=tg))


@settings(max_examples=60, deadline=None)
@given(st.integers(-2**63, 2**64 - 1), st.lists(OPS, max_size=12))
def test_any_call_sequence(seed, ops):
    g, tg = pair(seed)
    for op in ops:
        ours, theirs = _apply(op, g, tg)
        assert_same(ours, theirs)
    assert_same(g.get_state(), tg.get_state())


# ---- the exact fused multiply-add -------------------------------------------------------------

def _fma_exact(a, b, c):
    return float(Fraction(a) * Fraction(b) + Fraction(c))   # Fraction -> float rounds correctly


def _round_fraction_to_f32(x):
    f = np.float32(float(x))
    best = min((np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))),
               key=lambda v: (abs(Fraction(float(v)) - x), int(np.array(v).view(np.uint32)) & 1))
    return best


FINITE = st.floats(-1e30, 1e30, allow_nan=False, allow_infinity=False).filter(
    lambda v: v == 0 or abs(v) > 1e-30)


@settings(max_examples=150, deadline=None)
@given(FINITE, FINITE, FINITE)
def test_fma64_is_exact(a, b, c):
    assert mrandom._fma64(np.array([a]), b, c)[0] == _fma_exact(a, b, c)


@settings(max_examples=150, deadline=None)
@given(st.floats(width=32, allow_nan=False, allow_infinity=False),
       st.floats(width=32, allow_nan=False, allow_infinity=False),
       st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_fma32_is_exact(a, b, c):
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if abs(exact) > Fraction(3.4e38):
        return
    ours = mrandom._fma32(np.array([a], np.float32), np.float32(b), np.float32(c))[0]
    assert ours == _round_fraction_to_f32(exact)


def test_fma_double_rounding_cases():
    # a*b + c lands exactly between two float32 numbers in float64 after rounding: the naive
    # float64 sum then rounds to float32 wrongly; the exact version must not.
    a, b = np.float32(1 + 2**-12), np.float32(1 + 2**-12)   # a*b = 1 + 2**-11 + 2**-24
    c = np.float32(2**-60)
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    assert mrandom._fma32(np.array([a]), b, c)[0] == _round_fraction_to_f32(exact)
    x, y, z = 1 + 2**-30, 1 + 2**-30, -1.0
    assert mrandom._fma64(np.array([x]), y, z)[0] == _fma_exact(x, y, z)
