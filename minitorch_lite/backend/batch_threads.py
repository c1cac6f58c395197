"""Per-image work on several CPU cores: split a batch into one contiguous chunk per thread.

    >>> import numpy as np
    >>> out = np.empty(6)
    >>> def squares(start, stop):
    ...     out[start:stop] = np.arange(start, stop) ** 2
    >>> for_batch_chunks(squares, 6, work=6)
    >>> out
    array([ 0.,  1.,  4.,  9., 16., 25.])

Why: NumPy computes copies and elementwise work on one core; only its BLAS uses more, and a
GEMM as small as one image's convolution gains little from that. torch spreads every kernel over
`get_num_threads()` cores. A convolution's per-image work (the im2col copy and the GEMM) is
independent across images, and NumPy releases the GIL in both, so Python threads that each take a
slice of the batch run truly in parallel. Measured on 2 cores, TinyVGG's 10->10 channel 3x3
convolution forward on a batch of 32: 1.65 ms serial, 0.86 ms in two chunks. While chunks run,
BLAS is held to one thread (threads.one_blas_thread): the chunks already fill the cores.

Results do not depend on the thread count: every image is computed by the same calls whichever
thread runs it, and callers keep any sum *across* images outside the chunks.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import threads
from .device import xp_of

# Below this many elements per chunk, handing work to another thread and back costs more than it
# saves (measured on 2 cores: TinyVGG's first convolution, 225k elements of im2col, went from
# 200 us to 340 us when split in two; the next one, 2.3M elements, from 2.3 ms to 1.2 ms).
MIN_CHUNK_WORK = 1 << 18

_pool = None
_pool_size = 0
_pool_pid = None  # a forked child inherits the pool object but not its threads: it needs its own
_pool_lock = threading.Lock()
_inside = threading.local()  # set in pool workers: a nested split runs serially (no deadlock)


def split_batch(fn, x, work):
    """Run fn(start, stop) over the first axis of array x: NumPy in chunks on several cores,
    CuPy in one call (a GPU kernel is parallel already)."""
    if xp_of(x).__name__ == "numpy":
        for_batch_chunks(fn, x.shape[0], work)
    else:
        fn(0, x.shape[0])


def for_batch_chunks(fn, n, work):
    """Call fn(start, stop) for contiguous chunks covering range(n), one per thread, and wait.

    `work` is the number of elements the whole batch touches; the batch is split only where each
    chunk gets at least MIN_CHUNK_WORK of it. fn must write only its own slice of any output.
    The calling thread runs the first chunk itself. An exception in any chunk is raised here.
    """
    chunks = min(threads.get_num_threads(), n, work // MIN_CHUNK_WORK)
    if chunks <= 1 or getattr(_inside, "active", False):
        fn(0, n)
        return
    bounds = [n * i // chunks for i in range(chunks + 1)]
    pool = _get_pool(chunks - 1)
    with threads.one_blas_thread():  # the chunks are the parallelism: no BLAS threads on top
        futures = [pool.submit(_run_inside, fn, bounds[i], bounds[i + 1]) for i in range(1, chunks)]
        try:
            _run_inside(fn, bounds[0], bounds[1])
        finally:
            for future in futures:
                future.exception()  # wait for every chunk before any output is used or freed
    for future in futures:
        future.result()  # re-raise the first worker error, if any


# Elements per block of a blockwise elementwise computation: one block of each array (512 KB in
# float32) stays in cache across the computation's passes, and the blocks are shared out over threads.
# Measured on 2 cores, one Adam step over ten 1000x1000 float32 parameters: 38.9 ms in one piece,
# 21.5 ms in blocks of 2^17 (torch: ~21 ms); SGD with momentum 13.3 -> 11.2 ms. Blocks of 2^13 were
# slower than one piece (27.6 ms for SGD): per-call overhead and the GIL dominate small blocks.
BLOCK = 1 << 17


def by_blocks(fn, arrays, passes=None):
    """Call fn(*arrays) once, or, for large contiguous same-shaped NumPy arrays, on each block of
    BLOCK elements of their flat views, the blocks split over get_num_threads() threads.

        >>> import numpy as np
        >>> x, out = np.arange(4.0), np.empty(4)
        >>> by_blocks(lambda a, o: np.multiply(a, a, out=o), [x, out]); out
        array([0., 1., 4., 9.])

    `fn` must work element by element and write only into its block of the arrays (an optimizer's
    update, an activation into a preallocated output), so the split changes no bit. `passes` is how
    many times fn goes over its data (the work that justifies another thread; default: one per array).
    """
    first = arrays[0]
    if (type(first) is not np.ndarray or first.size < 2 * BLOCK
            or not all(a.shape == first.shape and a.flags.c_contiguous for a in arrays)):
        fn(*arrays)
        return
    flat = [a.reshape(-1) for a in arrays]  # views: writes land in the arrays
    n = first.size

    def run_blocks(start, stop):
        for block in range(start, stop):
            lo, hi = block * BLOCK, min(n, (block + 1) * BLOCK)
            fn(*[a[lo:hi] for a in flat])
    for_batch_chunks(run_blocks, -(-n // BLOCK), work=n * (passes or len(arrays)))


def _run_inside(fn, start, stop):
    _inside.active = True
    try:
        fn(start, stop)
    finally:
        _inside.active = False


def _get_pool(workers):
    """A process-wide pool with at least `workers` threads (grown when set_num_threads grows)."""
    global _pool, _pool_size, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_size < workers or _pool_pid != os.getpid():
            old = _pool if _pool_pid == os.getpid() else None
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="minitorch-batch")
            _pool_size, _pool_pid = workers, os.getpid()
            if old is not None:
                old.shutdown(wait=False)
        return _pool
