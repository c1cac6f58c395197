"""2-D (and 1-D) convolution: im2col + one batched matrix product forward, GEMMs backward.

    >>> import minitorch_lite as mt
    >>> import minitorch_lite.nn.functional as F
    >>> x = mt.ones(1, 1, 4, 4)
    >>> w = mt.ones(2, 1, 3, 3)
    >>> F.conv2d(x, w, padding=1)[0, 0]
    tensor([[4., 6., 6., 4.],
            [6., 9., 9., 6.],
            [6., 9., 9., 6.],
            [4., 6., 6., 4.]])

The maths (cross-correlation, as in torch), with L = Ho*Wo output pixels and K = C/groups*kH*kW:

    forward    cols = im2col(pad(x))              (N, groups, K, L)     every window as a column
               out  = W (groups, O/g, K) @ cols   (N, groups, O/g, L)   batched GEMM, already NCHW
    backward   dW   = sum_n grad[n] @ cols[n].T   GEMM against the columns (recomputed from x)
               dx   = stride 1: a convolution of the padded grad with W flipped and transposed
                      (one more im2col + GEMM); other strides: W.T @ grad, folded back by col2im
               db   = grad summed over N, H, W

See backend/im2col.py for the memory kernels. Design choices, each measured on a TinyVGG training
step when it was made (benchmarks/ has the conv2d workloads to re-check them):
  * the columns are *not* kept for backward (they are 9x the input for a 3x3 kernel); backward
    saves only x and redoes the im2col copy, into a reused scratch buffer. Fresh multi-MB arrays
    every step cost more (the OS maps and zeroes new pages) than the copy itself.
  * dx as a transposed convolution beats GEMM + col2im, whose overlapping adds are memory-bound;
    col2im remains for strided convolutions (on a GPU as one fused kernel, backend/cuda_kernels.py).
  * dx and dW are skipped when not needed (the first layer's input needs no gradient).
  * on NumPy the per-image work (im2col copy + GEMM, for the output, dW and dx) runs in slices of
    the batch on `get_num_threads()` cores (backend/batch_threads.py): NumPy would run the copies
    on one core. Bit-identical for any thread count (dW's sum over images stays outside the slices).
"""
import numbers
import warnings

from ..autograd.function import Function
from ..backend import cpu_kernels, cuda_kernels
from ..backend.batch_threads import split_batch
from ..backend.im2col import col2im, im2col, scratch
from ..backend.device import xp_of


