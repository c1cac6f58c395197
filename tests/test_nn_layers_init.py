"""Default initialisation of the layers is torch's, bit for bit: after the same manual_seed, every
parameter and buffer of a freshly built layer equals torch's exactly (same draws, same order)."""
import numpy as np
import pytest
import torch

import minitorch_lite as mt

LAYERS = [
    ("conv2d", lambda L: L.nn.Conv2d(3, 10, 3, padding=1)),
    ("conv2d_groups_no_bias", lambda L: L.nn.Conv2d(4, 8, (3, 5), groups=2, bias=False)),
    ("conv2d_depthwise", lambda L: L.nn.Conv2d(6, 12, 3, groups=6)),
    ("conv2d_float64", lambda L: L.nn.Conv2d(2, 3, 2, dtype=L.float64)),
    ("conv1d", lambda L: L.nn.Conv1d(3, 5, 4, stride=2)),
    ("batchnorm1d", lambda L: L.nn.BatchNorm1d(7)),
    ("batchnorm2d", lambda L: L.nn.BatchNorm2d(3, affine=False)),
    ("layernorm", lambda L: L.nn.LayerNorm((4, 5))),
    ("groupnorm", lambda L: L.nn.GroupNorm(2, 6)),
    ("embedding", lambda L: L.nn.Embedding(20, 6)),
    ("embedding_padding", lambda L: L.nn.Embedding(20, 6, padding_idx=-3)),
    ("mha", lambda L: L.nn.MultiheadAttention(16, 4)),
    ("mha_kdim_vdim", lambda L: L.nn.MultiheadAttention(16, 4, kdim=6, vdim=5)),
    ("mha_bias_kv", lambda L: L.nn.MultiheadAttention(16, 2, add_bias_kv=True, bias=False)),
    ("encoder_layer", lambda L: L.nn.TransformerEncoderLayer(16, 4, 32, batch_first=True, norm_first=True)),
    ("encoder", lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(16, 4, 32), 2,
                                                  enable_nested_tensor=False)),
    ("tinyvgg", lambda L: L.nn.Sequential(
        L.nn.Conv2d(1, 10, 3, 1, 1), L.nn.ReLU(), L.nn.Conv2d(10, 10, 3, 1, 1), L.nn.ReLU(), L.nn.MaxPool2d(2),
        L.nn.Conv2d(10, 10, 3, 1, 1), L.nn.ReLU(), L.nn.Conv2d(10, 10, 3, 1, 1), L.nn.ReLU(), L.nn.MaxPool2d(2),
        L.nn.Flatten(), L.nn.Linear(10 * 7 * 7, 10))),
]


@pytest.mark.parametrize("seed", [0, 42])
@pytest.mark.parametrize("name,make", LAYERS, ids=[c[0] for c in LAYERS])
def test_default_init_matches_torch(name, make, seed):
    torch.manual_seed(seed)
    t = make(torch)
    mt.manual_seed(seed)
    m = make(mt)
    t_state, m_state = t.state_dict(), m.state_dict()
    assert list(m_state) == list(t_state)
    for key, expected in t_state.items():
        ours = m_state[key]
        assert repr(ours.dtype) == str(expected.dtype), key
        np.testing.assert_array_equal(ours.numpy(), expected.numpy(), err_msg=key)
    # the generators end in the same state: the next draw agrees too
    np.testing.assert_array_equal(mt.rand(3).numpy(), torch.rand(3).numpy())


def test_parameters_require_grad_and_buffers_do_not():
    m = mt.nn.BatchNorm2d(3)
    assert all(p.requires_grad for p in m.parameters())
    assert not any(b.requires_grad for b in m.buffers())
    assert m.num_batches_tracked.dtype == mt.int64 and m.num_batches_tracked.ndim == 0


def test_reset_parameters_redraws_like_torch():
    torch.manual_seed(1)
    t = torch.nn.Conv2d(3, 4, 3)
    mt.manual_seed(1)
    m = mt.nn.Conv2d(3, 4, 3)
    t.reset_parameters()
    m.reset_parameters()
    np.testing.assert_array_equal(m.weight.detach().numpy(), t.weight.detach().numpy())
    np.testing.assert_array_equal(m.bias.detach().numpy(), t.bias.detach().numpy())
