"""Chapter 05 (going modular): the scripts run in both frameworks and agree.

`minitorch_lite.course.going_modular` and `reference.going_modular` (torch + torchvision) train on
the same small stand-in (8 + 4 images per class, 96-128 px) for one epoch; their histories and
the predictions of the saved models are compared, and each framework loads the other's
`.safetensors` checkpoint (and minitorch_lite reads torch's `.pth`).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.course import ch04_custom_datasets
from minitorch_lite.course.going_modular import (data_setup, engine, model_builder, predict, train,
                                                 utils)
from minitorch_lite.vision.models import TinyVGG as LibraryTinyVGG
from reference.going_modular import model_builder as their_model_builder
from reference.going_modular import predict as their_predict
from reference.going_modular import train as their_train
from reference.going_modular import utils as their_utils

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.usefixtures("torch_on_one_thread"),  # small images: see conftest
              # data_setup asks for pinned memory as the course does; both warn without a GPU
              pytest.mark.filterwarnings("ignore:'pin_memory' argument is set as true")]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("going_modular")
    image_path, _ = ch04_custom_datasets.ensure_data(root, per_class=(8, 4), size_range=(96, 128))
    custom = ch04_custom_datasets.ensure_custom_image(root, size=(300, 400))
    return image_path, custom


def _train_args(image_path, model_path, history, *extra):
    return ["--train-dir", str(image_path / "train"), "--test-dir", str(image_path / "test"),
            "--epochs", "1", "--batch-size", "8", "--num-workers", "0", "--model-path",
            str(model_path), "--history", str(history), "--no-progress", *extra]


def _assert_same_history(expected, actual):
    # Adam's first steps move weights with near-zero gradients by up to lr in a direction float32
    # rounding can tip (see test_course_ch04), so the second half of an epoch sees weights equal
    # to ~1e-5: losses agree to 1e-4 relative (observed 1e-5), accuracies exactly here.
    for key in ("train_loss", "test_loss"):
        np.testing.assert_allclose(actual[key], expected[key], rtol=1e-4)
    for key in ("train_acc", "test_acc"):
        np.testing.assert_allclose(actual[key], expected[key], rtol=0, atol=1e-12)
    assert actual["class_names"] == expected["class_names"] == ["pizza", "steak", "sushi"]


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory):
    """Both twins' train.py, in process, one epoch: {framework: (history, model path)}."""
    image_path, _ = data
    out = tmp_path_factory.mktemp("models")
    runs = {}
    for key, module in (("torch", their_train), ("mt", train)):
        model_path, history = out / f"{key}.safetensors", out / f"{key}.json"
        module.main(_train_args(image_path, model_path, history))
        runs[key] = json.loads(history.read_text()), model_path
    return runs


def test_model_builder_is_the_courses_tinyvgg():
    _ = torch.manual_seed(42), mt.manual_seed(42)
    theirs, ours = their_model_builder.TinyVGG(3, 10, 3), model_builder.TinyVGG(3, 10, 3)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters()) == 8083
    assert repr(ours) == repr(theirs)
    mt.manual_seed(42)
    library = LibraryTinyVGG(3, 10, 3, padding=0)   # minitorch_lite.vision.models' own TinyVGG
    for (key, value), (their_key, their_value), (lib_key, lib_value) in zip(
            ours.state_dict().items(), theirs.state_dict().items(), library.state_dict().items()):
        assert key == their_key == lib_key
        np.testing.assert_array_equal(value.numpy(), their_value.numpy())
        np.testing.assert_array_equal(lib_value.numpy(), their_value.numpy())
    assert model_builder.side_after_blocks(64, 0) == 13 and model_builder.side_after_blocks(64, 1) == 16
    with pytest.raises(ValueError, match="needs images larger than 12x12"):
        model_builder.TinyVGG(3, 10, 3, image_size=12)


def test_training_histories_match(trained):
    _assert_same_history(trained["torch"][0], trained["mt"][0])


def test_each_loads_the_others_safetensors_checkpoint(data, trained, capsys):
    _, custom = data
    results = {}
    for model_key, (_, model_path) in trained.items():
        for framework, module in (("torch", their_predict), ("mt", predict)):
            results[model_key, framework] = module.predict_on_image(custom, model_path)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.startswith("[INFO] Pred class: ") for line in lines)
    for model_key in ("torch", "mt"):
        label, probs = results[model_key, "mt"]
        their_label, their_probs = results[model_key, "torch"]
        assert label == their_label          # the same model read by both: the same prediction
        np.testing.assert_allclose(probs, their_probs, rtol=0, atol=1e-6)  # float32 resize
    np.testing.assert_allclose(results["mt", "mt"][1], results["torch", "torch"][1], rtol=0, atol=1e-4)