class Convolution(Function):
    """Convolution of x (N, C, H, W) with weight (O, C/groups, kH, kW) and an optional bias (O,).

    `padding` is ((top, bottom), (left, right)): asymmetric pairs let padding='same' with an even
    kernel pad one more pixel at the end, exactly as torch does.
    """

    name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, *bias, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        one_d = x.ndim == 3  # conv1d runs as a conv2d over a height-1 image
        if one_d:
            x, weight = x[:, :, None, :], weight[:, :, None, :]
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        hp, wp = h + sum(padding[0]), w + sum(padding[1])
        oh = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        w_grouped = weight.reshape(groups, o // groups, -1)  # (groups, O/g, K): one matrix per group
        ctx.save_for_backward(x, w_grouped)
        ctx.w_shape, ctx.padded_size, ctx.out_size = weight.shape, (hp, wp), (oh, ow)
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.one_d, ctx.has_bias = one_d, bool(bias)
        ctx.fused = cuda_kernels.use_for(x)  # only strided dx has a fused step: col2im
        # one filter per channel (EfficientNet's depthwise convolutions): a compiled loop when Numba is
        # installed (backend/cpu_kernels.py); the im2col path below is the reference
        ctx.compiled = groups == c == o and cpu_kernels.use_for(x)
        if ctx.compiled:
            out = cpu_kernels.depthwise_forward(x, weight[:, 0], stride, padding, dilation, (oh, ow))
            if bias:
                out += bias[0].reshape(o, 1, 1)
            return out[:, :, 0, :] if one_d else out
        out = xp_of(x).empty((n, groups, o // groups, oh * ow), dtype=x.dtype)

        def images(start, stop):  # the whole forward of images start..stop (see split_batch)
            cols = _columns(x[start:stop], padding, (kh, kw), stride, dilation, (oh, ow), groups)
            _group_matmul(w_grouped, cols, out=out[start:stop])
            if bias:
                out[start:stop] += bias[0].reshape(groups, o // groups, 1)

        split_batch(images, x, n * w_grouped.shape[2] * oh * ow)
        out = out.reshape(n, o, oh, ow)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, grad):
        x, w_grouped = ctx.saved
        w_shape, out_size, groups = ctx.w_shape, ctx.out_size, ctx.groups
        stride, padding, dilation = ctx.stride, ctx.padding, ctx.dilation
        xp = xp_of(grad)
        x_shape, n = x.shape, x.shape[0]
        grad_w = grad_x = None
        need_x, need_w = ctx.needs_input_grad[:2]
        if ctx.compiled:
            return _depthwise_backward(ctx, grad, x, w_grouped, need_x, need_w)
        g = grad.reshape(n, groups, w_grouped.shape[1], -1)  # (N, groups, O/g, L)
        transposed = need_x and stride == (1, 1)  # dx as a convolution: per image, like dW
        if transposed:  # filled image by image, as (N, groups, C/g, H*W)
            grad_x = xp.empty((n, groups, x_shape[1] // groups, x_shape[2] * x_shape[3]), dtype=grad.dtype)
        per_image_w = need_w and not _depthwise_sized(w_grouped)
        if per_image_w:
            dw_per_image = xp.empty((n,) + w_grouped.shape, dtype=grad.dtype)  # summed over images below

        def images(start, stop):  # per-image backward work of images start..stop (see split_batch)
            if per_image_w:
                cols = _columns(x[start:stop], padding, w_shape[2:], stride, dilation, out_size, groups)
                xp.matmul(g[start:stop], cols.transpose(0, 1, 3, 2), out=dw_per_image[start:stop])
            if transposed:
                _input_grad_as_convolution(g[start:stop], w_grouped, w_shape, (stop - start,) + x_shape[1:],
                                           padding, dilation, out=grad_x[start:stop])

        if per_image_w or transposed:
            split_batch(images, x, n * w_grouped.shape[2] * g.shape[-1] * (per_image_w + transposed))
        if need_w:
            if per_image_w:
                grad_w = dw_per_image.sum(axis=0)  # outside the chunks: same sum for any thread count
            else:  # recomputed columns: see top
                grad_w = _weight_grad_einsum(g, _columns(x, padding, w_shape[2:], stride, dilation,
                                                         out_size, groups))
            grad_w = grad_w.reshape(w_shape)
            if ctx.one_d:
                grad_w = grad_w[:, :, 0, :]
        if need_x:
            if transposed:
                grad_x = grad_x.reshape(x_shape)
            else:
                grad_x = _input_grad_by_col2im(g, w_grouped, w_shape, x_shape, ctx.padded_size, stride, padding,
                                               dilation, out_size, ctx.fused)
            if ctx.one_d:
                grad_x = grad_x[:, :, 0, :]
        if ctx.has_bias:
            grad_b = grad.sum(axis=(0, 2) if ctx.one_d else (0, 2, 3)) if ctx.needs_input_grad[2] else None
            return grad_x, grad_w, grad_b
        return grad_x, grad_w


def _depthwise_backward(ctx, grad, x, w_grouped, need_x, need_w):
    """The compiled depthwise convolution's backward (forward took the same path)."""
    kernel = ctx.w_shape[2:]
    g = grad[:, :, None, :] if ctx.one_d else grad
    weight = w_grouped.reshape((ctx.w_shape[0],) + tuple(kernel))
    grad_x = grad_w = grad_b = None
    if need_x:
        grad_x = cpu_kernels.depthwise_input_grad(g, weight, x.shape, ctx.stride, ctx.padding, ctx.dilation)
        grad_x = grad_x[:, :, 0, :] if ctx.one_d else grad_x
    if need_w:
        grad_w = cpu_kernels.depthwise_weight_grad(g, x, kernel, ctx.stride, ctx.padding, ctx.dilation)
        grad_w = grad_w.reshape(ctx.w_shape)
        grad_w = grad_w[:, :, 0, :] if ctx.one_d else grad_w
    if ctx.has_bias:
        if ctx.needs_input_grad[2]:
            grad_b = grad.sum(axis=(0, 2) if ctx.one_d else (0, 2, 3))
        return grad_x, grad_w, grad_b
    return grad_x, grad_w


def _group_matmul(w_grouped, cols, out=None):
    """W (groups, R, K) @ cols (N, groups, K, L) -> (N, groups, R, L), written into `out` if given.

    One BLAS GEMM per (image, group). For depthwise-sized products (R*K <= 32, e.g. 1 x 9) the
    per-call overhead dominates and einsum's vectorised loop measured faster when this was written,
    so those take einsum.
    """
    xp = xp_of(cols)
    if _depthwise_sized(w_grouped):
        product = xp.einsum("grk,ngkl->ngrl", w_grouped, cols)
        if out is None:
            return product
        out[...] = product
        return out
    return xp.matmul(w_grouped, cols, out=out)


def _depthwise_sized(w_grouped):
    """Are the per-group products of weights w_grouped (groups, O/g, K) depthwise-sized (O/g * K <= 32, with
    several groups)? Then one einsum beats per-(image, group) GEMMs, for the output and for dW."""
    return w_grouped.shape[1] * w_grouped.shape[2] <= 32 and w_grouped.shape[0] > 1


def _weight_grad_einsum(g, cols):
    """dW (groups, O/g, K) = sum over images of grad (N, groups, O/g, L) @ cols.T, as one einsum."""
    return xp_of(cols).einsum("ngol,ngkl->gok", g, cols)


def _columns(x, padding, kernel, stride, dilation, out_size, groups):
    """im2col of the zero-padded x, grouped: (N, groups, C/groups*kH*kW, Ho*Wo), in scratch memory."""
    if tuple(kernel) == (1, 1) and tuple(stride) == (1, 1) and not any(p for pair in padding for p in pair) \
            and x.flags.c_contiguous:  # a 1x1 convolution: every pixel is its own window, x is the columns
        return x.reshape(x.shape[0], groups, -1, x.shape[2] * x.shape[3])
    if cpu_kernels.use_for(x):  # compiled: windows copied straight from x, the padding written as zeros
        cols = scratch(x, x.shape[:2] + tuple(kernel) + tuple(out_size))
        cpu_kernels.im2col(x, padding, kernel, stride, dilation, out_size, cols)
        return cols.reshape(x.shape[0], groups, -1, out_size[0] * out_size[1])
    cols = im2col(_zero_pad(x, padding), kernel, stride, dilation, out_size)
    return cols.reshape(x.shape[0], groups, -1, cols.shape[-1])


def _zero_pad(x, pairs):
    """x (N, C, H, W) with (before, after) zeros per spatial dim; a negative width crops instead."""
    if not any(p for pair in pairs for p in pair):
        return x
    xp = xp_of(x)
    n, c, h, w = x.shape
    (pt, pb), (pl, pr) = pairs
    out = xp.zeros((n, c, h + pt + pb, w + pl + pr), dtype=x.dtype)
    out[:, :, max(pt, 0):out.shape[2] - max(pb, 0), max(pl, 0):out.shape[3] - max(pr, 0)] = \
        x[:, :, max(-pt, 0):h - max(-pb, 0), max(-pl, 0):w - max(-pr, 0)]
    return out


def _input_grad_as_convolution(g, w_grouped, w_shape, x_shape, padding, dilation, out=None):
    """dx of a stride-1 convolution, computed as another convolution (the "transposed" one).

    dx[n, c, y, x] = sum_{o, i, j} W[o, c, i, j] * grad[n, o, y + pt - i*dH, x + pl - j*dW]: a
    correlation of the zero-padded grad with W flipped in space and with in/out channels swapped.
    One im2col + one GEMM, as in forward; it measured faster than GEMM + col2im (whose overlapping
    strided adds are memory-bound) when this was written. With `out` (N, groups, C/g, H*W) the GEMM
    writes dx there directly.
    """
    n, groups, o_g, _ = g.shape
    o, c_g, kh, kw = w_shape
    (pt, pb), (pl, pr) = padding
    (dh, dw), (h, w) = dilation, x_shape[2:]
    oh, ow = h + pt + pb - dh * (kh - 1), w + pl + pr - dw * (kw - 1)
    reach_h, reach_w = dh * (kh - 1), dw * (kw - 1)
    grad_padded = _zero_pad(g.reshape(n, o, oh, ow), ((reach_h - pt, reach_h - pb), (reach_w - pl, reach_w - pr)))
    cols = im2col(grad_padded, (kh, kw), (1, 1), dilation, (h, w)).reshape(n, groups, -1, h * w)
    # (groups, O/g, C/g, kH, kW) -> flip space, swap channels -> (groups, C/g, O/g * kH * kW)
    flipped = w_grouped.reshape(groups, o_g, c_g, kh, kw)[:, :, :, ::-1, ::-1].transpose(0, 2, 1, 3, 4)
    return _group_matmul(flipped.reshape(groups, c_g, -1), cols, out=out).reshape(n, groups * c_g, h, w)


def _input_grad_by_col2im(g, w_grouped, w_shape, x_shape, padded_size, stride, padding, dilation, out_size,
                          fused):
    """dx of a strided convolution: W.T @ grad gives each window's column of input gradients,
    col2im adds the columns back onto the padded grid (overlapping windows add up), then the
    padding is cut off."""
    n = g.shape[0]
    dcols = xp_of(g).matmul(w_grouped.transpose(0, 2, 1), g).reshape(n, -1, g.shape[-1])
    if fused:
        grid = cuda_kernels.col2im(dcols, padded_size, w_shape[2:], stride, dilation, out_size)
    else:
        grid = col2im(dcols, padded_size, w_shape[2:], stride, dilation, out_size)
    (pt, _), (pl, _) = padding
    return grid[:, :, pt:pt + x_shape[2], pl:pl + x_shape[3]]


# ---- argument handling and torch's checks ---------------------------------------------------------

def _tuple(value, dims, name):
    """An int or a sequence of `dims` ints, as torch's conv arguments accept."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * dims
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dims} values to "
                           f"match the convolution dimensions, but got {name}={list(value)}")
    return value


def _padding_pairs(padding, weight_shape, dilation, stride, dims):
    """padding as one (before, after) pair per spatial dim; 'valid' and 'same' resolved as torch does."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pairs = []
        for d, k in zip(dilation, weight_shape[2:]):
            total = d * (k - 1)
            pairs.append((total // 2, total - total // 2))  # the odd pixel goes at the end
        if any(l != r for l, r in pairs):
            warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                          "zero-padded copy of the input be created", UserWarning, stacklevel=3)
        return tuple(pairs)
    return tuple((p, p) for p in _tuple(padding, dims, "padding"))


def _check(input, weight, bias, stride, pairs, dilation, groups):
    """torch's conv checks, in torch's order and words (aten/src/ATen/native/Convolution.cpp)."""
    if any(p < 0 for pair in pairs for p in pair):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    w_shape = list(weight.shape)
    kernel = w_shape[2:] if len(w_shape) > 3 else [1] + w_shape[2:]
    if len(kernel) == 2 and min(kernel) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kernel[0]} "
                           f"kernel_width: {kernel[1]}")
    if weight.ndim != input.ndim:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{w_shape}, but got {input.ndim}-dimensional input of size {list(input.shape)} instead")
    if w_shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
                           f"but got weight of size {w_shape} instead")
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{w_shape}] instead")
    if input.shape[1] != w_shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {w_shape}, expected input{list(input.shape)} "
                           f"to have {w_shape[1] * groups} channels, but got {input.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != w_shape[0]):
        raise RuntimeError(f"Given weight of size {w_shape}, expected bias to be 1-dimensional with "
                           f"{w_shape[0]} elements, but got bias of size {list(bias.shape)} instead")
    padded = [n + l + r for n, (l, r) in zip(input.shape[2:], pairs)]
    kernel = [d * (k - 1) + 1 for d, k in zip(dilation, w_shape[2:])]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                           "than actual input size")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({input.dtype.c_name}) and bias type ({bias.dtype.c_name}) "
                           "should be the same")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.word} but found {weight.dtype.word}")


