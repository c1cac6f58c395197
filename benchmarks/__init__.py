"""Benchmarks: minitorch_lite against PyTorch, on the CPU and the GPU, with one set of workloads.

    $ python -m benchmarks --quick
    $ pytest benchmarks/ --benchmark-group-by=group

`workloads` defines each workload once for any framework with torch's API; `targets` wraps a
framework on a device; `runner` times them; `report` prints and saves the results; `machine`
records what they were measured on. benchmarks/README.md explains the method.
"""
