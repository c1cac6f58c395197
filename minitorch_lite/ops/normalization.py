"""Normalization: batch_norm, layer_norm, group_norm, each one fused op with an analytic backward.

    >>> import minitorch_lite as mt
    >>> import minitorch_lite.nn.functional as F
    >>> x = mt.tensor([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]])
    >>> F.layer_norm(x, (3,))
    tensor([[-1.2247,  0.0000,  1.2247],
            [-1.2247,  0.0000,  1.2247]])

All three compute  out = x_hat * weight + bias  with  x_hat = (x - mean) * rstd,  rstd = 1/sqrt(var + eps)
(biased variance), and differ only in which elements share a mean and variance:
  batch_norm   per channel, over the batch and all spatial positions   x (N, C, *)
  layer_norm   per sample, over the trailing `normalized_shape` dims   x (*, normalized_shape)
  group_norm   per sample and group of channels                        x (N, C, *)

Backward, written once (`_normalized_grad`) for all three. With g = grad * weight and means taken over
the elements that shared a statistic (m of them):

    dx = rstd * (g - mean(g) - x_hat * mean(g * x_hat))

which is what the chain rule through mean and var gives (the two correction terms are the paths
through mean and through var). dweight = sum(grad * x_hat), dbias = sum(grad), over the other axes.
In eval mode batch_norm uses fixed running statistics, so dx is just rstd * g.
"""
import math
import numbers

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import GradMode
from ..backend import cuda_kernels
from ..backend.device import xp_of
from ..tensor import Tensor


_LETTERS = "abcdefghijklmnop"


def _sum(a, axes, b=None, fused=False):
    """sum(a) or sum(a * b) over `axes`, with the summed dims kept as size 1.

    Written as einsum: it fuses the product into the sum (no temporary), and it measured faster
    than `.sum()` / `.mean()` for these reductions when this was written. On the GPU a fused
    reduction kernel does the same.
    """
    if fused:
        return cuda_kernels.sum_over(a, axes, b)
    xp = xp_of(a)
    dims = _LETTERS[:a.ndim]
    kept = "".join(d for i, d in enumerate(dims) if i not in axes)
    total = xp.einsum(f"{dims}->{kept}", a) if b is None else xp.einsum(f"{dims},{dims}->{kept}", a, b)
    return total.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))


def _normalize(x, axes, eps, fused):
    """(x_hat, rstd) with x_hat = (x - mean) * rstd, rstd = 1/sqrt(var + eps), stats over `axes`.
    Two passes (mean, then the variance of x - mean): exact even for data far from zero."""
    if fused:
        return cuda_kernels.normalize(x, axes, eps)
    count = _count(x, axes)
    centred = x - _sum(x, axes) / count
    rstd = 1 / xp_of(x).sqrt(_sum(centred, axes, centred) / count + x.dtype.type(eps))
    centred *= rstd
    return centred, rstd


def _count(a, axes):
    count = 1
    for axis in axes:
        count *= a.shape[axis]
    return count


def _normalized_grad(g, x_hat, rstd, axes, fused):
    """dx of x_hat = (x - mean(x)) * rstd when mean and var are taken over `axes`:
    rstd * (g - mean(g) - x_hat * mean(g * x_hat)), computed in place to spare temporaries."""
    if fused:
        return cuda_kernels.normalized_grad(g, x_hat, rstd, axes)
    count = _count(g, axes)
    dx = x_hat * (_sum(g, axes, x_hat) / count)
    xp_of(g).subtract(g, dx, out=dx)
    dx -= _sum(g, axes) / count
    dx *= rstd
    return dx


def _affine(x_hat, params, has_weight, shape, fused):
    """x_hat * weight + bias, with the parameters reshaped to broadcast (`shape`)."""
    if fused:
        return cuda_kernels.affine(x_hat, params, has_weight, shape)
    out = x_hat * params[0].reshape(shape) if has_weight else x_hat.copy()
    if len(params) > has_weight:
        out += params[has_weight].reshape(shape)
    return out


