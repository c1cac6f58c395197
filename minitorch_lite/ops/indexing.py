"""Indexing: `x[...]` reads and writes, gather/scatter, index_select, masked_fill, nonzero.

    >>> import minitorch_lite as mt
    >>> x = mt.arange(12.0).reshape(3, 4)
    >>> x[1:, ::2], x[x > 9]
    (tensor([[ 4.,  6.],
            [ 8., 10.]]), tensor([10., 11.]))

Indices follow NumPy's (and torch's) rules. Basic indices (ints, slices, None, ...) give views;
integer arrays/tensors and boolean masks ("advanced" indices) give copies. The backward of a read
puts the gradient back where the values came from (adding up repeated indices); a write records
the overwritten region as having no gradient.
"""
import numpy as np

from ..autograd import inplace
from ..autograd.inplace import write_out
from ..autograd.function import Function, _device_error, sum_to
from ..autograd.views import mark_view
from ..autograd.grad_mode import GradMode
from ..tensor import Tensor
from ._util import broadcast_shapes, normalize_dim
from ..backend.device import xp_of



def add_at(xp, target, index, values):
    """target[index] += values, adding repeated indices (np.add.at; cupyx.scatter_add on the GPU)."""
    if xp is np:
        np.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)


# ---- turning Python index expressions into NumPy ones ------------------------------------------------

def _convert_index(idx, device):
    """Tensors/lists inside an index become arrays; returns (index tuple, is_advanced, grad_fn name)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out, advanced, name = [], False, None
    for item in idx:
        if isinstance(item, Tensor):
            if item._device is not device and item._data.ndim:
                if device.type == "cpu" or item._device.type != "cpu":
                    raise RuntimeError(f"indices should be either on cpu or on the same device as the "
                                       f"indexed tensor ({device})")
            data = item._data if item._device is device else item.to(device)._data
            kind = data.dtype.kind
            if kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if data.ndim == 0 and kind in "iu":
                out.append(int(data))  # a 0-d integer tensor indexes like an int
                name = "SelectBackward0"
                continue
            out.append(data.astype(bool) if kind == "u" and data.dtype == np.uint8 else data)
            advanced = True
        elif isinstance(item, (list, np.ndarray)):
            array = np.asarray(item)
            if array.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if array.dtype == object:
                raise IndexError("only integers, slices, ellipsis, None and tensors are valid indices")
            out.append(array if device.type == "cpu" else device.xp.asarray(array))
            advanced = True
        elif isinstance(item, slice):
            if item.step is not None and _int(item.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_int_or_none(item.start), _int_or_none(item.stop), _int_or_none(item.step)))
            if item != slice(None):
                name = "SliceBackward0"
        elif item is None:
            out.append(None)
            name = "UnsqueezeBackward0"
        elif item is Ellipsis:
            out.append(item)
        elif isinstance(item, (bool, np.bool_)):
            out.append(bool(item))
            advanced = True
        elif isinstance(item, str):
            raise TypeError("new(): invalid data type 'str'")
        elif hasattr(item, "__index__"):
            out.append(item.__index__())
            name = "SelectBackward0"
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "Variables are valid indices")
    if advanced:
        name = "IndexBackward0"
    return tuple(out), advanced, name or "SliceBackward0"


def _int(v):
    return v.__index__() if not isinstance(v, int) else v


def _int_or_none(v):
    return None if v is None else _int(v)


def _basic_view_index(idx):
    """Append `...` so that a full integer index still returns a 0-d view, not a NumPy scalar copy."""
    return idx if any(i is Ellipsis for i in idx) else idx + (Ellipsis,)


def _reraise(err, shape):
    """NumPy's indexing messages reworded as torch's."""
    msg = str(err)
    if "too many indices" in msg:
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}") from None
    if "boolean index did not match" in msg:
        raise IndexError(msg.replace("indexed array", "indexed tensor")) from None
    raise IndexError(msg.replace("axis", "dimension")) from None


# ---- Functions -------------------------------------------------------------------------------------

class GetItem(Function):
    @staticmethod
    def forward(ctx, x, index=None, advanced=False):
        ctx.x_shape, ctx.advanced = x.shape, advanced
        if advanced:
            ctx.save_for_backward(index)  # index arrays are data: freed with the other saved values
        else:
            ctx.index = index  # ints and slices
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(grad)
        out = xp.zeros(ctx.x_shape, dtype=grad.dtype)
        if ctx.advanced:
            add_at(xp, out, ctx.saved[0], grad)  # repeated indices add up
        else:
            out[ctx.index] = grad
        return out


class IndexPut(Function):
    """out = x with out[index] = value (what `x[index] = value` records)."""

    name = "CopySlices"

    @staticmethod
    def forward(ctx, x, value, index=None, advanced=False):
        out = x.copy()
        out[index] = value
        ctx.value_shape, ctx.advanced = value.shape, advanced
        if advanced:
            ctx.save_for_backward(index)  # index arrays are data: freed with the other saved values
        else:
            ctx.index = index  # ints and slices
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved[0] if ctx.advanced else ctx.index
        value_shape = ctx.value_shape
        gx = grad.copy()
        gx[index] = 0
        gv = grad[index]
        return gx, sum_to(gv, value_shape) if gv.shape != value_shape else gv


class Gather(Function):
    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.x_shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)
        return xp_of(x).take_along_axis(x[_leading(index.shape, dim, x.ndim)], index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        xp = xp_of(grad)
        out = xp.zeros(ctx.x_shape, dtype=grad.dtype)
        add_at(xp, out, _full_index(index, ctx.dim), grad)
        return out, None


def _leading(index_shape, dim, ndim):
    """Slices limiting the non-`dim` dims of the input to the index's sizes (torch allows smaller)."""
    return tuple(slice(None) if d == dim else slice(0, index_shape[d]) for d in range(ndim))


