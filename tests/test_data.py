"""minitorch_lite.utils.data against torch.utils.data: same batches, same order, same errors.

Every test builds the same dataset in both libraries from identical NumPy data, seeds both the
same way, and compares every batch (values, dtypes, shapes, container types) and the state of
the random stream afterwards.
"""
import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import minitorch_lite as mt
import minitorch_lite.utils.data as mdata
from harness import check_same_error

LIBS = {torch: tdata, mt: mdata}
Point = collections.namedtuple("Point", ["x", "y"])


# ---- helpers -------------------------------------------------------------------------------------

def canonical(obj):
    """A nested structure of tensors (torch's or ours) as plain, comparable Python/NumPy values."""
    if isinstance(obj, (torch.Tensor, mt.Tensor)):
        return ("tensor", str(obj.dtype), tuple(obj.shape), obj.detach().numpy().tolist())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, *map(canonical, obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [canonical(o) for o in obj])
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: canonical(v) for k, v in obj.items()})
    return (type(obj).__name__, obj)


def assert_same(t_obj, m_obj):
    assert canonical(m_obj) == canonical(t_obj)


def epochs(loader, n):
    return [[canonical(batch) for batch in loader] for _ in range(n)]


def tensor_dataset(L, n, seed=0):
    """A TensorDataset of n samples: (float32 features [2], int64 label)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)).astype(np.float32)
    y = np.arange(n, dtype=np.int64)
    return LIBS[L].TensorDataset(L.from_numpy(x), L.from_numpy(y))


def assert_streams_in_step():
    """The default generators of both libraries have consumed the same draws."""
    assert mt.rand(3).tolist() == torch.rand(3).tolist()


def run_both(fn, seed=0):
    """fn(L) under manual_seed(seed) for torch and for minitorch_lite; results compared."""
    torch.manual_seed(seed)
    expected = fn(torch)
    mt.manual_seed(seed)
    got = fn(mt)
    assert got == expected
    assert_streams_in_step()
    return got


class ListDataset:
    """A map-style dataset that is not a Dataset subclass (DataLoader accepts any such object)."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


# ---- shuffling: the order must be torch's, epoch after epoch ------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 42, 2024])
@pytest.mark.parametrize("n", [1, 7, 33, 100])
@pytest.mark.parametrize("batch_size", [1, 3, 32])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffled_loader_matches_torch(seed, n, batch_size, drop_last):
    def run(L):
        loader = LIBS[L].DataLoader(tensor_dataset(L, n), batch_size=batch_size, shuffle=True,
                                    drop_last=drop_last)
        return [len(loader)] + epochs(loader, 3)
    run_both(run, seed)


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("n", [5, 64, 1000])
def test_explicit_generator(seed, n):
    def run(L):
        g = L.Generator().manual_seed(seed)
        loader = LIBS[L].DataLoader(tensor_dataset(L, n), batch_size=16, shuffle=True, generator=g)
        return epochs(loader, 3) + [g.initial_seed()]
    run_both(run, seed=123)


def test_large_permutation_uses_vectorised_randperm():
    """n > 2048 takes the other randperm code path."""
    def run(L):
        loader = LIBS[L].DataLoader(ListDataset(list(range(5000))), batch_size=500, shuffle=True)
        return [b.tolist() for b in loader]
    run_both(run, seed=3)


def test_sequential_loader_and_len():
    def run(L):
        out = []
        for bs, drop in [(1, False), (4, False), (4, True), (10, False), (11, True)]:
            loader = LIBS[L].DataLoader(tensor_dataset(L, 10), batch_size=bs, drop_last=drop)
            out.append((len(loader), epochs(loader, 1)))
        return out
    run_both(run)


def test_random_draws_between_epochs_stay_in_step():
    """Model code draws from the same default generator between epochs (dropout, init, ...)."""
    def run(L):
        loader = LIBS[L].DataLoader(tensor_dataset(L, 20), batch_size=6, shuffle=True)
        out = []
        for _ in range(3):
            out.append([canonical(b) for b in loader])
            out.append(L.rand(4).tolist())
            out.append(L.randint(0, 10, (3,)).tolist())
        return out
    run_both(run, seed=5)


