"""Every method of Tensor that computes something, declared in one place and attached to the class.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([1.0, -2.0, 3.0])
    >>> x.abs().sum(), (x * 2).softmax(0).argmax()
    (tensor(6.), tensor(2))

`tensor.py` holds the data class; it cannot import the ops (they create Tensors, so they import
it). This module comes last in the core: it imports the layers below (autograd, ops, creation) and
copies the methods declared in `_TensorMethods` onto `Tensor` -- so `x.exp()` and `mt.exp(x)` run
the same function, and this file is the index of the whole Tensor API.

Most methods *are* the op functions (`exp = elementwise.exp`): an op's first parameter is the
tensor, so `x.exp()` calls `elementwise.exp(x)` with no extra layer (operators such as `a + b` run
once per op in a training step, and a wrapper would cost each of them a Python call). Methods whose
arguments differ from the function's are one-line `def`s; in-place methods compute the op out of
place and write it back through `autograd.inplace`, which applies torch's rules.
"""
import numbers

from . import creation
from .autograd import backward as _backward
from .autograd import inplace
from .backend import dtypes
from .backend.device import CPU, as_device, device
from .backend.shapes import shape_arg
from .ops import (activation, arithmetic, comparison, conversion, elementwise, filling, indexing, linalg,
                  reduction, shape)
from .tensor import Tensor

__all__ = ["TENSOR_TYPES_BY_NAME", "CUDA_TENSOR_TYPES", "parse_to"]


