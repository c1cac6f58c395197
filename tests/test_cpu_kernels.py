"""The compiled CPU kernels (backend/cpu_kernels.py, Numba) give torch's numbers, like the NumPy path.

Each case runs the op three ways -- torch, minitorch_lite with the compiled kernels, minitorch_lite
with them switched off (the NumPy reference) -- forward and every gradient, float64 and float32.
Without Numba installed the whole module is skipped (the NumPy path is what the rest of the suite
tests then).
"""
import numpy as np
import pytest
import torch

import minitorch_lite as mt
import minitorch_lite.nn.functional as F
from minitorch_lite.backend import cpu_kernels

numba = pytest.importorskip("numba", reason="the compiled kernels need Numba (the [fast] extra)")

TOL = {np.float64: 1e-12, np.float32: 2e-5}


@pytest.fixture(params=[True, False], ids=["compiled", "numpy"])
def compiled(request):
    old = cpu_kernels.set_enabled(request.param)
    yield request.param
    cpu_kernels.set_enabled(old)


def _run(L, arrays, fn, upstream):
    tensors = [L.tensor(a, requires_grad=True) for a in arrays]
    out = fn(L, *tensors)
    out.backward(L.tensor(upstream))
    grads = [t.grad.detach().numpy() if isinstance(t.grad, torch.Tensor) else t.grad.numpy() for t in tensors]
    return [out.detach().numpy()] + grads


def _compare(fn, shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1, 1, s).astype(dtype) for s in shapes]
    with torch.no_grad():
        out_shape = fn(torch, *[torch.tensor(a) for a in arrays]).shape
    upstream = rng.uniform(-1, 1, tuple(out_shape)).astype(dtype)
    theirs = _run(torch, arrays, fn, upstream)
    ours = _run(mt, arrays, fn, upstream)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        scale = max(np.abs(b).max(), 1.0)
        np.testing.assert_allclose(a, b, rtol=0, atol=TOL[dtype] * scale, err_msg=f"item {i}")


DEPTHWISE = {
    "3x3": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding=1, groups=6), [(2, 6, 9, 9), (6, 1, 3, 3)]),
    "3x3-stride2": (lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2, padding=1, groups=6),
                    [(2, 6, 10, 10), (6, 1, 3, 3)]),
    "5x5-dilated": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding=4, dilation=2, groups=4),
                    [(2, 4, 11, 11), (4, 1, 5, 5)]),
    "bias": (lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=2, groups=5),
             [(3, 5, 8, 8), (5, 1, 5, 5), (5,)]),
    "same-even": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding="same", groups=3),
                  [(1, 3, 7, 6), (3, 1, 4, 2)]),
    "no-pad-rect": (lambda L, x, w: L.nn.functional.conv2d(x, w, stride=(2, 1), groups=3),
                    [(2, 3, 7, 9), (3, 1, 3, 2)]),
    "conv1d": (lambda L, x, w: L.nn.functional.conv1d(x, w, padding=1, groups=4), [(2, 4, 12), (4, 1, 3)]),
    "unbatched": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding=1, groups=2), [(2, 6, 6), (2, 1, 3, 3)]),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(DEPTHWISE))
def test_depthwise_convolution_like_torch(name, dtype, compiled):
    fn, shapes = DEPTHWISE[name]
    _compare(fn, shapes, dtype)


def test_compiled_and_numpy_paths_agree_on_an_efficientnet_block():
    """An MBConv block (1x1 expand, depthwise 3x3 stride 2, squeeze-excitation, 1x1 project)."""
    from minitorch_lite.vision.models import efficientnet_b0
    results = []
    for enabled in (True, False):
        old = cpu_kernels.set_enabled(enabled)
        try:
            mt.manual_seed(0)
            block = efficientnet_b0().features[2][0]
            x = mt.randn(2, 16, 20, 20, requires_grad=True)
            out = block(x)
            out.pow(2).sum().backward()
            results.append([out.detach().numpy(), x.grad.numpy()] +
                           [p.grad.numpy() for p in block.parameters()])
        finally:
            cpu_kernels.set_enabled(old)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5 * max(1.0, float(np.abs(b).max())))


