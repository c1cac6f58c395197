"""Random numbers that match PyTorch's CPU generator bit for bit.

    >>> from minitorch_lite.random import Generator
    >>> g = Generator().manual_seed(0)
    >>> g.rand((3,))                      # torch.manual_seed(0); torch.rand(3)
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)

How torch makes its numbers (each point checked against torch 2.13 on x86-64; the tests in
tests/test_random.py compare every function here with torch directly):

* The engine is the classic 32-bit Mersenne Twister (MT19937), seeded from the low 32 bits of
  the seed exactly as NumPy's legacy `RandomState(seed)` seeds it.  Every draw consumes either
  one 32-bit output ("raw32") or two glued into 64 bits ("random64" = first << 32 | second).
* Uniform floats keep as many random bits as the format's mantissa holds: float32 uses 24 bits
  of one raw32 (`(r & 0xFFFFFF) * 2**-24`), float64 53 bits of one random64; float16 is made as
  float32 and rounded.  `x * (high - low) + low` that rounds up to `high` becomes `low`.
* Normal numbers use Box-Muller.  Fewer than 16 numbers: a scalar float64 path that makes two
  normals per pair of uniforms and keeps the second for the next call.  16 or more: draw the
  uniforms, then transform blocks of 16 (8 radii, 8 angles) with vectorised code; float32 (and
  float16, computed in float32) uses the polynomial log/sin/cos of `avx_mathfun.h`, float64 the
  C library's `log`/`sin`/`cos`.
* Integers are `draw % range + low`: one raw32 per number below a range of 2**28, one random64
  from 2**28 on.  Bernoulli with a float p is `u < p` with one 53-bit uniform per number.
* Whenever torch computes `a * b + c` the C compiler fuses it into one FMA (one rounding).
  NumPy has no FMA, so this module emulates it exactly (`_fma32`, `_fma64`).

Everything is vectorised NumPy except two short loops: the scalar normal path (at most 8 pairs)
and, for float64 normals, calls to the C library's `log`/`sin`/`cos` through Python's `math`
module: the very functions torch calls, so the same bits (NumPy's own SIMD versions differ in the
last bit for about 0.1% of values).

Scope: torch's CPU kernels as built for AVX2/AVX-512, which torch picks on any recent x86-64.
A torch run with ATEN_CPU_CAPABILITY=default uses plain-C kernels whose float32/float16 normals
(16 or more numbers) differ.  CUDA generators (Philox) are not modelled.
"""
import contextlib
import math
import operator
import secrets
import sys

import numpy as np

from .backend.dtypes import from_numpy_dtype


def _not_implemented(kernel, np_dtype):
    """torch's error for a random fill its kernel has no version of: names the dtype as torch ('Long')."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{from_numpy_dtype(np_dtype).word}\'')


__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

_F16, _F32, _F64, _U64 = np.float16, np.float32, np.float64, np.uint64
_MT_N = 624                                # MT19937 state words
DEFAULT_SEED = 67280421310721              # what torch seeds a new Generator with
_MANTISSA_BITS = {np.dtype(_F16): 11, np.dtype(_F32): 24, np.dtype(_F64): 53}
_LITTLE_ENDIAN = sys.byteorder == "little"
_CHUNK_BLOCKS = 4096                       # blocks of 16 normals transformed per NumPy pass

# torch.get_rng_state()'s 5056 bytes: the C struct CPUGeneratorImplState, padding included.
# The 32-bit MT words are stored widened to 64 bits (a leftover of the old TH library).
_STATE_DTYPE = np.dtype([
    ("the_initial_seed", "<u8"),
    ("left", "<i4"),                       # outputs left before the next twist, 1..624
    ("seeded", "<i4"),
    ("next", "<u8"),                       # index of the next state word to temper
    ("state", "<u8", (_MT_N,)),
    ("normal_x", "<f8"),                   # unused (always 0)
    ("normal_y", "<f8"),                   # the cached second Box-Muller normal (float64)
    ("normal_rho", "<f8"),                 # unused (always 0)
    ("normal_is_valid", "<i4"),
    ("_pad0", "V4"),
    ("next_float_normal_sample", "<f4"),   # a float32 cache torch keeps; carried along only
    ("is_next_float_normal_sample_valid", "u1"),
    ("_pad1", "V3"),
])


# ---- helpers ----------------------------------------------------------------------------------

def _shape(shape):
    """Normalise `3`, `(3,)`, `[2, 3]` to a tuple of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _dtype(dtype):
    """A NumPy dtype from a NumPy dtype/type or from an object carrying one as `.np`."""
    return np.dtype(getattr(dtype, "np", dtype))


