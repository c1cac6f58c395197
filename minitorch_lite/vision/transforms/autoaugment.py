"""TrivialAugmentWide: one random augmentation at a random strength per image (Müller & Hutter, 2021).

    >>> import minitorch_lite as mt
    >>> from PIL import Image
    >>> from minitorch_lite.vision.transforms import TrivialAugmentWide
    >>> aug = TrivialAugmentWide(num_magnitude_bins=31)
    >>> _ = mt.manual_seed(0)
    >>> aug(Image.new("RGB", (64, 64))).size
    (64, 64)

Per image: pick one of 14 operations uniformly, pick one of `num_magnitude_bins` strengths
uniformly, and for signed operations flip the sign with probability 1/2. The three draws are
`torch.randint` calls in torchvision; here they come from minitorch_lite's default generator in
the same order, so seeded runs pick the same operations as torchvision. The operations are
Pillow's, as torchvision uses for PIL images. Tensor images are not supported (convert with
ToPILImage first); the course applies it to PIL images before ToTensor.
"""
import math

import numpy as np

from ... import random as _random
from ...creation import linspace
from . import functional as F
from .functional import InterpolationMode

__all__ = ["TrivialAugmentWide"]


def _linspace(start, end, steps):
    """torch.linspace(start, end, steps) as float32 values (mt.linspace reproduces torch's bits)."""
    return linspace(start, end, steps).numpy()


def _apply_op(img, op_name, magnitude, interpolation, fill):
    if op_name == "ShearX":
        # torchvision shears by atan(magnitude) so that the pixel offset is `magnitude` per row
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0,
                        shear=[math.degrees(math.atan(magnitude)), 0.0],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == "ShearY":
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0,
                        shear=[0.0, math.degrees(math.atan(magnitude))],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == "TranslateX":
        return F.affine(img, angle=0.0, translate=[int(magnitude), 0], scale=1.0,
                        interpolation=interpolation, shear=[0.0, 0.0], fill=fill)
    if op_name == "TranslateY":
        return F.affine(img, angle=0.0, translate=[0, int(magnitude)], scale=1.0,
                        interpolation=interpolation, shear=[0.0, 0.0], fill=fill)
    if op_name == "Rotate":
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    if op_name == "Brightness":
        return F.adjust_brightness(img, 1.0 + magnitude)
    if op_name == "Color":
        return F.adjust_saturation(img, 1.0 + magnitude)
    if op_name == "Contrast":
        return F.adjust_contrast(img, 1.0 + magnitude)
    if op_name == "Sharpness":
        return F.adjust_sharpness(img, 1.0 + magnitude)
    if op_name == "Posterize":
        return F.posterize(img, int(magnitude))
    if op_name == "Solarize":
        return F.solarize(img, magnitude)
    if op_name == "AutoContrast":
        return F.autocontrast(img)
    if op_name == "Equalize":
        return F.equalize(img)
    if op_name == "Invert":
        return F.invert(img)
    if op_name == "Identity":
        return img
    raise ValueError(f"The provided operator {op_name} is not recognized.")


class TrivialAugmentWide:
    """Dataset-independent augmentation: one random op at a random magnitude (PIL images)."""

    def __init__(self, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None):
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins):
        """op name -> (magnitudes or None, signed?), in torchvision's order (the order matters:
        the op is picked by its index)."""
        bins = np.arange(num_bins, dtype=np.float32)
        posterize_bits = 8 - np.round(bins / np.float32((num_bins - 1) / 6)).astype(np.int32)
        return {
            "Identity": (None, False),
            "ShearX": (_linspace(0.0, 0.99, num_bins), True),
            "ShearY": (_linspace(0.0, 0.99, num_bins), True),
            "TranslateX": (_linspace(0.0, 32.0, num_bins), True),
            "TranslateY": (_linspace(0.0, 32.0, num_bins), True),
            "Rotate": (_linspace(0.0, 135.0, num_bins), True),
            "Brightness": (_linspace(0.0, 0.99, num_bins), True),
            "Color": (_linspace(0.0, 0.99, num_bins), True),
            "Contrast": (_linspace(0.0, 0.99, num_bins), True),
            "Sharpness": (_linspace(0.0, 0.99, num_bins), True),
            "Posterize": (posterize_bits, False),
            "Solarize": (_linspace(255.0, 0.0, num_bins), False),
            "AutoContrast": (None, False),
            "Equalize": (None, False),
        }

    def __call__(self, img):
        if not F._is_pil_image(img):
            raise TypeError("TrivialAugmentWide in minitorch_lite works on PIL images; apply it "
                            f"before ToTensor() (got {type(img)})")
        gen = _random.default_generator
        op_meta = self._augmentation_space(self.num_magnitude_bins)
        op_index = int(gen.randint(0, len(op_meta), (1,))[0])
        op_name = list(op_meta.keys())[op_index]
        magnitudes, signed = op_meta[op_name]
        # no bin is drawn for the magnitude-free ops (0-d tensors in torchvision)
        magnitude = (float(magnitudes[int(gen.randint(0, len(magnitudes), (1,))[0])])
                     if magnitudes is not None else 0.0)
        if signed and int(gen.randint(0, 2, (1,))[0]):
            magnitude *= -1.0
        return _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=self.fill)

    def __repr__(self):
        return (f"{self.__class__.__name__}(num_magnitude_bins={self.num_magnitude_bins}, "
                f"interpolation={self.interpolation}, fill={self.fill})")
