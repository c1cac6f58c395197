"""The fused CUDA kernels, tested without a GPU: their own text compiled for the CPU (see
cuda_kernel_emulator.py), each kernel against torch, then the ops' fused paths end to end against torch.

On a machine with a GPU the parity suite runs the same ops on device="cuda", where they take these
kernels for real; test_fused_matches_unfused_on_gpu compares the fused and the plain CuPy paths.
"""
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.backend import cuda_kernels
from cuda_kernel_emulator import compiler, cuda_source, emulated_kernel, emulated_kernels
from harness import TOLERANCE, assert_close, check_op

pytestmark = pytest.mark.skipif(compiler() is None, reason="no C++ compiler to build the kernels for the CPU")

DTYPES = (np.float64, np.float32)
EDGES = np.array([-40.0, -3.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 3.0, 40.0])


def _values(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([EDGES, rng.uniform(-6, 6, 200)]).astype(dtype)


def _torch(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _close(ours, theirs, dtype, what):
    rtol, atol = TOLERANCE[dtype]
    np.testing.assert_allclose(ours, theirs.numpy() if isinstance(theirs, torch.Tensor) else theirs,
                               rtol=rtol, atol=atol, err_msg=what)


# ---- each elementwise kernel against torch's own forward or backward function --------------------------

aten = torch.ops.aten
ELEMENTWISE_REFERENCES = {
    "sigmoid_forward": (lambda x: torch.sigmoid(x), 1),
    "sigmoid_backward": (lambda g, x: aten.sigmoid_backward(g, torch.sigmoid(x)), 2),
    "tanh_backward": (lambda g, x: aten.tanh_backward(g, torch.tanh(x)), 2),
    "relu_backward": (lambda g, x: aten.threshold_backward(g, torch.relu(x), 0), 2),
    "silu_forward": (lambda x: torch.nn.functional.silu(x), 1),
    "silu_backward": (lambda g, x: aten.silu_backward(g, x), 2),
    "gelu_forward": (lambda x: torch.nn.functional.gelu(x), 1),
    "gelu_backward": (lambda g, x: aten.gelu_backward(g, x), 2),
    "gelu_tanh_forward": (lambda x: torch.nn.functional.gelu(x, approximate="tanh"), 1),
    "gelu_tanh_backward": (lambda g, x: aten.gelu_backward(g, x, approximate="tanh"), 2),
}
# the kernels that take a function's output rather than its input
_FROM_OUTPUT = {"sigmoid_backward": torch.sigmoid, "tanh_backward": torch.tanh, "relu_backward": torch.relu}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE_REFERENCES))
def test_elementwise_kernel_matches_torch(name, dtype):
    reference, arity = ELEMENTWISE_REFERENCES[name]
    x = _values(dtype)
    if arity == 1:
        ours, theirs = emulated_kernel(name)(x), reference(_torch(x))
    else:
        g = np.random.default_rng(1).uniform(-2, 2, x.shape).astype(dtype)
        kernel_input = _FROM_OUTPUT[name](_torch(x)).numpy() if name in _FROM_OUTPUT else x
        ours, theirs = emulated_kernel(name)(g, kernel_input), reference(_torch(g), _torch(x))
    assert ours.dtype == dtype
    _close(ours, theirs, dtype, name)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_leaky_relu_kernels_match_torch(dtype):
    x, slope = _values(dtype), 0.2
    g = np.random.default_rng(2).uniform(-2, 2, x.shape).astype(dtype)
    _close(emulated_kernel("leaky_relu_forward")(x, dtype(slope)),
           torch.nn.functional.leaky_relu(_torch(x), slope), dtype, "forward")
    _close(emulated_kernel("leaky_relu_backward")(g, x, dtype(slope)),
           aten.leaky_relu_backward(_torch(g), _torch(x), slope, False), dtype, "backward")


def test_relu_backward_is_zero_at_zero_like_torch():
    g = np.ones(3)
    assert emulated_kernel("relu_backward")(g, np.array([0.0, 1.0, -0.0])).tolist() == [0.0, 1.0, 0.0]


