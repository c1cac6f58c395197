"""Fused CUDA kernels for the CuPy backend: one GPU pass where a chain of CuPy calls would make several.

    >>> from minitorch_lite.backend import cuda_kernels
    >>> ELEMENTWISE = cuda_kernels.ELEMENTWISE
    >>> ELEMENTWISE["sigmoid_backward"]
    ('T grad, T out', 'T dx', 'dx = grad * ((T)1 - out) * out')

Why: on a GPU every CuPy call is a kernel launch that reads and writes whole arrays in device
memory. `grad * (1 - out) * out` is three launches and two temporaries; the fused kernel reads
`grad` and `out` once and writes `dx` once. For the memory-bound work that dominates small models
(activations, softmax, normalisation, optimizer updates) that is most of the time. Convolution's
col2im and max pooling loop over the kernel offsets; on the CPU that loop is Python (one NumPy
pass per offset), on the GPU it runs inside one kernel (one thread per output element).

Each kernel is a row of text below, in CuPy's `ElementwiseKernel` / `ReductionKernel` form: typed
parameters (`T` is the array dtype: float for float32, double for float64) and a C body run once
per element (or map / reduce / post-map expressions for a reduction). The text is the whole
kernel: CuPy wraps it in indexing and broadcasting code and compiles it on first use.
tests/test_cuda_kernels.py compiles the same text as C++ on the CPU and checks every kernel
against torch, so the math is tested on machines without a GPU; the GPU parity tests then check
the ops that use them on a real device.

The ops reach these kernels only through the Python twins at the bottom of this file, one hook line
each (the hook API is described there), and only for float32/float64 CuPy arrays (`use_for(array)`),
so the CPU path never runs them. Without a GPU, `MINITORCH_LITE_FAKE_CUDA=1 pytest -m gpu` runs the
ops' GPU paths on tests/fake_cupy.py. Set MINITORCH_LITE_FUSED=0 (or `cuda_kernels.ENABLED = False`)
to run the plain CuPy chains instead: the tests compare both, and the benchmarks can time both.
"""
import math
import os

import numpy as np

ENABLED = os.environ.get("MINITORCH_LITE_FUSED", "1") != "0"

_SQRT_HALF = repr(math.sqrt(0.5))
_INV_SQRT_2PI = repr(1 / math.sqrt(2 * math.pi))
_SQRT_2_OVER_PI = repr(math.sqrt(2 / math.pi))

# Window geometry parameters shared by the convolution and pooling kernels: the input plane
# (height, width), kernel, stride, dilation and output plane (oh, ow).
_GEOMETRY = (", int32 height, int32 width, int32 kh, int32 kw, int32 sh, int32 sw, int32 dh, int32 dw,"
             " int32 oh, int32 ow")
# thread i is input pixel (plane, h, w), or output position (plane, ho, wo); plane = image * channels + c
_PIXEL = ("const int w = i % width; const int h = (i / width) % height;"
          " const long long plane = i / ((long long)width * height);")
_WINDOW = ("const int wo = i % ow; const int ho = (i / ow) % oh;"
           " const long long plane = i / ((long long)ow * oh);")
# for every offset (ki, kj) whose window covers pixel (h, w), that window's output position (ho, wo)
_WINDOWS_OF_PIXEL = (" for (int ki = 0; ki < kh; ++ki) {{"
                     "  const int hs = h - ki * dh; if (hs < 0 || hs % sh != 0 || hs / sh >= oh) continue;"
                     "  const int ho = hs / sh;"
                     "  for (int kj = 0; kj < kw; ++kj) {{"
                     "   const int ws = w - kj * dw; if (ws < 0 || ws % sw != 0 || ws / sw >= ow) continue;"
                     "   const int wo = ws / sw; {} }} }}")
# for every offset (ki, kj) of window (ho, wo), the pixel (h, w) it reads, `inside` the unpadded plane
_PIXELS_OF_WINDOW = (" for (int ki = 0; ki < kh; ++ki) {{"
                     "  const int h = ho * sh - ph + ki * dh;"
                     "  for (int kj = 0; kj < kw; ++kj) {{"
                     "   const int w = wo * sw - pw + kj * dw;"
                     "   const bool inside = h >= 0 && h < height && w >= 0 && w < width; {} }} }}")

