"""`python -m benchmarks`: minitorch_lite vs PyTorch, on the CPU and (when present) the GPU.

    $ python -m benchmarks                   # default suite, every available device (< 3 min on 2 cores)
    $ python -m benchmarks --quick           # a smoke run (< 30 s)
    $ python -m benchmarks --full            # the whole matrix (10^3..10^8 elements, matmul to 4096, ...)
    $ python -m benchmarks --filter matmul --repeat 20 --threads 1
    $ python -m benchmarks --compare benchmark-results/results.json --out new-results
    $ python -m benchmarks --write-readme    # regenerate the table in benchmarks/README.md

Prints the table and writes results.json, results.md, results.txt and PNG plots to --out.
"""
import argparse
import json
import os
import signal
import sys
import time

from . import report
from .targets import DEVICES, FRAMEWORKS, Target
from .workloads import select

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md")
SUITE_DEFAULTS = {"quick": {"repeat": 5, "max_time": 0.05, "warmup": 0.03},
                  "default": {"repeat": 10, "max_time": 0.4, "warmup": 0.1},
                  "full": {"repeat": 20, "max_time": 2.0, "warmup": 0.5}}
FRAMEWORK_ALIASES = {"mt": "minitorch_lite", "minitorch_lite": "minitorch_lite", "torch": "torch"}


def _list_arg(text, choices, aliases=None):
    if text in (None, "all"):
        return list(choices)
    items = [(aliases or {}).get(t.strip(), t.strip()) for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in choices]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown {bad}; choose from {', '.join(choices)} or 'all'")
    return items


def parse_args(argv):
    import minitorch_lite as mt
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small smoke suite (< 30 s)")
    size.add_argument("--full", action="store_true", help="the whole workload matrix (long)")
    p.add_argument("--device", default="all", help="cpu, cuda or all (comma-separated; default all available)")
    p.add_argument("--framework", default="all", help="mt, torch or all (default all)")
    p.add_argument("--filter", default=None, help="substring or regular expression on workload ids")
    p.add_argument("--repeat", type=int, default=None, help="timed samples per cell (default per suite)")
    p.add_argument("--max-time", type=float, default=None,
                   help="seconds of sampling per cell before stopping early (at least 3 samples)")
    p.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per cell (default per suite)")
    p.add_argument("--budget", type=float, default=None,
                   help="seconds after which no new workload starts (the rest are reported n/a)")
    p.add_argument("--threads", type=int, default=mt.get_num_threads(),
                   help="CPU threads for torch AND NumPy's BLAS (default: usable cores, %(default)s)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--tf32", action="store_true", help="allow TF32 matmuls on the GPU (off by default)")
    p.add_argument("--out", default="benchmark-results", help="output directory (default %(default)s)")
    p.add_argument("--compare", metavar="OLD.json", help="show the change against an earlier results.json")
    p.add_argument("--write-readme", action="store_true",
                   help="insert the table into benchmarks/README.md (CPU or GPU section)")
    p.add_argument("--readme-from", metavar="RESULTS.json",
                   help="insert a saved run into benchmarks/README.md and exit (nothing is measured)")
    p.add_argument("--list", action="store_true", help="list the selected workloads and exit")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    args.suite = "quick" if args.quick else "full" if args.full else "default"
    try:
        args.devices = _list_arg(args.device, DEVICES)
        args.frameworks = _list_arg(args.framework, FRAMEWORKS, FRAMEWORK_ALIASES)
    except argparse.ArgumentTypeError as err:
        p.error(str(err))
    if args.threads < 1:
        p.error("--threads must be at least 1")
    for key, value in SUITE_DEFAULTS[args.suite].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def _gpu_note(targets):
    missing = [f"{t.label}: {t.available()[1]}" for t in targets if t.device == "cuda" and not t.available()[0]]
    if not missing:
        return None
    return ("No GPU columns: " + "; ".join(missing)
            + ". GPU numbers come from benchmarks/gpu_check.sh on a GPU machine.")


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM (e.g. from `timeout`) stops the run like Ctrl-C: results are still written


def main(argv=None):
    signal.signal(signal.SIGTERM, _interrupt)
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.readme_from:
        with open(args.readme_from) as f:
            section = report.insert_into_readme(json.load(f), README)
        print(f"inserted {args.readme_from} into the {section.upper()} section of {README}")
        return 0

    workloads = select(args.suite, args.filter)
    if args.list:
        for w in workloads:
            print(f"{w.group:12} {w.id}")
        return 0
    if not workloads:
        print(f"no workload of the {args.suite} suite matches {args.filter!r}", file=sys.stderr)
        return 2

    from .machine import BackgroundLoad, describe
    from .suite import run_suite

    targets = [Target(fw, dev) for dev in args.devices for fw in args.frameworks]
    if not any(t.available()[0] for t in targets):
        print("nothing to run: " + "; ".join(f"{t.label}: {t.available()[1]}" for t in targets), file=sys.stderr)
        return 2
    probe = BackgroundLoad()
    time.sleep(0.5)
    busy = probe.stop()["background_cores"]
    if busy > 0.25:
        print(f"warning: other processes are using {busy:.1f} of {probe.cores} cores right now. Multithreaded "
              "code (torch's ops, BLAS) stalls when its threads wait for busy cores, so its timings will be "
              "slow and noisy; wait for a quiet machine, or compare at --threads 1.", file=sys.stderr)
    notes = [n for n in [_gpu_note(targets)] if n]
    started = time.perf_counter()
    load = BackgroundLoad()
    rows, worker_info = run_suite(workloads, targets, threads=args.threads, dtype=args.dtype, repeat=args.repeat,
                     max_time=args.max_time, warmup=args.warmup, tf32=args.tf32,
                     progress=not args.no_progress, budget=args.budget)
    load = load.stop()
    if load["background_cores"] > 0.25:
        notes.append(f"Other processes kept {load['background_cores']:.2f} of {load['usable_cores']} cores "
                     "busy during this run: timings (multithreaded ones most) are slower and noisier "
                     "than on a quiet machine.")
    run = {
        "machine": dict(describe(worker_info), background_load=load),
        "settings": {"suite": args.suite, "dtype": args.dtype, "threads": args.threads, "tf32": args.tf32,
                     "repeat": args.repeat, "max_time": args.max_time, "warmup": args.warmup,
                     "filter": args.filter,
                     "command": "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)},
        "targets": [{"key": t.key, "label": t.label, "available": t.available()[0],
                     "reason": t.available()[1]} for t in targets],
        "notes": notes,
        "rows": rows,
        "elapsed_s": time.perf_counter() - started,
    }
    run["settings"]["command"] = run["settings"]["command"].strip()
    report.check_results(run)

    compare_rows = old = None
    if args.compare:
        with open(args.compare) as f:
            old = json.load(f)
        compare_rows = report.compare(run, old)
    paths = report.write_outputs(run, args.out, compare_rows, old)
    print(report.render_text(run))
    if compare_rows is not None:
        print()
        print(report.render_compare_text(compare_rows, old))
    print(f"\n{len(rows)} workloads in {run['elapsed_s']:.0f} s; wrote " + ", ".join(paths))
    if args.write_readme:
        section = report.insert_into_readme(run, README)
        print(f"updated the {section.upper()} table in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
