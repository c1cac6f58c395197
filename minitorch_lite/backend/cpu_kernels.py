"""Compiled CPU kernels (Numba) for the work NumPy can only do in many passes over memory.

    >>> from minitorch_lite.backend import cpu_kernels
    >>> cpu_kernels.available() in (True, False)
    True

Depthwise convolution (EfficientNet's per-channel 3x3 and 5x5 filters) is the case: each output
pixel is a sum of kH*kW products taken from one channel. NumPy can do that only as kH*kW passes over
whole arrays, or through an im2col copy 9-25 times the input; torch's kernel keeps the sum in
registers. So do these loops: they walk the channels in contiguous memory (the image is laid out
channels-last inside, so the innermost loop vectorises), keep each sum in a register, and spread
rows or images over the cores (`prange`).

Optional: `pip install minitorch_lite[fast]` brings Numba. Without it, or with
MINITORCH_LITE_NUMBA=0, the ops use their NumPy code, which stays the reference: the tests run both
and compare them with each other and with torch. Kernels compile on first use (a second or two) and
are cached on disk afterwards (Numba's `cache=True`); importing minitorch_lite never imports Numba.
Results do not depend on the thread count: every sum is taken in a fixed order, and weight
gradients are summed image by image, the images added in order at the end.
"""
import os
import threading

import numpy as np

_kernels = None   # the compiled functions, built on first use (see _compiled)
_state = None     # None: not decided yet; True/False: whether Numba is usable
# one kernel call at a time: Numba's fallback thread pool ("workqueue", used where neither TBB nor
# OpenMP is installed) must not be entered from two Python threads at once
_lock = threading.Lock()


def available():
    """Can the compiled kernels run here (Numba installed, not switched off)?"""
    global _state
    if _state is None:
        if os.environ.get("MINITORCH_LITE_NUMBA", "1") == "0":
            _state = False
        else:
            try:
                import numba  # noqa: F401
                _state = True
            except ImportError:
                _state = False
    return _state


def set_enabled(enabled):
    """Switch the kernels on or off for this process (tests compare both paths); returns the old state."""
    global _state
    old = available()
    _state = bool(enabled) and _numba_installed()
    return old


def _numba_installed():
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def use_for(array):
    """True for a float32/float64 NumPy array when the kernels are available."""
    return type(array) is np.ndarray and array.dtype.kind == "f" and array.dtype.itemsize >= 4 and available()


# ---- depthwise convolution: x (N, C, H, W), weight (C, kH, kW), one filter per channel --------------

def depthwise_forward(x, weight, stride, padding, dilation, out_size):
    """out[n, c, y, x] = sum_{i, j} w[c, i, j] * xpad[n, c, y*sH + i*dH, x*sW + j*dW]."""
    k = _compiled()
    xs = k.to_padded_nhwc(np.ascontiguousarray(x), padding[0][0], padding[1][0],
                          x.shape[2] + sum(padding[0]), x.shape[3] + sum(padding[1]))
    w_hwc = np.ascontiguousarray(weight.transpose(1, 2, 0))
    out = k.depthwise_forward_nhwc(xs, w_hwc, stride[0], stride[1], dilation[0], dilation[1],
                                   out_size[0], out_size[1])
    return k.nhwc_to_nchw(out)


def depthwise_weight_grad(grad, x, kernel_size, stride, padding, dilation):
    """dW[c, i, j] = sum_{n, y, x} grad[n, c, y, x] * xpad[n, c, y*sH + i*dH, x*sW + j*dW]."""
    k = _compiled()
    xs = k.to_padded_nhwc(np.ascontiguousarray(x), padding[0][0], padding[1][0],
                          x.shape[2] + sum(padding[0]), x.shape[3] + sum(padding[1]))
    gs = k.to_padded_nhwc(np.ascontiguousarray(grad), 0, 0, grad.shape[2], grad.shape[3])
    per_image = k.depthwise_weight_grad_nhwc(xs, gs, kernel_size[0], kernel_size[1], stride[0], stride[1],
                                             dilation[0], dilation[1])
    return np.ascontiguousarray(per_image.sum(axis=0).transpose(2, 0, 1))  # images added in order


