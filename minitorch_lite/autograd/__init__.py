"""Reverse-mode automatic differentiation: `backward`, `grad`, and the grad-mode switches.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> (gx,) = mt.autograd.grad((x ** 2).sum(), x)
    >>> gx
    tensor([2., 4.])
"""
from ..tensor import Tensor
from . import engine, inplace  # noqa: F401  (the modules, for `autograd.inplace.write` & co)
from .engine import run_backward
from .function import Function
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)

__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled"]


def _seeds(tensors, grad_tensors, creating="backward"):
    """Pair each output with its seed gradient array; implicit seeds only for scalars, as torch."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(tensors) if grad_tensors is None else (grad_tensors,)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError("grad can be implicitly created only for scalar outputs"
                           if len(grad_tensors) < len(tensors) else
                           f"got {len(grad_tensors)} gradients for {len(tensors)} outputs")
    roots = []
    for t, g in zip(tensors, grad_tensors):
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seed = t._device.xp.ones(t._data.shape, dtype=t._data.dtype)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._make(t._device.xp.asarray(g, dtype=t._data.dtype), t._device)
            if g._data.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and "
                                   f"output[0] has a shape of {t.shape}.")
            if g._device is not t._device:
                raise RuntimeError(f"invalid gradient at index 0 - expected device {t._device} but got "
                                   f"{g._device}")
            seed = g._data if g._data.dtype == t._data.dtype else g._data.astype(t._data.dtype)
        roots.append((t, seed))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's `.grad` (`tensor.backward()` calls this)."""
    if create_graph:
        raise NotImplementedError("minitorch_lite computes gradients on raw arrays: create_graph=True "
                                  "(higher-order gradients) is not supported")
    roots = _seeds(tensors, grad_tensors)
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        capture = {_key(t): None for t in inputs}
        run_backward(roots, retain_graph=bool(retain_graph), capture=capture)
        from .engine import _accumulate
        for t in inputs:
            g = capture[_key(t)]
            if g is not None:
                _accumulate(t, g, private=False)
        return
    run_backward(roots, retain_graph=bool(retain_graph))


def _key(t):
    """What the engine sees for tensor t: its grad_fn node, or the tensor itself for a leaf."""
    return t.grad_fn if t.grad_fn is not None else t


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    if create_graph:
        raise NotImplementedError("minitorch_lite computes gradients on raw arrays: create_graph=True "
                                  "(higher-order gradients) is not supported")
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _seeds(outputs, grad_outputs)
    capture = {_key(t): None for t in inputs}
    run_backward(roots, retain_graph=bool(retain_graph), capture=capture)
    result = []
    for i, t in enumerate(inputs):
        g = capture[_key(t)]
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
            result.append(Tensor._make(t._device.xp.zeros_like(t._data), t._device)
                          if materialize_grads else None)
        else:
            result.append(Tensor._make(g.astype(t._data.dtype, copy=True), t._device))
    return tuple(result)
