"""minitorch_lite.vision against the real torchvision 0.28: same seed, same input, same output.

torchvision is imported through `reference._torchvision` (its compiled extension does not load
beside torch's CPU build; everything used here is written in Python). Equality is exact wherever
torchvision's result is integer data or Pillow's output (PIL transforms, crops, flips, uint8
conversions, TrivialAugmentWide's operations and random draws, ImageFolder's listings). Tensor
resizing goes through float32 arithmetic whose last bits depend on which of torch's compiled
kernels runs (chosen by output size, thread count and the CPU's vector instructions), so float
results are compared to float32 tolerance and integer results may move by one grey level where the
float32 value sits on a .5 boundary (each bound below says how often, as measured).
"""
import os

import numpy as np
import pytest
import torch
from PIL import Image

import minitorch_lite as mt
from minitorch_lite.utils.data import DataLoader
from minitorch_lite.vision import datasets as mt_datasets
from minitorch_lite.vision import transforms as MT
from minitorch_lite.vision.transforms import autoaugment as mt_autoaugment
from minitorch_lite.vision.transforms import functional as MF
from minitorch_lite.vision.transforms._presets import ImageClassification as MTImageClassification
from reference._torchvision import datasets as tv_datasets
from reference._torchvision import torchvision
from reference._torchvision import transforms as TT

from torchvision.transforms import autoaugment as tv_autoaugment  # noqa: E402  (loaded by _torchvision)
from torchvision.transforms import functional as TF  # noqa: E402

pytestmark = pytest.mark.usefixtures("torch_on_one_thread")  # small images: see conftest

MODES = ["NEAREST", "NEAREST_EXACT", "BILINEAR", "BICUBIC"]


@pytest.fixture
def rgb(rng):
    return Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8))


def as_array(img):
    """A PIL image or a tensor of either framework as a NumPy array."""
    if isinstance(img, Image.Image):
        return np.asarray(img)
    return img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else img.cpu().numpy()


def same_image(theirs, ours):
    """Exactly the same pixels, dtype and (for tensors) shape; PIL images also the same mode."""
    if isinstance(theirs, Image.Image):
        assert isinstance(ours, Image.Image) and ours.mode == theirs.mode and ours.size == theirs.size
    else:
        assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(as_array(ours), as_array(theirs))


def pair(array):
    """The same array as a torch tensor and a minitorch_lite tensor."""
    return torch.from_numpy(array.copy()), mt.from_numpy(array.copy())


# ---- Resize ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(64, 64), (20, 31), 24, 80, [30], (37, 10)])
@pytest.mark.parametrize("mode", MODES + ["BOX", "HAMMING", "LANCZOS"])
def test_resize_pil_is_identical(rgb, size, mode):
    for image in (rgb, rgb.convert("L")):
        theirs = TT.Resize(size, interpolation=getattr(TT.InterpolationMode, mode))(image)
        ours = MT.Resize(size, interpolation=getattr(MT.InterpolationMode, mode))(image)
        same_image(theirs, ours)


def test_resize_pil_antialias_false_warns_like_torchvision(rgb):
    for resize in (TT.Resize((20, 20), antialias=False), MT.Resize((20, 20), antialias=False)):
        with pytest.warns(UserWarning, match="Anti-alias option is always applied for PIL Image"):
            resize(rgb)


def _resize_pair(array, size, mode, antialias):
    theirs_in, ours_in = pair(array)
    theirs = TT.Resize(size, getattr(TT.InterpolationMode, mode), antialias=antialias)(theirs_in)
    ours = MT.Resize(size, getattr(MT.InterpolationMode, mode), antialias=antialias)(ours_in)
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    return theirs.numpy(), ours.numpy()


