"""Reading and writing image files as uint8 tensors [C, H, W] (torchvision.io), through Pillow.

    >>> from minitorch_lite.vision.io import read_image, ImageReadMode
    >>> img = read_image("data/04-pizza-dad.jpeg")                  # doctest: +SKIP
    >>> img.shape, img.dtype                                         # doctest: +SKIP
    (torch.Size([3, 4032, 3024]), torch.uint8)
    >>> read_image("data/04-pizza-dad.jpeg", ImageReadMode.GRAY).shape   # doctest: +SKIP
    torch.Size([1, 4032, 3024])

Channels by mode: UNCHANGED keeps the file's (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; palette
images are expanded to RGB, or RGBA when they have a transparent colour), GRAY 1, GRAY_ALPHA 2,
RGB 3, RGB_ALPHA 4. Pillow and torchvision both decode JPEG with libjpeg(-turbo)'s default
(integer "islow") IDCT, so pixels normally agree. Only 8-bit images are read (16-bit PNGs would
need uint16 tensors). EXIF orientation is ignored unless `apply_exif_orientation=True`.
"""
import io
from enum import Enum

import numpy as np
from PIL import Image, ImageOps

from ..creation import from_numpy
from ..tensor import Tensor

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "decode_jpeg", "decode_png",
           "read_image", "encode_png", "write_png", "encode_jpeg", "write_jpeg"]


class ImageReadMode(Enum):
    """Which channels to decode into (torchvision's values)."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


_CONVERT_TO = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
               ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}
_EIGHT_BIT_MODES = {"L", "LA", "RGB", "RGBA"}


def read_file(path):
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        return from_numpy(np.frombuffer(f.read(), dtype=np.uint8).copy())


def write_file(filename, data):
    """Write a 1-D uint8 tensor of bytes to a file."""
    with open(filename, "wb") as f:
        f.write(np.ascontiguousarray(data.numpy() if isinstance(data, Tensor) else data).tobytes())


def _as_read_mode(mode):
    if isinstance(mode, str):
        return ImageReadMode[mode.upper()]
    return ImageReadMode(mode)


def _decode_pil(img, mode, apply_exif_orientation):
    if apply_exif_orientation:
        img = ImageOps.exif_transpose(img)
    target = _CONVERT_TO.get(mode)
    if target is None:        # UNCHANGED: the file's own channels, as 8-bit
        if img.mode == "P":
            target = "RGBA" if "transparency" in img.info else "RGB"
        elif img.mode == "PA":
            target = "RGBA"
        elif img.mode == "1":
            target = "L"
        elif img.mode in ("CMYK", "YCbCr"):
            target = "RGB"
        elif img.mode in _EIGHT_BIT_MODES:
            target = img.mode
        else:
            raise RuntimeError(f"minitorch_lite.vision.io reads 8-bit images only; this image has "
                               f"Pillow mode {img.mode!r}")
    elif target == "L" and img.format == "JPEG":
        img.draft("L", img.size)  # let libjpeg output luminance directly, as torchvision does
    array = np.asarray(img.convert(target) if img.mode != target else img)
    if array.ndim == 2:
        array = array[:, :, None]
    return from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode a JPEG/PNG/GIF/BMP/WebP... given as a 1-D uint8 tensor of bytes (or a path)."""
    mode = _as_read_mode(mode)
    if isinstance(input, Tensor):
        if input.dtype.name != "uint8" or input.ndim != 1:
            raise RuntimeError("Expected a 1-D uint8 tensor of encoded bytes, got "
                               f"{input.dtype} with shape {tuple(input.shape)}")
        source = io.BytesIO(input.numpy().tobytes())
    else:
        source = input
    with Image.open(source) as img:
        return _decode_pil(img, mode, apply_exif_orientation)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    return decode_image(input, mode, apply_exif_orientation)


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    return decode_image(input, mode, apply_exif_orientation)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an image file into a uint8 tensor [C, H, W]."""
    with Image.open(path) as img:
        return _decode_pil(img, _as_read_mode(mode), apply_exif_orientation)


def _to_pil(input, what):
    if not isinstance(input, Tensor) or input.dtype.name != "uint8":
        raise RuntimeError(f"{what}: input tensor dtype should be uint8")
    if input.ndim != 3 or input.shape[0] not in (1, 3):
        raise RuntimeError(f"{what}: the number of channels should be 1 or 3, and the shape "
                           f"[C, H, W]; got {tuple(input.shape)}")
    array = input.detach().cpu().numpy()
    return Image.fromarray(array[0] if array.shape[0] == 1 else np.ascontiguousarray(array.transpose(1, 2, 0)))


def encode_png(input, compression_level=6):
    """PNG bytes of a uint8 tensor [C, H, W] (C = 1 or 3), as a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"Compression level should be between 0 and 9, got {compression_level}")
    buffer = io.BytesIO()
    _to_pil(input, "encode_png").save(buffer, format="PNG", compress_level=compression_level)
    return from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def write_png(input, filename, compression_level=6):
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality=75):
    """JPEG bytes of a uint8 tensor [C, H, W] (C = 1 or 3), as a 1-D uint8 tensor."""
    if not 1 <= quality <= 100:
        raise ValueError(f"Image quality should be a positive number between 1 and 100, got {quality}")
    buffer = io.BytesIO()
    _to_pil(input, "encode_jpeg").save(buffer, format="JPEG", quality=quality)
    return from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def write_jpeg(input, filename, quality=75):
    write_file(filename, encode_jpeg(input, quality))
