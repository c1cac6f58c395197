"""Chapter 01 (the workflow): the straight-line models train the same on minitorch_lite as on torch.

Both frameworks run the same seeded task here (`reference/` is torch, `minitorch_lite/course/` is
ours); the records are compared epoch by epoch. Nothing is compared against stored numbers.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.figure
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.course import assert_records_match, ch01_workflow as ours
from reference import ch01_workflow as theirs

REPO = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


pytestmark = pytest.mark.usefixtures("torch_on_one_thread")  # tiny tensors: see conftest


def test_data_is_identical():
    for expected, actual in zip(theirs.make_line_data(), ours.make_line_data()):
        assert expected.shape == actual.shape and str(expected.dtype) == str(actual.dtype)
        assert np.array_equal(expected.numpy(), actual.numpy())


def test_model_0_starts_at_torch_values():
    expected, actual = theirs.train_model_0(epochs=1), ours.train_model_0(epochs=1)
    assert actual["initial_weights"] == expected["initial_weights"]  # 0.3367
    assert actual["initial_bias"] == expected["initial_bias"]  # 0.1288


@pytest.mark.parametrize("task, epochs", [("train_model_0", 100), ("train_model_1", 1000)])
def test_training_matches_torch_epoch_by_epoch(task, epochs):
    expected = getattr(theirs, task)(epochs=epochs)
    actual = getattr(ours, task)(epochs=epochs)
    assert len(actual["train_loss"]) == epochs
    # float32 rounding: the L1 mean may sum in another order (observed: one ulp, ~3e-8).
    assert_records_match(expected, actual, rtol=1e-5, atol=1e-7)


def test_model_reprs_match_torch():
    assert_records_match(theirs.model_reprs(), ours.model_reprs())


@pytest.mark.parametrize("model", ["LinearRegressionModel", "LinearRegressionModelV2"])
def test_save_and_reload(tmp_path, model):
    expected = theirs.save_and_reload(getattr(theirs, model), tmp_path / "torch" / "model.pth")
    actual = ours.save_and_reload(getattr(ours, model), tmp_path / "mt" / "model.pth")
    assert actual["all_equal"] and actual["load_message"] == "<All keys matched successfully>"
    assert_records_match(expected, actual, rtol=1e-5, atol=1e-7)


def test_plots_return_figures():
    data = ours.make_line_data()
    record = ours.train_model_0(epochs=20)
    figure = ours.plot_predictions(*data, predictions=record["test_predictions"])
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(figure.axes[0].collections) == 3  # train, test and predictions scatters
    # matplotlib takes minitorch_lite tensors directly, as it takes torch's
    figure = ours.plot_predictions(*data, predictions=ours.predict(ours.LinearRegressionModel(),
                                                                   data[2]))
    assert figure.axes[0].collections[2].get_offsets().shape == (10, 2)
    figure = ours.plot_loss_curves(record["train_loss"], record["test_loss"], every=5)
    assert [len(line.get_xdata()) for line in figure.axes[0].lines] == [4, 4]


def _run_main(module, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True,
                            env=env, cwd=cwd, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow  # two fresh interpreters, one importing torch: ~15-40 s depending on the machine
def test_chapter_prints_what_torch_prints(tmp_path):
    """`python -m` on both sides: the same log lines, numbers equal to float32 rounding."""
    (tmp_path / "torch").mkdir()
    (tmp_path / "mt").mkdir()
    expected = _run_main("reference.ch01_workflow", tmp_path / "torch").splitlines()
    actual = _run_main("minitorch_lite.course.ch01_workflow", tmp_path / "mt").splitlines()
    assert len(actual) == len(expected)
    for want, got in zip(expected, actual):
        assert NUMBER.sub("#", got) == NUMBER.sub("#", want)
        np.testing.assert_allclose([float(x) for x in NUMBER.findall(got)],
                                   [float(x) for x in NUMBER.findall(want)], rtol=1e-5, atol=1e-7)
    assert "Epoch: 0 | MAE Train Loss: 0.3128813" in "\n".join(actual)
    saved = sorted(p.name for p in (tmp_path / "mt" / "models").iterdir())
    assert saved == ["01_pytorch_workflow_LinearRegressionModel.pth",
                     "01_pytorch_workflow_LinearRegressionModelV2.pth"]
    assert (tmp_path / "mt" / "01_loss_curves_model_0.png").stat().st_size > 0
    # what mt.save wrote reads back with mt.load (PyTorch's .pth format, read without running code)
    state = mt.load(tmp_path / "mt" / "models" / saved[1])
    assert list(state) == ["linear_layer.weight", "linear_layer.bias"]


def test_reads_a_pytorch_checkpoint(tmp_path):
    """A .pth written by torch.save loads into the minitorch_lite model and predicts the same."""
    torch.manual_seed(42)
    torch_model = theirs.LinearRegressionModelV2()
    torch.save(torch_model.state_dict(), tmp_path / "model.pth")
    model = ours.LinearRegressionModelV2()
    assert str(model.load_state_dict(mt.load(tmp_path / "model.pth"))) == \
        "<All keys matched successfully>"
    X_test = ours.make_line_data()[2]
    expected = theirs.predict(torch_model, theirs.make_line_data()[2]).numpy()
    assert np.array_equal(ours.predict(model, X_test).numpy(), expected)