SIZES = [(64, 64), (20, 31), 24, (80, 117), (37, 10), (150, 90)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_float_tensor(rng, size, mode, antialias):
    for dtype, atol in (("float32", 2.5e-7), ("float64", 1e-13)):
        x = rng.random((3, 37, 53)).astype(dtype)
        theirs, ours = _resize_pair(x, size, mode, antialias)
        if mode.startswith("NEAREST"):
            np.testing.assert_array_equal(ours, theirs)
        else:
            # torch's kernels round differently among themselves (fused multiply-adds, a channels-
            # last path for outputs with H + W <= 128); measured |diff| <= 1.2e-7 in float32.
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_uint8_tensor(rng, mode, antialias):
    """torchvision resizes integer images in float32, then rounds (and clamps bicubic)."""
    differing, total = 0, 0
    for size in SIZES:
        for shape in ((3, 37, 53), (2, 3, 37, 53), (1, 45, 33)):
            x = rng.integers(0, 256, shape, dtype=np.uint8)
            theirs, ours = _resize_pair(x, size, mode, antialias)
            diff = np.abs(ours.astype(int) - theirs.astype(int))
            assert diff.max() <= 1
            differing, total = differing + int((diff > 0).sum()), total + diff.size
    # measured on one thread: 4 (bilinear, antialiased) and 9 (bilinear) of these 287,572 pixels
    # differ by one grey level, none for nearest and bicubic; the bound is 1 in 10,000
    assert differing <= total * 1e-4


def test_resize_tensor_batched_and_int_size(rng):
    x = rng.random((2, 3, 30, 40)).astype(np.float32)
    theirs, ours = _resize_pair(x, 15, "BILINEAR", True)
    assert ours.shape == (2, 3, 15, 20)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=2.5e-7)


def test_resize_max_size_and_errors(rgb):
    same_image(TT.Resize(20, max_size=24)(rgb), MT.Resize(20, max_size=24)(rgb))
    for bad in (lambda R: R((20, 20), max_size=30)(rgb), lambda R: R(20, max_size=10)(rgb),
                lambda R: R((1, 2, 3))):
        with pytest.raises(ValueError) as theirs:
            bad(TT.Resize)
        with pytest.raises(ValueError) as ours:
            bad(MT.Resize)
        assert str(ours.value) == str(theirs.value)


def test_resize_repr():
    for args in [((64, 64),), (224,), (256, TT.InterpolationMode.BICUBIC)]:
        ours_args = args[:1] + tuple(MT.InterpolationMode(a.value) for a in args[1:])
        assert repr(MT.Resize(*ours_args)) == repr(TT.Resize(*args))


# ---- CenterCrop, RandomHorizontalFlip -------------------------------------------------------------

@pytest.mark.parametrize("size", [10, (20, 31), (37, 53), (40, 60), (41, 50), [7]])
def test_center_crop(rgb, size):
    same_image(TT.CenterCrop(size)(rgb), MT.CenterCrop(size)(rgb))
    theirs_in, ours_in = pair(np.asarray(rgb).transpose(2, 0, 1))
    same_image(TT.CenterCrop(size)(theirs_in), MT.CenterCrop(size)(ours_in))
    assert repr(MT.CenterCrop(size)) == repr(TT.CenterCrop(size))


@pytest.mark.parametrize("p", [0.5, 0.0, 1.0, 0.3])
def test_random_horizontal_flip_draws_like_torchvision(rgb, p):
    theirs_in, ours_in = pair(np.asarray(rgb).transpose(2, 0, 1))
    torch.manual_seed(7)
    mt.manual_seed(7)
    for _ in range(40):
        same_image(TT.RandomHorizontalFlip(p=p)(rgb), MT.RandomHorizontalFlip(p=p)(rgb))
        same_image(TT.RandomHorizontalFlip(p=p)(theirs_in), MT.RandomHorizontalFlip(p=p)(ours_in))
    assert torch.rand(1).item() == mt.rand(1).item()   # the generators moved in step
    assert repr(MT.RandomHorizontalFlip(p=p)) == repr(TT.RandomHorizontalFlip(p=p))


# ---- TrivialAugmentWide --------------------------------------------------------------------------

@pytest.mark.parametrize("num_bins", [31, 10])
def test_trivial_augment_space_is_torchvisions(num_bins):
    theirs = TT.TrivialAugmentWide(num_magnitude_bins=num_bins)._augmentation_space(num_bins)
    ours = MT.TrivialAugmentWide(num_magnitude_bins=num_bins)._augmentation_space(num_bins)
    assert list(ours) == list(theirs)    # the op is drawn by its index: the order matters
    for name, (magnitudes, signed) in theirs.items():
        assert ours[name][1] == signed
        if magnitudes.ndim == 0:
            assert ours[name][0] is None
        else:
            np.testing.assert_array_equal(np.asarray(ours[name][0]), magnitudes.numpy())


def _all_op_calls(num_bins=31):
    """(op name, signed magnitude) for every op, every magnitude bin and both signs."""
    calls = []
    for name, (magnitudes, signed) in TT.TrivialAugmentWide()._augmentation_space(num_bins).items():
        for magnitude in (magnitudes.tolist() if magnitudes.ndim > 0 else [0.0]):
            for sign in ((1.0, -1.0) if signed else (1.0,)):
                calls.append((name, float(magnitude) * sign))
    return calls


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("interpolation, fill", [("NEAREST", None), ("BILINEAR", 128),
                                                 ("NEAREST", [10, 20, 30])])