def test_results_do_not_depend_on_the_thread_count():
    old = cpu_kernels.set_enabled(True)
    threads = numba.get_num_threads()
    try:
        outs = []
        for n in sorted({1, threads}):
            numba.set_num_threads(n)
            mt.manual_seed(0)
            x = mt.randn(4, 8, 15, 15, requires_grad=True)
            w = mt.randn(8, 1, 3, 3, requires_grad=True)
            y = F.conv2d(x, w, stride=2, padding=1, groups=8)
            y.sum().backward()
            outs.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy()])
        for a, b in zip(outs[0], outs[-1]):
            assert np.array_equal(a, b)
    finally:
        numba.set_num_threads(threads)
        cpu_kernels.set_enabled(old)


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("MINITORCH_LITE_NUMBA", "0")
    monkeypatch.setattr(cpu_kernels, "_state", None)
    assert not cpu_kernels.available()
    monkeypatch.setattr(cpu_kernels, "_state", None)  # decided again by the next call


OPTIMIZERS = {
    "adam": ("Adam", {"lr": 0.01}), "adam-l2": ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    "adamw": ("AdamW", {"lr": 0.01}), "adam-amsgrad": ("Adam", {"lr": 0.01, "amsgrad": True}),
    "adam-maximize-beta": ("Adam", {"lr": 0.01, "maximize": True, "betas": (0.3, 0.9)}),
    "sgd-momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "sgd-dampening": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    "sgd-nesterov": ("SGD", {"lr": 1.0, "momentum": 0.5, "nesterov": True}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_compiled_optimizer_updates_give_the_numpy_bits(name, dtype):
    """Five steps on a parameter large enough for the compiled update: the same bits as NumPy's."""
    optimizer, kwargs = OPTIMIZERS[name]
    runs = []
    for enabled in (True, False):
        old = cpu_kernels.set_enabled(enabled)
        try:
            rng = np.random.default_rng(0)
            p = mt.nn.Parameter(mt.tensor(rng.standard_normal(cpu_kernels.MIN_UPDATE_SIZE + 3).astype(dtype)))
            opt = getattr(mt.optim, optimizer)([p], **kwargs)
            for _ in range(5):
                p.grad = mt.tensor(rng.standard_normal(p.shape[0]).astype(dtype))
                opt.step()
            runs.append([p.detach().numpy().copy()] +
                        [v.numpy().copy() for v in opt.state[p].values() if v.ndim])
        finally:
            cpu_kernels.set_enabled(old)
    for a, b in zip(*runs):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("padding,stride,dilation", [
    (((1, 1), (1, 1)), (1, 1), (1, 1)), (((0, 0), (0, 0)), (2, 2), (1, 1)), (((2, 1), (0, 3)), (1, 2), (2, 1)),
    (((-1, 0), (1, -1)), (1, 1), (1, 1)),  # negative widths crop, as F.pad does
])
def test_compiled_im2col_is_the_padded_im2col(padding, stride, dilation):
    from minitorch_lite.backend.im2col import im2col
    from minitorch_lite.ops.conv import _zero_pad
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8)).astype(np.float32)
    kernel = (3, 2)
    hp, wp = 7 + sum(padding[0]), 8 + sum(padding[1])
    out_size = ((hp - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1,
                (wp - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1)
    expected = im2col(_zero_pad(x, padding), kernel, stride, dilation, out_size).copy()
    got = np.empty((2, 3) + kernel + out_size, np.float32)
    cpu_kernels.im2col(x, padding, kernel, stride, dilation, out_size, got)
    assert np.array_equal(got.reshape(expected.shape), expected)


CONVOLUTIONS = {
    "tinyvgg": (lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1), [(2, 3, 12, 12), (5, 3, 3, 3), (5,)]),
    "strided": (lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2, padding=(2, 1), dilation=(1, 2)),
                [(2, 4, 11, 10), (3, 4, 3, 3)]),
    "grouped": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding=1, groups=2), [(1, 4, 8, 8), (6, 2, 3, 3)]),
    "patchify": (lambda L, x, w: L.nn.functional.conv2d(x, w, stride=4), [(2, 3, 16, 16), (8, 3, 4, 4)]),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float64".replace("64", "32")])
@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_convolution_like_torch_both_paths(name, dtype, compiled):
    fn, shapes = CONVOLUTIONS[name]
    _compare(fn, shapes, dtype)
