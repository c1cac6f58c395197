"""`Parameter`: a Tensor that a Module registers as one of its learnable weights.

    >>> import minitorch_lite as mt
    >>> w = mt.nn.Parameter(mt.ones(2))
    >>> w
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    >>> type(w * 2).__name__            # results of ops are plain Tensors
    'Tensor'

A Parameter is an ordinary Tensor in every way but two: it requires grad by default, and
assigning it as an attribute of a Module (`self.w = Parameter(...)`) registers it in the
module's `_parameters`, so it shows up in `parameters()`, `state_dict()` and the optimizer.
Like torch's, it shares memory with the tensor it is made from.
"""
from ..creation import empty
from ..tensor import Tensor


class Parameter(Tensor):
    """Parameter(data=None, requires_grad=True): wrap `data` (no copy) as a module weight."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        param = object.__new__(cls)
        Tensor._init_from(param, data._data, data._device)  # same array: memory is shared
        param._requires_grad = bool(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # all done in __new__ (Tensor.__init__ would build a new array from `data`)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self._requires_grad))