def test_trivial_augment_every_op_and_bin(rgb, mode, interpolation, fill):
    if mode == "L" and isinstance(fill, list):
        fill = [10]
    image = rgb.convert(mode)
    calls = _all_op_calls()
    assert len(calls) == 1 + 9 * 31 * 2 + 31 + 31 + 2    # 14 ops, 31 bins, signs where signed
    for name, magnitude in calls:
        theirs = tv_autoaugment._apply_op(image, name, magnitude,
                                          interpolation=getattr(TT.InterpolationMode, interpolation),
                                          fill=fill)
        ours = mt_autoaugment._apply_op(image, name, magnitude,
                                        interpolation=getattr(MT.InterpolationMode, interpolation),
                                        fill=fill)
        same_image(theirs, ours)


@pytest.mark.parametrize("seed", [0, 42])
def test_trivial_augment_draws_like_torchvision(rgb, seed):
    """Same seed: the same op, bin and sign for every image, so the same pixels."""
    theirs_aug = TT.TrivialAugmentWide(num_magnitude_bins=31)
    ours_aug = MT.TrivialAugmentWide(num_magnitude_bins=31)
    torch.manual_seed(seed)
    mt.manual_seed(seed)
    for _ in range(150):
        same_image(theirs_aug(rgb), ours_aug(rgb))
    assert torch.rand(1).item() == mt.rand(1).item()
    assert repr(ours_aug) == repr(theirs_aug)


def test_trivial_augment_in_the_course_pipeline(rgb):
    """Chapter 04's train_transform_trivial_augment, seeded, image after image."""
    theirs = TT.Compose([TT.Resize((64, 64)), TT.TrivialAugmentWide(num_magnitude_bins=31), TT.ToTensor()])
    ours = MT.Compose([MT.Resize((64, 64)), MT.TrivialAugmentWide(num_magnitude_bins=31), MT.ToTensor()])
    torch.manual_seed(42)
    mt.manual_seed(42)
    for _ in range(60):
        same_image(theirs(rgb), ours(rgb))
    assert repr(ours) == repr(theirs)


# ---- conversions ----------------------------------------------------------------------------------

PIL_MODES = ["L", "RGB", "RGBA", "LA", "1", "I", "F", "P", "CMYK"]  # I;16: torch has no uint16 from NumPy


def _image_in_mode(rgb, mode):
    if mode in ("I", "F", "I;16"):
        return rgb.convert("L").convert(mode)
    return rgb.convert(mode)


@pytest.mark.parametrize("mode", PIL_MODES)
def test_to_tensor_and_pil_to_tensor(rgb, mode):
    image = _image_in_mode(rgb, mode)
    same_image(TT.ToTensor()(image), MT.ToTensor()(image))
    same_image(TT.PILToTensor()(image), MT.PILToTensor()(image))


def test_to_tensor_ndarray(rng):
    for array in (rng.integers(0, 256, (5, 4, 3), dtype=np.uint8),
                  rng.integers(0, 256, (5, 4), dtype=np.uint8),
                  rng.random((5, 4, 3)), rng.random((5, 4, 2)).astype(np.float32)):
        same_image(TT.ToTensor()(array), MT.ToTensor()(array))
    assert repr(MT.ToTensor()) == repr(TT.ToTensor()) and repr(MT.PILToTensor()) == repr(TT.PILToTensor())


CONVERSIONS = [("uint8", "float32"), ("uint8", "float64"), ("float32", "uint8"), ("float64", "uint8"),
               ("uint8", "int16"), ("int16", "uint8"), ("int32", "int16"), ("int16", "int64"),
               ("float32", "int16"), ("float32", "float64"), ("uint8", "uint8"), ("int8", "int32")]


@pytest.mark.parametrize("source, target", CONVERSIONS)
def test_convert_image_dtype(rng, source, target):
    if source.startswith("float"):
        array = np.concatenate([rng.random(60), [0.0, 1.0, 0.5, 0.999]]).astype(source)
    else:
        info = np.iinfo(source)
        array = np.concatenate([rng.integers(0, info.max, 62, endpoint=True), [0, info.max]]).astype(source)
    theirs_in, ours_in = pair(array.reshape(1, 8, 8))
    theirs = TT.ConvertImageDtype(getattr(torch, target))(theirs_in)
    ours = MT.ConvertImageDtype(getattr(mt, target))(ours_in)
    same_image(theirs, ours)
    assert repr(MT.ConvertImageDtype(ours.dtype)) == repr(TT.ConvertImageDtype(theirs.dtype))


