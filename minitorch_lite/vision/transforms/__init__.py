"""Image transforms with torchvision's names, arguments, reprs and random draws.

    >>> from minitorch_lite.vision import transforms
    >>> transforms.Compose([transforms.ToTensor()])
    Compose(
        ToTensor()
    )

  transforms.py     the classes (Compose, ToTensor, ConvertImageDtype, Resize, Normalize, ...)
  autoaugment.py    TrivialAugmentWide
  functional.py     the operations they call, on PIL images and tensors (`transforms.functional`)
  _resample.py      tensor resizing, as torch.nn.functional.interpolate computes it
"""
from . import functional
from .autoaugment import TrivialAugmentWide
from .functional import InterpolationMode
from .transforms import (CenterCrop, Compose, ConvertImageDtype, Lambda, Normalize, Pad,
                         PILToTensor, RandomCrop, RandomHorizontalFlip, Resize, ToPILImage, ToTensor)

__all__ = ["Compose", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize",
           "Resize", "CenterCrop", "Pad", "RandomCrop", "RandomHorizontalFlip", "Lambda", "TrivialAugmentWide",
           "InterpolationMode", "functional"]
