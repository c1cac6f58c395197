"""Every tensor op against torch, forward and backward: one line per case (see harness.check_op).

Each case runs in float64 and float32, on contiguous and non-contiguous inputs, on every device.
Edge-value cases (zeros, ties, negatives, large magnitudes, 0-d, empty) follow the random ones.
"""
import numpy as np
import pytest

from harness import check_op

LAYOUTS = ("contiguous", "transposed", "sliced")

# (id, fn(L, *inputs), input shapes, extra check_op options)
CASES = [
    # arithmetic with broadcasting
    ("add", lambda L, a, b: a + b, [(3, 1), (1, 4)], {}),
    ("add_alpha", lambda L, a, b: L.add(a, b, alpha=0.5), [(2, 3), (3,)], {}),
    ("add_scalar", lambda L, a: a + 2.5, [(2, 3)], {}),
    ("radd_int", lambda L, a: 3 + a, [(2, 3)], {}),
    ("sub", lambda L, a, b: a - b, [(4, 3), (3,)], {}),
    ("rsub", lambda L, a: 2 - a, [(4, 3)], {}),
    ("sub_scalar", lambda L, a: a - 2, [(4, 3)], {}),
    ("mul", lambda L, a, b: a * b, [(3, 1), (1, 4)], {}),
    ("mul_scalar", lambda L, a: a * -1.5, [(2, 5)], {}),
    ("div", lambda L, a, b: a / b, [(3, 4), (4,)], dict(low=0.5, high=2.0)),
    ("div_scalar", lambda L, a: a / 3.0, [(3, 4)], {}),
    ("rdiv", lambda L, a: 1 / a, [(3, 4)], dict(low=0.5, high=2.0)),
    ("pow_scalar", lambda L, a: a ** 2, [(3, 4)], {}),
    ("pow_frac", lambda L, a: a ** 1.5, [(3, 4)], dict(low=0.1, high=2.0)),
    ("pow_neg", lambda L, a: a.pow(-2), [(3, 4)], dict(low=0.5, high=2.0)),
    ("pow_tensor", lambda L, a, b: a ** b, [(3, 4), (3, 4)], dict(low=0.5, high=2.0)),
    ("rpow", lambda L, a: 2 ** a, [(3, 4)], {}),
    ("neg", lambda L, a: -a, [(3, 4)], {}),
    ("maximum", lambda L, a, b: L.maximum(a, b), [(3, 4), (4,)], {}),
    ("minimum", lambda L, a, b: L.minimum(a, b), [(3, 1), (3, 4)], {}),
    ("remainder", lambda L, a: a % 0.7, [(3, 4)], {}),
    ("chain", lambda L, a, b: (a * b + a / (b * b + 1)) ** 2 - b.exp(), [(2, 3), (3,)], {}),
    # elementwise
    ("exp", lambda L, a: a.exp(), [(3, 4)], {}),
    ("log", lambda L, a: a.log(), [(3, 4)], dict(low=0.1, high=3.0)),
    ("log1p", lambda L, a: a.log1p(), [(3, 4)], dict(low=0.0, high=3.0)),
    ("log2", lambda L, a: L.log2(a), [(3, 4)], dict(low=0.1, high=3.0)),
    ("log10", lambda L, a: L.log10(a), [(3, 4)], dict(low=0.1, high=3.0)),
    ("sqrt", lambda L, a: a.sqrt(), [(3, 4)], dict(low=0.1, high=3.0)),
    ("rsqrt", lambda L, a: a.rsqrt(), [(3, 4)], dict(low=0.1, high=3.0)),
    ("sin", lambda L, a: a.sin(), [(3, 4)], {}),
    ("cos", lambda L, a: L.cos(a), [(3, 4)], {}),
    ("tanh", lambda L, a: a.tanh(), [(3, 4)], {}),
    ("sigmoid", lambda L, a: L.sigmoid(a), [(3, 4)], dict(low=-8, high=8)),
    ("relu", lambda L, a: a.relu(), [(3, 4)], {}),
    ("abs", lambda L, a: a.abs(), [(3, 4)], {}),
    ("sign", lambda L, a: a.sign(), [(3, 4)], {}),
    ("floor", lambda L, a: a.floor(), [(3, 4)], {}),
    ("ceil", lambda L, a: a.ceil(), [(3, 4)], {}),
    ("round", lambda L, a: L.round(a * 3), [(3, 4)], {}),
    ("round_decimals", lambda L, a: L.round(a, decimals=2), [(3, 4)], {}),
    ("reciprocal", lambda L, a: a.reciprocal(), [(3, 4)], dict(low=0.5, high=2.0)),
    ("square", lambda L, a: L.square(a), [(3, 4)], {}),
    ("erf", lambda L, a: L.erf(a), [(3, 4)], {}),
    ("clamp", lambda L, a: a.clamp(-0.5, 0.7), [(3, 4)], {}),
    # NaN and infinities put in by the lambda (log of negatives, 1/0), then replaced
    ("nan_to_num", lambda L, a: L.nan_to_num(L.log(a) + 1 / (a - a.detach()) * 0 + a,
                                             nan=1.5, posinf=9.0, neginf=-9.0), [(3, 4)], {}),
    ("nan_to_num_defaults", lambda L, a: (L.nan_to_num(a.log()) * 1e-30), [(3, 4)], {}),
    ("clamp_min", lambda L, a: a.clamp(min=0.1), [(3, 4)], {}),
    ("clamp_max", lambda L, a: L.clamp(a, max=0.1), [(3, 4)], {}),
    ("clip", lambda L, a: a.clip(-1, 1), [(3, 4)], {}),
    ("clamp_tensor", lambda L, a, lo, hi: L.clamp(a, min=lo, max=hi + 1), [(3, 4), (4,), (3, 1)], {}),
    ("where", lambda L, a, b: L.where(a > 0, a, b), [(3, 4), (4,)], {}),
    ("where_scalar", lambda L, a: L.where(a > 0, a, 0.0), [(3, 4)], {}),
    ("softmax", lambda L, a: L.softmax(a, dim=1), [(3, 5)], {}),
    ("softmax0", lambda L, a: a.softmax(0), [(3, 5)], {}),
    ("log_softmax", lambda L, a: L.log_softmax(a, dim=-1), [(3, 5)], {}),
    # reductions
    ("sum", lambda L, a: a.sum(), [(3, 4)], {}),
    ("sum_dim", lambda L, a: a.sum(dim=1), [(3, 4)], {}),
    ("sum_dims_keep", lambda L, a: a.sum(dim=(0, -1), keepdim=True), [(2, 3, 4)], {}),
    ("mean", lambda L, a: a.mean(), [(3, 4)], {}),
    ("mean_dim", lambda L, a: L.mean(a, dim=0, keepdim=True), [(3, 4)], {}),
    ("prod", lambda L, a: a.prod(), [(3, 4)], {}),
    ("prod_dim", lambda L, a: a.prod(1), [(3, 4)], {}),
    ("max", lambda L, a: a.max(), [(3, 4)], {}),
    ("max_dim", lambda L, a: a.max(dim=1), [(3, 4)], {}),
    ("min_dim_keep", lambda L, a: L.min(a, 0, keepdim=True), [(3, 4)], {}),
    ("min", lambda L, a: L.min(a), [(3, 4)], {}),
    ("max_binary", lambda L, a, b: L.max(a, b), [(3, 4), (3, 4)], {}),
    ("amax", lambda L, a: a.amax(dim=1), [(3, 4)], {}),
    ("amin", lambda L, a: L.amin(a, dim=(0, 1)), [(3, 4)], {}),
    ("argmax", lambda L, a: a.argmax(), [(3, 4)], {}),
    ("argmax_dim", lambda L, a: L.argmax(a, dim=1), [(3, 4)], {}),
    ("argmin_dim_keep", lambda L, a: a.argmin(dim=0, keepdim=True), [(3, 4)], {}),
    ("var", lambda L, a: a.var(), [(3, 4)], {}),
    ("var_dim", lambda L, a: a.var(dim=1, unbiased=False), [(3, 4)], {}),
    ("var_correction", lambda L, a: L.var(a, dim=0, correction=2, keepdim=True), [(5, 4)], {}),
    ("std", lambda L, a: a.std(), [(3, 4)], {}),
    ("std_dim", lambda L, a: L.std(a, dim=-1), [(3, 4)], {}),
    ("logsumexp", lambda L, a: a.logsumexp(dim=1), [(3, 4)], {}),
    ("norm", lambda L, a: a.norm(), [(3, 4)], {}),
    ("norm_dim", lambda L, a: L.norm(a, dim=1), [(3, 4)], {}),
    ("norm_p1", lambda L, a: a.norm(p=1), [(3, 4)], {}),
    ("norm_p3", lambda L, a: a.norm(p=3, dim=0), [(3, 4)], {}),
    ("cumsum", lambda L, a: a.cumsum(dim=1), [(3, 4)], {}),
    ("cumsum0", lambda L, a: L.cumsum(a, 0), [(3, 4)], {}),
    ("sort", lambda L, a: a.sort(dim=1), [(3, 5)], {}),
    ("sort_desc", lambda L, a: L.sort(a, dim=0, descending=True), [(3, 5)], {}),
    ("topk", lambda L, a: a.topk(2), [(3, 5)], {}),
    ("topk_small", lambda L, a: L.topk(a, 2, dim=0, largest=False), [(3, 5)], {}),
    ("all", lambda L, a: (a > -1.9).all(), [(3, 4)], {}),
    ("any_dim", lambda L, a: (a > 1).any(dim=1), [(3, 4)], {}),
    # linear algebra
    ("matmul_2d", lambda L, a, b: a @ b, [(3, 4), (4, 5)], {}),
    ("matmul_1d1d", lambda L, a, b: L.matmul(a, b), [(4,), (4,)], {}),
    ("matmul_2d1d", lambda L, a, b: a @ b, [(3, 4), (4,)], {}),
    ("matmul_1d2d", lambda L, a, b: a @ b, [(4,), (4, 5)], {}),
    ("matmul_batched", lambda L, a, b: a @ b, [(2, 3, 4), (4, 5)], {}),
    ("matmul_broadcast", lambda L, a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)], {}),
    ("matmul_1d3d", lambda L, a, b: a @ b, [(4,), (2, 4, 3)], {}),
    ("mm", lambda L, a, b: L.mm(a, b), [(3, 4), (4, 2)], {}),
    ("bmm", lambda L, a, b: L.bmm(a, b), [(2, 3, 4), (2, 4, 2)], {}),
    ("dot", lambda L, a, b: L.dot(a, b), [(5,), (5,)], {}),
    ("mv", lambda L, a, b: L.mv(a, b), [(3, 5), (5,)], {}),
    ("outer", lambda L, a, b: L.outer(a, b), [(3,), (4,)], {}),
    ("einsum_mm", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(3, 4), (4, 2)], {}),
    ("einsum_batch", lambda L, a, b: L.einsum("bij,bkj->bik", a, b), [(2, 3, 4), (2, 5, 4)], {}),
    ("einsum_sum", lambda L, a: L.einsum("ij->i", a), [(3, 4)], {}),
    ("einsum_ellipsis", lambda L, a, b: L.einsum("...ij,...jk", a, b), [(2, 3, 4), (2, 4, 2)], {}),
    # shape
    ("reshape", lambda L, a: a.reshape(4, -1), [(2, 6)], {}),
    ("view", lambda L, a: a.view(3, 4) * 2, [(2, 6)], dict(layouts=("contiguous",))),
    ("flatten", lambda L, a: a.flatten(), [(2, 3, 2)], {}),
    ("flatten_range", lambda L, a: L.flatten(a, 1, 2), [(2, 3, 2, 2)], {}),
    ("unflatten", lambda L, a: a.unflatten(1, (2, 3)), [(2, 6)], {}),
    ("squeeze", lambda L, a: a.squeeze(), [(1, 3, 1)], {}),
    ("squeeze_dim", lambda L, a: a.squeeze(0), [(1, 3, 1)], {}),
    ("unsqueeze", lambda L, a: a.unsqueeze(-1), [(2, 3)], {}),
    ("permute", lambda L, a: a.permute(2, 0, 1), [(2, 3, 4)], {}),
    ("transpose", lambda L, a: a.transpose(0, 2), [(2, 3, 4)], {}),
    ("t", lambda L, a: a.t(), [(2, 3)], {}),
    ("T", lambda L, a: a.T, [(2, 3)], {}),
    ("mT", lambda L, a: a.mT, [(2, 3, 4)], {}),
    ("expand", lambda L, a: a.expand(2, 3, 4) * 1.0, [(3, 1)], {}),
    ("expand_as", lambda L, a, b: a.expand_as(b) + b, [(1, 4), (3, 4)], {}),
    ("repeat", lambda L, a: a.repeat(2, 1, 3), [(2, 3)], {}),
    ("cat", lambda L, a, b: L.cat([a, b], dim=1), [(2, 3), (2, 4)], {}),
    ("cat0", lambda L, a, b: L.cat((a, b)), [(2, 3), (1, 3)], {}),
    ("stack", lambda L, a, b: L.stack([a, b], dim=1), [(2, 3), (2, 3)], {}),
    ("split", lambda L, a: a.split(2, dim=1), [(3, 5)], {}),
    ("split_sizes", lambda L, a: L.split(a, [1, 4], dim=1), [(3, 5)], {}),
    ("chunk", lambda L, a: a.chunk(3, dim=0), [(5, 2)], {}),
    ("unbind", lambda L, a: a.unbind(1), [(2, 3)], {}),
    ("flip", lambda L, a: a.flip(0, 1), [(2, 3)], {}),
    ("narrow", lambda L, a: a.narrow(1, 1, 2), [(3, 4)], {}),
    ("clone", lambda L, a: a.clone(), [(3, 4)], {}),
    ("contiguous", lambda L, a: a.contiguous() * 1, [(3, 4)], {}),
    ("tril", lambda L, a: a.tril(), [(4, 4)], {}),
    ("triu", lambda L, a: L.triu(a, 1), [(4, 4)], {}),
    ("movedim", lambda L, a: L.movedim(a, 0, 2), [(2, 3, 4)], {}),
    # indexing
    ("index_int", lambda L, a: a[1], [(3, 4)], {}),
    ("index_slice_step", lambda L, a: a[::2, 1:3], [(5, 4)], {}),
    ("index_negative", lambda L, a: a[-1, -2:], [(3, 4)], {}),
    ("index_none_ellipsis", lambda L, a: a[None, ..., 0], [(3, 4)], {}),
    ("index_list", lambda L, a: a[[0, 2, 0]], [(3, 4)], {}),
    ("index_tensor", lambda L, a: a[:, L.tensor([3, 0, 3])], [(3, 4)], {}),
    ("index_mask", lambda L, a: a[a > 0], [(3, 4)], {}),
    ("index_mixed", lambda L, a: a[L.tensor([0, 1]), 1:, L.tensor([1, 0])], [(3, 4, 2)], {}),
    ("index_numpy", lambda L, a: a[np.array([2, 0]), ...], [(3, 4)], {}),
    ("gather", lambda L, a: a.gather(1, L.tensor([[0, 0], [1, 0], [3, 2]], device=a.device)), [(3, 4)], {}),
    ("gather_small", lambda L, a: L.gather(a, 0, L.tensor([[2, 0]], device=a.device)), [(3, 4)], {}),
    ("scatter", lambda L, a, s: a.scatter(1, L.tensor([[0], [2], [1]], device=a.device), s), [(3, 4), (3, 1)], {}),
    ("scatter_add", lambda L, a, s: a.scatter_add(0, L.tensor([[0, 1, 0, 0], [0, 2, 1, 0]], device=a.device), s),
     [(3, 4), (2, 4)], {}),
    ("index_select", lambda L, a: a.index_select(0, L.tensor([2, 0, 2], device=a.device)), [(3, 4)], {}),
    ("masked_fill", lambda L, a: a.masked_fill(a > 0.5, -1.0), [(3, 4)], {}),
    ("masked_fill_bcast", lambda L, a: a.masked_fill(L.tensor([True, False, True, False], device=a.device), 0.0), [(3, 4)], {}),
    ("masked_select", lambda L, a: L.masked_select(a, a < 0), [(3, 4)], {}),
]


