#!/usr/bin/env bash
# GPU check: on a fresh GPU machine (CuPy, torch, pytest, pytest-benchmark already installed),
# run the GPU tests and the GPU benchmarks in under 5 minutes and write the results to OUTDIR:
#   device.txt        GPU name, driver, CUDA/CuPy/torch versions
#   gpu-tests.txt     pytest output of `pytest tests -m gpu`; gpu-tests.xml (JUnit) with the counts
#   bench/            python -m benchmarks on every device: results.{txt,md,json}, PNG plots
#   summary.md        device, pass/fail counts and the benchmark table, ready to paste
# Usage: benchmarks/gpu_check.sh OUTDIR        (any working directory; runs from the repo root)
# Budget: TEST_TIMEOUT (default 100 s) + BENCH_BUDGET (default 120 s: no workload starts after it)
# + the workload running then; BENCH_TIMEOUT (default 170 s) is the hard stop (on its SIGTERM the
# benchmark abandons the running cell and still writes its results).
set -u
OUT="${1:?usage: benchmarks/gpu_check.sh OUTDIR}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
rm -rf "$OUT/gpu-tests.xml" "$OUT/gpu-tests.txt" "$OUT/bench" "$OUT/bench.txt" "$OUT/summary.md"
cd "$(dirname "$0")/.."
TEST_TIMEOUT="${TEST_TIMEOUT:-100}"
BENCH_BUDGET="${BENCH_BUDGET:-120}"
BENCH_TIMEOUT="${BENCH_TIMEOUT:-170}"
started=$(date +%s)

# 1. The device, as the drivers and both frameworks see it.
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 || echo "nvidia-smi failed"
  python - <<'EOF'
import torch
print("torch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available(),
      "device:", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
try:
    import cupy
    print("cupy", cupy.__version__, "devices:", cupy.cuda.runtime.getDeviceCount(),
          "runtime:", cupy.cuda.runtime.runtimeGetVersion())
except Exception as err:
    print("cupy unavailable:", type(err).__name__, err)
from minitorch_lite.backend import cuda_backend
print("minitorch_lite cuda_backend.is_available():", cuda_backend.is_available())
EOF
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

# 2. The GPU tests: every device-parametrised test's cuda case is marked `gpu`.
timeout "$TEST_TIMEOUT" python -m pytest tests -m gpu -q -p no:cacheprovider \
  --junitxml "$OUT/gpu-tests.xml" > "$OUT/gpu-tests.txt" 2>&1
test_rc=$?
tail -n 15 "$OUT/gpu-tests.txt"

# 3. The benchmarks on every device (GPU columns, CPU columns for the speed-up), bounded in time.
timeout "$BENCH_TIMEOUT" python -m benchmarks --no-progress --budget "$BENCH_BUDGET" --max-time 0.25 --warmup 0.1 \
  --out "$OUT/bench" > "$OUT/bench.txt" 2>&1
bench_rc=$?
tail -n 5 "$OUT/bench.txt"

# 4. One summary with the counts and the table.
python - "$OUT" "$test_rc" "$bench_rc" "$started" <<'EOF'
import os, sys, time, xml.etree.ElementTree as ET
out, test_rc, bench_rc, started = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
lines = ["# GPU check", "", "## Device", "", "```", open(os.path.join(out, "device.txt")).read().strip(), "```", ""]
counts = "no JUnit report (pytest did not finish: exit code %d)" % test_rc
xml = os.path.join(out, "gpu-tests.xml")
if os.path.exists(xml):
    suite = ET.parse(xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total, fail, err, skip = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    counts = (f"{total - fail - err - skip} passed, {fail} failed, {err} errors, {skip} skipped "
              f"(pytest exit code {test_rc}{', timed out' if test_rc == 124 else ''})")
lines += ["## GPU tests (`pytest tests -m gpu`)", "", counts, ""]
md = os.path.join(out, "bench", "results.md")
lines += ["## Benchmarks (`python -m benchmarks`)", ""]
if os.path.exists(md):
    lines += [open(md).read()]
else:
    lines += ["no results (exit code %d%s); see bench.txt" % (bench_rc, ", timed out" if bench_rc == 124 else "")]
lines += ["", f"total time {time.time() - started:.0f} s"]
open(os.path.join(out, "summary.md"), "w").write("\n".join(lines) + "\n")
print(counts)
EOF
echo "results in $OUT (summary.md); total $(( $(date +%s) - started )) s"