def depthwise_input_grad(grad, weight, x_shape, stride, padding, dilation):
    """dx: every output's gradient times each filter tap, added back at the pixel that tap read."""
    k = _compiled()
    (pt, pb), (pl, pr) = padding
    hp, wp = x_shape[2] + pt + pb, x_shape[3] + pl + pr
    gs = k.to_padded_nhwc(np.ascontiguousarray(grad), 0, 0, grad.shape[2], grad.shape[3])
    w_hwc = np.ascontiguousarray(weight.transpose(1, 2, 0))
    grid = k.depthwise_input_grad_nhwc(gs, w_hwc, hp, wp, stride[0], stride[1], dilation[0], dilation[1])
    return k.nhwc_to_nchw(grid[:, pt:pt + x_shape[2], pl:pl + x_shape[3]])


# ---- im2col straight from the unpadded input ------------------------------------------------------------

def im2col(x, padding, kernel_size, stride, dilation, out_size, out):
    """Fill `out` (N, C, kH, kW, Ho, Wo) with x's windows, zeros where a window reaches into the
    padding: backend/im2col.py's `im2col(pad(x))` in one parallel pass, without the padded copy."""
    (pt, _), (pl, _) = padding
    _compiled().im2col(np.ascontiguousarray(x), pt, pl, kernel_size[0], kernel_size[1], stride[0], stride[1],
                       dilation[0], dilation[1], out_size[0], out_size[1], out)
    return out


# ---- optimizer updates: the whole update of an element in one pass, on every core --------------------
# Each reproduces, step by step and in the array's dtype, the NumPy code of optim/adam.py and
# optim/sgd.py (which spends ~10 passes over memory per update), so both paths give the same bits.

MIN_UPDATE_SIZE = 1 << 15  # below this a NumPy update is as quick as starting the parallel loop


def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, decay, beta1, beta2, step_size,
              bias_correction2_sqrt, eps):
    """optim.adam._adam_step in one pass (arrays updated in place)."""
    t = param.dtype.type
    lerp_weight = 1 - beta1
    amsgrad = max_exp_avg_sq is not None
    _compiled().adam_step(param.reshape(-1), grad.reshape(-1), exp_avg.reshape(-1), exp_avg_sq.reshape(-1),
                          (max_exp_avg_sq if amsgrad else exp_avg_sq).reshape(-1), amsgrad,
                          t(decay), decay != 1, t(lerp_weight), t(lerp_weight) - 1, abs(lerp_weight) < 0.5,
                          t(beta2), t(1 - beta2),
                          t(bias_correction2_sqrt), t(eps), t(-step_size))


def sgd_momentum_step(param, grad, buf, *, momentum, dampening, lr, nesterov, first):
    """optim.sgd._momentum_update in one pass (arrays updated in place)."""
    t = param.dtype.type
    _compiled().sgd_momentum_step(param.reshape(-1), grad.reshape(-1), buf.reshape(-1), t(momentum),
                                  t(1 - dampening), 1 - dampening == 1, t(-lr), -lr == 1, nesterov, first)


# ---- the compiled loops -------------------------------------------------------------------------------

class _Kernels:
    """Namespace for the jitted functions (made once, by `_compiled`)."""


def _compiled():
    global _kernels
    if _kernels is None:
        _kernels = _build()
    return _kernels


def _serialised(fn):
    def call(*args):
        with _lock:
            return fn(*args)
    call.__name__, call.__doc__ = fn.__name__, fn.__doc__
    return call


