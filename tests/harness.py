"""The parity helper: run the same lambda on torch and on minitorch_lite and compare everything.

    check_op(lambda L, a, b: a * b, [(3, 1), (1, 4)])

runs `fn(torch, a_t, b_t)` and `fn(mt, a_m, b_m)` on identical inputs (float64 and float32; contiguous
and non-contiguous layouts; on the given device), then compares forward values, shapes and dtypes,
backpropagates the same random upstream gradient through both, and compares every input gradient.
`L` is the library (torch or minitorch_lite), for functions such as `L.exp(a)`.

Tolerances: float64 rtol 1e-10; float32 rtol 1e-5 (relative to the output's scale, so sums of
many terms are judged on their magnitude). A case that needs looser bounds passes them and says why.
"""
import numpy as np
import torch

import minitorch_lite as mt

TOLERANCE = {np.float64: (1e-10, 1e-12), np.float32: (1e-5, 1e-6), np.float16: (1e-2, 1e-3)}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32, np.float16: torch.float16}


# ---- inputs --------------------------------------------------------------------------------------

def make_layout(array, layout):
    """A view of a private copy of `array` with the requested memory layout (values unchanged)."""
    if layout == "contiguous" or array.ndim == 0:
        return array.copy()
    if layout == "transposed":  # same values, reversed strides
        return np.ascontiguousarray(array.T).T
    if layout == "sliced":  # every other element of a twice-as-long last dim
        wide = np.empty(array.shape[:-1] + (array.shape[-1] * 2,), array.dtype)
        wide[..., ::2] = array
        return wide[..., ::2]
    raise ValueError(layout)


def random_inputs(shapes, dtype, low=-2.0, high=2.0, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(dtype) for s in shapes]


def torch_leaf(array, grad):
    t = torch.from_numpy(array)
    if grad and t.is_floating_point():
        t.requires_grad_(True)
    return t


def mt_leaf(array, grad, device):
    t = mt.from_numpy(array)
    if device != "cpu":
        t = t.to(device)
    if grad and t.is_floating_point():
        t.requires_grad_(True)
    return t


# ---- comparison --------------------------------------------------------------------------------