def _full_index(index, dim):
    """The tuple of coordinate arrays addressed by a gather/scatter `index` along `dim`."""
    xp = xp_of(index)
    grid = list(xp.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


class Scatter(Function):
    """out = x with out[index[i][j]][j] = src[i][j] (dim 0); the overwritten places get no gradient."""

    @staticmethod
    def forward(ctx, x, src, index=None, dim=0, add=False):
        out = x.copy()
        full = _full_index(index, dim)
        values = src[tuple(slice(0, n) for n in index.shape)] if src.ndim else src
        if add:
            add_at(xp_of(x), out, full, values)
            ctx.name = "ScatterAddBackward0"
        else:
            out[full] = values
        ctx.save_for_backward(index)
        ctx.dim, ctx.add, ctx.src_shape = dim, add, src.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        dim, add, src_shape = ctx.dim, ctx.add, ctx.src_shape
        xp = xp_of(grad)
        full = _full_index(index, dim)
        gx = grad
        if not add:
            gx = grad.copy()
            gx[full] = 0
        g_src = xp.zeros(src_shape, dtype=grad.dtype)
        if len(src_shape):
            g_src[tuple(slice(0, n) for n in index.shape)] = grad[full]
        else:
            g_src = grad[full].sum()
        return gx, g_src


def _along(dim, index):
    """The index tuple that picks positions `index` (an array) along `dim`: x[_along(1, i)] = x[:, i]."""
    return (slice(None),) * dim + (index,)


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.x_shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)
        return xp_of(x).take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        xp = xp_of(grad)
        out = xp.zeros(ctx.x_shape, dtype=grad.dtype)
        add_at(xp, out, _along(ctx.dim, index), grad)
        return out, None


