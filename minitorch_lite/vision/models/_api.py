"""Weights and WeightsEnum: how a model builder names its pretrained weights (torchvision's API).

    >>> from minitorch_lite.vision.models import EfficientNet_B0_Weights
    >>> weights = EfficientNet_B0_Weights.DEFAULT
    >>> weights
    EfficientNet_B0_Weights.IMAGENET1K_V1
    >>> weights.url
    'https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth'
    >>> weights.meta["num_params"], weights.meta["categories"][:2]
    (5288548, ['tench', 'goldfish'])
    >>> EfficientNet_B0_Weights.verify("EfficientNet_B0_Weights.IMAGENET1K_V1") is weights
    True

Each member of a `WeightsEnum` holds a `Weights`: the `url` of the checkpoint, `transforms` (a
callable that builds the preprocessing the weights were trained with) and `meta` (categories,
num_params, min_size, accuracy, ...). `get_state_dict()` reads the checkpoint from torch's hub
cache, downloading it there first when it is missing (minitorch_lite.hub).
"""
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path

from ... import hub

__all__ = ["Weights", "WeightsEnum", "IMAGENET_CATEGORIES", "overwrite_named_param"]

# the 1,000 ImageNet-1K class names in class-index order, as torchvision's models/_meta.py has them
IMAGENET_CATEGORIES = Path(__file__).with_name("imagenet_categories.txt").read_text(
    encoding="utf-8").splitlines()


@dataclass
class Weights:
    """url of the checkpoint, transforms (a preprocessing constructor) and meta data."""

    url: str
    transforms: callable
    meta: dict

    def __eq__(self, other):
        # partial objects compare by identity; compare what they would build instead (as torchvision
        # does, so that copies of a member still equal it)
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        if isinstance(self.transforms, partial) and isinstance(other.transforms, partial):
            return (self.transforms.func == other.transforms.func
                    and self.transforms.args == other.transforms.args
                    and self.transforms.keywords == other.transforms.keywords)
        return self.transforms == other.transforms


class WeightsEnum(Enum):
    """Base of every `<Model>_Weights` enum; each member's value is a `Weights`."""

    @classmethod
    def verify(cls, obj):
        """None, a member, or a member's name ("IMAGENET1K_V1", "DEFAULT" or
        "<EnumName>.IMAGENET1K_V1") -> the member (None stays None)."""
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + ".", "")]
            elif not isinstance(obj, cls):
                raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                                f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        """The checkpoint at `url`, from the hub cache (downloaded there when missing)."""
        return hub.load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def overwrite_named_param(kwargs, param, new_value):
    """Set kwargs[param] to what the weights need; a different value passed by the caller is an error."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} "
                             "instead.")
    else:
        kwargs[param] = new_value