# name: (input parameters, output parameters, body). Outputs may also be read (in-place updates).
ELEMENTWISE = {
    # activations: forward and backward of each in one pass
    "sigmoid_forward": ("T x", "T y", "y = (T)1 / ((T)1 + exp(-x))"),
    "sigmoid_backward": ("T grad, T out", "T dx", "dx = grad * ((T)1 - out) * out"),
    "tanh_backward": ("T grad, T out", "T dx", "dx = grad * ((T)1 - out * out)"),
    "relu_backward": ("T grad, T out", "T dx", "dx = out > (T)0 ? grad : (T)0"),
    "leaky_relu_forward": ("T x, T slope", "T y", "y = x > (T)0 ? x : x * slope"),
    "leaky_relu_backward": ("T grad, T x, T slope", "T dx", "dx = x > (T)0 ? grad : grad * slope"),
    "silu_forward": ("T x", "T y", "y = x / ((T)1 + exp(-x))"),
    "silu_backward": ("T grad, T x", "T dx",
                      "T s = (T)1 / ((T)1 + exp(-x)); dx = grad * s * ((T)1 + x * ((T)1 - s))"),
    "gelu_forward": ("T x", "T y", f"y = x * (T)0.5 * ((T)1 + erf(x * (T){_SQRT_HALF}))"),
    "gelu_backward": ("T grad, T x", "T dx",
                      f"T cdf = (T)0.5 * ((T)1 + erf(x * (T){_SQRT_HALF}));"
                      f" T pdf = exp((T)-0.5 * x * x) * (T){_INV_SQRT_2PI};"
                      " dx = grad * (cdf + x * pdf)"),
    "gelu_tanh_forward": ("T x", "T y",
                          f"T inner = (T){_SQRT_2_OVER_PI} * (x + (T)0.044715 * x * x * x);"
                          " y = (T)0.5 * x * ((T)1 + tanh(inner))"),
    "gelu_tanh_backward": ("T grad, T x", "T dx",
                           f"T inner = (T){_SQRT_2_OVER_PI} * (x + (T)0.044715 * x * x * x);"
                           " T t = tanh(inner);"
                           f" T d_inner = (T){_SQRT_2_OVER_PI} * ((T)1 + (T)3 * (T)0.044715 * x * x);"
                           " dx = grad * ((T)0.5 * ((T)1 + t) + (T)0.5 * x * ((T)1 - t * t) * d_inner)"),
    # softmax family: the element-wise halves (the row reductions are below)
    "softmax_finish": ("T x, T row_max, T row_sum", "T y", "y = exp(x - row_max) / row_sum"),
    "log_softmax_finish": ("T x, T row_max, T row_sum", "T y", "y = x - row_max - log(row_sum)"),
    "softmax_backward": ("T grad, T out, T row_dot", "T dx", "dx = out * (grad - row_dot)"),
    "log_softmax_backward": ("T grad, T out, T row_sum", "T dx", "dx = grad - exp(out) * row_sum"),
    "softmax_scaled": ("T logp, T scale", "T dx", "dx = exp(logp) * scale"),
    # normalisation (batch, layer and group norm share these)
    "normalize": ("T x, T mean, T rstd", "T x_hat", "x_hat = (x - mean) * rstd"),
    "affine": ("T x_hat, T weight, T bias", "T y", "y = x_hat * weight + bias"),
    "normalized_grad": ("T g, T x_hat, T rstd, T mean_g, T mean_gx", "T dx",
                        "dx = rstd * (g - mean_g - x_hat * mean_gx)"),
    # optimizer updates, in place on the parameter and its state
    "sgd_momentum": ("T grad, T momentum, T dampening_keep, T lr, bool nesterov", "T param, T buf",
                     "buf = momentum * buf + dampening_keep * grad;"
                     " param -= lr * (nesterov ? grad + momentum * buf : buf)"),
    # convolution and pooling: the loop over the kernel offsets runs inside the kernel, one thread
    # per output element (the loop texts are built by the two helpers above this table)
    "col2im": ("raw T cols" + _GEOMETRY, "T x",
               # x (N, C, H, W) gathers every column entry im2col copied from it, offsets in order
               _PIXEL + " T total = (T)0;"
               + _WINDOWS_OF_PIXEL.format(
                   "total += cols[(plane * kh * kw + ki * kw + kj) * ((long long)oh * ow) + ho * ow + wo];")
               + " x = total"),
    "max_pool_forward": ("raw T x" + _GEOMETRY + ", int32 ph, int32 pw, T lowest", "T best, int16 where",
                         # torch's rule: a later element wins only if strictly greater, or NaN; the
                         # padding reads as `lowest`; NaN propagates into the maximum
                         _WINDOW + " T top = lowest; short at = 0;"
                         + _PIXELS_OF_WINDOW.format(
                             "const T v = inside ? x[(plane * height + h) * width + w] : lowest;"
                             " if (ki == 0 && kj == 0) { top = v; continue; }"
                             " if (v > top || v != v) at = (short)(ki * kw + kj);"
                             " if (top == top && (v != v || v > top)) top = v;")
                         + " best = top; where = at"),
    "max_pool_backward": ("raw T grad, raw int16 where" + _GEOMETRY, "T dx",
                          # each padded-grid pixel gathers the gradients of the windows it won
                          _PIXEL + " T total = (T)0;"
                          + _WINDOWS_OF_PIXEL.format(
                              "const long long o = (plane * oh + ho) * ow + wo;"
                              " if (where[o] == ki * kw + kj) total += grad[o];")
                          + " dx = total"),
    "avg_pool_sum": ("raw T x" + _GEOMETRY + ", int32 ph, int32 pw", "T total",
                     # each window's sum, offsets in order, padding read as 0 (the divisor comes after)
                     _WINDOW + " T sum = (T)0;"
                     + _PIXELS_OF_WINDOW.format(
                         "const T v = inside ? x[(plane * height + h) * width + w] : (T)0;"
                         " sum = (ki == 0 && kj == 0) ? v : sum + v;")
                     + " total = sum"),
    "avg_pool_backward": ("raw T share" + _GEOMETRY, "T dx",
                          # each padded-grid pixel gathers the shares (grad / divisor) of its windows
                          _PIXEL + " T total = (T)0;"
                          + _WINDOWS_OF_PIXEL.format("total += share[(plane * oh + ho) * ow + wo];")
                          + " dx = total"),
    "adam": ("T grad, T decay, T one_minus_beta1, T beta2, T one_minus_beta2, T step_size,"
             " T bias_correction2_sqrt, T eps", "T param, T exp_avg, T exp_avg_sq",
             "param *= decay;"
             " exp_avg += one_minus_beta1 * (grad - exp_avg);"
             " exp_avg_sq = exp_avg_sq * beta2 + one_minus_beta2 * grad * grad;"
             " param -= step_size * exp_avg / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps)"),
}

