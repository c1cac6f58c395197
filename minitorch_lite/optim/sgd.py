"""SGD: stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mt.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> w.sum().backward(); opt.step()     # first step: buffer = grad, w <- w - lr * buffer
    >>> w
    tensor([ 0.9000, -2.1000], requires_grad=True)

The update, per parameter (torch's `_single_tensor_sgd`):
    g = grad (negated when maximize) + weight_decay * p
    buf = g on the first step, else momentum * buf + (1 - dampening) * g
    g = g + momentum * buf if nesterov else buf          (only when momentum != 0)
    p -= lr * g
"""
from functools import partial

from ..backend import cpu_kernels, cuda_kernels
from ..backend.batch_threads import by_blocks
from ..tensor import Tensor
from .optimizer import (Optimizer, add, add_, _check_hyperparameter, _check_lr,
                        _evaluate, _gradient, _reject_differentiable, _scalar)


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr, nan_ok=True)  # torch's SGD checks `lr < 0.0`, which NaN passes
        _check_hyperparameter(momentum, "momentum value", nan_ok=True)
        _check_hyperparameter(weight_decay, "weight_decay value", nan_ok=True)
        _reject_differentiable(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns `closure()`'s loss if given."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            momentum, dampening = group["momentum"], group["dampening"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                grad = _gradient(p, group["maximize"], group["weight_decay"])
                if momentum == 0:
                    add_(p._data, grad, alpha=-lr)
                    p._bump_version()
                    continue
                state = self.state[p]
                first = state.get("momentum_buffer") is None
                if first:  # the buffer starts as the gradient itself
                    state["momentum_buffer"] = Tensor._make(grad.copy(), p._device)
                buf = state["momentum_buffer"]._data
                settings = dict(momentum=momentum, dampening=dampening, lr=lr, nesterov=group["nesterov"])
                fused = not first and cuda_kernels.use_for(p._data)  # the first step only copies grad
                if fused:  # the GPU: buffer and parameter in one kernel
                    cuda_kernels.sgd_momentum_step(p._data, grad, buf, **settings)
                elif p._data.size >= cpu_kernels.MIN_UPDATE_SIZE and cpu_kernels.use_for(p._data) \
                        and grad.flags.c_contiguous and buf.flags.c_contiguous and p._data.flags.c_contiguous:
                    cpu_kernels.sgd_momentum_step(p._data, grad, buf, first=first, **settings)  # one pass
                else:  # large parameters: in cache-sized blocks, on several threads
                    by_blocks(partial(_momentum_update, first=first, **settings), [p._data, grad, buf])
                p._bump_version()
        return loss


def _momentum_update(param, grad, buf, *, momentum, dampening, lr, nesterov, first):
    """buf = momentum * buf + (1 - dampening) * grad (not on the first step, where buf = grad);
    param -= lr * (grad + momentum * buf if nesterov else buf)."""
    if not first:
        buf *= momentum
        add_(buf, grad, alpha=1 - dampening)
    add_(param, add(grad, buf, alpha=momentum) if nesterov else buf, alpha=-lr)
