"""im2col and col2im: the two memory kernels that turn a 2-D convolution into one matrix product.

    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> cols = im2col(x, (2, 2), (2, 2), (1, 1), (2, 2))   # 2x2 windows, stride 2
    >>> cols.shape                                           # (N, C*kH*kW, Ho*Wo)
    (1, 4, 4)
    >>> cols[0, :, 0]                                        # the top-left window, flattened
    array([0., 1., 4., 5.])

A convolution of a (padded) input x (N, C, Hp, Wp) with weights (O, C, kH, kW) is

    out[n, o, h, w] = sum_{c, i, j} W[o, c, i, j] * x[n, c, h*sH + i*dH, w*sW + j*dW]

`windows` is a *view* of x indexed exactly like that sum: windows[n, c, i, j, h, w]. Copying it to
a contiguous array (im2col) lays every receptive field out as a column of length C*kH*kW, so the
whole convolution becomes out[n] = W.reshape(O, -1) @ cols[n]: one batched GEMM, no Python loop
over pixels or images. The layout (N, C*kH*kW, Ho*Wo) was chosen by measurement: the GEMM result
comes out directly in NCHW order (no transpose of the output), and the copy walks x in memory order
(measured against (C*kH*kW, N*Ho*Wo) with one big GEMM, and (N*Ho*Wo, C*kH*kW): both slower).
The columns are written into a reused per-thread `scratch` buffer instead of a fresh array.

col2im is the adjoint: it scatters column gradients back onto the input grid. Overlapping windows
add up, so instead of a slow `np.add.at` it loops over the kH*kW kernel offsets and adds one
strided slice per offset (each add is vectorised over batch, channels and all output pixels).

Everything here is written with `xp` (NumPy or CuPy), so the same code runs on both devices; a
hand-written CUDA kernel for either direction would slot in here without changing the ops.
"""
import threading

from . import cuda_kernels
from .device import xp_of

_workspace = threading.local()  # one scratch buffer per thread and device (see `scratch`)


def scratch(like, shape):
    """A reusable array of `shape` (with `like`'s dtype and device) for a value that dies inside the
    call that asks for it, like im2col's columns. Each thread keeps one buffer per device, grown as
    needed. Why: a fresh multi-MB array is new memory that the OS must map and zero page by page on
    every call; measured in a TinyVGG training step that cost more than the im2col copy itself.
    Only one scratch array may be in use at a time: asking again reuses the same memory.
    """
    xp = xp_of(like)
    size = 1
    for n in shape:
        size *= n
    nbytes = size * like.dtype.itemsize
    buffers = getattr(_workspace, "buffers", None)
    if buffers is None:
        buffers = _workspace.buffers = {}
    gpu = getattr(getattr(like, "device", None), "id", None)  # CuPy: one buffer per GPU
    key = (xp.__name__, gpu)
    buffer = buffers.get(key)
    if buffer is None or buffer.nbytes < nbytes:
        if gpu is None:
            buffer = xp.empty(max(nbytes, 1), dtype=xp.uint8)
        else:
            with like.device:  # allocate on the array's GPU, not the current one
                buffer = xp.empty(max(nbytes, 1), dtype=xp.uint8)
        buffers[key] = buffer
    return buffer[:nbytes].view(like.dtype).reshape(shape)


def windows(x, kernel_size, stride, dilation, out_size):
    """The view (N, C, kH, kW, Ho, Wo) of x (N, C, H, W) with [n, c, i, j, h, w] = x[n, c, h*sH + i*dH, w*sW + j*dW].

    No data is copied: the view reuses x's memory with strides (the "stride trick").
    """
    xp = xp_of(x)
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    n, c = x.shape[:2]
    s_n, s_c, s_h, s_w = x.strides
    return xp.lib.stride_tricks.as_strided(
        x, (n, c, kh, kw, oh, ow), (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw))


def im2col(x, kernel_size, stride, dilation, out_size):
    """Every receptive field of x (N, C, H, W) as a column: a contiguous (N, C*kH*kW, Ho*Wo) array.

    The columns live in the thread's `scratch` buffer: use them before the next im2col call.
    """
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = kernel_size, out_size
    view = windows(x, kernel_size, stride, dilation, out_size)
    cols = scratch(x, view.shape)
    cols[...] = view
    return cols.reshape(n, c * kh * kw, oh * ow)


def col2im(cols, input_size, kernel_size, stride, dilation, out_size):
    """The adjoint of im2col: sum columns (N, C*kH*kW, Ho*Wo) back onto a zero (N, C, H, W) grid.

    One strided add per kernel offset (i, j): the values that offset saw in every window go back to
    the pixels they came from. Offsets are the only loop (9 iterations for a 3x3 kernel).
    """
    if cuda_kernels.use_for(cols):  # the GPU: one kernel, the offset loop inside it
        return cuda_kernels.col2im(cols, input_size, kernel_size, stride, dilation, out_size)
    xp = xp_of(cols)
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    cols = cols.reshape(n, c, kh, kw, oh, ow)
    grid = xp.zeros((n, c) + tuple(input_size), dtype=cols.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            grid[:, :, rows, j * dw: j * dw + sw * (ow - 1) + 1: sw] += cols[:, :, i, j]
    return grid
