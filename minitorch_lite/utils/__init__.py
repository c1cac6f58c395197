"""Utilities, as `torch.utils`: `data` (datasets, samplers, DataLoader).

    >>> from minitorch_lite.utils.data import DataLoader
"""
from . import data

__all__ = ["data"]