# name: (input parameters, output parameters, map expression, reduce expression over partials
# `a` and `b`, post-map expression with the reduced `a`, identity)
REDUCTIONS = {
    "sum_exp_shifted": ("T x, T row_max", "T total", "exp(x - row_max)", "a + b", "total = a", "0"),
    "sum_product": ("T u, T v", "T total", "u * v", "a + b", "total = a", "0"),
    "sum_squared_deviation": ("T x, T mean", "T total", "(x - mean) * (x - mean)", "a + b",
                              "total = a", "0"),
}

_built = {}


def use_for(array):
    """True when `array` is a float32/float64 CuPy array and fused kernels are switched on."""
    return ENABLED and type(array) is not _ndarray and array.dtype.char in "fd"


_ndarray = np.ndarray  # a module global: every op's forward asks use_for, so it is kept cheap


def _cupy():
    from . import cuda_backend
    return cuda_backend.cupy()


def kernel(name):
    """The compiled-on-first-call CuPy kernel `name` (from ELEMENTWISE or REDUCTIONS)."""
    found = _built.get(name)
    if found is None:
        cp = _cupy()
        if name in ELEMENTWISE:
            found = cp.ElementwiseKernel(*ELEMENTWISE[name], name=f"mt_{name}")
        else:
            found = cp.ReductionKernel(*REDUCTIONS[name], name=f"mt_{name}")
        _built[name] = found
    return found


def _scalar(array, value):
    """A Python number as a NumPy scalar of the array's dtype (a T parameter takes its type from it)."""
    return array.dtype.type(value)


# ---- the ops' fused paths ---------------------------------------------------------------------------
#
# The hook API. An op decides once, in forward, whether its arrays take the fused kernels:
#
#     ctx.fused = cuda_kernels.use_for(x)
#
# and every step of it that has a fused twin below starts with one line
#
#     if ctx.fused: return cuda_kernels.gelu_forward(ctx, x, approximate)     (in forward)
#     if ctx.fused: return cuda_kernels.gelu_backward(ctx, grad)              (in backward)
#     if fused: return cuda_kernels.normalize(x, axes, eps)                   (in a helper, given ctx.fused)
#
# A twin takes the arguments of the code it replaces (a Function's forward or backward: the node and
# its arrays; a helper: the helper's arguments) and does the rest of that code: it saves what its own
# backward needs (`ctx.save_for_backward`), reads the op's settings from the node by name (`ctx.dim`,
# `ctx.approximate`, ...) and returns what the plain code returns. Backward reads `ctx.fused`; it never
# works out from its arrays which forward ran. Code outside an op (the optimizers) calls its twin in
# place of the plain update when `use_for(param)`.


