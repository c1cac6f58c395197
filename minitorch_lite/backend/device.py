"""Devices: where a tensor's array lives, and which array module (`xp`) computes on it.

    >>> import minitorch_lite as mt
    >>> mt.device("cpu"), str(mt.device("cuda:1"))
    (device(type='cpu'), 'cuda:1')

`device` mirrors `torch.device`. Each concrete device (cpu, cuda:0, cuda:1, ...) is one cached
object, so tensors compare devices with `is`. `device.xp` is the array module that computes on it:
NumPy for the CPU, CuPy for CUDA (imported on first use, so NumPy-only installs never touch it).
"""
import numpy as np

_DEVICE_TYPES = ("cpu", "cuda", "mps", "meta")


class device:
    """torch.device: `device("cpu")`, `device("cuda")`, `device("cuda:1")`, `device("cuda", 1)`."""

    __slots__ = ("type", "index")

    def __new__(cls, type_or_str, index=None):
        if isinstance(type_or_str, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given with a device object")
            return type_or_str
        if isinstance(type_or_str, int) and not isinstance(type_or_str, bool):
            type_or_str, index = "cuda", type_or_str  # torch.device(0) means cuda:0
        if not isinstance(type_or_str, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type(type_or_str).__name__})")
        kind, _, idx = type_or_str.partition(":")
        if kind not in _DEVICE_TYPES:
            raise RuntimeError("Expected one of " + ", ".join(_DEVICE_TYPES)
                               + f" device type at start of device string: {type_or_str}")
        if idx:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type_or_str}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_str}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        key = (kind, index)
        cached = _CACHE.get(key)
        if cached is None:
            cached = object.__new__(cls)
            object.__setattr__(cached, "type", kind)
            object.__setattr__(cached, "index", index)
            _CACHE[key] = cached
        return cached

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    @property
    def xp(self):
        """The array module for this device: numpy or cupy."""
        if self.type == "cpu":
            return np
        if self.type == "cuda":
            from . import cuda_backend
            return cuda_backend.cupy()
        raise RuntimeError(f"minitorch_lite has no backend for device type '{self.type}'")


_CACHE = {}
CPU = device("cpu")


def as_device(d):
    """Normalise a device argument (str, int, device or None) to a concrete cached device.

    `"cuda"` becomes `cuda:<current device>` as in torch, where a tensor's device always has an index.
    """
    if d is None:
        return CPU
    d = device(d)
    if d.type == "cuda" and d.index is None:
        from . import cuda_backend
        return device("cuda", cuda_backend.current_device())
    if d.type not in ("cpu", "cuda"):
        raise RuntimeError(f"minitorch_lite has no backend for device type '{d.type}'")
    return d


def xp_of(array):
    """The array module that computes on `array`: numpy for NumPy arrays, cupy for CuPy arrays.

    Every op computes with `xp = xp_of(x)`, so one piece of code runs on both devices.

        >>> import numpy as np
        >>> xp_of(np.zeros(2)).__name__
        'numpy'
    """
    if type(array) is np.ndarray:  # the common case first, without the device lookup
        return np
    return device_of_array(array).xp


def device_of_array(array):
    """The device an array lives on: NumPy arrays are on the CPU; CuPy arrays on their GPU."""
    if type(array) is np.ndarray:
        return CPU
    dev = getattr(array, "device", None)
    if dev is not None and hasattr(dev, "id"):
        return device("cuda", dev.id)
    return CPU
