"""Elementwise unary maths: exp, log, sqrt, trig, activations, rounding, clamp, where.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> x.relu().sum().backward(); x.grad      # ReLU's gradient at 0 is 0, as in torch
    tensor([0., 0., 1.])

Integer inputs to float-valued functions (exp, sqrt, sigmoid, ...) give the default float dtype.
Each backward is torch's formula; ops whose backward only needs their result save the result.
sigmoid, tanh and relu have fused CUDA kernels: on a GPU they hand over in one line
(`if ctx.fused: return cuda_kernels.sigmoid_backward(ctx, grad)`, see backend/cuda_kernels.py).
"""
import math

import numpy as np

from ..autograd.inplace import write_out
from ..autograd.function import Function, sum_to
from ..backend import cuda_kernels, dtypes
from ..backend.device import xp_of
from ..tensor import Tensor
from ._util import cast, float_result_dtype


_BOOL = np.dtype(bool)


# ---- the Functions ---------------------------------------------------------------------------------

class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        out = xp_of(x).exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved[0]


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.saved[0]


class Log1p(Function):
    name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log1p(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.saved[0] + 1)


class Log2(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log2(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.saved[0] * 0.6931471805599453)


class Log10(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).log10(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.saved[0] * 2.3025850929940456)


class Sqrt(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        out = xp_of(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad / (2 * ctx.saved[0])


class Rsqrt(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        out = 1 / xp_of(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved[0]
        return -0.5 * grad * out ** 3


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).sin(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * xp_of(grad).cos(ctx.saved[0])


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).cos(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * -xp_of(grad).sin(ctx.saved[0])


class Tanh(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        ctx.fused = cuda_kernels.use_for(x)
        out = xp_of(x).tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.tanh_backward(ctx, grad)
        out = ctx.saved[0]
        return grad * (1 - out * out)


class Sigmoid(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        ctx.fused = cuda_kernels.use_for(x)
        if ctx.fused:
            return cuda_kernels.sigmoid_forward(ctx, x)
        # 1 / (1 + exp(-x)) overflows harmlessly to 0 for very negative x; silence NumPy's warning
        with np.errstate(over="ignore"):
            out = 1 / (1 + xp_of(x).exp(-x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.sigmoid_backward(ctx, grad)
        out = ctx.saved[0]
        return grad * (1 - out) * out


class _Zeros(dict):
    """A 0-d zero per dtype, made on first use: np.maximum converts a Python 0 on every call otherwise
    (a dict lookup, not a helper call: relu is one of the hottest ops)."""

    def __missing__(self, dtype):
        zero = self[dtype] = np.zeros((), dtype)
        return zero


_ZERO = _Zeros()


class Relu(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        ctx.fused = cuda_kernels.use_for(x)
        out = np.maximum(x, _ZERO[x.dtype]) if type(x) is np.ndarray else xp_of(x).maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.fused:
            return cuda_kernels.relu_backward(ctx, grad)
        return grad * (ctx.saved[0] > 0)  # 0 at x == 0, as torch's threshold_backward


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * xp_of(grad).sign(ctx.saved[0])  # sign(0) = 0: abs has gradient 0 at 0


class Reciprocal(Function):
    saves_inputs = False  # backward needs only the output

    @staticmethod
    def forward(ctx, x):
        out = 1 / x
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved[0]
        return -grad * (out * out)


class _ZeroGrad(Function):
    """Piecewise-constant ops (sign, floor, ceil, round, trunc): gradient zero everywhere."""

    @staticmethod
    def backward(ctx, grad):
        return xp_of(grad).zeros_like(grad)


class Sign(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).sign(x)


class Floor(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).floor(x)


class Ceil(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).ceil(x)


class Round(_ZeroGrad):
    @staticmethod
    def forward(ctx, x, decimals=0):
        return xp_of(x).round(x, decimals)  # half to even, as torch


class Trunc(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).trunc(x)


class Clamp(Function):
    """Clamp to [low, high] (either may be None); the gradient passes where low <= x <= high."""

    name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, low=None, high=None):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        xp = xp_of(x)
        if low is not None and high is not None:
            return xp.minimum(xp.maximum(x, low), high)  # torch: min(max(x, low), high)
        return xp.maximum(x, low) if low is not None else xp.minimum(x, high)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        low, high = ctx.low, ctx.high
        keep = True
        if low is not None:
            keep = x >= low
        if high is not None:
            keep = keep & (x <= high)
        return grad * keep


class ClampTensor(Function):
    """Clamp with tensor bounds (`clamp(x, min=t1, max=t2)`); gradients flow to the bounds too."""

    name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, low, high):
        xp = xp_of(x)
        ctx.save_for_backward(x, low, high)
        return xp.minimum(xp.maximum(x, low), high)

    @staticmethod
    def backward(ctx, grad):
        x, low, high = ctx.saved
        xp = xp_of(x)
        inside = (x >= low) & (x <= high)
        below = x < low
        above = (x > high) & ~below
        gx = xp.where(inside, grad, 0)
        return (sum_to(gx, x.shape), sum_to(xp.where(below & (low <= high), grad, 0), low.shape),
                sum_to(xp.where(above | (low > high), grad, 0), high.shape))


class Where(Function):
    """where(cond, x, y): the gradient goes to x where cond holds and to y elsewhere."""

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        ctx.x_shape, ctx.y_shape = x.shape, y.shape
        return xp_of(x).where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved
        zero = grad.dtype.type(0)
        xp = xp_of(grad)
        return (None, sum_to(xp.where(cond, grad, zero), ctx.x_shape),
                sum_to(xp.where(cond, zero, grad), ctx.y_shape))


class Erf(Function):
    @staticmethod
    def forward(ctx, x):
        from ..backend.special import erf
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * (2.0 / math.sqrt(math.pi)) * xp_of(x).exp(-(x * x))


# ---- public functions ------------------------------------------------------------------------------

def _float_unary(cls):
    """Build `fn(input)` that computes in float (ints become the default float dtype), like torch."""
    def fn(input, *, out=None):
        if out is not None:
            return write_out(out, fn(input), fn.__name__)
        if input._data.dtype.kind != "f":
            input = cast(input, float_result_dtype(input))
        return cls.apply(input)
    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"Elementwise {fn.__name__} (see `{cls.__name__}` for the forward and backward)."
    return fn


exp = _float_unary(Exp)
log = _float_unary(Log)
log1p = _float_unary(Log1p)
log2 = _float_unary(Log2)
log10 = _float_unary(Log10)
sqrt = _float_unary(Sqrt)
rsqrt = _float_unary(Rsqrt)
sin = _float_unary(Sin)
cos = _float_unary(Cos)
tanh = _float_unary(Tanh)
sigmoid = _float_unary(Sigmoid)
reciprocal = _float_unary(Reciprocal)
erf = _float_unary(Erf)


def relu(input):
    """max(input, 0); gradient 0 at 0."""
    if input._data.dtype is _BOOL:
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


def abs(input, *, out=None):
    """|input|; gradient sign(input) (0 at 0)."""
    if out is not None:
        return write_out(out, abs(input), "abs")
    if input._data.dtype == np.bool_:
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return Abs.apply(input)


absolute = abs


def sign(input, *, out=None):
    if out is not None:
        return write_out(out, sign(input), "sign")
    return Sign.apply(input)


def _keep_int(cls):
    def fn(input, *, out=None):
        if out is not None:
            return write_out(out, fn(input), fn.__name__)
        if input._data.dtype.kind != "f":
            return input.clone()  # rounding an integer changes nothing
        return cls.apply(input)
    fn.__name__ = cls.__name__.lower()
    return fn


floor = _keep_int(Floor)
ceil = _keep_int(Ceil)
trunc = fix = _keep_int(Trunc)


def round(input, *, decimals=0, out=None):
    """Round half to even (as torch); `decimals` rounds to that many decimal places."""
    if out is not None:
        return write_out(out, round(input, decimals=decimals), "round")
    if input._data.dtype.kind != "f":
        return input.clone()
    return Round.apply(input, decimals=decimals)


def square(input, *, out=None):
    if out is not None:
        return write_out(out, square(input), "square")
    from .arithmetic import pow
    return pow(input, 2)


def clamp(input, min=None, max=None, *, out=None):
    """Limit values to [min, max]; either bound may be None, a number or a tensor."""
    if out is not None:
        return write_out(out, clamp(input, min, max), "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .arithmetic import _as_tensor_operand
        lo = min if min is not None else Tensor._make(xp_of(input._data).asarray(-np.inf, dtype=input._data.dtype), input._device)
        hi = max if max is not None else Tensor._make(xp_of(input._data).asarray(np.inf, dtype=input._data.dtype), input._device)
        x, lo = _as_tensor_operand(input, lo)
        x, hi = _as_tensor_operand(x, hi)
        return ClampTensor.apply(x, lo, hi)
    if input._data.dtype.kind != "f" and any(isinstance(b, float) for b in (min, max)):
        input = cast(input, float_result_dtype(input))
    dt = input._data.dtype.type
    return Clamp.apply(input, low=None if min is None else dt(min), high=None if max is None else dt(max))


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def where(condition, input=None, other=None, *, out=None):
    """`where(cond, x, y)` picks x where cond is true, else y; `where(cond)` is `nonzero(as_tuple=True)`."""
    if out is not None:
        return write_out(out, where(condition, input, other), "where")
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if condition._data.dtype == np.uint8:
        import warnings
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be "
                      "removed in a future version of PyTorch. Use a boolean condition instead.", UserWarning,
                      stacklevel=2)
        condition = cast(condition, dtypes.bool_)
    elif condition._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {condition.dtype.word}")
    from .arithmetic import _as_tensor_operand
    from ._util import scalar_tensor
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            dt = dtypes.result_type(input, other)
            input = scalar_tensor(input, dt, condition._device)
        else:
            other, input = _as_tensor_operand(other, input)
    x, y = _as_tensor_operand(input, other)
    return Where.apply(condition, x, y)


class NanToNum(Function):
    """NaN, +inf and -inf replaced by numbers; the gradient flows where x was finite."""

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        ctx.save_for_backward(x)
        return xp_of(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * xp_of(x).isfinite(x)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN -> `nan`, +inf -> `posinf`, -inf -> `neginf` (the dtype's largest values by default)."""
    if out is not None:
        return write_out(out, nan_to_num(input, nan, posinf, neginf), "nan_to_num")
    if input._data.dtype.kind != "f":
        return input.clone()  # integers have no NaN or infinity
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)