def test_reductions_reduce_over_the_given_axes_with_broadcast_inputs():
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    m = x.max(axis=(0, 2), keepdims=True)
    ours = emulated_kernel("sum_exp_shifted")(x, m, axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(ours, np.exp(x - m).sum(axis=(0, 2), keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(emulated_kernel("sum_product")(x, x, axis=1), (x * x).sum(axis=1), rtol=1e-14)


# ---- the ops' fused paths, end to end, against torch -----------------------------------------------------

@pytest.fixture
def fused():
    with emulated_kernels():
        yield


def _run_op_checks(fn, shapes, **kwargs):
    check_op(fn, shapes, layouts=("contiguous", "transposed"), **kwargs)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "silu", "gelu", "gelu_tanh", "leaky_relu"])
def test_fused_activations_match_torch(fused, name):
    F = {"gelu_tanh": lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
         "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x, 0.1),
         "silu": lambda lib, x: lib.nn.functional.silu(x),
         "gelu": lambda lib, x: lib.nn.functional.gelu(x)}.get(name, lambda lib, x: getattr(lib, name)(x))
    _run_op_checks(F, [(5, 7)], low=-6, high=6)
    check_op(F, arrays=[EDGES], low=-6, high=6)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("log", [False, True])
def test_fused_softmax_matches_torch(fused, dim, log):
    name = "log_softmax" if log else "softmax"
    _run_op_checks(lambda lib, x: getattr(lib.nn.functional, name)(x, dim=dim), [(4, 6, 5)], low=-30, high=30)
    # a row with ties and a huge logit: the max shift keeps it finite
    check_op(lambda lib, x: getattr(lib, name)(x, dim=-1), arrays=[np.array([[1e4, 1e4, 0.0], [0.0, 0.0, 0.0]])])


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1},
                                    {"label_smoothing": 0.1}])
def test_fused_cross_entropy_matches_torch(fused, kwargs):
    target = np.array([0, 2, 1, 1, 3])

    def loss(lib, x):
        return lib.nn.functional.cross_entropy(x, lib.tensor(target), **kwargs)
    check_op(loss, [(5, 4)], low=-5, high=5)
    weighted = np.array([0.5, 1.0, 2.0, 0.1])
    check_op(lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor(target), weight=lib.tensor(weighted)),
             [(5, 4)], low=-5, high=5, dtypes=(np.float64,))


def test_fused_layer_norm_matches_torch(fused):
    _run_op_checks(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (6,), w, b), [(3, 4, 6), (6,), (6,)])
    _run_op_checks(lambda lib, x: lib.nn.functional.layer_norm(x, (4, 6)), [(3, 4, 6)])
    # data far from zero: the two-pass variance stays exact
    check_op(lambda lib, x: lib.nn.functional.layer_norm(x, (8,)), [(2, 8)], low=1e4, high=1e4 + 1,
             dtypes=(np.float64,))


@pytest.mark.parametrize("training", [True, False])
def test_fused_batch_norm_matches_torch(fused, training):
    rm, rv = np.random.default_rng(4).uniform(-1, 1, 3), np.random.default_rng(5).uniform(0.5, 2, 3)

    def bn(lib, x, w, b):
        return lib.nn.functional.batch_norm(x, lib.tensor(rm.astype(x.detach().numpy().dtype)),
                                            lib.tensor(rv.astype(x.detach().numpy().dtype)), w, b,
                                            training=training)
    _run_op_checks(bn, [(4, 3, 5, 2), (3,), (3,)])


def test_fused_group_norm_matches_torch(fused):
    _run_op_checks(lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b), [(3, 4, 5), (4,), (4,)])


# kernel, stride, padding, dilation, input (H, W): overlapping, disjoint, uneven, dilated, ViT-like
GEOMETRIES = [((3, 3), (2, 2), (1, 1), (1, 1), (7, 8)), ((2, 2), (2, 2), (0, 0), (1, 1), (6, 6)),
              ((3, 2), (1, 2), (1, 0), (2, 1), (9, 7)), ((4, 4), (4, 4), (0, 0), (1, 1), (8, 8))]


