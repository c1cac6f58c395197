"""Thread counts: `get_num_threads` / `set_num_threads`, applied to NumPy's BLAS.

    >>> import minitorch_lite as mt
    >>> mt.get_num_threads() >= 1
    True

minitorch_lite computes on NumPy, whose matrix products run on a multithreaded BLAS (OpenBLAS or
MKL). `set_num_threads(n)` limits that BLAS through threadpoolctl when it is installed. The count
also tells `arange` how torch would have split its work, which changes torch's float rounding.
"""
import os

_num_threads = None
_limiter = None


def _default_threads():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_num_threads():
    """The number of threads used for intra-op parallelism (torch's default: the usable cores)."""
    return _num_threads or _default_threads()


def set_num_threads(n):
    """Use `n` threads for BLAS (needs threadpoolctl) and for torch-identical range rounding."""
    global _num_threads, _limiter
    n = int(n)
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _num_threads = n
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    _limiter = threadpool_limits(limits=n, user_api="blas")
