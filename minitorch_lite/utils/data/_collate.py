"""Collation: turning a list of samples into one batch, exactly as torch's `default_collate`.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.utils.data import default_collate
    >>> default_collate([(mt.zeros(2), 0), (mt.ones(2), 1)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([0, 1])]

The rules (torch's, type by type, looked up on the first sample of the batch):
  Tensor            stacked along a new dim 0
  NumPy array       converted to a tensor, then stacked (string/object arrays are an error)
  NumPy scalar      `as_tensor` of the list (keeps the NumPy dtype)
  float             float64 tensor (not float32: torch keeps Python floats' precision here)
  int, bool         `tensor(list)`: int64 / bool
  str, bytes        left as the list
  dict (Mapping)    the same kind of dict, each key collated separately
  namedtuple        the same namedtuple, each field collated separately
  tuple / list      transposed and collated field by field; a tuple gives a *list* (as torch)

`collate_fn_map` maps a type (or tuple of types) to the function that collates it; extend a copy
of `default_collate_fn_map` and call `collate(batch, collate_fn_map=...)` for custom types.
"""
import collections.abc
import copy
import re

import numpy as np

from ...autograd.grad_mode import GradMode
from ...backend.dtypes import float64
from ...creation import as_tensor, tensor
from ...ops.shape import stack
from ...tensor import Tensor
from ...backend.device import xp_of

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# NumPy dtype codes of strings, bytes and Python objects: such arrays are not turned into tensors
_NP_STR_OBJ_DTYPE = re.compile(r"[SaUO]")

_ERROR_FORMAT = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                 "dicts or lists; found {}")


def default_convert(data):
    """Turn NumPy arrays (also inside dicts, lists, tuples) into tensors; leave the rest alone.

    What DataLoader applies to each sample when automatic batching is off (`batch_size=None`).
    As in torch, a plain tuple comes back as a list.
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _NP_STR_OBJ_DTYPE.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)   # keeps the mapping's own class (OrderedDict, ...)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:             # a mapping class that cannot be built from a dict
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):   # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples: find a function for the first sample's type in `collate_fn_map`
    (exact type first, then the first entry it is an instance of), else recurse into mappings,
    namedtuples and sequences."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(e) == elem_size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns            # a list, not a tuple: torch's backward compatibility
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, column in enumerate(columns):
                    clone[i] = column
                return clone
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERROR_FORMAT.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors along a new dim 0.

    The hot path of every training loop (one call per batch): when nothing needs a graph and all
    samples agree in shape, dtype and device, one `xp.stack` of the raw arrays does it; anything
    else goes through `mt.stack`, which records autograd and raises torch's errors."""
    first = batch[0]._data
    needs_graph = GradMode.enabled and any(t._requires_grad for t in batch)
    if not needs_graph:
        shape, dtype, device = first.shape, first.dtype, batch[0]._device
        if all(t._data.shape == shape and t._data.dtype == dtype and t._device is device
               for t in batch):
            xp = np if type(first) is np.ndarray else xp_of(first)
            return Tensor._make(xp.stack([t._data for t in batch]), device)
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    if _NP_STR_OBJ_DTYPE.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERROR_FORMAT.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


# Order matters where types overlap: the first entry a sample is an instance of wins.
default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Collate a list of samples into a batch with torch's rules (see the module docstring)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
