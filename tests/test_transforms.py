"""vision.transforms against torch re-implementations of torchvision's definitions, and Pillow.

Each reference below is torchvision's formula written with torch (ToTensor: from_numpy -> permute
-> float -> div(255); Normalize: sub/div per channel; tensor Resize:
torch.nn.functional.interpolate; random draws: torch.rand / torch.randint), and the PIL operations
are compared with the Pillow calls torchvision makes. tests/test_vision_vs_torchvision.py compares
with the real torchvision.
"""
import math

import numpy as np
import pytest
import torch
from PIL import Image

import minitorch_lite as mt
from minitorch_lite.vision import transforms as T
from minitorch_lite.vision.transforms import functional as F
from minitorch_lite.vision.utils import make_grid


@pytest.fixture
def rgb(rng):
    return Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8))


def to_torch(t):
    return torch.from_numpy(t.numpy().copy())


# ---- conversions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "LA", "1"])
def test_to_tensor_pil_matches_torch_formula(rng, mode):
    img = Image.fromarray(rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)).convert(mode)
    out = T.ToTensor()(img)
    array = np.array(img, np.uint8) * (255 if mode == "1" else 1)
    ref = torch.from_numpy(array.reshape(6, 7, -1)).permute(2, 0, 1).contiguous().float().div(255)
    assert out.dtype == mt.float32 and tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_to_tensor_ndarray_and_dtypes(rng):
    hwc = rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)
    ref = torch.from_numpy(hwc.transpose(2, 0, 1).copy()).float().div(255)
    np.testing.assert_array_equal(T.ToTensor()(hwc).numpy(), ref.numpy())
    assert tuple(T.ToTensor()(hwc[:, :, 0]).shape) == (1, 5, 4)
    floats = rng.random((5, 4, 3))                  # non-uint8 arrays are not rescaled
    out = T.ToTensor()(floats)
    assert out.dtype == mt.float64
    np.testing.assert_array_equal(out.numpy(), floats.transpose(2, 0, 1))
    img_f = Image.fromarray(rng.random((5, 4)).astype(np.float32))   # mode 'F'
    assert T.ToTensor()(img_f).dtype == mt.float32
    img_i = Image.fromarray(rng.integers(0, 1000, (5, 4)).astype(np.int32))   # mode 'I'
    out_i = T.ToTensor()(img_i)
    assert out_i.dtype == mt.int32
    np.testing.assert_array_equal(out_i.numpy()[0], np.asarray(img_i))


def test_to_tensor_follows_default_dtype(rgb):
    mt.set_default_dtype(mt.float64)
    torch_default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        out = T.ToTensor()(rgb)
        ref = torch.from_numpy(np.array(rgb)).permute(2, 0, 1).to(torch.float64).div(255)
    finally:
        torch.set_default_dtype(torch_default)
    assert out.dtype == mt.float64
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_to_tensor_errors(rng):
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2, 3])
    with pytest.raises(ValueError, match="2/3 dimensional"):
        T.ToTensor()(np.zeros((2, 2, 2, 2), np.uint8))


def test_pil_to_tensor(rgb):
    out = T.PILToTensor()(rgb)
    assert out.dtype == mt.uint8
    np.testing.assert_array_equal(out.numpy(), np.array(rgb).transpose(2, 0, 1))


def test_to_pil_image_round_trips(rgb, rng):
    back = T.ToPILImage()(T.PILToTensor()(rgb))
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), np.asarray(rgb))
    back = T.ToPILImage()(T.ToTensor()(rgb))     # float: mul(255).byte()
    ref = (torch.from_numpy(np.array(rgb)).permute(2, 0, 1).float().div(255)).mul(255).byte()
    np.testing.assert_array_equal(np.asarray(back), ref.permute(1, 2, 0).numpy())
    gray = T.ToPILImage()(mt.from_numpy(rng.integers(0, 256, (1, 4, 5), dtype=np.uint8)))
    assert gray.mode == "L" and gray.size == (5, 4)
    assert T.ToPILImage()(mt.rand(4, 4, 5)).mode == "RGBA"
    assert T.ToPILImage()(rng.random((4, 5)).astype(np.float32)).mode == "F"
    with pytest.raises(ValueError, match="Only modes"):
        T.ToPILImage(mode="RGBA")(mt.zeros(3, 4, 4, dtype=mt.uint8))
    with pytest.raises(ValueError, match="> 4 channels"):
        T.ToPILImage()(mt.zeros(5, 4, 4))


