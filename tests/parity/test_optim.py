"""Optimizers against torch.optim: same start, same gradients, parameters compared after every step.

Two kinds of runs:
  * fixed gradients: both frameworks get the same pre-drawn gradient sequence (some gradients None),
    so any difference comes from the optimizer alone. 200 steps, every option combination.
  * training: a tiny MLP on raw tensors, each framework computing its own gradients with its own
    autograd (the course's loop: zero_grad, backward, step).

Tolerances are relative to the parameters' scale (the largest |weight|): float32 1e-6, float64 1e-12.
torch's CPU kernels fuse multiply-adds and use MKL's square root, NumPy rounds each operation, so
single updates differ by an ulp and the differences random-walk; they stay within a few ulps of scale
over 200 steps.
"""
import copy
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
import minitorch_lite.nn  # noqa: F401  (makes mt.nn available)
import minitorch_lite.optim  # noqa: F401  (makes mt.optim available)

from harness import check_same_error

SHAPES = [(5, 8), (8,), (8, 1), (1,)]
STEPS = 200
TOL = {np.float32: 1e-6, np.float64: 1e-12}
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.5, weight_decay=0.05, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.7), eps=1e-3)),  # lerp weight >= 0.5: torch's other branch
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.05, maximize=True)),
    ("Adam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.3)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.001, centered=True)),
    ("RMSprop", dict(lr=0.001, momentum=0.9)),
    ("RMSprop", dict(lr=0.001, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.001, alpha=0.9, eps=1e-4, centered=True, momentum=0.5, weight_decay=0.01)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True, lr_decay=0.001)),
]
CASE_PARAMS = [pytest.param(name, kw, id=f"{name}-{i}") for i, (name, kw) in enumerate(CASES)]


# ---- helpers ---------------------------------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("torch_on_one_thread")  # tiny tensors: see conftest


