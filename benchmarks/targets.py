"""Targets: one framework on one device (minitorch_lite or torch, cpu or cuda) behind one interface.

    >>> from benchmarks.targets import Target
    >>> t = Target("torch", "cpu")
    >>> t.label, t.available()[0]
    ('torch cpu', True)

A workload is written once and receives a `Target`: `target.lib` is the framework module
(`minitorch_lite` or `torch`, which share torch's API), `target.tensor(array)` moves a NumPy array
onto the target's device with the same values for both frameworks, `target.sync()` waits until the
device has finished the queued work (a no-op on the CPU), and `target.peak_memory(fn)` measures the
extra memory `fn()` needs at its peak on that device.
"""
import ctypes
import gc
import importlib
import importlib.util
import os
import sys

import numpy as np

FRAMEWORKS = ("minitorch_lite", "torch")
DEVICES = ("cpu", "cuda")
SHORT = {"minitorch_lite": "mt", "torch": "torch"}


class Target:
    """One column of the results: a framework on a device."""

    def __init__(self, framework, device):
        if framework not in FRAMEWORKS:
            raise ValueError(f"unknown framework {framework!r}; expected one of {FRAMEWORKS}")
        if device not in DEVICES:
            raise ValueError(f"unknown device {device!r}; expected one of {DEVICES}")
        self.framework = framework
        self.device = device
        self._lib = None

    @property
    def label(self):
        return f"{SHORT[self.framework]} {self.device}"

    @property
    def key(self):
        return f"{self.framework}:{self.device}"

    def __repr__(self):
        return f"Target({self.framework!r}, {self.device!r})"

    @property
    def lib(self):
        if self._lib is None:
            self._lib = importlib.import_module(self.framework)
        return self._lib

    def available(self):
        """(True, "") when this target can run here, else (False, why not).

        For the CPU this only looks for the package (the parent process never imports torch
        just to ask); for CUDA it imports the framework and asks for a device.
        """
        if importlib.util.find_spec(self.framework) is None:
            return False, f"{self.framework} is not installed"
        if self.device == "cpu":
            return True, ""
        lib = self.lib
        if self.framework == "torch":
            return (True, "") if lib.cuda.is_available() else (False, "torch sees no CUDA GPU")
        use_fake_cuda_if_asked()
        from minitorch_lite.backend import cuda_backend
        if not cuda_backend.is_available():
            return False, "no CuPy or no CUDA GPU"
        return True, ""

    def dtype(self, name):
        return getattr(self.lib, name)

    def tensor(self, array, requires_grad=False, copy=True):
        """The NumPy array as a tensor on this device: a private copy (so tensors never share memory),
        or, with copy=False for an array nobody else holds, the array itself on the CPU."""
        t = self.lib.from_numpy(np.array(array, copy=True) if copy else array)
        if self.device != "cpu":
            t = t.to(self.device)
        if requires_grad:
            t.requires_grad_()
        return t

    def sync(self):
        """Block until every kernel queued on this device has finished (timing must include them)."""
        if self.device == "cpu":
            return
        if self.framework == "torch":
            self.lib.cuda.synchronize()
        else:
            import cupy
            cupy.cuda.runtime.deviceSynchronize()

    def peak_memory(self, fn):
        """Bytes of device memory `fn()` needed at its peak, beyond what was in use before the call.

        GPU: the framework's own allocator statistics (torch.cuda peak stats; a CuPy memory-pool
        hook counting bytes handed out). CPU: the process's resident set as the OS sees it
        (Linux VmHWM after resetting it through /proc/self/clear_refs), the one method that sees
        NumPy's and torch's allocations alike.
        """
        gc.collect()
        if self.device == "cpu":
            return _cpu_peak(fn)
        if self.framework == "torch":
            cuda = self.lib.cuda
            cuda.synchronize()
            cuda.reset_peak_memory_stats()
            before = cuda.memory_allocated()
            fn()
            cuda.synchronize()
            return cuda.max_memory_allocated() - before
        return _cupy_peak(fn)


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _cpu_peak(fn):
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)  # hand freed heap pages back, so reuse of them shows up as growth
    except (OSError, AttributeError):
        pass
    try:
        before = _status_kib("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak-RSS watermark (VmHWM) to the current RSS
    except OSError as err:
        raise NotImplementedError(f"peak CPU memory needs Linux /proc (clear_refs): {err}") from None
    fn()
    return (_status_kib("VmHWM") - before) * 1024


def _cupy_peak(fn):
    import cupy
    from cupy.cuda import memory_hook

    class PeakHook(memory_hook.MemoryHook):
        """Counts bytes handed out by CuPy's memory pool and remembers the maximum."""
        name = "PeakHook"

        def __init__(self):
            self.in_use = 0
            self.peak = 0

        def malloc_postprocess(self, **kw):
            self.in_use += kw["mem_size"]
            self.peak = max(self.peak, self.in_use)

        def free_postprocess(self, **kw):
            self.in_use -= kw["mem_size"]

    cupy.cuda.runtime.deviceSynchronize()
    hook = PeakHook()
    with hook:
        fn()
        cupy.cuda.runtime.deviceSynchronize()
    return hook.peak


def use_fake_cuda_if_asked():
    """MINITORCH_LITE_FAKE_CUDA=1: minitorch_lite's cuda target runs on tests/fake_cupy.py (NumPy
    arrays that report cuda:0), to dry-run the report's GPU columns, plots and the GPU check script
    without a GPU. Its times are CPU times: the run is marked, and never written into the README."""
    if os.environ.get("MINITORCH_LITE_FAKE_CUDA") != "1" or "fake_cupy" in sys.modules:
        return
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
    import fake_cupy
    fake_cupy.install()


def all_targets(frameworks=FRAMEWORKS, devices=DEVICES):
    """Every requested (framework, device) pair, CPU columns first."""
    return [Target(f, d) for d in devices for f in frameworks]


def configure(threads, tf32=False, frameworks=FRAMEWORKS):
    """Give the frameworks the same CPU thread count, and full-precision float32 on GPUs.

    `threads` goes to torch (`torch.set_num_threads`) and to NumPy's BLAS (`mt.set_num_threads`,
    through threadpoolctl). TF32 (10-bit-mantissa tensor-core matmuls) stays off unless asked for:
    minitorch_lite's results must match torch's float32 ones, and TF32 would flatter the GPU.
    minitorch_lite's switch is torch's (`mt.backends.cuda.matmul.allow_tf32`); CUPY_TF32 is set too,
    for any CuPy GEMM made outside minitorch_lite.
    """
    import os
    os.environ["CUPY_TF32"] = "1" if tf32 else "0"
    if "minitorch_lite" in frameworks:
        import minitorch_lite as mt
        mt.set_num_threads(threads)
        mt.backends.cuda.matmul.allow_tf32 = tf32
    if "torch" in frameworks:
        import torch
        torch.set_num_threads(threads)
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        torch.set_float32_matmul_precision("high" if tf32 else "highest")
