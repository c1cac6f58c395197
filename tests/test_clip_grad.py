"""Gradient clipping against torch.nn.utils: the returned total norm and the clipped gradients."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.nn import utils as mt_utils

TOL = {np.float32: 1e-6, np.float64: 1e-13}
SHAPES = [(4, 3), (3,), (), (2, 2, 2)]


def make_params(dtype, device="cpu", scale=1.0, seed=0, with_none=True):
    """Parameters with gradients (the second one without, when `with_none`)."""
    rng = np.random.default_rng(seed)
    pairs = []
    for i, shape in enumerate(SHAPES):
        value = rng.standard_normal(shape).astype(dtype)
        grad = (rng.standard_normal(shape) * scale).astype(dtype)
        tp = torch.tensor(value, requires_grad=True)
        mp = mt.tensor(value, device=device, requires_grad=True)
        if not (with_none and i == 1):
            tp.grad = torch.tensor(grad)
            mp.grad = mt.tensor(grad, device=device)
        pairs.append((tp, mp))
    return [p for p, _ in pairs], [p for _, p in pairs]


def grads_of(params):
    return [None if p.grad is None else np.array(p.grad.detach().cpu().numpy() if isinstance(p, mt.Tensor)
                                                 else p.grad.numpy()) for p in params]


def assert_grads_close(torch_params, mt_params, dtype):
    for t, m in zip(grads_of(torch_params), grads_of(mt_params)):
        assert (t is None) == (m is None)
        if t is not None:
            assert m.dtype == dtype
            np.testing.assert_allclose(m, t, rtol=TOL[dtype], atol=TOL[dtype] * np.abs(t).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, 0.5, math.inf, -math.inf, 0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])  # clipping, and a no-op
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype, device):
    tps, mps = make_params(dtype, device)
    if norm_type == "inf":
        norm_type = float("inf")
    t_norm = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    m_norm = mt_utils.clip_grad_norm_(mps, max_norm, norm_type=norm_type)
    assert isinstance(m_norm, mt.Tensor) and m_norm.shape == () and str(m_norm.dtype) == str(t_norm.dtype)
    np.testing.assert_allclose(m_norm.item(), t_norm.item(), rtol=TOL[dtype])
    assert_grads_close(tps, mps, dtype)


def test_clip_grad_norm_single_tensor_and_generator():
    tps, mps = make_params(np.float32, with_none=False)
    t_norm = torch.nn.utils.clip_grad_norm_(tps[0], 0.1)
    m_norm = mt_utils.clip_grad_norm_(mps[0], 0.1)
    np.testing.assert_allclose(m_norm.item(), t_norm.item(), rtol=1e-6)
    t_norm = torch.nn.utils.clip_grad_norm_((p for p in tps), 0.1)
    m_norm = mt_utils.clip_grad_norm_((p for p in mps), 0.1)
    np.testing.assert_allclose(m_norm.item(), t_norm.item(), rtol=1e-6)
    assert_grads_close(tps, mps, np.float32)


def test_clip_grad_norm_empty():
    assert mt_utils.clip_grad_norm_([], 1.0).item() == torch.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        mt_utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_exact_formula():
    """torch's coefficient: max_norm / (total_norm + 1e-6), clamped to 1, in the gradients' dtype."""
    w = mt.tensor([3.0, 4.0], requires_grad=True)
    w.grad = mt.tensor([3.0, 4.0])
    total = mt_utils.clip_grad_norm_([w], 1.0)
    coef = np.float32(1.0) / (np.float32(5.0) + np.float32(1e-6))
    assert total.item() == 5.0
    assert w.grad.tolist() == (np.array([3.0, 4.0], np.float32) * coef).tolist()


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_error_if_nonfinite(bad):
    messages = []
    for L, clip in ((torch, torch.nn.utils.clip_grad_norm_), (mt, mt_utils.clip_grad_norm_)):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        w.grad = L.tensor([1.0, bad])
        with pytest.raises(RuntimeError) as info:
            clip([w], 1.0, error_if_nonfinite=True)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def test_nonfinite_norm_without_error_scales_like_torch():
    results = []
    for L, clip in ((torch, torch.nn.utils.clip_grad_norm_), (mt, mt_utils.clip_grad_norm_)):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        w.grad = L.tensor([1.0, float("inf")])
        norm = clip([w], 1.0)
        results.append((norm.item(), np.isnan(np.array(w.grad.tolist())).tolist()))
    assert results[1] == results[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("clip_value", [0.3, 2, 100.0])
def test_clip_grad_value_matches_torch(clip_value, dtype, device):
    tps, mps = make_params(dtype, device, scale=2.0)
    assert torch.nn.utils.clip_grad_value_(tps, clip_value) is None
    assert mt_utils.clip_grad_value_(mps, clip_value) is None
    assert_grads_close(tps, mps, dtype)
    m = grads_of(mps)[0]
    assert np.abs(m).max() <= clip_value


def test_clip_grad_value_single_tensor_keeps_nan():
    results = []
    for L, clip in ((torch, torch.nn.utils.clip_grad_value_), (mt, mt_utils.clip_grad_value_)):
        w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w.grad = L.tensor([-5.0, float("nan"), 0.5])
        grad = w.grad
        clip(w, 1.0)
        assert w.grad is grad  # in place
        results.append(np.array(w.grad.tolist()))
    np.testing.assert_array_equal(results[1], results[0])


def test_clip_grad_norm_deprecated_alias():
    w = mt.tensor([3.0, 4.0], requires_grad=True)
    w.grad = mt.tensor([3.0, 4.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mt_utils.clip_grad_norm([w], 1.0)
    assert any(issubclass(w.category, FutureWarning) for w in caught)


def test_get_total_norm_and_clip_grads_with_norm():
    tps, mps = make_params(np.float64, with_none=False)
    t_total = torch.nn.utils.get_total_norm([p.grad for p in tps], norm_type=3.0)
    m_total = mt_utils.get_total_norm([p.grad for p in mps], norm_type=3.0)
    np.testing.assert_allclose(m_total.item(), t_total.item(), rtol=1e-13)
    torch.nn.utils.clip_grads_with_norm_(tps, 0.2, t_total)
    mt_utils.clip_grads_with_norm_(mps, 0.2, m_total)
    assert_grads_close(tps, mps, np.float64)
