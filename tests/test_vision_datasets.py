"""vision.datasets (IDX parsing, FashionMNIST/MNIST, ImageFolder), the offline stand-in, and vision.io.

Where torchvision's behaviour is the spec (file layout, reprs, item types, error cases) the
expectations below are written from its source (tests/test_vision_vs_torchvision.py compares with
the real torchvision), and IDX files are also produced by an independent writer in this file.
"""
import gzip
import os
import struct
import time

import numpy as np
import pytest
from PIL import Image

import minitorch_lite as mt
from minitorch_lite.utils.data import DataLoader
from minitorch_lite.vision import datasets, io, standin, transforms
from minitorch_lite.vision.datasets.idx import read_idx, write_idx

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]
SPLIT_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte"]


def tiny_idx_bytes(array):
    """An independent IDX writer (struct, not the package's): header, big-endian sizes, data."""
    codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D,
             np.float64: 0x0E}
    header = struct.pack(">BBBB", 0, 0, codes[array.dtype.type], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_raw(root, name, files, compress=False):
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    for fname, array in files.items():
        payload = tiny_idx_bytes(array)
        if compress:
            fname, payload = fname + ".gz", gzip.compress(payload)
        with open(os.path.join(raw, fname), "wb") as f:
            f.write(payload)
    return raw


def small_split_files(rng, n_train=12, n_test=5):
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


@pytest.fixture(scope="module")
def standin_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fmnist")
    datasets.FashionMNIST.make_standin(str(root), n_train=600, n_test=200, seed=0)
    return str(root)


# ---- IDX ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, rng, dtype, suffix):
    array = (rng.standard_normal((4, 3, 5)) * 100).astype(dtype)
    path = str(tmp_path / f"a-idx3{suffix}")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    raw = open(path, "rb").read()
    assert (gzip.decompress(raw) if suffix else raw) == tiny_idx_bytes(array)


def test_idx_reads_independent_writer(tmp_path, rng):
    array = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    (tmp_path / "x").write_bytes(tiny_idx_bytes(array))
    (tmp_path / "y.gz").write_bytes(gzip.compress(tiny_idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(str(tmp_path / "x")), array)
    np.testing.assert_array_equal(read_idx(str(tmp_path / "y.gz")), array)
    labels = np.arange(300, dtype=np.int32) - 150          # multi-byte: big-endian on disk
    (tmp_path / "l").write_bytes(tiny_idx_bytes(labels))
    np.testing.assert_array_equal(read_idx(str(tmp_path / "l")), labels)


GOOD = tiny_idx_bytes(np.zeros((2, 3, 3), np.uint8))


@pytest.mark.parametrize("payload, message", [
    (b"", "too short"),
    (b"\x00\x00", "too short"),
    (b"\x01\x00\x08\x03" + GOOD[4:], "bad IDX magic"),
    (b"\x00\x00\x07\x03" + GOOD[4:], "bad IDX magic"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (GOOD[:10], "truncated IDX header"),
    (GOOD[:-1], "truncated"),
    (GOOD + b"\x00", "trailing bytes"),
], ids=["empty", "short", "magic", "type", "ndim0", "header", "data", "trailing"])
def test_idx_corrupt_files(tmp_path, payload, message):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(payload)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(str(path))
    assert str(path) in str(info.value)


def test_idx_corrupt_gzip(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(GOOD)[:-6])
    with pytest.raises(ValueError, match="gzip"):
        read_idx(str(path))


def test_idx_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match="int64"):
        write_idx(str(tmp_path / "x"), np.zeros(3, np.int64))


# ---- FashionMNIST / MNIST -----------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_fashion_mnist_reads_independently_written_files(tmp_path, rng, compress):
    files = small_split_files(rng)
    write_raw(str(tmp_path), "FashionMNIST", files, compress=compress)
    for train, split in ((True, "train"), (False, "t10k")):
        ds = datasets.FashionMNIST(str(tmp_path), train=train)
        images, labels = files[f"{split}-images-idx3-ubyte"], files[f"{split}-labels-idx1-ubyte"]
        assert isinstance(ds.data, mt.Tensor) and ds.data.dtype == mt.uint8
        assert tuple(ds.data.shape) == images.shape
        assert ds.targets.dtype == mt.int64 and tuple(ds.targets.shape) == labels.shape
        np.testing.assert_array_equal(ds.data.numpy(), images)
        np.testing.assert_array_equal(ds.targets.numpy(), labels.astype(np.int64))
        assert len(ds) == len(labels)


def test_mnist_shares_the_loader(tmp_path, rng):
    files = small_split_files(rng)
    write_raw(str(tmp_path), "MNIST", files)
    ds = datasets.MNIST(str(tmp_path), train=False)
    np.testing.assert_array_equal(ds.data.numpy(), files["t10k-images-idx3-ubyte"])
    assert ds.classes[0] == "0 - zero" and ds.class_to_idx["9 - nine"] == 9


def test_items_are_pil_images_and_ints(tmp_path, rng):
    files = small_split_files(rng)
    write_raw(str(tmp_path), "FashionMNIST", files)
    ds = datasets.FashionMNIST(str(tmp_path), train=True)
    img, label = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert type(label) is int and label == files["train-labels-idx1-ubyte"][3]
    np.testing.assert_array_equal(np.asarray(img), files["train-images-idx3-ubyte"][3])
    last_img, last_label = ds[-1]
    assert last_label == files["train-labels-idx1-ubyte"][-1]


def test_items_with_transforms(tmp_path, rng):
    files = small_split_files(rng)
    write_raw(str(tmp_path), "FashionMNIST", files)
    ds = datasets.FashionMNIST(str(tmp_path), train=True, transform=transforms.ToTensor(),
                               target_transform=lambda y: y + 100)
    x, y = ds[5]
    assert x.dtype == mt.float32 and tuple(x.shape) == (1, 28, 28)
    expected = files["train-images-idx3-ubyte"][5].astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(x.numpy()[0], expected)
    assert y == files["train-labels-idx1-ubyte"][5] + 100


def test_index_past_the_end_and_list(tmp_path, rng):
    files = small_split_files(rng)
    write_raw(str(tmp_path), "FashionMNIST", files)
    ds = datasets.FashionMNIST(str(tmp_path), train=False)
    with pytest.raises(IndexError):
        ds[len(ds)]
    assert len(list(ds)) == len(ds)    # iteration by __getitem__ stops at the IndexError


def test_classes_and_repr(standin_root):
    ds = datasets.FashionMNIST(standin_root, train=True, transform=transforms.ToTensor())
    assert ds.classes == FASHION_CLASSES
    assert ds.class_to_idx == {name: i for i, name in enumerate(FASHION_CLASSES)}
    assert repr(ds) == ("Dataset FashionMNIST\n    Number of datapoints: 600\n"
                        f"    Root location: {standin_root}\n    Split: Train\n"
                        "    StandardTransform\nTransform: ToTensor()")
    test = datasets.FashionMNIST(standin_root, train=False)
    assert repr(test) == ("Dataset FashionMNIST\n    Number of datapoints: 200\n"
                          f"    Root location: {standin_root}\n    Split: Test")


def test_missing_files_error_without_download(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        datasets.FashionMNIST(str(tmp_path))


def test_download_is_offline_and_says_where_files_go(tmp_path, rng, monkeypatch):
    import socket
    def no_network(*args, **kwargs):
        raise AssertionError("tried to use the network")
    monkeypatch.setattr(socket, "socket", no_network)
    with pytest.raises(RuntimeError) as info:
        datasets.FashionMNIST(str(tmp_path), download=True)
    message = str(info.value)
    assert "offline" in message
    assert os.path.abspath(os.path.join(str(tmp_path), "FashionMNIST", "raw")) in message
    for name in SPLIT_FILES:
        assert name in message
    assert "make_standin" in message
    # with the files in place, download=True just uses them
    write_raw(str(tmp_path), "FashionMNIST", small_split_files(rng))
    assert len(datasets.FashionMNIST(str(tmp_path), download=True)) == 12


def test_download_error_names_only_missing_files(tmp_path, rng):
    files = small_split_files(rng)
    del files["t10k-labels-idx1-ubyte"]
    write_raw(str(tmp_path), "FashionMNIST", files)
    with pytest.raises(RuntimeError) as info:
        datasets.FashionMNIST(str(tmp_path), train=True, download=True)
    assert "t10k-labels-idx1-ubyte" in str(info.value)
    assert "train-images-idx3-ubyte" not in str(info.value)


def test_mismatched_images_and_labels(tmp_path, rng):
    files = small_split_files(rng)
    files["train-labels-idx1-ubyte"] = files["train-labels-idx1-ubyte"][:-1]
    write_raw(str(tmp_path), "FashionMNIST", files)
    with pytest.raises(ValueError, match="11 labels"):
        datasets.FashionMNIST(str(tmp_path))


def test_dataloader_batches(standin_root):
    ds = datasets.FashionMNIST(standin_root, train=True, transform=transforms.ToTensor())
    loader = DataLoader(ds, batch_size=32, shuffle=True)
    assert len(loader) == (600 + 31) // 32
    images, labels = next(iter(loader))
    assert tuple(images.shape) == (32, 1, 28, 28) and images.dtype == mt.float32
    assert tuple(labels.shape) == (32,) and labels.dtype == mt.int64


# ---- the stand-in -------------------------------------------------------------------------------

def test_standin_layout_and_note(standin_root):
    raw = os.path.join(standin_root, "FashionMNIST", "raw")
    assert set(SPLIT_FILES) <= set(os.listdir(raw))
    note = open(os.path.join(raw, standin.STANDIN_NOTE)).read()
    assert "NOT THE REAL FASHION-MNIST" in note and "Ankle boot" in note
    assert standin.is_standin(standin_root)


def test_standin_is_deterministic_and_seeded():
    a_images, a_labels = standin.make_fashion_mnist_standin(300, seed=5)
    b_images, b_labels = standin.make_fashion_mnist_standin(300, seed=5)
    c_images, _ = standin.make_fashion_mnist_standin(300, seed=6)
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_labels, b_labels)
    assert not np.array_equal(a_images, c_images)


def test_standin_shapes_balance_and_content(standin_root):
    train = datasets.FashionMNIST(standin_root, train=True)
    data, targets = train.data.numpy(), train.targets.numpy()
    assert data.dtype == np.uint8 and data.shape == (600, 28, 28)
    np.testing.assert_array_equal(np.bincount(targets, minlength=10), np.full(10, 60))
    assert (data[:, :3, :3] == 0).mean() > 0.9         # black background, like Fashion-MNIST
    assert 20 < data.mean() < 90 and data.max() > 200


def test_standin_gz_matches_plain(tmp_path, standin_root):
    datasets.FashionMNIST.make_standin(str(tmp_path), n_train=600, n_test=200, seed=0, compress=True)
    assert os.path.exists(tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte.gz")
    gz, plain = datasets.FashionMNIST(str(tmp_path)), datasets.FashionMNIST(standin_root)
    np.testing.assert_array_equal(gz.data.numpy(), plain.data.numpy())


def test_standin_is_learnable_but_not_trivial():
    """Nearest class-mean on raw pixels: clearly better than chance, clearly short of perfect."""
    train_x, train_y = standin.make_fashion_mnist_standin(3000, seed=[1, 0])
    test_x, test_y = standin.make_fashion_mnist_standin(1000, seed=[1, 1])
    train_x, test_x = train_x.reshape(3000, -1) / 255.0, test_x.reshape(1000, -1) / 255.0
    means = np.stack([train_x[train_y == c].mean(0) for c in range(10)])
    pred = ((test_x[:, None, :] - means[None]) ** 2).sum(-1).argmin(1)
    accuracy = (pred == test_y).mean()
    assert 0.45 < accuracy < 0.9, accuracy


@pytest.mark.slow
def test_standin_full_size():
    start = time.perf_counter()
    images, labels = standin.make_fashion_mnist_standin(60000, seed=[0, 0])
    elapsed = time.perf_counter() - start
    assert images.shape == (60000, 28, 28) and labels.shape == (60000,)
    assert elapsed < 120, f"full-size stand-in took {elapsed:.1f} s"


# ---- ImageFolder ----------------------------------------------------------------------------------

@pytest.fixture
def image_tree(tmp_path, rng):
    """root/{pizza,steak,sushi}/ with JPEGs, PNGs, a nested folder and a non-image file."""
    root = tmp_path / "train"
    layout = {"pizza": ["b.jpg", "a.jpeg", "c.PNG"], "steak": ["z.png", "deep/y.jpg"],
              "sushi": ["m.jpg", "notes.txt"]}
    for cls, names in layout.items():
        for name in names:
            path = root / cls / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".txt"):
                path.write_text("not an image")
            else:
                pixels = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
                fmt = "PNG" if name.lower().endswith(".png") else "JPEG"
                Image.fromarray(pixels).save(path, format=fmt)
    (root / "README.md").write_text("a file at the top level is not a class")
    return str(root)


def test_image_folder_classes_and_samples(image_tree):
    ds = datasets.ImageFolder(image_tree)
    assert ds.classes == ["pizza", "steak", "sushi"]
    assert ds.class_to_idx == {"pizza": 0, "steak": 1, "sushi": 2}
    expected = [(os.path.join(image_tree, "pizza", "a.jpeg"), 0),
                (os.path.join(image_tree, "pizza", "b.jpg"), 0),
                (os.path.join(image_tree, "pizza", "c.PNG"), 0),
                (os.path.join(image_tree, "steak", "z.png"), 1),
                (os.path.join(image_tree, "steak", "deep", "y.jpg"), 1),
                (os.path.join(image_tree, "sushi", "m.jpg"), 2)]
    assert ds.samples == expected and ds.imgs == expected
    assert ds.targets == [0, 0, 0, 1, 1, 2]
    assert len(ds) == 6
    img, label = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (16, 12) and label == 1


def test_image_folder_transforms_and_repr(image_tree):
    transform = transforms.Compose([transforms.Resize((64, 64)), transforms.RandomHorizontalFlip(p=0.5),
                                    transforms.ToTensor()])
    ds = datasets.ImageFolder(image_tree, transform=transform, target_transform=None)
    x, y = ds[0]
    assert tuple(x.shape) == (3, 64, 64) and x.dtype == mt.float32 and y == 0
    assert repr(ds) == (
        "Dataset ImageFolder\n"
        "    Number of datapoints: 6\n"
        f"    Root location: {image_tree}\n"
        "    StandardTransform\n"
        "Transform: Compose(\n"
        "               Resize(size=(64, 64), interpolation=bilinear, max_size=None, antialias=True)\n"
        "               RandomHorizontalFlip(p=0.5)\n"
        "               ToTensor()\n"
        "           )")


def test_image_folder_is_valid_file_and_errors(image_tree, tmp_path):
    ds = datasets.ImageFolder(image_tree, is_valid_file=lambda p: p.endswith(".jpg"),
                              allow_empty=True)
    assert [os.path.basename(p) for p, _ in ds.samples] == ["b.jpg", "y.jpg", "m.jpg"]
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes pizza"):
        datasets.ImageFolder(image_tree, is_valid_file=lambda p: "steak" in p or "sushi" in p)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / "empty"))


