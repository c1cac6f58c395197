"""Chapter 03 (computer vision): Fashion-MNIST models train the same on minitorch_lite as on torch.

Both frameworks read the same IDX files (the offline synthetic stand-in, written here) and train
the same seeded models; the records are compared batch by batch. By default at reduced size (512
training and 256 test images, one epoch); the full-size run (60,000 / 10,000, three epochs) is
marked slow.
"""
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.figure
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.course import assert_records_match, ch03_computer_vision as ours
from minitorch_lite.vision import datasets
from reference import ch03_computer_vision as theirs

REPO = Path(__file__).resolve().parents[1]
N_TRAIN, N_TEST = 512, 256
BATCH = 32


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A small stand-in in torchvision's layout, read by both frameworks."""
    root = tmp_path_factory.mktemp("fashion_mnist")
    datasets.FashionMNIST.make_standin(root, n_train=N_TRAIN, n_test=N_TEST)
    return root


pytestmark = pytest.mark.usefixtures("torch_on_one_thread")  # tiny tensors: see conftest


def _tolerances(n_train_batches, n_test_batches):
    """The accuracies are means of per-batch percentages: one sample whose top two logits lie
    within float32 rounding of each other may take the other class, moving its batch by 100/32."""
    one_train, one_test = 100 / BATCH / n_train_batches, 100 / BATCH / n_test_batches
    return {"train_acc": (0, one_train + 1e-9), "test_acc": (0, one_test + 1e-9),
            "eval.model_acc": (0, one_test + 1e-9), "reloaded.model_acc": (0, one_test + 1e-9)}


def _without_timing(record):
    return {key: value for key, value in record.items() if key != "train_time_s"}


def test_both_read_the_same_data(root):
    expected_train, expected_test, expected_classes, expected_standin = theirs.load_data(root)
    train, test, classes, standin = ours.load_data(root)
    assert classes == expected_classes and standin is expected_standin is True
    assert (len(train), len(test)) == (N_TRAIN, N_TEST)
    assert np.array_equal(train.data.numpy(), expected_train.data.numpy())
    assert np.array_equal(test.targets.numpy(), expected_test.targets.numpy())
    assert str(train.targets.dtype) == str(expected_train.targets.dtype) == "torch.int64"
    for index in (0, 7, N_TEST - 1):
        (image, label), (expected_image, expected_label) = test[index], expected_test[index]
        assert label == expected_label and isinstance(label, int)
        assert image.shape == expected_image.shape and str(image.dtype) == "torch.float32"
        assert np.array_equal(image.numpy(), expected_image.numpy())  # ToTensor: x / 255
    with pytest.raises(IndexError):
        test[N_TEST]


def test_dataloaders_batch_like_torch(root):
    torch.manual_seed(42)
    mt.manual_seed(42)
    expected = theirs.make_dataloaders(*theirs.load_data(root)[:2])
    actual = ours.make_dataloaders(*ours.load_data(root)[:2])
    assert [len(loader) for loader in actual] == [len(loader) for loader in expected]
    (X, y), (expected_X, expected_y) = next(iter(actual[0])), next(iter(expected[0]))
    assert X.shape == expected_X.shape and str(y.dtype) == str(expected_y.dtype)
    assert np.array_equal(y.numpy(), expected_y.numpy())  # the same shuffle order


@pytest.mark.parametrize("section", ["layer_demos", "model_summaries"])
def test_section_matches_torch(section):
    # float32 convolution sums in another order: a few ulps
    assert_records_match(getattr(theirs, section)(), getattr(ours, section)(), rtol=1e-5,
                         atol=1e-5)