def _seed_to_uint64(seed):
    """torch accepts seeds in [-2**63, 2**64) and reads negative ones as two's complement."""
    seed = operator.index(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


def _two_sum(a, b):
    """s, e with s = fl(a + b) and s + e == a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    """Dekker's split of float64 a into hi + lo, each with at most 26 significant bits."""
    c = 134217729.0 * a                    # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


def _round_to_odd(s, err):
    """Turn s = fl(x) (x = s + err exactly) into x rounded to odd: if x is inexact, the neighbour
    of x whose last mantissa bit is 1.  Rounding an odd-rounded value once more to a format at
    least two bits narrower gives the correctly rounded result (no double-rounding error)."""
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if fix.any():
        s = np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s


def _fma64(a, b, c):
    """Exact float64 fused multiply-add a * b + c (one rounding), vectorised.

    Boldo & Melquiond's emulation: the product is split exactly into ph + pl (Dekker), c + ph
    into th + tl (TwoSum), tl + pl is rounded to odd and added last.  Exact unless something
    under- or overflows; non-finite results fall back to a * b + c.
    """
    a, b, c = np.broadcast_arrays(np.asarray(a, _F64), np.asarray(b, _F64), np.asarray(c, _F64))
    ph = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    pl = ((ah * bh - ph) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, ph)
    v = _round_to_odd(*_two_sum(tl, pl))
    out = th + v
    bad = ~np.isfinite(out)
    if bad.any():
        out = np.where(bad, a * b + c, out)
    return out


def _fma32(a, b, c):
    """Exact float32 fused multiply-add.  The float32 product is exact in float64, so only the
    addition rounds; it is kept in float64 and rounded to odd where that could matter, so the
    final rounding to float32 is the single correct one."""
    s = np.multiply(a, b, dtype=_F64)
    s += c
    # Double rounding can only go wrong when s sits exactly halfway between two float32
    # numbers (low 29 bits 1000...0) or is in float32's subnormal range; fix just those.
    # (Tests on the two 32-bit halves of each float64: much faster than on uint64 in NumPy.)
    words = s.reshape(-1).view(np.uint32)
    low, high = (words[0::2], words[1::2]) if _LITTLE_ENDIAN else (words[1::2], words[0::2])
    risky = ((low & np.uint32(0x1FFFFFFF)) == np.uint32(0x10000000)) | (
        (high & np.uint32(0x7FF00000)) < np.uint32((1023 - 125) << 20))
    if risky.any():
        a, b, c = np.broadcast_arrays(np.asarray(a, _F64), np.asarray(b, _F64), np.asarray(c, _F64))
        i = np.nonzero(risky.reshape(s.shape))
        s[i] = _round_to_odd(*_two_sum(a[i] * b[i], c[i]))
    return s.astype(_F32)


def _map_math(fn, x):
    """Apply a `math` function (the C library's, like torch's) to every element of x."""
    return np.fromiter(map(fn, x.ravel().tolist()), _F64, count=x.size).reshape(x.shape)


# ---- torch's vectorised float32 log and sincos (avx_mathfun.h) --------------------------------

def _log_ps(x):
    """log of float32 x > 0, as torch's log256_ps computes it (Cephes polynomial), with the
    multiply-adds that the compiler fuses done as exact FMAs.

    The clamp to the smallest normal float in the C code never acts here (x >= 2**-24)."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F32) + _F32(1.0)
    x = ((bits & np.int32(~0x7F800000)) | np.int32(0x3F000000)).view(_F32)  # mantissa in [0.5, 1)
    small = x < _F32(0.707106781186547524)                                   # below sqrt(1/2):
    e = e - small.astype(_F32)                                               # use 2m - 1 instead
    x = (x - _F32(1.0)) + np.where(small, x, _F32(0.0))
    z = x * x
    y = np.full_like(x, _F32(7.0376836292e-2))
    for p in (-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
              -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1):
        y = _fma32(y, x, _F32(p))
    y = _fma32(y * x, z, e * _F32(-2.12194440e-4))
    y = _fma32(-z, _F32(0.5), y)
    return _fma32(e, _F32(0.693359375), x + y)


def _sincos_ps(x):
    """sin and cos of float32 x, as torch's sincos256_ps computes them (Cephes), FMAs exact."""
    negative = x < 0
    x = np.abs(x)
    j = (x * _F32(1.27323954473516)).astype(np.int32)   # octant: x * 4/pi, truncated
    j = (j + 1) & ~1                                      # round up to even
    y = j.astype(_F32)
    use_sin_poly = (j & 2) == 0
    sin_negative = negative ^ ((j & 4) != 0)
    cos_negative = ((j - 2) & 4) == 0
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(y, _F32(dp), x)                        # x - y*pi/4 in three exact-ish steps
    z = x * x
    c = _fma32(_F32(2.443315711809948e-5), z, _F32(-1.388731625493765e-3))
    c = _fma32(c, z, _F32(4.166664568298827e-2))
    c = _fma32(c * z, z, -(z * _F32(0.5))) + _F32(1.0)
    s = _fma32(_F32(-1.9515295891e-4), z, _F32(8.3321608736e-3))
    s = _fma32(s, z, _F32(-1.6666654611e-1))
    s = _fma32(s * z, x, x)
    sin = np.where(use_sin_poly, s, c)
    cos = np.where(use_sin_poly, c, s)
    return np.where(sin_negative, -sin, sin), np.where(cos_negative, -cos, cos)


# ---- randperm ---------------------------------------------------------------------------------

def _swap_loop(targets):
    """Fisher-Yates as torch runs it: for i, t in enumerate(targets): swap p[i] and p[t]."""
    p = list(range(len(targets) + 1))
    for i, t in enumerate(targets.tolist()):
        p[i], p[t] = p[t], p[i]
    return np.array(p, dtype=np.int64)


def _swap_vectorised(targets):
    """The same result as `_swap_loop`, without a Python loop over the elements.

    Step i swaps positions i and t_i >= i, so position i is final after step i.  Let v_i be the
    value sitting at position i when step i starts: it is the value the latest earlier step j
    with t_j == i sent there (v_j), or i itself if no step did.  Following these links back to
    an index nobody wrote to gives v_i; pointer doubling does that for all i at once.  Step i
    then puts into position i what sits at t_i: v_i when t_i == i, else the value of the latest
    earlier step that wrote t_i (v_j), else t_i itself.
    """
    n = targets.size + 1
    idx = np.arange(n, dtype=np.int64)
    t = np.append(targets, n - 1)          # a last, no-op step keeps the arrays aligned
    # prev_same[i]: latest j < i with t_j == t_i; last[k]: latest j with t_j == k.
    # Peel each group of equal targets from its latest member down, one level per round.
    prev_same = np.full(n, -1, np.int64)
    last = np.full(n, -1, np.int64)
    np.maximum.at(last, t, idx)
    is_top = last[t] == idx
    tops, rest = idx[is_top], idx[~is_top]
    level = np.full(n, -1, np.int64)
    while rest.size:
        t_rest = t[rest]
        np.maximum.at(level, t_rest, rest)       # latest remaining member of each group
        prev_same[tops] = level[t[tops]]
        is_top = level[t_rest] == rest
        tops, rest = rest[is_top], rest[~is_top]
        level[t_rest] = -1
    stays = t == idx
    writer = np.where(stays, prev_same, last)    # latest step before i that wrote position i
    root = np.where(writer >= 0, writer, idx)
    while True:                                  # pointer doubling: chains are ~log n long
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return np.where(stays, root, np.where(prev_same >= 0, root[prev_same], t))


# ---- the generator ----------------------------------------------------------------------------

class Generator:
    """torch.Generator for the CPU: an MT19937 stream plus torch's recipes for turning it into
    numbers.  Each draw returns a NumPy array equal, bit for bit, to what torch returns for the
    same seed and the same sequence of calls (for a fresh, contiguous tensor).

        >>> g = Generator().manual_seed(42)
        >>> g.randint(0, 10, (5,))          # torch.randint(0, 10, (5,), generator=...)
        array([2, 7, 6, 4, 6])
        >>> g.initial_seed()
        42

    `device` is kept as given (a string); numbers are always made by torch's CPU recipe.
    """

    def __init__(self, device="cpu"):
        self.device = str(device)
        self._bits = np.random.MT19937(0)
        self.manual_seed(DEFAULT_SEED)

    # -- seeding and state ----------------------------------------------------------------------

    def manual_seed(self, seed):
        """Seed like torch (only the low 32 bits reach MT19937); clears the cached normal.

        Returns self, so `g = Generator().manual_seed(0)` works."""
        seed = _seed_to_uint64(seed)
        key = np.random.RandomState(seed & 0xFFFFFFFF).get_state()[1]  # MT19937 init_genrand
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _MT_N}}
        self._initial_seed = seed
        self._fresh = True          # torch reports next=0 (not 624) until the first draw
        self._normal_cache = None   # second Box-Muller value of the scalar normal path
        self._float_normal_cache = None
        return self

    def seed(self):
        """Reseed from the OS's entropy (64 bits, like torch) and return the new seed."""
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed last given (as an unsigned 64-bit int, like torch)."""
        return self._initial_seed

    def get_state(self):
        """The state as 5056 uint8 bytes, laid out exactly like torch.Generator.get_state(), so
        a state can move between torch and this generator in both directions.

            >>> g = Generator().manual_seed(1); s = g.get_state(); a = g.rand((2,))
            >>> bool((g.set_state(s).rand((2,)) == a).all())
            True
        """
        st = self._bits.state["state"]
        pos = int(st["pos"])
        rec = np.zeros((), _STATE_DTYPE)
        rec["the_initial_seed"] = self._initial_seed
        rec["seeded"] = 1
        # NumPy's pos counts outputs used since the last twist; torch counts the ones left.
        rec["left"] = _MT_N + 1 - pos
        rec["next"] = 0 if (pos == _MT_N and self._fresh) else pos
        rec["state"] = st["key"]
        if self._normal_cache is not None:
            rec["normal_is_valid"] = 1
            rec["normal_y"] = self._normal_cache
        if self._float_normal_cache is not None:
            rec["is_next_float_normal_sample_valid"] = 1
            rec["next_float_normal_sample"] = self._float_normal_cache
        return np.frombuffer(rec.tobytes(), np.uint8).copy()

    def set_state(self, state):
        """Restore a state from `get_state()` (ours or torch's: a uint8 array or tensor)."""
        if hasattr(state, "numpy") and not isinstance(state, np.ndarray):
            state = state.numpy()
        state = np.asarray(state)
        if state.dtype != np.uint8:
            raise TypeError(f"RNG state must be a torch.ByteTensor (uint8), got {state.dtype}")
        raw = state.tobytes()
        if len(raw) != _STATE_DTYPE.itemsize:
            raise RuntimeError("Expected a CPUGeneratorImplState of size 5056 but found the "
                               f"input RNG state size to be {len(raw)}")
        rec = np.frombuffer(raw, _STATE_DTYPE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        if not (rec["seeded"] and 1 <= left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        if left == 1:               # the next draw twists first, whatever `next` says
            pos = _MT_N
        elif left + nxt == _MT_N + 1:
            pos = nxt
        else:                       # never produced by torch; NumPy's MT19937 cannot hold it
            raise ValueError(f"unsupported MT19937 state: left={left}, next={nxt}")
        key = (rec["state"] & _U64(0xFFFFFFFF)).astype(np.uint32)
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._initial_seed = int(rec["the_initial_seed"])
        self._fresh = left == 1 and nxt == 0
        self._normal_cache = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._float_normal_cache = (float(rec["next_float_normal_sample"])
                                    if rec["is_next_float_normal_sample_valid"] else None)
        return self

    def __getstate__(self):
        return {"device": self.device, "state": self.get_state()}

    def __setstate__(self, d):
        self.__init__(d["device"])
        self.set_state(d["state"])

    # -- raw draws ------------------------------------------------------------------------------

    def _raw32(self, n):
        """n raw MT19937 outputs (uint64 array holding 32-bit values)."""
        if n:
            self._fresh = False
        return self._bits.random_raw(n)

    def _random64(self, n):
        """n 64-bit draws, each made of two raw32 outputs: first << 32 | second."""
        r = self._raw32(2 * n)
        return (r[0::2] << _U64(32)) | r[1::2]

    def _uniform24(self, n):
        """n float32-grade uniforms in [0, 1) as float64: 24 random bits each."""
        return (self._raw32(n) & _U64(0xFFFFFF)).astype(_F64) * 2.0 ** -24

    def _uniform53(self, n):
        """n float64 uniforms in [0, 1): 53 random bits of a random64 each."""
        return (self._random64(n) & _U64((1 << 53) - 1)).astype(_F64) * 2.0 ** -53

    # -- uniform --------------------------------------------------------------------------------

    def rand(self, shape, dtype=np.float32):
        """torch.rand: uniform numbers in [0, 1).

            >>> Generator().manual_seed(0).rand((2, 2), np.float64)
            array([[0.970053  , 0.70781986],
                   [0.45938294, 0.92074768]])
        """
        return self.uniform(shape, 0.0, 1.0, dtype)

    def uniform(self, shape, low, high, dtype=np.float32):
        """Tensor.uniform_(low, high), which nn.init uses: `x * (high - low) + low`.

        float32: low/high rounded to float32 first, high - low subtracted in float32, the rest
        in float64 (exact product), then rounded to float32.  float64: 53-bit x and an FMA.
        float16: made as float32, then rounded.  A result that rounds up to `high` is replaced
        by `low`, as torch does, so the range stays [low, high).

            >>> Generator().manual_seed(0).uniform((3,), -1.0, 1.0)
            array([-0.00748682,  0.5364436 , -0.82304513], dtype=float32)
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        if dtype not in _MANTISSA_BITS:
            raise _not_implemented("check_uniform_bounds", dtype)
        if not low <= high:
            raise RuntimeError("uniform_ expects to return a [from, to) range, but found "
                               f"from={low} > to={high}")
        limit = float(np.finfo(dtype).max)
        for name, value in (("from", low), ("to", high)):
            if not -limit <= value <= limit:
                raise RuntimeError(f"{name} is out of bounds for {dtype}")
        if high - low > limit:
            raise RuntimeError(f"uniform_ expects to-from <= the largest {dtype}, but found "
                               f"to={high} and from={low}")
        n = math.prod(shape)
        if dtype == _F64:
            low, high = float(low), float(high)
            out = _fma64(self._uniform53(n), high - low, low)
            out = np.where(out >= high, low, out)
        else:
            lo, hi = _F32(low), _F32(high)
            out = (self._uniform24(n) * _F64(hi - lo) + _F64(lo)).astype(_F32)
            if dtype == _F16:
                out, lo, hi = out.astype(_F16), lo.astype(_F16), hi.astype(_F16)
            out = np.where(out >= hi, lo, out)
        return out.astype(dtype, copy=False).reshape(shape)

    # -- normal ---------------------------------------------------------------------------------

    def randn(self, shape, dtype=np.float32):
        """torch.randn: standard normal numbers.

            >>> Generator().manual_seed(0).randn((3,))
            array([ 1.5409961, -0.2934289, -2.1787894], dtype=float32)
        """
        return self.normal(shape, 0.0, 1.0, dtype)

    def normal(self, shape, mean=0.0, std=1.0, dtype=np.float32, contiguous=True):
        """Tensor.normal_(mean, std) / torch.normal(mean, std, size) with float mean and std.

        Fewer than 16 numbers, or a target that is not contiguous (`contiguous=False`): the scalar
        float64 path with the cached normal.  Otherwise torch's vectorised blocks of 16.
        `mean + std * z` is an FMA in both.

            >>> g = Generator().manual_seed(0)
            >>> g.normal((2,), 10.0, 0.5)
            array([10.770498,  9.853286], dtype=float32)
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        if dtype not in _MANTISSA_BITS:
            raise _not_implemented("normal_kernel_cpu", dtype)
        if not std >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        n = math.prod(shape)
        if n < 16 or not contiguous:
            out = self._normal_scalar(n, float(mean), float(std))
            if dtype != _F64:   # C++ casts double -> float (-> half)
                out = out.astype(_F32).astype(dtype)
        elif dtype == _F64:
            out = self._normal_blocks64(n, float(mean), float(std))
        else:
            # float16 is computed as float32, but its uniforms are drawn block by block, so only
            # whole blocks are drawn before the tail's 16 fresh ones.
            out = self._normal_blocks32(n, _F32(mean), _F32(std), draw_all_first=dtype == _F32)
            out = out.astype(dtype, copy=False)
        return out.reshape(shape)

    def _normal_scalar(self, n, mean, std):
        """torch's at::normal_distribution<double>, once per element (n < 16, or a strided target).

        Each fresh pair (u1, u2) of 53-bit uniforms gives r = sqrt(-2 log1p(-u2)), theta =
        2 pi u1, and two normals r cos(theta), r sin(theta); the sin one is cached for the
        next element (possibly in a later call).  Results are mean + std * z with an FMA."""
        z = np.empty(n, _F64)
        start = 0
        if n and self._normal_cache is not None:
            z[0], self._normal_cache, start = self._normal_cache, None, 1
        pairs = (n - start + 1) // 2
        if pairs:
            u = self._uniform53(2 * pairs)
            u1, u2 = u[0::2], u[1::2]
            r = np.sqrt(-2.0 * _map_math(math.log1p, -u2))
            theta = 2.0 * math.pi * u1
            both = np.empty(2 * pairs, _F64)
            both[0::2] = r * _map_math(math.cos, theta)
            both[1::2] = r * _map_math(math.sin, theta)
            z[start:] = both[:n - start]
            if (n - start) % 2:
                self._normal_cache = float(both[-1])
        return z + mean if std == 1.0 else _fma64(z, std, mean)

    def _normal_blocks32(self, n, mean, std, draw_all_first=True):
        """torch's normal_fill_AVX2 (n >= 16, float32).  All n uniforms are drawn, then each
        block of 16 becomes 8 radii (from the first 8, as 1 - u so log never sees 0) and 8
        angles; if n is not a multiple of 16, 16 more uniforms are drawn and transformed into
        the last 16 slots, overwriting part of the last whole block.

        float16 is computed the same way in float32, but torch draws its uniforms block by
        block, so only the whole blocks are drawn before the tail (draw_all_first=False)."""
        full = n // 16 * 16
        data = self._uniform24(n if draw_all_first else full).astype(_F32)
        if not draw_all_first:
            data = np.concatenate([data, np.empty(n - full, _F32)])
        blocks = data[:full].reshape(-1, 16)
        # Chunks that stay in cache: the ~100 array passes of the polynomials are much
        # faster on 32K-element pieces than on whole million-element arrays.
        for start in range(0, len(blocks), _CHUNK_BLOCKS):
            chunk = blocks[start:start + _CHUNK_BLOCKS]
            chunk[...] = self._box_muller32(chunk, mean, std)
        if n % 16:
            tail = self._uniform24(16).astype(_F32).reshape(1, 16)
            data[n - 16:] = self._box_muller32(tail, mean, std).reshape(-1)
        return data

    @staticmethod
    def _box_muller32(blocks, mean, std):
        radius = np.sqrt(_F32(-2.0) * _log_ps(_F32(1.0) - blocks[:, :8]))
        sin, cos = _sincos_ps(_F32(2.0 * math.pi) * blocks[:, 8:])
        out = np.empty_like(blocks)
        for half, trig in ((slice(0, 8), cos), (slice(8, 16), sin)):
            z = radius * trig
            out[:, half] = z + mean if std == 1 else _fma32(z, std, mean)
        return out

    def _normal_blocks64(self, n, mean, std):
        """torch's normal_fill<double> (n >= 16): the same blocks as float32, with 53-bit
        uniforms and the C library's log/cos/sin (called through `math` to get its bits)."""
        data = self._uniform53(n)
        full = n // 16 * 16
        data[:full] = self._box_muller64(data[:full].reshape(-1, 16), mean, std).reshape(-1)
        if n % 16:
            data[n - 16:] = self._box_muller64(self._uniform53(16).reshape(1, 16), mean, std).reshape(-1)
        return data

    @staticmethod
    def _box_muller64(blocks, mean, std):
        radius = np.sqrt(-2.0 * _map_math(math.log, 1.0 - blocks[:, :8]))
        theta = 2.0 * math.pi * blocks[:, 8:]
        out = np.empty_like(blocks)
        for half, fn in ((slice(0, 8), math.cos), (slice(8, 16), math.sin)):
            z = radius * _map_math(fn, theta)
            out[:, half] = z + mean if std == 1.0 else _fma64(z, std, mean)
        return out

    # -- integers -------------------------------------------------------------------------------

    def randint(self, low, high, shape, dtype=np.int64):
        """torch.randint(low, high, shape): `draw % (high - low) + low` in wrapping uint64.

        Below a range of 2**28 each number takes one raw32 draw, from 2**28 on one random64
        (torch 2.x; older torch switched at 2**32).  For float dtypes torch first moves
        low/high inward to integers the dtype can represent.

            >>> Generator().manual_seed(0).randint(-5, 5, (6,))
            array([-1,  4, -2, -5, -2,  4])
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        low, high = operator.index(low), operator.index(high)
        if dtype in _MANTISSA_BITS:
            low, high = _float_update_from(low, dtype), _float_update_to(high, dtype)
        elif dtype != np.bool_:
            info = np.iinfo(dtype)
            if not info.min <= low <= info.max:
                raise RuntimeError(f"from is out of bounds for {dtype}")
            if not info.min <= high - 1 <= info.max:
                raise RuntimeError(f"to - 1 is out of bounds for {dtype}")
        if not low < high:
            raise RuntimeError("random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        span = high - low
        n = math.prod(shape)
        draws = self._random64(n) if span >= 1 << 28 else self._raw32(n)
        with np.errstate(over="ignore"):
            out = ((draws % _U64(span)) + _U64(low & 0xFFFFFFFFFFFFFFFF)).view(np.int64)
        return _cast_int64(out, dtype).reshape(shape)

    def random_(self, dtype=np.int64, shape=None):
        """Tensor.random_() with no bounds: what DataLoader and RandomSampler draw as seeds.

        int64: random64 % 2**63; float64: random64 % (2**53 + 1); other types use one raw32
        each: modulo (max + 1) for integers, 2**mantissa + 1 for floats, the low bit for bool.
        Returns a Python number, or an array when `shape` is given.

            >>> Generator().manual_seed(0).random_()
            900450186894289455
        """
        dtype = _dtype(dtype)
        n = 1 if shape is None else math.prod(_shape(shape))
        if dtype == np.bool_:
            out = (self._raw32(n) & _U64(1)).astype(np.bool_)
        else:
            if dtype in _MANTISSA_BITS:
                modulus = (1 << _MANTISSA_BITS[dtype]) + 1
            else:
                modulus = int(np.iinfo(dtype).max) + 1
            draws = self._random64(n) if dtype in (_F64, np.dtype(np.int64)) else self._raw32(n)
            out = (draws % _U64(modulus)).astype(np.int64)
            out = _cast_int64(out, dtype)
        return out[0].item() if shape is None else out.reshape(_shape(shape))

    def randperm(self, n, dtype=np.int64):
        """torch.randperm(n): Fisher-Yates from the identity, step i swapping positions i and
        i + raw32 % (n - i).  (n >= 2**32 // 20 switches to the "inside-out" variant with random64
        draws, as torch does; that branch is a plain, slow Python loop.)

            >>> Generator().manual_seed(0).randperm(6)
            array([2, 5, 3, 0, 1, 4])
        """
        n, dtype = operator.index(n), _dtype(dtype)
        if n < 0:
            raise RuntimeError(f"n must be non-negative, got{n}")
        if dtype in _MANTISSA_BITS and n > (1 << _MANTISSA_BITS[dtype]) + 1:
            raise RuntimeError(f"n cannot be greater than 2^{_MANTISSA_BITS[dtype]}+1 for {dtype}")
        if n < (2 ** 32 - 1) // 20:
            steps = max(n - 1, 0)
            i = np.arange(steps, dtype=_U64)
            targets = (self._raw32(steps) % (_U64(n) - i) + i).astype(np.int64)
            # The sequential loop is quicker below a few thousand elements.
            if n == 0:
                perm = np.empty(0, np.int64)
            else:
                perm = _swap_loop(targets) if n <= 2048 else _swap_vectorised(targets)
        else:
            draws = self._random64(n).tolist()
            perm = np.empty(n, np.int64)
            for i in range(n):
                z = draws[i] % (i + 1)
                perm[i] = perm[z]
                perm[z] = i
        if dtype == _F16:
            return perm.astype(_F32).astype(_F16)
        return perm.astype(dtype, copy=False)

    # -- bernoulli ------------------------------------------------------------------------------

    def bernoulli(self, shape, p, dtype=np.float32):
        """Tensor.bernoulli_(p): 1 where a uniform draw is below p, else 0.

        A float p (as F.dropout uses, with p = 1 - drop probability) draws one 53-bit uniform
        per element: torch 2.13's CPU kernel does this per element, not through MKL's VSL
        stream, so the result does not depend on the thread count.  An array p (torch.bernoulli
        of probabilities) broadcasts to `shape`; float64 p uses 53-bit uniforms, other p dtypes
        24-bit ones.

            >>> Generator().manual_seed(0).bernoulli((6,), 0.5)
            array([0., 0., 1., 0., 0., 0.], dtype=float32)
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        n = math.prod(shape)
        if isinstance(p, np.ndarray):
            probs = np.broadcast_to(p, shape).reshape(-1)
            u = self._uniform53(n) if p.dtype == _F64 else self._uniform24(n)
            hit = u < probs
        else:
            hit = self._uniform53(n) < bernoulli_probability(p)
        return hit.astype(dtype).reshape(shape)


def _float_update_from(low, dtype):
    """torch's update_from: move `low` up to an integer the float dtype can hold exactly."""
    low_plus_1 = int(np.float64(_to_float(low + 1, dtype)))
    if low_plus_1 < low:
        n = abs(low + 1).bit_length() - 1
        low = low_plus_1 + (1 << (n - _MANTISSA_BITS[dtype] + 1))
    return low


def _float_update_to(high, dtype):
    """torch's update_to: move the exclusive `high` down so that high - 1 is representable."""
    high_minus_1 = int(np.float64(_to_float(high - 1, dtype)))
    if high_minus_1 >= high:
        n = abs(high - 1).bit_length() - 1
        high = high_minus_1 - (1 << (n - _MANTISSA_BITS[dtype] + 1))
    return high


def _to_float(value, dtype):
    """An int rounded to a float dtype the way C++ casts int64 (float16 goes through float32)."""
    return _cast_int64(np.array([value], np.int64), dtype)[0]


def _cast_int64(values, dtype):
    """static_cast from int64 like C++: integers wrap, floats round (float16 via float32)."""
    if dtype == _F16:
        return values.astype(_F32).astype(_F16)
    return values.astype(dtype, copy=False)


# ---- module-level API (torch.random / torch.manual_seed ...) ---------------------------------

default_generator = Generator()


def bernoulli_probability(p):
    """A scalar p of Tensor.bernoulli_ as a float, or torch's error when it is outside [0, 1]."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return p


def manual_seed(seed):
    """torch.manual_seed: seed the default (CPU) generator and the GPU's; return the CPU one."""
    from .backend import cuda_backend
    cuda_backend.manual_seed(int(seed))
    return default_generator.manual_seed(int(seed))


def seed():
    """torch.seed: reseed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """torch.initial_seed: the default generator's last seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """torch.get_rng_state: the default generator's state as a uint8 tensor (5056 bytes)."""
    from minitorch_lite.backend.device import CPU
    from minitorch_lite.tensor import Tensor
    return Tensor._make(default_generator.get_state(), CPU)


def set_rng_state(new_state):
    """torch.set_rng_state: restore the default generator from a uint8 tensor or array."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """torch.random.fork_rng: run a block and then put the default generator's state back.

        >>> with fork_rng():
        ...     _ = manual_seed(123).rand((3,))
    """
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)
