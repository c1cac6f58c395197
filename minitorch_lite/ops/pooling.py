"""2-D pooling: max_pool2d, avg_pool2d, adaptive_avg_pool2d.

    >>> import minitorch_lite as mt
    >>> import minitorch_lite.nn.functional as F
    >>> x = mt.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    >>> F.avg_pool2d(x, 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])

Max and average pooling walk the kH*kW offsets of the window (4 for a 2x2 pool), each step one
vectorised operation over every image, channel and output pixel, on the strided view that
backend/im2col.windows gives (no copy of the windows):
  max  keeps a running maximum and the offset where it was found. A later element replaces it only
       if strictly greater (or NaN), so ties go to the *first* maximum in the window, as in torch;
       backward sends each output's gradient to that one input.
  avg  sums the offsets in torch's order, divides by torch's divisor (window area, or the number
       of non-padding elements with count_include_pad=False); backward spreads grad/divisor back.
Max pooling's forward and backward run over slices of the (image, channel) planes on
`get_num_threads()` cores (backend/batch_threads.py; faster on 2 cores than one NumPy call per
offset when this was measured), with the same bits for any thread count.
Adaptive average pooling is linear and separable: out = A_h @ x @ A_w.T where A_h (Ho, H) averages
rows start..end-1 with torch's start = floor(i*H/Ho), end = ceil((i+1)*H/Ho); backward is
A_h.T @ grad @ A_w. Two small matrix products, any sizes (non-divisible ones included).
"""
import numbers

import numpy as np

from ..autograd.function import Function
from ..backend import cuda_kernels
from ..backend.batch_threads import split_batch
from ..backend.im2col import windows
from ..backend.device import xp_of


def _out_size(size, kernel, pad, stride, dilation, ceil_mode):
    """torch's pooling_output_shape: floor (or ceil) division, and no window may start in the padding."""
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    if pad < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    if pad > ((kernel - 1) * dilation + 1) // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad}, "
                           f"kernel_size={kernel} and dilation={dilation}")
    out = (size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _padded_size(size, kernel, stride, pad, dilation, out_size):
    """(H, W) of the grid padded just enough for every window (`size` itself when none is needed)."""
    need = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in zip(out_size, stride, dilation, kernel)]
    if pad != (0, 0) or need[0] > size[0] or need[1] > size[1]:
        return max(need[0], size[0] + pad[0]), max(need[1], size[1] + pad[1])
    return tuple(size)


def _padded_windows(x, kernel, stride, pad, dilation, out_size, fill):
    """x (B, H, W) padded with `fill` just enough for every window, as a (B, kH, kW, Ho, Wo) view."""
    xp = xp_of(x)
    b, h, w = x.shape
    padded_size = _padded_size((h, w), kernel, stride, pad, dilation, out_size)
    if padded_size != (h, w):
        padded = xp.full((b,) + padded_size, fill, dtype=x.dtype)
        padded[:, pad[0]:pad[0] + h, pad[1]:pad[1] + w] = x
        x = padded
    return windows(x[None], kernel, stride, dilation, out_size)[0]


