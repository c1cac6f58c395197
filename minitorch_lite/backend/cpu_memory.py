"""Keep freed CPU memory for the next training step, as a caching allocator would.

    >>> from minitorch_lite.backend import cpu_memory
    >>> cpu_memory.configure() in (True, False)
    True

Every training step allocates and frees the same multi-megabyte NumPy arrays (activations,
gradients, im2col columns). glibc's malloc serves big blocks with fresh `mmap`s and returns freed
ones to the OS, so each step touches new pages: thousands of page faults and page zeroing per
array, which measured at up to half of a TinyVGG step. torch avoids this with its own allocators,
CuPy with its memory pool. Here two glibc settings make freed blocks stay in the heap instead:
the mmap threshold and the trim threshold (both raised to 1 GiB). Memory then stays at the peak
of a step rather than being returned between steps. Linux/glibc only; set the environment variable
MINITORCH_KEEP_MALLOC=1 to leave malloc as it is.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def configure():
    """Apply the settings once (at import); returns whether they were applied."""
    if os.environ.get("MINITORCH_KEEP_MALLOC") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, ...): nothing to tune
        return False
    limit = 1 << 30
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, limit)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, limit))