@pytest.mark.parametrize("name", ["v0", "v1", "v2"])
def test_training_matches_torch_batch_by_batch(root, tmp_path, device, name):
    expected = theirs.train_model(name, root=root, epochs=1, save_path=tmp_path / "torch.pth")
    actual = ours.train_model(name, root=root, epochs=1, device=device,
                              save_path=tmp_path / "mt.pth")
    assert actual["standin"] is True and actual["reloaded.isclose"] is True
    assert actual["reloaded.load_message"] == "<All keys matched successfully>"
    # 16 SGD steps: every batch loss, weight and prediction equal to float32 rounding.
    assert_records_match(_without_timing(expected), _without_timing(actual), rtol=1e-5,
                         atol=1e-5, tolerances=_tolerances(N_TRAIN // BATCH, N_TEST // BATCH))
    assert actual["confusion_matrix"].sum() == N_TEST


def test_plots_return_figures(root):
    train_data, test_data, class_names, _ = ours.load_data(root)
    assert isinstance(ours.plot_samples(train_data, class_names), matplotlib.figure.Figure)
    model = ours.make_model("v2")
    samples, labels = ours.random_test_samples(test_data)
    pred_classes = ours.make_predictions(model, samples).argmax(dim=1)
    figure = ours.plot_predictions_grid(samples, labels, pred_classes, class_names)
    assert len(figure.axes) == 9
    confmat = ours.confusion_matrix(pred_classes, mt.tensor(labels), len(class_names))
    assert len(ours.plot_confusion_matrix(confmat, class_names).axes[0].texts) == 100


def test_runs_as_a_module_and_says_it_uses_the_standin(root, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "minitorch_lite.course.ch03_computer_vision",
                             "--root", str(root), "--n-train", "64", "--n-test", "32",
                             "--epochs", "1", "--output-dir", str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("on synthetic STAND-IN data (64/32)") == 3
    assert (tmp_path / "03_confusion_matrix.png").stat().st_size > 0


@pytest.fixture(scope="module")
def full_root(tmp_path_factory):
    """The full-size stand-in (60,000 + 10,000 images), written once."""
    root = tmp_path_factory.mktemp("fashion_mnist_full")
    datasets.FashionMNIST.make_standin(root)
    return root


@pytest.mark.slow  # the whole chapter at full size in both frameworks: several minutes
@pytest.mark.parametrize("name", ["v0", "v1", "v2"])
def test_full_size_matches_torch(full_root, name):
    # TinyVGG at the course's lr 0.1 is at the edge of stability on the stand-in: whether it dies
    # in its second epoch (accuracy 10%) hinges on float32 rounding, so either framework's run can
    # land on either side (minitorch_lite's and PyTorch's on one thread die, PyTorch's on two
    # threads trains). Compared in the stable regime, lr 0.05, where both train to ~94%.
    lr = 0.05 if name == "v2" else 0.1
    expected = theirs.train_model(name, root=full_root, epochs=3, lr=lr)
    actual = ours.train_model(name, root=full_root, epochs=3, lr=lr)
    assert (actual["n_train"], actual["n_test"]) == (60000, 10000)
    assert len(actual["batch_losses"]) == len(expected["batch_losses"]) == 3 * 1875
    if name in ("v0", "v1"):
        # The linear models stay together to float32 rounding, every test prediction the same.
        # V0 for all 5,625 SGD steps (observed: batch losses within 7e-7). V1's ReLUs amplify
        # rounding late in training: its batch losses agree within 1e-5 up to step 4,583, then
        # drift to 2e-4 (weights 7e-5) by the end; in float64 all 5,625 steps agree to 1.3e-15
        # (test_mlp_late_drift_is_float32_rounding), so it is rounding, not another computation.
        # Hence V1's looser bounds on those keys, 5x the observed drift, after a tight prefix.
        tolerances = _tolerances(1875, 313)
        if name == "v1":
            np.testing.assert_allclose(actual["batch_losses"][:4500], expected["batch_losses"][:4500],
                                       rtol=1e-4, atol=1e-5)
            tolerances.update({key: (1e-3, 1e-3) for key in expected
                               if key == "batch_losses" or key.startswith("final.")})
        assert_records_match(_without_timing(expected), _without_timing(actual), rtol=1e-4,
                             atol=1e-5, tolerances=tolerances)
        return
    # TinyVGG: the two runs start equal to float32 rounding, but SGD on this network amplifies
    # rounding differences (in the convolution and matmul sums) by a few percent per step: the
    # batch losses drift apart by 1e-6 (relative) around batch 50 and by 1e-2 around batch 150,
    # as two PyTorch builds with different BLAS libraries would. After that they are two
    # trajectories of the same training, so the end results agree only statistically. The float64
    # test below shows the drift is rounding, not a difference in what is computed.
    np.testing.assert_allclose(actual["batch_losses"][:40], expected["batch_losses"][:40],
                               rtol=1e-4, atol=1e-5)
    assert abs(actual["eval.model_acc"] - expected["eval.model_acc"]) < 2.0
    assert actual["eval.model_loss"] == pytest.approx(expected["eval.model_loss"], rel=0.25)
    assert (actual["test_predictions"] == expected["test_predictions"]).mean() > 0.9


@pytest.mark.slow  # 200 TinyVGG steps in float64 in both frameworks: ~25 s
def test_tinyvgg_drift_is_float32_rounding(full_root):
    """In float64 the same 200 SGD steps of TinyVGG stay together (observed 2.6e-13 to 1.4e-10
    relative, depending on the data: the ~6% per step amplification turns float64's 1e-16 into
    up to ~1e-10), where in float32 they drift apart by 1e-2: the computation is the same, only
    its rounding differs. The bounds below leave that margin and are still 1e5 below float32's."""
    with _float64_defaults():
        expected = theirs.train_model("v2", root=full_root, n_train=6400, n_test=320, epochs=1)
        actual = ours.train_model("v2", root=full_root, n_train=6400, n_test=320, epochs=1)
    assert actual["final.block_1.0.weight"].dtype == np.float64
    np.testing.assert_allclose(actual["batch_losses"], expected["batch_losses"], rtol=1e-7,
                               atol=1e-8)
    assert_records_match(_without_timing(expected), _without_timing(actual), rtol=1e-7, atol=1e-8)


@pytest.mark.slow  # V1 for three full epochs in float64 in both frameworks: ~20 s
def test_mlp_late_drift_is_float32_rounding(full_root):
    """V1's float32 runs drift apart by 2e-4 in their last thousand steps; in float64 all 5,625
    steps agree (observed 1.3e-15): the same computation, rounded differently."""
    with _float64_defaults():
        expected = theirs.train_model("v1", root=full_root, epochs=3)
        actual = ours.train_model("v1", root=full_root, epochs=3)
    assert actual["final.layer_stack.1.weight"].dtype == np.float64
    assert_records_match(_without_timing(expected), _without_timing(actual), rtol=1e-10,
                         atol=1e-12, tolerances=_tolerances(1875, 313))


@contextlib.contextmanager
def _float64_defaults():
    """Both frameworks create float64 tensors and parameters inside the block."""
    torch_dtype, mt_dtype = torch.get_default_dtype(), mt.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    mt.set_default_dtype(mt.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(torch_dtype)
        mt.set_default_dtype(mt_dtype)