def test_dataset_drawing_randomness_while_loading():
    """A dataset that draws random numbers in __getitem__ (a random transform)."""
    class Noisy:
        def __init__(self, L):
            self.L = L

        def __getitem__(self, i):
            return self.L.rand(2) + i

        def __len__(self):
            return 9

    def run(L):
        loader = LIBS[L].DataLoader(Noisy(L), batch_size=4, shuffle=True)
        return epochs(loader, 2)
    run_both(run, seed=11)


def test_iterator_created_but_unused_draws_base_seed():
    def run(L):
        loader = LIBS[L].DataLoader(tensor_dataset(L, 10), batch_size=3, shuffle=True)
        iter(loader)   # draws the base seed only: the sampler's seed waits for the first batch
        it = iter(loader)
        first = canonical(next(it))
        return [first, L.rand(2).tolist(), [canonical(b) for b in it]]
    run_both(run, seed=8)


def test_workers_and_persistent_workers_keep_torch_order():
    """torch really starts worker processes here (about a second); we run in-process with the same order.
    With persistent workers torch draws one base seed for all epochs."""
    for kwargs in [dict(num_workers=2), dict(num_workers=2, persistent_workers=True),
                   dict(num_workers=1, prefetch_factor=3, pin_memory=False)]:
        def run(L):
            loader = LIBS[L].DataLoader(tensor_dataset(L, 24), batch_size=5, shuffle=True, **kwargs)
            return epochs(loader, 3)
        run_both(run, seed=4)


# ---- samplers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, num_samples", [(5, None), (5, 3), (5, 12), (40, 100), (7, 32),
                                            (100, 64), (3, 1)])
@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("with_generator", [False, True])
def test_random_sampler(n, num_samples, replacement, with_generator):
    def run(L):
        g = L.Generator().manual_seed(99) if with_generator else None
        s = LIBS[L].RandomSampler(range(n), replacement=replacement, num_samples=num_samples,
                                  generator=g)
        return [len(s), list(s), list(s)]
    run_both(run, seed=17)


def test_random_sampler_with_replacement_large_range():
    """randint over a range >= 2**28 uses 64-bit draws."""
    def run(L):
        s = LIBS[L].RandomSampler(range(2 ** 29), replacement=True, num_samples=40)
        return list(s)
    run_both(run, seed=2)


@pytest.mark.parametrize("with_generator", [False, True])
def test_subset_random_sampler(with_generator):
    indices = [3, 9, 27, 4, 8, 100, 1]

    def run(L):
        g = L.Generator().manual_seed(5) if with_generator else None
        s = LIBS[L].SubsetRandomSampler(indices, generator=g)
        loader = LIBS[L].DataLoader(ListDataset(list(range(200))), batch_size=3, sampler=s)
        return [len(s), list(s), epochs(loader, 2)]
    run_both(run, seed=21)


def _weights(kind):
    rng = np.random.default_rng(len(kind))
    return {"small": [0.1, 0.9, 0.4, 0.7, 3.0, 0.6], "uniform": [1.0] * 10,
            "random": rng.random(50).tolist(), "with_zeros": [1, 0, 0, 2, 0, 5],
            "skewed": (rng.random(3000) ** 4).tolist(), "tensor": "tensor"}[kind]


@pytest.mark.parametrize("kind", ["small", "uniform", "random", "with_zeros", "skewed", "tensor"])
@pytest.mark.parametrize("num_samples", [1, 2, 3, 40, 1000])
@pytest.mark.parametrize("replacement", [True, False])
@pytest.mark.parametrize("with_generator", [False, True])
def test_weighted_random_sampler(kind, num_samples, replacement, with_generator):
    def run(L):
        weights = _weights(kind)
        if weights == "tensor":
            weights = L.tensor([0.5, 2.0, 1.0, 0.25], dtype=L.float32)
        g = L.Generator().manual_seed(3) if with_generator else None
        try:
            s = LIBS[L].WeightedRandomSampler(weights, num_samples, replacement, generator=g)
            return [str(s.weights.dtype), len(s), list(s), list(s)]
        except RuntimeError as err:
            return str(err)
    run_both(run, seed=num_samples)


