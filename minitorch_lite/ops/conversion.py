"""Converting a tensor's dtype or device: one differentiable op, `ToCopy` (torch's `_to_copy`).

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([1.5, 2.5], requires_grad=True)
    >>> y = x.double(); y.grad_fn
    <ToCopyBackward0 object>

Backward casts the gradient back to the input's dtype and moves it back to the input's device.
"""
from ..autograd.function import Function
from ..backend.device import CPU


def move_array(array, device):
    """Copy an array to `device` (NumPy <-> CuPy); the same array if it is already there."""
    if device is CPU:
        get = getattr(array, "get", None)  # cupy.ndarray -> numpy.ndarray
        return get() if get is not None else array
    cp = device.xp
    with cp.cuda.Device(device.index):
        return cp.asarray(array)


class ToCopy(Function):
    """Cast to `dtype` and/or move to `device`; gradient flows back with the inverse conversion."""

    @staticmethod
    def forward(ctx, x, dtype=None, device=None):
        ctx.in_dtype = x.dtype
        ctx.in_device = None
        if device is not None:
            from ..backend.device import device_of_array
            ctx.in_device = device_of_array(x)
            x = move_array(x, device)
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        return x

    @staticmethod
    def backward(ctx, grad):
        if ctx.in_device is not None:
            grad = move_array(grad, ctx.in_device)
        return grad.astype(ctx.in_dtype, copy=False)

    @classmethod
    def apply(cls, x, dtype=None, device=None):
        out = super().apply(x, dtype=dtype, device=device)
        if device is not None:
            out._device = device  # Function.apply assumed the input's device
        return out
