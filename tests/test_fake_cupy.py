"""The CPU stand-in for CuPy (fake_cupy.py) must keep CuPy's rules, or the fake-CUDA run of the GPU
tests (MINITORCH_LITE_FAKE_CUDA=1 pytest -m gpu) would pass code that fails on a real GPU."""
import numpy as np
import pytest

from fake_cupy import make_modules


@pytest.fixture(scope="module")
def cp():
    return make_modules()[0]


def test_host_and_device_arrays_do_not_mix(cp):
    gpu = cp.asarray(np.arange(3.0))
    with pytest.raises(TypeError, match="Unsupported type"):
        gpu + np.ones(3)
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.maximum(gpu, np.ones(3))
    with pytest.raises(TypeError, match="Unsupported type"):
        gpu[...] = np.ones(3)
    assert type(gpu + 1.0) is cp.ndarray and type(gpu * np.float32(2)) is cp.ndarray
    assert type(gpu.get()) is np.ndarray and gpu.get().tolist() == [0.0, 1.0, 2.0]


def test_device_and_reductions_look_like_cupys(cp):
    gpu = cp.asarray(np.arange(6.0).reshape(2, 3))
    assert gpu.device.id == 0
    total = gpu.sum()
    assert type(total) is cp.ndarray and total.ndim == 0 and float(total) == 15.0  # 0-d, not a scalar
    assert type(gpu[cp.asarray(np.array([1, 0]))]) is cp.ndarray


def test_only_cupys_names_exist(cp):
    assert callable(cp.einsum) and callable(cp.take_along_axis)
    with pytest.raises(AttributeError, match="not in CuPy"):
        cp.errstate  # NumPy has it, CuPy does not
    with pytest.raises(AttributeError, match="CuPy 14.2 not"):
        cp.zeros(2).ctypes


def test_ufunc_at_and_kernels(cp):
    target = cp.zeros(3)
    cp.add.at(target, cp.asarray(np.array([0, 0, 2])), 1.0)
    assert target.get().tolist() == [2.0, 0.0, 1.0]
    kernel = cp.ElementwiseKernel("T grad, T out", "T dx", "unused: the emulator reads the table",
                                  name="mt_sigmoid_backward")
    dx = kernel(cp.asarray(np.array([2.0])), cp.asarray(np.array([0.5])))
    assert type(dx) is cp.ndarray and dx.get().tolist() == [0.5]
