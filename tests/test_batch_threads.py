"""Batch chunks on several threads (backend/batch_threads.py): coverage, errors, and convolutions
and max pooling that give the same bits whichever way the batch is split."""
import threading

import numpy as np
import pytest

import minitorch_lite as mt
import minitorch_lite.nn.functional as F
from minitorch_lite.backend import batch_threads


@pytest.fixture
def split_everything(monkeypatch):
    """Split every batch as far as the thread count allows, on 3 threads."""
    monkeypatch.setattr(batch_threads, "MIN_CHUNK_WORK", 1)
    monkeypatch.setattr(mt.threads, "_num_threads", 3)


def test_chunks_cover_the_batch_once_on_several_threads(split_everything):
    seen, lock = [], threading.Lock()

    def record(start, stop):
        with lock:
            seen.append((start, stop, threading.get_ident()))

    batch_threads.for_batch_chunks(record, 10, work=10)
    assert sorted((start, stop) for start, stop, _ in seen) == [(0, 3), (3, 6), (6, 10)]
    assert len({ident for *_, ident in seen}) > 1
    assert (0, 3, threading.get_ident()) in seen  # the caller runs the first chunk itself


def test_small_work_and_single_thread_run_in_one_call(monkeypatch):
    calls = []
    batch_threads.for_batch_chunks(lambda a, b: calls.append((a, b)), 32,
                                   work=batch_threads.MIN_CHUNK_WORK - 1)
    monkeypatch.setattr(mt.threads, "_num_threads", 1)
    batch_threads.for_batch_chunks(lambda a, b: calls.append((a, b)), 32, work=1 << 30)
    assert calls == [(0, 32), (0, 32)]


def test_a_worker_error_is_raised_after_all_chunks_finish(split_everything):
    finished = []

    def fail_in_the_last_chunk(start, stop):
        if stop == 10:
            raise ValueError("chunk failed")
        finished.append(start)

    with pytest.raises(ValueError, match="chunk failed"):
        batch_threads.for_batch_chunks(fail_in_the_last_chunk, 10, work=10)
    assert sorted(finished) == [0, 3]


def test_a_nested_split_runs_serially(split_everything):
    inner = []

    def outer(start, stop):
        batch_threads.for_batch_chunks(lambda a, b: inner.append((a, b)), 4, work=4)

    batch_threads.for_batch_chunks(outer, 3, work=3)
    assert inner == [(0, 4)] * 3


CONVS = {  # name: (input shape, weight shape, conv2d keyword arguments)
    "tinyvgg": ((7, 3, 12, 12), (5, 3, 3, 3), dict(padding=1)),
    "strided": ((5, 4, 11, 9), (6, 4, 3, 3), dict(stride=2, padding=1)),
    "dilated_same": ((4, 2, 10, 10), (3, 2, 3, 3), dict(padding="same", dilation=2)),
    "groups": ((5, 4, 8, 8), (6, 2, 3, 3), dict(groups=2, padding=1)),
    "depthwise": ((6, 4, 8, 8), (4, 1, 3, 3), dict(groups=4, padding=1)),
    "no_bias": ((3, 2, 6, 6), (4, 2, 2, 2), dict(bias=False)),
}


def _conv_run(name, dtype):
    x_shape, w_shape, kwargs = CONVS[name]
    kwargs = dict(kwargs)
    rng = np.random.default_rng(0)
    x = mt.tensor(rng.standard_normal(x_shape), dtype=dtype, requires_grad=True)
    w = mt.tensor(rng.standard_normal(w_shape), dtype=dtype, requires_grad=True)
    b = mt.tensor(rng.standard_normal(w_shape[0]), dtype=dtype, requires_grad=True) \
        if kwargs.pop("bias", True) else None
    out = F.conv2d(x, w, b, **kwargs)
    out.backward(mt.tensor(rng.standard_normal(out.shape), dtype=dtype))
    return [t.detach().numpy().copy() for t in (out, x.grad, w.grad) + ((b.grad,) if b is not None else ())]


def _assert_same_bits_split_or_not(run, monkeypatch):
    """run() -> arrays, once with the batch whole and once split into as many chunks as allowed."""
    monkeypatch.setattr(batch_threads, "MIN_CHUNK_WORK", 1 << 62)
    whole = run()
    monkeypatch.setattr(batch_threads, "MIN_CHUNK_WORK", 1)
    monkeypatch.setattr(mt.threads, "_num_threads", 3)
    split = run()
    for a, b in zip(whole, split, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
@pytest.mark.parametrize("name", sorted(CONVS))
def test_convolution_gives_the_same_bits_split_or_not(name, dtype, monkeypatch):
    _assert_same_bits_split_or_not(lambda: _conv_run(name, dtype), monkeypatch)


POOLS = {  # name: (input, max_pool2d keyword arguments); integer-valued inputs make ties
    "disjoint": (np.random.default_rng(1).integers(0, 4, (6, 3, 8, 8)), dict(kernel_size=2)),
    "overlapping_padded": (np.random.default_rng(2).standard_normal((5, 2, 9, 7)),
                           dict(kernel_size=3, stride=2, padding=1)),
    "dilated_ceil": (np.random.default_rng(3).standard_normal((4, 3, 10, 10)),
                     dict(kernel_size=2, dilation=2, ceil_mode=True)),
    "nan": (np.where(np.arange(6 * 2 * 6 * 6).reshape(6, 2, 6, 6) % 7 == 0, np.nan,
                     np.random.default_rng(4).standard_normal((6, 2, 6, 6))), dict(kernel_size=2)),
}


def _pool_run(name, dtype):
    data, kwargs = POOLS[name]
    x = mt.tensor(data, dtype=dtype, requires_grad=True)
    out, indices = F.max_pool2d(x, return_indices=True, **kwargs)
    out.backward(mt.tensor(np.random.default_rng(0).standard_normal(out.shape), dtype=dtype))
    return [t.detach().numpy().copy() for t in (out, indices, x.grad)]


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
@pytest.mark.parametrize("name", sorted(POOLS))
def test_max_pooling_gives_the_same_bits_split_or_not(name, dtype, monkeypatch):
    _assert_same_bits_split_or_not(lambda: _pool_run(name, dtype), monkeypatch)


def test_overlapping_one_blas_thread_blocks_restore_the_count():
    controllers = mt.threads._blas_controllers()
    if not controllers:
        pytest.skip("threadpoolctl is not installed")
    before = [c.get_num_threads() for c in controllers]
    first, second = mt.threads.one_blas_thread(), mt.threads.one_blas_thread()
    first.__enter__()
    second.__enter__()  # as another thread would, while the first block is still open
    first.__exit__(None, None, None)
    assert all(c.get_num_threads() == 1 for c in controllers)  # the second block still runs
    second.__exit__(None, None, None)
    assert [c.get_num_threads() for c in controllers] == before