class IndexFill(Function):
    """out = x with the slices at `index` along `dim` set to `value` (a 0-d array)."""

    @staticmethod
    def forward(ctx, x, value, dim=0, index=None):
        out = x.copy()
        out[_along(dim, index)] = value
        ctx.save_for_backward(index)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        filled = _along(ctx.dim, index)
        gx = grad.copy()
        gx[filled] = 0
        g_value = xp_of(grad).zeros_like(gx)
        g_value[filled] = grad[filled]  # repeated indices count once, as the value is written once
        return gx, g_value.sum()


class IndexAdd(Function):
    """out = x with alpha * source added to the slices at `index` along `dim` (repeats add up)."""

    @staticmethod
    def forward(ctx, x, source, dim=0, index=None, alpha=1):
        out = x.copy()
        add_at(xp_of(x), out, _along(dim, index), source if alpha == 1 else source * alpha)
        ctx.save_for_backward(index)
        ctx.dim, ctx.alpha = dim, alpha
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        g_source = xp_of(grad).take(grad, index, axis=ctx.dim)
        return grad, g_source if ctx.alpha == 1 else g_source * ctx.alpha


class IndexCopy(Function):
    """out = x with the slices at `index` along `dim` replaced by `source`'s."""

    @staticmethod
    def forward(ctx, x, source, dim=0, index=None):
        out = x.copy()
        out[_along(dim, index)] = source
        ctx.save_for_backward(index)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        gx = grad.copy()
        gx[_along(ctx.dim, index)] = 0
        return gx, xp_of(grad).take(grad, index, axis=ctx.dim)


class IndexPutAccumulate(Function):
    """out = x with `values` added at the positions of the index arrays (repeats add up)."""

    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, values, index=None):
        out = x.copy()
        add_at(xp_of(x), out, index, values)
        ctx.save_for_backward(index)
        ctx.values_shape = values.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        return grad, sum_to(grad[index], ctx.values_shape)


class MaskedFill(Function):
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        ctx.x_shape, ctx.value_shape = x.shape, value.shape
        return xp_of(x).where(mask, value, x)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        x_shape, v_shape = ctx.x_shape, ctx.value_shape
        xp = xp_of(grad)
        zero = grad.dtype.type(0)
        gx = sum_to(xp.where(mask, zero, grad), x_shape)
        gv = sum_to(xp.where(mask, grad, zero), v_shape) if len(v_shape) else xp.where(mask, grad, zero).sum()
        return gx, None, gv


class MaskedSelect(Function):
    @staticmethod
    def forward(ctx, x, mask):
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        full_mask = xp.broadcast_to(mask, shape)
        ctx.save_for_backward(full_mask)
        ctx.x_shape = x.shape
        return xp.broadcast_to(x, shape)[full_mask]

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        xp = xp_of(grad)
        out = xp.zeros(mask.shape, dtype=grad.dtype)
        out[mask] = grad
        return sum_to(out, ctx.x_shape), None


# ---- public functions ---------------------------------------------------------------------------------

def getitem(input, idx):
    """x[idx]: a view for basic indices, a copy for integer-array or mask indices."""
    data = input._data
    if type(idx) is int and data.ndim and not (input._requires_grad and GradMode.enabled):
        # x[i] without a graph (a DataLoader reading a dataset): skip the general machinery
        n = data.shape[0]
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of bounds for dimension 0 with size {n}")
        out = Tensor._make(data[idx, ...], input._device)
        out._base = input._base if input._base is not None else input
        return out
    if data.ndim == 0 and idx is not None and idx is not Ellipsis and not (isinstance(idx, tuple) and all(
            i is None or i is Ellipsis for i in idx)):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    index, advanced, name = _convert_index(idx, input._device)
    if not advanced:
        index = _basic_view_index(index)
    try:
        out = GetItem.apply(input, index=index, advanced=advanced)
    except IndexError as err:
        _reraise(err, input._data.shape)
    if not advanced:
        mark_view(out, input)
    if out.grad_fn is not None:
        out.grad_fn.name = name
    return out


