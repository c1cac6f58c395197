"""One process per target: measurements of one framework never share a process with the other's.

    >>> from benchmarks.targets import Target
    >>> from benchmarks.worker import TargetWorker
    >>> w = TargetWorker(Target("torch", "cpu"), threads=1)
    >>> w.measure("add[1e3]", dtype="float32", repeat=3, max_time=0.01, warmup=0.0)["status"]
    'ok'
    >>> w.info["threads"]
    1
    >>> w.close()

Why: torch (OpenMP, MKL) and NumPy (OpenBLAS) each keep a pool of worker threads that spin for a
while after every parallel call. In one process, the pool of the framework measured a moment ago
would still be spinning on the cores the other one is being timed on. Each worker is a
`python -m benchmarks.worker FRAMEWORK DEVICE` process that imports only its framework; the
parent sends it one workload at a time and the two workers take turns, so both frameworks see
the same machine conditions. A crash (a segfault, running out of memory) costs one cell, not
the run. The protocol is one JSON object per line on the worker's stdin and stdout; everything
the libraries print goes to a log file instead.
"""
import gc
import json
import os
import subprocess
import sys
import tempfile

from .targets import Target, use_fake_cuda_if_asked

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class TargetWorker:
    """The parent's handle on one target's worker process (started on first use, restarted after a crash)."""

    def __init__(self, target, threads, tf32=False):
        self.target = target
        self.threads = threads
        self.tf32 = tf32
        self.process = None
        self.log = None
        self.info = None  # the worker's framework_info, from its first line

    def _env(self):
        env = dict(os.environ)
        n = str(self.threads)
        # thread pools are sized when their library loads: set them before the worker starts
        env.update(OMP_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, MKL_NUM_THREADS=n,
                   CUPY_TF32="1" if self.tf32 else "0")
        env["PYTHONPATH"] = PACKAGE_PARENT + os.pathsep + env.get("PYTHONPATH", "")
        return env

    def _start(self):
        self.log = tempfile.TemporaryFile(mode="w+")
        command = [sys.executable, "-m", "benchmarks.worker", self.target.framework, self.target.device,
                   str(self.threads)] + (["--tf32"] if self.tf32 else [])
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True, cwd=PACKAGE_PARENT, env=self._env())
        hello = self.process.stdout.readline()
        if not hello:
            raise RuntimeError(self._crash_reason())
        self.info = json.loads(hello)

    def measure(self, workload_id, **params):
        """The result cell of one workload on this target."""
        try:
            if self.process is None:
                self._start()
        except RuntimeError as err:
            return {"status": "error", "reason": str(err)}
        try:
            self.process.stdin.write(json.dumps(dict(params, id=workload_id)) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except BrokenPipeError:
            line = ""
        if line:
            return json.loads(line)
        return {"status": "error", "reason": self._crash_reason()}

    def _crash_reason(self):
        code = self.process.wait()
        self.log.seek(0)
        lines = [ln for ln in self.log.read().splitlines() if ln.strip()]
        self.process = None
        tail = lines[-1][:160] if lines else "no message"
        return f"worker process died (exit code {code}): {tail}"

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()
            self.process = None

    def kill(self):
        """Stop the worker now, abandoning the cell it is measuring (after an interrupt)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def serve(framework, device, threads, tf32):
    """The worker's loop: read a request, measure, answer, until stdin closes."""
    from .machine import framework_info
    from .runner import measure_cell
    from .targets import configure
    from .workloads import all_workloads

    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the libraries print goes to the log, not into the protocol
    if framework == "minitorch_lite" and device == "cuda":
        use_fake_cuda_if_asked()
    configure(threads, tf32=tf32, frameworks=(framework,))
    target = Target(framework, device)
    by_id = {w.id: w for w in all_workloads()}
    gc.collect()
    gc.freeze()  # the framework's own objects are never garbage: keep each gc.collect() cheap
    protocol.write(json.dumps(framework_info(framework, device)) + "\n")
    protocol.flush()
    for line in sys.stdin:
        request = json.loads(line)
        workload = by_id.get(request.pop("id"))
        if workload is None:
            cell = {"status": "error", "reason": "unknown workload id"}
        else:
            cell = measure_cell(workload, target, **request)
        protocol.write(json.dumps(cell) + "\n")
        protocol.flush()


if __name__ == "__main__":
    args = sys.argv[1:]
    serve(args[0], args[1], int(args[2]), "--tf32" in args[3:])
