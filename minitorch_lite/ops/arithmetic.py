"""Binary arithmetic with broadcasting and torch's type promotion: + - * / // % ** maximum minimum.

    >>> import minitorch_lite as mt
    >>> a = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> (a * 3 + a / 2).sum().backward(); a.grad
    tensor([3.5000, 3.5000])

Each op has a tensor-tensor Function (gradients summed back over broadcast dims with `sum_to`) and,
where it is common, a tensor-scalar Function that keeps the Python number out of the graph. The
backward formulas are torch's (derivatives.yaml), written the same way so float32 results agree.
"""
import numbers

import numpy as np

from ..autograd.inplace import write_out
from ..autograd.function import Function, sum_to
from ..backend import dtypes
from ..tensor import Tensor
from ._util import cast, to_python_scalar
from ..backend.device import xp_of


# ---- operand preparation -------------------------------------------------------------------------

def _tensor_pair(a, b):
    """Two tensors of torch's common dtype (a 0-d CPU tensor may join a GPU tensor, as in torch)."""
    if a._device is not b._device:
        if b._data.ndim == 0 and b._device.type == "cpu":
            b = b.to(a._device)
        elif a._data.ndim == 0 and a._device.type == "cpu":
            a = a.to(b._device)
    if a._data.dtype != b._data.dtype:
        common = dtypes.result_type(a, b)
        a, b = cast(a, common), cast(b, common)
    return a, b


def _scalar(value):
    """A Python number for a scalar operand, or NotImplemented for anything we cannot combine with."""
    value = to_python_scalar(value)
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    return NotImplemented


def _with_scalar(a, c):
    """`a` cast so that `a <op> c` has torch's dtype (an int tensor with a float scalar becomes float)."""
    kind = a._data.dtype.kind
    if kind == "f" or (kind in "iu" and type(c) is not float) or (kind == "b" and type(c) is bool):
        return a
    return cast(a, dtypes.result_type(a, c))


def _to_float(t):
    """True division and friends: integer tensors are computed in the default float dtype."""
    return t if t._data.dtype.kind == "f" else cast(t, dtypes.get_default_dtype())


# ---- Functions ------------------------------------------------------------------------------------

class Add(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = x.shape, y.shape
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.x_shape), sum_to(grad, ctx.y_shape)


class AddScalar(Function):
    name = "AddBackward0"

    @staticmethod
    def forward(ctx, x, c):
        return x + c

    @staticmethod
    def backward(ctx, grad):
        return grad


class Sub(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = x.shape, y.shape
        return x - y

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.x_shape), sum_to(-grad, ctx.y_shape)