def draw_problem(dtype, steps=STEPS, seed=0):
    """Initial weights and a gradient sequence. The bias of the first layer gets its first gradient
    at step 5 (lazy state) and the last bias none on every third step (skipped params)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = []
    for t in range(steps):
        g = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        if t < 5:
            g[1] = None
        if t % 3 == 2:
            g[3] = None
        grads.append(g)
    return init, grads


def make_params(init, device="cpu"):
    return ([torch.tensor(a, requires_grad=True) for a in init],
            [mt.tensor(a, device=device, requires_grad=True) for a in init])


def set_grads(torch_params, mt_params, grads, device="cpu"):
    for tp, mp, g in zip(torch_params, mt_params, grads):
        tp.grad = None if g is None else torch.tensor(g)
        mp.grad = None if g is None else mt.tensor(g, device=device)


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t.detach().cpu().numpy()


def assert_params_close(torch_params, mt_params, dtype, step):
    tol = TOL[dtype]
    theirs = [to_numpy(p) for p in torch_params]
    ours = [to_numpy(p) for p in mt_params]
    scale = max(float(np.abs(t).max()) for t in theirs)
    for i, (t, m) in enumerate(zip(theirs, ours)):
        assert m.dtype == dtype
        if not (np.abs(m - t) <= tol * scale + tol * np.abs(t)).all():  # cheap check, then the report
            np.testing.assert_allclose(m, t, rtol=tol, atol=tol * scale,
                                       err_msg=f"param {i} after step {step}")


def assert_states_close(torch_opt, mt_opt, torch_params, mt_params, dtype):
    """Same state keys in the same order; step counters exactly equal (0-d, same dtype)."""
    for tp, mp in zip(torch_params, mt_params):
        t_state, m_state = torch_opt.state.get(tp, {}), mt_opt.state.get(mp, {})
        assert list(m_state) == list(t_state)
        for key, t_value in t_state.items():
            m_value = m_state[key]
            assert isinstance(m_value, mt.Tensor)
            assert str(m_value.dtype) == str(t_value.dtype) and tuple(m_value.shape) == tuple(t_value.shape)
            if key == "step":
                assert m_value.item() == t_value.item()
            else:
                scale = max(float(np.abs(to_numpy(t_value)).max()), 1e-30)
                np.testing.assert_allclose(to_numpy(m_value), to_numpy(t_value), rtol=TOL[dtype] * 10,
                                           atol=TOL[dtype] * 10 * scale, err_msg=key)


def run_fixed(torch_opt, mt_opt, torch_params, mt_params, grads, dtype, device="cpu"):
    for t, g in enumerate(grads):
        set_grads(torch_params, mt_params, g, device)
        torch_opt.step()
        mt_opt.step()
        assert_params_close(torch_params, mt_params, dtype, t)


# ---- trajectories ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs", CASE_PARAMS)
def test_fixed_gradients_200_steps(name, kwargs, dtype, device):
    init, grads = draw_problem(dtype)
    tps, mps = make_params(init, device)
    torch_opt = getattr(torch.optim, name)(tps, **kwargs)
    mt_opt = getattr(mt.optim, name)(mps, **kwargs)
    run_fixed(torch_opt, mt_opt, tps, mps, grads, dtype, device)
    assert_states_close(torch_opt, mt_opt, tps, mps, dtype)


def mlp_loss(L, params, x, y):
    w1, b1, w2, b2 = params
    return ((L.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2).mean()


# configurations whose dynamics on this problem do not amplify rounding differences
TRAINING_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.001, centered=True, momentum=0.9, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs", [pytest.param(n, k, id=f"{n}-{i}")
                                         for i, (n, k) in enumerate(TRAINING_CASES)])
def test_training_own_autograd(name, kwargs, dtype, device):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 5)).astype(dtype)
    y = rng.standard_normal((32, 1)).astype(dtype)
    init = [(rng.standard_normal(s) * 0.5).astype(dtype) for s in SHAPES]
    tps, mps = make_params(init, device)
    torch_opt = getattr(torch.optim, name)(tps, **kwargs)
    mt_opt = getattr(mt.optim, name)(mps, **kwargs)
    tx, ty = torch.tensor(x), torch.tensor(y)
    mx, my = mt.tensor(x, device=device), mt.tensor(y, device=device)
    for t in range(STEPS):
        for opt, L, params, xs, ys in ((torch_opt, torch, tps, tx, ty), (mt_opt, mt, mps, mx, my)):
            opt.zero_grad()
            mlp_loss(L, params, xs, ys).backward()
            opt.step()
        assert_params_close(tps, mps, dtype, t)


def test_closure_returns_loss():
    init, _ = draw_problem(np.float64, steps=0)
    tps, mps = make_params(init)
    x = np.linspace(-1, 1, 10).reshape(2, 5)
    results = []
    for L, params in ((torch, tps), (mt, mps)):
        opt = L.optim.SGD(params, lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (L.tensor(x) @ params[0]).sum()
            loss.backward()
            return loss

        results.append(opt.step(closure).item())
    assert results[0] == pytest.approx(results[1], rel=1e-12)
    assert_params_close(tps, mps, np.float64, 0)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_tensor_lr(name):
    init, grads = draw_problem(np.float32, steps=50)
    tps, mps = make_params(init)
    kwargs = dict(momentum=0.9) if name == "SGD" else {}
    torch_opt = getattr(torch.optim, name)(tps, lr=torch.tensor(0.01), **kwargs)
    mt_opt = getattr(mt.optim, name)(mps, lr=mt.tensor(0.01), **kwargs)
    assert repr(mt_opt) == repr(torch_opt)
    run_fixed(torch_opt, mt_opt, tps, mps, grads, np.float32)


# ---- param groups --------------------------------------------------------------------------------

def test_param_groups_with_different_hyperparameters():
    init, grads = draw_problem(np.float32)
    tps, mps = make_params(init)
    opts = []
    for L, p in ((torch, tps), (mt, mps)):
        opts.append(L.optim.SGD([{"params": p[:2], "lr": 0.1},
                                 {"params": p[2:], "momentum": 0.9, "nesterov": True}], lr=0.01))
    assert repr(opts[1]) == repr(opts[0])
    run_fixed(*opts, tps, mps, grads, np.float32)

    init, grads = draw_problem(np.float64, seed=3)
    tps, mps = make_params(init)
    opts = []
    for L, p in ((torch, tps), (mt, mps)):
        opts.append(L.optim.Adam([{"params": p[:1], "lr": 0.05, "betas": (0.5, 0.9)},
                                  {"params": p[1:3], "weight_decay": 0.1, "amsgrad": True},
                                  {"params": p[3:]}], lr=0.01))
    assert repr(opts[1]) == repr(opts[0])
    run_fixed(*opts, tps, mps, grads, np.float64)


def test_add_param_group_mid_run():
    init, grads = draw_problem(np.float32)
    tps, mps = make_params(init)
    opts = [torch.optim.Adam(tps[:2], lr=0.01), mt.optim.Adam(mps[:2], lr=0.01)]
    run_fixed(*opts, tps, mps, grads[:50], np.float32)
    opts[0].add_param_group({"params": tps[2:], "lr": 0.001})
    opts[1].add_param_group({"params": mps[2:], "lr": 0.001})
    assert repr(opts[1]) == repr(opts[0])
    run_fixed(*opts, tps, mps, grads[50:], np.float32)


def test_named_parameters():
    init, grads = draw_problem(np.float32, steps=10)
    tps, mps = make_params(init)
    names = ["w1", "b1", "w2", "b2"]
    opts = [torch.optim.SGD(list(zip(names, tps)), lr=0.1), mt.optim.SGD(list(zip(names, mps)), lr=0.1)]
    assert opts[1].param_groups[0]["param_names"] == names
    assert opts[1].state_dict()["param_groups"] == opts[0].state_dict()["param_groups"]
    run_fixed(*opts, tps, mps, grads, np.float32)


# ---- state_dict -------------------------------------------------------------------------------------

STATEFUL_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.001, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
]
STATEFUL_PARAMS = [pytest.param(n, k, id=n) for n, k in STATEFUL_CASES]


def assert_same_state_dict(mt_sd, torch_sd, dtype):
    assert mt_sd["param_groups"] == torch_sd["param_groups"]
    assert list(mt_sd["state"]) == list(torch_sd["state"])
    for pid, t_state in torch_sd["state"].items():
        m_state = mt_sd["state"][pid]
        assert list(m_state) == list(t_state)
        for key, t_value in t_state.items():
            assert str(m_state[key].dtype) == str(t_value.dtype)
            assert tuple(m_state[key].shape) == tuple(t_value.shape)
            np.testing.assert_allclose(to_numpy(m_state[key]), to_numpy(t_value), rtol=TOL[dtype] * 10,
                                       atol=TOL[dtype] * 10 * max(1.0, float(t_value.abs().max())))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs", STATEFUL_PARAMS)
def test_state_dict_round_trip(name, kwargs, dtype):
    """Save mid-run, load into a fresh optimizer (built with other hyperparameters, which the
    checkpoint overrides), continue: still equal to torch's uninterrupted run."""
    init, grads = draw_problem(dtype)
    tps, mps = make_params(init)
    torch_opt = getattr(torch.optim, name)(tps, **kwargs)
    mt_opt = getattr(mt.optim, name)(mps, **kwargs)
    run_fixed(torch_opt, mt_opt, tps, mps, grads[:100], dtype)

    saved = mt_opt.state_dict()
    assert_same_state_dict(saved, torch_opt.state_dict(), dtype)
    saved = copy.deepcopy(saved)  # what a checkpoint file gives back: no shared tensors
    fresh = getattr(mt.optim, name)(mps, lr=123.0)
    fresh.load_state_dict(saved)
    assert repr(fresh) == repr(torch_opt)
    run_fixed(torch_opt, fresh, tps, mps, grads[100:], dtype)