@pytest.mark.parametrize("source, target", [("float32", "int32"), ("float32", "int64"), ("float64", "int64")])
def test_convert_image_dtype_refuses_unsafe_casts(source, target):
    with pytest.raises(RuntimeError) as theirs:
        TF.convert_image_dtype(torch.zeros(1, 2, 2, dtype=getattr(torch, source)), getattr(torch, target))
    with pytest.raises(RuntimeError) as ours:
        MF.convert_image_dtype(mt.zeros(1, 2, 2, dtype=getattr(mt, source)), getattr(mt, target))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match="Input img should be Tensor Image"):
        MF.convert_image_dtype(np.zeros((1, 2, 2)), mt.float32)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalize(rng, dtype):
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    theirs_in, ours_in = pair(rng.random((2, 3, 5, 6)).astype(dtype))
    same_image(TT.Normalize(mean, std)(theirs_in), MT.Normalize(mean, std)(ours_in))
    np.testing.assert_array_equal(ours_in.numpy(), theirs_in.numpy())        # not in place
    TT.Normalize(mean, std, inplace=True)(theirs_in)
    MT.Normalize(mean, std, inplace=True)(ours_in)
    np.testing.assert_array_equal(ours_in.numpy(), theirs_in.numpy())
    assert repr(MT.Normalize(mean, std)) == repr(TT.Normalize(mean, std))


def test_normalize_errors_match():
    cases = [(lambda F, lib: F.normalize(lib.zeros(1, 2, 2, dtype=lib.uint8), [0.5], [0.5])),
             (lambda F, lib: F.normalize(lib.zeros(2, 2), [0.5], [0.5])),
             (lambda F, lib: F.normalize(lib.zeros(1, 2, 2), [0.5], [0.0]))]
    for case in cases:
        with pytest.raises((TypeError, ValueError)) as theirs:
            case(TF, torch)
        with pytest.raises((TypeError, ValueError)) as ours:
            case(MF, mt)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)


# ---- Compose, the course's pipelines, ImageClassification presets ---------------------------------

def test_compose_course_pipelines(rgb):
    pipelines = [
        lambda T: T.Compose([T.Resize(size=(64, 64)), T.RandomHorizontalFlip(p=0.5), T.ToTensor()]),
        lambda T: T.Compose([T.Resize((64, 64)), T.ToTensor()]),
        lambda T: T.Compose([T.Resize((224, 224)), T.ToTensor(),
                             T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])]),
    ]
    for make in pipelines:
        theirs, ours = make(TT), make(MT)
        assert repr(ours) == repr(theirs)
        torch.manual_seed(3)
        mt.manual_seed(3)
        for _ in range(5):
            same_image(theirs(rgb), ours(rgb))


@pytest.mark.parametrize("weights", ["EfficientNet_B0_Weights", "EfficientNet_B2_Weights",
                                     "ViT_B_16_Weights"])
def test_image_classification_presets(rgb, weights):
    """weights.transforms() of the course's models: the same preset, repr and output."""
    theirs = getattr(torchvision.models, weights).DEFAULT.transforms()
    ours = MTImageClassification(crop_size=theirs.crop_size[0], resize_size=theirs.resize_size[0],
                                 interpolation=MT.InterpolationMode(theirs.interpolation.value))
    assert repr(ours) == repr(theirs)
    big = rgb.resize((400, 300))
    same_image(theirs(big), ours(big))                     # PIL path: Pillow resize, exact
    theirs_in, ours_in = pair(np.asarray(big).transpose(2, 0, 1))
    # uint8 tensor path: resized in float32 then rounded (as test_resize_uint8_tensor), then scaled
    our_out, their_out = ours(ours_in).numpy(), theirs(theirs_in).numpy()
    moved = np.abs(our_out - their_out) > 1e-6
    assert moved.mean() <= 1e-4
    np.testing.assert_allclose(our_out, their_out, rtol=0, atol=1 / 255 / 0.224 + 1e-6)
    theirs_in, ours_in = pair(np.asarray(big, np.float32).transpose(2, 0, 1) / 255)
    # float path: the resize's float32 last bits, divided by std 0.224
    np.testing.assert_allclose(ours(ours_in).numpy(), theirs(theirs_in).numpy(), rtol=0, atol=5e-6)


