"""`mt.cuda`: the GPU as torch.cuda shows it, backed by CuPy; honest no-ops where there is no GPU.

    >>> import minitorch_lite as mt
    >>> mt.cuda.is_available() in (True, False)      # never raises, even without CuPy
    True

On a machine without CuPy or an NVIDIA GPU, `is_available()` is False and `device_count()` is 0;
seeding functions do nothing (as torch's do on a CPU build); functions that need a device raise.
"""
from .backend import cuda_backend
from .backend.cuda_backend import current_device, device_count, is_available

__all__ = ["is_available", "device_count", "current_device", "get_device_name", "synchronize",
           "manual_seed", "manual_seed_all", "memory_allocated", "max_memory_allocated",
           "reset_peak_memory_stats", "empty_cache", "Event", "set_device"]


def _cupy():
    return cuda_backend.cupy()


def get_device_name(device=None):
    """The GPU's name, e.g. 'NVIDIA H100 80GB HBM3'."""
    cp = _cupy()
    index = _index(device)
    props = cp.cuda.runtime.getDeviceProperties(index)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else name


def _index(device):
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    from .backend.device import device as make_device
    d = make_device(device)
    return current_device() if d.index is None else d.index


def set_device(device):
    _cupy().cuda.Device(_index(device)).use()


def synchronize(device=None):
    """Wait until every queued GPU kernel has finished (what timings need)."""
    if is_available():
        with _cupy().cuda.Device(_index(device)):
            _cupy().cuda.Stream.null.synchronize()
            _cupy().cuda.get_current_stream().synchronize()


def manual_seed(seed):
    """Seed the GPU generator (kept for when a GPU is used; nothing to seed without one, as in torch)."""
    cuda_backend.manual_seed(int(seed))


manual_seed_all = manual_seed


def memory_allocated(device=None):
    """Bytes held by tensors in CuPy's memory pool (0 without a GPU)."""
    return _cupy().get_default_memory_pool().used_bytes() if is_available() else 0


def max_memory_allocated(device=None):
    """Peak of `memory_allocated` since the start or the last `reset_peak_memory_stats`."""
    return cuda_backend.peak_memory() if is_available() else 0


def reset_peak_memory_stats(device=None):
    if is_available():
        cuda_backend.reset_peak_memory()


def empty_cache():
    """Return cached, unused GPU memory to the driver."""
    if is_available():
        _cupy().get_default_memory_pool().free_all_blocks()


class Event:
    """A CUDA event for timing GPU work: `start.record(); ...; end.record(); end.synchronize();
    start.elapsed_time(end)` in milliseconds, as torch.cuda.Event."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._event = _cupy().cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream=None):
        self._event.record(stream)

    def synchronize(self):
        self._event.synchronize()

    def query(self):
        return self._event.done

    def elapsed_time(self, end_event):
        return _cupy().cuda.get_elapsed_time(self._event, end_event._event)
