"""Parity for whole layers: the same module in torch and in minitorch_lite, compared on everything.

    check_module(lambda L: L.nn.Conv2d(3, 4, 3), [(2, 3, 8, 8)])

builds the module with `make(torch)` and `make(minitorch_lite)`, copies torch's parameters and
buffers into ours (so the comparison does not depend on initialisation, which
tests/test_nn_layers_init.py checks separately), runs `call(module, *inputs)` on identical inputs
in float64 and float32, in training and eval mode, then backpropagates the same random gradient and
compares the outputs, every input gradient, every parameter gradient and every buffer (running
statistics) afterwards.
"""
import numpy as np
import torch

import minitorch_lite as mt
from harness import TOLERANCE, assert_close, mt_leaf, random_inputs, torch_leaf

TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
MT_DTYPE = {np.float64: mt.float64, np.float32: mt.float32}


def copy_state(torch_module, mt_module):
    """Load torch's parameters and buffers into the minitorch_lite module (exact copies)."""
    state = {k: mt.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}
    mt_module.load_state_dict(state)


def _float_tensors(out):
    items = out if isinstance(out, (tuple, list)) else [out]
    return [o for o in items if isinstance(o, (torch.Tensor, mt.Tensor)) and o.is_floating_point()
            and o.requires_grad]


def check_module(make, shapes=None, *, arrays=None, call=None, dtypes=(np.float64, np.float32),
                 modes=("train", "eval"), device="cpu", rtol=None, atol=None, low=-2.0, high=2.0, seed=0,
                 input_grad=True):
    """Compare make(torch) and make(minitorch_lite) on forward, input/parameter grads and buffers."""
    call = call or (lambda module, *inputs: module(*inputs))
    for dtype in dtypes:
        r, a = TOLERANCE[dtype]
        r, a = rtol.get(dtype, r) if isinstance(rtol, dict) else (rtol or r), (atol or a)
        for mode in modes:
            torch_module = make(torch).to(TORCH_DTYPE[dtype])
            mt_module = make(mt).to(MT_DTYPE[dtype])
            copy_state(torch_module, mt_module)
            if device != "cpu":
                mt_module = mt_module.to(device)
            torch_module.train(mode == "train")
            mt_module.train(mode == "train")
            base = random_inputs(shapes, dtype, low, high, seed) if arrays is None else [
                x.astype(dtype) if x.dtype.kind == "f" else x for x in map(np.asarray, arrays)]
            t_in = [torch_leaf(x.copy(), input_grad) for x in base]
            m_in = [mt_leaf(x.copy(), input_grad, device) for x in base]
            t_out, m_out = call(torch_module, *t_in), call(mt_module, *m_in)
            where = f"{dtype.__name__} {mode} {device}"
            assert_close(m_out, t_out, r, a, f"forward ({where})")
            t_outs, m_outs = _float_tensors(t_out), _float_tensors(m_out)
            assert len(t_outs) == len(m_outs), f"differentiable outputs ({where})"
            if t_outs:
                rng = np.random.default_rng(seed + 1)
                seeds = [rng.uniform(-1, 1, size=tuple(o.shape)).astype(dtype) for o in t_outs]
                torch.autograd.backward(t_outs, [torch.from_numpy(s.copy()) for s in seeds])
                mt.autograd.backward(m_outs, [mt.tensor(s, device=device) for s in seeds])
                for i, (tx, mx) in enumerate(zip(t_in, m_in)):
                    if tx.requires_grad and tx.grad is not None:
                        assert_close(mx.grad, tx.grad, r, a, f"input grad[{i}] ({where})")
                m_params = dict(mt_module.named_parameters())
                for name, tp in torch_module.named_parameters():
                    mp = m_params[name]
                    if tp.grad is None:
                        assert mp.grad is None, f"{name}.grad should be None ({where})"
                    else:
                        assert mp.grad is not None, f"{name}.grad is None ({where})"
                        assert_close(mp.grad, tp.grad, r, a, f"{name}.grad ({where})")
            m_buffers = dict(mt_module.named_buffers())
            for name, tb in torch_module.named_buffers():
                assert_close(m_buffers[name], tb, r, a, f"buffer {name} ({where})")