def _offset_slices(kernel, stride, dilation, out_size):
    """For each kernel offset (i, j): the slices of the padded grid it reads across all windows."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    return [(i * kw + j, (slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                          slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)))
            for i in range(kh) for j in range(kw)]


def _crop(grid, padding, shape):
    """The gradient on the padded grid (B, Hp, Wp) cut back to the input: its (H, W) part, in `shape`."""
    h, w = shape[-2:]
    return grid[:, padding[0]:padding[0] + h, padding[1]:padding[1] + w].reshape(shape)


def _lowest(dtype):
    """The fill value that never wins a max: -inf for floats, the minimum for integers."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _window_max(x, kernel, stride, padding, dilation, out_size, fused):
    """The maximum of each window of x (B, H, W) and its offset i*kW + j within the window.

    A running maximum over the kernel offsets; a later element replaces it only if strictly greater
    (or NaN, which torch propagates), so ties keep the first maximum, as torch does.
    """
    if fused:
        return cuda_kernels.window_max(x, kernel, stride, padding, dilation, out_size)
    xp = xp_of(x)
    view = _padded_windows(x, kernel, stride, padding, dilation, out_size, _lowest(x.dtype))
    best = xp.empty(view.shape[:1] + view.shape[3:], dtype=x.dtype)
    where = xp.empty(best.shape, dtype=np.int16)
    nan_aware = x.dtype.kind == "f" and bool(xp.isnan(x).any())  # one pass; the NaN rule only if needed

    def planes(start, stop):  # the (image, channel) planes start..stop, on one core
        top, at, window_view = best[start:stop], where[start:stop], view[start:stop]
        top[...] = window_view[:, 0, 0]
        at[...] = 0
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                if i == j == 0:
                    continue
                v = window_view[:, i, j]
                better = v > top
                if nan_aware:
                    better |= xp.isnan(v)
                xp.putmask(at, better, i * kernel[1] + j)
                xp.maximum(top, v, out=top)  # keeps `top` on ties and propagates NaN

    split_batch(planes, best, view.size)
    return best, where


def _winners_grad(grad, where, padded_size, kernel, stride, dilation, out_size, fused):
    """Max pooling's dx on the padded grid (B, Hp, Wp): each output's gradient (B, Ho, Wo) goes to its
    window's winner (`where`, as `_window_max` found it), one masked add per kernel offset."""
    if fused:
        return cuda_kernels.winners_grad(grad, where, padded_size, kernel, stride, dilation, out_size)
    xp = xp_of(grad)
    grid = xp.zeros(where.shape[:1] + tuple(padded_size), dtype=grad.dtype)
    zero = grad.dtype.type(0)
    # fast path: hit * grad equals where(hit, grad, 0) for finite grads, and when windows do not
    # overlap every pixel is written by one offset only, so it can be stored instead of added
    disjoint = all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
    fast = disjoint and bool(xp.isfinite(grad).all())
    offsets = _offset_slices(kernel, stride, dilation, out_size)

    def planes(start, stop):  # the (image, channel) planes start..stop, on one core
        planes_grid, planes_grad, planes_where = grid[start:stop], grad[start:stop], where[start:stop]
        for offset, region in offsets:
            hit = planes_where == offset
            if fast:
                xp.multiply(hit, planes_grad, out=planes_grid[region])
            else:
                planes_grid[region] += xp.where(hit, planes_grad, zero)

    split_batch(planes, grid, grid.size)
    return grid


class MaxPool2d(Function):
    """Max pooling of x (..., H, W). `found` is `_window_max`'s (best, where) on x as (B, H, W) (the
    public function needs the winners for return_indices too, so it runs them once and hands them over)."""

    name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, found=None, kernel=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1),
                out_size=(1, 1)):
        best, where = found
        ctx.save_for_backward(where)
        ctx.x_shape = x.shape
        ctx.padded_size = _padded_size(x.shape[-2:], kernel, stride, padding, dilation, out_size)
        ctx.kernel, ctx.stride, ctx.padding, ctx.dilation, ctx.out_size = kernel, stride, padding, dilation, out_size
        ctx.fused = cuda_kernels.use_for(x)
        return best.reshape(x.shape[:-2] + tuple(out_size))

    @staticmethod
    def backward(ctx, grad):
        (where,) = ctx.saved
        grid = _winners_grad(grad.reshape(where.shape), where, ctx.padded_size, ctx.kernel, ctx.stride,
                             ctx.dilation, ctx.out_size, ctx.fused)
        return _crop(grid, ctx.padding, ctx.x_shape)


