"""Data loading, as `torch.utils.data`: datasets, samplers, DataLoader and collation.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(mt.arange(6.0).reshape(6, 1), mt.arange(6))
    >>> _ = mt.manual_seed(0)
    >>> [y.tolist() for x, y in DataLoader(ds, batch_size=4, shuffle=True)]   # torch's order
    [[0, 4, 3, 5], [2, 1]]

  dataset.py      Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, random_split
  sampler.py      which indices, in which order (Sequential, Random, SubsetRandom, Weighted, Batch)
  _collate.py     a list of samples -> one batch (default_collate, default_convert)
  dataloader.py   DataLoader: the three put together
"""
from ._collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate",
           "default_convert", "get_worker_info", "random_split"]
