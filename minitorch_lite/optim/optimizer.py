"""The Optimizer base class: parameter groups, per-parameter state, zero_grad and state_dict.

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = mt.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()           # dL/dw = 2w
    >>> opt.step()                         # w <- w - 0.1 * 2w
    >>> w
    tensor([0.8000, 1.6000], requires_grad=True)
    >>> opt.zero_grad(); w.grad is None
    True

An optimizer holds `param_groups` (a list of dicts: the tensors under "params" plus that group's
hyperparameters) and `state` (a dict from each parameter to its running buffers: momentum, Adam's
moments, step counts). `state_dict()` replaces parameters by integer ids, exactly as torch does, so
a checkpoint maps onto a freshly built optimizer by position.

Subclasses implement `step()`. They update the raw arrays (`p._data`) in place with the helpers at
the bottom of this file, one helper per torch in-place op (`lerp_`, `addcmul_`, `addcdiv_`), in the
same order and dtype as torch's CPU single-tensor code, so trajectories agree with torch to float32
rounding. (torch's CPU kernels use fused multiply-add for `add_(alpha=)`, `lerp_` and `addcmul_`,
and MKL's square root; NumPy rounds twice and its sqrt is exact, so single results differ by at most
an ulp.)

The `foreach`, `fused` and `capturable` flags are accepted and kept in the param groups (so
state_dicts and reprs match torch's), but they only choose between torch kernels that compute the
same update; there is one implementation here. `differentiable=True` (autograd through the update)
is not supported.
"""
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from ..backend import dtypes as _dtypes
from ..backend.device import CPU
from ..tensor import Tensor
from ..backend.device import xp_of


class _RequiredParameter:
    """Marks a hyperparameter every param group must give (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, 'int' for builtins, 'module.Class' otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


class Optimizer:
    """Base class for all optimizers: `Optimizer(params, defaults)`.

    `params` is an iterable of tensors, of (name, tensor) pairs, or of dicts that each hold
    "params" and any hyperparameters that override `defaults` for that group.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            "or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ---- groups ---------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Append a group; missing hyperparameters are filled from `defaults` (torch's checks and errors)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names "
                                 "are missing")
            param_group["param_names"] = names

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, "
                          "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                          "more information", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Drop every gradient (`set_to_none=True`, the default) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    def step(self, closure=None):
        """Update the parameters from their `.grad` (each optimizer defines it)."""
        raise NotImplementedError

    # ---- printing and checkpoints -----------------------------------------------------------------
    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def state_dict(self):
        """{'state': {id: {...}}, 'param_groups': [{..., 'params': [ids]}]}: ids number the
        parameters in group order. The state tensors are shared, not copied (as in torch)."""
        ids = {}

        def pack_group(group):
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                ids.setdefault(id(p), len(ids))
            packed["params"] = [ids[id(p)] for p in group["params"]]
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(ids[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Load a `state_dict()`: groups are matched by position, parameters by id within them.
        State tensors are cast to their parameter's dtype and device, except step counters.

        Every state tensor is checked against its parameter's shape before anything is kept: torch
        takes a mismatch here and fails half-way through the next `step()`, with some parameters
        already updated; here the load fails and the optimizer is unchanged."""
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                             "of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                if key == "step":  # step counters stay on the CPU in their own dtype
                    return value
                if value.ndim and value.shape != param.shape:
                    raise RuntimeError(f"loaded state dict has a state '{key}' of size {list(value.shape)} "
                                       f"for a parameter of size {list(param.shape)}")
                if param.is_floating_point():
                    return value.to(dtype=param.dtype, device=param.device)
                return value.to(device=param.device)
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v

        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})


# ---- helpers the optimizers share ---------------------------------------------------------------------

def _evaluate(closure):
    """Run `closure()` with gradients enabled (it usually recomputes the loss and calls backward)."""
    if closure is None:
        return None
    from ..autograd import enable_grad
    with enable_grad():
        return closure()


def _check_hyperparameter(value, name, nan_ok=False):
    """torch's `if not 0.0 <= value: raise ValueError(f"Invalid {name}: {value}")` -- or, where torch
    writes `if value < 0.0` (SGD), the same check letting NaN through, as torch's does."""
    if (value < 0.0) if nan_ok else not 0.0 <= value:
        raise ValueError(f"Invalid {name}: {value}")


def _check_lr(lr, nan_ok=False):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    _check_hyperparameter(lr, "learning rate", nan_ok)


def _reject_differentiable(differentiable):
    if differentiable:
        raise NotImplementedError("minitorch_lite's optimizers update the raw arrays outside autograd: "
                                  "differentiable=True is not supported")


def _scalar(value):
    """A hyperparameter as a number: a tensor lr becomes a NumPy scalar of its dtype (so a float32
    lr tensor gives float32 arithmetic, as torch's tensor maths would)."""
    if isinstance(value, Tensor):
        return value._data.dtype.type(value.item())
    return value


def _new_step():
    """A fresh step counter: a 0-d CPU tensor, float64 if that is the default dtype, else float32."""
    dtype = np.float64 if _dtypes.get_default_dtype() is _dtypes.float64 else np.float32
    return Tensor._make(np.zeros((), dtype), CPU)


def _increment(step_t):
    """`step_t += 1` in the counter's own dtype; returns the new count as a Python float."""
    step_t._data += 1
    return float(step_t._data)


def _zeros_like(p):
    return Tensor._make(xp_of(p._data).zeros_like(p._data), p._device)


def _gradient(p, maximize, weight_decay):
    """The gradient an update uses: `-grad` when maximizing, plus `weight_decay * param` (L2).
    Returns p's own grad array when neither applies (callers must not write into it)."""
    grad = p._grad._data
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, p._data, alpha=weight_decay)  # torch: grad.add(param, alpha=weight_decay)
    return grad


# ---- torch's in-place ops on raw arrays (self is overwritten; `scratch` is a same-shape temporary) ----

def add(x, y, alpha):
    """x + alpha * y as a new array (torch.add(x, y, alpha=alpha))."""
    out = y * alpha
    out += x
    return out


def add_(self, other, alpha, scratch=None):
    """self += alpha * other (Tensor.add_(other, alpha=alpha))."""
    if alpha == 1:  # torch's fused multiply-add by 1 is a plain add
        self += other
        return
    xp = xp_of(self)
    scratch = xp.multiply(other, alpha, out=scratch)
    self += scratch


def lerp_(self, end, weight, scratch=None):
    """Tensor.lerp_(end, weight) with torch's formula, which picks the end nearer the result:
    self + w * (end - self) when |w| < 0.5, else end - (1 - w) * (end - self)."""
    xp = xp_of(self)
    scratch = xp.subtract(end, self, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        self += scratch
    else:
        scratch *= self.dtype.type(weight) - 1  # torch forms (w - 1) in the tensor's dtype
        xp.add(end, scratch, out=self)


def addcmul_(self, tensor1, tensor2, value, scratch=None):
    """self += (value * tensor1) * tensor2 (Tensor.addcmul_, torch's evaluation order)."""
    xp = xp_of(self)
    scratch = xp.multiply(tensor1, value, out=scratch)
    scratch *= tensor2
    self += scratch


def addcdiv_(self, tensor1, tensor2, value, scratch=None):
    """self += (value * tensor1) / tensor2 (Tensor.addcdiv_, torch's evaluation order)."""
    xp = xp_of(self)
    scratch = xp.multiply(tensor1, value, out=scratch)
    scratch /= tensor2
    self += scratch