def test_weighted_random_sampler_in_loader():
    def run(L):
        s = LIBS[L].WeightedRandomSampler([1.0, 5.0, 0.5, 2.0, 2.0], 12)
        return epochs(LIBS[L].DataLoader(tensor_dataset(L, 5), batch_size=5, sampler=s), 2)
    run_both(run, seed=4)


@pytest.mark.parametrize("args", [
    ([1.0], 0), ([1.0], True), ([1.0], 1.5), ([1.0], 2, 1), ([[1.0, 2.0]], 2),
    ([1, -1, 2], 3), ([1, float("inf"), 2], 3), ([1, float("nan"), 2], 3), ([float("inf"), -1], 3),
    ([0, 0], 3), ([0, 0], 1), ([1, -1], 1), ([float("nan"), 1], 1), ([1, 2], 3, False),
    ([0, 0], 2, False), ([], 2), ([], 1), ([], 1, False)])
def test_weighted_random_sampler_errors(args):
    got, expected = check_same_error(lambda L: list(LIBS[L].WeightedRandomSampler(*args)))
    assert got == expected


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True),
                                                      (2, 5, False), (2, 5, True), (0, 2, False)])
def test_batch_sampler(n, batch_size, drop_last):
    def run(L):
        d = LIBS[L]
        s = d.BatchSampler(d.SequentialSampler(range(n)), batch_size, drop_last)
        r = d.BatchSampler(d.RandomSampler(range(max(n, 1))), batch_size, drop_last)
        return [len(s), list(s), len(r), list(r)]
    run_both(run, seed=6)


def test_batch_sampler_in_loader():
    def run(L):
        d = LIBS[L]
        bs = d.BatchSampler(d.RandomSampler(range(11)), batch_size=4, drop_last=False)
        loader = d.DataLoader(tensor_dataset(L, 11), batch_sampler=bs)
        plain_list = d.DataLoader(tensor_dataset(L, 11), batch_sampler=[[0, 5], [2, 2, 1]])
        return [len(loader), loader.batch_size, loader.drop_last, epochs(loader, 2),
                epochs(plain_list, 1)]
    run_both(run, seed=13)


def test_sampler_argument_errors():
    for make in [lambda d: d.BatchSampler(range(3), 0, False),
                 lambda d: d.BatchSampler(range(3), True, False),
                 lambda d: d.BatchSampler(range(3), 2.0, False),
                 lambda d: d.BatchSampler(range(3), 2, 1),
                 lambda d: d.RandomSampler(range(3), replacement=1),
                 lambda d: d.RandomSampler(range(3), num_samples=0),
                 lambda d: d.RandomSampler(range(3), num_samples=2.5),
                 lambda d: d.RandomSampler([])]:
        got, expected = check_same_error(lambda L: make(LIBS[L]))
        assert got == expected


def test_sequential_sampler():
    assert list(mdata.SequentialSampler(range(4))) == list(tdata.SequentialSampler(range(4)))
    assert len(mdata.SequentialSampler("abc")) == 3


# ---- random_split --------------------------------------------------------------------------------

@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (10, [10, 0]), (60000, [48000, 12000]),
                                        (10, [0.8, 0.2]), (101, [0.8, 0.2]), (30, [0.3, 0.3, 0.4]),
                                        (7, [0.5, 0.5]), (5, [0.1, 0.1, 0.8]), (3, [1 / 3] * 3),
                                        (75750, [0.2, 0.8])])
@pytest.mark.parametrize("generator", ["default", "explicit", "none"])
def test_random_split(n, lengths, generator):
    def run(L):
        g = {"default": (), "explicit": (L.Generator().manual_seed(42),), "none": (None,)}[generator]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts = LIBS[L].random_split(ListDataset(list(range(n))), lengths, *g)
        return ([str(w.message) for w in caught], [len(p) for p in parts],
                [p.indices for p in parts], [p[0] for p in parts if len(p)])
    run_both(run, seed=9)


