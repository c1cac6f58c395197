"""pytest-benchmark: the course models' training steps and single-image inference.

    $ pytest benchmarks/test_models.py --bench-suite quick
"""
BENCH_GROUPS = ("train", "inference")


def test_model(workload, target, run_workload):
    run_workload(workload, target)