def _flat_indices(where, kernel, stride, padding, dilation, width):
    """torch's return_indices: the winning input's position in its (unpadded) H*W plane."""
    xp = xp_of(where)
    oh, ow = where.shape[-2:]
    i, j = where // kernel[1], where % kernel[1]
    rows = xp.arange(oh).reshape(oh, 1) * stride[0] - padding[0] + i * dilation[0]
    cols = xp.arange(ow) * stride[1] - padding[1] + j * dilation[1]
    return (rows * width + cols).astype(np.int64)


def _window_sums(x, kernel, stride, padding, out_size, fused):
    """The sum of every window of x (B, H, W), padding counted as 0, offsets added in torch's order."""
    if fused:
        return cuda_kernels.window_sums(x, kernel, stride, padding, out_size)
    view = _padded_windows(x, kernel, stride, padding, (1, 1), out_size, 0)
    total = view[:, 0, 0].copy()
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            if i or j:
                total += view[:, i, j]
    return total


def _spread_to_windows(share, padded_size, kernel, stride, out_size, fused):
    """Average pooling's dx on the padded grid (B, Hp, Wp): every pixel sums the shares
    (grad / divisor, (B, Ho, Wo)) of the windows it is in, one strided add per kernel offset."""
    if fused:
        return cuda_kernels.spread_to_windows(share, padded_size, kernel, stride, out_size)
    grid = xp_of(share).zeros(share.shape[:1] + tuple(padded_size), dtype=share.dtype)
    for _, region in _offset_slices(kernel, stride, (1, 1), out_size):
        grid[region] += share
    return grid


class AvgPool2d(Function):
    """Mean over each window of x (..., H, W) with torch's divisor rules."""

    name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), out_size=(1, 1), divisor=None):
        ctx.save_for_backward(divisor)  # an array when windows differ in size: freed with the graph
        ctx.x_shape = x.shape
        ctx.padded_size = _padded_size(x.shape[-2:], kernel, stride, padding, (1, 1), out_size)
        ctx.kernel, ctx.stride, ctx.padding, ctx.out_size = kernel, stride, padding, out_size
        ctx.fused = cuda_kernels.use_for(x)
        total = _window_sums(x.reshape((-1,) + x.shape[-2:]), kernel, stride, padding, out_size, ctx.fused)
        out = total / divisor
        return out.astype(x.dtype, copy=False).reshape(x.shape[:-2] + tuple(out_size))

    @staticmethod
    def backward(ctx, grad):
        (divisor,) = ctx.saved
        share = (grad.reshape((-1,) + tuple(ctx.out_size)) / divisor).astype(grad.dtype, copy=False)
        grid = _spread_to_windows(share, ctx.padded_size, ctx.kernel, ctx.stride, ctx.out_size, ctx.fused)
        return _crop(grid, ctx.padding, ctx.x_shape)


def _avg_divisor(xp, size, kernel, stride, pad, out, count_include_pad):
    """Per output position along one dim: the window length torch divides by (see avg_pool2d)."""
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + kernel, size + pad)  # windows are clipped to the padded input
    if count_include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)


class AdaptiveAvgPool2d(Function):
    """out = A_h @ x @ A_w.T with averaging matrices A (see the module docstring)."""

    name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_size=(1, 1)):
        xp = xp_of(x)
        a_h = _averaging_matrix(xp, x.shape[-2], out_size[0], x.dtype)
        a_w = _averaging_matrix(xp, x.shape[-1], out_size[1], x.dtype)
        ctx.save_for_backward(a_h, a_w)
        return a_h @ x @ a_w.T

    @staticmethod
    def backward(ctx, grad):
        a_h, a_w = ctx.saved
        return a_h.T @ grad @ a_w


