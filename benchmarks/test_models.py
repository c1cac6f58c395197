"""pytest-benchmark: the course models' training steps, single-image inference and the chapter-03 epoch.

    $ pytest benchmarks/test_models.py --bench-suite quick
"""
BENCH_GROUPS = ("train", "inference", "epoch")


def test_model(workload, target, run_workload):
    run_workload(workload, target, rounds=3 if workload.group == "epoch" else 7)