def _build():
    from numba import njit, prange

    jit = njit(parallel=True, cache=True, nogil=True)

    @jit
    def to_padded_nhwc(x, top, left, hp, wp):
        """x (N, C, H, W) -> zero-padded channels-last copy (N, Hp, Wp, C); rows in parallel."""
        n, c, h, w = x.shape
        out = np.zeros((n, hp, wp, c), x.dtype)
        for row in prange(n * h):
            b, y = row // h, row % h
            for xx in range(w):
                for ch in range(c):
                    out[b, y + top, xx + left, ch] = x[b, ch, y, xx]
        return out

    @jit
    def nhwc_to_nchw(a):
        """(N, H, W, C) (a view is fine) -> a contiguous (N, C, H, W) array."""
        n, h, w, c = a.shape
        out = np.empty((n, c, h, w), a.dtype)
        for plane in prange(n * c):
            b, ch = plane // c, plane % c
            for y in range(h):
                for xx in range(w):
                    out[b, ch, y, xx] = a[b, y, xx, ch]
        return out

    @jit
    def depthwise_forward_nhwc(xs, w, sh, sw, dh, dw, oh, ow):
        """xs (N, Hp, Wp, C) padded, w (kH, kW, C) -> out (N, oh, ow, C); output rows in parallel."""
        n, c = xs.shape[0], xs.shape[3]
        kh, kw = w.shape[0], w.shape[1]
        out = np.empty((n, oh, ow, c), xs.dtype)
        for row in prange(n * oh):
            b, y = row // oh, row % oh
            acc = np.empty(c, xs.dtype)
            for xo in range(ow):
                acc[:] = 0
                for i in range(kh):
                    for j in range(kw):
                        pixel = xs[b, y * sh + i * dh, xo * sw + j * dw]
                        tap = w[i, j]
                        for ch in range(c):
                            acc[ch] += tap[ch] * pixel[ch]
                out[b, y, xo] = acc
        return out

    @jit
    def depthwise_weight_grad_nhwc(xs, gs, kh, kw, sh, sw, dh, dw):
        """Per image: dW_n (kH, kW, C) = sum_{y, x} g[n, y, x] * xs[n, y*sH + i*dH, x*sW + j*dW]."""
        n, oh, ow, c = gs.shape
        out = np.zeros((n, kh, kw, c), xs.dtype)
        for b in prange(n):
            for y in range(oh):
                for xo in range(ow):
                    g = gs[b, y, xo]
                    for i in range(kh):
                        for j in range(kw):
                            pixel = xs[b, y * sh + i * dh, xo * sw + j * dw]
                            acc = out[b, i, j]
                            for ch in range(c):
                                acc[ch] += g[ch] * pixel[ch]
        return out

    @jit
    def depthwise_input_grad_nhwc(gs, w, hp, wp, sh, sw, dh, dw):
        """dxpad (N, Hp, Wp, C): each output gradient times each tap, added where the tap read."""
        n, oh, ow, c = gs.shape
        kh, kw = w.shape[0], w.shape[1]
        out = np.zeros((n, hp, wp, c), gs.dtype)
        for b in prange(n):
            for y in range(oh):
                for xo in range(ow):
                    g = gs[b, y, xo]
                    for i in range(kh):
                        for j in range(kw):
                            target = out[b, y * sh + i * dh, xo * sw + j * dw]
                            tap = w[i, j]
                            for ch in range(c):
                                target[ch] += tap[ch] * g[ch]
        return out

    @jit
    def adam_step(param, grad, m, v, v_max, amsgrad, decay, use_decay, w, w_minus_1, small_w, beta2,
                  one_minus_beta2, bc2_sqrt, eps, neg_step_size):
        for i in prange(param.size):
            p, g = param[i], grad[i]
            if use_decay:
                p = p * decay
            d = g - m[i]                                  # lerp_(m, g, w), torch's two branches
            m_new = m[i] + d * w if small_w else g + d * w_minus_1  # (scalars all in the array's dtype)
            m[i] = m_new
            s = g * one_minus_beta2                       # v = v * beta2 + (1 - beta2) * g * g
            s = s * g
            v_new = v[i] * beta2 + s
            v[i] = v_new
            if amsgrad:
                v_new = max(v_max[i], v_new)
                v_max[i] = v_new
            denom = np.sqrt(v_new) / bc2_sqrt + eps
            param[i] = p + (m_new * neg_step_size) / denom

    @jit
    def sgd_momentum_step(param, grad, buf, momentum, one_minus_dampening, plain_add, neg_lr, plain_step,
                          nesterov, first):
        for i in prange(param.size):
            g, b = grad[i], buf[i]
            if not first:
                b = b * momentum
                b = b + g if plain_add else b + g * one_minus_dampening
                buf[i] = b
            step = b * momentum + g if nesterov else b
            param[i] = param[i] + step if plain_step else param[i] + step * neg_lr

    @jit
    def im2col(x, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow, out):
        n, c, h, w = x.shape
        for plane in prange(n * c):
            b, ch = plane // c, plane % c
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        yy = y * sh + i * dh - pt
                        row = out[b, ch, i, j, y]
                        if yy < 0 or yy >= h:
                            row[:] = 0
                            continue
                        for xo in range(ow):
                            xx = xo * sw + j * dw - pl
                            row[xo] = x[b, ch, yy, xx] if 0 <= xx < w else 0

    kernels = _Kernels()
    for fn in (to_padded_nhwc, nhwc_to_nchw, depthwise_forward_nhwc, depthwise_weight_grad_nhwc,
               depthwise_input_grad_nhwc, adam_step, sgd_momentum_step, im2col):
        setattr(kernels, fn.__name__, _serialised(fn))
    return kernels
