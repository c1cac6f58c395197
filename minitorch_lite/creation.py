"""Making tensors: from data (`tensor`, `as_tensor`, `from_numpy`), filled (`zeros`, `full`, ...),
ranges (`arange`, `linspace`), and random (`rand`, `randn`, ... drawn from the torch-identical
generator in `random.py`).

    >>> import minitorch_lite as mt
    >>> mt.tensor([[1, 2], [3, 4]]).dtype, mt.arange(0, 1, 0.25)
    (torch.int64, tensor([0.0000, 0.2500, 0.5000, 0.7500]))

Dtype inference follows torch: Python ints give int64, floats the default float dtype (float32),
bools bool; NumPy arrays keep their dtype.
"""
import math
import numbers
import warnings

import numpy as np

from . import random as _random
from .backend import dtypes as _dtypes
from .backend.device import CPU, as_device
from .backend.shapes import shape_arg
from .ops.conversion import move_array
from .autograd.inplace import write_out
from .tensor import Tensor


def _finish(array, dtype, device, requires_grad):
    """Put a NumPy array on `device` as a tensor (optionally requiring grad)."""
    dev = as_device(device)
    if dev is not CPU:
        array = move_array(array, dev)
    t = Tensor._make(array, dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np_dtype(dtype, default=None, where=None):
    if dtype is None:
        return (default or _dtypes.get_default_dtype()).np
    return _dtypes.as_dtype(dtype, where).np


# ---- from data ----------------------------------------------------------------------------

def _infer_array(data, dtype=None):
    """Nested Python data (numbers, lists, tuples, tensors, NumPy arrays) -> a NumPy array with torch's
    dtype, or with `dtype` when given (Python floats then go straight to it, never through float32)."""
    if isinstance(data, Tensor):
        return data.detach().cpu()._data
    if isinstance(data, np.ndarray):
        _dtypes.from_numpy_dtype(data.dtype)  # TypeError for unsupported dtypes
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, Tensor) for x in data):
            data = [x.detach().cpu()._data if isinstance(x, Tensor) else x for x in data]
        try:
            array = np.array(data)
        except ValueError:
            _check_ragged(data, 0)
            raise
        if array.dtype == object:
            _check_ragged(data, 0)
            if isinstance(_first_leaf(data), numbers.Integral):
                raise ValueError("Overflow when unpacking long long")  # beyond int64
            raise TypeError(f"new(): invalid data type '{type(_first_leaf(data)).__name__}'")
        if array.dtype.kind in "USO":
            raise ValueError(f"too many dimensions '{type(_first_leaf(data)).__name__}'")
        if dtype is not None:
            return array.astype(dtype.np, copy=False)
        if not _has_numpy_leaf(data):  # Python numbers: floats -> default float, ints -> int64
            if array.dtype.kind == "f":
                array = array.astype(_dtypes.get_default_dtype().np)
            elif array.dtype == np.uint64:  # ints in [2**63, 2**64): beyond torch's int64
                raise ValueError("Overflow when unpacking long long")
            elif array.dtype.kind in "iu" and array.dtype != np.int64:
                array = array.astype(np.int64)
        _dtypes.from_numpy_dtype(array.dtype)
        return array
    if isinstance(data, bool):
        return np.asarray(data)
    if isinstance(data, numbers.Integral):
        if not -2 ** 63 <= int(data) < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        return np.asarray(data, dtype=np.int64 if dtype is None else dtype.np)
    if isinstance(data, numbers.Real):
        return np.asarray(data, dtype=(_dtypes.get_default_dtype() if dtype is None else dtype).np)
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _has_numpy_leaf(data):
    """NumPy scalars and arrays inside a list keep their dtype (torch.tensor([np.int32(3)]) is int32)."""
    return isinstance(_first_leaf(data), (np.generic, np.ndarray))


