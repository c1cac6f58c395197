"""Converting tensors, state dicts and optimizer states between PyTorch and minitorch_lite.

    >>> import torch, minitorch_lite as mt
    >>> from minitorch_lite.interop import from_torch, to_torch
    >>> torch_model, mt_model = torch.nn.Linear(3, 2), mt.nn.Linear(3, 2)
    >>> mt_model.load_state_dict(from_torch(torch_model.state_dict()))
    <All keys matched successfully>
    >>> torch_model.load_state_dict(to_torch(mt_model.state_dict()))
    <All keys matched successfully>

Both functions walk any nesting of dicts, OrderedDicts (their `_metadata` too), lists and tuples,
convert every tensor (and dtype, device, Size) and leave other values as they are. Tensors are
copied through NumPy on the host, so the two frameworks never share memory; each keeps its device
(a CUDA tensor comes back on the same GPU), its requires_grad and whether it is a Parameter.
torch is imported only when these functions are called: minitorch_lite itself never needs it.
"""
import collections

import numpy as np

from .backend import dtypes as _dtypes
from .backend.device import CPU, as_device, device
from .ops.conversion import move_array
from .tensor import Size, Tensor


def from_torch(obj):
    """A copy of `obj` with every torch tensor (dtype, device, Size) made a minitorch_lite one."""
    import torch
    from .nn.parameter import Parameter

    def tensor(t):
        try:
            array = np.array(t.detach().cpu().numpy(), copy=True)  # order 'K': the tensor's layout is kept
        except TypeError:  # bfloat16, complex, uint16, ...: no NumPy or minitorch_lite dtype
            raise TypeError(f"minitorch_lite has no dtype {t.dtype}") from None
        dev = as_device(str(t.device))
        out = Tensor._make(array if dev is CPU else move_array(array, dev), dev)
        if isinstance(t, torch.nn.Parameter):
            return Parameter(out, requires_grad=t.requires_grad)
        out._requires_grad = t.requires_grad
        return out

    def convert(x):
        if isinstance(x, torch.Tensor):
            return tensor(x)
        if isinstance(x, torch.dtype):
            return _dtypes.from_name(str(x))
        if isinstance(x, torch.device):
            return device(str(x))
        if isinstance(x, torch.Size):
            return Size(x)
        return _map_containers(x, convert)

    return convert(obj)


def to_torch(obj):
    """A copy of `obj` with every minitorch_lite tensor (dtype, device, Size) made a torch one."""
    import torch
    from .nn.parameter import Parameter

    def tensor(t):
        host = move_array(t._data, CPU)
        out = torch.from_numpy(np.array(host, copy=True))
        if t._device is not CPU:
            out = out.to(str(t._device))
        if isinstance(t, Parameter):
            return torch.nn.Parameter(out, requires_grad=t._requires_grad)
        return out.requires_grad_(t._requires_grad)

    def convert(x):
        if isinstance(x, Tensor):
            return tensor(x)
        if isinstance(x, _dtypes.dtype):
            return getattr(torch, x.name)
        if isinstance(x, device):
            return torch.device(str(x))
        if isinstance(x, Size):
            return torch.Size(x)
        return _map_containers(x, convert)

    return convert(obj)


def _map_containers(x, convert):
    """Rebuild dicts, OrderedDicts, lists and tuples (named ones too) with `convert` applied inside."""
    if isinstance(x, dict):
        out = type(x)() if type(x) in (dict, collections.OrderedDict) else dict()
        for k, v in x.items():
            out[k] = convert(v)
        if hasattr(x, "_metadata"):  # state_dict() versions, read by load_state_dict
            out._metadata = convert(x._metadata)
        return out
    if isinstance(x, list):
        return [convert(v) for v in x]
    if isinstance(x, tuple):
        items = [convert(v) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
    return x
