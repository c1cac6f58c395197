"""Property tests (hypothesis): random shapes, broadcasting pairs and dims, each compared with torch
through the parity helper (forward values, dtypes, shapes and gradients)."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import check_op, check_same_error

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: a random result shape, each dim of each operand kept, set to 1, or dropped
    from the front."""
    out = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    shapes = []
    for _ in range(2):
        drop = draw(st.integers(0, len(out)))
        shapes.append(tuple(1 if draw(st.booleans()) else n for n in out[drop:]))
    return shapes


@st.composite
def shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                         unique_by=lambda d: d % len(shape)))
    return shape, tuple(dims), draw(st.booleans())


BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (b * b + 0.5),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "where": lambda L, a, b: L.where(a > b, a, b * 2),
    "pow": lambda L, a, b: (a * a + 0.5) ** b,
}


@SETTINGS
@given(pair=broadcast_pair(), op=st.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_like_torch(pair, op):
    check_op(BINARY[op], pair, layouts=("contiguous",))


@SETTINGS
@given(case=shape_and_dims(), op=st.sampled_from(["sum", "mean", "amax", "var", "logsumexp", "norm"]))
def test_reductions_over_random_dims(case, op):
    shape, dims, keepdim = case
    fn = {
        "sum": lambda L, a: a.sum(dim=dims, keepdim=keepdim),
        "mean": lambda L, a: a.mean(dim=dims, keepdim=keepdim),
        "amax": lambda L, a: a.amax(dim=dims, keepdim=keepdim),
        "var": lambda L, a: a.var(dim=dims, keepdim=keepdim, correction=0),
        "logsumexp": lambda L, a: a.logsumexp(dim=dims, keepdim=keepdim),
        "norm": lambda L, a: a.norm(p=2, dim=dims, keepdim=keepdim),  # p="fro" over >2 dims raises
    }[op]
    check_op(fn, [shape], layouts=("contiguous",))


@SETTINGS
@given(case=shape_and_dims())
def test_single_dim_reductions_with_indices(case):
    shape, dims, keepdim = case
    d = dims[0]
    check_op(lambda L, a: (a.max(dim=d, keepdim=keepdim), a.argmin(dim=d, keepdim=keepdim),
                           a.cumsum(d), a.softmax(d), a.sort(dim=d)), [shape], layouts=("contiguous",))


@SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_permute_reshape_and_slicing(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    size = int(np.prod(shape))
    split = data.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
    start = data.draw(st.integers(0, shape[0] - 1))
    check_op(lambda L, a: (a.permute(*perm).reshape(split, -1), a[start:, ...].flip(0), a.unsqueeze(-1).squeeze()),
             [tuple(shape)], layouts=("contiguous",))


@settings(max_examples=150, deadline=None)
@given(a=st.lists(st.integers(1, 4), min_size=1, max_size=4), b=st.lists(st.integers(1, 4), min_size=1, max_size=4),
       grad=st.booleans())
def test_matmul_shapes_agree_or_fail_like_torch(a, b, grad):
    """Every rank combination: the same result, or the same error as torch (whose message depends on
    which kernel its matmul picks, and that on shapes, strides and requires_grad)."""
    def fn(L, x, y):
        return x @ y
    try:
        np.matmul(np.ones(a), np.ones(b))
    except ValueError:
        msg, t_msg = check_same_error(lambda L: L.ones(*a, requires_grad=grad) @ L.ones(*b, requires_grad=grad))
        assert msg == t_msg
        return
    check_op(fn, [tuple(a), tuple(b)], layouts=("contiguous",), grad=grad)
