"""Attention, transformer encoder and embedding against torch.

float32 attention results are held to rtol 1e-4 instead of 1e-5: they pass through two matmuls, a
softmax and a second projection, and torch's CPU kernels (fused flash attention, its own GEMM
blocking) round differently; single elements of gradients then differ by ~1e-4 relative where
terms cancel. float64 stays at 1e-10.
"""
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import check_op, check_same_error
from layer_harness import check_module

ATTN_RTOL = {np.float32: 1e-4}


def F(L):
    return L.nn.functional


def check_attention(fn, shapes=None, **kw):
    check_op(fn, shapes, dtypes=(np.float64,), **kw)
    check_op(fn, shapes, dtypes=(np.float32,), rtol=ATTN_RTOL[np.float32], **kw)


# ---- scaled_dot_product_attention -----------------------------------------------------------------------

def _bool_mask():
    mask = np.random.default_rng(2).uniform(size=(2, 1, 5, 6)) > 0.3
    mask[..., 0] = True  # every query may attend somewhere (a fully masked row is NaN in torch too)
    return mask


QKV = [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4)]
SDPA_CASES = [
    ("plain", lambda L, q, k, v: F(L).scaled_dot_product_attention(q, k, v), dict(shapes=QKV)),
    ("causal_scale", lambda L, q, k, v: F(L).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
     dict(shapes=QKV)),
    ("float_mask", lambda L, q, k, v, m: F(L).scaled_dot_product_attention(q, k, v, m),
     dict(shapes=QKV + [(5, 6)])),
    ("bool_mask", lambda L, q, k, v, m: F(L).scaled_dot_product_attention(q, k, v, m),
     dict(arrays=[np.random.default_rng(0).normal(size=s) for s in QKV] + [_bool_mask()])),
    ("three_dims", lambda L, q, k, v: F(L).scaled_dot_product_attention(q, k, v), dict(shapes=[(3, 5, 4)] * 3)),
    ("gqa", lambda L, q, k, v: F(L).scaled_dot_product_attention(q, k, v, enable_gqa=True),
     dict(shapes=[(2, 4, 5, 4), (2, 2, 6, 4), (2, 2, 6, 4)])),
]


