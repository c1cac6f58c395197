"""Utilities, as `torch.utils`: `data` (datasets, samplers, DataLoader) and `tensorboard`
(SummaryWriter; imported on first use, since it needs the tensorboard package).

    >>> from minitorch_lite.utils.data import DataLoader
"""
import importlib

from . import data

__all__ = ["data", "tensorboard"]


def __getattr__(name):
    if name == "tensorboard":
        return importlib.import_module(f"{__name__}.tensorboard")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
