"""Comparisons and logic: == != < <= > >= (bool results, no gradient), logical/bitwise ops,
`isclose`, `allclose`, `equal`, `isnan`/`isinf`/`isfinite`.

    >>> import minitorch_lite as mt
    >>> a = mt.tensor([1, 2, 3])
    >>> (a == 2), mt.isclose(mt.tensor([1.0]), mt.tensor([1.0 + 1e-9]))
    (tensor([False,  True, False]), tensor([True]))
"""
import operator

import numpy as np

from ..autograd.inplace import write_out
from ..autograd.function import Function
from ..tensor import Tensor
from .arithmetic import _scalar, _tensor_pair
from ..backend.device import xp_of


class Compare(Function):
    """Any comparison or logical op, given as a NumPy-style function; outputs carry no gradient."""

    differentiable = False

    @staticmethod
    def forward(ctx, x, y=None, op=None):
        return op(x) if y is None else op(x, y)


def _compare(op, input, other):
    if isinstance(other, Tensor):
        a, b = _tensor_pair(input, other)
        return Compare.apply(a, b, op=op)
    c = _scalar(other)
    if c is NotImplemented:
        return NotImplemented
    return Compare.apply(input, op=lambda x: op(x, c))


def eq(input, other, *, out=None):
    if out is not None:
        return write_out(out, eq(input, other), "eq")
    return _compare(operator.eq, input, other)


def ne(input, other, *, out=None):
    if out is not None:
        return write_out(out, ne(input, other), "ne")
    return _compare(operator.ne, input, other)


def lt(input, other, *, out=None):
    if out is not None:
        return write_out(out, lt(input, other), "lt")
    return _compare(operator.lt, input, other)


def le(input, other, *, out=None):
    if out is not None:
        return write_out(out, le(input, other), "le")
    return _compare(operator.le, input, other)


def gt(input, other, *, out=None):
    if out is not None:
        return write_out(out, gt(input, other), "gt")
    return _compare(operator.gt, input, other)


def ge(input, other, *, out=None):
    if out is not None:
        return write_out(out, ge(input, other), "ge")
    return _compare(operator.ge, input, other)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def _as_bool(x):
    return x if x.dtype == np.bool_ else x != 0


def logical_and(input, other, *, out=None):
    if out is not None:
        return write_out(out, logical_and(input, other), "logical_and")
    return _compare(lambda x, y: _as_bool(x) & _as_bool(y), input, other)


def logical_or(input, other, *, out=None):
    if out is not None:
        return write_out(out, logical_or(input, other), "logical_or")
    return _compare(lambda x, y: _as_bool(x) | _as_bool(y), input, other)


def logical_xor(input, other, *, out=None):
    if out is not None:
        return write_out(out, logical_xor(input, other), "logical_xor")
    return _compare(lambda x, y: _as_bool(x) ^ _as_bool(y), input, other)


def logical_not(input, *, out=None):
    if out is not None:
        return write_out(out, logical_not(input), "logical_not")
    return Compare.apply(input, op=lambda x: ~_as_bool(x))


def _bitwise(op, name):
    def fn(input, other, *, out=None):
        if out is not None:
            return write_out(out, fn(input, other), name)
        floats = [t.dtype for t in (input, other) if isinstance(t, Tensor) and t._data.dtype.kind == "f"]
        if floats or isinstance(other, float):
            word = floats[0].word if floats else "Float"
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{word}\'')
        return _compare(op, input, other)
    return fn


bitwise_and = _bitwise(operator.and_, "bitwise_and")
bitwise_or = _bitwise(operator.or_, "bitwise_or")
bitwise_xor = _bitwise(operator.xor, "bitwise_xor")


def bitwise_not(input, *, out=None):
    if out is not None:
        return write_out(out, bitwise_not(input), "bitwise_not")
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return Compare.apply(input, op=operator.invert)


def isnan(input):
    return Compare.apply(input, op=lambda x: xp_of(x).isnan(x))


def isinf(input):
    return Compare.apply(input, op=lambda x: xp_of(x).isinf(x))


def isfinite(input):
    return Compare.apply(input, op=lambda x: xp_of(x).isfinite(x))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (torch's defaults)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' must be Tensor, not {type(other).__name__}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    a, b = _tensor_pair(input, other)
    return Compare.apply(a, b, op=lambda x, y: xp_of(x).isclose(x, y, rtol=rtol, atol=atol,
                                                                       equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is close (see `isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and the same values."""
    if input.shape != other.shape:
        return False
    a, b = _tensor_pair(input, other)
    return bool((a._data == b._data).all())