class RsubScalar(Function):
    """c - x"""

    name = "RsubBackward1"

    @staticmethod
    def forward(ctx, x, c):
        return c - x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Mul(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        return sum_to(grad * y, x.shape), sum_to(grad * x, y.shape)


class MulScalar(Function):
    name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return x * c

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.c


class Div(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        return sum_to(grad / y, x.shape), sum_to(-grad * ((x / y) / y), y.shape)


class DivScalar(Function):
    name = "DivBackward0"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return x / c

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.c


class RdivScalar(Function):
    """c / x, which torch records as a multiplication by the reciprocal."""

    name = "MulBackward0"

    saves_inputs = False  # it keeps 1/x, a value of its own: x may change in place afterwards

    @staticmethod
    def forward(ctx, x, c):
        r = 1 / x
        ctx.save_for_backward(r)
        ctx.c = c
        return r * c

    @staticmethod
    def backward(ctx, grad):
        (r,) = ctx.saved
        return grad * ctx.c * -(r * r)


class Pow(Function):
    """x ** y for two tensors."""

    name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        out = x ** y
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved
        xp = xp_of(x)
        gx = xp.where(y == 0, 0, grad * (y * x ** (y - 1))).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            gy = grad * xp.where((x == 0) & (y >= 0), 0, out * xp.log(x))
        return sum_to(gx, x.shape), sum_to(gy.astype(y.dtype, copy=False), y.shape)


class PowScalar(Function):
    """x ** c for a Python number c."""

    name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, c):
        ctx.save_for_backward(x)
        ctx.c = c
        return x ** c

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        c = ctx.c
        if c == 0:
            return grad * 0
        return grad * (c * x ** (c - 1))


class RpowScalar(Function):
    """c ** x for a Python number c."""

    name = "PowBackward2"

    @staticmethod
    def forward(ctx, x, c):
        out = xp_of(x).power(x.dtype.type(c), x)
        ctx.save_for_backward(out)
        ctx.c = c
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        if ctx.c == 0:
            return grad * xp_of(out).where(out == 0, 0.0, -np.inf).astype(out.dtype)
        return grad * (out * out.dtype.type(np.log(ctx.c)))


class Maximum(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return xp_of(x).maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        xp = xp_of(x)
        split = xp.where(x == y, grad / 2, grad)  # ties share the gradient, as in torch
        return sum_to(xp.where(x < y, 0, split), x.shape), sum_to(xp.where(x > y, 0, split), y.shape)


class Minimum(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return xp_of(x).minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        xp = xp_of(x)
        split = xp.where(x == y, grad / 2, grad)
        return sum_to(xp.where(x > y, 0, split), x.shape), sum_to(xp.where(x < y, 0, split), y.shape)


class Remainder(Function):
    """Python-style modulo (the sign follows the divisor), as torch.remainder."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return xp_of(x).mod(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        return sum_to(grad, x.shape), sum_to(-grad * xp_of(x).floor_divide(x, y), y.shape)


class FloorDivide(Function):
    """x // y. torch defines no derivative: the result requires grad when an input does, and
    backward through it fails (it does not pretend the gradient is zero)."""

    name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, y):
        return xp_of(x).floor_divide(x, y)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class TruncDivide(Function):
    differentiable = False

    @staticmethod
    def forward(ctx, x, y):
        q = x / y
        return xp_of(x).trunc(q).astype(x.dtype, copy=False) if x.dtype.kind in "iu" else xp_of(x).trunc(q)




# ---- public functions (also bound as Tensor methods and operators) ------------------------------

def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting, with torch's dtype promotion."""
    if out is not None:
        return write_out(out, add(input, other, alpha=alpha), "add")
    if isinstance(other, Tensor):
        if input._data.dtype is not other._data.dtype or input._device is not other._device:
            input, other = _tensor_pair(input, other)
        if alpha != 1:
            other = mul(other, alpha)
        return Add.apply(input, other)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    return AddScalar.apply(_with_scalar(input, c), c=c * alpha if alpha != 1 else c)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if out is not None:
        return write_out(out, sub(input, other, alpha=alpha), "sub")
    if isinstance(other, Tensor):
        if input._data.dtype == np.bool_ and other._data.dtype == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        a, b = _tensor_pair(input, other)
        if alpha != 1:
            b = mul(b, alpha)
        return Sub.apply(a, b)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    out = AddScalar.apply(_with_scalar(input, c), c=-c * alpha)
    if out.grad_fn is not None:
        out.grad_fn.name = "SubBackward0"
    return out


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what `2 - x` calls)."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    x = _with_scalar(input, c)
    return RsubScalar.apply(x if alpha == 1 else mul(x, alpha), c=c)


def mul(input, other, *, out=None):
    """input * other, elementwise with broadcasting."""
    if out is not None:
        return write_out(out, mul(input, other), "mul")
    if isinstance(other, Tensor):
        if input._data.dtype is not other._data.dtype or input._device is not other._device:
            input, other = _tensor_pair(input, other)
        return Mul.apply(input, other)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    return MulScalar.apply(_with_scalar(input, c), c=c)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """input / other: true division (ints give floats); rounding_mode 'trunc' or 'floor' rounds."""
    if out is not None:
        return write_out(out, div(input, other, rounding_mode=rounding_mode), "div")
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                             f"found '{rounding_mode}'")
        return (floor_divide if rounding_mode == "floor" else _trunc_divide)(input, other)
    if isinstance(other, Tensor):
        a, b = _tensor_pair(input, other)
        return Div.apply(_to_float(a), _to_float(b))
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    return DivScalar.apply(_to_float(_with_scalar(input, c)), c=c)


divide = true_divide = div


def rdiv(input, other):
    """other / input for a Python number `other` (what `1 / x` calls)."""
    if isinstance(other, Tensor):
        return div(other, input)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    return RdivScalar.apply(_to_float(_with_scalar(input, c)), c=c)


def _pair_or_scalar_tensor(input, other):
    if isinstance(other, Tensor):
        return _tensor_pair(input, other)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented, None
    a = _with_scalar(input, c)
    from ._util import scalar_tensor
    return a, scalar_tensor(c, a.dtype, a._device)


def floor_divide(input, other, *, out=None):
    if out is not None:
        return write_out(out, floor_divide(input, other), "floor_divide")
    a, b = _pair_or_scalar_tensor(input, other)
    if a is NotImplemented:
        return NotImplemented
    return FloorDivide.apply(a, b)


def _trunc_divide(input, other):
    a, b = _pair_or_scalar_tensor(input, other)
    return TruncDivide.apply(a, b)


def rfloordiv(input, other):
    a, b = _pair_or_scalar_tensor(input, other)
    if a is NotImplemented:
        return NotImplemented
    return FloorDivide.apply(b, a)


def remainder(input, other, *, out=None):
    """Elementwise modulo with the divisor's sign (Python's %)."""
    if out is not None:
        return write_out(out, remainder(input, other), "remainder")
    a, b = _pair_or_scalar_tensor(input, other)
    if a is NotImplemented:
        return NotImplemented
    return Remainder.apply(a, b)


def rremainder(input, other):
    a, b = _pair_or_scalar_tensor(input, other)
    if a is NotImplemented:
        return NotImplemented
    return Remainder.apply(b, a)



def pow(input, exponent, *, out=None):
    """input ** exponent (tensor or number exponent); a number base is `mt.pow(2, x)`."""
    if out is not None:
        return write_out(out, pow(input, exponent), "pow")
    if not isinstance(input, Tensor):
        return rpow(exponent, input)
    if isinstance(exponent, Tensor):
        if exponent._data.ndim == 0 and exponent._device.type == "cpu" and not exponent._requires_grad \
                and input._data.ndim > 0:
            return pow(input, exponent.item())
        a, b = _tensor_pair(input, exponent)
        return Pow.apply(a, b)
    c = _scalar(exponent)
    if c is NotImplemented:
        return NotImplemented
    if input._data.dtype.kind in "iub" and isinstance(c, int) and c < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return PowScalar.apply(_with_scalar(input, c), c=c)


def rpow(input, other):
    """other ** input for a Python number `other` (what `2 ** x` calls)."""
    if isinstance(other, Tensor):
        return pow(other, input)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    return RpowScalar.apply(_with_scalar(input, c), c=c)


def _as_tensor_operand(input, other):
    if isinstance(other, Tensor):
        return _tensor_pair(input, other)
    from ._util import scalar_tensor
    c = _scalar(other)
    a = _with_scalar(input, c)
    return a, scalar_tensor(c, a.dtype, a._device)


def maximum(input, other, *, out=None):
    """Elementwise maximum of two tensors (ties share the gradient)."""
    if out is not None:
        return write_out(out, maximum(input, other), "maximum")
    if not isinstance(other, Tensor):
        raise TypeError(f"maximum(): argument 'other' must be Tensor, not {type(other).__name__}")
    a, b = _tensor_pair(input, other)
    return Maximum.apply(a, b)


def minimum(input, other, *, out=None):
    """Elementwise minimum of two tensors (ties share the gradient)."""
    if out is not None:
        return write_out(out, minimum(input, other), "minimum")
    if not isinstance(other, Tensor):
        raise TypeError(f"minimum(): argument 'other' must be Tensor, not {type(other).__name__}")
    a, b = _tensor_pair(input, other)
    return Minimum.apply(a, b)


def neg(input, *, out=None):
    """-input."""
    if out is not None:
        return write_out(out, neg(input), "neg")
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    from .elementwise import Neg
    return Neg.apply(input)


negative = neg
