"""Thread counts: `get_num_threads` / `set_num_threads`, applied to NumPy's BLAS.

    >>> import minitorch_lite as mt
    >>> mt.get_num_threads() >= 1
    True

minitorch_lite computes on NumPy, whose matrix products run on a multithreaded BLAS (OpenBLAS or
MKL). `set_num_threads(n)` limits that BLAS through threadpoolctl when it is installed. The count
also sets how many images a convolution works on at once (backend/batch_threads.py), and tells
`arange` how torch would have split its work, which changes torch's float rounding.
"""
import contextlib
import os
import threading

_num_threads = None
_limiter = None
_blas = None  # threadpoolctl's handles on the loaded BLAS libraries, found on first use
_one_thread_lock = threading.Lock()
_one_thread_users = 0  # blocks inside one_blas_thread() now, across threads
_saved_counts = []     # the BLAS thread counts to restore when the last of them leaves


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


def _blas_controllers():
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _blas = []
        else:
            _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas


@contextlib.contextmanager
def one_blas_thread():
    """Run BLAS on one thread inside the block (a no-op without threadpoolctl).

    For code that itself runs BLAS calls in parallel threads (backend/batch_threads.py): with BLAS
    threading too, 2 threads x 2 BLAS threads fight over 2 cores (measured: a TinyVGG 3x64x64
    training step took 99.7 ms that way, 72.4 ms with one BLAS thread per chunk). Blocks may overlap (several
    threads of a program): the first one in saves the counts, the last one out restores them.
    """
    global _one_thread_users, _saved_counts
    with _one_thread_lock:
        if _one_thread_users == 0:
            controllers = _blas_controllers()
            _saved_counts = [controller.get_num_threads() for controller in controllers]
            for controller in controllers:
                controller.set_num_threads(1)
        _one_thread_users += 1
    try:
        yield
    finally:
        with _one_thread_lock:
            _one_thread_users -= 1
            if _one_thread_users == 0:
                for controller, n in zip(_blas_controllers(), _saved_counts):
                    controller.set_num_threads(n)
