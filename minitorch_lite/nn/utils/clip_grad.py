"""Gradient clipping: rescale gradients whose overall norm is too large, or clamp each entry.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.nn.utils import clip_grad_norm_
    >>> w = mt.tensor([3.0, 4.0], requires_grad=True)
    >>> w.grad = mt.tensor([3.0, 4.0])
    >>> clip_grad_norm_([w], max_norm=1.0)     # returns the norm before clipping
    tensor(5.)
    >>> w.grad                                 # scaled by 1 / (5 + 1e-6)
    tensor([0.6000, 0.8000])

The total norm is the norm of the per-tensor norms (torch's order of evaluation), in the
gradients' dtype. Gradients are scaled in place by min(1, max_norm / (total_norm + 1e-6)).
"""
import math
import types
import warnings

import numpy as np

from ...backend import dtypes as _dtypes
from ...backend.device import CPU
from ...tensor import Tensor
from ...backend.device import xp_of


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(array, norm_type):
    """torch.linalg.vector_norm(array, norm_type) of a raw array, as a 0-d array of its dtype."""
    xp = xp_of(array)
    if norm_type == 2.0:
        flat = array.reshape(-1)
        return xp.sqrt(xp.dot(flat, flat))
    magnitude = xp.abs(array)
    if norm_type == math.inf:
        return magnitude.max() if array.size else xp.zeros((), array.dtype)
    if norm_type == -math.inf:
        return magnitude.min()
    if norm_type == 0.0:
        return xp.asarray(xp.count_nonzero(array), dtype=array.dtype)
    if norm_type == 1.0:
        return magnitude.sum()
    return (magnitude ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all `tensors` together, as if concatenated into one vector (a 0-d tensor)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return Tensor._make(np.zeros((), _dtypes.get_default_dtype().np), CPU)
    device = tensors[0]._device
    xp = device.xp
    with np.errstate(over="ignore", invalid="ignore"):  # torch is silent about inf and nan norms
        norms = [_vector_norm(t._data, norm_type) for t in tensors]
        stacked = xp.stack([xp.asarray(n) for n in norms])
        total = Tensor._make(_vector_norm(stacked, norm_type), device)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every `.grad` by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = [p._grad for p in _as_list(parameters) if p._grad is not None]
    if len(grads) == 0:
        return
    norm = total_norm._data
    clip_coef = float(max_norm) / (norm + 1e-6)  # stays in the norm's dtype, as torch's tensor maths
    clip_coef_clamped = xp_of(norm).minimum(clip_coef, 1.0)
    with np.errstate(invalid="ignore"):  # inf * 0 = nan, silently as in torch
        for g in grads:
            g._data *= clip_coef_clamped
            g._bump_version()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients' total norm to `max_norm` in place; returns the total norm before clipping."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = [p._grad for p in parameters if p._grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of `clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p._grad is not None:
            g = p._grad._data
            xp_of(g).clip(g, -clip_value, clip_value, out=g)
            p._grad._bump_version()