def test_random_split_of_dataset_and_loader_over_subset():
    """The course's 80/20 split, then a shuffled loader over the training part."""
    def run(L):
        train, test = LIBS[L].random_split(tensor_dataset(L, 50), [0.8, 0.2],
                                           generator=L.manual_seed(42))
        loader = LIBS[L].DataLoader(train, batch_size=8, shuffle=True)
        return [len(train), len(test), canonical(test[3]), epochs(loader, 2)]
    run_both(run)


def test_random_split_errors():
    for lengths in [[3, 3], [0.5, 0.6], [1.5, -0.5], [11]]:
        got, expected = check_same_error(
            lambda L: LIBS[L].random_split(ListDataset(list(range(10))), lengths))
        assert got == expected


# ---- datasets ------------------------------------------------------------------------------------

def test_tensor_dataset():
    t, m = tensor_dataset(torch, 6), tensor_dataset(mt, 6)
    assert len(m) == len(t) == 6
    for i in [0, 5, -1, slice(1, 4)]:
        assert_same(t[i], m[i])
    got, expected = check_same_error(lambda L: LIBS[L].TensorDataset(L.zeros(3, 2), L.zeros(4)))
    assert got == expected


def test_dataset_iterates_until_index_error():
    """`list(dataset)` works through __getitem__ raising IndexError past the end."""
    assert_same(list(tensor_dataset(torch, 4)), list(tensor_dataset(mt, 4)))
    got, expected = check_same_error(lambda L: tensor_dataset(L, 4)[4])
    assert got == expected


def test_concat_dataset():
    def run(L):
        d = LIBS[L]
        a, b = d.TensorDataset(L.arange(3)), d.TensorDataset(L.arange(10, 15))
        c = a + b
        cc = d.ConcatDataset([a, ListDataset([(L.tensor(99),)]), b])
        loader = d.DataLoader(c, batch_size=3, shuffle=True)
        return [type(c).__name__, len(c), c.cumulative_sizes, cc.cumulative_sizes,
                [canonical(c[i]) for i in range(-8, 8)], canonical(cc[3]), epochs(loader, 2)]
    run_both(run, seed=1)
    for make in [lambda L: LIBS[L].ConcatDataset([]),
                 lambda L: LIBS[L].ConcatDataset([LIBS[L].TensorDataset(L.arange(3))])[-4],
                 lambda L: LIBS[L].ConcatDataset([LIBS[L].TensorDataset(L.arange(3))])[3],
                 lambda L: LIBS[L].ConcatDataset([Stream(LIBS[L], 3)])]:
        got, expected = check_same_error(make)
        assert got == expected


def test_subset():
    def run(L):
        d = LIBS[L]
        base = tensor_dataset(L, 10)
        s = d.Subset(base, [7, 2, 2, 9])
        nested = d.Subset(s, [3, 0])
        loader = d.DataLoader(nested, batch_size=2)
        return [len(s), canonical(s[1]), canonical(nested[0]), epochs(loader, 1),
                canonical(s.__getitems__([0, 3]))]
    run_both(run)


def test_subset_overriding_getitem_only_is_an_error():
    def make(L):
        class Doubled(LIBS[L].Subset):
            def __getitem__(self, i):
                return 2 * super().__getitem__(i)
        return Doubled(ListDataset([1, 2]), [0])
    got, expected = check_same_error(make)
    assert got == expected


def test_dataset_base_classes():
    for d in LIBS.values():
        with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
            d.Dataset()[0]
        both = d.TensorDataset(mt.arange(2) if d is mdata else torch.arange(2)) + ListDataset([7])
        assert isinstance(both, d.ConcatDataset) and len(both) == 3

    class Images(mdata.Dataset[tuple]):   # generic like torch's
        pass
    assert issubclass(Images, mdata.Dataset)


# ---- iterable datasets ---------------------------------------------------------------------------

