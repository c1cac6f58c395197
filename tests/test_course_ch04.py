"""Chapter 04 (custom datasets): the same tasks on minitorch_lite and on torch + torchvision.

Both twins read the same JPEGs (the offline stand-in, written here small: 8 + 4 images per class
of 96-128 px) and train the same seeded TinyVGGs; records are compared epoch by epoch. The
course-size runs (225 + 75 images of 384-512 px, 5 epochs) are marked slow.
"""
import http.server
import threading
import zipfile

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
import requests
import torch
from PIL import Image

import minitorch_lite as mt
from minitorch_lite.course import assert_records_match, ch04_custom_datasets as ours
from minitorch_lite.vision import food_standin
from reference import ch04_custom_datasets as theirs

pytestmark = pytest.mark.usefixtures("torch_on_one_thread")  # small images: see conftest

PER_CLASS, SIZES = (8, 4), (96, 128)


@pytest.fixture(scope="module")
def image_path(tmp_path_factory):
    path, standin = ours.ensure_data(tmp_path_factory.mktemp("food"), per_class=PER_CLASS,
                                     size_range=SIZES)
    assert standin is True
    return path


@pytest.fixture(scope="module")
def custom_image(tmp_path_factory):
    return ours.ensure_custom_image(tmp_path_factory.mktemp("custom"), size=(300, 400))


def _without_timing(record):
    return {key: value for key, value in record.items() if key != "train_time_s"}


def _tolerances(record):
    # Adam divides each gradient by its running RMS, so a weight whose gradient is near zero
    # moves by up to lr (1e-3) in a direction float32 rounding can tip: after two epochs the final
    # weights agree to 3e-5 (observed <= 1e-5), 3% of one step, while every loss agrees to float32
    # rounding (longer runs drift further: see the course-size tests at the end).
    return {key: (0, 3e-5) for key in record if key.startswith("final.")}


# ---- the data: stand-in, getter, walking the folders -------------------------------------------

def test_standin_layout(image_path):
    assert sorted(p.name for p in image_path.iterdir()) == ["STANDIN.txt", "test", "train"]
    for split, n in (("train", PER_CLASS[0]), ("test", PER_CLASS[1])):
        for cls in food_standin.CLASSES:
            files = sorted((image_path / split / cls).iterdir())
            assert len(files) == n and all(f.suffix == ".jpg" for f in files)
            with Image.open(files[0]) as img:
                assert img.format == "JPEG" and img.mode == "RGB"
                assert all(SIZES[0] <= side <= SIZES[1] for side in img.size)
    assert "NOT the real photos" in (image_path / "STANDIN.txt").read_text()


def test_standin_is_deterministic_and_a_prefix(tmp_path, image_path):
    smaller = food_standin.write_pizza_steak_sushi_standin(tmp_path, per_class=(2, 1),
                                                           size_range=SIZES)
    for path in sorted(smaller.rglob("*.jpg")):
        assert path.read_bytes() == (image_path / path.relative_to(smaller)).read_bytes()


@pytest.mark.slow  # 300 JPEGs of 384-512 px: about 30 s
def test_standin_has_the_course_split_sizes(tmp_path):
    folder = food_standin.write_pizza_steak_sushi_standin(tmp_path)
    counts = {split: {cls: len(list((folder / split / cls).glob("*.jpg"))) for cls in food_standin.CLASSES}
              for split in ("train", "test")}
    assert counts == food_standin.SPLIT_SIZES == {"train": {"pizza": 78, "steak": 75, "sushi": 72},
                                                  "test": {"pizza": 25, "steak": 19, "sushi": 31}}
    sides = [side for path in folder.rglob("*.jpg") for side in Image.open(path).size]
    assert min(sides) >= 384 and max(sides) <= 512 and len(set(sides)) > 50


class _ZipServer:
    """A local HTTP server handing out one zip (and 404 for anything else); counts requests."""

    def __init__(self, payload):
        self.requests = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                found = self.path == "/pizza_steak_sushi.zip"
                self.send_response(200 if found else 404)
                self.end_headers()
                if found:
                    self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/pizza_steak_sushi.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def zip_server(tmp_path, image_path):
    """The course's zip layout (train/, test/ at the top), built from the small stand-in."""
    archive = tmp_path / "built.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(image_path.rglob("*.jpg")):
            zf.write(path, path.relative_to(image_path))
    server = _ZipServer(archive.read_bytes())
    yield server
    server.close()


