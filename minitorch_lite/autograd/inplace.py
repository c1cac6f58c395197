"""In-place ops with autograd: torch's rules, the version counter, and writes through views.

    >>> import minitorch_lite as mt
    >>> x = mt.ones(4, requires_grad=True)
    >>> y = x * 2
    >>> y[1:3].mul_(10)              # changes y's memory through a view (as torch prints it)
    tensor([20., 20.], grad_fn=<AsStridedBackward0>)
    >>> y.sum().backward(); x.grad
    tensor([ 2., 20., 20.,  2.])

An in-place op is computed out of place, as the op's Function, and then written back (`update`,
`write`): the tensor's memory is overwritten (views and `numpy()` arrays see the change) and the
op's node becomes the tensor's `grad_fn`. Around every write, in place or not (fills, `x[i] = v`,
optimizer steps), three of torch's rules hold:

1. a leaf that requires grad may not be changed in place while grad mode is on (`check_leaf`);
2. a value saved for backward may not be changed afterwards: the memory's version counter is bumped
   by every write, each node remembers the versions of what it saved, and backward compares them
   (`Function.apply` records saved inputs; `guard_saved_values` records saved outputs, lazily);
3. a write through a view changes the view's base too, so the base's graph is rewired: it gets a
   `CopySlices` node (the old base outside the view's region, the op's result inside it), and every
   view of it gets a node that reads its region back out of the base.
"""
import warnings
import weakref

from ..backend.device import xp_of
from ..backend.shapes import check_same_shape_for_inplace
from .function import Function
from .grad_mode import GradMode
from ..tensor import Tensor
from .views import region, view_geometry


def check_leaf(tensor):
    """torch forbids in-place changes of leaves that require grad (and their views) in grad mode."""
    if tensor._requires_grad and GradMode.enabled:
        if tensor.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        base = tensor._base
        if base is not None and base._requires_grad and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")


def guard_saved_values(tensor):
    """If the node that made this tensor (or its base) saved these very values for backward, make
    that node check the version, so backward fails like torch's instead of using changed values.

    (A saved *input* needs nothing here: `Function.apply` recorded its version when it was saved.)"""
    for t in (tensor, tensor._base):
        if t is not None and t.grad_fn is not None and t.grad_fn.saved:
            node = t.grad_fn
            if any(a is t._data for a in node.saved):
                root = t._base if t._base is not None else t
                node._versions = tuple(node._versions) + ((root, root._version_counter, t, node),)


def prepare(tensor):
    """Before writing straight into a tensor's memory (no graph node): rules 1 and 2."""
    check_leaf(tensor)
    guard_saved_values(tensor)


def update(tensor, op, *args, **kwargs):
    """`tensor.op_(*args)`: check torch's leaf rule first (before the arguments, as torch does),
    compute `op(tensor, *args)` out of place, and write it back."""
    check_leaf(tensor)
    return write(tensor, op(tensor, *args, **kwargs))


def write(tensor, result):
    """Store `result` (computed out of place) into `tensor`'s memory, as an in-place op does.

    The memory is written, not swapped, so views and `numpy()` arrays see the change. If the new
    node saved the tensor's old values for backward, it keeps a copy of them instead. A result
    without a graph node (a non-differentiable op such as `logical_not_`) leaves the tensor's graph
    as it was, and may even change a leaf that requires grad -- both as in torch.
    """
    if result.grad_fn is not None:
        check_leaf(tensor)
    data = tensor._data
    if result._data.shape != data.shape:
        check_same_shape_for_inplace(result._data.shape, data.shape)
    src, dst = result.dtype, tensor.dtype
    if src._category > dst._category:
        raise RuntimeError(f"result type {src.word} can't be cast to the desired output type {dst.word}")
    node = result.grad_fn
    if node is not None and any(a is data for a in node.saved):
        node.saved = tuple(a.copy() if a is data else a for a in node.saved)
        node._versions = tuple(v for v in node._versions if v[2] is not tensor)
    guard_saved_values(tensor)
    data[...] = result._data
    tensor._bump_version()
    if node is not None:
        if tensor._base is not None:  # the base changed too: rewire both graphs
            _rebase_view(tensor, node)
        else:
            tensor.grad_fn = node
            tensor._requires_grad = True
    return tensor


def write_out(out, result, name, resize_warning=True):
    """What an `out=` argument does, as in torch: write `result` into `out` and return `out`.

        >>> import minitorch_lite as mt
        >>> o = mt.zeros(2)
        >>> mt.add(mt.ones(2), 1, out=o) is o, o
        (True, tensor([2., 2.]))

    `out` keeps its dtype (the result must cast to it: float into an int `out` is refused) and its
    device (which must be the result's); a differently shaped `out` is resized, with torch's warning
    unless it was empty (factories resize silently, as torch's do: `resize_warning=False`). Results
    that need a gradient cannot go into `out` (torch refuses too).
    A function returning several tensors (`max(x, dim)`) takes a tuple of outs, one per result.
    """
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(result)} Tensors")
        written = tuple(write_out(o, r, name, resize_warning) for o, r in zip(out, result))
        return result.as_out(written) if hasattr(result, "as_out") else written
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result._requires_grad and GradMode.enabled:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._device is not result._device:
        raise RuntimeError(f"Expected out tensor to have device {result._device}, but got {out._device} "
                           "instead")
    src, dst = result.dtype, out.dtype
    if src._category > dst._category:
        raise RuntimeError(f"result type {src.word} can't be cast to the desired output type {dst.word}")
    if out._data.shape != result._data.shape:
        if out._data.size and resize_warning:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"[{', '.join(map(str, out._data.shape))}], which does not match the required output "
                f"shape [{', '.join(map(str, result._data.shape))}]. This behavior is deprecated, and in "
                "a future PyTorch release outputs will not be resized unless they have zero elements. "
                "You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).", UserWarning, stacklevel=3)
        prepare(out)
        out._data = xp_of(out._data).empty(result._data.shape, dtype=out._data.dtype)  # new memory
        out._base = None
    else:
        prepare(out)
    out._data[...] = result._data
    out._bump_version()
    return out


class CopySlices(Function):
    """The base after an in-place op on one of its views: old base outside the region, new values inside."""

    @staticmethod
    def backward(ctx, grad):
        grad = xp_of(grad).ascontiguousarray(grad)
        outside = grad.copy()
        region(outside, ctx.geometry)[...] = 0
        return outside, region(grad, ctx.geometry).copy()


class AsStridedView(Function):
    """The view re-read from its (changed) base; backward puts its gradient back into the region."""

    name = "AsStridedBackward0"

    @staticmethod
    def backward(ctx, grad):
        out = xp_of(grad).zeros(ctx.base_shape, dtype=grad.dtype)
        region(out, ctx.geometry)[...] = grad
        return out


def _rebase_view(view, node):
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
