"""The image operations behind the transforms, on PIL images and on tensors [..., C, H, W].

    >>> from PIL import Image
    >>> from minitorch_lite.vision.transforms import functional as F
    >>> img = Image.new("RGB", (40, 30))
    >>> F.to_tensor(F.resize(img, [15, 20])).shape
    torch.Size([3, 15, 20])

Same names, arguments and semantics as `torchvision.transforms.functional`. On PIL images each
operation is the Pillow call torchvision makes (`Image.resize`, `Image.transform`, `ImageOps`,
`ImageEnhance`), so results are identical. On tensors, the geometric operations work on the
array (resize: see `_resample.py`); the colour and affine operations exist for PIL images only.
"""
import math
import numbers
import warnings
from enum import Enum

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ...backend import dtypes
from ...backend.dtypes import get_default_dtype
from ...creation import as_tensor, from_numpy
from ...tensor import Tensor
from ._resample import resample

__all__ = ["InterpolationMode", "get_dimensions", "to_tensor", "pil_to_tensor", "to_pil_image",
           "convert_image_dtype", "normalize", "resize", "crop", "center_crop", "pad", "hflip", "affine", "rotate",
           "adjust_brightness", "adjust_saturation", "adjust_contrast", "adjust_sharpness",
           "posterize", "solarize", "autocontrast", "equalize", "invert"]


class InterpolationMode(Enum):
    """How to resample: `nearest`, `bilinear`, `bicubic`, and for PIL images `box`, `hamming`, `lanczos`."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTER = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_MODE_OF_PIL_FILTER = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
                       3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
                       5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation_mode(interpolation):
    """Accept an InterpolationMode or (for backward compatibility) a Pillow filter constant."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int):
        return _MODE_OF_PIL_FILTER[interpolation]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                    "Pillow integer constant")


def _is_pil_image(img):
    return isinstance(img, Image.Image)


