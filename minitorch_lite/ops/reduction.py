"""Reductions: sum, mean, prod, max/min (values + indices), amax/amin, argmax/argmin, var/std,
logsumexp, norm, all/any, cumsum, sort/topk, unique.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([[1.0, 5.0], [5.0, 2.0]])
    >>> x.max(dim=1)
    torch.return_types.max(
    values=tensor([5., 5.]),
    indices=tensor([1, 0]))

`dim` may be an int, a tuple of ints or None (all dims), negative dims count from the end, and
`keepdim=True` keeps reduced dims as size 1. Gradients follow torch at ties: `max()`/`amax`
share the gradient evenly among tied maxima; `max(dim)` gives it to the returned index only.
"""
import builtins

import numpy as np

from ..autograd.inplace import write_out
from ..autograd.function import Function
from ..backend import dtypes
from ..tensor import Tensor
from ._util import cast, normalize_dim, normalize_dims
from ..backend.device import xp_of



def _axes(dim, ndim):
    """Reduction axes for NumPy: None for all dims; 0-d tensors accept dim 0/-1 and reduce nothing."""
    if dim is None:
        return None
    dims = normalize_dims(dim, ndim)
    return dims if ndim else ()


def _unreduce(grad, axes, keepdim, shape):
    """Broadcast a reduced gradient back to the input's shape (the inverse of a sum over `axes`)."""
    xp = xp_of(grad)
    if axes is None:
        return xp.broadcast_to(grad.reshape((1,) * len(shape)), shape)
    if not keepdim and axes:
        grad = xp.expand_dims(grad, axes)
    return xp.broadcast_to(grad, shape)


class ReturnTypes(tuple):
    """A (values, indices) pair that prints like torch.return_types.max(...)."""

    _fields = ("values", "indices")

    def __new__(cls, name, values, indices):
        self = tuple.__new__(cls, (values, indices))
        self._name = name
        return self

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"

    def __reduce__(self):
        return (ReturnTypes, (self._name, self[0], self[1]))

    def as_out(self, outs):
        """The same pair written into `out=` tensors: torch names it `<name>_out`."""
        return ReturnTypes(self._name + "_out", *outs)


# ---- Functions ------------------------------------------------------------------------------------

class Sum(Function):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, dtype=None):
        ctx.x_shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        if dtype is None and type(x) is np.ndarray:  # np.add.reduce skips ndarray.sum's wrapper layers
            return np.add.reduce(x, axes) if not keepdim else np.add.reduce(x, axes, keepdims=True)
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.axes, ctx.keepdim, ctx.x_shape)


class Mean(Function):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        count = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        ctx.x_shape, ctx.axes, ctx.keepdim, ctx.count = x.shape, axes, keepdim, count
        with np.errstate(invalid="ignore", divide="ignore"):
            return x.mean(axis=axes, keepdims=keepdim) if x.size else \
                xp_of(x).full(_reduced_shape(x.shape, axes, keepdim), np.nan, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.axes, ctx.keepdim, ctx.x_shape) / ctx.count


def _reduced_shape(shape, axes, keepdim):
    axes = range(len(shape)) if axes is None else axes
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class Prod(Function):
    @staticmethod
    def forward(ctx, x, axis=None, keepdim=False):
        out = x.prod(axis=axis, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.axis, ctx.keepdim = axis, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        axis, keepdim = ctx.axis, ctx.keepdim
        xp = xp_of(x)
        axes = None if axis is None else (axis,)
        g = _unreduce(grad, axes, keepdim, x.shape)
        o = _unreduce(out, axes, keepdim, x.shape)
        zero = x == 0
        if not zero.any():
            return g * o / x
        # With zeros, the product of all *other* elements: exclusive cumulative products both ways.
        ax = 0 if axis is None else axis
        flat = x.reshape(-1) if axis is None else x
        ones_shape = list(flat.shape)
        ones_shape[ax] = 1
        ones = xp.ones(ones_shape, dtype=x.dtype)
        left = xp.cumprod(xp.concatenate([ones, xp.take(flat, range(flat.shape[ax] - 1), axis=ax)], axis=ax), axis=ax)
        right = xp.flip(xp.cumprod(xp.concatenate(
            [ones, xp.flip(xp.take(flat, range(1, flat.shape[ax]), axis=ax), axis=ax)], axis=ax), axis=ax), axis=ax)
        others = (left * right).reshape(x.shape)
        return g * others


class MaxAll(Function):
    """max()/min() of all elements: the gradient is shared evenly among the tied extremes."""

    name = "MaxBackward1"

    @staticmethod
    def forward(ctx, x, largest=True):
        out = x.max() if largest else x.min()
        ctx.save_for_backward(x, out)
        if not largest:
            ctx.name = "MinBackward1"
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        xp = xp_of(x)
        mask = xp.isnan(x) if xp.isnan(out) else x == out
        return xp.where(mask, grad / mask.sum(), xp.zeros((), dtype=grad.dtype)).astype(grad.dtype, copy=False)


class MaxDim(Function):
    """max(dim)/min(dim) values, taken at `indices` (the arg-max/min along `dim`, kept as size 1: the
    public function finds them, as it returns them too); the gradient goes to those indices only."""

    name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, indices=None, dim=0, keepdim=False, largest=True):
        values = xp_of(x).take_along_axis(x, indices, axis=dim)
        ctx.save_for_backward(indices)
        ctx.x_shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if not largest:
            ctx.name = "MinBackward0"
        return values if keepdim else values.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved
        dim = ctx.dim
        return _scatter_along(grad if ctx.keepdim else xp_of(grad).expand_dims(grad, dim), indices, dim, ctx.x_shape)


