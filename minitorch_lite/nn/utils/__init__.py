"""torch.nn.utils: helpers around modules and their parameters (gradient clipping so far).

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([1.0, -5.0], requires_grad=True)
    >>> w.grad = mt.tensor([1.0, -5.0])
    >>> mt.nn.utils.clip_grad_value_([w], clip_value=2.0)
    >>> w.grad
    tensor([ 1., -2.])
"""
from . import clip_grad
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,
                        get_total_norm)

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]
