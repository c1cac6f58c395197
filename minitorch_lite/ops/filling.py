"""What overwriting a tensor records in a graph: fills (`zero_`, `fill_`, the random fills) and `copy_`.

    >>> import minitorch_lite as mt
    >>> x = mt.ones(3, requires_grad=True)
    >>> y = x * 2
    >>> y.fill_(1.0)
    tensor([1., 1., 1.], grad_fn=<FillBackward2>)
    >>> y.sum().backward(); x.grad             # the old values of y no longer matter
    tensor([0., 0., 0.])

A fill replaces every value, so nothing of the old tensor reaches the result: its gradient is zero
(not "none": torch hands the old graph zeros). `copy_(src)` sends the gradient to `src` instead,
summed over the dims it was broadcast along. These Functions compute the new values out of place;
`Tensor._write_inplace` then writes them into the tensor's memory and makes this node its `grad_fn`.
Without a graph (no grad needed, or `no_grad`) the tensor is written directly, see `Tensor._fill_with`.
"""
import numpy as np

from ..autograd.function import Function, sum_to
from ..backend.device import xp_of


class Overwrite(Function):
    """x's values all replaced by `values` (an array or number broadcast to x's shape)."""

    @staticmethod
    def forward(ctx, x, values=None, name="FillBackward2"):
        ctx.name = name  # torch names the node after the fill: ZeroBackward0, NormalBackward0, ...
        out = xp_of(x).empty_like(x)
        out[...] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        return xp_of(grad).zeros_like(grad)


class FillWithTensor(Function):
    """x.fill_(v) with a 0-d tensor `v`: every element is v, so v's gradient is the sum of them all."""

    name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        out = xp_of(x).empty_like(x)
        out[...] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(grad)
        return xp.zeros_like(grad), grad.sum()


class Copy(Function):
    """x.copy_(src): src broadcast to x's shape; the gradient goes to src, none to x's old values."""

    name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        ctx.src_shape = src.shape
        out = xp_of(x).empty_like(x)
        out[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        return xp_of(grad).zeros_like(grad), sum_to(grad, ctx.src_shape)


def overwrite(x, values, name):
    """A new tensor (with a graph node) holding `values` broadcast to x's shape, for `_write_inplace`."""
    return Overwrite.apply(x, values=values, name=name)


def fill_with_tensor(x, value):
    return FillWithTensor.apply(x, value)


def copy(x, src):
    return Copy.apply(x, src)


def fill_diagonal_(input, fill_value, wrap=False):
    """Fill the main diagonal in place (all dims equal, or a 2-D matrix; `wrap` restarts the diagonal
    below a tall matrix every `cols + 1` rows, as torch does). Differentiable like any fill: the
    diagonal gets no gradient.

        >>> import minitorch_lite as mt
        >>> mt.zeros(2, 3).fill_diagonal_(5.0)
        tensor([[5., 0., 0.],
                [0., 5., 0.]])
    """
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    step = sum(int(np.prod(shape[k + 1:])) for k in range(len(shape)))  # flat distance between entries
    numel = int(np.prod(shape))
    stop = numel if (wrap and len(shape) == 2) else min(shape) * step
    mask = np.zeros(numel, dtype=bool)
    mask[:stop:step] = True
    from ..tensor import Tensor
    mask = Tensor._make(input._device.xp.asarray(mask.reshape(shape)), input._device)
    from .indexing import masked_fill_
    return masked_fill_(input, mask, fill_value)
