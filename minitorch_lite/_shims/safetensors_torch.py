"""safetensors.torch's four functions for minitorch_lite tensors: flat dicts of named tensors.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite._shims.safetensors_torch import load, save
    >>> load(save({"w": mt.ones(2)}))
    {'w': tensor([1., 1.])}

`save_file(tensors, filename, metadata=None)` writes `{name: tensor}` as one safetensors file
(what `safetensors.torch.save_file` writes for the same tensors, so either library reads it);
`load_file(filename, device="cpu")` reads any safetensors file into `{name: tensor}`; `save` and
`load` do the same with bytes. The real `safetensors.torch` imports the real torch, so
`minitorch_lite.as_torch` registers this module under that name.
"""
import io
import os

from ..backend import safetensors_io
from ..creation import from_numpy
from ..tensor import Tensor

__all__ = ["save_file", "load_file", "save", "load"]


def _arrays(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    invalid = {name for name, t in tensors.items() if not isinstance(t, Tensor)}
    if invalid:
        raise ValueError(f"Key `{sorted(invalid)[0]}` is invalid, expected torch.Tensor but "
                         f"received {type(tensors[sorted(invalid)[0]])}")
    return [(name, t.detach()._data) for name, t in tensors.items()]


def save(tensors, metadata=None):
    """The safetensors bytes of {name: tensor}."""
    buffer = io.BytesIO()
    safetensors_io.write(buffer, _arrays(tensors), metadata)
    return buffer.getvalue()


def save_file(tensors, filename, metadata=None):
    """Write {name: tensor} to `filename` in the safetensors format."""
    with open(os.fspath(filename), "wb") as f:
        safetensors_io.write(f, _arrays(tensors), metadata)


def _tensors(arrays, device):
    return {name: from_numpy(array.copy()).to(device) for name, array in arrays.items()}


def load(data):
    """{name: tensor} from safetensors bytes."""
    arrays, _ = safetensors_io.read(io.BytesIO(data), "<bytes>")
    return _tensors(arrays, "cpu")


def load_file(filename, device="cpu"):
    """{name: tensor} from a safetensors file, on `device`."""
    arrays, _ = safetensors_io.read(os.fspath(filename))
    return _tensors(arrays, device)
