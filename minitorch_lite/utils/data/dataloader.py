"""DataLoader: a dataset + a sampler + a collate function = an iterable of batches.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(mt.arange(10.0).reshape(5, 2), mt.arange(5))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader)
    3
    >>> next(iter(loader))
    [tensor([[0., 1.],
            [2., 3.]]), tensor([0, 1])]

How a batch is made (torch's pipeline, step by step):
  1. the batch sampler yields a list of indices (BatchSampler over a Sequential or Random sampler)
  2. the samples are read: `dataset.__getitems__(indices)` if the dataset has it, else
     `[dataset[i] for i in indices]` (an IterableDataset is read with `next()` instead)
  3. `collate_fn` (default: `default_collate`) turns the list of samples into the batch.
With `batch_size=None` there is no batching: each sample goes through `default_convert` alone.

Random order: creating an iterator draws a "base seed" from the generator first (torch hands it
to worker processes; here it is drawn only so that the generator advances exactly as torch's
does), then the RandomSampler draws its own seed when the first batch is asked for. So
`mt.manual_seed(s)` followed by the epochs of a shuffled DataLoader gives torch's order, epoch
after epoch.

Workers: everything runs in the main process, but with `num_workers > 0` a map-style dataset
is read under the random state torch's worker processes would have. torch sends batch k to
worker k % num_workers, and each worker seeds its own generators once, from the base seed:
`torch.manual_seed(base_seed + id)`, `random.seed(base_seed + id)`, NumPy's global state from
torch's `_generate_state(base_seed, id)`, then calls `worker_init_fn(id)`. Here each batch is
fetched with those three states swapped in (and `get_worker_info()` describing the worker), so a
random transform such as TrivialAugmentWide draws exactly what it draws in torch's workers, and
the main generator advances as torch's does (transforms in workers do not touch it).
An IterableDataset is read once, in the main process, whatever `num_workers` says (torch gives
each worker its own copy). `prefetch_factor`, `persistent_workers`, `timeout` and
`multiprocessing_context` are checked like torch checks them; `pin_memory` is accepted and does
nothing (it warns, as torch does, when there is no GPU). With workers, torch also asks the
sampler for its first indices as soon as the iterator is made; here that waits for the first
batch (the same draws, in the same order, unless other code draws in between).
"""
import math
import multiprocessing
import random
import warnings

import numpy as np

from ...backend import cuda_backend
from ...random import default_generator
from ._collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "WorkerInfo", "default_collate", "default_convert"]


class WorkerInfo:
    """What `get_worker_info()` returns inside a worker: id, num_workers, seed, dataset."""

    def __init__(self, id, num_workers, seed, dataset):
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, "
                f"dataset={self.dataset})")


_worker_info = None


def get_worker_info():
    """The WorkerInfo of the (emulated) worker reading the current batch; None in the main
    process, as in torch."""
    return _worker_info


def _generate_state(base_seed, worker_id):
    """torch's seed for a worker's NumPy global generator: four 32-bit words hashed from the base
    seed and the worker id (torch.utils.data._utils.worker._generate_state)."""
    mask32, xshift = 0xFFFFFFFF, 16
    hash_const_a = 0x43B0D7E5

    def hash32(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & mask32
        hash_const_a = (hash_const_a * 0x931E8875) & mask32
        value = (value * hash_const_a) & mask32
        return (value ^ (value >> xshift)) & mask32

    def mix(x, y):
        result = ((0xCA01F9DD * x) & mask32) - ((0x4973F715 * y) & mask32)
        result &= mask32
        return (result ^ (result >> xshift)) & mask32

    pool = [hash32(v) for v in (worker_id, base_seed & mask32, base_seed >> 32, 0)]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash32(pool[i_src]))
    hash_const_b, state = 0x8B51F9DD, []
    for value in pool:
        value = (value ^ hash_const_b) & mask32
        hash_const_b = (hash_const_b * 0x58F38DED) & mask32
        value = (value * hash_const_b) & mask32
        state.append((value ^ (value >> xshift)) & mask32)
    return state


class _EmulatedWorkers:
    """The random states torch's worker processes would hold, swapped in around each batch."""

    def __init__(self, loader, base_seed):
        self._num_workers = loader.num_workers
        self._init_fn = loader.worker_init_fn
        self._dataset = loader.dataset
        self._base_seed = base_seed
        self._states = [None] * loader.num_workers   # (generator, random, numpy) per worker
        self._infos = [None] * loader.num_workers
        self._batches_sent = 0   # torch hands out batches round-robin, from worker 0 each epoch

    def new_epoch(self):
        """Persistent workers keep their random states; the round-robin starts again at 0."""
        self._batches_sent = 0

    def run(self, fetch):
        """fetch() as the next worker in torch's round-robin would run it."""
        global _worker_info
        worker_id = self._batches_sent % self._num_workers
        self._batches_sent += 1
        main_state = (default_generator.get_state(), random.getstate(), np.random.get_state(),
                      _worker_info)
        try:
            if self._states[worker_id] is None:      # the worker starts: torch's _worker_loop
                seed = self._base_seed + worker_id
                random.seed(seed)
                default_generator.manual_seed(seed)
                np.random.seed(_generate_state(self._base_seed, worker_id))
                _worker_info = self._infos[worker_id] = WorkerInfo(
                    id=worker_id, num_workers=self._num_workers, seed=seed, dataset=self._dataset)
                if self._init_fn is not None:
                    self._init_fn(worker_id)
            else:
                generator_state, random_state, numpy_state = self._states[worker_id]
                default_generator.set_state(generator_state)
                random.setstate(random_state)
                np.random.set_state(numpy_state)
                _worker_info = self._infos[worker_id]
            return fetch()
        finally:
            self._states[worker_id] = (default_generator.get_state(), random.getstate(),
                                       np.random.get_state())
            generator_state, random_state, numpy_state, _worker_info = main_state
            default_generator.set_state(generator_state)
            random.setstate(random_state)
            np.random.set_state(numpy_state)


