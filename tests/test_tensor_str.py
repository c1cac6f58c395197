"""tensor_repr must print exactly what torch prints for the same array and print options.

Every expected string comes from torch itself (torch.from_numpy(a) or torch's own helpers),
never from hard-coded text, so the tests track torch's rules rather than our reading of them.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from minitorch_lite import _tensor_str as ts
from minitorch_lite.backend import dtypes
from minitorch_lite.backend.device import CPU, device

ALL_NP = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64,
          np.float16, np.float32, np.float64]


@pytest.fixture(autouse=True)
def default_options():
    """Every test starts and ends with both libraries on default print options and dtype."""
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    dtypes.set_default_dtype(dtypes.float32)


def ours(a, **kw):
    return ts.tensor_repr(a, dtype=dtypes.from_numpy_dtype(a.dtype), device=kw.pop("device", CPU), **kw)


def check(a, **options):
    """Compare reprs under the same print options (applied to both libraries)."""
    if options:
        torch.set_printoptions(**options)
        ts.set_printoptions(**options)
    expected = repr(torch.from_numpy(np.array(a, copy=True)))
    assert ours(np.asarray(a)) == expected


rng = np.random.default_rng(1234)


# ---- floats of many magnitudes ---------------------------------------------------------------

@pytest.mark.parametrize("scale", [1e-8, 1e-5, 1e-4, 1e-3, 0.1, 1.0, 7.0, 100.0, 1e4, 1e7, 1e8, 1e9])
@pytest.mark.parametrize("np_dtype", [np.float32, np.float64])
def test_random_floats_by_magnitude(scale, np_dtype):
    check((rng.standard_normal((4, 5)) * scale).astype(np_dtype))


@pytest.mark.parametrize("values", [
    [1.0, 2.0, -3.0],                    # integer-valued floats print as "1."
    [0.0, -0.0, 5.0],                    # negative zero
    [np.nan, 1.5, -np.inf, np.inf],      # nan/inf never set the width
    [np.nan, np.inf, -np.inf],           # no finite value at all
    [0.0, 0.0],
    [-0.0],
    [1e-9, np.nan, 0.0, -0.0],           # sci mode with specials
    [1.0, 1000.0], [1.0, 1001.0],        # the 1000x ratio boundary
    [1e8, 1.0], [1.00000001e8], [1e-4, 2e-4], [9.9999e-5],
    [123456789.0, 2.0], [1e20, -1e20],   # large integer-valued floats
    [0.5, 1.5, 2.5, 3.5],                # round-half-even in formatting
    [0.00005, 0.00015],
    [-1.23456789, 9.87654321, 0.1],
])
@pytest.mark.parametrize("np_dtype", [np.float16, np.float32, np.float64])
def test_special_float_values(values, np_dtype):
    with np.errstate(over="ignore"):
        a = np.array(values, dtype=np_dtype)
    check(a)
    check(a.reshape(1, -1, 1))


def test_mixed_magnitudes():
    a = rng.standard_normal(30) * 10.0 ** rng.integers(-8, 9, 30)
    check(a.astype(np.float32))
    check(a.astype(np.float64).reshape(5, 6))


# ---- shapes --------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (1, 1, 1, 1)])
@pytest.mark.parametrize("np_dtype", ALL_NP)
def test_shapes_and_dtypes(shape, np_dtype):
    if np_dtype is np.bool_:
        a = rng.random(shape) > 0.5
    elif np.issubdtype(np_dtype, np.integer):
        info = np.iinfo(np_dtype)
        a = rng.integers(info.min, info.max, size=shape, dtype=np_dtype, endpoint=True)
    else:
        a = (rng.standard_normal(shape) * 3).astype(np_dtype)
    check(np.asarray(a))


@pytest.mark.parametrize("value", [3.0, -0.0, np.nan, np.inf, 1e-7, 2.5, 123456.789])
@pytest.mark.parametrize("np_dtype", [np.float16, np.float32, np.float64])
def test_zero_dim_floats(value, np_dtype):
    with np.errstate(over="ignore"):
        check(np.array(value, dtype=np_dtype))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4), (3, 0)])
@pytest.mark.parametrize("np_dtype", ALL_NP)
def test_empty(shape, np_dtype):
    check(np.zeros(shape, dtype=np_dtype))


@pytest.mark.parametrize("shape", [(3, 64, 64), (1, 2000), (40, 40), (2000,), (1001,), (2, 3, 500),
                                   (10, 10, 10, 2)])
def test_summarised(shape):
    check(rng.standard_normal(shape).astype(np.float32))
    check(rng.integers(-1000, 1000, size=shape))


def test_summary_widths_use_only_shown_elements():
    # a huge value hidden in the middle must not widen or switch the notation
    a = np.ones(2001, dtype=np.float32)
    a[1000] = 1e12
    check(a)
    b = np.full((50, 50), 0.5)
    b[25, 25] = 1e-9
    check(b)


@pytest.mark.parametrize("np_dtype", [np.float32, np.float64, np.int64, np.int8, np.bool_])
def test_long_rows_wrap(np_dtype):
    a = (rng.standard_normal((3, 37)) * 1000).astype(np_dtype)
    check(a)
    check(a[0])
    check(a.reshape(3, 1, 37))
    check(np.arange(100).astype(np_dtype))


# ---- print options ---------------------------------------------------------------------------

@pytest.mark.parametrize("options", [
    dict(precision=2), dict(precision=0), dict(precision=8),
    dict(sci_mode=True), dict(sci_mode=False), dict(precision=2, sci_mode=True),
    dict(threshold=5), dict(threshold=0), dict(edgeitems=1, threshold=10), dict(edgeitems=0, threshold=10),
    dict(edgeitems=10, threshold=20), dict(linewidth=20), dict(linewidth=200), dict(linewidth=1),
    dict(profile="full"), dict(profile="short"), dict(profile="full", precision=6),
])
def test_print_options(options):
    for a in [rng.standard_normal((6, 9)), rng.standard_normal(40).astype(np.float32) * 1e-6,
              np.arange(30.0), np.arange(60).reshape(3, 4, 5), rng.standard_normal((3, 64, 64)),
              np.array([np.nan, 0.0, 2.0]), np.array(1.5), np.array([True, False] * 20)]:
        check(a, **options)


def test_get_and_set_printoptions_match_torch():
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    for kwargs in [dict(precision=2, sci_mode=True), dict(linewidth=50), dict(profile="full"),
                   dict(profile="short", edgeitems=5), dict(threshold=7, profile="default")]:
        torch.set_printoptions(**kwargs)
        ts.set_printoptions(**kwargs)
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager_restores():
    before = ts.get_printoptions()
    torch.set_printoptions(precision=1)
    with ts.printoptions(precision=1):
        assert ours(np.array([1.26])) == repr(torch.tensor([1.26], dtype=torch.float64))
    assert ts.get_printoptions() == before


# ---- suffixes --------------------------------------------------------------------------------

@pytest.mark.parametrize("a", [np.array([1.5, -2.0], dtype=np.float32), np.array(2.0),
                               rng.standard_normal((4, 6)), np.zeros((0, 2), np.float32),
                               rng.standard_normal((3, 64, 64)).astype(np.float32)])
def test_requires_grad_and_grad_fn(a):
    t = torch.tensor(a, requires_grad=True)
    assert ours(a, requires_grad=True) == repr(t)
    u = t * 2
    expected = repr(u)
    assert ours(u.detach().numpy(), grad_fn_name=type(u.grad_fn).__name__, requires_grad=True) == expected
    assert ours(u.detach().numpy(), grad_fn_name=type(u.grad_fn).__name__) == expected
    s = (t + 1).sum()
    assert ours(s.detach().numpy(), grad_fn_name=type(s.grad_fn).__name__) == repr(s)


def test_parameter_prefix():
    a = rng.standard_normal((3, 5)).astype(np.float32)
    p = torch.nn.Parameter(torch.from_numpy(a.copy()))
    assert "Parameter containing:\n" + ours(a, requires_grad=True) == repr(p)


@pytest.mark.parametrize("a", [np.array([1.0, 2.0], dtype=np.float32), np.arange(6).reshape(2, 3),
                               np.zeros((0, 3), np.float64), rng.standard_normal(20),
                               np.array(1.0, np.float16)])
@pytest.mark.parametrize("grad_fn", [None, "AddBackward0", "SomeVeryLongBackwardFunctionName0"])
def test_device_suffix(a, grad_fn):
    # torch on this machine has no CUDA, so assemble torch's answer from its own helpers:
    # the body from _tensor_str and the line breaking from _add_suffixes.
    t = torch.from_numpy(a.copy())
    tts = torch._tensor_str
    suffixes = ["device='cuda:0'"]
    if t.numel() == 0:
        if t.dim() != 1:
            suffixes.append(f"size={tuple(t.shape)}")
        if t.dtype != torch.get_default_dtype():
            suffixes.append(f"dtype={t.dtype}")
        body = "[]"
    else:
        if t.dtype not in (torch.float32, torch.int64, torch.bool):
            suffixes.append(f"dtype={t.dtype}")
        body = tts._tensor_str(t, len("tensor("))
    if grad_fn:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    expected = tts._add_suffixes("tensor(" + body, suffixes, len("tensor("), False)
    assert ours(a, device=device("cuda:0"), grad_fn_name=grad_fn) == expected


@pytest.mark.parametrize("a", [np.array([1.0, 2.0], np.float32), np.array([1.0, 2.0]),
                               np.zeros(0, np.float32), np.zeros(0), np.zeros((2, 0))])
def test_default_dtype_float64(a):
    torch.set_default_dtype(torch.float64)
    dtypes.set_default_dtype(dtypes.float64)
    check(a)


# ---- random arrays under random options ------------------------------------------------------

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7)


@st.composite
def arrays(draw):
    np_dtype = draw(st.sampled_from(ALL_NP))
    if np.issubdtype(np_dtype, np.floating):
        # mixed magnitudes: mantissa * 10**exp, plus the odd nan/inf/-0.0
        exps = st.integers(-9, 9 if np_dtype is not np.float16 else 4)
        finite = st.builds(lambda m, e: m * 10.0 ** e, st.floats(-10, 10), exps)
        elements = st.one_of(finite, st.integers(-1000, 1000).map(float),
                             st.sampled_from([0.0, -0.0, np.nan, np.inf, -np.inf]))
        a = draw(hnp.arrays(np.float64, draw(shapes), elements=elements))
        with np.errstate(over="ignore"):
            return a.astype(np_dtype)
    return draw(hnp.arrays(np_dtype, draw(shapes)))


@settings(max_examples=300, deadline=None)
@given(a=arrays(), precision=st.integers(0, 8), linewidth=st.integers(10, 120),
       edgeitems=st.integers(0, 4), threshold=st.sampled_from([1000, 0, 5, 30, 100]),
       sci_mode=st.sampled_from([None, None, True, False]))
def test_random_arrays_and_options(a, precision, linewidth, edgeitems, threshold, sci_mode):
    try:
        check(a, precision=precision, linewidth=linewidth, edgeitems=edgeitems,
              threshold=threshold, sci_mode=sci_mode)
    finally:
        torch.set_printoptions(profile="default")
        ts.set_printoptions(profile="default")


@settings(max_examples=100, deadline=None)
@given(a=arrays())
def test_random_arrays_default_options(a):
    check(a)