def _check_ragged(data, dim):
    """torch's error for lists of unequal lengths: 'expected sequence of length 2 at dim 1 (got 1)'."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    if isinstance(first, (list, tuple)):
        for item in data[1:]:
            if not isinstance(item, (list, tuple)) or len(item) != len(first):
                got = len(item) if isinstance(item, (list, tuple)) else type(item).__name__
                raise ValueError(f"expected sequence of length {len(first)} at dim {dim + 1} (got {got})")
        for item in data:
            _check_ragged(item, dim + 1)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, numbers, NumPy arrays or tensors)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).", UserWarning,
                      stacklevel=2)
    dt = None if dtype is None else _dtypes.as_dtype(dtype, "tensor")
    array = _infer_array(data, dt)
    array = array.copy() if dt is None else array.astype(dt.np)  # always a copy, as torch.tensor
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(array, dtype, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a tensor or NumPy array when dtype and device allow."""
    if isinstance(data, Tensor):
        out = data
        if dtype is not None or device is not None:
            out = out.to(device=device if device is not None else out.device, dtype=dtype)
        return out
    if isinstance(data, np.ndarray) and (dtype is None or _dtypes.as_dtype(dtype).np == data.dtype):
        if device is None or as_device(device) is CPU:
            _dtypes.from_numpy_dtype(data.dtype)
            return Tensor._make(data, CPU)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor that shares memory with `ndarray` and keeps its dtype (float64 stays float64)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    _dtypes.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray, CPU)


# ---- filled ------------------------------------------------------------------------------------

def _sized(size, kw_size, where=None):
    if kw_size is not None:
        if size:
            raise TypeError("size given both positionally and as size=")
        size = (kw_size,)
    shape = shape_arg(size)
    check_sizes(shape, where)
    return shape


def check_sizes(shape, where=None):
    """torch's error for a negative size (zeros words it its own way)."""
    for s in shape:
        if s < 0:
            if where == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, shape))}]")


def _filled(fill, size, kw_size, dtype, device, requires_grad, default=None, where=None):
    shape = _sized(size, kw_size, where)
    dev = as_device(device)
    np_dtype = _np_dtype(dtype, default, where)
    if np_dtype.kind in "iub" and isinstance(fill, float) and not math.isfinite(fill):
        raise RuntimeError(f"value cannot be converted to type {_dtypes.from_numpy_dtype(np_dtype).c_name} "
                           "without overflow")
    array = dev.xp.full(shape, fill, dtype=np_dtype)
    t = Tensor._make(array, dev)
    return t.requires_grad_(True) if requires_grad else t


