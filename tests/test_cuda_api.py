"""`mt.cuda` and `mt.backends.cuda` as torch.cuda shows them: on a machine without a GPU (honest
answers, no exceptions where torch gives none) and on a GPU (devices, timing, memory, TF32, seeds)."""
import types
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.backend import cuda_backend
from conftest import CUDA_REASON, needs_real_gpu


@pytest.fixture
def tf32_restored():
    allowed, precision = mt.backends.cuda.matmul.allow_tf32, mt.get_float32_matmul_precision()
    yield
    mt.set_float32_matmul_precision(precision)
    mt.backends.cuda.matmul.allow_tf32 = allowed


# ---- without a GPU ------------------------------------------------------------------------------------

@pytest.mark.skipif(cuda_backend.is_available(), reason="this machine has a GPU")
def test_no_gpu_answers_like_a_cpu_build_of_torch():
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    assert mt.cuda.memory_allocated() == 0 and mt.cuda.max_memory_allocated() == 0
    mt.cuda.manual_seed(0), mt.cuda.manual_seed_all(0), mt.cuda.synchronize(), mt.cuda.empty_cache()
    assert mt.backends.mps.is_available() is False
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        mt.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        mt.tensor([1.0]).cuda()


def test_tf32_switch_and_matmul_precision_agree(tf32_restored):
    assert mt.backends.cuda.matmul.allow_tf32 is False  # torch's default
    mt.backends.cuda.matmul.allow_tf32 = True
    assert mt.get_float32_matmul_precision() == "high"
    mt.set_float32_matmul_precision("highest")
    assert mt.backends.cuda.matmul.allow_tf32 is False
    mt.set_float32_matmul_precision("medium")
    assert mt.backends.cuda.matmul.allow_tf32 is True and mt.get_float32_matmul_precision() == "medium"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mt.set_float32_matmul_precision("fastest")
        torch.set_float32_matmul_precision("fastest")
    ours, theirs = caught  # torch only warns, and the call has no effect
    assert ours.category is theirs.category is UserWarning
    assert str(ours.message).split(";")[0] == str(theirs.message).split(";")[0]
    assert mt.get_float32_matmul_precision() == "medium"


def test_tf32_switch_reaches_cupys_gemm_compute_type(monkeypatch, tf32_restored):
    """The flag is handed to CuPy at once (CuPy would otherwise read CUPY_TF32 once, at its first GEMM).
    A stand-in for the loaded CuPy records the call; on a GPU, test_tf32_changes_float32_matmuls
    checks the effect on real products."""
    calls = []
    linalg = types.SimpleNamespace(COMPUTE_TYPE_DEFAULT=1, COMPUTE_TYPE_TF32=7)
    core = types.SimpleNamespace(_routines_linalg=linalg,
                                 set_compute_type=lambda dtype, kind: calls.append((dtype, kind)))
    monkeypatch.setattr(cuda_backend, "_cupy", types.SimpleNamespace(_core=core))
    mt.backends.cuda.matmul.allow_tf32 = True
    mt.backends.cuda.matmul.allow_tf32 = False
    assert calls == [("float32", 7), ("float32", 1)]


# ---- on a GPU -----------------------------------------------------------------------------------------

@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason=CUDA_REASON)
@needs_real_gpu
def test_tf32_changes_float32_matmuls(tf32_restored):
    """TF32 keeps 10 mantissa bits: a 1024-long dot product errs by ~1e-3 relative, full float32 by ~1e-6."""
    rng = np.random.default_rng(0)
    a, b = (rng.normal(size=(512, 1024)).astype(np.float32) for _ in range(2))
    exact = a.astype(np.float64) @ b.T.astype(np.float64)

    def error():
        out = (mt.tensor(a, device="cuda") @ mt.tensor(b, device="cuda").T).cpu().numpy()
        return np.abs(out - exact).max() / np.abs(exact).max()
    mt.backends.cuda.matmul.allow_tf32 = False
    full = error()
    mt.backends.cuda.matmul.allow_tf32 = True
    tf32 = error()
    assert full < 1e-5 < 1e-4 < tf32, (full, tf32)


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason=CUDA_REASON)
def test_gpu_device_api_like_torch():
    assert mt.cuda.device_count() >= 1 and isinstance(mt.cuda.get_device_name(0), str)
    x = mt.ones(1000, 1000, device="cuda")
    assert str(x.device) == "cuda:0" and x.is_cuda
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        x + mt.ones(1000, 1000)
    start, end = mt.cuda.Event(enable_timing=True), mt.cuda.Event(enable_timing=True)
    start.record()
    (x @ x).sum()
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) > 0


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason=CUDA_REASON)
@needs_real_gpu
def test_peak_memory_tracks_the_high_water_mark():
    held = mt.ones(1000, 1000, device="cuda")
    assert mt.cuda.memory_allocated() >= held.numel() * 4
    mt.cuda.reset_peak_memory_stats()
    before = mt.cuda.memory_allocated()
    big = mt.empty(4_000_000, device="cuda")
    del big
    assert mt.cuda.max_memory_allocated() >= before + 16_000_000 > mt.cuda.memory_allocated()


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason=CUDA_REASON)
def test_seeded_gpu_runs_repeat_and_initial_weights_match_the_cpu():
    def draw():
        mt.manual_seed(3)
        layer = mt.nn.Linear(5, 4).cuda()
        return layer.weight.detach().cpu().numpy(), mt.randn(6, device="cuda").cpu().numpy()
    (w1, r1), (w2, r2) = draw(), draw()
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_array_equal(r1, r2)
    mt.manual_seed(3)
    np.testing.assert_array_equal(w1, mt.nn.Linear(5, 4).weight.detach().numpy())


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason=CUDA_REASON)
@pytest.mark.parametrize("op", ["gather", "scatter", "scatter_add", "index_select"])
def test_index_ops_refuse_an_index_on_another_device(op):
    x, index = mt.zeros(3, 4, device="cuda"), mt.tensor([[0, 1, 2, 0]])
    call = {"gather": lambda: x.gather(0, index), "scatter": lambda: x.scatter(0, index, 1.0),
            "scatter_add": lambda: x.scatter_add(0, index, mt.ones(1, 4, device="cuda")),
            "index_select": lambda: x.index_select(0, index[0, :2])}[op]
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device.*cuda:0 and cpu"):
        call()


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_backend.is_available(), reason=CUDA_REASON)
def test_dropout_masks_are_drawn_on_the_gpu_and_follow_mt_manual_seed():
    x = mt.ones(20_000, device="cuda")

    def drop():
        mt.manual_seed(5)
        cpu_state = mt.get_rng_state()
        out = mt.nn.functional.dropout(x, 0.3).cpu().numpy()
        assert mt.get_rng_state().tolist() == cpu_state.tolist()  # the CPU generator did not move
        return out
    first, second = drop(), drop()
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first).tolist()) == {0.0, np.float32(1 / 0.7)}
    assert abs((first > 0).mean() - 0.7) < 0.02
    with pytest.raises(RuntimeError, match="bernoulli_ expects p to be in"):
        x.clone().bernoulli_(1.5)
