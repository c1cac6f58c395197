"""How one measurement is taken: warm up, calibrate, time repeated samples, summarise the spread.

    >>> from benchmarks.runner import measure_time
    >>> m = measure_time(lambda: sum(range(100)), lambda: None, repeat=5, max_time=0.05)
    >>> m["median"] > 0 and m["samples"] >= 3
    True

The method, in order (benchmarks/README.md explains why):
1. Warm-up: call the step until `warmup` seconds have passed (at least once), so lazy
   initialisation, allocator growth, BLAS thread start-up and CUDA kernel loading are not timed.
2. Calibrate: a sample runs the step `number` times back to back, with `number` grown (as
   `timeit.autorange` does) until one sample lasts at least `min_sample` seconds, so the timer's
   resolution and the cost of reading it do not matter.
3. Time: `repeat` samples with `time.perf_counter_ns`, the device synchronised before the clock
   starts and before it stops (CUDA work is asynchronous). Each sample gives a time per iteration.
   Sampling stops early once `max_time` is spent, but never with fewer than 3 samples.
4. Summarise: median, quartiles (IQR) and min/max over the samples.
"""
import gc
import math
import statistics
import time

import numpy as np

from .workloads import Unavailable


def _timed(step, sync, number):
    """Nanoseconds for `number` back-to-back calls, the device idle at both ends."""
    sync()
    t0 = time.perf_counter_ns()
    for _ in range(number):
        step()
    sync()
    return time.perf_counter_ns() - t0


def calibrate(step, sync, warmup=0.05, min_sample=0.005):
    """Warm up for `warmup` seconds (at least one call), then return how many calls one sample
    needs to last `min_sample` seconds (grown like timeit.autorange)."""
    start = time.perf_counter_ns()
    elapsed = _timed(step, sync, 1)
    while time.perf_counter_ns() - start < warmup * 1e9:
        elapsed = min(elapsed, _timed(step, sync, 1))  # the fastest call: least disturbed
    number = 1
    while elapsed < min_sample * 1e9:
        number = max(number * 2, math.ceil(number * min_sample * 1e9 / max(elapsed, 1)))
        elapsed = _timed(step, sync, number)
    return number


def measure_time(step, sync, repeat=10, max_time=1.0, warmup=0.05, min_sample=0.005):
    """Time `step()` and return the per-iteration statistics in seconds (a JSON-ready dict)."""
    gc.collect()  # garbage left by the previous measurement is not this one's cost
    number = calibrate(step, sync, warmup, min_sample)
    per_iteration = []
    budget_end = time.perf_counter_ns() + max_time * 1e9
    while len(per_iteration) < repeat:
        per_iteration.append(_timed(step, sync, number) / number / 1e9)
        if len(per_iteration) >= 3 and time.perf_counter_ns() > budget_end:
            break
    return summarise(per_iteration, number)


def summarise(values, number=1):
    """Median, quartiles and range of a list of per-iteration times (or of any measurements)."""
    values = sorted(values)
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {"median": statistics.median(values), "q1": q1, "q3": q3,
            "min": values[0], "max": values[-1], "samples": len(values), "number": number,
            "values": values}


def measure_memory(step, target, runs=3):
    """Peak extra device memory (bytes) of one `step()`, after one warm-up step; median of `runs`."""
    step()
    target.sync()
    peaks = [target.peak_memory(lambda: (step(), target.sync())) for _ in range(runs)]
    return summarise([float(p) for p in peaks])


def fingerprint(result):
    """A few numbers summarising what a step returned (tensors, numbers, tuples of them), so the
    report can check that both frameworks computed the same thing: {n, sum, abs_sum}, or None."""
    parts = []

    def collect(value):
        if isinstance(value, (tuple, list)):
            for v in value:
                collect(v)
        elif isinstance(value, (bool, int, float)):
            parts.append(np.array([value], dtype=np.float64))
        elif hasattr(value, "detach"):
            parts.append(np.asarray(value.detach().cpu().numpy(), dtype=np.float64).ravel())

    collect(result)
    if not parts:
        return None
    values = np.concatenate(parts)
    return {"n": int(values.size), "sum": float(values.sum()), "abs_sum": float(np.abs(values).sum())}


def measure_cell(workload, target, dtype, repeat, max_time, warmup):
    """Build the workload on the target and measure it: the result cell for the report.

    A workload whose pieces are missing (Unavailable, ImportError, AttributeError,
    NotImplementedError) is "n/a" with the reason; anything else that fails is an "error".
    """
    try:
        step = workload.build(target, dtype)
    except (Unavailable, ImportError, AttributeError, NotImplementedError) as err:
        return {"status": "n/a", "reason": _reason(err)}
    except Exception as err:  # a real failure: shown as an error, with its message
        return {"status": "error", "reason": _reason(err)}
    try:
        first = fingerprint(step())  # the first call: a check value, and part of the warm-up
        target.sync()
        if workload.metric == "memory":
            cell = measure_memory(step, target)
        else:
            cell = measure_time(step, target.sync, repeat=repeat, max_time=max_time, warmup=warmup)
    except (NotImplementedError, AttributeError) as err:
        return {"status": "n/a", "reason": _reason(err)}
    except Exception as err:
        return {"status": "error", "reason": _reason(err)}
    finally:
        step = None
        gc.collect()
    cell["status"] = "ok"
    cell["fingerprint"] = first
    rate = workload.rate(cell["median"], np.dtype(dtype).itemsize)
    cell["rate"] = list(rate) if rate else None
    return cell


def _reason(err):
    """One line saying why: the message of an Unavailable, else 'ErrorType: message'."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    if not isinstance(err, Unavailable):
        text = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return text[:200]
