"""DataLoader(num_workers > 0): random transforms draw what they draw in torch's worker processes.

torch really starts worker processes here; minitorch_lite reads every batch in the main process
with the random states torch's workers would have (torch.manual_seed, random.seed and NumPy's
global seed from the base seed and the worker id; batch k read by worker k % num_workers).
"""
import random

import numpy as np
import pytest
import torch
from PIL import Image

import minitorch_lite as mt
from minitorch_lite.utils.data import DataLoader, get_worker_info
from minitorch_lite.utils.data.dataloader import _generate_state
from minitorch_lite.vision import transforms as MT
from reference._torchvision import transforms as TT


class Draws:
    """Each item: what the framework's generator, `random` and NumPy draw, and the worker id."""

    def __init__(self, lib, worker_info):
        self.lib, self.worker_info = lib, worker_info

    def __len__(self):
        return 23

    def __getitem__(self, index):
        info = self.worker_info()
        return (self.lib.rand(2) + index, random.random(), float(np.random.rand()),
                -1 if info is None else info.id * 100 + info.num_workers)


def _epochs(loader, n):
    return [[[np.asarray(part) for part in batch] for batch in loader] for _ in range(n)]


@pytest.mark.filterwarnings("ignore:This DataLoader will create")  # torch: more workers than CPUs
@pytest.mark.parametrize("kwargs", [dict(num_workers=2), dict(num_workers=3, persistent_workers=True),
                                    dict(num_workers=1, prefetch_factor=3)])
def test_worker_draws_match_torch(kwargs):
    torch.manual_seed(5)
    mt.manual_seed(5)
    theirs = torch.utils.data.DataLoader(Draws(torch, torch.utils.data.get_worker_info), batch_size=4,
                                         shuffle=True, **kwargs)
    ours = DataLoader(Draws(mt, get_worker_info), batch_size=4, shuffle=True, **kwargs)
    their_epochs = _epochs(theirs, 3)
    our_epochs = _epochs(ours, 3)
    for their_batch, our_batch in zip(sum(their_epochs, []), sum(our_epochs, [])):
        for their_part, our_part in zip(their_batch, our_batch):
            np.testing.assert_array_equal(our_part, their_part)
    assert torch.rand(1).item() == mt.rand(1).item()   # the main generators advanced alike
    assert get_worker_info() is None


def test_worker_init_fn_runs_once_per_worker_in_its_state():
    calls = []

    def init(worker_id):
        calls.append((worker_id, get_worker_info().seed, int(mt.randint(0, 1000, (1,)))))

    mt.manual_seed(0)
    loader = DataLoader(Draws(mt, get_worker_info), batch_size=5, num_workers=2, worker_init_fn=init)
    list(loader)
    base = calls[0][1]
    assert [c[0] for c in calls] == [0, 1] and calls[1][1] == base + 1
    expected = [int(mt.Generator().manual_seed(base + w).randint(0, 1000, (1,))[0]) for w in (0, 1)]
    assert [c[2] for c in calls] == expected


def test_numpy_seed_of_a_worker_is_torchs():
    from torch.utils.data._utils.worker import _generate_state as torch_generate_state
    for base_seed in (0, 1, 2 ** 32 + 7, 2 ** 63 - 1, 123456789):
        for worker_id in range(4):
            assert _generate_state(base_seed, worker_id) == torch_generate_state(base_seed, worker_id)


def test_trivial_augment_in_workers_like_torch(rng):
    """Chapter 04's augmented training data with num_workers=2: the same batches."""
    images = [Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)) for _ in range(12)]

    class Images:
        def __init__(self, transform):
            self.transform = transform

        def __len__(self):
            return len(images)

        def __getitem__(self, index):
            return self.transform(images[index]), index % 3

    def pipeline(T):
        return T.Compose([T.Resize((32, 32)), T.TrivialAugmentWide(num_magnitude_bins=31), T.ToTensor()])

    torch.manual_seed(42)
    mt.manual_seed(42)
    theirs = torch.utils.data.DataLoader(Images(pipeline(TT)), batch_size=4, shuffle=True, num_workers=2)
    ours = DataLoader(Images(pipeline(MT)), batch_size=4, shuffle=True, num_workers=2)
    for _ in range(2):
        for (their_x, their_y), (our_x, our_y) in zip(theirs, ours):
            np.testing.assert_array_equal(our_x.numpy(), their_x.numpy())
            np.testing.assert_array_equal(our_y.numpy(), their_y.numpy())