@pytest.mark.parametrize("name,fn,shapes,opts", CASES, ids=[c[0] for c in CASES])
def test_op(name, fn, shapes, opts, device):
    opts = dict(opts)
    default = LAYOUTS if all(len(s) >= 2 for s in shapes) else ("contiguous",)
    check_op(fn, shapes, device=device, layouts=opts.pop("layouts", default), **opts)


# ---- edge values: zeros, ties, negatives, large magnitudes ------------------------------------------

TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.0, 0.0, 0.0, 0.0], [-5.0, 7.0, -5.0, 7.0]])
WITH_ZEROS = np.array([[0.0, -0.0, 1.5, -2.0], [3.0, 0.0, -1.0, 0.5]])
LARGE = np.array([[1e4, -1e4, 30.0, -30.0], [88.0, -88.0, 1e-6, -1e-6]])

EDGE_CASES = [
    ("relu_at_zero", lambda L, a: a.relu(), [WITH_ZEROS]),
    ("abs_at_zero", lambda L, a: a.abs(), [WITH_ZEROS]),
    ("sign_at_zero", lambda L, a: a.sign(), [WITH_ZEROS]),
    ("clamp_at_bounds", lambda L, a: a.clamp(-2.0, 1.5), [WITH_ZEROS]),
    ("max_ties", lambda L, a: a.max(), [TIES]),
    ("min_ties", lambda L, a: a.min(), [TIES]),
    ("max_dim_ties", lambda L, a: a.max(dim=1), [TIES]),
    ("amax_ties", lambda L, a: a.amax(dim=1), [TIES]),
    ("amin_ties", lambda L, a: a.amin(dim=0), [TIES]),
    ("maximum_ties", lambda L, a, b: L.maximum(a, b), [TIES, TIES[::-1].copy()]),
    ("minimum_ties", lambda L, a, b: L.minimum(a, b), [TIES, np.zeros(4)]),
    ("argmax_ties", lambda L, a: a.argmax(dim=1), [TIES]),
    ("norm_zero_row", lambda L, a: a.norm(dim=1), [TIES]),
    ("std_zero_row", lambda L, a: a.std(dim=1), [TIES]),
    ("prod_with_zero", lambda L, a: a.prod(dim=1), [WITH_ZEROS]),
    ("prod_all_with_zero", lambda L, a: a.prod(), [WITH_ZEROS]),
    ("sigmoid_large", lambda L, a: a.sigmoid(), [LARGE]),
    ("tanh_large", lambda L, a: a.tanh(), [LARGE]),
    ("softmax_large", lambda L, a: a.softmax(dim=1), [LARGE]),
    ("log_softmax_large", lambda L, a: a.log_softmax(dim=1), [LARGE]),
    ("logsumexp_large", lambda L, a: a.logsumexp(dim=1), [LARGE]),
    ("exp_large", lambda L, a: (a / 100).exp(), [LARGE]),
    ("sort_ties", lambda L, a: a.sort(dim=1, stable=True), [TIES]),
    ("topk_distinct", lambda L, a: a.topk(3, dim=1), [LARGE]),
    ("zero_d_ops", lambda L, a, b: (a * b + a.exp()) / (b * b + 1), [np.array(1.5), np.array(-0.5)]),
    ("zero_d_sum", lambda L, a: a.sum(), [np.array(2.5)]),
    ("zero_d_broadcast", lambda L, a, b: a * b, [np.array(3.0), np.ones((2, 3))]),
    ("empty_sum", lambda L, a: a.sum(dim=0), [np.zeros((0, 3))]),
    ("empty_mul", lambda L, a, b: a * b, [np.zeros((0, 3)), np.ones(3)]),
    ("empty_matmul", lambda L, a, b: a @ b, [np.zeros((0, 3)), np.ones((3, 2))]),
    ("empty_cat", lambda L, a, b: L.cat([a, b]), [np.zeros((0, 3)), np.ones((2, 3))]),
]


