"""make_grid and save_image: tile a batch of images into one picture (torchvision.utils).

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.vision.utils import make_grid
    >>> make_grid(mt.zeros(10, 1, 28, 28), nrow=5).shape
    torch.Size([3, 62, 152])

Images are laid out row by row, `nrow` per row, separated by `padding` pixels of `pad_value`;
one-channel images are repeated to three channels. With `normalize=True` values are shifted and
scaled into [0, 1] using `value_range` (default: the min and max, per image if `scale_each`).
"""
import math

import numpy as np
from PIL import Image

from ..tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _normalize_into_unit(array, low, high):
    array = array.clip(array.dtype.type(low), array.dtype.type(high))
    return (array - array.dtype.type(low)) / array.dtype.type(max(high - low, 1e-5))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """A [C, H', W'] grid from a batch [B, C, H, W] (or a list of [C, H, W] tensors)."""
    if isinstance(tensor, list):
        tensor = Tensor._make(tensor[0].device.xp.stack([t.detach()._data for t in tensor]), tensor[0].device)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    device, xp = tensor.device, tensor.device.xp
    array = tensor.detach()._data
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = (xp.concatenate([array] * 3, 0) if array.shape[0] == 1 else array)[None]
    if array.ndim == 4 and array.shape[1] == 1:
        array = xp.concatenate([array] * 3, 1)

    if normalize:
        def unit(a):
            low, high = value_range if value_range is not None else (float(a.min()), float(a.max()))
            return _normalize_into_unit(a, low, high)
        array = xp.stack([unit(a) for a in array]) if scale_each else unit(array)

    if array.shape[0] == 1:
        return Tensor._make(array[0], device)
    nmaps, channels, h, w = array.shape
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    height, width = h + padding, w + padding
    grid = xp.full((channels, height * ymaps + padding, width * xmaps + padding), pad_value, dtype=array.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = array[k]
    return Tensor._make(grid, device)


def save_image(tensor, fp, format=None, **kwargs):
    """Save a batch (tiled with make_grid(**kwargs)) or one image with values in [0, 1] to a file."""
    grid = make_grid(tensor, **kwargs).detach().cpu()._data
    # torchvision: mul(255).add_(0.5).clamp_(0, 255), then truncate to uint8 (so: round half up)
    pixels = np.clip(grid * 255 + 0.5, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels).save(fp, format=format)