@pytest.mark.parametrize("name,kwargs", STATEFUL_PARAMS)
def test_load_torch_state_dict(name, kwargs):
    """A torch optimizer checkpoint (tensors converted) continues in minitorch_lite."""
    init, grads = draw_problem(np.float32)
    tps, _ = make_params(init)
    torch_opt = getattr(torch.optim, name)(tps, **kwargs)
    for g in grads[:60]:
        for p, gi in zip(tps, g):
            p.grad = None if gi is None else torch.tensor(gi)
        torch_opt.step()

    def convert(value):
        if isinstance(value, torch.Tensor):
            return mt.tensor(value.detach().numpy().copy())
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    mps = [mt.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tps]
    mt_opt = getattr(mt.optim, name)(mps)
    mt_opt.load_state_dict(convert(torch_opt.state_dict()))
    run_fixed(torch_opt, mt_opt, tps, mps, grads[60:], np.float32)


def test_state_dict_casts_to_param_dtype_but_keeps_step():
    p64 = mt.tensor([1.0, 2.0], dtype=mt.float64, requires_grad=True)
    p32 = mt.tensor([1.0, 2.0], requires_grad=True)
    src = mt.optim.Adam([p32])
    p32.grad = mt.tensor([0.5, 0.5])
    src.step()
    dst = mt.optim.Adam([p64])
    dst.load_state_dict(src.state_dict())
    state = dst.state[p64]
    assert state["exp_avg"].dtype == mt.float64 and state["step"].dtype == mt.float32


