"""Special functions NumPy lacks: `erf` (for exact GELU) and `erfinv` (for trunc_normal_ init).

    >>> import numpy as np
    >>> float(erf(np.array(0.5)))
    0.5204998778130465

SciPy's implementations are used when SciPy is installed (scikit-learn brings it; it is fast and
accurate to the last bit of float64); otherwise Python's `math.erf` is applied element by element,
which is exact but slow. CuPy arrays use `cupyx.scipy.special`.
"""
import math

import numpy as np

try:
    from scipy import special as _scipy_special
except ImportError:  # numpy-only install
    _scipy_special = None


def _cupy_special():
    from cupyx.scipy import special
    return special


def erf(x):
    """The error function, elementwise, in the dtype of `x`."""
    if type(x) is not np.ndarray and not isinstance(x, np.generic):
        return _cupy_special().erf(x)
    if _scipy_special is not None:
        return _scipy_special.erf(x).astype(x.dtype, copy=False)
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype, copy=False)


def erf_float32_fast(x, out=None):
    """erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7), in place on float32 buffers.

    This is the formula torch's CPU GELU kernel evaluates (its vectorised erf), so GELU built on it
    agrees with torch's at float32 precision while costing a few passes over memory instead of
    SciPy's scalar loop. Not used for `mt.erf` itself, which must be accurate for tiny x."""
    a = np.abs(x)
    t = np.multiply(a, np.float32(0.3275911))
    t += 1
    np.reciprocal(t, out=t)
    r = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        r += np.float32(c)
        r *= t
    np.multiply(a, a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    r *= a
    np.subtract(1, r, out=r)
    return np.copysign(r, x, out=r if out is None else out)


def erfinv(x):
    """The inverse error function, elementwise, in the dtype of `x`."""
    if type(x) is not np.ndarray and not isinstance(x, np.generic):
        return _cupy_special().erfinv(x)
    if _scipy_special is not None:
        return _scipy_special.erfinv(x).astype(x.dtype, copy=False)
    return np.vectorize(_erfinv_scalar, otypes=[np.float64])(x).astype(x.dtype, copy=False)


def _erfinv_scalar(y):
    """Newton's method on math.erf from a closed-form first guess (Giles' approximation is not needed
    for the few values trunc_normal_ inverts without SciPy)."""
    if y <= -1:
        return -math.inf if y == -1 else math.nan
    if y >= 1:
        return math.inf if y == 1 else math.nan
    a = 0.147  # Winitzki's approximation, then polish
    ln = math.log(1 - y * y)
    t = 2 / (math.pi * a) + ln / 2
    x = math.copysign(math.sqrt(math.sqrt(t * t - ln / a) - t), y)
    for _ in range(4):
        x -= (math.erf(x) - y) / (2 / math.sqrt(math.pi) * math.exp(-x * x))
    return x
