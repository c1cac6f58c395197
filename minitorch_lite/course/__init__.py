"""The course's tasks (chapters 00-05 of "Learn PyTorch for Deep Learning") on minitorch_lite.

    >>> from minitorch_lite.course import ch01_workflow, compare_records
    >>> ours = ch01_workflow.train_model_0(epochs=10)
    >>> from reference import ch01_workflow as torch_ch01            # doctest: +SKIP
    >>> compare_records(torch_ch01.train_model_0(epochs=10), ours)   # doctest: +SKIP
    {'initial_weights': 0.0, 'initial_bias': 0.0, 'train_loss': 0.0, ...}

Each chapter module is the twin of the one in `reference/` (real PyTorch): the same function names
and signatures, the same code with `torch` spelled `mt`. A task returns a plain *results record*
(a dict of numbers, strings, lists and NumPy arrays), so a test, or a learner in a notebook, can
run a task in both frameworks and compare them with the two functions below.

  ch00_fundamentals     the tensor tour
  ch01_workflow         a straight line learned by hand-written and nn.Linear models
  ch02_classification   circles and blobs, BCEWithLogits and CrossEntropy, decision boundaries
  ch03_computer_vision  Fashion-MNIST with a linear model, an MLP and TinyVGG
  ch04_custom_datasets  pizza/steak/sushi photos in folders, a custom Dataset, augmentation
  going_modular/        chapter 05: ch04 as scripts (data_setup, engine, model_builder, utils,
                        train, predict, get_data), run with `python -m`

Chapters 04 and 05 are written so that each file differs from its `reference/` twin only where the
library is named (tests/test_twins.py checks it), so `diff` shows a learner exactly the swap.
"""
import numpy as np

__all__ = ["compare_records", "assert_records_match"]


def _is_numeric(value):
    array = np.asarray(value) if not isinstance(value, str) else None
    return array is not None and array.dtype.kind in "biuf"


def _difference(expected, actual):
    """max |expected - actual| for numbers and arrays; 0.0 or inf (equal or not) for anything else."""
    if _is_numeric(expected) and _is_numeric(actual):
        expected, actual = np.asarray(expected), np.asarray(actual)
        if expected.shape != actual.shape:
            return float("inf")
        if expected.size == 0:
            return 0.0
        return float(np.max(np.abs(expected.astype(np.float64) - actual.astype(np.float64))))
    return 0.0 if expected == actual else float("inf")


def _check_same_keys(expected, actual):
    if expected.keys() != actual.keys():
        raise KeyError(f"records have different keys: only in expected "
                       f"{sorted(expected.keys() - actual.keys())}, only in actual "
                       f"{sorted(actual.keys() - expected.keys())}")


def compare_records(expected, actual):
    """{key: max absolute difference} between two results records with the same keys.

    Strings, booleans and other non-numeric values count 0.0 when equal and inf when not.
    """
    _check_same_keys(expected, actual)
    return {key: _difference(expected[key], actual[key]) for key in expected}


def assert_records_match(expected, actual, rtol=1e-5, atol=1e-6, tolerances=None):
    """Assert two results records agree: floats within atol + rtol * |expected|; integers and
    booleans exactly; the same dtype kinds (float / int / bool) and shapes; everything else equal.

    `tolerances` maps a key to its own (rtol, atol) where a looser bound is justified.
    Every mismatching key is listed in the AssertionError, not only the first.
    """
    _check_same_keys(expected, actual)
    tolerances = tolerances or {}
    problems = []
    for key in expected:
        want, got = expected[key], actual[key]
        if _is_numeric(want) and _is_numeric(got):
            want, got = np.asarray(want), np.asarray(got)
            if want.shape != got.shape or want.dtype.kind != got.dtype.kind:
                problems.append(f"{key}: {want.dtype}{list(want.shape)} vs "
                                f"{got.dtype}{list(got.shape)}")
                continue
            if want.dtype.kind in "biu":  # counts, labels, flags: exact
                if not np.array_equal(want, got):
                    problems.append(f"{key}: {want!r} != {got!r}")
                continue
            key_rtol, key_atol = tolerances.get(key, (rtol, atol))
            if not np.allclose(got, want, rtol=key_rtol, atol=key_atol, equal_nan=True):
                problems.append(f"{key}: max |difference| {_difference(want, got):.3g} "
                                f"> atol {key_atol} + rtol {key_rtol}")
        elif want != got:
            problems.append(f"{key}: {want!r} != {got!r}")
    if problems:
        raise AssertionError("records differ:\n  " + "\n  ".join(problems))
