"""pytest-benchmark: the micro workloads (elementwise, reductions, matmul, conv2d, autograd overhead).

    $ pytest benchmarks/test_micro.py --bench-suite quick
"""
BENCH_GROUPS = ("elementwise", "reduction", "matmul", "conv2d", "autograd", "optim")


def test_micro(workload, target, run_workload):
    run_workload(workload, target)
