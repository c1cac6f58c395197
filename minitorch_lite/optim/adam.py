"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay.

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mt.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()   # the first step moves each weight by about lr
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)

The update, per parameter (torch's `_single_tensor_adam`), at step t:
    g = grad (negated when maximize)
    AdamW: p *= 1 - lr * weight_decay          Adam: g = g + weight_decay * p
    m = m.lerp(g, 1 - beta1)                   (= beta1 * m + (1 - beta1) * g)
    v = beta2 * v + (1 - beta2) * g * g
    v_max = max(v_max, v)                      (amsgrad only; then used instead of v)
    denom = sqrt(v) / sqrt(1 - beta2**t) + eps
    p -= lr / (1 - beta1**t) * m / denom
"""
from functools import partial

from ..backend import cpu_kernels, cuda_kernels
from ..backend.batch_threads import by_blocks
from ..backend.device import xp_of
from ..tensor import Tensor
from .optimizer import (Optimizer, addcdiv_, addcmul_, _check_hyperparameter, _check_lr, _evaluate,
                        _gradient, _increment, lerp_, _new_step, _reject_differentiable,
                        _scalar, _zeros_like)


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_lr(lr)
        _check_hyperparameter(eps, "epsilon value")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        _check_hyperparameter(weight_decay, "weight_decay value")
        if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor) and beta.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        _reject_differentiable(differentiable)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns `closure()`'s loss if given."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = (_scalar(b) for b in group["betas"])
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:  # lazy initialisation, in torch's key order
                    state["step"] = _new_step()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                _adam_update(p, state, group, beta1, beta2)
        return loss


def _adam_update(p, state, group, beta1, beta2):
    lr, weight_decay, eps = _scalar(group["lr"]), group["weight_decay"], group["eps"]
    param, exp_avg, exp_avg_sq = p._data, state["exp_avg"]._data, state["exp_avg_sq"]._data
    step = _increment(state["step"])

    decoupled = group["decoupled_weight_decay"]
    grad = _gradient(p, group["maximize"], 0 if decoupled else weight_decay)
    decay = 1 - lr * weight_decay if decoupled else 1
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2 ** 0.5
    settings = dict(decay=decay, beta1=beta1, beta2=beta2, step_size=step_size,
                    bias_correction2_sqrt=bias_correction2_sqrt, eps=eps)

    arrays = [param, grad, exp_avg, exp_avg_sq]
    if group["amsgrad"]:
        arrays.append(state["max_exp_avg_sq"]._data)
    fused = not group["amsgrad"] and cuda_kernels.use_for(param)  # the kernel has no amsgrad
    if fused:  # the GPU: the whole update in one kernel
        cuda_kernels.adam_step(*arrays, **settings)
    elif (param.size >= cpu_kernels.MIN_UPDATE_SIZE and cpu_kernels.use_for(param)
          and all(a.flags.c_contiguous for a in arrays)):  # compiled: the whole update in one pass
        cpu_kernels.adam_step(*arrays, **settings)
    else:  # large parameters: in cache-sized blocks, on several threads
        by_blocks(partial(_adam_step, **settings), arrays)
    p._bump_version()


def _adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, decay, beta1, beta2, step_size,
               bias_correction2_sqrt, eps):
    """The update of the module docstring, in place on `param` and the moments (arrays)."""
    if decay != 1:
        param *= decay
    xp = xp_of(param)
    scratch = xp.empty_like(param)
    lerp_(exp_avg, grad, 1 - beta1, scratch)
    exp_avg_sq *= beta2
    addcmul_(exp_avg_sq, grad, grad, 1 - beta2, scratch)
    second_moment = exp_avg_sq
    if max_exp_avg_sq is not None:  # amsgrad
        second_moment = xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    denom = xp.sqrt(second_moment, out=scratch)
    denom /= bias_correction2_sqrt
    denom += eps
    addcdiv_(param, exp_avg, denom, -step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): weights shrink by lr * weight_decay
    each step instead of adding weight_decay * p to the gradient."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                 *, maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:  # loading an Adam checkpoint must not undo the "W"
            group["decoupled_weight_decay"] = True