def _check_image(img):
    if not (_is_pil_image(img) or isinstance(img, Tensor)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _check_pil(img, what):
    if not _is_pil_image(img):
        raise TypeError(f"{what} is implemented for PIL images only in minitorch_lite "
                        f"(convert with ToPILImage() first). Got {type(img)}")


def get_dimensions(img):
    """[channels, height, width] of a PIL image or a tensor [..., C, H, W]."""
    _check_image(img)
    if isinstance(img, Tensor):
        channels = 1 if img.ndim == 2 else img.shape[-3]
        return [channels, img.shape[-2], img.shape[-1]]
    width, height = img.size
    return [len(img.getbands()), height, width]


# ---- conversions -----------------------------------------------------------------------------

def to_tensor(pic):
    """PIL image or ndarray HWC -> tensor CHW; uint8 data becomes float in [0, 1], other types keep theirs."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    float_dtype = get_default_dtype().np

    if isinstance(pic, np.ndarray):
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        # Pillow's modes: 'I' holds int32, 'I;16' int16, 'F' float32, all others bytes
        np_type = {"I": np.int32, "I;16": np.int16, "F": np.float32}.get(pic.mode, np.uint8)
        array = np.array(pic, np_type, copy=True)
        if pic.mode == "1":
            array = 255 * array
        array = array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    array = np.ascontiguousarray(array.transpose(2, 0, 1))
    if array.dtype == np.uint8:
        # torch's img.to(float32).div(255): a true division, not a multiplication by 1/255
        return from_numpy(array.astype(float_dtype) / float_dtype.type(255))
    return from_numpy(array)


def pil_to_tensor(pic):
    """PIL image -> tensor CHW of the image's own dtype (uint8 for 'L', 'RGB', ...), unscaled."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, copy=True)
    array = array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def to_pil_image(pic, mode=None):
    """Tensor CHW or ndarray HWC -> PIL image; float data is scaled by 255 (unless mode='F')."""
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
        if pic.is_floating_point() and mode != "F":
            pic = pic.mul(255).byte()
        npimg = np.transpose(pic.detach().cpu().numpy(), (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = np.expand_dims(pic, 2) if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {npimg.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")

    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return Image.fromarray(npimg, mode=mode)


# ---- tensor arithmetic -------------------------------------------------------------------------

def _max_value(dtype):
    """The value that means "full intensity" in an image of this dtype (1 for floats)."""
    if dtype == dtypes.uint8:
        return 255
    if dtype.is_floating_point:
        return 1
    return 2 ** (8 * dtype.itemsize - 1) - 1        # int8 127, int16 32767, int32, int64


def convert_image_dtype(image, dtype=dtypes.float32):
    """Convert a tensor image to `dtype`, rescaling: uint8 255 <-> float 1.0, int <-> int by a
    power-of-two factor. Floats become integers as image * (max + 1 - 0.001), truncated."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if ((image.dtype == dtypes.float32 and dtype in (dtypes.int32, dtypes.int64))
                or (image.dtype == dtypes.float64 and dtype == dtypes.int64)):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # max + 1 - eps spreads [0, 1] evenly over the integers (only 1.0 maps to 255 otherwise)
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return image.div(factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean[c]) / std[c] per channel of a float tensor [..., C, H, W]."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    mean = as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std = as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to "
                         "division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


# ---- geometry ------------------------------------------------------------------------------------

def _resized_output_size(height, width, size, max_size):
    """torchvision's rule: an int (or [int]) sets the shorter side, keeping the aspect ratio."""
    if len(size) == 1:
        short, long = (width, height) if width <= height else (height, width)
        new_short, new_long = size[0], int(size[0] * long / short)
        if max_size is not None:
            if max_size <= size[0]:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
        return [new_h, new_w]
    return [size[0], size[1]]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to size (h, w), or the shorter side to `size` when it is an int.

    PIL images: Pillow's `Image.resize` (always antialiased), exactly as torchvision.
    Tensors [..., H, W]: nearest, bilinear or bicubic as `torch.nn.functional.interpolate`
    (align_corners=False, `antialias` as given); integer tensors are resized in float32 and
    rounded back, as torchvision does.
    """
    interpolation = _interpolation_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} "
                             "element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the "
                             "smaller edge, i.e. size should be an int or a sequence of length 1 in "
                             "torchscript mode.")
    _, height, width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    out_h, out_w = _resized_output_size(height, width, list(size), max_size)
    if (height, width) == (out_h, out_w):
        return img
    if _is_pil_image(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.")
        return img.resize((out_w, out_h), _PIL_FILTER[interpolation])

    method = interpolation.value
    if method not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"tensor images can be resized with NEAREST, NEAREST_EXACT, BILINEAR or "
                         f"BICUBIC, not {interpolation}")
    data = img.detach()._data
    float_in = data.dtype in (np.float32, np.float64)
    out = resample(data if float_in else data.astype(np.float32), (out_h, out_w), method,
                   antialias=bool(antialias))
    if not float_in:
        xp = img.device.xp
        if method == "bicubic" and data.dtype == np.uint8:
            out = xp.clip(out, 0, 255)
        out = xp.round(out).astype(data.dtype) if data.dtype.kind in "iu" else out.astype(data.dtype)
    return Tensor._make(out, img.device)


def crop(img, top, left, height, width):
    """The region [top, top+height) x [left, left+width); parts outside the image are zeros."""
    _check_image(img)
    if _is_pil_image(img):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    """Crop the centre; pads with zeros first when the crop is larger than the image."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def _padding_ltrb(padding):
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} "
                     "element tuple")


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad by `padding` (int, [lr, tb] or [l, t, r, b]) with a constant, edge, reflect or symmetric
    border; negative padding crops."""
    _check_image(img)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    ltrb = _padding_ltrb(padding)
    crop_l, crop_t, crop_r, crop_b = (max(-p, 0) for p in ltrb)
    left, top, right, bottom = (max(p, 0) for p in ltrb)
    if _is_pil_image(img):
        if crop_l or crop_t or crop_r or crop_b:
            img = img.crop((crop_l, crop_t, img.width - crop_r, img.height - crop_b))
        if padding_mode == "constant":
            out = ImageOps.expand(img, border=(left, top, right, bottom), **_parse_fill(fill, img, "fill"))
            if img.mode == "P":
                out.putpalette(img.getpalette())
            return out
        array = np.asarray(img)
        widths = ((top, bottom), (left, right)) + (((0, 0),) if array.ndim == 3 else ())
        return Image.fromarray(np.pad(array, widths, mode=padding_mode))
    h, w = img.shape[-2:]
    data = img.detach()[..., crop_t:h - crop_b, crop_l:w - crop_r]._data
    xp = img.device.xp
    widths = ((0, 0),) * (data.ndim - 2) + ((top, bottom), (left, right))
    if padding_mode == "constant":
        return Tensor._make(xp.pad(data, widths, mode="constant", constant_values=fill), img.device)
    return Tensor._make(xp.pad(data, widths, mode=padding_mode), img.device)


def hflip(img):
    """Mirror left-right."""
    _check_image(img)
    if _is_pil_image(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return img.flip(-1)


def _parse_fill(fill, img, name="fillcolor"):
    """torchvision's conversion of `fill` into the keyword Pillow expects."""
    num_channels = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, (list, tuple)) else int(fill)
    return {name: fill}


def _get_inverse_affine_matrix(center, angle, translate, scale, shear):
    """The output->input pixel map of rotate-scale-shear about `center`, then translate (torchvision's)."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # rotation-scale-shear matrix without scaling: RSS = R(a) * S(sx, sy)
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    # inverse of RSS (det = 1) with scale, then the inverse translations
    matrix = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
    matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
    matrix[2] += cx
    matrix[5] += cy
    return matrix


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    """Rotate by `angle` degrees, translate, scale and shear (degrees) a PIL image, keeping its size."""
    _check_pil(img, "affine")
    interpolation = _interpolation_mode(interpolation)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    width, height = img.size
    if center is None:
        center = [width * 0.5, height * 0.5]   # torchvision: no +0.5 offset for PIL images
    matrix = _get_inverse_affine_matrix(center, float(angle), list(translate), scale, shear)
    return img.transform(img.size, Image.Transform.AFFINE, matrix, _PIL_FILTER[interpolation],
                         **_parse_fill(fill, img))


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate a PIL image by `angle` degrees counter-clockwise."""
    _check_pil(img, "rotate")
    interpolation = _interpolation_mode(interpolation)
    return img.rotate(angle, _PIL_FILTER[interpolation], expand, center, **_parse_fill(fill, img))


# ---- colour (PIL images) ---------------------------------------------------------------------------

def adjust_brightness(img, brightness_factor):
    _check_pil(img, "adjust_brightness")
    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_saturation(img, saturation_factor):
    _check_pil(img, "adjust_saturation")
    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_contrast(img, contrast_factor):
    _check_pil(img, "adjust_contrast")
    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_sharpness(img, sharpness_factor):
    _check_pil(img, "adjust_sharpness")
    return ImageEnhance.Sharpness(img).enhance(sharpness_factor)


def posterize(img, bits):
    _check_pil(img, "posterize")
    return ImageOps.posterize(img, bits)


def solarize(img, threshold):
    _check_pil(img, "solarize")
    return ImageOps.solarize(img, threshold)


def autocontrast(img):
    _check_pil(img, "autocontrast")
    return ImageOps.autocontrast(img)


def equalize(img):
    _check_pil(img, "equalize")
    return ImageOps.equalize(img)


def invert(img):
    _check_pil(img, "invert")
    return ImageOps.invert(img)
