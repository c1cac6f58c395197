"""Image data sets with torchvision's names, layouts and behaviour, all offline.

    >>> from minitorch_lite.vision import datasets
    >>> datasets.FashionMNIST.classes[:3]
    ['T-shirt/top', 'Trouser', 'Pullover']

  FashionMNIST, MNIST     IDX files under root/<Name>/raw/ (see mnist.py; idx.py parses them)
  ImageFolder             root/<class>/<image> trees (folder.py)
  VisionDataset           the shared base with torchvision's repr (vision.py)
"""
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["VisionDataset", "StandardTransform", "MNIST", "FashionMNIST", "DatasetFolder",
           "ImageFolder"]