def _run_both(fn):
    """fn() on the CPU path, then on the fused-kernel path (emulated): both results."""
    plain = fn()
    with emulated_kernels():
        fused = fn()
    return plain, fused


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_col2im_kernel_gives_the_offset_loops_bits(geometry):
    """conv2d's dx for strides > 1 goes through col2im; the kernel sums the offsets in the same order."""
    kernel, stride, padding, dilation, (h, w) = geometry
    rng = np.random.default_rng(7)
    x, weight, seed = rng.normal(size=(2, 3, h, w)), rng.normal(size=(4, 3) + kernel), rng.normal(size=64)

    def dx():
        xt = mt.tensor(x, requires_grad=True)
        out = mt.nn.functional.conv2d(xt, mt.tensor(weight), stride=stride, padding=padding, dilation=dilation)
        out.backward(mt.tensor(np.resize(seed, tuple(out.shape))))
        return xt.grad.numpy()
    plain, fused = _run_both(dx)
    np.testing.assert_array_equal(fused, plain)


@pytest.mark.parametrize("nan", [False, True], ids=["finite", "nan"])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_max_pool_kernels_give_the_offset_loops_bits(geometry, ceil_mode, nan):
    """Ties (small integers), NaN, padding, dilation, ceil mode: same maxima, same winners, same dx."""
    kernel, stride, padding, dilation, (h, w) = geometry
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        pytest.skip("torch refuses padding over half the kernel")
    rng = np.random.default_rng(8)
    x = rng.integers(0, 3, size=(2, 3, h, w)).astype(np.float64)
    if nan:
        x[0, 1, 2, 3] = x[1, 2, 0, 0] = np.nan
    grad_seed = rng.normal(size=(64,))

    def pool():
        xt = mt.tensor(x, requires_grad=True)
        out, idx = mt.nn.functional.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode=ceil_mode,
                                               return_indices=True)
        out.backward(mt.tensor(np.resize(grad_seed, tuple(out.shape))))
        return out.detach().numpy(), idx.numpy(), xt.grad.numpy()
    plain, fused = _run_both(pool)
    for a, b, what in zip(fused, plain, ("maxima", "indices", "dx")):
        np.testing.assert_array_equal(a, b, err_msg=what)


@pytest.mark.parametrize("options", [{}, {"ceil_mode": True}, {"count_include_pad": False},
                                     {"divisor_override": 3}], ids=str)
@pytest.mark.parametrize("geometry", [g for g in GEOMETRIES if g[3] == (1, 1)], ids=str)
def test_avg_pool_kernels_give_the_offset_loops_bits(geometry, options):
    kernel, stride, padding, _, (h, w) = geometry
    rng = np.random.default_rng(9)
    x, seed = rng.normal(size=(2, 3, h, w)), rng.normal(size=64)

    def pool():
        xt = mt.tensor(x, requires_grad=True)
        out = mt.nn.functional.avg_pool2d(xt, kernel, stride, padding, **options)
        out.backward(mt.tensor(np.resize(seed, tuple(out.shape))))
        return out.detach().numpy(), xt.grad.numpy()
    plain, fused = _run_both(pool)
    for a, b, what in zip(fused, plain, ("output", "dx")):
        np.testing.assert_array_equal(a, b, err_msg=what)


def _train(lib, make_optimizer, dtype, steps=5):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.GELU(), lib.nn.LayerNorm(8), lib.nn.Linear(8, 3))
    model = model.double() if dtype == np.float64 else model
    opt = make_optimizer(lib, model.parameters())
    x = lib.tensor(np.random.default_rng(6).normal(size=(10, 4)).astype(dtype))
    y = lib.tensor(np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]))
    for _ in range(steps):
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return [p.detach().numpy() for p in model.parameters()]