# activations (ops/elementwise.py, ops/activation.py)

def sigmoid_forward(ctx, x):
    out = kernel("sigmoid_forward")(x)
    ctx.save_for_backward(out)
    return out


def sigmoid_backward(ctx, grad):
    return kernel("sigmoid_backward")(grad, ctx.saved[0])


def tanh_backward(ctx, grad):
    return kernel("tanh_backward")(grad, ctx.saved[0])


def relu_backward(ctx, grad):
    return kernel("relu_backward")(grad, ctx.saved[0])


def leaky_relu_forward(ctx, x, negative_slope):
    return kernel("leaky_relu_forward")(x, _scalar(x, negative_slope))


def leaky_relu_backward(ctx, grad):
    (x,) = ctx.saved
    return kernel("leaky_relu_backward")(grad, x, _scalar(x, ctx.slope))


def gelu_forward(ctx, x, approximate):
    ctx.save_for_backward(x)  # only x: the backward kernel recomputes Phi(x) rather than store it
    return kernel("gelu_tanh_forward" if approximate == "tanh" else "gelu_forward")(x)


def gelu_backward(ctx, grad):
    return kernel("gelu_tanh_backward" if ctx.approximate == "tanh" else "gelu_backward")(grad, ctx.saved[0])


def silu_forward(ctx, x):
    ctx.save_for_backward(x)  # only x: the backward kernel recomputes the sigmoid
    return kernel("silu_forward")(x)


def silu_backward(ctx, grad):
    return kernel("silu_backward")(grad, ctx.saved[0])


# softmax family (ops/activation.py; log_softmax also for the losses)

def softmax(x, axis, log=False):
    """softmax / log_softmax along `axis` in three passes: row max, sum of exp(x - max), finish."""
    row_max = x.max(axis=axis, keepdims=True)
    row_sum = kernel("sum_exp_shifted")(x, row_max, axis=axis, keepdims=True)
    return kernel("log_softmax_finish" if log else "softmax_finish")(x, row_max, row_sum)


def softmax_forward(ctx, x, dim):
    out = softmax(x, dim)
    ctx.save_for_backward(out)
    return out


def softmax_backward(ctx, grad):
    """out * (grad - sum(grad * out)) in two passes."""
    (out,) = ctx.saved
    row_dot = kernel("sum_product")(grad, out, axis=ctx.dim, keepdims=True)
    return kernel("softmax_backward")(grad, out, row_dot)


def log_softmax_forward(ctx, x, dim):
    out = softmax(x, dim, log=True)
    ctx.save_for_backward(out)
    return out


def log_softmax_backward(ctx, grad):
    """grad - exp(out) * sum(grad) in two passes."""
    (out,) = ctx.saved
    return kernel("log_softmax_backward")(grad, out, grad.sum(axis=ctx.dim, keepdims=True))


def softmax_times(logp, scale):
    """exp(logp) * scale[:, None] (softmax times one number per row) in one pass: cross entropy's dx."""
    return kernel("softmax_scaled")(logp, scale[:, None])


# normalisation (ops/normalization.py)

def sum_over(a, axes, b=None):
    """sum(a) or sum(a * b) over `axes`, summed dims kept as size 1 (the product never stored)."""
    if b is None:
        return a.sum(axis=axes, keepdims=True)
    return kernel("sum_product")(a, b, axis=axes, keepdims=True)


def normalize(x, axes, eps):
    """(x_hat, rstd) over `axes`, two-pass: mean, then the mean squared deviation from it."""
    count = _count(x, axes)
    mean = x.sum(axis=axes, keepdims=True)
    mean /= count
    var = kernel("sum_squared_deviation")(x, mean, axis=axes, keepdims=True)
    var /= count
    var += _scalar(x, eps)
    rstd = 1 / _cupy().sqrt(var)  # one number per normalised group: not worth a kernel of its own
    return kernel("normalize")(x, mean, rstd), rstd


def normalized_grad(g, x_hat, rstd, axes):
    """rstd * (g - mean(g) - x_hat * mean(g * x_hat)), means over `axes`: two reductions, one pass."""
    count = _count(g, axes)
    mean_g = g.sum(axis=axes, keepdims=True)
    mean_g /= count
    mean_gx = kernel("sum_product")(g, x_hat, axis=axes, keepdims=True)
    mean_gx /= count
    return kernel("normalized_grad")(g, x_hat, rstd, mean_g, mean_gx)


