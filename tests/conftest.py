"""Shared test setup: the devices every parity test runs on, and torch's thread count.

GPU cases are parametrised like CPU ones and reported as *skipped* (with the reason) when CuPy or a
GPU is missing, so they are never silently absent.
"""
import os

import numpy as np
import pytest

import minitorch_lite as mt
from minitorch_lite.backend import cuda_backend

FAKE_CUDA = os.environ.get("MINITORCH_LITE_FAKE_CUDA") == "1"
if FAKE_CUDA:  # the device="cuda" tests on a strict NumPy stand-in for CuPy: see fake_cupy.py
    import fake_cupy
    fake_cupy.install()

try:
    import torch
except ImportError:  # the parity tests need torch; collecting them without it should fail loudly
    torch = None

if torch is not None:
    torch.set_num_threads(mt.get_num_threads())  # same thread count as NumPy's BLAS (and arange's rounding)

CUDA_REASON = "needs CuPy and a CUDA GPU"
DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
        not cuda_backend.is_available(), reason=CUDA_REASON)]),
]


# for GPU tests that need the real thing (torch's CUDA, device memory, tensor cores), not fake_cupy
needs_real_gpu = pytest.mark.skipif(FAKE_CUDA, reason="needs a real GPU, not the fake_cupy stand-in")


@pytest.fixture(params=DEVICES)
def device(request):
    """Each test using this fixture runs once per device (cuda skipped without a GPU)."""
    return request.param


@pytest.fixture(scope="module")
def torch_on_one_thread():
    """For modules of tiny tensors (`pytestmark = pytest.mark.usefixtures("torch_on_one_thread")`):
    torch's thread pool only adds overhead there, a lot of it on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests may change the default dtype or grad mode; put them back."""
    dtype = mt.get_default_dtype()
    yield
    mt.set_default_dtype(dtype)
    mt.autograd.grad_mode.GradMode.enabled = True
    mt.autograd.grad_mode.GradMode.inference = False