OPTIMIZERS = {
    "adam": lambda lib, ps: lib.optim.Adam(ps, lr=0.05),
    "adam_l2_maximize": lambda lib, ps: lib.optim.Adam(ps, lr=0.05, weight_decay=0.1, maximize=True),
    "adamw": lambda lib, ps: lib.optim.AdamW(ps, lr=0.05, weight_decay=0.1),
    "sgd_momentum": lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.2),
    "sgd_nesterov": lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fused_training_steps_match_torch(fused, name, dtype):
    """Five steps of a small model whose every op and update takes the fused path, against torch."""
    ours, theirs = _train(mt, OPTIMIZERS[name], dtype), _train(torch, OPTIMIZERS[name], dtype)
    rtol, atol = TOLERANCE[dtype]
    for i, (a, b) in enumerate(zip(ours, theirs)):
        # float32: five Adam steps divide by sqrt(v) of tiny gradients, which amplifies rounding
        np.testing.assert_allclose(a, b, rtol=rtol * (1 if dtype == np.float64 else 20),
                                   atol=atol * (1 if dtype == np.float64 else 20), err_msg=f"parameter {i}")


def test_the_fused_path_is_what_ran(fused, monkeypatch):
    """The checks above would pass on the plain path too: make sure the kernels were called."""
    called = []
    real = cuda_kernels.kernel
    monkeypatch.setattr(cuda_kernels, "kernel", lambda name: called.append(name) or real(name))
    _train(mt, OPTIMIZERS["adam"], np.float64, steps=1)
    assert {"gelu_forward", "gelu_backward", "normalize", "affine", "normalized_grad", "sum_exp_shifted",
            "log_softmax_finish", "softmax_scaled", "adam"} <= set(called)


def test_cpu_arrays_never_take_the_fused_path():
    assert not cuda_kernels.use_for(np.zeros(3, np.float32))


# ---- the same text as CUDA: compiled with NVRTC where it is installed --------------------------------------

def test_kernels_compile_as_cuda_with_nvrtc():
    nvrtc = pytest.importorskip("cupy_backends.cuda.libs.nvrtc", reason="CuPy's NVRTC bindings not installed")
    try:
        nvrtc.getVersion()
    except Exception as err:  # the bindings without the NVRTC library
        pytest.skip(f"NVRTC library not available: {err}")
    program = nvrtc.createProgram(cuda_source(), "minitorch_lite_kernels.cu", [], [])
    try:
        nvrtc.compileProgram(program, ["-arch=compute_80"])
    except Exception:
        pytest.fail("NVRTC rejected the kernels:\n" + nvrtc.getProgramLog(program))
    assert b".entry" in nvrtc.getPTX(program) or ".entry" in str(nvrtc.getPTX(program))


# ---- on a GPU: fused and plain CuPy paths agree -------------------------------------------------------------

@pytest.mark.gpu
def test_fused_matches_unfused_on_gpu():
    """Five steps of AdamW and of Nesterov SGD on the GPU, fused kernels against the plain CuPy chains."""
    if not mt.cuda.is_available():
        pytest.skip("CUDA not available")
    for a, b in zip(_train_on_gpu(True), _train_on_gpu(False)):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)  # float32, different operation order


def _train_on_gpu(enabled):
    saved = cuda_kernels.ENABLED
    cuda_kernels.ENABLED = enabled
    try:
        out = []
        for name in ("adamw", "sgd_nesterov"):
            mt.manual_seed(0)
            model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.GELU(), mt.nn.LayerNorm(8), mt.nn.Linear(8, 3),
                                     mt.nn.Sigmoid()).cuda()
            opt = OPTIMIZERS[name](mt, model.parameters())
            x = mt.tensor(np.random.default_rng(6).normal(size=(10, 4)).astype(np.float32), device="cuda")
            y = mt.tensor(np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), device="cuda")
            for _ in range(5):
                opt.zero_grad()
                mt.nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
            out += [p.detach().cpu().numpy() for p in model.parameters()]
        return out
    finally:
        cuda_kernels.ENABLED = saved
