"""The CUDA side of the backend: finding CuPy and a GPU without ever failing on machines that lack them.

    >>> from minitorch_lite.backend import cuda_backend
    >>> cuda_backend.is_available() in (True, False)
    True
"""
import numpy as np

_cupy = None
_checked = False


def _load():
    global _cupy, _checked
    if not _checked:
        _checked = True
        try:
            import cupy
            if cupy.cuda.runtime.getDeviceCount() > 0:
                _cupy = cupy
                _apply_tf32(cupy)
                if _seed is not None:
                    cupy.random.seed(_seed)
        except Exception:  # no CuPy, no driver, no GPU: the CPU backend is all there is
            _cupy = None
    return _cupy


def is_available():
    """True when CuPy imports and sees at least one CUDA device."""
    return _load() is not None


def cupy():
    """The cupy module; a RuntimeError like torch's when CUDA cannot be used here."""
    module = _load()
    if module is None:
        raise RuntimeError("CUDA is not available: minitorch_lite needs CuPy and an NVIDIA GPU "
                           "for device='cuda' (pip install 'minitorch_lite[gpu]')")
    return module


def device_count():
    module = _load()
    return 0 if module is None else module.cuda.runtime.getDeviceCount()


def current_device():
    return cupy().cuda.runtime.getDevice()


# ---- TF32 for float32 matrix products (mt.backends.cuda.matmul.allow_tf32) -------------------------------
_tf32 = False


def tf32_allowed():
    return _tf32


def set_tf32(allowed):
    """Allow (or forbid) TF32 tensor cores in float32 GEMMs, from now on. Stored until CuPy loads."""
    global _tf32
    _tf32 = bool(allowed)
    if _cupy is not None:
        _apply_tf32(_cupy)


def _apply_tf32(cp):
    # CuPy picks a GEMM's compute type per dtype; "default" for float32 is full-precision FP32
    linalg = cp._core._routines_linalg
    cp._core.set_compute_type(
        "float32", linalg.COMPUTE_TYPE_TF32 if _tf32 else linalg.COMPUTE_TYPE_DEFAULT)


# ---- the GPU random generator and memory statistics ----------------------------------------------
_peak_bytes = 0
_tracking = False


_seed = None  # the last seed given, applied when CuPy loads (mt.manual_seed seeds the GPU too)


def manual_seed(seed):
    """Seed the GPU generator: now if CuPy is loaded, else when it loads. GPU draws are deterministic
    per seed, not torch's CUDA numbers. Never loads CuPy (mt.manual_seed calls this on every seed)."""
    global _seed
    _seed = int(seed)
    if _cupy is not None:
        _cupy.random.seed(_seed)


def bernoulli(like, p):
    """0/1 draws with P(1) = p, shaped and typed like the CuPy array `like`, drawn on its GPU
    (dropout masks: copying CPU draws to the device each step would cost more than the layer)."""
    cp = cupy()
    return (cp.random.random(like.shape, dtype=np.float64) < p).astype(like.dtype)


def _track_peak():
    """Route CuPy's allocations through a wrapper that records the pool's high-water mark.

    Installed on the first call of `max_memory_allocated`/`reset_peak_memory_stats` (not before:
    the wrapper costs a Python call per allocation), so call `reset_peak_memory_stats()` before the
    work you want to measure, as torch's documentation also recommends."""
    global _tracking
    if _tracking:
        return
    cp = cupy()
    pool = cp.get_default_memory_pool()

    def malloc(size):
        global _peak_bytes
        memory = pool.malloc(size)
        used = pool.used_bytes()
        if used > _peak_bytes:
            _peak_bytes = used
        return memory

    cp.cuda.set_allocator(malloc)
    _tracking = True


def peak_memory():
    _track_peak()
    return max(_peak_bytes, cupy().get_default_memory_pool().used_bytes())


def reset_peak_memory():
    global _peak_bytes
    _track_peak()
    _peak_bytes = cupy().get_default_memory_pool().used_bytes()