def _averaging_matrix(xp, size, out, dtype):
    """(out, size) matrix whose row i averages inputs floor(i*size/out) .. ceil((i+1)*size/out) - 1."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return xp.asarray(inside / (end - start)[:, None], dtype=dtype)


# ---- public functions ---------------------------------------------------------------------------------

def _pair(value, name):
    if isinstance(value, numbers.Integral):
        return (int(value), int(value))
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * 2
    if len(value) != 2:
        raise RuntimeError(f"{name} must either be a single int, or a tuple of two ints")
    return value


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Sizes as pairs, torch's checks, and the input reshaped to (B, H, W)."""
    kernel = _pair(kernel_size, f"{op}: kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0) \
        else _pair(stride, f"{op}: stride")
    padding = _pair(padding, f"{op}: padding")
    dilation = _pair(dilation, f"{op}: dilation")
    h, w = input.shape[-2:]
    out_size = tuple(_out_size(*args, ceil_mode) for args in zip((h, w), kernel, padding, stride, dilation))
    if kernel[0] <= 0 or kernel[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}")
    if stride[0] <= 0 or stride[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {stride[0]} dW: {stride[1]}")
    if dilation[0] <= 0 or dilation[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dilation[0]} "
                           f"dilationW: {dilation[1]}")
    if out_size[0] < 1 or out_size[1] < 1:
        planes = input.shape[-3]
        raise RuntimeError(f"Given input size: ({planes}x{h}x{w}). Calculated output size: "
                           f"({planes}x{out_size[0]}x{out_size[1]}). Output size is too small")
    return kernel, stride, padding, dilation, out_size


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Max pooling that also returns torch's indices (positions in each input plane)."""
    if input.ndim not in (3, 4) or input.numel() == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel, stride, padding, dilation, out_size = _pool_args(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    lead, (h, w) = tuple(input.shape[:-2]), input.shape[-2:]
    geometry = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation, out_size=out_size)
    planes = input._data.reshape(-1, h, w)
    found = _window_max(planes, **geometry, fused=cuda_kernels.use_for(planes))
    out = MaxPool2d.apply(input, found=found, **geometry)
    if not return_indices:
        return out
    from ..tensor import Tensor
    indices = _flat_indices(found[1], kernel, stride, padding, dilation, w)
    return out, Tensor._make(indices.reshape(lead + out_size), input._device)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool2d: the maximum of each kH x kW window (first maximum on ties)."""
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """torch.nn.functional.avg_pool2d: the mean of each window, with torch's divisor rules."""
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.ndim not in (3, 4) or input.numel() == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel, stride, padding, _, out_size = _pool_args(input, kernel_size, stride, padding, 1, ceil_mode,
                                                      "avg_pool2d")
    xp = input._device.xp
    h, w = input.shape[-2:]
    if divisor_override is not None:
        divisor = divisor_override
    else:
        rows = _avg_divisor(xp, h, kernel[0], stride[0], padding[0], out_size[0], count_include_pad)
        cols = _avg_divisor(xp, w, kernel[1], stride[1], padding[1], out_size[1], count_include_pad)
        divisor = rows.reshape(-1, 1) * cols
        if input._data.dtype.kind == "f":
            divisor = divisor.astype(input._data.dtype)
    return AvgPool2d.apply(input, kernel=kernel, stride=stride, padding=padding, out_size=out_size,
                           divisor=divisor)


def _adaptive_size(output_size, h, w, op):
    if isinstance(output_size, numbers.Integral):
        output_size = (output_size, output_size)
    output_size = tuple(output_size)
    if len(output_size) != 2:
        raise RuntimeError(f"{op}: output_size must be 2")
    return tuple(size if o is None else int(o) for o, size in zip(output_size, (h, w)))


def adaptive_avg_pool2d(input, output_size):
    """torch.nn.functional.adaptive_avg_pool2d: average pooling to a fixed output size (any input size)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    if not input.is_floating_point():
        raise NotImplementedError(f'"adaptive_avg_pool2d" not implemented for \'{input.dtype.word}\'')
    h, w = input.shape[-2:]
    out_size = _adaptive_size(output_size, h, w, "adaptive_avg_pool2d")
    if out_size == (1, 1):  # global average pooling: torch takes a mean here, and so do we
        return input.mean((-2, -1), keepdim=True)
    return AdaptiveAvgPool2d.apply(input, out_size=out_size)
