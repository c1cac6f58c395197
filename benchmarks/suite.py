"""Running a suite: every workload on every target, with a progress bar.

    >>> from benchmarks.suite import run_suite
    >>> from benchmarks.targets import Target
    >>> from benchmarks.workloads import select
    >>> rows, _ = run_suite(select("quick", "add\\\\[1e3"), [Target("torch", "cpu")], threads=1,
    ...                  repeat=3, max_time=0.01, warmup=0.0, progress=False)
    >>> rows[0]["cells"]["torch:cpu"]["status"]
    'ok'

The targets of one workload are measured back to back (each in its own worker process, see
worker.py), so a slow change in the machine's state affects both frameworks alike.
"""
import sys
import time

from .worker import TargetWorker


def run_suite(workloads, targets, threads, dtype="float32", repeat=10, max_time=0.5, warmup=0.1,
              tf32=False, progress=True, budget=None):
    """(rows, worker_info): one row per workload, {id, name, size, group, metric, x, family,
    cells: {target key: cell}}, and each worker's framework_info by target key.

    With `budget` (seconds), no new workload starts once it is spent; after an interrupt (Ctrl-C,
    or SIGTERM from `timeout`, see __main__) the cell running is abandoned. Either way the rest
    are reported as n/a and the run still returns what it measured.
    """
    deadline = None if budget is None else time.monotonic() + budget
    availability = {t.key: t.available() for t in targets}
    workers = {t.key: TargetWorker(t, threads, tf32) for t in targets if availability[t.key][0]}
    bar = _progress_bar(len(workloads) * len(workers), progress)
    rows = []
    stopped = None  # why the remaining workloads are not run
    try:
        for workload in workloads:
            if stopped is None and deadline is not None and time.monotonic() > deadline:
                stopped = f"not run: the time budget of {budget:g} s was spent"
            cells = {}
            for target in targets:
                ok, why = availability[target.key]
                if ok and stopped:
                    ok, why = False, stopped
                if not ok:
                    cells[target.key] = {"status": "n/a", "reason": why}
                    continue
                bar.set_description(f"{workload.id} on {target.label}")
                try:
                    cells[target.key] = workers[target.key].measure(
                        workload.id, dtype=dtype, repeat=repeat, max_time=max_time, warmup=warmup)
                except KeyboardInterrupt:
                    stopped = "not run: the run was interrupted"
                    cells[target.key] = {"status": "n/a", "reason": stopped}
                    for worker in workers.values():
                        worker.kill()
                bar.update(1)
            rows.append({"id": workload.id, "name": workload.name, "size": workload.size,
                         "group": workload.group, "metric": workload.metric, "x": workload.x,
                         "family": workload.family, "cells": cells})
    finally:
        bar.close()
        for worker in workers.values():
            worker.close()
    return rows, {key: worker.info for key, worker in workers.items() if worker.info}


class _PlainProgress:
    """Stand-in for tqdm when it is not installed: one line per cell on stderr."""

    def __init__(self, total):
        self.total, self.done = total, 0

    def set_description(self, text):
        print(f"[{self.done + 1}/{self.total}] {text}", file=sys.stderr, flush=True)

    def update(self, n):
        self.done += n

    def close(self):
        pass


class _NoProgress(_PlainProgress):
    def set_description(self, text):
        pass


def _progress_bar(total, enabled):
    if not enabled:
        return _NoProgress(total)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _PlainProgress(total)
    return tqdm(total=total, unit="cell", dynamic_ncols=True, leave=False)
