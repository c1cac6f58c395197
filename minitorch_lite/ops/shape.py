"""Shape ops: reshape/view, flatten, squeeze/unsqueeze, permute/transpose, expand, repeat, cat/stack,
split/chunk/unbind, flip, clone/contiguous, tril/triu.

    >>> import minitorch_lite as mt
    >>> x = mt.arange(6)
    >>> v = x.view(2, 3); v[0, 0] = 100      # a view shares memory with its base
    >>> x
    tensor([100,   1,   2,   3,   4,   5])

Views (reshape when possible, view, transpose, permute, squeeze, unsqueeze, expand, ...) return
NumPy views of the same memory, so writes through one are seen by the other, as in torch. Their
backward only rearranges the gradient: reshape it back, transpose it back, or sum over expanded dims.
"""
import numbers

import numpy as np

from ..autograd.inplace import write_out
from ..autograd.function import Function, sum_to
from ..autograd.views import mark_view
from ..backend import dtypes
from ..tensor import Tensor
from ._util import broadcast_shapes, cast, normalize_dim, normalize_dims, shape_arg
from ..backend.device import xp_of



def _fmt(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _infer_shape(shape, numel):
    """Resolve one -1 in `shape` and check the element count, with torch's messages."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


# ---- Functions ---------------------------------------------------------------------------------

class Reshape(Function):
    name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.x_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.x_shape)


class Transpose(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim0=0, dim1=1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return x.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.swapaxes(ctx.dim0, ctx.dim1)


class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(np.argsort(ctx.dims))


class Expand(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.x_shape = x.shape
        return xp_of(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.x_shape)


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]  # each input's length along dim
        ctx.input_shapes = [a.shape for a in arrays]
        kept = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or list(arrays)
        return xp_of(arrays[0]).concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        out, start = [], 0
        for size, shape in zip(ctx.sizes, ctx.input_shapes):
            if len(shape) == 1 and shape[0] == 0 and grad.ndim != 1:
                out.append(xp_of(grad).zeros(shape, grad.dtype))  # legacy empty tensors were skipped
                continue
            index = [slice(None)] * grad.ndim
            index[dim] = slice(start, start + size)
            out.append(grad[tuple(index)])
            start += size
        return tuple(out)


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        return xp_of(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(grad)
        return tuple(xp.take(grad, i, axis=ctx.dim) for i in range(grad.shape[ctx.dim]))


class Narrow(Function):
    """A contiguous range along one dim (what split/chunk/slicing produce); a view."""

    name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim=0, start=0, length=0):
        ctx.x_shape, ctx.dim, ctx.start, ctx.length = x.shape, dim, start, length
        index = [slice(None)] * x.ndim
        index[dim] = slice(start, start + length)
        return x[tuple(index)]

    @staticmethod
    def backward(ctx, grad):
        out = xp_of(grad).zeros(ctx.x_shape, dtype=grad.dtype)
        index = [slice(None)] * len(ctx.x_shape)
        index[ctx.dim] = slice(ctx.start, ctx.start + ctx.length)
        out[tuple(index)] = grad
        return out


class Select(Function):
    """One index along one dim (unbind's pieces); a view."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dim=0, index=0):
        ctx.x_shape, ctx.dim, ctx.index = x.shape, dim, index
        return x[(slice(None),) * dim + (index,)]

    @staticmethod
    def backward(ctx, grad):
        out = xp_of(grad).zeros(ctx.x_shape, dtype=grad.dtype)
        out[(slice(None),) * ctx.dim + (ctx.index,)] = grad
        return out


class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return xp_of(x).flip(x, dims).copy()  # torch's flip copies

    @staticmethod
    def backward(ctx, grad):
        return xp_of(grad).flip(grad, ctx.dims)


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Triangle(Function):
    """tril/triu: keep the lower/upper triangle (of the last two dims); gradient masked the same way."""

    name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, diagonal=0, upper=False):
        xp = xp_of(x)
        ctx.diagonal, ctx.upper = diagonal, upper
        if upper:
            ctx.name = "TriuBackward0"
        return xp.triu(x, diagonal) if upper else xp.tril(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(grad)
        return xp.triu(grad, ctx.diagonal) if ctx.upper else xp.tril(grad, ctx.diagonal)


# ---- public functions ----------------------------------------------------------------------------

def _shares_memory(a, b):
    xp = xp_of(a)
    return bool(xp.may_share_memory(a, b)) if a.size else True


def reshape(input, *shape):
    """The same elements in a new shape (-1 infers one size); a view when the memory layout allows."""
    shape = _infer_shape(shape_arg(shape), input._data.size)
    out = Reshape.apply(input, shape=shape)
    if _shares_memory(out._data, input._data):
        mark_view(out, input)
    elif out.grad_fn is not None:
        out.grad_fn.name = "UnsafeViewBackward0"
    return out


def view(input, *shape):
    """A view with a new shape; torch's error when the strides do not allow one (use reshape)."""
    if len(shape) == 1 and isinstance(shape[0], (dtypes.dtype, np.dtype, type)):
        raise RuntimeError("view(dtype) is not supported by minitorch_lite")
    shape = _infer_shape(shape_arg(shape), input._data.size)
    probe = input._data.reshape(shape) if input._data.size else None
    if probe is not None and not _shares_memory(probe, input._data):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least "
                           "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                           "instead.")
    out = Reshape.apply(input, shape=shape)
    mark_view(out, input)
    return out


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes 1-d)."""
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = normalize_dim(start_dim, nd), normalize_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (-1,) + shape[e + 1:] if input._data.size else
                   shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def unflatten(input, dim, sizes):
    """Split dim `dim` into `sizes` (one may be -1)."""
    d = normalize_dim(dim, input._data.ndim)
    shape = input._data.shape
    sizes = _infer_shape(tuple(sizes), shape[d]) if -1 in tuple(sizes) else tuple(sizes)
    if int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {_fmt(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:]) if _contiguous_enough(input) else \
        reshape(input, shape[:d] + sizes + shape[d + 1:])


def _contiguous_enough(t):
    return t._data.flags.c_contiguous or t._data.size == 0


def squeeze(input, dim=None):
    """Remove dims of size 1 (all of them, or those in `dim` that have size 1)."""
    shape = input._data.shape
    if dim is None:
        new = tuple(n for n in shape if n != 1)
    else:
        dims = normalize_dims(dim, input._data.ndim) if input._data.ndim else ()
        new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    out = Reshape.apply(input, shape=new)
    mark_view(out, input)
    if out.grad_fn is not None:
        out.grad_fn.name = "SqueezeBackward0" if dim is None else "SqueezeBackward1"
    return out


def unsqueeze(input, dim):
    """Insert a dim of size 1 at `dim` (in [-ndim-1, ndim])."""
    nd = input._data.ndim
    if not isinstance(dim, numbers.Integral):
        raise TypeError(f"unsqueeze(): argument 'dim' must be int, not {type(dim).__name__}")
    if not -nd - 1 <= dim <= nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd - 1}, {nd}], but got {dim})")
    d = dim + nd + 1 if dim < 0 else dim
    shape = input._data.shape
    out = Reshape.apply(input, shape=shape[:d] + (1,) + shape[d:])
    mark_view(out, input)
    if out.grad_fn is not None:
        out.grad_fn.name = "UnsqueezeBackward0"
    return out


def permute(input, *dims):
    """Reorder dims: permute(2, 0, 1) turns CHW into HWC... or the reverse."""
    dims = shape_arg(dims) if dims and not isinstance(dims[0], (tuple, list)) else tuple(dims[0])
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is "
                           f"not equal to len(dims) = {len(dims)}")
    dims = tuple(normalize_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    nd = input._data.ndim
    d0, d1 = normalize_dim(dim0, nd), normalize_dim(dim1, nd)
    if nd == 0:
        return input.detach() if not input.requires_grad else Reshape.apply(input, shape=())
    return Transpose.apply(input, dim0=d0, dim1=d1)


swapaxes = swapdims = transpose


def t(input):
    """Transpose a matrix (0-d and 1-d tensors are returned as they are)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd < 2:
        return Reshape.apply(input, shape=input._data.shape)
    out = Transpose.apply(input, dim0=0, dim1=1)
    if out.grad_fn is not None:
        out.grad_fn.name = "TBackward0"
    return out


def T(input):
    """All dims reversed (torch warns for ndim != 2, as here)."""
    nd = input._data.ndim
    if nd != 2 and nd != 0:
        import warnings
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                      "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                      "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                      "to reverse the dimensions of a tensor.", UserWarning, stacklevel=3)
    return Permute.apply(input, dims=tuple(range(nd - 1, -1, -1)))


