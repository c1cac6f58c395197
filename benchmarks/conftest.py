"""pytest-benchmark setup: `pytest benchmarks/` runs the same workloads as `python -m benchmarks`.

    $ pytest benchmarks/ --bench-suite quick --benchmark-group-by=group
    $ pytest benchmarks/ --benchmark-autosave          # then, later:
    $ pytest benchmarks/ --benchmark-compare           # compares with the last saved run

Each test is one workload on one target; `benchmark.group` is the workload id, so each group shows
minitorch_lite and torch side by side. These files are outside the project's default test run
(pyproject's testpaths is `tests`). Both frameworks run in this one process here; the
`python -m benchmarks` CLI isolates them in worker processes and is the reference table.
"""
import pytest

from benchmarks.targets import DEVICES, FRAMEWORKS, Target, configure
from benchmarks.workloads import SUITES, select


def pytest_addoption(parser):
    group = parser.getgroup("minitorch_lite benchmarks")
    group.addoption("--bench-suite", default="default", choices=SUITES,
                    help="which suite of workloads to collect (default: default)")
    group.addoption("--bench-device", default="all", help="cpu, cuda or all (default: all)")
    group.addoption("--bench-threads", type=int, default=None,
                    help="CPU threads for torch and NumPy's BLAS (default: usable cores)")
    group.addoption("--bench-tf32", action="store_true", help="allow TF32 on the GPU")


def pytest_configure(config):
    import minitorch_lite as mt
    threads = config.getoption("--bench-threads") or mt.get_num_threads()
    configure(threads, tf32=config.getoption("--bench-tf32"))


def _selected(config, groups):
    suite = config.getoption("--bench-suite")
    device = config.getoption("--bench-device")
    devices = DEVICES if device == "all" else tuple(device.split(","))
    workloads = [w for w in select(suite) if w.group in groups and w.metric == "time"]
    targets = [Target(fw, dev) for dev in devices for fw in FRAMEWORKS]
    return [pytest.param(w, t, id=f"{w.name}:{w.size.replace(' ', '_')}:{t.label.replace(' ', '-')}",
                         marks=[pytest.mark.gpu] if t.device == "cuda" else [])
            for w in workloads for t in targets]


def pytest_generate_tests(metafunc):
    """Tests asking for (workload, target) get every pair of their module's BENCH_GROUPS."""
    if {"workload", "target"} <= set(metafunc.fixturenames):
        groups = getattr(metafunc.module, "BENCH_GROUPS")
        metafunc.parametrize(("workload", "target"), _selected(metafunc.config, groups))


@pytest.fixture
def run_workload(benchmark):
    """Benchmark one workload on one target with the CLI's method: warm-up and calibration from
    benchmarks.runner, then pytest-benchmark's rounds of `number` synchronised iterations."""
    from benchmarks.runner import calibrate
    from benchmarks.workloads import Unavailable

    def run(workload, target, dtype="float32", rounds=7):
        ok, why = target.available()
        if not ok:
            pytest.skip(why)
        try:
            step = workload.build(target, dtype)
        except (Unavailable, ImportError, AttributeError, NotImplementedError) as err:
            pytest.skip(f"n/a: {err}")
        benchmark.group = workload.id
        benchmark.extra_info.update(framework=target.framework, device=target.device, dtype=dtype)
        number = calibrate(step, target.sync, warmup=0.1)
        sync = target.sync

        def synchronised():
            step()
            sync()
        benchmark.pedantic(synchronised, rounds=rounds, iterations=number, warmup_rounds=0)
    return run
