"""Overwriting a tensor: `zero_`, `fill_`, `copy_`, the random fills, and what they record in a graph.

    >>> import minitorch_lite as mt
    >>> x = mt.ones(3, requires_grad=True)
    >>> y = x * 2
    >>> y.fill_(1.0)
    tensor([1., 1., 1.], grad_fn=<FillBackward2>)
    >>> y.sum().backward(); x.grad             # the old values of y no longer matter
    tensor([0., 0., 0.])

A fill replaces every value, so nothing of the old tensor reaches the result: its gradient is zero
(not "none": torch hands the old graph zeros). `copy_(src)` sends the gradient to `src` instead,
summed over the dims it was broadcast along. With a graph (the tensor requires grad, grad mode on)
the Functions below compute the new values out of place and `autograd.inplace.write` stores them in
the tensor's memory, making the node its `grad_fn`; without one the memory is written directly.

The random fills draw from `random.py`'s generator, which gives torch's numbers for the same seed,
and visit the elements in the order torch's kernels do (memory order), so views match too.
"""
import numpy as np

from .. import random
from ..autograd import inplace
from ..autograd.function import Function, sum_to
from ..autograd.grad_mode import GradMode
from ..backend.device import CPU, xp_of
from ..backend.shapes import broadcast_shapes, check_same_shape_for_inplace
from ..tensor import Tensor
from .conversion import move_array


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


def fill_with(tensor, values, node_name="FillBackward2"):
    """Overwrite every element of `tensor` with `values` (an array or a number).

    With a graph the fill is recorded as a node named `node_name` that gives the old values zero
    gradient, as torch does; without one the memory is simply written."""
    if tensor._device is not CPU and type(values) is np.ndarray:
        values = move_array(values, tensor._device)
    if tensor._requires_grad and GradMode.enabled:
        return inplace.write(tensor, Overwrite.apply(tensor, values=values, name=node_name))
    inplace.prepare(tensor)
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def zero_(self):
    """Set every element to 0, in place."""
    return fill_with(self, 0, "ZeroBackward0")


def fill_(self, value):
    """Set every element to `value` (a number or a 0-d tensor, which then gets the gradient), in place."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if GradMode.enabled and (value._requires_grad or self._requires_grad):
            return inplace.write(self, FillWithTensor.apply(self, value.to(self._device, self.dtype)))
        value = value.item()
    return fill_with(self, value)


def copy_(self, src, non_blocking=False):
    """Copy `src`'s values (broadcast, cast and moved as needed) into this tensor; differentiable."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    check_same_shape_for_inplace(broadcast_shapes(self._data.shape, src._data.shape), self._data.shape)
    src = src.to(device=self._device, dtype=self.dtype)
    if GradMode.enabled and (src._requires_grad or self._requires_grad):
        return inplace.write(self, Copy.apply(self, src))
    inplace.prepare(self)
    self._data[...] = src._data
    self._bump_version()
    return self


def _random_values(tensor, draw):
    """`draw(shape, contiguous)` called in the order torch's kernels visit the elements: memory
    order, outermost stride first (a transposed view is filled as its base would be), so a seed
    gives torch's values for views too; the result comes back in the tensor's own layout."""
    data = tensor._data
    contiguous = bool(data.flags.c_contiguous)
    if contiguous or data.ndim < 2:
        return draw(data.shape, contiguous)
    order = sorted(range(data.ndim), key=lambda d: -abs(data.strides[d]))  # stable: ties keep order
    values = draw(tuple(data.shape[d] for d in order), contiguous)
    return values.transpose(np.argsort(order))


def _generator(generator):
    return random.default_generator if generator is None else generator


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with uniform samples in [a, b): torch's numbers for the same seed (nn.init uses it)."""
    g, dt = _generator(generator), self._data.dtype
    return fill_with(self, _random_values(self, lambda shape, _: g.uniform(shape, a, b, dtype=dt)),
                     "UniformBackward0")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples: torch's numbers for the same seed."""
    g, dt = _generator(generator), self._data.dtype
    return fill_with(self, _random_values(
        self, lambda shape, contiguous: g.normal(shape, mean, std, dtype=dt, contiguous=contiguous)),
        "NormalBackward0")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 (probability `p`) or 0. On a GPU without a generator the mask is drawn there."""
    if generator is None and self._device.type == "cuda" and isinstance(p, (int, float)):
        from ..backend import cuda_backend
        return fill_with(self, cuda_backend.bernoulli(self._data, random.bernoulli_probability(p)),
                         "BernoulliBackward2")
    g, dt = _generator(generator), self._data.dtype
    return fill_with(self, _random_values(self, lambda shape, _: g.bernoulli(shape, p, dtype=dt)),
                     "BernoulliBackward1" if isinstance(p, Tensor) else "BernoulliBackward2")


def random_(self, from_=0, to=None, *, generator=None):
    """Integers in [from_, to), or over the dtype's whole range when no bound is given (torch's)."""
    g, dt = _generator(generator), self._data.dtype
    if to is None and from_ == 0:
        return fill_with(self, _random_values(self, lambda shape, _: g.random_(dt, shape=shape)),
                         "RandomBackward2")
    name = "RandomBackward0"
    if to is None:
        from_, to, name = 0, from_, "RandomBackward1"
    return fill_with(self, _random_values(self, lambda shape, _: g.randint(from_, to, shape, dtype=dt)),
                     name)


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
    mask = Tensor._make(input._device.xp.asarray(mask.reshape(shape)), input._device)
    from .indexing import masked_fill_
    return masked_fill_(input, mask, fill_value)