def _param_grads(grad, x_hat, params, has_weight, axes, shape, fused):
    """(dweight, dbias) for the parameters present, summed over `axes` and reshaped to `shape`."""
    grads = []
    if has_weight:
        grads.append(_sum(grad, axes, x_hat, fused).reshape(shape))
    if len(params) > has_weight:
        grads.append(_sum(grad, axes, fused=fused).reshape(shape))
    return grads


class BatchNorm(Function):
    """x (N, C, *) normalised per channel with the given statistics (`mean`, `rstd`, shaped (1, C, 1...)).

    `training` says whether those statistics came from this batch (then they depend on x, and dx has
    the correction terms) or are the fixed running ones (eval mode).
    """

    name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, *params, mean=None, rstd=None, training=True, has_weight=True, centred=None):
        ctx.training, ctx.has_weight = training, has_weight
        ctx.fused = cuda_kernels.use_for(x)
        x_hat = x - mean if centred is None else centred  # batch_norm hands over x - mean if it has it
        x_hat *= rstd
        ctx.save_for_backward(x_hat, rstd, *params)
        return _affine(x_hat, params, has_weight, rstd.shape, ctx.fused)

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, *params = ctx.saved
        has_weight, fused = ctx.has_weight, ctx.fused
        axes = (0,) + tuple(range(2, grad.ndim))
        g = grad * params[0].reshape(rstd.shape) if has_weight else grad
        dx = _normalized_grad(g, x_hat, rstd, axes, fused) if ctx.training else g * rstd
        return (dx, *_param_grads(grad, x_hat, params, has_weight, axes, (-1,), fused))


class LayerNorm(Function):
    """x normalised over its last `dims` dims; weight and bias have those dims' shape."""

    name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, *params, dims=1, eps=1e-5, has_weight=True):
        ctx.axes = tuple(range(x.ndim - dims, x.ndim))
        ctx.has_weight = has_weight
        ctx.fused = cuda_kernels.use_for(x)
        x_hat, rstd = _normalize(x, ctx.axes, eps, ctx.fused)
        ctx.save_for_backward(x_hat, rstd, *params)
        return _affine(x_hat, params, has_weight, x.shape[x.ndim - dims:], ctx.fused)

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, *params = ctx.saved
        axes, has_weight, fused = ctx.axes, ctx.has_weight, ctx.fused
        g = grad * params[0] if has_weight else grad
        batch_axes = tuple(range(grad.ndim - len(axes)))
        param_shape = grad.shape[grad.ndim - len(axes):]
        return (_normalized_grad(g, x_hat, rstd, axes, fused),
                *_param_grads(grad, x_hat, params, has_weight, batch_axes, param_shape, fused))


class GroupNorm(Function):
    """x (N, C, *) normalised per sample over groups of C/groups channels; per-channel affine."""

    name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, *params, groups=1, eps=1e-5, has_weight=True):
        n, c = x.shape[:2]
        ctx.groups, ctx.has_weight = groups, has_weight
        ctx.channel_shape = (1, c) + (1,) * (x.ndim - 2)
        ctx.fused = cuda_kernels.use_for(x)
        x_hat, rstd = _normalize(x.reshape(n, groups, -1), (2,), eps, ctx.fused)
        x_hat = x_hat.reshape(x.shape)
        ctx.save_for_backward(x_hat, rstd, *params)
        return _affine(x_hat, params, has_weight, ctx.channel_shape, ctx.fused)

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, *params = ctx.saved
        groups, has_weight, fused = ctx.groups, ctx.has_weight, ctx.fused
        n = grad.shape[0]
        g = grad * params[0].reshape(ctx.channel_shape) if has_weight else grad
        dx = _normalized_grad(g.reshape(n, groups, -1), x_hat.reshape(n, groups, -1), rstd, (2,), fused)
        axes = (0,) + tuple(range(2, grad.ndim))
        return (dx.reshape(grad.shape), *_param_grads(grad, x_hat, params, has_weight, axes, (-1,), fused))


# ---- public functions ---------------------------------------------------------------------------------

def _params(weight, bias):
    return tuple(p for p in (weight, bias) if p is not None), weight is not None