def _convolution(input, weight, bias, stride, padding, dilation, groups, dims):
    name = f"conv{dims}d"
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but "
                           f"got input of size: {list(input.shape)}")
    unbatched = input.ndim == dims + 1
    if unbatched:
        input = input.unsqueeze(0)
    stride = _tuple(stride, dims, "stride")
    dilation = _tuple(dilation, dims, "dilation")
    if weight.ndim - 2 != dims:  # torch takes the number of spatial dims from the weight
        raise RuntimeError(f"expected stride to be a single integer value or a list of {weight.ndim - 2} "
                           "values to match the convolution dimensions, but got stride="
                           f"{list(stride)}")
    pairs = _padding_pairs(padding, weight.shape, dilation, stride, dims)
    _check(input, weight, bias, stride, pairs, dilation, groups)
    if dims == 1:  # run as 2-D over a height-1 image
        stride, dilation, pairs = (1,) + stride, (1,) + dilation, ((0, 0),) + pairs
    tensors = (input, weight) if bias is None else (input, weight, bias)
    out = Convolution.apply(*tensors, stride=stride, padding=pairs, dilation=dilation, groups=int(groups))
    return out.squeeze(0) if unbatched else out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: input (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW).

    padding: an int, a pair, or 'valid' / 'same' (output size = input size; stride must be 1).
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv1d: input (N, C, L) or (C, L), weight (O, C/groups, k)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1)
