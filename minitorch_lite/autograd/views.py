"""In-place ops on views, with autograd: what torch calls CopySlices.

    >>> import minitorch_lite as mt
    >>> x = mt.ones(4, requires_grad=True)
    >>> y = x * 2
    >>> y[1:3].mul_(10)              # changes y's memory through a view (as torch prints it)
    tensor([20., 20.], grad_fn=<AsStridedBackward0>)
    >>> y.sum().backward(); x.grad
    tensor([ 2., 20., 20.,  2.])

When an in-place op writes through a view, the *base* tensor's values change too, so its graph
must change: the base gets a `CopySlices` node (the old base outside the view's region, the op's
result inside it), and the view gets a node that reads its region back out of the base. The
region is described by the view's geometry in the base's memory (offset, shape, strides), which
NumPy/CuPy views carry, so any view (slices, transposes, reshapes, selections) works the same way.
"""
import weakref

import numpy as np

from . import function as _function
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


class CopySlices(_function.Function):
    """The base after an in-place op on one of its views: old base outside the region, new values inside."""

    @staticmethod
    def backward(ctx, grad):
        grad = xp_of(grad).ascontiguousarray(grad)
        outside = grad.copy()
        region(outside, ctx.geometry)[...] = 0
        return outside, region(grad, ctx.geometry).copy()


class AsStridedView(_function.Function):
    """The view re-read from its (changed) base; backward puts its gradient back into the region."""

    name = "AsStridedBackward0"

    @staticmethod
    def backward(ctx, grad):
        out = xp_of(grad).zeros(ctx.base_shape, dtype=grad.dtype)
        region(out, ctx.geometry)[...] = grad
        return out


def rebase_inplace_view(view, node):
    """After `node` computed new values for `view` in place: rewire the base's and every view's graph."""
    base = view._base
    if not base._data.flags.c_contiguous:
        raise RuntimeError("minitorch_lite supports in-place operations with autograd on views only when "
                           "the base tensor is contiguous; call .contiguous() on the base first")
    old_node = base.grad_fn
    copy = CopySlices.__new__(CopySlices)
    copy.parents = (old_node or (base if base._requires_grad else None), node)
    copy.geometry = view_geometry(base._data, view._data)
    base.grad_fn = copy
    base._requires_grad = True
    live = [ref for ref in (old_node.__dict__.get("_views", ()) if old_node is not None else ())
            if ref() is not None and ref() is not view]
    copy._views = live + [weakref.ref(view)]
    for ref in copy._views:  # every view of the base now reads its values from the new base node
        _read_from_base(ref(), copy)


def _read_from_base(view, copy):
    read = AsStridedView.__new__(AsStridedView)
    read.parents = (copy,)
    read.geometry = view_geometry(view._base._data, view._data)
    read.base_shape = view._base._data.shape
    view.grad_fn = read
    view._requires_grad = True
