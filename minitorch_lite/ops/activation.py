"""Fused activation ops whose one-node forward/backward is faster and more exact than a chain of
elementwise ops: softmax, log_softmax, gelu, silu, leaky_relu, hardswish, softplus, elu.

    >>> import minitorch_lite as mt
    >>> mt.softmax(mt.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])

softmax subtracts the row maximum before exponentiating, so large logits never overflow;
log_softmax is x - max - log(sum(exp(x - max))), never log(softmax(x)), which would underflow.

Each forward and backward below is the plain maths, written with `xp` (NumPy, or CuPy on a GPU).
On a GPU, the ops with a fused CUDA kernel decide in forward (`ctx.fused`) and hand over in one
line, `if ctx.fused: return cuda_kernels.gelu_forward(...)`; backend/cuda_kernels.py has the rest.
"""
import math

import numpy as np

from ..autograd.function import Function
from ..backend import cuda_kernels, dtypes, special
from ..backend.batch_threads import by_blocks
from ..backend.device import xp_of
from ._util import cast, normalize_dim


class Softmax(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        ctx.fused = cuda_kernels.use_for(x)
        if ctx.fused:
            return cuda_kernels.softmax_forward(ctx, x, dim)
        out = x - x.max(axis=dim, keepdims=True)
        xp_of(x).exp(out, out=out)  # in place: one buffer for the whole forward
        out /= out.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.softmax_backward(ctx, grad)
        (out,) = ctx.saved
        g = grad * out
        g -= out * g.sum(axis=ctx.dim, keepdims=True)  # out * (grad - sum(grad * out)), one buffer less
        return g


class LogSoftmax(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        ctx.fused = cuda_kernels.use_for(x)
        if ctx.fused:
            return cuda_kernels.log_softmax_forward(ctx, x, dim)
        xp = xp_of(x)
        out = x - x.max(axis=dim, keepdims=True)
        out -= xp.log(xp.exp(out).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.log_softmax_backward(ctx, grad)
        (out,) = ctx.saved
        g = xp_of(out).exp(out)
        g *= grad.sum(axis=ctx.dim, keepdims=True)
        return grad - g


class Gelu(Function):
    """x * Phi(x) (exact, with erf) or its tanh approximation."""

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        ctx.fused = cuda_kernels.use_for(x)
        if ctx.fused:
            return cuda_kernels.gelu_forward(ctx, x, approximate)
        xp = xp_of(x)
        if approximate == "tanh":
            ctx.save_for_backward(x)
            inner = x.dtype.type(math.sqrt(2 / math.pi)) * (x + x.dtype.type(0.044715) * x * x * x)
            return 0.5 * x * (1 + xp.tanh(inner))
        cdf, out = xp.empty_like(x), xp.empty_like(x)
        by_blocks(_gelu, [x, cdf, out], passes=24)  # large arrays: in cache-sized blocks, on every core
        ctx.save_for_backward(x, cdf)  # backward needs Phi(x) again: keep it rather than recompute erf
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.gelu_backward(ctx, grad)
        xp = xp_of(grad)
        if ctx.approximate == "tanh":
            (x,) = ctx.saved
            t = x.dtype.type
            k_beta = t(math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5)
            k_kappa = t(0.044715)
            x_sq = x * x
            inner = k_beta * (x + k_kappa * x_sq * x)
            tanh_inner = xp.tanh(inner)
            left = 0.5 * x
            right = 1 + tanh_inner
            left_derivative = 0.5 * right
            right_derivative = left * (1 - tanh_inner * tanh_inner) * k_beta * (1 + 3 * k_kappa * x_sq)
            return grad * (left_derivative + right_derivative)
        x, cdf = ctx.saved
        grad_x = xp.empty_like(grad)
        by_blocks(_gelu_grad, [x, cdf, grad, grad_x], passes=8)
        return grad_x


def _gelu(x, cdf, out):
    """out = x * Phi(x), with Phi(x) = (1 + erf(x / sqrt(2))) / 2 written into `cdf` (for backward)."""
    scaled = x * x.dtype.type(math.sqrt(0.5))
    if type(x) is np.ndarray and x.dtype == np.float32:
        special.erf_float32_fast(scaled, out=cdf)  # the formula torch's CPU kernel evaluates
    else:
        cdf[...] = special.erf(scaled)
    cdf += 1
    cdf *= 0.5
    xp_of(x).multiply(x, cdf, out=out)


def _gelu_grad(x, cdf, grad, out):
    """out = grad * (Phi(x) + x * phi(x)), phi the normal density."""
    xp = xp_of(x)
    pdf = xp.exp(-0.5 * x * x) * x.dtype.type(1 / math.sqrt(2 * math.pi))
    pdf *= x
    pdf += cdf
    xp.multiply(grad, pdf, out=out)


class Silu(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.fused = cuda_kernels.use_for(x)
        if ctx.fused:
            return cuda_kernels.silu_forward(ctx, x)
        xp = xp_of(x)
        with np.errstate(over="ignore"):  # s = 1 / (1 + exp(-x)), in one buffer
            s = xp.negative(x)
            xp.exp(s, out=s)
            s += 1
            xp.reciprocal(s, out=s)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.silu_backward(ctx, grad)
        x, s = ctx.saved
        return grad * s * (1 + x * (1 - s))


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        ctx.fused = cuda_kernels.use_for(x)
        if ctx.fused:
            return cuda_kernels.leaky_relu_forward(ctx, x, negative_slope)
        return xp_of(x).where(x > 0, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.leaky_relu_backward(ctx, grad)
        (x,) = ctx.saved
        return xp_of(x).where(x > 0, grad, grad * grad.dtype.type(ctx.slope))


class Hardswish(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * xp_of(x).clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        xp = xp_of(x)
        mid = grad * ((x / 3) + 0.5)
        # torch's kernel: 0 for x <= -3, the slope inside (-3, 3), grad from 3 on
        return xp.where(x <= -3, 0, xp.where(x < 3, mid, grad)).astype(grad.dtype, copy=False)


class Softplus(Function):
    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        xp = xp_of(x)
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * beta
        with np.errstate(over="ignore"):
            return xp.where(bx > threshold, x, xp.log1p(xp.exp(bx)) / beta).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        beta, threshold = ctx.beta, ctx.threshold
        xp = xp_of(x)
        bx = x * beta
        with np.errstate(over="ignore", invalid="ignore"):  # exp overflows where bx > threshold: unused there
            z = xp.exp(bx)
            return xp.where(bx > threshold, grad, grad * z / (z + 1)).astype(grad.dtype, copy=False)


class Elu(Function):
    @staticmethod
    def forward(ctx, x, alpha=1.0):
        xp = xp_of(x)
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        xp = xp_of(x)
        return xp.where(x > 0, grad, grad * ctx.alpha * xp.exp(xp.minimum(x, 0))).astype(grad.dtype, copy=False)


def _softmax_input(input, dim, dtype, name):
    if dim is None:
        import warnings
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                      "include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = cast(input, dtypes.as_dtype(dtype))
    elif input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for \'{input.dtype.word}\'')
    return input, normalize_dim(dim, input._data.ndim) if input._data.ndim else 0


def softmax(input, dim=None, dtype=None, _stacklevel=3):
    """exp(x) / sum(exp(x)) along `dim`, computed stably."""
    input, d = _softmax_input(input, dim, dtype, "softmax")
    if input._data.ndim == 0:
        d = None
    return Softmax.apply(input, dim=d)


def log_softmax(input, dim=None, dtype=None, _stacklevel=3):
    """log(softmax(x)) along `dim`, computed without forming softmax (no underflow)."""
    input, d = _softmax_input(input, dim, dtype, "log_softmax")
    if input._data.ndim == 0:
        d = None
    return LogSoftmax.apply(input, dim=d)


def _float_only(input, name):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}" not implemented for \'{input.dtype.word}\'')
    return input


def gelu(input, approximate="none"):
    """Gaussian error linear unit: x * Phi(x); approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(_float_only(input, "GeluKernelImpl"), approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    return Silu.apply(_float_only(input, "silu"))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return LeakyRelu.apply(input, negative_slope=negative_slope)


def hardswish(input, inplace=False):
    return Hardswish.apply(_float_only(input, "hardswish"))


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(_float_only(input, "softplus"), beta=beta, threshold=threshold)


def elu(input, alpha=1.0, inplace=False):
    return Elu.apply(_float_only(input, "elu"), alpha=alpha)