def test_image_folder_with_dataloader(image_tree):
    ds = datasets.ImageFolder(image_tree, transform=transforms.Compose(
        [transforms.Resize((8, 8)), transforms.ToTensor()]))
    images, labels = next(iter(DataLoader(ds, batch_size=4, shuffle=False)))
    assert tuple(images.shape) == (4, 3, 8, 8) and labels.tolist() == [0, 0, 0, 1]


# ---- io -----------------------------------------------------------------------------------------

@pytest.fixture
def png_rgb(tmp_path, rng):
    pixels = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    path = tmp_path / "rgb.png"
    Image.fromarray(pixels).save(path)
    return str(path), pixels


def test_read_image_png(png_rgb):
    path, pixels = png_rgb
    img = io.read_image(path)
    assert img.dtype == mt.uint8 and tuple(img.shape) == (3, 20, 30)
    np.testing.assert_array_equal(img.numpy(), pixels.transpose(2, 0, 1))
    gray = io.read_image(path, io.ImageReadMode.GRAY)
    expected_gray = np.asarray(Image.fromarray(pixels).convert("L"))
    np.testing.assert_array_equal(gray.numpy()[0], expected_gray)
    rgba = io.read_image(path, mode="RGB_ALPHA")
    assert tuple(rgba.shape) == (4, 20, 30) and (rgba.numpy()[3] == 255).all()


