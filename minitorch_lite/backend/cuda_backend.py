"""The CUDA side of the backend: finding CuPy and a GPU without ever failing on machines that lack them.

    >>> from minitorch_lite.backend import cuda_backend
    >>> cuda_backend.is_available() in (True, False)
    True
"""
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