def setitem(input, idx, value):
    """x[idx] = value, in place; differentiable with respect to x (outside idx) and value."""
    index, advanced, _ = _convert_index(idx, input._device)
    if not advanced:
        index = _basic_view_index(index)
    xp = xp_of(input._data)
    needs_graph = GradMode.enabled and (input._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    if not needs_graph:
        inplace.prepare(input)
        v = value._data if isinstance(value, Tensor) else value
        if isinstance(value, Tensor) and value._device is not input._device:
            v = value.to(input._device)._data
        try:
            input._data[index] = v
        except IndexError as err:
            _reraise(err, input._data.shape)
        except ValueError as err:
            raise RuntimeError(_shape_mismatch(err, input._data, index, v)) from None
        input._bump_version()
        return
    if not isinstance(value, Tensor):
        value = Tensor._make(xp.asarray(value, dtype=input._data.dtype), input._device)
    elif value._data.dtype != input._data.dtype:
        value = value.to(input.dtype)
    try:
        result = IndexPut.apply(input, value, index=index, advanced=advanced)
    except IndexError as err:
        _reraise(err, input._data.shape)
    except ValueError as err:
        raise RuntimeError(_shape_mismatch(err, input._data, index, value._data)) from None
    if advanced and result.grad_fn is not None:
        result.grad_fn.name = "IndexPutBackward0"
    inplace.write(input, result)


def _shape_mismatch(err, data, index, value):
    try:
        target = data[index].shape
    except Exception:
        return str(err)
    vshape = getattr(value, "shape", ())
    return (f"shape mismatch: value tensor of shape [{', '.join(map(str, vshape))}] cannot be broadcast to "
            f"indexing result of shape [{', '.join(map(str, target))}]")


def _check_index_tensor(index, what):
    if not isinstance(index, Tensor):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{what}(): Expected dtype int32/int64 for index")


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[index[i][j]][j] for dim=0 (and likewise for other dims)."""
    if out is not None:
        return write_out(out, gather(input, dim, index, sparse_grad=sparse_grad), "gather")
    _check_index_tensor(index, "gather")
    d = normalize_dim(dim, input._data.ndim)
    if index._data.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(input._data.ndim):
        if k != d and index._data.shape[k] > input._data.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{list(index._data.shape)} to be no larger than self "
                               f"{list(input._data.shape)} apart from dimension {d}")
    _check_bounds(index._data, d, input._data.shape[d])
    return Gather.apply(input, index, dim=d)


def _check_same_device(input, index):
    """scatter takes `index` as an array (not a graph input), so Function.apply cannot check it."""
    if index._device is not input._device:
        _device_error(input._device, index._device)


def _check_bounds(index, dim, size, negative_ok=False, error=RuntimeError, prefix=""):
    """torch's error for an index outside [0, size) -- or [-size, size) where torch wraps negatives."""
    if not index.size:
        return
    low, high = int(index.min()), int(index.max())
    if high >= size or low < (-size if negative_ok else 0):
        bad = high if high >= size else low
        raise error(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with values from `src` (or `value`) written at `index` along `dim`."""
    _check_index_tensor(index, "scatter")
    _check_same_device(input, index)
    if src is None and value is None:
        raise TypeError("scatter() needs src or value")
    if reduce is not None and reduce not in ("add",):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    d = normalize_dim(dim, input._data.ndim)
    if isinstance(src, Tensor):
        _check_scatter_shapes(input, d, index, src)
    _check_bounds(index._data, d, input._data.shape[d])
    if not isinstance(src, Tensor):
        fill = src if src is not None else value
        src = Tensor._make(xp_of(input._data).asarray(fill, dtype=input._data.dtype), input._device)
    elif src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return Scatter.apply(input, src, index=index._data, dim=d, add=reduce == "add")


def scatter_add(input, dim, index, src):
    """A copy of input with `src` added at `index` along `dim` (repeated indices add up)."""
    _check_index_tensor(index, "scatter_add")
    _check_same_device(input, index)
    d = normalize_dim(dim, input._data.ndim)
    _check_scatter_shapes(input, d, index, src)
    _check_bounds(index._data, d, input._data.shape[d])
    return Scatter.apply(input, src, index=index._data, dim=d, add=True)


def _check_scatter_shapes(input, dim, index, src):
    """torch's rule: index no larger than src anywhere, nor than input outside `dim`."""
    i, x, s = index._data.shape, input._data.shape, src._data.shape
    if len(i) != len(x) or (src._data.ndim and len(s) != len(i)):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    too_big = any(i[k] > x[k] for k in range(len(i)) if k != dim) or (
        src._data.ndim and any(a > b for a, b in zip(i, s)))
    if too_big:
        raise RuntimeError(f"Expected index {list(i)} to be no larger than self {list(x)} apart from "
                           f"dimension {dim} and to be no larger size than src {list(s)}")


def _index_vector(index, what, allow_int32=False):
    """The 1-D (or 0-d) int64 index array the index_* ops take, with torch's checks."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    ok = (np.int64, np.int32) if allow_int32 else (np.int64,)
    if index._data.dtype not in ok:
        raise IndexError(f"{what}(): Expected dtype int64 for index.")
    if index._data.ndim > 1:
        raise IndexError(f"{what}(): Index is supposed to be a vector, but got dim: {index._data.ndim} "
                         f"with type: {index.dtype.word} and size: {list(index._data.shape)}")
    return index._data.reshape(-1)


def index_fill(input, dim, index, value):
    """A copy of input with the slices at `index` along `dim` set to `value` (a number or 0-d tensor).

        >>> import minitorch_lite as mt
        >>> mt.zeros(2, 3).index_fill(1, mt.tensor([0, 2]), 7.0)
        tensor([[7., 0., 7.],
                [7., 0., 7.]])
    """
    d = normalize_dim(dim, input._data.ndim)
    if isinstance(index, Tensor) and index._data.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    idx = _index_vector(index, "index_fill_")
    _check_bounds(idx, d, input._data.shape[d] if input._data.ndim else 1, negative_ok=True, error=IndexError)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value._data.ndim} dimension(s).")
        value = value.to(input._device, input.dtype)
        name = "IndexFillBackward1"
    else:
        value = Tensor._make(xp_of(input._data).asarray(value, dtype=input._data.dtype), input._device)
        name = "IndexFillBackward0"
    out = IndexFill.apply(input, value, dim=d, index=idx)
    if out.grad_fn is not None:
        out.grad_fn.name = name
    return out


def _check_source(input, d, idx, source, what):
    if source._data.ndim != input._data.ndim or any(
            a != b for k, (a, b) in enumerate(zip(source._data.shape, input._data.shape)) if k != d):
        if what == "index_copy_":
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. "
                               f"Destination slice shape: {_fmt_dims(input, d)} at dimension {d} and "
                               f"source slice shape: {_fmt_dims(source, d)} at dimension 0.")
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(input._data.shape)} source.shape = "
                           f"{list(source._data.shape)}")
    if source._data.shape[d] != idx.size:
        raise RuntimeError(f"{what}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({source._data.shape[d]}), for dim: {d}")


def _fmt_dims(t, d):
    return " ".join(str(n) for k, n in enumerate(t._data.shape) if k != d)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with `alpha * source` added to the slices at `index` along `dim`.

        >>> import minitorch_lite as mt
        >>> mt.zeros(3).index_add(0, mt.tensor([0, 0, 2]), mt.ones(3))
        tensor([2., 0., 1.])
    """
    d = normalize_dim(dim, input._data.ndim)
    idx = _index_vector(index, "index_add_", allow_int32=True)
    _check_source(input, d, idx, source, "index_add_")
    _check_bounds(idx, d, input._data.shape[d])
    _check_same_device(input, source)
    return IndexAdd.apply(input, source.to(input.dtype), dim=d, index=idx, alpha=alpha)


def index_copy(input, dim, index, source):
    """A copy of input with the slices at `index` along `dim` replaced by `source`'s."""
    d = normalize_dim(dim, input._data.ndim)
    idx = _index_vector(index, "index_copy_")
    _check_source(input, d, idx, source, "index_copy_")
    _check_bounds(idx, d, input._data.shape[d], error=IndexError, prefix="index_copy_(): ")
    _check_same_device(input, source)
    return IndexCopy.apply(input, source.to(input.dtype), dim=d, index=idx)


def index_put(input, indices, values, accumulate=False):
    """A copy of input with `values` at the positions `indices` (a tuple of index tensors) --
    added there, repeats included, with `accumulate=True`. `x.index_put_(i, v)` is `x[i] = v`."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    index, advanced, _ = _convert_index(tuple(indices), input._device)
    for k, arr in enumerate(index):
        if not isinstance(arr, (int, slice)) and arr is not None and getattr(arr, "dtype", None) != np.bool_:
            _check_bounds(xp_of(input._data).asarray(arr), k, input._data.shape[k], negative_ok=True,
                          error=IndexError)
    if not isinstance(values, Tensor):
        values = Tensor._make(xp_of(input._data).asarray(values, dtype=input._data.dtype), input._device)
    values = values.to(input.dtype)
    try:
        if accumulate:
            return IndexPutAccumulate.apply(input, values, index=index)
        out = IndexPut.apply(input, values, index=index, advanced=advanced)
    except IndexError as err:
        _reraise(err, input._data.shape)
    if out.grad_fn is not None:
        out.grad_fn.name = "IndexPutBackward0"
    return out


def index_select(input, dim, index, *, out=None):
    """The entries of `input` at positions `index` (1-D int tensor) along `dim`."""
    if out is not None:
        return write_out(out, index_select(input, dim, index), "index_select")
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = normalize_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if index._data.size and (int(index._data.max()) >= size or int(index._data.min()) < 0):
        bad = int(index._data.max()) if int(index._data.max()) >= size else int(index._data.min())
        raise IndexError("index out of range in self" if bad >= 0 else f"index {bad} is out of bounds")
    return IndexSelect.apply(input, index.reshape(-1) if index._data.ndim == 0 else index, dim=d)


def masked_fill(input, mask, value):
    """A copy of input with `value` where `mask` is True (mask broadcasts to input's shape)."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        got = mask.dtype.c_name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {got}")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value._data.ndim} dimension(s).")
        value = value.to(input.dtype) if value._data.dtype != input._data.dtype else value
    else:
        value = Tensor._make(xp_of(input._data).asarray(value).astype(input._data.dtype), input._device)
    shape = broadcast_shapes(mask._data.shape, input._data.shape)
    if shape != input._data.shape:  # a larger mask broadcasts the result, as in torch
        from .shape import expand
        input = expand(input, shape)
    return MaskedFill.apply(input, mask, value)


def masked_fill_(input, mask, value):
    """In place: `value` where `mask` is True; the mask must broadcast to input's own shape."""
    if isinstance(mask, Tensor):
        broadcast_shapes(input._data.shape, mask._data.shape)  # torch's message, in torch's order
    return inplace.write(input, masked_fill(input, mask, value))


def masked_select(input, mask):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    return MaskedSelect.apply(input, mask)


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or one index tensor per dim."""
    xp = xp_of(input._data)
    data = input._data if input._data.ndim else input._data.reshape(1)
    coords = xp.nonzero(data)
    if as_tuple:
        return tuple(Tensor._make(c.astype(np.int64), input._device) for c in coords)
    stacked = xp.stack(coords, axis=1) if coords else xp.zeros((0, 0), np.int64)
    if input._data.ndim == 0:
        stacked = stacked[:, :0]
    return Tensor._make(stacked.astype(np.int64), input._device)


def argwhere(input):
    return nonzero(input)


def take(input, index):
    """Elements of the flattened input at `index`."""
    from .shape import reshape
    return getitem(reshape(input, -1), index)