@pytest.mark.parametrize("module", [theirs, ours], ids=["torch", "mt"])
def test_download_data_unzips_the_course_zip_and_skips_when_present(tmp_path, zip_server,
                                                                    image_path, module, capsys):
    data_path = tmp_path / "data"
    folder = module.download_data(data_path, url=zip_server.url)
    assert folder == data_path / "pizza_steak_sushi" and zip_server.requests == 1
    expected = sorted(p.relative_to(image_path) for p in image_path.rglob("*.jpg"))
    assert sorted(p.relative_to(folder) for p in folder.rglob("*.jpg")) == expected
    assert not (data_path / "pizza_steak_sushi.zip").exists()        # the zip is removed
    assert module.download_data(data_path, url=zip_server.url) == folder
    assert zip_server.requests == 1                                   # present: no download
    assert capsys.readouterr().out.splitlines() == [
        f"Did not find {folder} directory, creating one...", "Downloading pizza, steak, sushi data...",
        "Unzipping pizza, steak, sushi data...", f"{folder} directory exists."]
    with pytest.raises(requests.HTTPError, match="404"):
        module.download_data(tmp_path / "elsewhere", url=zip_server.url + ".missing")
    assert not (tmp_path / "elsewhere" / "pizza_steak_sushi").exists()   # nothing half-made left


def test_walk_random_image_and_its_plot(image_path, capsys):
    assert ours.walk_through_dir(image_path) == theirs.walk_through_dir(image_path)
    assert f"There are 2 directories and 1 images in '{image_path}'." in capsys.readouterr().out
    their_path, their_class, their_img = theirs.random_image(image_path)
    our_path, our_class, our_img = ours.random_image(image_path)
    assert (our_path, our_class, our_img.size) == (their_path, their_class, their_img.size)
    figure = ours.plot_image_and_array(our_img, our_class)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert f"Image shape: ({our_img.height}, {our_img.width}, 3)" in figure.axes[0].get_title()


# ---- transforms and datasets ---------------------------------------------------------------------

def test_transforms_match_torchvision(image_path):
    their_transforms, our_transforms = theirs.make_transforms(), ours.make_transforms()
    assert {k: repr(v) for k, v in our_transforms.items()} == {k: repr(v) for k, v in their_transforms.items()}
    paths = sorted(image_path.glob("train/*/*.jpg"))
    torch.manual_seed(42)
    mt.manual_seed(42)
    for name in ("data", "trivial", "test"):
        for path in paths[:6]:
            with Image.open(path) as img:
                np.testing.assert_array_equal(our_transforms[name](img).numpy(),
                                              their_transforms[name](img).numpy())
    figure = ours.plot_transformed_images(paths, our_transforms["data"], n=3, seed=42)
    assert len(figure.axes) == 6 and figure.axes[1].get_title() == "Transformed \nSize: (64, 64, 3)"


def test_image_folders_and_the_custom_dataset(image_path):
    transform, test_transform = ours.make_transforms()["simple"], ours.make_transforms()["test"]
    train_data, test_data = ours.load_image_folders(image_path / "train", image_path / "test",
                                                   transform, test_transform)
    their_train, _ = theirs.load_image_folders(image_path / "train", image_path / "test",
                                               theirs.make_transforms()["simple"],
                                               theirs.make_transforms()["test"])
    assert train_data.classes == their_train.classes == ["pizza", "steak", "sushi"]
    assert train_data.class_to_idx == their_train.class_to_idx
    assert train_data.samples == their_train.samples and repr(train_data) == repr(their_train)
    assert len(test_data) == 3 * PER_CLASS[1]
    custom = ours.ImageFolderCustom(image_path / "train", transform=transform)
    their_custom = theirs.ImageFolderCustom(image_path / "train", transform=theirs.make_transforms()["simple"])
    assert (len(custom), custom.classes, custom.class_to_idx) == (len(train_data), train_data.classes,
                                                                  train_data.class_to_idx)
    assert custom.paths == their_custom.paths
    for index in (0, 5, len(custom) - 1):
        (x, y), (their_x, their_y) = custom[index], their_custom[index]
        np.testing.assert_array_equal(x.numpy(), their_x.numpy())
        assert y == their_y == train_data.class_to_idx[custom.paths[index].parent.name]
    img, label = ours.ImageFolderCustom(image_path / "test")[0]
    assert isinstance(img, Image.Image) and isinstance(label, int)
    assert ours.find_classes(image_path / "train") == theirs.find_classes(image_path / "train")
    figure = ours.display_random_images(custom, custom.classes, n=5, seed=42)
    assert len(figure.axes) == 5 and figure.axes[0].get_title().startswith("class: ")