def test_image_classification_from_mt_weights():
    from minitorch_lite.vision.models import ViT_B_16_Weights
    theirs = torchvision.models.ViT_B_16_Weights.DEFAULT.transforms()
    assert repr(ViT_B_16_Weights.DEFAULT.transforms()) == repr(theirs)


# ---- on a GPU tensor -------------------------------------------------------------------------------

def test_tensor_transforms_on_device(rng, device):
    """The same tensor transforms on device="cuda" give the CPU's bits (and stay on the device)."""
    x = rng.integers(0, 256, (3, 37, 53), dtype=np.uint8)
    pipeline = MT.Compose([MT.Resize((64, 64)), MT.CenterCrop(60), MT.RandomHorizontalFlip(p=1.0),
                           MT.ConvertImageDtype(mt.float32), MT.Normalize([0.5, 0.5, 0.5], [0.2, 0.2, 0.2])])
    on_device = pipeline(mt.from_numpy(x).to(device))
    assert on_device.device.type == device
    np.testing.assert_array_equal(on_device.cpu().numpy(), pipeline(mt.from_numpy(x)).numpy())
    float_x = mt.from_numpy(x.astype(np.float32) / 255).to(device)
    out = MT.Resize((20, 31), interpolation=MT.InterpolationMode.BICUBIC)(float_x)
    theirs = TT.Resize((20, 31), interpolation=TT.InterpolationMode.BICUBIC)(
        torch.from_numpy(x.astype(np.float32) / 255))
    assert out.device.type == device
    np.testing.assert_allclose(out.cpu().numpy(), theirs.numpy(), rtol=0, atol=2.5e-7)


# ---- ImageFolder -----------------------------------------------------------------------------------

@pytest.fixture
def image_tree(tmp_path, rng):
    """root/<class>/... with JPEGs, PNGs, upper-case extensions, nested folders, non-images."""
    root = tmp_path / "train"
    layout = {"sushi": ["m.jpg", "notes.txt", "Z.JPG"], "pizza": ["b.jpg", "a.jpeg", "c.PNG", "d.webp"],
              "steak": ["z.png", "deep/y.jpg", "deep/er/x.bmp", "a/q.gif"], "Apple": ["1.jpg"]}
    for cls, names in layout.items():
        for name in names:
            path = root / cls / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".txt"):
                path.write_text("not an image")
                continue
            pixels = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
            formats = {".png": "PNG", ".webp": "WEBP", ".bmp": "BMP", ".gif": "GIF"}
            Image.fromarray(pixels).save(path, format=formats.get(os.path.splitext(name)[1].lower(), "JPEG"))
    (root / "README.md").write_text("a file at the top level is not a class")
    return root


@pytest.mark.parametrize("as_string", [True, False])
def test_image_folder_lists_like_torchvision(image_tree, as_string):
    root = str(image_tree) if as_string else image_tree
    theirs, ours = tv_datasets.ImageFolder(root), mt_datasets.ImageFolder(root)
    assert ours.classes == theirs.classes == ["Apple", "pizza", "steak", "sushi"]
    assert ours.class_to_idx == theirs.class_to_idx
    assert ours.samples == theirs.samples and ours.imgs == theirs.imgs
    assert ours.targets == theirs.targets
    assert ours.extensions == theirs.extensions
    assert repr(ours) == repr(theirs)
    for index in range(len(theirs)):
        (their_image, their_label), (our_image, our_label) = theirs[index], ours[index]
        same_image(their_image, our_image)
        assert our_label == their_label


def test_image_folder_transforms_repr_and_loaders(image_tree):
    def gray_loader(path):
        with open(path, "rb") as f:
            return Image.open(f).convert("L")

    def make(T, D):
        return D.ImageFolder(str(image_tree), transform=T.Compose([T.Resize((8, 8)), T.ToTensor()]),
                             target_transform=lambda y: y * 10, loader=gray_loader)
    theirs, ours = make(TT, tv_datasets), make(MT, mt_datasets)
    assert repr(ours) == repr(theirs).replace(repr(theirs.target_transform), repr(ours.target_transform))
    for index in (0, 3, len(theirs) - 1):
        (their_x, their_y), (our_x, our_y) = theirs[index], ours[index]
        same_image(their_x, our_x)
        assert our_y == their_y
    our_batch = next(iter(DataLoader(ours, batch_size=4)))
    their_batch = next(iter(torch.utils.data.DataLoader(theirs, batch_size=4)))
    np.testing.assert_array_equal(our_batch[0].numpy(), their_batch[0].numpy())
    assert our_batch[1].tolist() == their_batch[1].tolist()


