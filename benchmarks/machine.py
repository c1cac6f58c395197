"""The machine record saved with every run: what the numbers were measured on.

    >>> from benchmarks.machine import describe
    >>> sorted(describe())[:3]
    ['commit', 'cpu_count', 'cpu_model']

The parent records the machine: CPU model and cores, platform, Python, the date, the
minitorch_lite commit. Each worker process records what it measured with (`framework_info`):
the framework's version and thread count, NumPy's BLAS library and its threads (threadpoolctl),
CuPy and CUDA versions, the GPU's name and whether TF32 was on. A missing library is recorded
as missing, never guessed.
"""
import datetime
import os
import platform
import subprocess
import sys
import time


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def _transparent_hugepages():
    """The kernel's THP mode ('always', 'madvise', 'never'): NumPy madvises huge pages for large
    arrays and torch does not, so under 'madvise' large fresh torch buffers take more page faults."""
    try:
        text = open("/sys/kernel/mm/transparent_hugepage/enabled").read()
    except OSError:
        return None
    return text[text.find("[") + 1:text.find("]")] if "[" in text else text.strip()


def _blas():
    """NumPy's BLAS as threadpoolctl sees it: library, version, threading layer, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl is not installed: BLAS and its threads unknown"}]
    keep = ("internal_api", "version", "num_threads", "threading_layer", "architecture", "filepath")
    return [{k: info.get(k) for k in keep} for info in threadpool_info() if info.get("user_api") == "blas"]


def _git_commit():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (commit + ("+dirty" if dirty else "")) or None


def _gpu_name(framework):
    if framework == "torch":
        import torch
        return torch.cuda.get_device_name(0)
    import cupy
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return name.decode() if isinstance(name, bytes) else name


def framework_info(framework, device):
    """What one worker process measures with: versions, thread counts, BLAS, GPU (JSON-ready).

    Recorded inside the worker, after its threads were set, so it is what was actually used.
    """
    import numpy
    info = {"framework": framework, "numpy": numpy.__version__, "blas": _blas()}
    if framework == "torch":
        import torch
        info.update(version=torch.__version__, threads=torch.get_num_threads(),
                    interop_threads=torch.get_num_interop_threads(),
                    mkl=torch.backends.mkl.is_available(), mkldnn=torch.backends.mkldnn.is_available())
        if device == "cuda":
            info.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                        tf32=torch.backends.cuda.matmul.allow_tf32)
    else:
        import minitorch_lite
        info.update(version=minitorch_lite.__version__, threads=minitorch_lite.get_num_threads())
        if device == "cuda":
            import cupy
            from minitorch_lite.backend import cuda_kernels
            info.update(cupy=cupy.__version__, cuda_runtime=cupy.cuda.runtime.runtimeGetVersion(),
                        tf32=minitorch_lite.backends.cuda.matmul.allow_tf32, fused_kernels=cuda_kernels.ENABLED,
                        fake_cuda="fake_cupy" in sys.modules)
    if device == "cuda":
        info["gpu"] = _gpu_name(framework)
    return info


def describe(workers=None):
    """A JSON-ready dict describing this machine, plus each worker's `framework_info` by target key."""
    import numpy
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": _usable_cores(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "commit": _git_commit(),
        "transparent_hugepages": _transparent_hugepages(),
        "workers": workers or {},
    }


def _threads(n):
    return f"{n} thread" if n == 1 else f"{n} threads"


def _blas_text(blas):
    return ", ".join(f"{b.get('internal_api')} {b.get('version')} ({_threads(b.get('num_threads'))})"
                     if "internal_api" in b else b.get("note", "?") for b in blas) or "no BLAS found"


def _worker_text(key, info):
    label = key.replace("minitorch_lite", "mt").replace(":", " ")
    if info.get("error"):
        return f"{label}: {info['error']}"
    if info["framework"] == "torch":
        text = f"{label}: torch {info['version']}, {_threads(info['threads'])}" + (", MKL" if info.get("mkl") else "")
    else:
        text = f"{label}: minitorch_lite {info['version']}, NumPy {info['numpy']}, BLAS {_blas_text(info['blas'])}"
    if info.get("gpu"):
        text += f", GPU {info['gpu']}" + (f", CuPy {info['cupy']}" if info.get("cupy") else "") \
            + f", TF32 {'on' if info.get('tf32') else 'off'}"
        if "fused_kernels" in info:
            text += f", fused kernels {'on' if info['fused_kernels'] else 'off (MINITORCH_LITE_FUSED=0)'}"
    return text


def summary_lines(record):
    """A few human-readable lines for the top of the table."""
    lines = [
        f"date {record['date']}  |  commit {record['commit'] or '?'}  |  Python {record['python']}  |  "
        f"{record['platform']}",
        f"CPU: {record['cpu_model']}, {record['usable_cores']} usable cores, "
        f"transparent huge pages: {record.get('transparent_hugepages') or '?'}",
    ]
    lines += [_worker_text(key, info) for key, info in record.get("workers", {}).items()]
    load = record.get("background_load")
    if load and load.get("loadavg") is not None:
        lines.append(f"background load during the run: {load['background_cores']:.2f} of "
                     f"{load['usable_cores']} cores used by other processes (1-min loadavg {load['loadavg']:.2f})")
    return lines


def _busy_and_total_jiffies():
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


class BackgroundLoad:
    """How busy the CPUs were with *other* processes while we measured (Linux /proc/stat).

    Timings of multithreaded code on a shared machine are only as good as the machine is quiet:
    a worker thread that waits for a core held by another process stalls the whole parallel
    region for a scheduler time slice (milliseconds). The report states this number so a reader
    can judge the run.

        >>> load = BackgroundLoad(); load.stop()["background_cores"] >= 0
        True
    """

    def __init__(self):
        self.available = os.path.exists("/proc/stat")
        self.cores = _usable_cores() or 1
        self.start = self._snapshot()

    def _snapshot(self):
        # our own CPU time includes the benchmark's worker processes once they have been reaped
        # (their times are then in children_user/children_system): they are not "other" processes
        own = os.times()
        busy, total = _busy_and_total_jiffies() if self.available else (0, 0)
        mine = own.user + own.system + own.children_user + own.children_system
        return busy, total, mine, time.monotonic()

    def stop(self):
        """{'background_cores': other processes' average CPU use in cores, 'loadavg': 1-min load}."""
        if not self.available:
            return {"background_cores": 0.0, "loadavg": None, "note": "no /proc/stat: unknown"}
        busy0, total0, own0, t0 = self.start
        busy1, total1, own1, t1 = self._snapshot()
        cores = self.cores
        elapsed = max(t1 - t0, 1e-9)
        tick = os.sysconf("SC_CLK_TCK")
        all_busy_cores = (busy1 - busy0) / tick / elapsed
        # /proc/stat counts every CPU of the machine; scale to the cores this process may use
        scale = cores / max(1, os.cpu_count() or 1)
        others = max(0.0, all_busy_cores * scale - (own1 - own0) / elapsed)
        return {"background_cores": round(others, 2), "loadavg": os.getloadavg()[0],
                "usable_cores": cores}
