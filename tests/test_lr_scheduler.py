"""Learning-rate schedulers against torch.optim.lr_scheduler: the lr (and momentum) sequences must be
the very same floats, step after step, for 250 steps; state_dict round trips continue identically.
"""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
import minitorch_lite.optim  # noqa: F401  (makes mt.optim available)

from harness import check_same_error

STEPS = 250


def make_optimizer(L, kind="SGD", lrs=(0.1, 0.05)):
    """An optimizer with one param group per lr (two by default); no gradients are ever set."""
    groups = [{"params": [L.zeros(3, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "SGD":
        return L.optim.SGD(groups, lr=0.1, momentum=0.9)
    return L.optim.Adam(groups, lr=0.1)


def group_values(opt):
    """What a scheduler may change in each group, as plain floats."""
    return [(float(g["lr"]), g.get("momentum"), g.get("betas")) for g in opt.param_groups]


def S(L):
    return L.optim.lr_scheduler


SCHEDULERS = {
    "StepLR": lambda L, o: S(L).StepLR(o, step_size=30),
    "StepLR-gamma": lambda L, o: S(L).StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda L, o: S(L).MultiStepLR(o, milestones=[30, 80, 80, 150], gamma=0.5),
    "ExponentialLR": lambda L, o: S(L).ExponentialLR(o, gamma=0.98),
    "CosineAnnealingLR": lambda L, o: S(L).CosineAnnealingLR(o, T_max=50, eta_min=1e-4),
    "CosineAnnealingLR-long": lambda L, o: S(L).CosineAnnealingLR(o, T_max=200),
    "CosineAnnealingWarmRestarts": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2,
                                                                               eta_min=1e-5),
    "LambdaLR": lambda L, o: S(L).LambdaLR(o, lr_lambda=lambda e: 0.95 ** e),
    "LambdaLR-per-group": lambda L, o: S(L).LambdaLR(o, lr_lambda=[lambda e: e // 30,
                                                                   lambda e: 1 / (1 + 0.1 * e)]),
    "MultiplicativeLR": lambda L, o: S(L).MultiplicativeLR(o, lr_lambda=lambda e: 0.99),
    "LinearLR": lambda L, o: S(L).LinearLR(o, start_factor=0.1, total_iters=20),
    "LinearLR-down": lambda L, o: S(L).LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=120),
    "ConstantLR": lambda L, o: S(L).ConstantLR(o, factor=0.5, total_iters=40),
    "PolynomialLR": lambda L, o: S(L).PolynomialLR(o, total_iters=100, power=2.0),
    "OneCycleLR": lambda L, o: S(L).OneCycleLR(o, max_lr=0.1, total_steps=STEPS),
    "OneCycleLR-linear": lambda L, o: S(L).OneCycleLR(o, max_lr=[0.1, 0.3], total_steps=STEPS + 10,
                                                      anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR-three-phase": lambda L, o: S(L).OneCycleLR(o, max_lr=0.2, epochs=5, steps_per_epoch=50,
                                                           three_phase=True, div_factor=10.0,
                                                           final_div_factor=100.0),
    "OneCycleLR-no-momentum": lambda L, o: S(L).OneCycleLR(o, max_lr=0.1, total_steps=STEPS,
                                                           cycle_momentum=False),
    "SequentialLR": lambda L, o: S(L).SequentialLR(
        o, schedulers=[S(L).LinearLR(o, start_factor=0.1, total_iters=20),
                       S(L).CosineAnnealingLR(o, T_max=80, eta_min=1e-4)], milestones=[20]),
    "SequentialLR-three": lambda L, o: S(L).SequentialLR(
        o, schedulers=[S(L).ConstantLR(o, factor=0.1, total_iters=10), S(L).ExponentialLR(o, gamma=0.9),
                       S(L).StepLR(o, step_size=20)], milestones=[10, 60]),
    "ChainedScheduler": lambda L, o: S(L).ChainedScheduler(
        [S(L).ConstantLR(o, factor=0.1, total_iters=10), S(L).ExponentialLR(o, gamma=0.99)]),
}
SCHEDULER_IDS = list(SCHEDULERS)


def build(L, name, kind):
    opt = make_optimizer(L, kind)
    return opt, SCHEDULERS[name](L, opt)


def step_and_compare(torch_pair, mt_pair, steps):
    (t_opt, t_sched), (m_opt, m_sched) = torch_pair, mt_pair
    for i in range(steps):
        t_opt.step()
        t_sched.step()
        m_opt.step()
        m_sched.step()
        assert m_sched.get_last_lr() == t_sched.get_last_lr(), f"step {i}"
        assert group_values(m_opt) == group_values(t_opt), f"step {i}"


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name", SCHEDULER_IDS)
def test_lr_sequence_matches_torch(name, kind):
    torch_pair, mt_pair = build(torch, name, kind), build(mt, name, kind)
    assert mt_pair[1].get_last_lr() == torch_pair[1].get_last_lr()
    assert group_values(mt_pair[0]) == group_values(torch_pair[0])
    step_and_compare(torch_pair, mt_pair, STEPS)


def test_two_schedulers_on_one_optimizer_compose():
    pairs = []
    for L in (torch, mt):
        opt = make_optimizer(L)
        pairs.append((opt, [S(L).StepLR(opt, step_size=25, gamma=0.5), S(L).ExponentialLR(opt, gamma=0.99)]))
    for _ in range(STEPS):
        for opt, scheds in pairs:
            opt.step()
            for s in scheds:
                s.step()
        assert group_values(pairs[1][0]) == group_values(pairs[0][0])


@pytest.mark.parametrize("name", SCHEDULER_IDS)
def test_state_dict_round_trip(name):
    """Save at step 100, rebuild optimizer and scheduler, load both, continue: same lrs as torch's
    uninterrupted run. The saved dict has torch's keys."""
    torch_pair, mt_pair = build(torch, name, "SGD"), build(mt, name, "SGD")
    step_and_compare(torch_pair, mt_pair, 100)
    saved = mt_pair[1].state_dict()
    assert set(saved) == set(torch_pair[1].state_dict())
    saved_opt = mt_pair[0].state_dict()

    opt, sched = build(mt, name, "SGD")
    sched.load_state_dict(saved)
    opt.load_state_dict(saved_opt)
    step_and_compare(torch_pair, (opt, sched), STEPS - 100)


def test_onecycle_beyond_total_steps_raises_like_torch():
    def fn(L):
        opt = make_optimizer(L)
        sched = S(L).OneCycleLR(opt, max_lr=0.1, total_steps=5)
        for _ in range(6):
            opt.step()
            sched.step()
    mine, theirs = check_same_error(fn)
    assert mine == theirs


# ---- ReduceLROnPlateau ----------------------------------------------------------------------------

def loss_sequence(n=STEPS, seed=0):
    """A noisy decreasing loss with long plateaus, so patience, cooldown and thresholds all matter."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (1.0 / (1.0 + 0.02 * t) + 0.05 * (t // 60 % 2) + 0.01 * rng.standard_normal(n)).tolist()


PLATEAU_CASES = {
    "default": dict(),
    "fast": dict(factor=0.5, patience=3),
    "cooldown": dict(factor=0.5, patience=2, cooldown=5),
    "abs": dict(factor=0.7, patience=4, threshold=0.01, threshold_mode="abs"),
    "max": dict(mode="max", factor=0.5, patience=3),
    "max-abs": dict(mode="max", factor=0.5, patience=3, threshold=0.005, threshold_mode="abs"),
    "min_lr": dict(factor=0.1, patience=2, min_lr=[1e-3, 1e-4]),
    "eps": dict(factor=0.9, patience=1, eps=1e-3, min_lr=0.02),
}


@pytest.mark.parametrize("case", list(PLATEAU_CASES))
def test_reduce_lr_on_plateau(case):
    kwargs = PLATEAU_CASES[case]
    sign = -1.0 if kwargs.get("mode") == "max" else 1.0
    runs = []
    for L in (torch, mt):
        opt = make_optimizer(L)
        sched = S(L).ReduceLROnPlateau(opt, **kwargs)
        lrs = []
        for i, loss in enumerate(loss_sequence()):
            opt.step()
            sched.step(sign * loss if i % 2 else L.tensor(sign * loss))  # floats and 0-d tensors
            lrs.append((sched.get_last_lr(), group_values(opt), sched.best, sched.num_bad_epochs,
                        sched.cooldown_counter, sched.last_epoch))
        runs.append((lrs, sched.state_dict()))
    assert runs[1][0] == runs[0][0]
    assert runs[1][1] == runs[0][1]
    assert runs[0][0][-1][0] != runs[0][0][0][0], "the case should reduce the lr at least once"


def test_reduce_lr_on_plateau_state_dict_round_trip():
    t_opt, m_opt = make_optimizer(torch), make_optimizer(mt)
    t_sched = S(torch).ReduceLROnPlateau(t_opt, factor=0.5, patience=3)
    m_sched = S(mt).ReduceLROnPlateau(m_opt, factor=0.5, patience=3)
    losses = loss_sequence()
    for loss in losses[:120]:
        t_sched.step(loss)
        m_sched.step(loss)
    fresh_opt = make_optimizer(mt)
    fresh = S(mt).ReduceLROnPlateau(fresh_opt)
    fresh.load_state_dict(m_sched.state_dict())
    fresh_opt.load_state_dict(m_opt.state_dict())
    for loss in losses[120:]:
        t_sched.step(loss)
        fresh.step(loss)
        assert fresh.get_last_lr() == t_sched.get_last_lr()


@pytest.mark.parametrize("make", [
    pytest.param(lambda L, o: S(L).ReduceLROnPlateau(o, factor=1.0), id="factor"),
    pytest.param(lambda L, o: S(L).ReduceLROnPlateau(o, mode="up"), id="mode"),
    pytest.param(lambda L, o: S(L).ReduceLROnPlateau(o, threshold_mode="x"), id="threshold_mode"),
    pytest.param(lambda L, o: S(L).ReduceLROnPlateau(o, min_lr=[0.1]), id="min_lr"),
    pytest.param(lambda L, o: S(L).StepLR(o, step_size=3, last_epoch=5), id="resume-without-initial_lr"),
    pytest.param(lambda L, o: S(L).StepLR(object(), step_size=3), id="not-an-optimizer"),
    pytest.param(lambda L, o: S(L).OneCycleLR(o, max_lr=0.1), id="onecycle-no-steps"),
    pytest.param(lambda L, o: S(L).OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2.0), id="pct"),
    pytest.param(lambda L, o: S(L).OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="x"),
                 id="anneal"),
    pytest.param(lambda L, o: S(L).LinearLR(o, start_factor=0), id="linear-start"),
    pytest.param(lambda L, o: S(L).ConstantLR(o, factor=2), id="constant-factor"),
    pytest.param(lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=0), id="T_0"),
    pytest.param(lambda L, o: S(L).SequentialLR(o, [S(L).StepLR(o, 3)], milestones=[2]), id="milestones"),
    pytest.param(lambda L, o: S(L).LambdaLR(o, lr_lambda=[lambda e: 1.0]), id="lambdas"),
])
def test_errors_match_torch(make):
    mine, theirs = check_same_error(lambda L: make(L, make_optimizer(L)))
    assert mine == theirs


# ---- warnings, tensor lrs, the deprecated epoch argument ---------------------------------------------

def caught_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]


def test_warns_when_scheduler_steps_before_optimizer():
    messages = []
    for L in (torch, mt):
        opt = make_optimizer(L)
        sched = S(L).StepLR(opt, step_size=3)
        messages.append(caught_warnings(sched.step))
    assert messages[1] == messages[0] and len(messages[0]) == 1


def test_no_warning_in_the_right_order():
    opt = make_optimizer(mt)
    sched = S(mt).StepLR(opt, step_size=3)
    assert caught_warnings(lambda: (opt.step(), sched.step())) == []


def test_get_lr_outside_step_warns():
    messages = []
    for L in (torch, mt):
        sched = S(L).StepLR(make_optimizer(L), step_size=3)
        messages.append(caught_warnings(sched.get_lr))
    assert messages[1] == messages[0] and len(messages[0]) == 1


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "LinearLR", "ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts"])
def test_step_with_epoch_uses_the_closed_form(name):
    results = []
    for L in (torch, mt):
        opt, sched = build(L, name, "SGD")
        out = []
        for epoch in (3, 45, 17, 90, 200):
            opt.step()
            out.append((caught_warnings(lambda: sched.step(epoch)), sched.get_last_lr()))
        results.append(out)
    assert results[1] == results[0]


def test_tensor_lr_is_filled_in_place():
    pairs = []
    for L in (torch, mt):
        opt = L.optim.Adam([L.zeros(3, requires_grad=True)], lr=L.tensor(0.01))
        lr_tensor = opt.param_groups[0]["lr"]
        sched = S(L).CosineAnnealingLR(opt, T_max=20)
        pairs.append((opt, sched, lr_tensor))
    for _ in range(30):
        for opt, sched, _ in pairs:
            opt.step()
            sched.step()
        (t_opt, t_sched, t_lr), (m_opt, m_sched, m_lr) = pairs
        assert m_opt.param_groups[0]["lr"] is m_lr and isinstance(m_sched.get_last_lr()[0], mt.Tensor)
        assert m_lr.item() == t_lr.item()
        assert m_sched.get_last_lr()[0].item() == t_sched.get_last_lr()[0].item()


def test_cosine_recursion_differs_from_closed_form():
    """Why we follow torch's recursive formula: the closed form gives different floats."""
    opt = make_optimizer(mt, lrs=(0.1,))
    sched = S(mt).CosineAnnealingLR(opt, T_max=50, eta_min=1e-4)
    differ = 0
    for epoch in range(1, 120):
        opt.step()
        sched.step()
        closed = 1e-4 + (0.1 - 1e-4) * (1 + math.cos(math.pi * epoch / 50)) / 2
        differ += sched.get_last_lr()[0] != closed
    assert differ > 0
