"""Views: tensors that share another tensor's memory, and where in that memory they sit.

    >>> import minitorch_lite as mt
    >>> x = mt.arange(6.0)
    >>> v = x[2:4]
    >>> v._base is x, v.storage_offset()
    (True, 2)

A view (a slice, a transpose, a reshape that needs no copy...) records its *root*: the tensor that
owns the memory. The root counts the memory's version (every in-place write bumps it, see
inplace.py), and a root with a graph remembers its views, so that an in-place change through one of
them can re-read all the others. A view's place in the root's memory (shape, strides, offset) is
what NumPy/CuPy views carry; `region` turns it back into an array view of any array shaped like
the root, which is how in-place ops on views move gradients (CopySlices in inplace.py).
"""
import weakref

import numpy as np

from ..backend.device import xp_of


def mark_view(out, x):
    """`out` shares `x`'s memory: point it at the root tensor (versions are counted there), and let a
    root with a graph remember its views, so an in-place change through one view re-reads all others."""
    root = x._base if x._base is not None else x
    out._base = root
    node = root.grad_fn
    if node is not None and out.grad_fn is not None:
        views = node.__dict__.get("_views")
        if views is None:
            views = node._views = []
        views.append(weakref.ref(out))


def view_geometry(base, view):
    """(shape, strides in elements, offset in elements) of `view` inside the C-contiguous `base`."""
    item = base.itemsize
    if type(base) is np.ndarray:
        offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    else:
        offset = view.data.ptr - base.data.ptr
    return view.shape, tuple(s // item for s in view.strides), offset // item


def region(array, geometry):
    """The part of a C-contiguous array of the base's shape that the view covers (a writable view)."""
    shape, strides, offset = geometry
    xp = xp_of(array)
    flat = array.reshape(-1)[offset:]
    item = array.itemsize
    return xp.lib.stride_tricks.as_strided(flat, shape, tuple(s * item for s in strides))