def test_read_image_jpeg_matches_pillow(tmp_path, rng):
    pixels = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    path = str(tmp_path / "x.jpg")
    Image.fromarray(pixels).save(path, quality=90)
    img = io.read_image(path)
    np.testing.assert_array_equal(img.numpy(), np.asarray(Image.open(path)).transpose(2, 0, 1))
    assert tuple(io.read_image(path, io.ImageReadMode.GRAY).shape) == (1, 24, 32)


def test_unchanged_keeps_channels(tmp_path, rng):
    for mode, channels in (("L", 1), ("LA", 2), ("RGBA", 4)):
        path = str(tmp_path / f"{mode}.png")
        Image.new(mode, (5, 4)).save(path)
        assert tuple(io.read_image(path).shape) == (channels, 4, 5)
    palette = Image.new("P", (5, 4))
    palette.putpalette([0, 0, 0, 255, 0, 0] * 128)
    palette.save(tmp_path / "p.png")
    assert tuple(io.read_image(str(tmp_path / "p.png")).shape) == (3, 4, 5)


def test_decode_image_from_bytes_and_write(tmp_path, png_rgb):
    path, pixels = png_rgb
    data = io.read_file(path)
    assert data.dtype == mt.uint8 and data.ndim == 1
    np.testing.assert_array_equal(io.decode_image(data).numpy(), pixels.transpose(2, 0, 1))
    out = str(tmp_path / "out.png")
    io.write_png(mt.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1))), out)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), pixels)
    io.write_jpeg(io.read_image(path), str(tmp_path / "out.jpg"), quality=95)
    assert tuple(io.read_image(str(tmp_path / "out.jpg")).shape) == (3, 20, 30)
    with pytest.raises(RuntimeError, match="uint8"):
        io.encode_png(mt.zeros(3, 4, 4))