def Stream(d, n, with_len=True):
    """An IterableDataset of n (float tensor, int) samples built for library module `d`."""
    L = torch if d is tdata else mt

    class _Stream(d.IterableDataset):
        def __iter__(self):
            return iter([(L.full((2,), float(i)), i) for i in range(n)])

    if with_len:
        _Stream.__len__ = lambda self: n
    return _Stream()


@pytest.mark.parametrize("n", [0, 1, 7, 8])
@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (4, True),
                                                   (None, False)])
def test_iterable_dataset(n, batch_size, drop_last):
    def run(L):
        loader = LIBS[L].DataLoader(Stream(LIBS[L], n), batch_size=batch_size, drop_last=drop_last)
        return [len(loader), epochs(loader, 2)]
    run_both(run, seed=3)


def test_iterable_dataset_len_and_chain():
    def run(L):
        d = LIBS[L]
        chained = Stream(d, 3) + Stream(d, 2)
        loader = d.DataLoader(chained, batch_size=2)
        no_len = d.DataLoader(Stream(d, 5, with_len=False), batch_size=2)
        return [type(chained).__name__, len(chained), len(loader), epochs(loader, 1),
                epochs(no_len, 1)]
    run_both(run)
    got, expected = check_same_error(
        lambda L: len(LIBS[L].DataLoader(Stream(LIBS[L], 5, with_len=False))))
    assert got == expected


def test_iterable_dataset_longer_than_reported_warns():
    def run(L):
        class Liar(LIBS[L].IterableDataset):
            def __iter__(self):
                return iter(range(5))

            def __len__(self):
                return 3

            def __repr__(self):
                return "Liar()"

        loader = LIBS[L].DataLoader(Liar(), batch_size=1)
        len(loader)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            batches = [b.tolist() for b in loader]
        return batches, [str(w.message) for w in caught]
    run_both(run)


# ---- collation -----------------------------------------------------------------------------------

