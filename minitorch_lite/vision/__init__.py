"""minitorch_lite.vision: what torchvision gives the course, offline.

    >>> from minitorch_lite.vision import datasets, transforms
    >>> transforms.ToTensor()
    ToTensor()

  datasets     FashionMNIST / MNIST (IDX files), ImageFolder
  transforms   ToTensor, Resize, RandomHorizontalFlip, TrivialAugmentWide, Normalize, ...
  io           read_image / decode_image / write_png / write_jpeg
  models       TinyVGG (chapters 03-05), EfficientNet (06-07), ViT (08), pretrained weights
  ops          StochasticDepth, Conv2dNormActivation, SqueezeExcitation (torchvision.ops)
  utils        make_grid, save_image
  standin      the offline synthetic stand-in for Fashion-MNIST (not the real data)
  food_standin the offline synthetic stand-in for pizza_steak_sushi (not the real photos)

`models`, `ops` and the stand-ins are imported on first use, so data-only code does not load `nn`.
"""
import importlib

from . import datasets, io, transforms, utils

__all__ = ["datasets", "transforms", "io", "utils", "models", "ops", "standin", "food_standin"]


def __getattr__(name):
    if name in ("models", "ops", "standin", "food_standin"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
