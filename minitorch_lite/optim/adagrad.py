"""Adagrad: scale each coordinate's step by the root of its summed squared gradients.

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mt.optim.Adagrad([w], lr=0.1)
    >>> w.sum().backward(); opt.step()    # sum = g*g, so the first step is lr * g / |g| = 0.1
    >>> w
    tensor([ 0.9000, -2.1000], requires_grad=True)

The update, per parameter (torch's `_single_tensor_adagrad`), at step t:
    g = grad (negated when maximize) + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    sum += g * g
    p -= clr * g / (sqrt(sum) + eps)
Unlike the other optimizers, Adagrad creates its state for every parameter when it is built.
"""
from ..backend.device import xp_of
from ..tensor import Tensor
from .optimizer import (Optimizer, addcdiv_, addcmul_, _check_hyperparameter, _check_lr, _evaluate,
                        _gradient, _increment, _new_step, _reject_differentiable, _scalar)


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_hyperparameter(lr_decay, "lr_decay value")
        _check_hyperparameter(weight_decay, "weight_decay value")
        _check_hyperparameter(initial_accumulator_value, "initial_accumulator_value value")
        _check_hyperparameter(eps, "epsilon value")
        _reject_differentiable(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        state["step"] = _new_step()
        xp = xp_of(p._data)
        state["sum"] = Tensor._make(xp.full_like(p._data, self.defaults["initial_accumulator_value"]),
                                    p._device)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns `closure()`'s loss if given."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:  # a parameter added later with add_param_group
                    self._init_state(p)
                _adagrad_update(p, state, group)
        return loss


def _adagrad_update(p, state, group):
    lr, lr_decay, eps = _scalar(group["lr"]), group["lr_decay"], group["eps"]
    param, state_sum = p._data, state["sum"]._data
    step = _increment(state["step"])
    grad = _gradient(p, group["maximize"], group["weight_decay"])
    clr = lr / (1 + (step - 1) * lr_decay)

    xp = xp_of(param)
    scratch = xp.empty_like(param)
    addcmul_(state_sum, grad, grad, 1, scratch)
    std = xp.sqrt(state_sum)
    std += eps
    addcdiv_(param, grad, std, -clr, scratch)
    p._bump_version()