def samples_for(L):
    """Lists of samples of every kind default_collate knows, built for library L."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 3)) for _ in range(3)]
    tensors = [L.from_numpy(a.astype(np.float32)) for a in arrays]
    return {
        "tensors": tensors,
        "tensors_int": [L.tensor([i, i + 1]) for i in range(3)],
        "scalars": [L.tensor(1.5), L.tensor(2.5)],
        "ints": [1, 2, 3],
        "floats": [0.1, 2.0, -3.5],
        "bools": [True, False],
        "mixed_int_bool": [1, True],
        "numpy_arrays": arrays,
        "numpy_int_arrays": [np.arange(3, dtype=np.int32) + i for i in range(2)],
        "numpy_f32_scalars": [np.float32(1.25), np.float32(2)],
        "numpy_i64_scalars": [np.int64(4), np.int64(-1)],
        "numpy_f64_scalars": [np.float64(0.1), np.float64(0.2)],
        "numpy_bool_scalars": [np.bool_(True), np.bool_(False)],
        "strings": ["cat", "dog"],
        "bytes": [b"a", b"b"],
        "image_label": [(t[:1].reshape(1, 1, 3), i) for i, t in enumerate(tensors)],
        "lists": [[t, i, "s"] for i, t in enumerate(tensors)],
        "dicts": [{"x": t, "label": i, "name": f"n{i}"} for i, t in enumerate(tensors)],
        "ordered": [collections.OrderedDict(b=i, a=float(i)) for i in range(3)],
        "namedtuples": [Point(t, i) for i, t in enumerate(tensors)],
        "nested": [{"pair": (t, [i, 2 * i]), "p": Point(i, float(i))} for i, t in enumerate(tensors)],
    }


@pytest.mark.parametrize("kind", list(samples_for(torch)))
def test_default_collate(kind):
    assert_same(tdata.default_collate(samples_for(torch)[kind]),
                mdata.default_collate(samples_for(mt)[kind]))


@pytest.mark.parametrize("kind", list(samples_for(torch)))
def test_default_convert(kind):
    for t_sample, m_sample in zip(samples_for(torch)[kind], samples_for(mt)[kind]):
        assert_same(tdata.default_convert(t_sample), mdata.default_convert(m_sample))


@pytest.mark.parametrize("batch", [
    lambda L: [L.zeros(2, 3), L.zeros(3, 2)],
    lambda L: [L.zeros(2), L.zeros(2), L.zeros(3)],
    lambda L: [(L.zeros(1), 1), (L.zeros(1),)],
    lambda L: [object(), object()],
    lambda L: [np.array(["a", "b"]), np.array(["c", "d"])],
    lambda L: [{"a": 1}, {"b": 2}],
    lambda L: [None, None],
])
def test_default_collate_errors(batch):
    got, expected = check_same_error(lambda L: LIBS[L].default_collate(batch(L)))
    assert got == expected


def test_collate_float_and_int_dtypes():
    """Python floats collate to float64 (not float32), ints to int64, as torch does."""
    batch = mdata.default_collate([(0.5, 1), (1.5, 2)])
    assert batch[0].dtype == mt.float64 and batch[1].dtype == mt.int64


def test_collate_mixed_dtypes_promote_like_torch():
    assert_same(tdata.default_collate([torch.tensor([1.0]), torch.tensor([2])]),
                mdata.default_collate([mt.tensor([1.0]), mt.tensor([2])]))


def test_collate_keeps_autograd():
    """Samples that require grad are stacked through the graph (as torch.stack does)."""
    xs = [mt.tensor([1.0, 2.0], requires_grad=True), mt.tensor([3.0, 4.0], requires_grad=True)]
    batch = mdata.default_collate(xs)
    assert batch.grad_fn.name() == "StackBackward0"
    (batch * mt.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert xs[1].grad.tolist() == [3.0, 4.0]
    with mt.no_grad():
        assert mdata.default_collate(xs).grad_fn is None


def test_collate_result_owns_its_memory():
    """The stacked batch is a copy: changing it leaves the dataset alone."""
    data = mt.zeros(4, 2)
    batch = next(iter(mdata.DataLoader(mdata.TensorDataset(data), batch_size=2)))[0]
    batch += 1
    assert data.sum().item() == 0


def test_custom_collate_fn():
    def run(L):
        def pad_and_count(samples):
            xs, ys = zip(*samples)
            return L.stack(xs).sum(0), len(ys)
        loader = LIBS[L].DataLoader(tensor_dataset(L, 9), batch_size=4, shuffle=True,
                                    collate_fn=pad_and_count)
        return epochs(loader, 2)
    run_both(run, seed=31)


def test_no_auto_batching():
    def run(L):
        d = LIBS[L]
        samples = [(np.arange(2) + i, {"k": np.float32(i)}, "s") for i in range(3)]
        loader = d.DataLoader(ListDataset(samples), batch_size=None, shuffle=True)
        return [len(loader), epochs(loader, 2)]
    run_both(run, seed=2)


@pytest.mark.parametrize("sample", ["dict", "tuple", "namedtuple", "list"])
def test_structured_samples_through_loader(sample):
    def run(L):
        rng = np.random.default_rng(0)
        items = []
        for i in range(10):
            x, y = L.from_numpy(rng.standard_normal(3).astype(np.float32)), i % 3
            items.append({"dict": {"x": x, "y": y}, "tuple": (x, y, float(i)),
                          "namedtuple": Point(x, y), "list": [x, [y, y]]}[sample])
        loader = LIBS[L].DataLoader(ListDataset(items), batch_size=4, shuffle=True)
        return epochs(loader, 2)
    run_both(run, seed=10)


def test_mnist_like_batches():
    """The course's FashionMNIST pattern: a Dataset subclass returning (float[1,28,28], int)."""
    images = np.random.default_rng(0).integers(0, 256, (70, 28, 28), dtype=np.uint8)

    def run(L):
        class Images(LIBS[L].Dataset):
            def __len__(self):
                return len(images)

            def __getitem__(self, i):
                return L.from_numpy(images[i]).float().div(255).unsqueeze(0), int(images[i, 0, 0] % 10)

        loader = LIBS[L].DataLoader(Images(), batch_size=32, shuffle=True)
        x, y = next(iter(loader))
        return [len(loader), str(x.dtype), tuple(x.shape), str(y.dtype), tuple(y.shape),
                epochs(loader, 1)]
    run_both(run, seed=42)