# ---- Normalize -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalize_matches_torch(rng, dtype):
    x = rng.random((2, 3, 5, 6)).astype(dtype)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    t = torch.from_numpy(x)
    ref = (t - torch.tensor(mean, dtype=t.dtype).view(-1, 1, 1)) / torch.tensor(std, dtype=t.dtype).view(-1, 1, 1)
    xm = mt.from_numpy(x.copy())
    out = T.Normalize(mean, std)(xm)
    assert out.dtype == getattr(mt, dtype)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    np.testing.assert_array_equal(xm.numpy(), x)           # not in place by default
    same = T.Normalize(mean, std, inplace=True)(xm)
    np.testing.assert_array_equal(xm.numpy(), ref.numpy())
    assert same is xm


def test_normalize_errors():
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize([0.5], [0.5])(mt.zeros(1, 2, 2, dtype=mt.uint8))
    with pytest.raises(ValueError, match="tensor image of size"):
        T.Normalize([0.5], [0.5])(mt.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize([0.5], [0.0])(mt.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="Tensor Image"):
        T.Normalize([0.5], [0.5])(np.zeros((1, 2, 2), np.float32))


# ---- Resize ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("interpolation, pil_filter", [
    (T.InterpolationMode.BILINEAR, Image.Resampling.BILINEAR),
    (T.InterpolationMode.NEAREST, Image.Resampling.NEAREST),
    (T.InterpolationMode.BICUBIC, Image.Resampling.BICUBIC),
    (T.InterpolationMode.LANCZOS, Image.Resampling.LANCZOS),
])
def test_resize_pil_is_pillows_resize(rgb, interpolation, pil_filter):
    out = T.Resize((64, 64), interpolation=interpolation)(rgb)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(rgb.resize((64, 64), pil_filter)))


def test_resize_int_size_keeps_aspect(rgb):
    assert T.Resize(20)(rgb).size == (26, 20)        # shorter side (height 30) -> 20
    assert T.Resize([20])(rgb).size == (26, 20)
    assert T.Resize(20, max_size=24)(rgb).size == (24, 18)
    assert T.Resize(30)(rgb) is rgb                    # already that size: returned as is
    with pytest.raises(ValueError, match="max_size should only be passed"):
        T.Resize((20, 20), max_size=30)(rgb)


def interpolate_ref(x, size, mode, antialias):
    kwargs = {} if mode == "nearest" else {"align_corners": False, "antialias": antialias}
    return torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode, **kwargs).numpy()


# Weights and tap order follow torch's kernels, but torch picks between kernels with different
# float32 roundings (fused multiply-adds; a vectorised path for small outputs), so float32 results
# may differ in the last bits: measured max |diff| 1.8e-7 (bilinear), 4.8e-7 (bicubic) on [0, 1] data.
@pytest.mark.parametrize("shape, size", [((3, 64, 64), (32, 32)), ((2, 3, 37, 53), (64, 64)),
                                         ((1, 100, 80), (31, 47)), ((3, 252, 189), (64, 64)),
                                         ((3, 10, 10), (10, 23))])
@pytest.mark.parametrize("mode, antialias", [("bilinear", True), ("bilinear", False),
                                              ("bicubic", True), ("bicubic", False),
                                              ("nearest", False)])
def test_resize_tensor_matches_interpolate(rng, shape, size, mode, antialias):
    x = rng.random(shape, dtype=np.float32)
    batched = x if x.ndim == 4 else x[None]
    ref = interpolate_ref(batched, size, mode, antialias).reshape(shape[:-2] + size)
    out = T.Resize(size, interpolation=T.InterpolationMode(mode), antialias=antialias)(mt.from_numpy(x))
    assert out.dtype == mt.float32 and tuple(out.shape) == ref.shape
    if mode == "nearest":
        np.testing.assert_array_equal(out.numpy(), ref)
    else:
        np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=2.5e-7 if mode == "bilinear" else 6e-7)