class _TensorMethods:
    """The methods of `Tensor`, by family (copied onto the class at the bottom of this module)."""

    # ---- construction and autograd ------------------------------------------------------------
    def __init__(self, *args, device=None):
        """`Tensor(data)`: a float tensor holding `data`; `Tensor(2, 3)`: an uninitialised 2x3 one."""
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            made = creation.tensor(args[0], dtype=dtypes.get_default_dtype(), device=device)
        else:
            made = creation.empty(*args, dtype=dtypes.get_default_dtype(), device=device)
        Tensor._init_from(self, made._data, made._device)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves and add it to their `.grad`."""
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    # ---- dtype and device ---------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`; returns self when nothing changes."""
        dev, dt, copy = parse_to(args, kwargs)
        dev = self._device if dev is None else as_device(dev)
        dt = None if dt is None else dtypes.as_dtype(dt, "to")
        same_dtype = dt is None or dt.np == self._data.dtype
        if dev is self._device and same_dtype:
            return self.clone() if copy else self
        return conversion.ToCopy.apply(self, dtype=None if same_dtype else dt.np,
                                       device=None if dev is self._device else dev)

    def cpu(self):
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    def type(self, dtype=None, non_blocking=False):
        """With no argument, the type name ('torch.FloatTensor'); else a converted tensor."""
        if dtype is None:
            return ("torch.cuda." if self.is_cuda else "torch.") + self.dtype.word + "Tensor"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            types = CUDA_TENSOR_TYPES if dtype.startswith("torch.cuda.") else TENSOR_TYPES_BY_NAME
            dtype = types[dtype.split(".")[-1]]
        if isinstance(dtype, _TensorType):
            out = self.to(dtype.dtype)
            return out if dtype.is_cuda == self.is_cuda else out.to("cuda" if dtype.is_cuda else "cpu")
        return self.to(dtypes.as_dtype(dtype, "type"))

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def short(self):
        return self.to(dtypes.int16)

    def char(self):
        return self.to(dtypes.int8)

    def byte(self):
        return self.to(dtypes.uint8)

    def bool(self):
        return self.to(dtypes.bool_)

    # ---- new tensors like this one ---------------------------------------------------------------
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _new_like(self, 0, size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _new_like(self, 1, size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _new_like(self, 0, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return _new_like(self, fill_value, (size,), dtype, device, requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        return creation.tensor(data, dtype=self.dtype if dtype is None else dtype,
                               device=self._device if device is None else device, requires_grad=requires_grad)

    def bernoulli(self, p=None, *, generator=None):
        """0/1 draws with probability self (elementwise), or a float `p`."""
        return creation.bernoulli(self, p, generator=generator)

    # ---- arithmetic (ops/arithmetic.py) -----------------------------------------------------------
    add = __add__ = __radd__ = arithmetic.add
    sub = subtract = __sub__ = arithmetic.sub
    __rsub__ = arithmetic.rsub
    mul = multiply = __mul__ = __rmul__ = arithmetic.mul
    div = divide = true_divide = __truediv__ = arithmetic.div
    __rtruediv__ = arithmetic.rdiv
    floor_divide = __floordiv__ = arithmetic.floor_divide
    __rfloordiv__ = arithmetic.rfloordiv
    remainder = __mod__ = arithmetic.remainder
    __rmod__ = arithmetic.rremainder
    pow = __pow__ = arithmetic.pow
    __rpow__ = arithmetic.rpow
    neg = negative = __neg__ = arithmetic.neg
    maximum = arithmetic.maximum
    minimum = arithmetic.minimum

    def __pos__(self):
        return self

    # ---- comparison and logic (ops/comparison.py) ---------------------------------------------------
    eq = __eq__ = comparison.eq
    ne = not_equal = __ne__ = comparison.ne
    lt = less = __lt__ = comparison.lt
    le = less_equal = __le__ = comparison.le
    gt = greater = __gt__ = comparison.gt
    ge = greater_equal = __ge__ = comparison.ge
    __hash__ = object.__hash__  # identity, as torch: `==` above is elementwise
    logical_and = comparison.logical_and
    logical_or = comparison.logical_or
    logical_xor = comparison.logical_xor
    logical_not = comparison.logical_not
    bitwise_and = __and__ = __rand__ = comparison.bitwise_and
    bitwise_or = __or__ = __ror__ = comparison.bitwise_or
    bitwise_xor = __xor__ = __rxor__ = comparison.bitwise_xor
    bitwise_not = __invert__ = comparison.bitwise_not
    isclose = comparison.isclose
    allclose = comparison.allclose
    equal = comparison.equal
    isnan = comparison.isnan
    isinf = comparison.isinf
    isfinite = comparison.isfinite

    # ---- elementwise functions (ops/elementwise.py, ops/activation.py) ---------------------------------
    exp = elementwise.exp
    log = elementwise.log
    log1p = elementwise.log1p
    log2 = elementwise.log2
    log10 = elementwise.log10
    sqrt = elementwise.sqrt
    rsqrt = elementwise.rsqrt
    sin = elementwise.sin
    cos = elementwise.cos
    tanh = elementwise.tanh
    sigmoid = elementwise.sigmoid
    relu = elementwise.relu
    abs = absolute = __abs__ = elementwise.abs
    sign = elementwise.sign
    floor = elementwise.floor
    ceil = elementwise.ceil
    round = elementwise.round
    trunc = elementwise.trunc
    reciprocal = elementwise.reciprocal
    square = elementwise.square
    erf = elementwise.erf
    clamp = clip = elementwise.clamp
    clamp_min = elementwise.clamp_min
    clamp_max = elementwise.clamp_max
    nan_to_num = elementwise.nan_to_num
    softmax = activation.softmax
    log_softmax = activation.log_softmax

    def where(self, condition, other):
        """`self` where `condition` is true, else `other` (mt.where(condition, self, other))."""
        return elementwise.where(condition, self, other)

    # ---- reductions (ops/reduction.py) --------------------------------------------------------------
    sum = reduction.sum
    mean = reduction.mean
    nansum = reduction.nansum
    prod = reduction.prod
    max = reduction.max
    min = reduction.min
    amax = reduction.amax
    amin = reduction.amin
    argmax = reduction.argmax
    argmin = reduction.argmin
    var = reduction.var
    std = reduction.std
    logsumexp = reduction.logsumexp
    norm = reduction.norm
    all = reduction.all
    any = reduction.any
    count_nonzero = reduction.count_nonzero
    bincount = reduction.bincount
    cumsum = reduction.cumsum
    sort = reduction.sort
    argsort = reduction.argsort
    topk = reduction.topk
    unique = reduction.unique

    # ---- linear algebra (ops/linalg.py) -------------------------------------------------------------
    matmul = __matmul__ = linalg.matmul
    __rmatmul__ = linalg.rmatmul
    mm = linalg.mm
    bmm = linalg.bmm
    dot = inner = linalg.dot
    mv = linalg.mv
    outer = linalg.outer

    # ---- shape (ops/shape.py) -----------------------------------------------------------------------
    reshape = shape.reshape
    view = shape.view
    view_as = shape.view_as
    reshape_as = shape.reshape_as
    flatten = shape.flatten
    unflatten = shape.unflatten
    squeeze = shape.squeeze
    unsqueeze = shape.unsqueeze
    permute = shape.permute
    transpose = swapaxes = swapdims = shape.transpose
    t = shape.t
    T = property(shape.T)
    mT = property(shape.mT)
    movedim = moveaxis = shape.movedim
    expand = shape.expand
    expand_as = shape.expand_as
    broadcast_to = shape.broadcast_to
    repeat = shape.repeat
    tile = shape.tile
    split = shape.split
    chunk = shape.chunk
    tensor_split = shape.tensor_split
    unbind = shape.unbind
    narrow = shape.narrow
    select = shape.select
    fliplr = shape.fliplr
    flipud = shape.flipud
    roll = shape.roll
    clone = shape.clone
    contiguous = shape.contiguous
    tril = shape.tril
    triu = shape.triu

    def flip(self, *dims):
        """Reverse the order of elements along `dims`: `x.flip(0, 1)` or `x.flip((0, 1))`."""
        return shape.flip(self, dims[0] if len(dims) == 1 else dims)

    # ---- indexing (ops/indexing.py) -----------------------------------------------------------------
    __getitem__ = indexing.getitem
    __setitem__ = indexing.setitem
    gather = indexing.gather
    scatter = indexing.scatter
    scatter_add = indexing.scatter_add
    index_select = indexing.index_select
    index_fill = indexing.index_fill
    index_add = indexing.index_add
    index_copy = indexing.index_copy
    index_put = indexing.index_put
    masked_fill = indexing.masked_fill
    masked_select = indexing.masked_select
    nonzero = indexing.nonzero
    argwhere = indexing.argwhere
    take = indexing.take

    # ---- overwriting in place (ops/filling.py) ---------------------------------------------------------
    zero_ = filling.zero_
    fill_ = filling.fill_
    copy_ = filling.copy_
    uniform_ = filling.uniform_
    normal_ = filling.normal_
    bernoulli_ = filling.bernoulli_
    random_ = filling.random_
    fill_diagonal_ = filling.fill_diagonal_
    masked_fill_ = indexing.masked_fill_

    # ---- in-place versions of the ops: computed out of place, written back (autograd/inplace.py) -------
    def add_(self, other, *, alpha=1):
        return inplace.update(self, arithmetic.add, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return inplace.update(self, arithmetic.sub, other, alpha=alpha)

    def mul_(self, other):
        return inplace.update(self, arithmetic.mul, other)

    def div_(self, other, *, rounding_mode=None):
        return inplace.update(self, arithmetic.div, other, rounding_mode=rounding_mode)

    subtract_, multiply_, divide_, true_divide_ = sub_, mul_, div_, div_
    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def pow_(self, exponent):
        return inplace.update(self, arithmetic.pow, exponent)

    def remainder_(self, other):
        return inplace.update(self, arithmetic.remainder, other)

    def floor_divide_(self, other):
        return inplace.update(self, arithmetic.floor_divide, other)

    def neg_(self):
        return inplace.update(self, arithmetic.neg)

    __ipow__, __imod__, __ifloordiv__ = pow_, remainder_, floor_divide_

    def __iand__(self, other):
        return inplace.update(self, comparison.bitwise_and, other)

    def __ior__(self, other):
        return inplace.update(self, comparison.bitwise_or, other)

    def __ixor__(self, other):
        return inplace.update(self, comparison.bitwise_xor, other)

    def clamp_(self, min=None, max=None):
        return inplace.update(self, elementwise.clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min):
        return inplace.update(self, elementwise.clamp_min, min)

    def clamp_max_(self, max):
        return inplace.update(self, elementwise.clamp_max, max)

    def exp_(self):
        return inplace.update(self, elementwise.exp)

    def log_(self):
        return inplace.update(self, elementwise.log)

    def log1p_(self):
        return inplace.update(self, elementwise.log1p)

    def sqrt_(self):
        return inplace.update(self, elementwise.sqrt)

    def rsqrt_(self):
        return inplace.update(self, elementwise.rsqrt)

    def sin_(self):
        return inplace.update(self, elementwise.sin)

    def cos_(self):
        return inplace.update(self, elementwise.cos)

    def tanh_(self):
        return inplace.update(self, elementwise.tanh)

    def sigmoid_(self):
        return inplace.update(self, elementwise.sigmoid)

    def relu_(self):
        return inplace.update(self, elementwise.relu)

    def abs_(self):
        return inplace.update(self, elementwise.abs)

    def sign_(self):
        return inplace.update(self, elementwise.sign)

    def floor_(self):
        return inplace.update(self, elementwise.floor)

    def ceil_(self):
        return inplace.update(self, elementwise.ceil)

    def round_(self, *, decimals=0):
        return inplace.update(self, elementwise.round, decimals=decimals)

    def trunc_(self):
        return inplace.update(self, elementwise.trunc)

    def reciprocal_(self):
        return inplace.update(self, elementwise.reciprocal)

    def square_(self):
        return inplace.update(self, elementwise.square)

    def tril_(self, diagonal=0):
        return inplace.update(self, shape.tril, diagonal)

    def triu_(self, diagonal=0):
        return inplace.update(self, shape.triu, diagonal)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return inplace.update(self, indexing.scatter, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        return inplace.update(self, indexing.scatter_add, dim, index, src)

    def index_fill_(self, dim, index, value):
        return inplace.update(self, indexing.index_fill, dim, index, value)

    def index_add_(self, dim, index, source, *, alpha=1):
        return inplace.update(self, indexing.index_add, dim, index, source, alpha=alpha)

    def index_copy_(self, dim, index, source):
        return inplace.update(self, indexing.index_copy, dim, index, source)

    def index_put_(self, indices, values, accumulate=False):
        return inplace.update(self, indexing.index_put, indices, values, accumulate)

    # logical ops have no gradient: torch lets them change even a leaf that requires grad
    def logical_not_(self):
        return inplace.write(self, comparison.logical_not(self))

    def logical_and_(self, other):
        return inplace.write(self, comparison.logical_and(self, other))

    def logical_or_(self, other):
        return inplace.write(self, comparison.logical_or(self, other))


def _new_like(t, fill, size, dtype, device, requires_grad):
    out = creation.full(shape_arg(size), fill, dtype=t.dtype if dtype is None else dtype,
                        device=t._device if device is None else device)
    return out.requires_grad_(True) if requires_grad else out


def parse_to(args, kwargs):
    """Sort `to()`'s flexible arguments into (device, dtype, copy), as torch reads them."""
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a._device, a.dtype
        elif isinstance(a, dtypes.dtype) or a in (float, int, bool):
            dt = a
        elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, bool):
            copy = a  # to(dtype, non_blocking, copy) positional form
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got {type(a).__name__}")
    return dev, dt, copy


# ---- legacy type objects: mt.FloatTensor, mt.LongTensor, ... ------------------------------------------

class _TensorType(type):
    """`mt.FloatTensor`, `mt.LongTensor`, ...: legacy type objects usable with `.type()`,
    `isinstance` and as constructors, as in torch."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.is_cuda == cls.is_cuda

    def __call__(cls, *args):
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            out = creation.tensor(args[0], dtype=cls.dtype)
        else:
            out = creation.empty(*args, dtype=cls.dtype)
        return out.cuda() if cls.is_cuda else out

    def __repr__(cls):
        return f"<class '{cls.__qualname__}'>"


def _make_type(word, dt, cuda=False):
    name = word + "Tensor"
    return _TensorType(name, (), {"dtype": dt, "is_cuda": cuda,
                                  "__qualname__": ("torch.cuda." if cuda else "torch.") + name})


TENSOR_TYPES_BY_NAME = {d.word + "Tensor": _make_type(d.word, d) for d in dtypes.ALL}
CUDA_TENSOR_TYPES = {name: _make_type(name[:-6], t.dtype, cuda=True) for name, t in TENSOR_TYPES_BY_NAME.items()}


# ---- attach -----------------------------------------------------------------------------------------------
for _name, _value in vars(_TensorMethods).items():
    if _name not in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"):
        setattr(Tensor, _name, _value)
del _name, _value