def test_find_classes_error_for_an_empty_folder(tmp_path):
    for module in (theirs, ours):
        with pytest.raises(FileNotFoundError, match=f"Couldn't find any classes in {tmp_path}."):
            module.find_classes(tmp_path)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_dataloaders_batch_like_torch(image_path, num_workers):
    """Shuffled, augmented batches: the same images, augmentations and labels, with torch's real
    worker processes and minitorch_lite's in-process emulation of them."""
    make = {"torch": theirs, "mt": ours}
    loaders = {}
    for key, module in make.items():
        transforms = module.make_transforms()
        train_data, test_data = module.load_image_folders(image_path / "train", image_path / "test",
                                                          transforms["trivial"], transforms["test"])
        loaders[key] = module.make_dataloaders(train_data, test_data, batch_size=5,
                                               num_workers=num_workers)
    assert [len(x) for x in loaders["mt"]] == [len(x) for x in loaders["torch"]] == [5, 3]
    torch.manual_seed(42)
    mt.manual_seed(42)
    for (X, y), (their_X, their_y) in zip(loaders["mt"][0], loaders["torch"][0]):
        np.testing.assert_array_equal(X.numpy(), their_X.numpy())
        assert y.tolist() == their_y.tolist() and str(y.dtype) == str(their_y.dtype)
    assert torch.rand(1).item() == mt.rand(1).item()


# ---- training ----------------------------------------------------------------------------------

def test_model_is_the_courses_tinyvgg():
    model, their_model = ours.make_model(), theirs.make_model()
    assert sum(p.numel() for p in model.parameters()) == 10693
    assert repr(model) == repr(their_model)
    for (key, value), (their_key, their_value) in zip(model.state_dict().items(),
                                                      their_model.state_dict().items()):
        assert key == their_key
        np.testing.assert_array_equal(value.numpy(), their_value.numpy())  # torch's exact init


@pytest.mark.parametrize("name", ["model_0", "model_1"])
def test_training_matches_torch(image_path, name, device):
    expected, _ = theirs.train_model(name, image_path, epochs=2, num_workers=0, progress=False)
    actual, model = ours.train_model(name, image_path, epochs=2, num_workers=0, device=device,
                                     progress=False)
    assert actual["standin"] is True and (actual["n_train"], actual["n_test"]) == (24, 12)
    assert next(model.parameters()).device.type == device
    # every epoch's loss and accuracy, the test probabilities and predictions
    assert_records_match(_without_timing(expected), _without_timing(actual), rtol=1e-5, atol=1e-6,
                         tolerances=_tolerances(expected))


def test_loss_curves_and_the_results_table(image_path):
    record_0, _ = ours.train_model("model_0", image_path, epochs=2, num_workers=0, progress=False)
    record_1, _ = ours.train_model("model_1", image_path, epochs=2, num_workers=0, progress=False)
    keys = ["train_loss", "train_acc", "test_loss", "test_acc"]
    figure = ours.plot_loss_curves({k: record_0[k] for k in keys})
    assert [axes.get_title() for axes in figure.axes] == ["Loss", "Accuracy"]
    df_0, df_1, figure = ours.compare_results({k: record_0[k] for k in keys},
                                              {k: record_1[k] for k in keys})
    assert isinstance(df_0, pd.DataFrame) and list(df_0.columns) == keys and len(df_1) == 2
    assert len(figure.axes) == 4


# ---- the custom image ----------------------------------------------------------------------------