def test_resize_tensor_float64_is_close(rng):
    x = rng.random((3, 50, 70))
    ref = interpolate_ref(x[None], (20, 30), "bilinear", True)[0]
    out = T.Resize((20, 30))(mt.from_numpy(x))
    assert out.dtype == mt.float64
    np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=5e-15)


def test_resize_uint8_tensor_like_torchvision(rng):
    """torchvision resizes integer tensors in float32, then rounds and casts back."""
    x = rng.integers(0, 256, (3, 60, 45), dtype=np.uint8)
    ref = interpolate_ref(x[None].astype(np.float32), (32, 32), "bilinear", True)[0]
    ref = np.round(ref).astype(np.uint8)
    out = T.Resize((32, 32))(mt.from_numpy(x))
    assert out.dtype == mt.uint8
    diff = np.abs(out.numpy().astype(int) - ref.astype(int))
    assert diff.max() <= 1 and (diff == 0).mean() > 0.999


def test_resize_repr_and_args():
    assert repr(T.Resize((64, 64))) == \
        "Resize(size=(64, 64), interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.Resize(224, interpolation=T.InterpolationMode.BICUBIC)) == \
        "Resize(size=224, interpolation=bicubic, max_size=None, antialias=True)"
    assert T.Resize(8, interpolation=Image.Resampling.BICUBIC).interpolation == T.InterpolationMode.BICUBIC
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))


# ---- crops, flips, pads -------------------------------------------------------------------------

def test_center_crop(rgb, rng):
    crop = T.CenterCrop(10)
    assert repr(crop) == "CenterCrop(size=(10, 10))"
    np.testing.assert_array_equal(np.asarray(crop(rgb)), np.asarray(rgb)[10:20, 15:25])
    x = rng.random((3, 30, 40), dtype=np.float32)
    np.testing.assert_array_equal(crop(mt.from_numpy(x)).numpy(), x[:, 10:20, 15:25])
    big = T.CenterCrop((34, 41))(mt.from_numpy(x))          # larger than the image: zero padding
    expected = np.zeros((3, 34, 41), np.float32)
    expected[:, 2:32, 0:40] = x
    np.testing.assert_array_equal(big.numpy(), expected)
    assert T.CenterCrop((34, 41))(rgb).size == (41, 34)


def test_random_horizontal_flip_draws_like_torch(rgb, rng):
    flip = T.RandomHorizontalFlip(p=0.3)
    mt.manual_seed(7)
    ours = [flip(rgb) is not rgb for _ in range(40)]
    torch.manual_seed(7)
    theirs = [bool(torch.rand(1) < 0.3) for _ in range(40)]
    assert ours == theirs and any(ours) and not all(ours)
    flipped = T.RandomHorizontalFlip(p=1.0)(rgb)
    np.testing.assert_array_equal(np.asarray(flipped), np.asarray(rgb)[:, ::-1])
    x = rng.random((3, 4, 5), dtype=np.float32)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(mt.from_numpy(x)).numpy(), x[..., ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(rgb) is rgb
    assert repr(flip) == "RandomHorizontalFlip(p=0.3)"


def test_random_crop_draws_like_torch(rgb):
    crop = T.RandomCrop(12, padding=2)
    mt.manual_seed(3)
    ours = [np.asarray(crop(rgb)) for _ in range(5)]
    torch.manual_seed(3)
    padded = np.pad(np.asarray(rgb), ((2, 2), (2, 2), (0, 0)))
    for got in ours:
        i = torch.randint(0, 34 - 12 + 1, size=(1,)).item()
        j = torch.randint(0, 44 - 12 + 1, size=(1,)).item()
        np.testing.assert_array_equal(got, padded[i:i + 12, j:j + 12])
    assert repr(crop) == "RandomCrop(size=(12, 12), padding=2)"


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_tensor_and_pil(rgb, mode):
    x = np.asarray(rgb)
    np_mode = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[mode]
    expected = np.pad(x, ((2, 4), (1, 3), (0, 0)), mode=np_mode)
    out = T.Pad((1, 2, 3, 4), padding_mode=mode)(rgb)
    np.testing.assert_array_equal(np.asarray(out), expected)
    t = T.Pad((1, 2, 3, 4), padding_mode=mode)(mt.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))))
    np.testing.assert_array_equal(t.numpy(), expected.transpose(2, 0, 1))