@pytest.mark.parametrize("name,fn,opts", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
def test_sdpa(name, fn, opts, device):
    check_attention(fn, device=device, **opts)


def test_sdpa_dropout_same_as_torch():
    """With the same seed, SDPA's dropout removes the same attention weights as torch's."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=s) for s in QKV)
    for dtype in (np.float64, np.float32):
        torch.manual_seed(0)
        t = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(a.astype(dtype)) for a in (q, k, v)),
                                                             dropout_p=0.3)
        mt.manual_seed(0)
        m = mt.nn.functional.scaled_dot_product_attention(*(mt.tensor(a.astype(dtype)) for a in (q, k, v)),
                                                          dropout_p=0.3)
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_sdpa_integer_mask_error():
    ours, theirs = check_same_error(lambda L: F(L).scaled_dot_product_attention(
        L.randn(2, 5, 4), L.randn(2, 6, 4), L.randn(2, 6, 4), L.zeros(5, 6, dtype=L.int64)))
    assert ours == theirs


# ---- multi_head_attention_forward -------------------------------------------------------------------------

E, H = 8, 2
PROJ = [(3 * E, E), (3 * E,), (E, E), (E,)]


def _mha(L, q, k, v, w, b, ow, ob, **kw):
    return F(L).multi_head_attention_forward(q, k, v, E, H, w, b, None, None, False, 0.0, ow, ob, **kw)


def _arrays(*shapes, extra=()):
    rng = np.random.default_rng(0)
    return [rng.normal(size=s) for s in shapes] + list(extra)


KPM = np.zeros((3, 6), bool)
KPM[0, 4:] = KPM[2, 1] = True
ATTN = np.triu(np.ones((5, 6), bool), 2)
CAUSAL = np.triu(np.full((5, 5), -np.inf), 1)

MHA_CASES = [
    ("cross", lambda L, *a: _mha(L, *a), dict(shapes=[(5, 3, E), (6, 3, E), (6, 3, E)] + PROJ)),
    ("no_weights", lambda L, *a: _mha(L, *a, need_weights=False), dict(shapes=[(5, 3, E), (6, 3, E), (6, 3, E)] + PROJ)),
    ("per_head_weights", lambda L, *a: _mha(L, *a, average_attn_weights=False),
     dict(shapes=[(5, 3, E), (6, 3, E), (6, 3, E)] + PROJ)),
    ("self", lambda L, x, *a: _mha(L, x, x, x, *a), dict(shapes=[(5, 3, E)] + PROJ)),
    ("self_no_weights", lambda L, x, *a: _mha(L, x, x, x, *a, need_weights=False), dict(shapes=[(5, 3, E)] + PROJ)),
    ("key_is_value", lambda L, x, y, *a: _mha(L, x, y, y, *a), dict(shapes=[(5, 3, E), (6, 3, E)] + PROJ)),
    ("unbatched", lambda L, *a: _mha(L, *a), dict(shapes=[(5, E), (6, E), (6, E)] + PROJ)),
    ("unbatched_no_weights", lambda L, *a: _mha(L, *a, need_weights=False), dict(shapes=[(5, E), (6, E), (6, E)] + PROJ)),
]
for _need in (True, False):
    MHA_CASES += [
        (f"bool_masks_{_need}", lambda L, *a, n=_need: _mha(L, *a[:-2], key_padding_mask=a[-2], attn_mask=a[-1],
                                                            need_weights=n),
         dict(arrays=_arrays((5, 3, E), (6, 3, E), (6, 3, E), *PROJ, extra=[KPM, ATTN]))),
        (f"float_3d_mask_{_need}", lambda L, *a, n=_need: _mha(L, *a[:-1], attn_mask=a[-1], need_weights=n),
         dict(arrays=_arrays((5, 3, E), (6, 3, E), (6, 3, E), *PROJ, (3 * H, 5, 6)))),
        (f"float_padding_mask_{_need}", lambda L, *a, n=_need: _mha(L, *a[:-1], key_padding_mask=a[-1],
                                                                    need_weights=n),
         dict(arrays=_arrays((5, 3, E), (6, 3, E), (6, 3, E), *PROJ, (3, 6)))),
        (f"causal_{_need}", lambda L, x, *a, n=_need: _mha(L, x, x, x, *a[:-1], attn_mask=a[-1], is_causal=True,
                                                          need_weights=n),
         dict(arrays=_arrays((5, 3, E), *PROJ, extra=[CAUSAL]))),
    ]


@pytest.mark.parametrize("name,fn,opts", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_mha_functional(name, fn, opts, device):
    check_attention(fn, device=device, **opts)


MHA_ERRORS = [
    lambda L: _mha(L, L.randn(5, 3, E), L.randn(6, 3, E), L.randn(6, 2, E), *(L.randn(*s) for s in PROJ)),
    lambda L: _mha(L, L.randn(5, 3, E), L.randn(6, 3), L.randn(6, 3, E), *(L.randn(*s) for s in PROJ)),
    lambda L: _mha(L, L.randn(5, 3, E), L.randn(6, 3, E), L.randn(6, 3, E), *(L.randn(*s) for s in PROJ),
                   attn_mask=L.zeros(5, 5)),
    lambda L: _mha(L, L.randn(5, 3, E), L.randn(6, 3, E), L.randn(6, 3, E), *(L.randn(*s) for s in PROJ),
                   key_padding_mask=L.zeros(3, 6, dtype=L.int64)),
    lambda L: _mha(L, L.randn(5, 3, E), L.randn(6, 3, E), L.randn(6, 3, E), *(L.randn(*s) for s in PROJ),
                   is_causal=True),
    lambda L: L.nn.MultiheadAttention(10, 3),
    lambda L: L.nn.MultiheadAttention(0, 3),
]


@pytest.mark.parametrize("fn", MHA_ERRORS)
def test_mha_errors(fn):
    ours, theirs = check_same_error(fn)
    assert ours == theirs


# ---- MultiheadAttention layer ----------------------------------------------------------------------------------

def _self(module, x):
    return module(x, x, x)


def _cross(module, q, kv):
    return module(q, kv, kv)


MHA_MODULES = [
    ("batch_first_self", lambda L: L.nn.MultiheadAttention(E, H, batch_first=True), _self, [(3, 5, E)]),
    ("seq_first_cross", lambda L: L.nn.MultiheadAttention(E, H), _cross, [(5, 3, E), (6, 3, E)]),
    ("no_weights", lambda L: L.nn.MultiheadAttention(E, 4, batch_first=True),
     lambda m, x: m(query=x, key=x, value=x, need_weights=False), [(3, 5, E)]),
    ("per_head", lambda L: L.nn.MultiheadAttention(E, 4),
     lambda m, q, k, v: m(q, k, v, average_attn_weights=False), [(5, 3, E), (6, 3, E), (6, 3, E)]),
    ("kdim_vdim", lambda L: L.nn.MultiheadAttention(E, H, kdim=5, vdim=3, batch_first=True),
     lambda m, q, k, v: m(q, k, v), [(3, 5, E), (3, 6, 5), (3, 6, 3)]),
    ("no_bias", lambda L: L.nn.MultiheadAttention(E, H, bias=False), _self, [(5, 3, E)]),
    ("bias_kv_zero_attn", lambda L: L.nn.MultiheadAttention(E, H, add_bias_kv=True, add_zero_attn=True),
     _self, [(5, 3, E)]),
    ("unbatched", lambda L: L.nn.MultiheadAttention(E, H, batch_first=True), _self, [(5, E)]),
]


@pytest.mark.parametrize("name,make,call,shapes", MHA_MODULES, ids=[c[0] for c in MHA_MODULES])
def test_mha_module(name, make, call, shapes, device):
    check_module(make, shapes, call=call, rtol=ATTN_RTOL, device=device)


def test_mha_module_masks():
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    rng = np.random.default_rng(0)
    check_module(lambda L: L.nn.MultiheadAttention(E, H, batch_first=True),
                 arrays=[rng.normal(size=(3, 5, E)), kpm, np.triu(np.ones((5, 5), bool), 1)],
                 call=lambda m, x, kpm, am: m(x, x, x, key_padding_mask=kpm, attn_mask=am), rtol=ATTN_RTOL)


def test_mha_parameter_names_and_repr():
    for make in (lambda L: L.nn.MultiheadAttention(E, H), lambda L: L.nn.MultiheadAttention(E, H, kdim=4, vdim=4),
                 lambda L: L.nn.MultiheadAttention(E, H, bias=False, add_bias_kv=True)):
        t, m = make(torch), make(mt)
        assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
        assert list(m.state_dict()) == list(t.state_dict())
        assert repr(m) == repr(t)


def test_mha_dropout_training_same_as_torch():
    """Dropout on the attention weights draws torch's random numbers in torch's order."""
    for need_weights in (True, False):
        t = torch.nn.MultiheadAttention(E, H, dropout=0.3, batch_first=True).double()
        m = mt.nn.MultiheadAttention(E, H, dropout=0.3, batch_first=True).double()
        m.load_state_dict({k: mt.tensor(v.numpy().copy()) for k, v in t.state_dict().items()})
        x = np.random.default_rng(0).normal(size=(2, 5, E))
        torch.manual_seed(3), mt.manual_seed(3)
        t_out, _ = t(*(torch.tensor(x),) * 3, need_weights=need_weights)
        m_out, _ = m(*(mt.tensor(x),) * 3, need_weights=need_weights)
        np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10)


# ---- transformer encoder ------------------------------------------------------------------------------------

def _layer(**kw):
    opts = dict(d_model=E, nhead=H, dim_feedforward=16, dropout=0.0)
    opts.update(kw)
    return lambda L: L.nn.TransformerEncoderLayer(**opts)


ENCODER_MODULES = [
    ("post_norm_relu", _layer(), [(5, 3, E)]),
    ("pre_norm_gelu_batch_first", _layer(activation="gelu", batch_first=True, norm_first=True), [(3, 5, E)]),
    ("gelu_function", lambda L: L.nn.TransformerEncoderLayer(E, H, 16, 0.0, activation=F(L).gelu), [(5, 3, E)]),
    ("module_activation", lambda L: L.nn.TransformerEncoderLayer(E, H, 16, 0.0, activation=L.nn.GELU()),
     [(5, 3, E)]),
    ("no_bias_eps", _layer(bias=False, layer_norm_eps=1e-3, batch_first=True), [(3, 5, E)]),
    ("unbatched", _layer(batch_first=True), [(5, E)]),
    ("encoder_stack", lambda L: L.nn.TransformerEncoder(_layer(batch_first=True, norm_first=True)(L), 2,
                                                        norm=L.nn.LayerNorm(E), enable_nested_tensor=False),
     [(3, 5, E)]),
]


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
@pytest.mark.parametrize("name,make,shapes", ENCODER_MODULES, ids=[c[0] for c in ENCODER_MODULES])
def test_encoder(name, make, shapes, device):
    check_module(make, shapes, rtol=ATTN_RTOL, device=device)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_encoder_masks():
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    rng = np.random.default_rng(0)
    check_module(lambda L: L.nn.TransformerEncoder(_layer(batch_first=True)(L), 2),
                 arrays=[rng.normal(size=(3, 5, E)), kpm, causal],
                 call=lambda m, x, kpm, mask: m(x, mask=mask, src_key_padding_mask=kpm), rtol=ATTN_RTOL)
    check_module(_layer(batch_first=True), arrays=[rng.normal(size=(3, 5, E)), causal],
                 call=lambda m, x, mask: m(x, src_mask=mask, is_causal=True), rtol=ATTN_RTOL)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_encoder_inference_matches_torch_fast_path():
    """torch runs a fused kernel in eval mode without grad; ours computes the same function."""
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, 16, batch_first=True), 2).eval()
    m = mt.nn.TransformerEncoder(mt.nn.TransformerEncoderLayer(E, H, 16, batch_first=True), 2).eval()
    m.load_state_dict({k: mt.tensor(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(3, 5, E)).astype(np.float32)
    with torch.no_grad():
        expected = t(torch.tensor(x)).numpy()
    with mt.no_grad():
        np.testing.assert_allclose(m(mt.tensor(x)).numpy(), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_encoder_dropout_training_same_as_torch():
    """Seeded training with dropout: the same masks in the same order as torch."""
    t = torch.nn.TransformerEncoderLayer(E, H, 16, dropout=0.2, batch_first=True).double()
    m = mt.nn.TransformerEncoderLayer(E, H, 16, dropout=0.2, batch_first=True).double()
    m.load_state_dict({k: mt.tensor(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 5, E))
    torch.manual_seed(11), mt.manual_seed(11)
    np.testing.assert_allclose(m(mt.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_encoder_deep_copies_layer():
    for L in (torch, mt):
        layer = L.nn.TransformerEncoderLayer(E, H, 16)
        enc = L.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
        first, second = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
        assert first is not second and first is not layer.linear1.weight
        assert bool((first == second).all())


ENCODER_REPRS = [
    lambda L: L.nn.TransformerEncoderLayer(16, 4, 32, 0.1, "gelu", batch_first=True, norm_first=True),
    lambda L: L.nn.TransformerEncoderLayer(8, 2),
    lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16), 2, L.nn.LayerNorm(8),
                                      enable_nested_tensor=False),
    lambda L: L.nn.MultiheadAttention(16, 4, dropout=0.1, batch_first=True),
]


@pytest.mark.parametrize("make", ENCODER_REPRS)
def test_encoder_reprs(make):
    assert repr(make(mt)) == repr(make(torch))


def test_encoder_nested_tensor_warning():
    messages = []
    for L in (torch, mt):
        with pytest.warns(UserWarning) as record:
            L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16, norm_first=True), 2)
        messages.append([str(w.message) for w in record if "nested" in str(w.message)])
    assert messages[0] == messages[1]


def test_encoder_layer_bad_activation():
    ours, theirs = check_same_error(lambda L: L.nn.TransformerEncoderLayer(8, 2, activation="tanh"))
    assert ours == theirs


# ---- embedding ----------------------------------------------------------------------------------------------

def _indices(shape=(4, 7), high=10, dtype=np.int64):
    idx = np.random.default_rng(5).integers(0, high, shape).astype(dtype)
    idx.flat[:3] = 3  # repeated indices: their gradients must add up
    return idx


EMBEDDING_CASES = [
    ("plain", lambda L, w, i: F(L).embedding(i, w), [np.random.default_rng(0).normal(size=(10, 5)), _indices()]),
    ("int32", lambda L, w, i: F(L).embedding(i, w), [np.random.default_rng(0).normal(size=(10, 5)),
                                                      _indices(dtype=np.int32)]),
    ("padding_idx", lambda L, w, i: F(L).embedding(i, w, padding_idx=3),
     [np.random.default_rng(0).normal(size=(10, 5)), _indices()]),
    ("negative_padding_idx_freq", lambda L, w, i: F(L).embedding(i, w, padding_idx=-7, scale_grad_by_freq=True),
     [np.random.default_rng(0).normal(size=(10, 5)), _indices()]),
    ("scalar_index", lambda L, w, i: F(L).embedding(i, w), [np.random.default_rng(0).normal(size=(10, 5)),
                                                             np.array(4)]),
    ("3d_indices", lambda L, w, i: F(L).embedding(i, w), [np.random.default_rng(0).normal(size=(6, 3)),
                                                           _indices((2, 3, 4), high=6)]),
]


@pytest.mark.parametrize("name,fn,arrays", EMBEDDING_CASES, ids=[c[0] for c in EMBEDDING_CASES])
def test_embedding(name, fn, arrays, device):
    check_op(fn, arrays=arrays, device=device, check_grad_fn=True)


def test_embedding_float32_grad_bit_exact():
    """The scatter-add sums each row's gradients in torch's order: float32 grads are identical."""
    rng = np.random.default_rng(0)
    w, idx = rng.normal(size=(50, 16)).astype(np.float32), rng.integers(0, 50, (64, 20))
    g = rng.normal(size=(64, 20, 16)).astype(np.float32)
    tw, mw = torch.tensor(w, requires_grad=True), mt.tensor(w, requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(idx), tw).backward(torch.tensor(g))
    mt.nn.functional.embedding(mt.tensor(idx), mw).backward(mt.tensor(g))
    np.testing.assert_array_equal(mw.grad.numpy(), tw.grad.numpy())


def test_embedding_max_norm_renormalises_in_place():
    rng = np.random.default_rng(0)
    w, idx = rng.normal(size=(10, 5)) * 2, _indices()
    tw, mw = torch.tensor(w), mt.tensor(w)
    t_out = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.5, norm_type=1.5)
    m_out = mt.nn.functional.embedding(mt.tensor(idx), mw, max_norm=1.5, norm_type=1.5)
    np.testing.assert_allclose(m_out.numpy(), t_out.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mw.numpy(), tw.numpy(), rtol=1e-12)


def test_embedding_module():
    check_module(lambda L: L.nn.Embedding(10, 4, padding_idx=2), arrays=[_indices()], input_grad=False)
    check_module(lambda L: L.nn.Embedding(10, 4, scale_grad_by_freq=True), arrays=[_indices()], input_grad=False)


def test_embedding_from_pretrained():
    w = np.random.default_rng(0).normal(size=(4, 3))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w), padding_idx=1)
    m = mt.nn.Embedding.from_pretrained(mt.tensor(w), padding_idx=1)
    assert m.weight.requires_grad is t.weight.requires_grad is False
    assert repr(m) == repr(t)
    np.testing.assert_array_equal(m(mt.tensor([1, 3])).numpy(), t(torch.tensor([1, 3])).numpy())


EMBEDDING_REPRS = [
    lambda L: L.nn.Embedding(10, 3),
    lambda L: L.nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True),
    lambda L: L.nn.Embedding(10, 3, max_norm=2),
]


@pytest.mark.parametrize("make", EMBEDDING_REPRS)
def test_embedding_reprs(make):
    assert repr(make(mt)) == repr(make(torch))


EMBEDDING_ERRORS = [
    lambda L: F(L).embedding(L.tensor([1.0, 2.0]), L.randn(10, 3)),
    lambda L: F(L).embedding(L.tensor([1, 2], dtype=L.uint8), L.randn(10, 3)),
    lambda L: F(L).embedding(L.tensor([1, 12]), L.randn(10, 3)),
    lambda L: F(L).embedding(L.tensor([1, -1]), L.randn(10, 3)),
    lambda L: F(L).embedding(L.tensor([1, 2]), L.randn(10, 3), padding_idx=12),
    lambda L: L.nn.Embedding(10, 3, padding_idx=10),
    lambda L: L.nn.Embedding(10, 3, padding_idx=-11),
]


@pytest.mark.parametrize("fn", EMBEDDING_ERRORS)
def test_embedding_errors(fn):
    ours, theirs = check_same_error(fn)
    assert ours == theirs