def test_minitorch_lite_reads_torchs_pth(data, trained, tmp_path):
    _, custom = data
    state_dict = their_utils.load_state_dict_file(trained["torch"][1])
    model = their_model_builder.TinyVGG(3, 10, 3)
    model.load_state_dict(state_dict)
    path = their_utils.save_model(model, tmp_path, "torch_model.pth")
    assert path.read_bytes()[:2] == b"PK"          # torch's zip format
    label, probs = predict.predict_on_image(custom, path)
    their_label, their_probs = their_predict.predict_on_image(custom, path)
    assert label == their_label
    np.testing.assert_allclose(probs, their_probs, rtol=0, atol=1e-6)


def test_clear_errors(data, tmp_path):
    image_path, custom = data
    for module in (data_setup,):
        with pytest.raises(FileNotFoundError, match="the training folder 'missing' does not exist"):
            module.create_dataloaders("missing", image_path / "test", None, 8, num_workers=0)
    with pytest.raises(ValueError, match="model_name should end with '.pt', '.pth' or '.safetensors'"):
        utils.save_model(model_builder.TinyVGG(3, 10, 3), tmp_path, "model.bin")
    with pytest.raises(FileNotFoundError, match="no model file at"):
        predict.load_model(tmp_path / "none.safetensors", 3)
    utils.save_model(mt.nn.Linear(2, 3), tmp_path, "linear.safetensors")
    with pytest.raises(ValueError, match="does not hold a TinyVGG state_dict"):
        predict.load_model(tmp_path / "linear.safetensors", 3)
    path = utils.save_model(model_builder.TinyVGG(3, 10, 3), tmp_path, "three.safetensors")
    with pytest.raises(ValueError, match="does not fit a TinyVGG with 10 hidden units and 2 classes"):
        predict.load_model(path, 2)
    with pytest.raises(SystemExit):
        train.parse_args(["--epochs", "0"])


def test_engine_on_device(data, device):
    """engine.train on the device: the same history as on the CPU, the model left there."""
    image_path, _ = data
    transform = ch04_custom_datasets.make_transforms()["simple"]
    histories = {}
    for where in ("cpu", device):
        train_dataloader, test_dataloader, class_names = data_setup.create_dataloaders(
            image_path / "train", image_path / "test", transform, batch_size=8, num_workers=0)
        mt.manual_seed(42)
        model = model_builder.TinyVGG(3, 10, len(class_names))
        optimizer = mt.optim.Adam(model.parameters(), lr=0.001)
        histories[where] = engine.train(model, train_dataloader, test_dataloader, optimizer,
                                        mt.nn.CrossEntropyLoss(), epochs=1, device=where,
                                        progress=False)
        assert next(model.parameters()).device.type == where
    for key in histories["cpu"]:
        np.testing.assert_allclose(histories[device][key], histories["cpu"][key], rtol=1e-5)


def test_train_and_predict_scripts_on_device(data, trained, tmp_path, device):
    """train.py --device and predict_on_image(device=...): the CPU run's history and prediction."""
    image_path, custom = data
    history = train.main(_train_args(image_path, tmp_path / "model.safetensors",
                                     tmp_path / "history.json", "--device", device))
    _assert_same_history(trained["mt"][0], history | {"class_names": ["pizza", "steak", "sushi"]})
    label, probs = predict.predict_on_image(custom, trained["mt"][1], device=device)
    cpu_label, cpu_probs = predict.predict_on_image(custom, trained["mt"][1])
    assert label == cpu_label
    np.testing.assert_allclose(probs, cpu_probs, rtol=0, atol=1e-6)


def _run(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)


def test_scripts_run_as_modules(data, tmp_path):
    """`python -m ...going_modular.train` with a tqdm bar, then torch's predict.py on the result."""
    image_path, custom = data
    args = _train_args(image_path, tmp_path / "model.safetensors", tmp_path / "h.json")
    args.remove("--no-progress")
    result = _run(["-m", "minitorch_lite.course.going_modular.train", *args], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Epoch: 1 | train_loss: ")
    assert f"[INFO] Saving model to: {tmp_path / 'model.safetensors'}" in result.stdout
    assert "100%|" in result.stderr and "1/1" in result.stderr          # the tqdm bar
    result = _run(["-m", "reference.going_modular.predict", "--image", str(custom), "--model",
                   str(tmp_path / "model.safetensors")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("[INFO] Pred class: ")
    result = _run(["-m", "minitorch_lite.course.going_modular.predict", "--image", str(custom),
                   "--model", str(tmp_path / "missing.pth")], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: no model file at '{tmp_path / 'missing.pth'}' (train one "
                                     "with `python -m minitorch_lite.course.going_modular.train`)")