def test_load_state_dict_errors():
    init, _ = draw_problem(np.float32, steps=0)
    _, mps = make_params(init)
    saved = mt.optim.SGD(mps, lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        mt.optim.SGD([{"params": mps[:2]}, {"params": mps[2:]}], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="doesn't match the size"):
        mt.optim.SGD(mps[:2], lr=0.1).load_state_dict(saved)


# ---- the rest of the Optimizer API ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_repr_and_defaults(name):
    t_opt = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    m_opt = getattr(mt.optim, name)([mt.zeros(2, requires_grad=True)])
    assert repr(m_opt) == repr(t_opt)
    assert m_opt.defaults == t_opt.defaults
    m_sd, t_sd = m_opt.state_dict(), t_opt.state_dict()
    assert m_sd["param_groups"] == t_sd["param_groups"]
    assert list(m_sd["state"]) == list(t_sd["state"])  # empty, except Adagrad's eager state


def test_zero_grad():
    for L in (torch, mt):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        opt = L.optim.SGD([w], lr=0.1)
        (w * w).sum().backward()
        grad = w.grad
        opt.zero_grad(set_to_none=False)
        assert w.grad is grad and w.grad.tolist() == [0.0, 0.0]
        opt.zero_grad()
        assert w.grad is None


def test_step_bumps_the_version_counter():
    """An optimizer step is an in-place change: a graph that saved the old weights can't backward."""
    def fn(L):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        opt = L.optim.SGD([w], lr=0.1)
        w.grad = L.tensor([1.0, 1.0])
        loss = (w * w).sum()
        opt.step()
        loss.backward()
    check_same_error(fn)


@pytest.mark.parametrize("make", [
    pytest.param(lambda L: L.optim.SGD([], lr=0.1), id="empty"),
    pytest.param(lambda L: L.optim.SGD(L.zeros(2, requires_grad=True), lr=0.1), id="tensor-not-iterable"),
    pytest.param(lambda L: L.optim.SGD([1.0], lr=0.1), id="not-a-tensor"),
    pytest.param(lambda L: L.optim.SGD([{"params": {L.zeros(2, requires_grad=True)}}], lr=0.1), id="set"),
    pytest.param(lambda L: L.optim.SGD([L.zeros(2, requires_grad=True) * 2], lr=0.1), id="non-leaf"),
    pytest.param(lambda L: L.optim.SGD([L.zeros(2, requires_grad=True)], lr=-1), id="sgd-lr"),
    pytest.param(lambda L: L.optim.SGD([L.zeros(2, requires_grad=True)], lr=0.1, momentum=-1), id="momentum"),
    pytest.param(lambda L: L.optim.SGD([L.zeros(2, requires_grad=True)], lr=0.1, nesterov=True),
                 id="nesterov"),
    pytest.param(lambda L: L.optim.Adam([L.zeros(2, requires_grad=True)], lr=-1), id="adam-lr"),
    pytest.param(lambda L: L.optim.Adam([L.zeros(2, requires_grad=True)], betas=(1.0, 0.9)), id="beta1"),
    pytest.param(lambda L: L.optim.Adam([L.zeros(2, requires_grad=True)], betas=(0.9, -0.1)), id="beta2"),
    pytest.param(lambda L: L.optim.Adam([L.zeros(2, requires_grad=True)], eps=-1.0), id="eps"),
    pytest.param(lambda L: L.optim.AdamW([L.zeros(2, requires_grad=True)], weight_decay=-1), id="adamw-wd"),
    pytest.param(lambda L: L.optim.RMSprop([L.zeros(2, requires_grad=True)], alpha=-1), id="alpha"),
    pytest.param(lambda L: L.optim.Adagrad([L.zeros(2, requires_grad=True)], lr_decay=-1), id="lr_decay"),
    pytest.param(lambda L: L.optim.Adagrad([L.zeros(2, requires_grad=True)],
                                           initial_accumulator_value=-1), id="accumulator"),
])
def test_errors_match_torch(make):
    mine, theirs = check_same_error(make)
    assert mine == theirs


def test_parameter_in_two_groups():
    def fn(L):
        w = L.zeros(2, requires_grad=True)
        L.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    mine, theirs = check_same_error(fn)
    assert mine == theirs


def test_duplicate_parameter_in_a_group_warns():
    w = mt.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        mt.optim.SGD([w, w], lr=0.1)


def test_lr_message():
    with pytest.raises(ValueError, match="^Invalid learning rate: -1$"):
        mt.optim.SGD([mt.zeros(2, requires_grad=True)], lr=-1)


def test_no_warnings_in_a_plain_step():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    opt = mt.optim.Adam([w])
    w.grad = mt.tensor([1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()


# ---- the course's training loop --------------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", [pytest.param("SGD", dict(lr=0.05, momentum=0.9), id="SGD"),
                                         pytest.param("Adam", dict(lr=3e-3, weight_decay=0.3), id="Adam")])
def test_module_training_loop_with_clipping_and_scheduler(name, kwargs):
    """nn.Sequential + MSELoss + clip_grad_norm_ + optimizer + StepLR, as in the course notebooks."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 5)).astype(np.float32)
    y = rng.standard_normal((64, 1)).astype(np.float32)
    torch.manual_seed(0)
    runs = []
    for L in (torch, mt):
        model = L.nn.Sequential(L.nn.Linear(5, 8), L.nn.Tanh(), L.nn.Linear(8, 1))
        opt = getattr(L.optim, name)(params=model.parameters(), **kwargs)
        sched = L.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)
        runs.append((L, model, opt, sched, L.tensor(x), L.tensor(y)))
    with mt.no_grad():  # start from torch's initial weights
        for mp, tp in zip(runs[1][1].parameters(), runs[0][1].parameters()):
            mp.copy_(mt.tensor(tp.detach().numpy()))
    for step in range(100):
        norms = []
        for L, model, opt, sched, xs, ys in runs:
            opt.zero_grad()
            L.nn.MSELoss()(model(xs), ys).backward()
            norms.append(L.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5).item())
            opt.step()
            sched.step()
        assert norms[1] == pytest.approx(norms[0], rel=1e-5)
        assert runs[1][3].get_last_lr() == runs[0][3].get_last_lr()
        assert_params_close(list(runs[0][1].parameters()), list(runs[1][1].parameters()), np.float32, step)


# ---- large parameters: updated in cache-sized blocks over several threads ---------------------------

BLOCKWISE_CASES = [("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1)),
                   ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
                   ("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01, weight_decay=0.1))]


@pytest.mark.parametrize("name,kwargs", BLOCKWISE_CASES, ids=lambda c: str(c))
def test_blockwise_update_of_large_parameters_changes_no_bit(name, kwargs, monkeypatch):
    """A 300,001-element parameter (5 blocks of 2^16, the last one short) split over two threads gives
    the same bits as one piece, and torch's numbers; a small one rides along unsplit. (The NumPy
    update: the compiled one, tested in tests/test_cpu_kernels.py, is switched off here.)"""
    from minitorch_lite.backend import batch_threads, cpu_kernels
    monkeypatch.setattr(cpu_kernels, "_state", False)
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(300_001).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)]
    grads = [[rng.standard_normal(a.shape).astype(np.float32) for a in init] for _ in range(3)]

    def steps(lib):
        params = [lib.tensor(a.copy(), requires_grad=True) for a in init]
        opt = getattr(lib.optim, name)(params, **kwargs)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = lib.tensor(g)
            opt.step()
        return [p.detach().numpy() for p in params]

    def run(block, threads):
        monkeypatch.setattr(batch_threads, "BLOCK", block)
        previous = mt.get_num_threads()
        mt.set_num_threads(threads)
        try:
            return steps(mt)
        finally:
            mt.set_num_threads(previous)

    blockwise, one_piece = run(1 << 16, 2), run(1 << 30, 1)
    for a, b in zip(blockwise, one_piece):
        np.testing.assert_array_equal(a, b)
    for a, t in zip(blockwise, steps(torch)):
        np.testing.assert_allclose(a, t, rtol=1e-5, atol=1e-6)
