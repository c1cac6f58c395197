"""MNIST and Fashion-MNIST, read from torchvision's on-disk layout, offline.

    >>> from minitorch_lite.vision import datasets, transforms
    >>> datasets.FashionMNIST.make_standin("data")     # offline synthetic stand-in  # doctest: +SKIP
    >>> train = datasets.FashionMNIST("data", train=True, transform=transforms.ToTensor())  # doctest: +SKIP
    >>> image, label = train[0]                                                          # doctest: +SKIP
    >>> image.shape, label                                                               # doctest: +SKIP
    (torch.Size([1, 28, 28]), 9)

Files are looked up where torchvision keeps them, `root/<ClassName>/raw/`:

    train-images-idx3-ubyte   train-labels-idx1-ubyte   (training split)
    t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte    (test split)

each plain or gzip-compressed (`.gz`). As in torchvision, all four must be present.
`download=True` never touches the network: it accepts files already there and otherwise raises
an error that says where to put which files. torchvision's legacy `processed/*.pt` caches are
not read (they are pickles, and loading pickles runs code).
"""
import os

import numpy as np
from PIL import Image

from ...creation import from_numpy
from .idx import read_idx
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST"]


class MNIST(VisionDataset):
    """MNIST digits: `.data` uint8 [N, 28, 28], `.targets` int64 [N]; items are (PIL image, int)."""

    mirrors = ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"]
    resources = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it\n"
                               + self._where_to_put_files())
        self.data, self.targets = self._load_data()

    # ---- files -------------------------------------------------------------------------------
    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    def _find(self, name):
        """The path of `name` in raw_folder, plain or .gz; None if neither exists."""
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self):
        return all(self._find(name) is not None for name in self.resources)

    def _where_to_put_files(self):
        missing = [name for name in self.resources if self._find(name) is None]
        return (f"Put these files (plain or .gz) in {os.path.abspath(self.raw_folder)}:\n"
                + "".join(f"    {name}\n" for name in missing)
                + f"(originals: {self.mirrors[0]})")

    def download(self):
        """Offline: succeed when the files are already in place, else say where they go."""
        if self._check_exists():
            return
        raise RuntimeError(f"{self.__class__.__name__}: download=True cannot fetch anything: "
                           "minitorch_lite works offline and never uses the network.\n"
                           + self._where_to_put_files())

    def _load_data(self):
        split = "train" if self.train else "t10k"
        images_path = self._find(f"{split}-images-idx3-ubyte")
        labels_path = self._find(f"{split}-labels-idx1-ubyte")
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"{images_path}: expected uint8 images of 3 dimensions, "
                             f"got {images.dtype} with shape {images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise ValueError(f"{labels_path}: expected uint8 labels of 1 dimension, "
                             f"got {labels.dtype} with shape {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} "
                             f"holds {len(labels)} labels")
        return from_numpy(images), from_numpy(labels.astype(np.int64))

    # ---- samples -----------------------------------------------------------------------------
    def __getitem__(self, index):
        """(transform(PIL image of mode 'L'), int label), as torchvision returns them."""
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy())   # a 2-D uint8 array becomes mode 'L'
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST: 10 garment classes; `make_standin(root)` writes an offline synthetic stand-in."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]

    def _where_to_put_files(self):
        return (super()._where_to_put_files()
                + f"\nor write the offline synthetic stand-in (NOT the real data) with "
                  f"FashionMNIST.make_standin({str(self.root)!r})")

    @staticmethod
    def make_standin(root, n_train=60000, n_test=10000, seed=0, compress=False):
        """Write the synthetic stand-in (see `minitorch_lite.vision.standin`) under root; return its folder."""
        from ..standin import write_fashion_mnist_standin
        return write_fashion_mnist_standin(root, n_train=n_train, n_test=n_test, seed=seed,
                                           compress=compress)