def mT(input):
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{input._data.ndim}-D tensor.")
    return Transpose.apply(input, dim0=input._data.ndim - 2, dim1=input._data.ndim - 1)


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [normalize_dim(d, nd) for d in ((source,) if isinstance(source, int) else source)]
    dst = [normalize_dim(d, nd) for d in ((destination,) if isinstance(destination, int) else destination)]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


moveaxis = movedim


def expand(input, *sizes):
    """Broadcast size-1 dims to `sizes` without copying (-1 keeps a size)."""
    sizes = shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({input.type()}{{{_fmt(shape)}}}, size={_fmt(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    return Expand.apply(input, shape=expanded_shape(shape, sizes))


def expanded_shape(shape, sizes):
    """The shape `expand(*sizes)` gives a tensor of `shape` (-1 keeps a size), checked from the last
    dim as torch does, with its messages."""
    lead = len(sizes) - len(shape)
    target = list(sizes)
    for i in range(len(sizes) - 1, -1, -1):
        s, have = sizes[i], (shape[i - lead] if i >= lead else None)
        if s == -1:
            if have is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            target[i] = have
        elif have is not None and have != 1 and have != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({have}) at non-singleton dimension {i}.  Target sizes: {_fmt(sizes)}.  "
                               f"Tensor sizes: {_fmt(shape)}")
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {_fmt(sizes)}")
    return tuple(target)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def repeat(input, *repeats):
    """Tile the tensor `repeats[i]` times along each dim (np.tile)."""
    repeats = shape_arg(repeats)
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if any(r < 0 for r in repeats):
        shape = (1,) * (len(repeats) - input._data.ndim) + input._data.shape
        target = [r * n for r, n in zip(repeats, shape)]
        bad = next(n for n in target if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {_fmt(target)}")
    return RepeatOp.apply(input, repeats=repeats)


class RepeatOp(Function):
    name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, repeats=None):
        ctx.x_shape, ctx.repeats = x.shape, repeats
        return xp_of(x).tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        repeats, x_shape = ctx.repeats, ctx.x_shape
        padded = (1,) * (len(repeats) - len(x_shape)) + x_shape  # x's shape with one dim per repeat
        split = [n for pair in zip(repeats, padded) for n in pair]  # (repeats[0], padded[0], ...)
        return grad.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(x_shape)


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, *dims)


def _common(tensors, what):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{what}(): argument 'tensors' must be tuple of Tensors, not {type(tensors).__name__}")
    if not tensors:
        if what == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{what} expects a non-empty TensorList")
    common = dtypes.result_type(*[t for t in tensors])
    return [cast(t, common) for t in tensors]


def _check_cat_out(tensors, out):
    """torch's cat/stack refuse an `out` their inputs cannot be cast to (a TypeError, as torch's)."""
    if isinstance(out, Tensor) and isinstance(tensors, (list, tuple)) and tensors:
        if dtypes.result_type(*tensors)._category > out.dtype._category:
            raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                            f"{out.dtype.word}")


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim; all other sizes must match."""
    if out is not None:
        _check_cat_out(tensors, out)
        return write_out(out, cat(tensors, dim), "cat")
    tensors = _common(tensors, "cat")
    ref = next((t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)), tensors[0])
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = normalize_dim(dim, nd)
    for i, t in enumerate(tensors):
        if t._data.ndim == 1 and t._data.shape[0] == 0:
            continue
        if t._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t._data.ndim}")
        for k in range(nd):
            if k != d and t._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {t._data.shape[k]} for tensor "
                                   f"number {i} in the list.")
    return Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    if out is not None:
        _check_cat_out(tensors, out)
        return write_out(out, stack(tensors, dim), "stack")
    tensors = _common(tensors, "stack")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_fmt(shape)} at "
                               f"entry 0 and {_fmt(t._data.shape)} at entry {i}")
    nd = len(shape) + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return Stack.apply(*tensors, dim=dim % nd)


def hstack(tensors):
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([t.reshape(1, -1) if t.ndim == 1 else t for t in tensors], 0)


def narrow(input, dim, start, length):
    d = normalize_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Narrow.apply(input, dim=d, start=start, length=length)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size` along `dim` (the last may be smaller), or of the given section sizes."""
    d = normalize_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral):
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sections = [min(step, size - s) for s in range(0, size, step)] if size else [0]
    else:
        sections = [int(s) for s in split_size_or_sections]
        if sum(sections) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sections}")
    pieces, start = [], 0
    for n in sections:
        piece = Narrow.apply(tensor, dim=d, start=start, length=n)
        if piece.grad_fn is not None:
            piece.grad_fn.name = "SplitBackward0" if isinstance(split_size_or_sections, numbers.Integral) \
                else "SplitWithSizesBackward0"
        pieces.append(piece)
        start += n
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """Split into `chunks` pieces of equal size (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = normalize_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = max(-(-size // chunks), 1)
    return split(input, step, d)


def tensor_split(input, indices_or_sections, dim=0):
    d = normalize_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, numbers.Integral):
        n = int(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        sections = [q + 1] * r + [q] * (n - r)
    else:
        bounds = [0] + [min(int(i), size) for i in indices_or_sections] + [size]
        sections = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return split(input, sections, d)


def select(input, dim, index):
    """The slice at position `index` along `dim`, that dim removed (a view): `x.select(0, i)` is `x[i]`."""
    d = normalize_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_fmt(input._data.shape)} at dimension {d}")
    return Select.apply(input, dim=d, index=index + size if index < 0 else index)


def unbind(input, dim=0):
    """The slices along `dim`, as a tuple of views."""
    d = normalize_dim(dim, input._data.ndim)
    pieces = []
    for i in range(input._data.shape[d]):
        piece = Select.apply(input, dim=d, index=i)
        if piece.grad_fn is not None:
            piece.grad_fn.name = "UnbindBackward0"
        pieces.append(piece)
    return tuple(pieces)


def flip(input, dims):
    """Reverse the order of elements along `dims` (a copy, as in torch)."""
    dims = normalize_dims(dims, input._data.ndim)
    if input._data.ndim == 0:
        return input.clone()
    return Flip.apply(input, dims=dims)


def fliplr(input):
    return flip(input, 1)


def flipud(input):
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """Shift elements along `dims` (or over the flattened tensor), wrapping around at the end."""
    if dims is not None:
        dims = tuple(normalize_dim(d, input._data.ndim) for d in (
            (dims,) if isinstance(dims, numbers.Integral) else dims))
    xp = xp_of(input._data)
    out = Tensor._make(xp.roll(input._data, shifts, axis=dims), input._device)
    if input._requires_grad:  # a permutation of elements: index-select with the rolled indices
        from .indexing import getitem
        idx = xp.roll(xp.arange(input._data.size).reshape(input._data.shape), shifts, axis=dims)
        return getitem(input.reshape(-1), Tensor._make(idx, input._device))
    return out


def clone(input, *, memory_format=None):
    """A copy with its own memory (differentiable)."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """The tensor itself if its memory is C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


def tril(input, diagonal=0, *, out=None):
    """Lower triangle (of the last two dims); the rest is zero."""
    if out is not None:
        return write_out(out, tril(input, diagonal), "tril")
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Triangle.apply(input, diagonal=diagonal)


def triu(input, diagonal=0, *, out=None):
    """Upper triangle (of the last two dims); the rest is zero."""
    if out is not None:
        return write_out(out, triu(input, diagonal), "triu")
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triangle.apply(input, diagonal=diagonal, upper=True)


def atleast_1d(input):
    return reshape(input, 1) if input._data.ndim == 0 else input


def atleast_2d(input):
    return reshape(input, 1, -1) if input._data.ndim < 2 else input