def zeros(*size, size_=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
    """A tensor of zeros: `zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))`."""
    if out is not None:  # torch writes the result into `out` (its dtype and device by default)
        result = zeros(*size, size_=size_, dtype=dtype or out.dtype, device=out.device, **kw)
        return write_out(out, result, "zeros", resize_warning=False)
    return _filled(0, size, kw.pop("size", size_), dtype, device, requires_grad, where="zeros")


def ones(*size, size_=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw):
    """A tensor of ones: `ones(2, 3)`, `ones((2, 3))` or `ones(size=(2, 3))`."""
    if out is not None:
        result = ones(*size, size_=size_, dtype=dtype or out.dtype, device=out.device, **kw)
        return write_out(out, result, "ones", resize_warning=False)
    return _filled(1, size, kw.pop("size", size_), dtype, device, requires_grad, where="ones")


def empty(*size, size_=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kw):
    """An uninitialised tensor (its values are whatever the memory held)."""
    if out is not None:
        result = empty(*size, size_=size_, dtype=dtype or out.dtype, device=out.device, **kw)
        return write_out(out, result, "empty", resize_warning=False)
    shape = _sized(size, kw.pop("size", size_))
    dev = as_device(device)
    t = Tensor._make(dev.xp.empty(shape, dtype=_np_dtype(dtype, where="empty")), dev)
    return t.requires_grad_(True) if requires_grad else t


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of `size` filled with `fill_value`; its dtype follows the value (bool, int64, float)."""
    if out is not None:
        result = full(size, fill_value, dtype=dtype or out.dtype, device=out.device)
        return write_out(out, result, "full", resize_warning=False)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (numbers.Number, np.generic)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    if dtype is None:
        dtype = _dtypes.scalar_dtype(fill_value)
    return _filled(fill_value, (size,), None, dtype, device, requires_grad, where="full")


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The identity matrix (n x m)."""
    if out is not None:
        result = eye(n, m, dtype=dtype or out.dtype, device=out.device)
        return write_out(out, result, "eye", resize_warning=False)
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dev = as_device(device)
    t = Tensor._make(dev.xp.eye(n, n if m is None else m, dtype=_np_dtype(dtype)), dev)
    return t.requires_grad_(True) if requires_grad else t


def _like(fn, input, dtype, device, requires_grad, *args):
    return fn(*args, input.shape, dtype=input.dtype if dtype is None else dtype,
              device=input.device if device is None else device, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
                device=input.device if device is None else device, requires_grad=requires_grad)


# ---- ranges ----------------------------------------------------------------------------------------

def _simd_layout(n, width):
    """How torch's CPU kernel walks a range of `n` elements: at::parallel_for splits it into one
    chunk per thread (grain 32768); in each chunk, pairs of SIMD vectors of `width` lanes are filled
    from a base value plus `lane * step`, and the chunk's tail (under two vectors) one element at a
    time. Returns (index, lane within its vector, whether the element is in a scalar tail)."""
    from .threads import get_num_threads
    idx = np.arange(n)
    tasks = min(get_num_threads(), -(-n // 32768)) if n else 1
    chunk = -(-n // max(tasks, 1)) if n else 1
    begin = idx - idx % chunk
    rel = idx - begin
    lane = rel % width
    chunk_len = np.minimum(begin + chunk, n) - begin
    scalar = rel >= chunk_len // (2 * width) * (2 * width)
    return idx, lane, scalar


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from `start` up to (not including) `end` in steps of `step`, exactly as torch makes them.

    Float results are computed as torch's CPU kernel does (base value in float64 rounded to the
    dtype, plus `lane * step` per SIMD lane), so `arange(0, 1, 0.02)` matches torch to the bit.
    """
    if out is not None:
        result = arange(start, end, step, dtype=dtype or out.dtype, device=out.device)
        if out.numel() and out.numel() != result.numel():  # arange words its resize warning its own way
            warnings.warn(f"The number of elements in the out tensor of shape {list(out.shape)} is "
                          f"{out.numel()} which does not match the computed number of elements "
                          f"{result.numel()}. Note that this may occur as a result of rounding error. "
                          f"The out tensor will be resized to a tensor of shape ({result.numel()},).",
                          UserWarning, stacklevel=2)
        return write_out(out, result, "arange", resize_warning=False)
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        dtype = _dtypes.get_default_dtype() if is_float else _dtypes.int64
    dt = _dtypes.as_dtype(dtype, "arange")
    if dt is _dtypes.bool_:
        raise NotImplementedError('"arange_cpu" not implemented for \'Bool\'')
    if not dt.is_floating_point:  # torch casts the bounds and step to the integer type first
        start, end, step = (int(v) if math.isfinite(v) else v for v in (start, end, step))
        if step == 0 and values[2] != 0:
            raise ValueError("step must be nonzero")  # (torch's error when the cast made it 0)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not all(math.isfinite(v) for v in values):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(math.ceil((end - start) / step))
    if dt.is_floating_point:
        width = 32 // dt.itemsize  # lanes of a 256-bit vector: 8 float32, 4 float64
        idx, lane, scalar = _simd_layout(n, width)
        base = (start + step * (idx - lane).astype(np.float64)).astype(dt.np).astype(np.float64)
        array = (base + lane * step).astype(dt.np)
        array[scalar] = (start + step * idx[scalar].astype(np.float64)).astype(dt.np)
    else:
        array = (start + step * np.arange(n, dtype=np.int64)).astype(dt.np)
    return _finish(array, dt, device, requires_grad)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated in torch (includes `end`); kept for the course, with torch's warning."""
    if out is not None:
        result = range(start, end, step, dtype=dtype or out.dtype, device=out.device)
        return write_out(out, result, "range", resize_warning=False)
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    array = (start + step * np.arange(n, dtype=np.float64)).astype(dt.np)
    return _finish(array, dt, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from `start` to `end`, both included (torch's formula: the first
    half counts up from `start`, the second half down from `end`, each value rounded once)."""
    if out is not None:
        result = linspace(start, end, steps, dtype=dtype or out.dtype, device=out.device)
        return write_out(out, result, "linspace", resize_warning=False)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    if not dt.is_floating_point:
        compute = np.float64
    else:
        compute = dt.np.type
    lo, hi = compute(start), compute(end)
    step = compute((hi - lo) / compute(steps - 1)) if steps > 1 else compute(0)
    if steps == 1:
        return _finish(np.array([lo], dtype=dt.np), dt, device, requires_grad)
    i = np.arange(steps)
    # a fused multiply-add in torch's kernel: the product is exact in float64, rounded once at the end
    array = np.where(i < steps // 2, lo + np.float64(step) * i,
                     hi - np.float64(step) * (steps - 1 - i))
    return _finish(array.astype(dt.np), dt, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    exps = linspace(start, end, steps, dtype=_dtypes.float64)._data
    return _finish((base ** exps).astype(dt.np), dt, device, requires_grad)


# ---- random --------------------------------------------------------------------------------------

def _gen(generator):
    return _random.default_generator if generator is None else generator


def _random_tensor(draw, size, kw_size, dtype, device, requires_grad):
    shape = _sized(size, kw_size)
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    return _finish(draw(shape, dt.np), dt, device, requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw):
    """Uniform samples in [0, 1), the same numbers torch draws for the same seed."""
    if out is not None:
        result = rand(*size, generator=generator, dtype=dtype or out.dtype, device=out.device, **kw)
        return write_out(out, result, "rand", resize_warning=False)
    return _random_tensor(_gen(generator).rand, size, kw.pop("size", None), dtype, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
    """Standard normal samples, the same numbers torch draws for the same seed."""
    if out is not None:
        result = randn(*size, generator=generator, dtype=dtype or out.dtype, device=out.device, **kw)
        return write_out(out, result, "randn", resize_warning=False)
    return _random_tensor(_gen(generator).randn, size, kw.pop("size", None), dtype, device, requires_grad)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, **kw):
    """`randint(high, size)` or `randint(low, high, size)`: integers in [low, high) (int64 by default)."""
    if out is not None:
        result = randint(*args, size=size, generator=generator, dtype=dtype or out.dtype,
                         device=out.device, **kw)
        return write_out(out, result, "randint", resize_warning=False)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        *args, size = args
    low = kw.pop("low", 0)
    high = kw.pop("high", None)
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        high = args[0]
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    for bound in (low, high):
        if not isinstance(bound, (numbers.Integral, Tensor)):
            raise TypeError(f"randint() received an invalid combination of arguments - got "
                            f"({', '.join(type(a).__name__ for a in (*args, size))}), but expected "
                            "integer bounds (low, high) and a size")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = _dtypes.as_dtype(dtype, "randint") if dtype is not None else _dtypes.int64
    shape = shape_arg((size,))
    check_sizes(shape)
    array = _gen(generator).randint(low, high, shape, dtype=dt.np)
    return _finish(array, dt, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1, torch's for the same seed."""
    if out is not None:
        result = randperm(n, generator=generator, dtype=dtype or out.dtype, device=out.device)
        return write_out(out, result, "randperm", resize_warning=False)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.int64
    return _finish(_gen(generator).randperm(int(n), dtype=dt.np), dt, device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    """Normal samples: `normal(mean, std, size)` with numbers, or elementwise means/stds as tensors."""
    if out is not None:
        result = normal(mean, std, size, generator=generator, dtype=dtype or out.dtype, device=out.device)
        return write_out(out, result, "normal", resize_warning=False)
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s)) if size is None else shape_arg((size,))
        noise = like.device.xp.asarray(g.normal(shape, 0.0, 1.0, like._data.dtype)) if like.device is CPU \
            else move_array(g.normal(shape, 0.0, 1.0, like._data.dtype), like.device)
        return Tensor._make((noise * s + m).astype(like._data.dtype), like.device)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal() with float mean and std needs a size")
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    return _finish(g.normal(shape_arg((size,)), mean, std, dt.np), dt, device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draw 0/1 with probability `input` (elementwise) or a float `p`."""
    if out is not None:
        result = bernoulli(input, p, generator=generator).to(out.dtype)  # 0/1 in out's own dtype
        return write_out(out, result, "bernoulli", resize_warning=False)
    g = _gen(generator)
    if p is None:
        probs = input.detach().cpu()._data
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        draws = g.rand(probs.shape, np.float64 if probs.dtype == np.float64 else np.float32)
        array = (draws < probs).astype(probs.dtype)
    else:
        array = g.bernoulli(tuple(input.shape), p, dtype=input._data.dtype)
    return _finish(array, input.dtype, input.device, False)