def affine(x_hat, params, has_weight, shape):
    """x_hat * weight + bias in one pass; `params` holds the weight (if `has_weight`) then the bias,
    if any, each reshaped to `shape` to broadcast."""
    if not params:
        return x_hat.copy()
    weight = params[0].reshape(shape) if has_weight else _scalar(x_hat, 1)
    bias = params[has_weight].reshape(shape) if len(params) > has_weight else _scalar(x_hat, 0)
    return kernel("affine")(x_hat, weight, bias)


def _count(a, axes):
    count = 1
    for axis in axes:
        count *= a.shape[axis]
    return count


# convolution and pooling (ops/conv.py, ops/pooling.py): one thread per output element, the loop
# over the kernel offsets inside the kernel

def _geometry(plane_size, kernel_size, stride, dilation, out_size):
    return [np.int32(v) for v in (*plane_size, *kernel_size, *stride, *dilation, *out_size)]


def col2im(cols, input_size, kernel_size, stride, dilation, out_size):
    """im2col's adjoint, (N, C*kH*kW, Ho*Wo) -> (N, C, H, W), in one kernel (see backend/im2col.py)."""
    kh, kw = kernel_size
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    cp = _cupy()
    grid = cp.empty((n, c) + tuple(input_size), dtype=cols.dtype)
    kernel("col2im")(cp.ascontiguousarray(cols), *_geometry(input_size, kernel_size, stride, dilation, out_size),
                     grid)
    return grid


def window_max(x, kernel_size, stride, padding, dilation, out_size):
    """(best, where) of every window of x (B, H, W): the maximum and its offset ki*kW + kj."""
    cp = _cupy()
    best = cp.empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
    where = cp.empty(best.shape, dtype=np.int16)
    lowest = _scalar(x, -np.inf)  # what the padding reads as (fused kernels run on floats only)
    kernel("max_pool_forward")(cp.ascontiguousarray(x), *_geometry(x.shape[1:], kernel_size, stride, dilation,
                                                                   out_size),
                               *[np.int32(p) for p in padding], lowest, best, where)
    return best, where


def winners_grad(grad, where, padded_size, kernel_size, stride, dilation, out_size):
    """max pooling's dx on the padded grid (B, Hp, Wp): each pixel sums the gradients of the windows it won."""
    cp = _cupy()
    grid = cp.empty((where.shape[0],) + tuple(padded_size), dtype=grad.dtype)
    kernel("max_pool_backward")(cp.ascontiguousarray(grad), cp.ascontiguousarray(where),
                                *_geometry(padded_size, kernel_size, stride, dilation, out_size), grid)
    return grid


def window_sums(x, kernel_size, stride, padding, out_size):
    """The sum of every (undilated) window of x (B, H, W), padding counted as 0: (B, Ho, Wo)."""
    cp = _cupy()
    total = cp.empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
    kernel("avg_pool_sum")(cp.ascontiguousarray(x), *_geometry(x.shape[1:], kernel_size, stride, (1, 1), out_size),
                           *[np.int32(p) for p in padding], total)
    return total


def spread_to_windows(share, padded_size, kernel_size, stride, out_size):
    """avg pooling's dx on the padded grid: every pixel sums the shares of the windows it is in."""
    cp = _cupy()
    grid = cp.empty((share.shape[0],) + tuple(padded_size), dtype=share.dtype)
    kernel("avg_pool_backward")(cp.ascontiguousarray(share),
                                *_geometry(padded_size, kernel_size, stride, (1, 1), out_size), grid)
    return grid


# optimizer updates (optim/adam.py, optim/sgd.py): in place on the parameter and its state

def adam_step(param, grad, exp_avg, exp_avg_sq, *, decay, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """One Adam/AdamW update of `param`, `exp_avg`, `exp_avg_sq` in place: one kernel."""
    s = param.dtype.type
    kernel("adam")(grad, s(decay), s(1 - beta1), s(beta2), s(1 - beta2), s(step_size),
                   s(bias_correction2_sqrt), s(eps), param, exp_avg, exp_avg_sq)


def sgd_momentum_step(param, grad, buf, *, momentum, dampening, lr, nesterov):
    """buf = momentum * buf + (1 - dampening) * grad; param -= lr * (Nesterov ? grad + momentum * buf : buf)."""
    s = param.dtype.type
    kernel("sgd_momentum")(grad, s(momentum), s(1 - dampening), s(lr), np.bool_(nesterov), param, buf)