def to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, mt.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(ours, theirs, rtol, atol, what="output"):
    """Same kind, shape, dtype and values (NaNs in the same places)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{what}: expected a sequence, got {type(ours)}"
        assert len(ours) == len(theirs), f"{what}: {len(ours)} items vs torch's {len(theirs)}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_close(o, t, rtol, atol, f"{what}[{i}]")
        return
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mt.Tensor), f"{what}: expected a Tensor, got {type(ours).__name__}"
        assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} vs torch {tuple(theirs.shape)}"
        assert repr(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} vs torch {theirs.dtype}"
    else:
        assert not isinstance(ours, mt.Tensor), f"{what}: got a Tensor where torch gives {type(theirs).__name__}"
        assert type(ours) is type(theirs), f"{what}: type {type(ours).__name__} vs torch {type(theirs).__name__}"
    if isinstance(theirs, (str, type(None), bool, int)):
        assert ours == theirs, f"{what}: {ours!r} vs torch {theirs!r}"
        return
    a, b = to_numpy(ours), to_numpy(theirs)
    if a.dtype.kind in "biu" or b.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=what)
        return
    # a float32 result of a float64 test (int inputs, casts) is held to float32's tolerance
    r32, a32 = TOLERANCE[np.float32]
    if b.dtype == np.float32 and rtol < r32:
        rtol, atol = r32, a32
    # judge float results relative to their scale: a sum of many terms is exact only to its magnitude
    scale = float(np.nanmax(np.abs(b[np.isfinite(b)]))) if np.isfinite(b).any() else 1.0
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol + rtol * min(scale, 1e30) * 1e-1,
                               equal_nan=True, err_msg=what)


def _float_outputs(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out if isinstance(o, (torch.Tensor, mt.Tensor)) and o.is_floating_point()]
    return [out] if isinstance(out, (torch.Tensor, mt.Tensor)) and out.is_floating_point() else []


# ---- the helper --------------------------------------------------------------------------------------

def check_op(fn, shapes=None, *, arrays=None, dtypes=(np.float64, np.float32), layouts=("contiguous",),
             device="cpu", grad=True, low=-2.0, high=2.0, rtol=None, atol=None, seed=0, check_grad_fn=None):
    """Compare fn(torch, *inputs) with fn(minitorch_lite, *inputs): forward, dtypes, shapes, grads.

    shapes  -- input shapes for random uniform inputs in [low, high); or
    arrays  -- explicit NumPy inputs (edge values); float arrays are cast to each dtype, others kept.
    layouts -- memory layouts of the inputs to try: "contiguous", "transposed", "sliced".
    check_grad_fn -- the grad_fn name torch gives the output, compared with ours when given True.
    """
    for dtype in dtypes:
        base = random_inputs(shapes, dtype, low, high, seed) if arrays is None else [
            a.astype(dtype) if a.dtype.kind == "f" else a for a in map(np.asarray, arrays)]
        r, a = TOLERANCE[dtype]
        r, a = (rtol or r), (atol or a)
        for layout in layouts:
            inputs = [make_layout(x, layout if x.ndim >= 1 else "contiguous") for x in base]
            t_in = [torch_leaf(x, grad) for x in inputs]
            m_in = [mt_leaf(make_layout(x, layout if x.ndim >= 1 else "contiguous"), grad, device)
                    for x in base]
            t_out = fn(torch, *t_in)
            m_out = fn(mt, *m_in)
            where = f"{dtype.__name__} {layout} {device}"
            assert_close(m_out, t_out, r, a, f"forward ({where})")
            if check_grad_fn:
                t_first, m_first = (_float_outputs(t_out) or [t_out])[0], (_float_outputs(m_out) or [m_out])[0]
                t_name = type(t_first.grad_fn).__name__ if t_first.grad_fn is not None else None
                m_name = m_first.grad_fn.name() if m_first.grad_fn is not None else None
                assert m_name == t_name, f"grad_fn {m_name} vs torch {t_name}"
            if not grad:
                continue
            t_outs = [o for o in _float_outputs(t_out) if o.requires_grad]
            m_outs = [o for o in _float_outputs(m_out) if o.requires_grad]
            assert len(t_outs) == len(m_outs), f"{len(m_outs)} differentiable outputs vs torch's {len(t_outs)} ({where})"
            if not t_outs:
                continue
            rng = np.random.default_rng(seed + 1)
            seeds = [rng.uniform(-1, 1, size=tuple(o.shape)).astype(dtype) for o in t_outs]
            torch.autograd.backward(t_outs, [torch.from_numpy(s.copy()) for s in seeds])
            mt.autograd.backward(m_outs, [mt.tensor(s, device=device) for s in seeds])
            for i, (tx, mx) in enumerate(zip(t_in, m_in)):
                if not tx.requires_grad:
                    continue
                if tx.grad is None:
                    assert mx.grad is None or not np.any(to_numpy(mx.grad)), f"grad[{i}] should be None ({where})"
                    continue
                assert mx.grad is not None, f"grad[{i}] is None, torch has one ({where})"
                assert_close(mx.grad, tx.grad, r, a, f"grad[{i}] ({where})")


def check_same_error(fn, *args, **kwargs):
    """fn(torch, ...) and fn(minitorch_lite, ...) raise the same exception type with the same message."""
    errors = []
    for lib in (torch, mt):
        try:
            fn(lib, *args, **kwargs)
        except Exception as e:  # noqa: BLE001 - comparing whatever torch raises
            errors.append(e)
        else:
            errors.append(None)
    t_err, m_err = errors
    assert t_err is not None, "torch did not raise"
    assert m_err is not None, f"minitorch_lite did not raise (torch: {type(t_err).__name__}: {t_err})"
    assert type(m_err) is type(t_err), f"{type(m_err).__name__}: {m_err} vs torch {type(t_err).__name__}: {t_err}"
    return str(m_err), str(t_err)


# ---- finite differences ----------------------------------------------------------------------------

def gradcheck(fn, arrays, eps=1e-6, rtol=1e-6, atol=1e-8, seed=0):
    """Directional finite-difference check in float64 (as Chainer's check_backward).

    For a random direction v and upstream gradient g, d/dt <g, fn(x + t v)> at t=0 computed by
    central differences must equal sum_i <grad_i, v_i> from backward.
    """
    rng = np.random.default_rng(seed)
    xs = [np.asarray(a, dtype=np.float64) for a in arrays]
    leaves = [mt.tensor(x, requires_grad=True) for x in xs]
    out = fn(*leaves)
    g = rng.uniform(-1, 1, size=tuple(out.shape))
    out.backward(mt.tensor(g))
    vs = [rng.uniform(-1, 1, size=x.shape) for x in xs]
    analytic = sum(float(np.sum(l.grad.numpy() * v)) for l, v in zip(leaves, vs) if l.grad is not None)

    def f(t):
        with mt.no_grad():
            y = fn(*[mt.tensor(x + t * v) for x, v in zip(xs, vs)])
        return float(np.sum(y.numpy() * g))

    numeric = (f(eps) - f(-eps)) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)
