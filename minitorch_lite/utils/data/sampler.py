"""Samplers: which dataset indices a DataLoader reads, and in what order.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.utils.data import BatchSampler, RandomSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> list(RandomSampler(range(6), generator=mt.Generator().manual_seed(0)))
    [2, 5, 3, 0, 1, 4]

The random samplers draw from minitorch_lite's generator with torch's recipe, so a seed gives
torch's order. Every `__iter__` is a generator function, as in torch: nothing is drawn until the
first index is asked for, which keeps the draws in torch's order when other code (a random
transform in the dataset) uses the same generator in between.
"""
import math
from typing import Generic, TypeVar

import numpy as np

from ...creation import as_tensor
from ...random import Generator, default_generator
from ...tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

_T_co = TypeVar("_T_co", covariant=True)
_RANDINT_CHUNK = 32   # RandomSampler(replacement=True) draws its indices 32 at a time


class Sampler(Generic[_T_co]):
    """Base class: subclasses define `__iter__` (indices, or lists of indices for a batch
    sampler) and usually `__len__`."""

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices (a fresh one each epoch), or `num_samples` indices drawn
    with replacement.

    Without a `generator`, each epoch draws a seed from the default generator (an int64
    `random_()`), seeds a new Generator with it and draws from that, exactly as torch does.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        if self.generator is None:
            generator = Generator().manual_seed(default_generator.random_())
        else:
            generator = self.generator
        if self.replacement:
            for _ in range(self.num_samples // _RANDINT_CHUNK):
                yield from generator.randint(0, n, (_RANDINT_CHUNK,)).tolist()
            yield from generator.randint(0, n, (self.num_samples % _RANDINT_CHUNK,)).tolist()
        else:
            # whole permutations while they fit, then the start of one more
            for _ in range(self.num_samples // n):
                yield from generator.randperm(n).tolist()
            yield from generator.randperm(n).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order: `indices[i]` for i in `randperm(len(indices))`."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        generator = default_generator if self.generator is None else self.generator
        for i in generator.randperm(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probabilities proportional to `weights`: torch's
    `multinomial(weights, num_samples, replacement)`, draw for draw (see `_multinomial`)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        if isinstance(weights, Tensor):
            weights = weights.detach().cpu()._data
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        self.weights = as_tensor(weights)     # float64, as torch keeps it
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        generator = default_generator if self.generator is None else self.generator
        yield from _multinomial(generator, self.weights._data, self.num_samples,
                                self.replacement).tolist()

    def __len__(self):
        return self.num_samples


def _multinomial(generator, weights, n, replacement):
    """torch.multinomial of a 1-d float64 weight vector on the CPU, with torch's checks.

    With replacement (n > 1): one 53-bit uniform u per draw, and the first index whose
    normalised cumulative weight reaches u. Otherwise (the "Gumbel trick"): q ~ Exp(1) per
    weight, as -log1p(-u) with the C library's log1p, and the indices of the n largest w / q.
    Ties of w / q (only zero weights tie in practice) are ordered by index here; torch's topk
    orders them its own way, so those trailing zero-weight indices may differ from torch.
    """
    categories = weights.shape[0]
    if not replacement and n > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not replacement or n == 1:
        if categories == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        if not (weights.max() < math.inf and weights.min() >= 0):   # False for NaN too
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if weights.sum() == 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        u = generator.rand((categories,), np.float64)
        q = np.fromiter(map(math.log1p, (-u).tolist()), np.float64, count=categories)
        scores = weights / -q
        if n == 1:
            return np.argmax(scores, keepdims=True)
        return np.argsort(-scores, kind="stable")[:n]
    # torch checks entry by entry; the first bad entry decides the message
    bad = ~((weights >= 0) & np.isfinite(weights))
    if bad.any():
        first = weights[np.argmax(bad)]
        raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                           + ("< 0)" if not first >= 0 else "= infinity or NaN)"))
    cumulative = np.cumsum(weights)    # sequential sums, like torch's loop
    total = cumulative[-1] if categories else 0.0
    if not total > 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    cumulative /= total
    return np.searchsorted(cumulative, generator.rand((n,), np.float64), side="left")


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size`; the last, shorter list is
    kept unless `drop_last`."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