class _InfiniteConstantSampler(Sampler):
    """None, None, ...: the "indices" for an IterableDataset, which ignores them."""

    def __iter__(self):
        while True:
            yield None


# attributes that fix how batches are made: changing them after construction is an error in torch
_FROZEN_ATTRIBUTES = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                      "persistent_workers")


class DataLoader:
    """Iterate over `dataset` in batches. Same arguments, defaults and checks as torch's.

    `shuffle=True` uses a RandomSampler (reshuffled every epoch); `sampler` or `batch_sampler`
    choose the indices yourself; `generator` replaces the default generator for the shuffling.
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = _check_context(multiprocessing_context, num_workers)
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._iterable = True
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            self._iterable = False
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None   # len(loader) of an IterableDataset, if asked
        self._iterator = None                     # the one iterator kept with persistent_workers
        self._initialized = True

    def __setattr__(self, attr, value):
        if self._initialized and attr in _FROZEN_ATTRIBUTES:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self):
        """Whether samples are grouped into batches (and collated) at all."""
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            # torch keeps one iterator (and its workers) alive and only resets it, so later
            # epochs draw no new base seed: mirrored here to keep the RNG stream identical.
            if self._iterator is None:
                self._iterator = _DataLoaderIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return _DataLoaderIter(self)

    def __len__(self):
        if self._iterable:
            # only a guess for a stream: the dataset's own length, in batches
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(
                    length / self.batch_size)
            return length
        return len(self._index_sampler)


def _check_context(context, num_workers):
    """torch's checks of `multiprocessing_context` (the context itself is never used here)."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError("multiprocessing_context can only be used with multi-process loading "
                         f"(num_workers > 0), but got num_workers={num_workers}")
    if isinstance(context, str):
        valid = multiprocessing.get_all_start_methods()
        if context not in valid:
            raise ValueError("multiprocessing_context option should specify a valid start method "
                             f"in {valid!r}, but got multiprocessing_context={context!r}")
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError("multiprocessing_context option should be a valid context object or a "
                        "string specifying the start method, but got "
                        f"multiprocessing_context={context}")
    return context


class _DataLoaderIter:
    """One pass over a DataLoader (one epoch)."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._collate_fn = loader.collate_fn
        self._index_sampler = loader._index_sampler
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn("pin_memory_device is deprecated, the current accelerator will be used "
                          f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                          stacklevel=3)
        if loader.pin_memory and not cuda_backend.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.", stacklevel=3)
        self._sampler_iter = iter(self._index_sampler)
        # torch draws this seed for its worker processes; drawing it keeps the RNG stream in step.
        generator = default_generator if loader.generator is None else loader.generator
        self._base_seed = int(generator.random_())
        self._workers = (_EmulatedWorkers(loader, self._base_seed)
                         if loader.num_workers > 0 and not self._iterable else None)
        self._start_epoch()

    def _start_epoch(self):
        self._dataset_iter = iter(self._dataset) if self._iterable else None
        self._dataset_ended = False
        self._num_yielded = 0

    def _reset(self, loader):
        """Start a new epoch with the same iterator (persistent_workers): no new base seed."""
        self._sampler_iter = iter(self._index_sampler)
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        if self._workers is not None:
            self._workers.new_epoch()
        self._start_epoch()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._index_sampler)

    def __next__(self):
        index = next(self._sampler_iter)
        if self._iterable:
            data = self._fetch_iterable(index)
        elif self._workers is not None:
            data = self._workers.run(lambda: self._fetch_map(index))
        else:
            data = self._fetch_map(index)
        self._num_yielded += 1
        if (self._iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{self._IterableDataset_len_called}(when accessing len(dataloader)), "
                          f"but {self._num_yielded} samples have been fetched. ", stacklevel=2)
        return data

    def _fetch_map(self, index):
        if not self._auto_collation:
            return self._collate_fn(self._dataset[index])
        if getattr(self._dataset, "__getitems__", None):
            samples = self._dataset.__getitems__(index)
        else:
            samples = [self._dataset[i] for i in index]
        return self._collate_fn(samples)

    def _fetch_iterable(self, index):
        """The next batch of the stream: up to len(index) samples; an empty or (with drop_last)
        short batch ends the epoch."""
        if self._dataset_ended:
            raise StopIteration
        if not self._auto_collation:
            return self._collate_fn(next(self._dataset_iter))
        samples = []
        for _ in index:
            try:
                samples.append(next(self._dataset_iter))
            except StopIteration:
                self._dataset_ended = True
                break
        if not samples or (self._drop_last and len(samples) < len(index)):
            raise StopIteration
        return self._collate_fn(samples)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")
