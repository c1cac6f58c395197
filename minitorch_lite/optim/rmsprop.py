"""RMSprop: divide each gradient by a running root-mean-square of recent gradients.

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mt.optim.RMSprop([w], lr=0.01)
    >>> w.sum().backward(); opt.step()    # v = 0.01 * g*g, so the first step is lr * g / sqrt(v) = 0.1
    >>> w
    tensor([ 0.9000, -2.1000], requires_grad=True)

The update, per parameter (torch's `_single_tensor_rmsprop`):
    g = grad (negated when maximize) + weight_decay * p
    v = alpha * v + (1 - alpha) * g * g
    centered: a = a.lerp(g, 1 - alpha); avg = sqrt(v - a * a) + eps      else avg = sqrt(v) + eps
    momentum > 0: buf = momentum * buf + g / avg; p -= lr * buf          else p -= lr * g / avg
"""
from ..backend.device import xp_of
from .optimizer import (Optimizer, add_, addcdiv_, addcmul_, _check_hyperparameter, _check_lr,
                        _evaluate, _gradient, _increment, lerp_, _new_step, _reject_differentiable,
                        _scalar, _zeros_like)


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        _check_hyperparameter(eps, "epsilon value")
        _check_hyperparameter(momentum, "momentum value")
        _check_hyperparameter(weight_decay, "weight_decay value")
        _check_hyperparameter(alpha, "alpha value")
        _reject_differentiable(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns `closure()`'s loss if given."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:  # lazy initialisation, in torch's key order
                    state["step"] = _new_step()
                    state["square_avg"] = _zeros_like(p)
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _zeros_like(p)
                _rmsprop_update(p, state, group)
        return loss


def _rmsprop_update(p, state, group):
    lr, alpha, eps, momentum = _scalar(group["lr"]), group["alpha"], group["eps"], group["momentum"]
    param, square_avg = p._data, state["square_avg"]._data
    _increment(state["step"])
    grad = _gradient(p, group["maximize"], group["weight_decay"])

    xp = xp_of(param)
    scratch = xp.empty_like(param)
    square_avg *= alpha
    addcmul_(square_avg, grad, grad, 1 - alpha, scratch)
    if group["centered"]:
        grad_avg = state["grad_avg"]._data
        lerp_(grad_avg, grad, 1 - alpha, scratch)
        avg = square_avg.copy()
        addcmul_(avg, grad_avg, grad_avg, -1, scratch)  # torch: square_avg.addcmul(a, a, value=-1)
        xp.sqrt(avg, out=avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps

    if momentum > 0:
        buf = state["momentum_buffer"]._data
        buf *= momentum
        addcdiv_(buf, grad, avg, 1, scratch)
        add_(param, buf, alpha=-lr, scratch=scratch)
    else:
        addcdiv_(param, grad, avg, -lr, scratch)
    p._bump_version()
