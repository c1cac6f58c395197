"""Smoke test of `python -m benchmarks` on a tiny filter: it runs, measures both frameworks, and
writes the table, JSON, Markdown and plots; `--compare` and the README insertion work.

    $ python -m pytest -q tests/test_benchmarks_cli.py
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(*args):
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--no-progress", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


# An earlier run, as --compare reads it: one cell 1 s slower than anything measured now.
OLD_RUN = {"machine": {"date": "2020-01-01", "commit": "old", "cpu_model": "?"},
           "rows": [{"id": "add[1e3]", "metric": "time", "cells": {"minitorch_lite:cpu": {
               "status": "ok", "median": 1.0, "q1": 0.9, "q3": 1.1}}}]}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    old = out / "old.json"
    old.write_text(json.dumps(OLD_RUN))
    stdout = _run("--quick", "--filter", r"^(add|sum)\[1e3\]$", "--repeat", "3", "--max-time", "0.02",
                  "--warmup", "0", "--device", "cpu", "--out", str(out), "--compare", str(old))
    return out, stdout


def test_measures_both_frameworks(first_run):
    out, stdout = first_run
    run = json.loads((out / "results.json").read_text())
    assert [row["id"] for row in run["rows"]] == ["add[1e3]", "sum[1e3]"]
    for row in run["rows"]:
        for key in ("minitorch_lite:cpu", "torch:cpu"):
            cell = row["cells"][key]
            assert cell["status"] == "ok", cell
            assert 0 < cell["min"] <= cell["q1"] <= cell["median"] <= cell["q3"] <= cell["max"]
            assert cell["samples"] >= 3 and cell["rate"][1] == "GB/s"
        assert row["check"]["cpu"]["agree"]  # both frameworks computed the same result
    assert run["settings"]["threads"] >= 1 and run["machine"]["cpu_count"] >= 1
    assert "mt/torch cpu" in stdout and "2 agree, 0 differ" in stdout


def test_writes_markdown_and_plots(first_run):
    out, _ = first_run
    markdown = (out / "results.md").read_text()
    assert "| workload | size | mt cpu | torch cpu | mt/torch cpu |" in markdown
    assert (out / "ratio_bars.png").stat().st_size > 0
    assert (out / "time_vs_size.png").exists() is False  # one size per op: no curve to draw


def test_compare_with_an_earlier_run(first_run):
    out, stdout = first_run
    assert "new/old" in stdout and "Change vs 2020-01-01" in (out / "results.md").read_text()
    line = next(ln for ln in stdout.splitlines() if ln.startswith("add") and "mt cpu" in ln)
    assert "faster" in line  # microseconds now vs 1 s then, beyond both spreads


def test_different_results_are_flagged(first_run):
    from benchmarks import report
    out, _ = first_run
    run = json.loads((out / "results.json").read_text())
    fingerprint = run["rows"][0]["cells"]["torch:cpu"]["fingerprint"]
    fingerprint["sum"] += 0.01 * fingerprint["abs_sum"]  # as if torch had computed something else
    report.check_results(run)
    assert not run["rows"][0]["check"]["cpu"]["agree"] and run["rows"][1]["check"]["cpu"]["agree"]
    text = report.render_text(run)
    assert "1 agree, 1 differ" in text and "returned different results" in text


def test_readme_insertion(first_run, tmp_path):
    from benchmarks import report
    out, _ = first_run
    readme = tmp_path / "README.md"
    start, end = report.README_MARKERS["cpu"]
    readme.write_text(f"intro\n{start}\nold table\n{end}\noutro\n")
    section = report.insert_into_readme(json.loads((out / "results.json").read_text()), str(readme))
    text = readme.read_text()
    assert section == "cpu" and "old table" not in text
    assert text.startswith("intro\n") and text.endswith("outro\n") and "| add | 1e3 |" in text


def test_gpu_columns_dry_run_on_the_cupy_stand_in(tmp_path):
    """MINITORCH_LITE_FAKE_CUDA=1 fills minitorch_lite's cuda column from tests/fake_cupy.py: the GPU
    columns (speed-up, GB/s, the crossover plot) render without a GPU, the run says so, and such a
    run is refused by --readme-from (its "GPU" numbers are CPU numbers)."""
    env = dict(os.environ, MINITORCH_LITE_FAKE_CUDA="1")
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--no-progress", "--quick", "--filter",
                             r"^(add|sum)\[1e(3|6)\]$", "--repeat", "3", "--max-time", "0.02", "--warmup", "0",
                             "--framework", "mt", "--out", str(tmp_path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    run = json.loads((tmp_path / "results.json").read_text())
    assert all(row["cells"]["minitorch_lite:cuda"]["status"] == "ok" for row in run["rows"])
    assert run["machine"]["workers"]["minitorch_lite:cuda"]["fake_cuda"] is True
    assert "GPU speed-up mt" in result.stdout and "fake CUDA device" in result.stdout
    assert (tmp_path / "time_vs_size.png").stat().st_size > 0
    refused = subprocess.run([sys.executable, "-m", "benchmarks", "--readme-from", str(tmp_path / "results.json")],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "fake_cupy stand-in" in refused.stderr