@pytest.mark.parametrize("name,fn,arrays", EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_values(name, fn, arrays, device):
    check_op(fn, arrays=arrays, device=device)


# ---- integer and bool tensors: forward only, dtypes promoted as torch does -----------------------------

INT = np.array([[3, -1, 4], [1, -5, 9]], dtype=np.int64)
BOOL = np.array([[True, False, True], [False, False, True]])
INT_CASES = [
    ("int_add_float_scalar", lambda L, a: a + 1.5),
    ("int_div", lambda L, a: a / 2),
    ("int_div_int", lambda L, a: a / a.clamp(min=1)),
    ("int_floordiv", lambda L, a: a // 2),
    ("int_mod", lambda L, a: a % 3),
    ("int_mul_bool", lambda L, a: a * (a > 0)),
    ("int_sum", lambda L, a: a.sum()),
    ("int_cumsum", lambda L, a: a.cumsum(0)),
    ("int_exp", lambda L, a: a.exp()),
    ("int_maximum_0d", lambda L, a: L.maximum(L.tensor(0), a.float())),
    ("int_abs", lambda L, a: a.abs()),
    ("int_pow", lambda L, a: a ** 2),
    ("int_eq", lambda L, a: L.eq(a, 1)),
    ("int_bitwise", lambda L, a: (a & 6) | 1),
    ("int_int32_promote", lambda L, a: a.int() + a.short()),
    ("int_uint8_int8", lambda L, a: a.abs().byte() + a.char()),
    ("int_float16", lambda L, a: a + a.half()),
    ("int_argsort", lambda L, a: a.argsort(dim=1)),
    ("int_unique", lambda L, a: L.unique(a, return_counts=True)),
    ("int_sort", lambda L, a: a.sort(dim=1, descending=True)),
    ("int_max_dim", lambda L, a: a.max(dim=0)),
    ("int_float32_tensor_0d_float64", lambda L, a: a.float() * L.tensor(2.0, dtype=L.float64)),
    ("float32_plus_float64", lambda L, a: a.float() + a.double()),
]


@pytest.mark.parametrize("name,fn", INT_CASES, ids=[c[0] for c in INT_CASES])
def test_integer_ops(name, fn, device):
    check_op(fn, arrays=[INT], grad=False, dtypes=(np.float64,), device=device)


BOOL_CASES = [
    ("bool_and", lambda L, a: a & a.flip(1)),
    ("bool_or", lambda L, a: a | a.flip(0)),
    ("bool_xor", lambda L, a: a ^ a.flip(0)),
    ("bool_invert", lambda L, a: ~a),
    ("bool_sum", lambda L, a: a.sum(dim=1)),
    ("bool_add_int", lambda L, a: a + 1),
    ("bool_mul_float", lambda L, a: a * 2.5),
    ("bool_any_all", lambda L, a: (a.any(), a.all(dim=0))),
    ("bool_logical_not", lambda L, a: L.logical_not(a)),
    ("bool_nonzero", lambda L, a: a.nonzero()),
    ("bool_where_index", lambda L, a: L.where(a)),
]


@pytest.mark.parametrize("name,fn", BOOL_CASES, ids=[c[0] for c in BOOL_CASES])
def test_bool_ops(name, fn, device):
    check_op(fn, arrays=[BOOL], grad=False, dtypes=(np.float64,), device=device)