def _float_only(input, kernel):
    if not input.is_floating_point():
        raise NotImplementedError(f'"{kernel}" not implemented for \'{input.dtype.word}\'')


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """torch.nn.functional.batch_norm: per-channel normalisation of x (N, C, *).

    training=True normalises with this batch's mean and biased variance and, when running stats are
    given, updates them in place:  running = (1 - momentum) * running + momentum * batch_stat, using
    the *unbiased* variance for running_var (as torch does). training=False uses the running stats.
    """
    if training:
        size = input.shape
        per_channel = math.prod(size) // size[1] if input.ndim > 1 else 0
        if per_channel == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    elif running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    _float_only(input, "batch_norm")
    c = input.shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    x = input._data
    xp = xp_of(x)
    stat_shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        axes = (0,) + tuple(range(2, input.ndim))
        count = x.size // c
        fused = cuda_kernels.use_for(x)
        mean = _sum(x, axes, fused=fused) / count
        centred = x - mean  # a fresh array: BatchNorm.forward scales it into x_hat in place
        var = _sum(centred, axes, centred, fused) / count
        if running_mean is not None or running_var is not None:
            _update_running_stats(running_mean, running_var, mean, var, count, momentum)
    else:
        mean = running_mean._data.reshape(stat_shape).astype(x.dtype, copy=False)
        var = running_var._data.reshape(stat_shape).astype(x.dtype, copy=False)
        centred = None
    rstd = 1 / xp.sqrt(var + x.dtype.type(eps))
    params, has_weight = _params(weight, bias)
    if not training and not (GradMode.enabled and (input._requires_grad or any(p._requires_grad for p in params))):
        return _batch_norm_inference(input, mean, rstd, weight, bias)
    return BatchNorm.apply(input, *params, mean=mean, rstd=rstd, training=training, has_weight=has_weight,
                           centred=centred)


def _batch_norm_inference(input, mean, rstd, weight, bias):
    """Eval mode with nothing to differentiate (inference, frozen layers): the statistics and the
    affine parameters fold into one scale and one shift per channel, x * scale + shift -- two passes
    over x instead of four, as torch's CPU inference kernel does it."""
    x = input._data
    scale = rstd if weight is None else rstd * weight._data.reshape(rstd.shape)
    shift = -mean * scale
    if bias is not None:
        shift += bias._data.reshape(rstd.shape)
    out = x * scale
    out += shift
    return Tensor._make(out, input._device)


def _update_running_stats(running_mean, running_var, mean, var, count, momentum):
    """running = (1 - momentum) * running + momentum * batch stat, in float64 as torch's CPU kernel."""
    if running_mean is not None:
        old = running_mean._data.astype(np.float64)
        running_mean._data[...] = momentum * mean.reshape(-1).astype(np.float64) + (1 - momentum) * old
        running_mean._bump_version()
    if running_var is not None:
        unbiased = var.reshape(-1).astype(np.float64) * (count / (count - 1))
        old = running_var._data.astype(np.float64)
        running_var._data[...] = momentum * unbiased + (1 - momentum) * old
        running_var._bump_version()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """torch.nn.functional.layer_norm: normalise over the trailing dims given by `normalized_shape`."""
    if isinstance(normalized_shape, numbers.Integral):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        "not int")
    shape = [int(s) for s in normalized_shape]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                               f"shape {list(t.shape)} and normalized_shape = {shape}")
    if list(input.shape[input.ndim - len(shape):]) != shape or len(shape) > input.ndim:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape [*, "
                           f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    _float_only(input, "LayerNormKernelImpl")
    params, has_weight = _params(weight, bias)
    return LayerNorm.apply(input, *params, dims=len(shape), eps=eps, has_weight=has_weight)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """torch.nn.functional.group_norm: normalise each sample over groups of channels."""
    c = input.shape[1] if input.ndim > 1 else 0
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {list(input.shape)} and num_groups={num_groups}")
    for t in (weight, bias):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError("Expected weight to be a vector of size equal to the number of channels in "
                               f"input, but got weight of shape {list(t.shape)} and input of shape "
                               f"{list(input.shape)}")
    _float_only(input, "group_norm")
    params, has_weight = _params(weight, bias)
    return GroupNorm.apply(input, *params, groups=int(num_groups), eps=eps, has_weight=has_weight)