def test_image_folder_is_valid_file_allow_empty_and_errors(image_tree, tmp_path):
    for kwargs in ({"is_valid_file": lambda p: p.endswith(".jpg")},
                   {"is_valid_file": lambda p: "steak" in p, "allow_empty": True}):
        theirs = tv_datasets.ImageFolder(str(image_tree), **kwargs)
        ours = mt_datasets.ImageFolder(str(image_tree), **kwargs)
        assert ours.samples == theirs.samples and ours.extensions is theirs.extensions is None
    (tmp_path / "empty").mkdir()
    (tmp_path / "no_images" / "cls").mkdir(parents=True)
    (tmp_path / "no_images" / "cls" / "a.txt").write_text("x")
    failing = [lambda D: D.ImageFolder(str(image_tree), is_valid_file=lambda p: "steak" in p),
               lambda D: D.ImageFolder(str(tmp_path / "empty")),
               lambda D: D.ImageFolder(str(tmp_path / "no_images")),
               lambda D: D.ImageFolder(str(tmp_path / "missing"))]
    for case in failing:
        with pytest.raises(Exception) as theirs:
            case(tv_datasets)
        with pytest.raises(Exception) as ours:
            case(mt_datasets)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)


def test_dataset_folder_extensions_and_make_dataset(image_tree):
    tv = torchvision
    for extensions in ((".png",), ".jpg", (".JPG", ".bmp")):
        theirs = tv.datasets.DatasetFolder(str(image_tree), loader=lambda p: p, extensions=extensions,
                                           allow_empty=True)
        ours = mt_datasets.DatasetFolder(str(image_tree), loader=lambda p: p, extensions=extensions,
                                         allow_empty=True)
        assert ours.samples == theirs.samples and ours[0] == theirs[0]
    with pytest.raises(ValueError) as theirs:
        tv.datasets.folder.make_dataset(str(image_tree), {"pizza": 0})
    with pytest.raises(ValueError) as ours:
        mt_datasets.folder.make_dataset(str(image_tree), {"pizza": 0})
    assert str(ours.value) == str(theirs.value)


# ---- FashionMNIST ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fashion_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fashion")
    mt_datasets.FashionMNIST.make_standin(str(root), n_train=96, n_test=40)
    return str(root)


@pytest.mark.parametrize("train", [True, False])
def test_fashion_mnist_like_torchvision(fashion_root, train):
    def make(T, D):
        return D.FashionMNIST(root=fashion_root, train=train, download=False, transform=T.ToTensor())
    theirs, ours = make(TT, tv_datasets), make(MT, mt_datasets)
    assert len(ours) == len(theirs) == (96 if train else 40)
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
    np.testing.assert_array_equal(ours.targets.numpy(), theirs.targets.numpy())
    assert str(ours.data.dtype) == str(theirs.data.dtype) == "torch.uint8"
    assert str(ours.targets.dtype) == str(theirs.targets.dtype) == "torch.int64"
    assert ours.classes == theirs.classes and ours.class_to_idx == theirs.class_to_idx
    assert repr(ours) == repr(theirs)
    for index in (0, 5, len(theirs) - 1):
        (their_x, their_y), (our_x, our_y) = theirs[index], ours[index]
        same_image(their_x, our_x)
        assert our_y == their_y and type(our_y) is type(their_y)
    plain_theirs = tv_datasets.FashionMNIST(fashion_root, train=train)
    plain_ours = mt_datasets.FashionMNIST(fashion_root, train=train)
    same_image(plain_theirs[1][0], plain_ours[1][0])                # PIL images of mode "L"
    with pytest.raises(IndexError):
        ours[len(ours)]
    with pytest.raises(IndexError):
        theirs[len(theirs)]


def test_fashion_mnist_missing_files(tmp_path):
    with pytest.raises(RuntimeError) as theirs:
        tv_datasets.FashionMNIST(str(tmp_path), download=False)
    with pytest.raises(RuntimeError) as ours:
        mt_datasets.FashionMNIST(str(tmp_path), download=False)
    assert str(ours.value).startswith(str(theirs.value))   # ours goes on to say where the files go