def _scatter_along(values, index, dim, shape):
    """zeros(shape) with `values` put at `index` along `dim` (indices unique along dim)."""
    xp = xp_of(values)
    out = xp.zeros(shape, dtype=values.dtype)
    xp.put_along_axis(out, index, values, axis=dim)
    return out


class Amax(Function):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, largest=True):
        out = x.max(axis=axes, keepdims=True) if largest else x.min(axis=axes, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        if not largest:
            ctx.name = "AminBackward0"
        return out if keepdim else (out.reshape(_reduced_shape(x.shape, axes, False)))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        mask = x == out
        count = mask.sum(axis=ctx.axes, keepdims=True)
        g = grad if ctx.keepdim else grad.reshape(count.shape)
        return (g / count) * mask


class Var(Function):
    @staticmethod
    def forward(ctx, x, axes=None, correction=1, keepdim=False, sqrt=False):
        xp = xp_of(x)
        n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            var = (centered * centered).sum(axis=axes, keepdims=keepdim) / x.dtype.type(
                builtins.max(n - correction, 0))
        out = xp.sqrt(var) if sqrt else var
        ctx.save_for_backward(centered, out)
        ctx.axes, ctx.keepdim, ctx.dof, ctx.sqrt = axes, keepdim, n - correction, sqrt
        if sqrt:
            ctx.name = "StdBackward0"
        return out

    @staticmethod
    def backward(ctx, grad):
        centered, out = ctx.saved
        dof = ctx.dof  # degrees of freedom: the divisor n - correction
        xp = xp_of(grad)
        if ctx.sqrt:  # std: d std = d var / (2 std), and 0 where std is 0
            with np.errstate(invalid="ignore", divide="ignore"):
                grad = xp.where(out == 0, 0, grad / (out * 2)).astype(grad.dtype, copy=False)
        g = _unreduce(grad, ctx.axes, ctx.keepdim, centered.shape)
        return (2.0 / dof) * g * centered if dof > 0 else g * xp.nan


class Logsumexp(Function):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        xp = xp_of(x)
        m = x.max(axis=axes, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        m = xp.where(xp.isinf(m), 0, m).astype(x.dtype, copy=False)  # all -inf rows stay -inf
        with np.errstate(divide="ignore"):
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, out)
        ctx.keepdim = keepdim
        return out if keepdim else out.reshape(_reduced_shape(x.shape, axes, False))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        g = grad if ctx.keepdim else grad.reshape(out.shape)
        return g * xp_of(x).exp(x - out)


class Norm(Function):
    name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p=2.0, axes=None, keepdim=False):
        xp = xp_of(x)
        a = xp.abs(x)
        if p == 2:
            out = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
        elif p == 1:
            out = a.sum(axis=axes, keepdims=True)
        elif p == float("inf"):
            out = a.max(axis=axes, keepdims=True)
        elif p == float("-inf"):
            out = a.min(axis=axes, keepdims=True)
        elif p == 0:
            out = (x != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
        else:
            out = (a ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return out if keepdim else out.reshape(_reduced_shape(x.shape, axes, False))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        p = ctx.p
        xp = xp_of(x)
        g = grad if ctx.keepdim else grad.reshape(out.shape)
        zero = xp.zeros((), dtype=x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            if p == 2:
                return x * xp.where(out == 0, zero, g / out)
            if p == 1:
                return g * xp.sign(x)
            if p in (float("inf"), float("-inf")):
                mask = xp.abs(x) == out
                return xp.sign(x) * (g / mask.sum(axis=ctx.axes, keepdims=True)) * mask
            if p == 0:
                return xp.zeros_like(x)
            return xp.where(out == 0, zero, x * xp.abs(x) ** (p - 2) * g / out ** (p - 1))


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim=0, dtype=None):
        ctx.dim = dim
        return xp_of(x).cumsum(x, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(grad)
        d = ctx.dim
        return xp.flip(xp.cumsum(xp.flip(grad, d), axis=d), d)


class Sort(Function):
    """Values of sort/topk; the gradient goes back to where each value came from."""

    @staticmethod
    def forward(ctx, x, indices=None, dim=-1):
        ctx.save_for_backward(indices)
        ctx.x_shape, ctx.dim = x.shape, dim
        return xp_of(x).take_along_axis(x, indices, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved
        return _scatter_along(grad, indices, ctx.dim, ctx.x_shape)


# ---- public functions ------------------------------------------------------------------------------

def _sum_dtype(t, dtype):
    if dtype is not None:
        return dtypes.as_dtype(dtype).np
    if t._data.dtype.kind in "biu":
        return np.int64  # torch sums integers and bools in int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over `dim` (all dims by default). Integer and bool tensors sum to int64."""
    if out is not None:
        # torch sums in out's dtype when none is given (float into an int out: each value cast first)
        return write_out(out, sum(input, dim, keepdim, dtype=dtype or out.dtype), "sum")
    if dim is None and dtype is None and input._data.dtype.kind == "f":
        return Sum.apply(input)  # the common case, without the argument plumbing below
    np_dtype = _sum_dtype(input, dtype)
    if np_dtype is not None and input._data.dtype.kind == "f" and np_dtype != input._data.dtype:
        input, np_dtype = cast(input, dtypes.from_numpy_dtype(np_dtype)), None
    axes = _axes(dim, input._data.ndim)
    out = Sum.apply(input, axes=axes, keepdim=keepdim, dtype=np_dtype)
    if dim is not None and out.grad_fn is not None:
        out.grad_fn.name = "SumBackward1"
    return out


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Average over `dim` (all dims by default); floats only, as in torch."""
    if out is not None:
        return write_out(out, mean(input, dim, keepdim, dtype=dtype), "mean")
    if dtype is not None:
        input = cast(input, dtypes.as_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {_word(input.dtype)}")
    out = Mean.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim)
    if dim is not None and out.grad_fn is not None:
        out.grad_fn.name = "MeanBackward1"
    return out


def _word(dt):
    return dt.word


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    from .elementwise import where
    from .comparison import isnan
    return sum(where(isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product over one `dim` or all elements (int/bool give int64)."""
    if dtype is not None:
        input = cast(input, dtypes.as_dtype(dtype))
    elif input._data.dtype.kind in "biu":
        input = cast(input, dtypes.int64)
    if dim is None:
        return Prod.apply(input)
    axis = normalize_dim(dim, input._data.ndim) if input._data.ndim else None
    out = Prod.apply(input, axis=axis, keepdim=keepdim and axis is not None)
    if out.grad_fn is not None:
        out.grad_fn.name = "ProdBackward1"
    return out


def _extreme(name, largest, input, dim, keepdim, other):
    if isinstance(dim, Tensor) and other is None:  # torch.max(a, b) is maximum
        from .arithmetic import maximum, minimum
        return (maximum if largest else minimum)(input, dim)
    if other is not None:
        from .arithmetic import maximum, minimum
        return (maximum if largest else minimum)(input, other)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return MaxAll.apply(input, largest=largest)
    d = normalize_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return ReturnTypes(name, input.clone(), Tensor._make(xp_of(input._data).zeros((), np.int64), input._device))
    if input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    xp = xp_of(input._data)
    found = (xp.argmax if largest else xp.argmin)(input._data, axis=d)
    kept = xp.expand_dims(found, d)
    values = MaxDim.apply(input, indices=kept, dim=d, keepdim=keepdim, largest=largest)
    indices = kept if keepdim else found
    return ReturnTypes(name, values, Tensor._make(indices.astype(np.int64, copy=False), input._device))


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """`max()` -> the largest value; `max(dim)` -> (values, indices); `max(a, b)` -> maximum."""
    if out is not None:
        return write_out(out, max(input, dim, keepdim, other=other), "max")
    return _extreme("max", True, input, dim, keepdim, other)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """`min()` -> the smallest value; `min(dim)` -> (values, indices); `min(a, b)` -> minimum."""
    if out is not None:
        return write_out(out, min(input, dim, keepdim, other=other), "min")
    return _extreme("min", False, input, dim, keepdim, other)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Largest values over `dim` (all dims when empty); ties share the gradient evenly."""
    if out is not None:
        return write_out(out, amax(input, dim, keepdim), "amax")
    axes = _axes(None if dim == () or dim is None else dim, input._data.ndim)
    return Amax.apply(input, axes=axes, keepdim=keepdim)


def amin(input, dim=(), keepdim=False, *, out=None):
    if out is not None:
        return write_out(out, amin(input, dim, keepdim), "amin")
    axes = _axes(None if dim == () or dim is None else dim, input._data.ndim)
    return Amax.apply(input, axes=axes, keepdim=keepdim, largest=False)


def _arg(largest, input, dim, keepdim):
    xp = xp_of(input._data)
    fn = xp.argmax if largest else xp.argmin
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{'argmax' if largest else 'argmin'}(): Expected reduction dim to be "
                               "specified for input.numel() == 0.")
        idx = fn(input._data.reshape(-1))
        if keepdim:
            idx = xp.asarray(idx).reshape((1,) * input._data.ndim)
    else:
        d = normalize_dim(dim, input._data.ndim)
        idx = fn(input._data, axis=d, keepdims=keepdim) if input._data.ndim else xp.asarray(0)
    return Tensor._make(xp.asarray(idx, dtype=np.int64), input._device)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest value (of the flattened tensor when `dim` is None)."""
    return _arg(True, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _arg(False, input, dim, keepdim)


def _var_args(dim, unbiased, correction):
    if isinstance(dim, bool):  # var(unbiased) overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over `dim` with Bessel's correction by default (`correction=1` / `unbiased=True`)."""
    if out is not None:
        return write_out(out, var(input, dim, unbiased, keepdim, correction=correction), "var")
    dim, correction = _var_args(dim, unbiased, correction)
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    out = Var.apply(input, axes=_axes(dim, input._data.ndim), correction=correction, keepdim=keepdim)
    if dim is not None and out.grad_fn is not None:
        out.grad_fn.name = "VarBackward0"
    return out


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation (sqrt of `var`, same arguments)."""
    if out is not None:
        return write_out(out, std(input, dim, unbiased, keepdim, correction=correction), "std")
    dim, correction = _var_args(dim, unbiased, correction)
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return Var.apply(input, axes=_axes(dim, input._data.ndim), correction=correction, keepdim=keepdim,
                     sqrt=True)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over `dim`, computed stably (the max is subtracted first)."""
    if out is not None:
        return write_out(out, logsumexp(input, dim, keepdim), "logsumexp")
    if input._data.dtype.kind != "f":
        input = cast(input, dtypes.get_default_dtype())
    return Logsumexp.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, out=None):
    """Vector p-norm over `dim` (all elements by default); 'fro' is the 2-norm."""
    if out is not None:
        return write_out(out, norm(input, p, dim, keepdim, dtype), "norm")
    if isinstance(p, str):
        if p not in ("fro",):
            raise RuntimeError(f"norm: unsupported norm type {p!r}")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:  # 'fro' over a tuple is a matrix norm
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        p = 2.0
    if dtype is not None:
        input = cast(input, dtypes.as_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_word(input.dtype)}")
    return Norm.apply(input, p=float(p), axes=_axes(dim, input._data.ndim), keepdim=keepdim)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    return norm(x, ord, dim, keepdim, dtype)


def _bool_reduce(kind, input, dim, keepdim):
    data = input._data
    xp = xp_of(data)
    axes = _axes(dim, data.ndim)
    fn = xp.all if kind == "all" else xp.any
    out = fn(data, axis=axes, keepdims=keepdim)
    if data.dtype == np.uint8:
        out = out.astype(np.uint8)  # torch keeps uint8 for all/any on uint8
    return Tensor._make(xp.asarray(out), input._device)


def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element (over `dim`) is nonzero."""
    if out is not None:
        return write_out(out, all(input, dim, keepdim), "all")
    return _bool_reduce("all", input, dim, keepdim)


def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element (over `dim`) is nonzero."""
    if out is not None:
        return write_out(out, any(input, dim, keepdim), "any")
    return _bool_reduce("any", input, dim, keepdim)


def count_nonzero(input, dim=None):
    data = input._data
    xp = xp_of(data)
    return Tensor._make(xp.asarray(xp.count_nonzero(data, axis=_axes(dim, data.ndim)), dtype=np.int64),
                        input._device)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along `dim` (ints accumulate in int64)."""
    if out is not None:
        return write_out(out, cumsum(input, dim, dtype=dtype or out.dtype), "cumsum")
    d = normalize_dim(dim, input._data.ndim)
    np_dtype = _sum_dtype(input, dtype)
    if input._data.ndim == 0:
        return input.clone() if np_dtype is None else cast(input, dtypes.from_numpy_dtype(np_dtype))
    if np_dtype is not None and input._data.dtype.kind == "f":
        input, np_dtype = cast(input, dtypes.from_numpy_dtype(np_dtype)), None
    return Cumsum.apply(input, dim=d, dtype=np_dtype)


def _sort_indices(data, dim, descending, stable=True):
    xp = xp_of(data)
    key = data
    if descending:
        key = -data.astype(np.int64) if data.dtype.kind in "bu" else -data
        if data.dtype.kind == "f":  # torch puts NaN first when sorting descending
            key = xp.where(xp.isnan(data), -np.inf, key)
    return xp.argsort(key, axis=dim, kind="stable")


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """Sorted values and their original indices along `dim` (ties keep their order)."""
    if out is not None:
        return write_out(out, sort(input, dim, descending, stable), "sort")
    d = normalize_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return ReturnTypes("sort", input.clone(), Tensor._make(xp_of(input._data).zeros((), np.int64), input._device))
    idx = _sort_indices(input._data, d, descending)
    values = Sort.apply(input, indices=idx, dim=d)
    return ReturnTypes("sort", values, Tensor._make(idx.astype(np.int64), input._device))


def argsort(input, dim=-1, descending=False, stable=False):
    d = normalize_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return Tensor._make(xp_of(input._data).zeros((), np.int64), input._device)
    return Tensor._make(_sort_indices(input._data, d, descending).astype(np.int64), input._device)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The k largest (or smallest) values along `dim`, with their indices."""
    if out is not None:
        return write_out(out, topk(input, k, dim, largest, sorted), "topk")
    d = normalize_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    xp = xp_of(input._data)
    if input._data.ndim == 0:
        return ReturnTypes("topk", input.clone(), Tensor._make(xp.zeros((), np.int64), input._device))
    idx = xp.take(_sort_indices(input._data, d, largest), range(k), axis=d)
    values = Sort.apply(input, indices=idx, dim=d)
    if values.grad_fn is not None:
        values.grad_fn.name = "TopkBackward0"
    return ReturnTypes("topk", values, Tensor._make(idx.astype(np.int64), input._device))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), optionally with inverse indices and counts."""
    xp = xp_of(input._data)
    data = input._data
    if dim is None:
        res = xp.unique(data.reshape(-1), return_inverse=return_inverse, return_counts=return_counts)
    else:
        res = xp.unique(data, axis=normalize_dim(dim, data.ndim), return_inverse=return_inverse,
                        return_counts=return_counts)
    if not isinstance(res, tuple):
        return Tensor._make(res, input._device)
    values, *rest = res
    out = [Tensor._make(values, input._device)]
    if return_inverse:
        inv = rest.pop(0)
        out.append(Tensor._make(inv.reshape(data.shape if dim is None else -1).astype(np.int64), input._device))
    if return_counts:
        out.append(Tensor._make(rest.pop(0).astype(np.int64), input._device))
    return tuple(out)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, 2, ... occurs in a 1-D tensor of non-negative integers (or the sum
    of `weights` at each value). Not differentiable, as in torch.

        >>> import minitorch_lite as mt
        >>> mt.bincount(mt.tensor([0, 1, 1, 3]))
        tensor([1, 2, 0, 1])
    """
    if input._data.dtype.kind not in "iub":
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{input.dtype.word}\'')
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input._data.ndim != 1 or (input._data.size and int(input._data.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = xp_of(input._data)
    if weights is None:
        counts = xp.bincount(input._data, minlength=minlength).astype(np.int64)
    else:
        if weights._data.ndim != 1 or weights._data.shape[0] != input._data.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        # torch sums float32 weights in float32 and every other dtype in float64
        dtype = np.float32 if weights._data.dtype == np.float32 else np.float64
        counts = xp.bincount(input._data, weights=weights._data, minlength=minlength).astype(dtype)
    return Tensor._make(counts, input._device)