# ---- TrivialAugmentWide ------------------------------------------------------------------------------

OPS = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
       "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize"]


def torchvision_trivial_augment_reference(img, num_bins=31):
    """torchvision's TrivialAugmentWide.forward for a PIL image, drawing from torch's generator,
    with each op written as the Pillow call torchvision's functional makes."""
    from PIL import ImageEnhance, ImageOps
    space = {"Identity": (torch.tensor(0.0), False),
             "ShearX": (torch.linspace(0.0, 0.99, num_bins), True),
             "ShearY": (torch.linspace(0.0, 0.99, num_bins), True),
             "TranslateX": (torch.linspace(0.0, 32.0, num_bins), True),
             "TranslateY": (torch.linspace(0.0, 32.0, num_bins), True),
             "Rotate": (torch.linspace(0.0, 135.0, num_bins), True),
             "Brightness": (torch.linspace(0.0, 0.99, num_bins), True),
             "Color": (torch.linspace(0.0, 0.99, num_bins), True),
             "Contrast": (torch.linspace(0.0, 0.99, num_bins), True),
             "Sharpness": (torch.linspace(0.0, 0.99, num_bins), True),
             "Posterize": (8 - (torch.arange(num_bins) / ((num_bins - 1) / 6)).round().int(), False),
             "Solarize": (torch.linspace(255.0, 0.0, num_bins), False),
             "AutoContrast": (torch.tensor(0.0), False),
             "Equalize": (torch.tensor(0.0), False)}
    op_index = int(torch.randint(len(space), (1,)).item())
    op_name = list(space.keys())[op_index]
    magnitudes, signed = space[op_name]
    magnitude = (float(magnitudes[torch.randint(len(magnitudes), (1,), dtype=torch.long)].item())
                 if magnitudes.ndim > 0 else 0.0)
    if signed and torch.randint(2, (1,)):
        magnitude *= -1.0
    nearest, w, h = Image.Resampling.NEAREST, img.width, img.height
    fill = (0, 0, 0)
    if op_name == "ShearX":      # center (0, 0): output (x, y) samples input (x + m*y, y)
        out = img.transform(img.size, Image.Transform.AFFINE, (1, magnitude, 0, 0, 1, 0), nearest, fillcolor=fill)
    elif op_name == "ShearY":
        out = img.transform(img.size, Image.Transform.AFFINE, (1, 0, 0, magnitude, 1, 0), nearest, fillcolor=fill)
    elif op_name == "TranslateX":
        out = img.transform(img.size, Image.Transform.AFFINE, (1, 0, -int(magnitude), 0, 1, 0), nearest, fillcolor=fill)
    elif op_name == "TranslateY":
        out = img.transform(img.size, Image.Transform.AFFINE, (1, 0, 0, 0, 1, -int(magnitude)), nearest, fillcolor=fill)
    elif op_name == "Rotate":
        out = img.rotate(magnitude, nearest, False, None, fillcolor=fill)
    elif op_name in ("Brightness", "Color", "Contrast", "Sharpness"):
        out = getattr(ImageEnhance, op_name)(img).enhance(1.0 + magnitude)
    elif op_name == "Posterize":
        out = ImageOps.posterize(img, int(magnitude))
    elif op_name == "Solarize":
        out = ImageOps.solarize(img, magnitude)
    elif op_name == "AutoContrast":
        out = ImageOps.autocontrast(img)
    elif op_name == "Equalize":
        out = ImageOps.equalize(img)
    else:
        out = img
    return op_name, out