# ---- DataLoader arguments ------------------------------------------------------------------------

def _errors():
    return [
        dict(shuffle=True, sampler=[0, 1]),
        dict(batch_sampler=[[0]], batch_size=2),
        dict(batch_sampler=[[0]], shuffle=True),
        dict(batch_sampler=[[0]], sampler=[0]),
        dict(batch_sampler=[[0]], drop_last=True),
        dict(batch_size=None, drop_last=True),
        dict(num_workers=-1),
        dict(timeout=-1),
        dict(prefetch_factor=2),
        dict(num_workers=2, prefetch_factor=-1),
        dict(persistent_workers=True),
        dict(multiprocessing_context="fork"),
        dict(num_workers=1, multiprocessing_context="nonsense"),
        dict(num_workers=1, multiprocessing_context=3),
        dict(batch_size=0),
        dict(batch_size=-3),
        dict(drop_last=None),
    ]


@pytest.mark.parametrize("kwargs", _errors())
def test_loader_argument_errors(kwargs):
    got, expected = check_same_error(lambda L: LIBS[L].DataLoader(tensor_dataset(L, 4), **kwargs))
    assert got == expected


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_dataset_argument_errors(kwargs):
    got, expected = check_same_error(
        lambda L: LIBS[L].DataLoader(Stream(LIBS[L], 3), **kwargs))
    assert got.split("got")[0] == expected.split("got")[0]   # the repr of the sampler differs


@pytest.mark.parametrize("attr", ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                  "persistent_workers"])
def test_frozen_attributes(attr):
    def set_it(L):
        setattr(LIBS[L].DataLoader(tensor_dataset(L, 4)), attr, None)
    got, expected = check_same_error(set_it)
    assert got == expected


def test_loader_attributes():
    t = tdata.DataLoader(tensor_dataset(torch, 10), batch_size=4, shuffle=True, num_workers=2,
                         drop_last=True)
    m = mdata.DataLoader(tensor_dataset(mt, 10), batch_size=4, shuffle=True, num_workers=2,
                         drop_last=True)
    for attr in ["batch_size", "drop_last", "num_workers", "prefetch_factor", "pin_memory",
                 "timeout", "persistent_workers", "generator", "pin_memory_device"]:
        assert getattr(m, attr) == getattr(t, attr), attr
    assert type(m.sampler).__name__ == type(t.sampler).__name__ == "RandomSampler"
    assert type(m.batch_sampler).__name__ == "BatchSampler"
    assert m.collate_fn is mdata.default_collate
    assert isinstance(m.dataset, mdata.TensorDataset) and len(m) == len(t) == 2
    assert mdata.DataLoader(tensor_dataset(mt, 3), batch_size=None).collate_fn is mdata.default_convert
    assert mdata.get_worker_info() is None
    m.num_workers = 0   # not frozen in torch either


def test_pin_memory_warns_without_gpu():
    from minitorch_lite.backend import cuda_backend
    if cuda_backend.is_available():
        pytest.skip("the warning is for machines without a GPU")

    def run(L):
        loader = LIBS[L].DataLoader(tensor_dataset(L, 4), batch_size=2, pin_memory=True,
                                    pin_memory_device="cuda")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            batches = epochs(loader, 1)
        return batches, [str(w.message) for w in caught]
    run_both(run)


def test_loader_on_device(device):
    """Tensors on a GPU are collated there (CuPy's stack); batches equal the CPU ones."""
    x = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    cpu = mdata.TensorDataset(mt.from_numpy(x), mt.arange(10))
    on_device = mdata.TensorDataset(mt.from_numpy(x).to(device), mt.arange(10).to(device))
    for ds in (cpu, on_device):
        mt.manual_seed(0)
        batches = list(mdata.DataLoader(ds, batch_size=4, shuffle=True))
        if ds is cpu:
            expected = [canonical(b) for b in batches]
    assert all(b.device.type == device for batch in batches for b in batch)
    assert [canonical([b.cpu() for b in batch]) for batch in batches] == expected
