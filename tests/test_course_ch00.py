"""Chapter 00 (tensor fundamentals): the tour on minitorch_lite gives what PyTorch gives.

Each section of `reference/ch00_fundamentals.py` (torch) and `minitorch_lite/course/
ch00_fundamentals.py` (minitorch_lite) returns a results record; the values, dtypes, shapes, reprs
and error messages are compared key by key, all computed here by running both.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.course import assert_records_match, ch00_fundamentals as ours
from reference import ch00_fundamentals as theirs

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ["creation", "dtypes", "devices", "arithmetic", "matmul_rules", "aggregation",
            "reshaping", "indexing", "numpy_bridge", "reproducibility"]


@pytest.mark.parametrize("section", SECTIONS)
def test_section_matches_torch(section):
    torch.manual_seed(0)
    mt.manual_seed(0)
    # Exact but for float results of matmul/addmm, whose summation order may differ by one ulp.
    assert_records_match(getattr(theirs, section)(), getattr(ours, section)(), rtol=1e-6, atol=1e-6)


def test_tensor_tour_matches_torch():
    expected, actual = theirs.tensor_tour(), ours.tensor_tour()
    assert_records_match(expected, actual, rtol=1e-6, atol=1e-6)
    assert actual["matmul.error"] == ("RuntimeError: mat1 and mat2 shapes cannot be multiplied "
                                      "(3x2 and 3x2)")


def test_seeded_draws_are_torch_draws():
    record = ours.reproducibility(seed=42)
    torch.manual_seed(42)
    assert (record["C"] == torch.rand(3, 4).numpy()).all()
    assert (record["C"] == record["D"]).all()


def test_device_report_describes_this_machine():
    report = ours.device_report()
    assert report.keys() == theirs.device_report().keys()
    assert report["cuda_available"] == mt.cuda.is_available()
    assert report["mps_available"] is False
    assert report["device"] == ("cuda" if mt.cuda.is_available() else "cpu")
    assert report["back_on_cpu"].tolist() == [1, 2, 3]


def test_runs_as_a_module():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "minitorch_lite.course.ch00_fundamentals"],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)" in result.stdout