def test_trivial_augment_matches_torchvision_draws(rng):
    img = Image.fromarray(rng.integers(0, 256, (48, 40, 3), dtype=np.uint8))
    augment = T.TrivialAugmentWide(num_magnitude_bins=31)
    seen = set()
    for seed in range(60):
        mt.manual_seed(seed)
        ours = augment(img)
        torch.manual_seed(seed)
        op_name, theirs = torchvision_trivial_augment_reference(img)
        seen.add(op_name)
        assert ours.size == img.size and ours.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs), err_msg=f"{seed} {op_name}")
    assert len(seen) >= 12          # the seeds exercise (nearly) every operation


def test_trivial_augment_space_and_repr():
    space = T.TrivialAugmentWide()._augmentation_space(31)
    assert list(space) == OPS
    np.testing.assert_array_equal(space["Rotate"][0], torch.linspace(0.0, 135.0, 31).numpy())
    np.testing.assert_array_equal(space["Posterize"][0],
                                  (8 - (torch.arange(31) / ((31 - 1) / 6)).round().int()).numpy())
    assert repr(T.TrivialAugmentWide(num_magnitude_bins=31)) == \
        "TrivialAugmentWide(num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None)"
    with pytest.raises(TypeError, match="PIL images"):
        T.TrivialAugmentWide()(mt.zeros(3, 8, 8, dtype=mt.uint8))


def test_affine_center_and_rotation_match_torchvision_formula(rgb):
    """90 degrees clockwise about the centre with torchvision's inverse matrix equals Pillow's rotate(-90)."""
    square = rgb.crop((0, 0, 30, 30))
    out = F.affine(square, angle=90.0, translate=[0, 0], scale=1.0, shear=[0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(out), np.asarray(square.rotate(-90)))   # affine: clockwise
    matrix = F._get_inverse_affine_matrix([0, 0], 0.0, [0, 0], 1.0, [math.degrees(math.atan(0.3)), 0.0])
    np.testing.assert_allclose(matrix, [1, 0.3, 0, 0, 1, 0], atol=1e-15)


# ---- composition and small pieces ------------------------------------------------------------------

def test_compose_lambda_and_reprs(rgb):
    pipeline = T.Compose([T.Resize((8, 8)), T.Lambda(lambda t: t * 2), T.ToTensor()])
    assert repr(T.Compose([T.ToTensor()])) == "Compose(\n    ToTensor()\n)"
    assert repr(pipeline) == ("Compose(\n    Resize(size=(8, 8), interpolation=bilinear, max_size=None, "
                              "antialias=True)\n    Lambda()\n    ToTensor()\n)")
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)
    assert repr(T.Normalize(mean=[0.5], std=[0.25])) == "Normalize(mean=[0.5], std=[0.25])"
    assert repr(T.ToPILImage()) == "ToPILImage()" and repr(T.PILToTensor()) == "PILToTensor()"


def test_course_pipeline_on_tensor_image(rng):
    """Chapter 04: read_image -> float / 255 -> Resize((64, 64)) on the tensor."""
    x = mt.from_numpy(rng.integers(0, 256, (3, 120, 90), dtype=np.uint8)).type(mt.float32) / 255.0
    out = T.Compose([T.Resize((64, 64))])(x)
    ref = interpolate_ref(x.numpy()[None], (64, 64), "bilinear", True)[0]
    np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=2.5e-7)


def torch_make_grid(tensor, nrow=8, padding=2, pad_value=0.0):
    """torchvision.utils.make_grid (normalize=False) written with torch."""
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding), pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


def test_make_grid(rng):
    x = rng.random((10, 1, 5, 6), dtype=np.float32)
    out = make_grid(mt.from_numpy(x), nrow=4, padding=1, pad_value=0.5)
    np.testing.assert_array_equal(out.numpy(), torch_make_grid(torch.from_numpy(x), 4, 1, 0.5).numpy())
    normed = make_grid(mt.from_numpy(x * 3 - 1), normalize=True)
    assert normed.numpy().min() == 0.0 and normed.numpy().max() <= 1.0