def test_custom_image_prediction_and_the_courses_errors(custom_image, device):
    their_model, model = theirs.make_model(), ours.make_model(device=device)
    their_uint8, their_float = theirs.load_custom_image(custom_image)
    uint8, as_float = ours.load_custom_image(custom_image)
    assert (str(uint8.dtype), tuple(uint8.shape)) == (str(their_uint8.dtype), tuple(their_uint8.shape)) \
        == ("torch.uint8", (3, 400, 300))
    np.testing.assert_array_equal(as_float.numpy(), their_float.numpy())
    resize = ours.make_transforms()["test"].transforms[0]
    their_resize = theirs.make_transforms()["test"].transforms[0]
    figure, prediction = ours.pred_and_plot_image(model, custom_image, ["pizza", "steak", "sushi"],
                                                  resize, device=device)
    _, expected = theirs.pred_and_plot_image(their_model, custom_image, ["pizza", "steak", "sushi"],
                                             their_resize)
    assert prediction["image_shape"] == expected["image_shape"] == [1, 3, 64, 64]
    assert prediction["label"] == expected["label"] and prediction["title"] == expected["title"]
    # the resize runs in float32 (see test_vision_vs_torchvision): probabilities to ~1e-6
    np.testing.assert_allclose(prediction["probs"], expected["probs"], rtol=0, atol=1e-6)
    assert figure.axes[0].get_title() == prediction["title"]
    errors = ours.custom_image_errors(model, custom_image, device=device)
    assert errors == theirs.custom_image_errors(their_model, custom_image)
    assert errors["uint8"] == ("RuntimeError: Input type (unsigned char) and bias type (float) "
                               "should be the same")
    assert errors["unbatched"] == ("RuntimeError: mat1 and mat2 shapes cannot be multiplied "
                                   "(10x256 and 2560x3)")


# ---- the course-size runs --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def full_image_path(tmp_path_factory):
    path, _ = ours.ensure_data(tmp_path_factory.mktemp("food_full"))
    return path


@pytest.mark.slow  # both frameworks, 5 epochs of 225 + 75 photos each: about a minute
@pytest.mark.parametrize("name", ["model_0", "model_1"])
def test_course_size_training_ends_with_torchs_losses(full_image_path, name):
    expected, _ = theirs.train_model(name, full_image_path, epochs=5, num_workers=0, progress=False)
    actual, _ = ours.train_model(name, full_image_path, epochs=5, num_workers=0, progress=False)
    assert (actual["n_train"], actual["n_test"]) == (225, 75)
    # 40 Adam steps: weights whose gradient is ~0 take steps of up to lr whose sign float32
    # rounding picks, and later steps build on them, so the two float32 runs end with weights
    # up to 2e-2 apart (as two torch builds with different BLAS libraries would). The losses of
    # every epoch stay within 1e-3 (observed 3.3e-4) and the accuracies within one image per
    # batch; in float64 everything agrees to 1e-15 (next test): the same computation, rounded
    # differently.
    for key in ("train_loss", "test_loss"):
        np.testing.assert_allclose(actual[key], expected[key], rtol=1e-3)
    for key, batches in (("train_acc", 8), ("test_acc", 3)):
        np.testing.assert_allclose(actual[key], expected[key], rtol=0, atol=1 / 32 / batches + 1e-9)
    assert (actual["test_predictions"] == expected["test_predictions"]).mean() > 0.95


@pytest.mark.slow  # both frameworks in float64, 5 epochs each: about three minutes
@pytest.mark.parametrize("name", ["model_0", "model_1"])
def test_course_size_training_in_float64_is_the_same_computation(full_image_path, name):
    torch_dtype, mt_dtype = torch.get_default_dtype(), mt.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    mt.set_default_dtype(mt.float64)
    try:
        expected, _ = theirs.train_model(name, full_image_path, epochs=5, num_workers=0,
                                         progress=False)
        actual, _ = ours.train_model(name, full_image_path, epochs=5, num_workers=0,
                                     progress=False)
    finally:
        torch.set_default_dtype(torch_dtype)
        mt.set_default_dtype(mt_dtype)
    assert actual["final.classifier.1.weight"].dtype == np.float64
    # observed: every loss, weight and probability within 3e-16
    assert_records_match(_without_timing(expected), _without_timing(actual), rtol=1e-10,
                         atol=1e-12)
