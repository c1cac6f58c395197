"""Contains functionality for creating DataLoaders for image classification data.

    >>> from minitorch_lite.course.going_modular import data_setup
    >>> train_dataloader, test_dataloader, class_names = data_setup.create_dataloaders(
    ...     "data/pizza_steak_sushi/train", "data/pizza_steak_sushi/test",
    ...     transform=data_transform, batch_size=32)                         # doctest: +SKIP
    >>> class_names                                                           # doctest: +SKIP
    ['pizza', 'steak', 'sushi']

The folders must be in ImageFolder's layout: one sub-folder per class, the images inside.
"""
import os
from pathlib import Path

from minitorch_lite.utils.data import DataLoader

from minitorch_lite.vision import datasets, transforms

NUM_WORKERS = os.cpu_count()


def create_dataloaders(train_dir: str, test_dir: str, transform: transforms.Compose,
                       batch_size: int, num_workers: int = NUM_WORKERS,
                       test_transform: transforms.Compose = None):
    """Creates training and testing DataLoaders from two image folders.

    Args:
      train_dir, test_dir: the two folders (root/<class>/<image>).
      transform: transforms for the training images (and the test images, unless
        test_transform is given).
      batch_size: number of samples per batch.
      num_workers: number of worker processes per DataLoader.

    Returns:
      (train_dataloader, test_dataloader, class_names).
    """
    for name, folder in (("training", train_dir), ("testing", test_dir)):
        if not Path(folder).is_dir():
            raise FileNotFoundError(f"the {name} folder {str(folder)!r} does not exist (get the "
                                    "data with `python -m minitorch_lite.course.going_modular.get_data`)")
    train_data = datasets.ImageFolder(train_dir, transform=transform)
    test_data = datasets.ImageFolder(test_dir, transform=test_transform or transform)
    class_names = train_data.classes
    train_dataloader = DataLoader(train_data, batch_size=batch_size, shuffle=True,
                                  num_workers=num_workers, pin_memory=True)
    test_dataloader = DataLoader(test_data, batch_size=batch_size, shuffle=False,
                                 num_workers=num_workers, pin_memory=True)
    return train_dataloader, test_dataloader, class_names
