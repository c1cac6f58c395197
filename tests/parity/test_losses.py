"""Every loss, every option and reduction, against torch: value, input gradient and (for float
targets) target gradient, in float64 (rtol 1e-12) and float32 (rtol 1e-6), functional and module.
"""
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import check_op, check_same_error

rng = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]

X = rng.normal(size=(6, 4))                               # logits / predictions
Y = rng.normal(size=(6, 4))                               # regression targets
P = rng.uniform(0.02, 0.98, size=(6, 4))                  # probabilities
T01 = rng.uniform(0.0, 1.0, size=(6, 4))                  # soft binary targets
T01[0, :2] = [0.0, 1.0]                                   # and hard ones
CLASSES = rng.integers(0, 4, size=6)                      # class indices
IGNORED = CLASSES.copy()
IGNORED[[1, 4]] = -100
W4 = rng.uniform(0.2, 2.0, size=4)                        # class weights
X_K = rng.normal(size=(2, 3, 4, 5))                       # (N, C, d1, d2)
T_K = rng.integers(0, 3, size=(2, 4, 5))
X_3D = rng.normal(size=(2, 3, 5))                         # (N, C, d1)
T_3D = rng.integers(0, 3, size=(2, 5))


def F(L):
    return L.nn.functional


def w(L, x, values=W4):
    """A weight tensor of the input's dtype (a constant: losses give no gradient to weights)."""
    return L.tensor(np.asarray(values), dtype=x.dtype)


def check(fn, arrays):
    """Tight tolerances: the fused ops follow torch's formulas, not just the same maths."""
    check_op(fn, arrays=arrays, dtypes=(np.float64,), rtol=1e-12, atol=1e-14)
    check_op(fn, arrays=arrays, dtypes=(np.float32,), rtol=1e-6, atol=1e-7)


CASES = [
    # regression
    ("l1", lambda L, x, y, r: F(L).l1_loss(x, y, reduction=r), [X, Y]),
    ("mse", lambda L, x, y, r: F(L).mse_loss(x, y, reduction=r), [X, Y]),
    ("mse_weight", lambda L, x, y, r: F(L).mse_loss(x, y, reduction=r, weight=L.ones_like(x) * 0.5 + x.detach().abs()), [X, Y]),
    ("l1_weight", lambda L, x, y, r: F(L).l1_loss(x, y, reduction=r, weight=L.ones_like(x) * 0.5 + x.detach().abs()), [X, Y]),
    ("smooth_l1", lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r), [X, Y]),
    ("smooth_l1_beta", lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r, beta=0.3), [X, Y]),
    ("smooth_l1_beta0", lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r, beta=0.0), [X, Y]),
    ("huber", lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r), [X, Y]),
    ("huber_delta", lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r, delta=0.4), [X, Y]),
    ("huber_weight", lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r, weight=L.ones_like(x) * 2), [X, Y]),
    # binary classification
    ("bce", lambda L, x, y, r: F(L).binary_cross_entropy(x, y, reduction=r), [P, T01]),
    ("bce_weight", lambda L, x, y, r: F(L).binary_cross_entropy(x, y, w(L, x), reduction=r), [P, T01]),
    ("bce_logits", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(x, y, reduction=r), [X, T01]),
    ("bce_logits_weight", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(x, y, w(L, x), reduction=r), [X, T01]),
    ("bce_logits_pos_weight", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x, y, reduction=r, pos_weight=w(L, x, W4[::-1].copy())), [X, T01]),
    ("bce_logits_both", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x, y, w(L, x, W4[:1]), reduction=r, pos_weight=w(L, x)), [X, T01]),
    ("bce_logits_large", lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x, y, reduction=r, pos_weight=w(L, x)), [X * 500, T01]),
    # multi-class, class indices
    ("cross_entropy", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r), [X, CLASSES]),
    ("cross_entropy_weight", lambda L, x, t, r: F(L).cross_entropy(x, t, w(L, x), reduction=r), [X, CLASSES]),
    ("cross_entropy_ignore", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r), [X, IGNORED]),
    ("cross_entropy_ignore_in_range", lambda L, x, t, r: F(L).cross_entropy(x, t, w(L, x), ignore_index=2,
                                                                           reduction=r), [X, CLASSES]),
    ("cross_entropy_weight_ignore", lambda L, x, t, r: F(L).cross_entropy(x, t, w(L, x), reduction=r), [X, IGNORED]),
    ("cross_entropy_smoothing", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r, label_smoothing=0.1), [X, CLASSES]),
    ("cross_entropy_smoothing_all", lambda L, x, t, r: F(L).cross_entropy(x, t, w(L, x), reduction=r,
                                                                          label_smoothing=0.3), [X, IGNORED]),
    ("cross_entropy_smoothing_negative", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r, label_smoothing=-0.5), [X, CLASSES]),
    ("cross_entropy_probs_smoothing_negative", lambda L, x, y, r: F(L).cross_entropy(x, y.softmax(1), reduction=r,
                                                                                     label_smoothing=-0.5), [X, Y]),
    ("cross_entropy_smoothing_one", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r, label_smoothing=1.0), [X, CLASSES]),
    ("cross_entropy_kdim", lambda L, x, t, r: F(L).cross_entropy(x, t, w(L, x, W4[:3]), reduction=r,
                                                                 label_smoothing=0.2), [X_K, T_K]),
    ("cross_entropy_3d", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r), [X_3D, T_3D]),
    ("cross_entropy_unbatched", lambda L, x, t, r: F(L).cross_entropy(x, t, w(L, x), reduction=r), [X[0], np.int64(2)]),
    ("cross_entropy_uint8_target", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r), [X, CLASSES.astype(np.uint8)]),
    ("cross_entropy_large_logits", lambda L, x, t, r: F(L).cross_entropy(x, t, reduction=r), [X * 1000, CLASSES]),
    # multi-class, class probabilities
    ("cross_entropy_probs", lambda L, x, y, r: F(L).cross_entropy(x, y.softmax(1), reduction=r), [X, Y]),
    ("cross_entropy_probs_weight", lambda L, x, y, r: F(L).cross_entropy(x, y.softmax(1), w(L, x), reduction=r,
                                                                         label_smoothing=0.2), [X, Y]),
    ("cross_entropy_probs_kdim", lambda L, x, y, r: F(L).cross_entropy(x, y.softmax(1), w(L, x, W4[:3]),
                                                                       reduction=r), [X_K, X_K[::-1].copy()]),
    ("cross_entropy_probs_unbatched", lambda L, x, y, r: F(L).cross_entropy(x, y.softmax(0), reduction=r), [X[0], Y[0]]),
    # nll
    ("nll", lambda L, x, t, r: F(L).nll_loss(x.log_softmax(1), t, reduction=r), [X, CLASSES]),
    ("nll_raw", lambda L, x, t, r: F(L).nll_loss(x, t, reduction=r), [X, IGNORED]),
    ("nll_weight_ignore", lambda L, x, t, r: F(L).nll_loss(x, t, w(L, x), reduction=r), [X, IGNORED]),
    ("nll_weight_ignore_in_range", lambda L, x, t, r: F(L).nll_loss(x, t, w(L, x), ignore_index=3, reduction=r),
     [X, CLASSES]),
    ("nll_kdim", lambda L, x, t, r: F(L).nll_loss(x, t, w(L, x, W4[:3]), reduction=r), [X_K, T_K]),
    ("nll_3d", lambda L, x, t, r: F(L).nll_loss(x, t, reduction=r), [X_3D, T_3D]),
    ("nll_unbatched", lambda L, x, t, r: F(L).nll_loss(x, t, reduction=r), [X[0], np.int64(1)]),
    # kl divergence
    ("kl_div", lambda L, x, y, r: F(L).kl_div(x.log_softmax(1), y.softmax(1), reduction=r), [X, Y]),
    ("kl_div_log_target", lambda L, x, y, r: F(L).kl_div(x, y, reduction=r, log_target=True), [X, Y]),
    ("kl_div_zero_target", lambda L, x, y, r: F(L).kl_div(x, y.detach().clamp(min=0.0), reduction=r), [X, Y]),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_loss_matches_torch(name, fn, arrays, reduction):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning
        check(lambda L, *xs: fn(L, *xs, reduction), arrays)


@pytest.mark.parametrize("name,fn,arrays", [c for c in CASES if c[0].startswith("kl_div")])
def test_kl_div_batchmean(name, fn, arrays):
    check(lambda L, *xs: fn(L, *xs, "batchmean"), arrays)


def test_grad_fn_names_match_torch():
    for name, fn, arrays in CASES:
        for reduction in REDUCTIONS:
            if name.startswith(("kl_div", "mse_weight", "l1_weight", "huber_weight")):
                continue  # composites: compared in test_loss_matches_torch only by value
            check_op(lambda L, *xs: fn(L, *xs, reduction), arrays=arrays, dtypes=(np.float32,), grad=False,
                     check_grad_fn=True)


# ---- module forms ----------------------------------------------------------------------------------

MODULE_CASES = [
    ("L1Loss", lambda L, r: L.nn.L1Loss(reduction=r), [X, Y]),
    ("MSELoss", lambda L, r: L.nn.MSELoss(reduction=r), [X, Y]),
    ("SmoothL1Loss", lambda L, r: L.nn.SmoothL1Loss(reduction=r, beta=0.5), [X, Y]),
    ("HuberLoss", lambda L, r: L.nn.HuberLoss(reduction=r, delta=0.5), [X, Y]),
    ("BCELoss", lambda L, r: L.nn.BCELoss(L.tensor(W4), reduction=r), [P, T01]),
    ("BCEWithLogitsLoss", lambda L, r: L.nn.BCEWithLogitsLoss(L.tensor(W4), reduction=r, pos_weight=L.tensor(W4[::-1].copy())), [X, T01]),
    ("CrossEntropyLoss", lambda L, r: L.nn.CrossEntropyLoss(L.tensor(W4), ignore_index=1, reduction=r,
                                                            label_smoothing=0.1), [X, CLASSES]),
    ("NLLLoss", lambda L, r: L.nn.NLLLoss(L.tensor(W4), reduction=r), [X, IGNORED]),
    ("KLDivLoss", lambda L, r: L.nn.KLDivLoss(reduction=r, log_target=True), [X, Y]),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,build,arrays", MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_loss_modules_match_torch(name, build, arrays, reduction, device):
    def fn(L, x, t):
        loss = build(L, reduction)
        loss = loss.to(x.dtype) if L is torch else loss.to(x.device, x.dtype)  # weights follow the input
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return loss(x, t)

    check_op(fn, arrays=arrays, device=device)


def test_loss_module_buffers_and_reprs():
    for build in (lambda L: L.nn.CrossEntropyLoss(weight=L.ones(3)),
                  lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.ones(2)),
                  lambda L: L.nn.BCELoss(), lambda L: L.nn.NLLLoss(L.ones(2), ignore_index=0)):
        ours, theirs = build(mt), build(torch)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    ce = mt.nn.CrossEntropyLoss(weight=mt.ones(3), label_smoothing=0.2)
    assert (ce.reduction, ce.ignore_index, ce.label_smoothing) == ("mean", -100, 0.2)
    assert ce.to(mt.float64).weight.dtype == mt.float64


def test_legacy_size_average_and_reduce():
    for kwargs in [dict(size_average=False), dict(reduce=False), dict(size_average=True, reduce=True)]:
        for name in ("mse_loss", "l1_loss", "smooth_l1_loss"):
            with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
                ours = getattr(F(mt), name)(mt.tensor(X), mt.tensor(Y), **kwargs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = getattr(F(torch), name)(torch.tensor(X), torch.tensor(Y), **kwargs)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
        with pytest.warns(UserWarning):
            assert mt.nn.MSELoss(size_average=False).reduction == "sum"


def test_warnings_like_torch():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4\]\)\) that is different"):
        F(mt).mse_loss(mt.ones(3, 4), mt.ones(4))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F(mt).kl_div(mt.zeros(2, 2), mt.ones(2, 2))


def test_all_targets_ignored_and_empty_batches():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn, arrays in [
            (lambda L, x, t: F(L).cross_entropy(x, t), [X, np.full(6, -100)]),
            (lambda L, x, t: F(L).cross_entropy(x, t, label_smoothing=0.1), [X, np.full(6, -100)]),
            (lambda L, x, t: F(L).nll_loss(x, t, w(L, x)), [X, np.full(6, -100)]),
            (lambda L, x, t: F(L).cross_entropy(x, t), [np.zeros((0, 4)), np.zeros(0, np.int64)]),
            (lambda L, x, t: F(L).cross_entropy(x, t.softmax(1)), [np.zeros((0, 4)), np.zeros((0, 4))]),
            (lambda L, x, y: F(L).mse_loss(x, y), [np.zeros(0), np.zeros(0)]),
            (lambda L, x, y: F(L).l1_loss(x, y), [np.zeros(0), np.zeros(0)]),
            (lambda L, x, y: F(L).binary_cross_entropy_with_logits(x, y), [np.zeros(0), np.zeros(0)]),
        ]:
            check_op(fn, arrays=arrays)


def test_bce_log_is_clamped_at_minus_100():
    edge = np.array([0.0, 1e-45, 1e-30, 0.5, 1.0 - 1e-7, 1.0])
    for target in ([0.0, 1.0, 0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0, 0.0, 1.0]):
        check_op(lambda L, x, y: F(L).binary_cross_entropy(x, y, reduction="none"), arrays=[edge, np.array(target)],
                 grad=False)
        check_op(lambda L, x, y: F(L).binary_cross_entropy(x, y, reduction="sum"), arrays=[edge[1:-1], np.array(target[1:-1])])


def test_mixed_dtypes_promote_like_torch():
    for fn in (lambda L: F(L).mse_loss(L.ones(2, 3), L.zeros(2, 3, dtype=L.float64)),
               lambda L: F(L).l1_loss(L.ones(2, 3, dtype=L.float64), L.zeros(2, 3)),
               lambda L: F(L).mse_loss(L.ones(2, 3), L.zeros(2, 3, dtype=L.int64)),
               lambda L: F(L).binary_cross_entropy_with_logits(L.ones(2, 3), L.zeros(2, 3, dtype=L.float64)),
               lambda L: F(L).binary_cross_entropy_with_logits(L.ones(2, 3), L.zeros(2, 3), pos_weight=L.ones(3, dtype=L.float64)),
               lambda L: F(L).kl_div(L.zeros(2, 3), L.ones(2, 3, dtype=L.float64), reduction="sum")):
        ours, theirs = fn(mt), fn(torch)
        assert repr(ours.dtype) == str(theirs.dtype)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("case", [
    lambda L: F(L).mse_loss(L.ones(3, 4), L.ones(5)),
    lambda L: F(L).mse_loss(L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64)),
    lambda L: F(L).mse_loss(L.ones(2), L.ones(2), reduction="avg"),
    lambda L: F(L).l1_loss(L.ones(2, 3), L.ones(2, 3), weight=L.ones(3)),
    lambda L: F(L).smooth_l1_loss(L.ones(2), L.ones(2), beta=-1.0),
    lambda L: F(L).huber_loss(L.ones(2), L.ones(2), delta=0.0),
    lambda L: F(L).binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0])),
    lambda L: F(L).binary_cross_entropy(L.tensor([0.5]), L.tensor([[1.0]])),
    lambda L: F(L).binary_cross_entropy(L.tensor([0.5]), L.tensor([1.0], dtype=L.float64)),
    lambda L: F(L).binary_cross_entropy(L.tensor([0.5]), L.tensor([1])),
    lambda L: F(L).binary_cross_entropy(L.tensor([0.5]), L.tensor([1.0]), reduction="avg"),
    lambda L: F(L).binary_cross_entropy_with_logits(L.tensor([0.5]), L.tensor([[1.0]])),
    lambda L: F(L).binary_cross_entropy_with_logits(L.tensor([0.5]), L.tensor([1])),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1])),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, 5])),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, -3])),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2], dtype=L.int32)),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0.0, 1.0, 2.0])),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.ones(3, 4, dtype=L.int64)),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.ones(3, 4), ignore_index=1),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2]), weight=L.ones(3)),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2]), weight=L.ones(1, 4)),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.ones(3, 4), weight=L.ones(3)),
    lambda L: F(L).cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2]), label_smoothing=1.5),
    lambda L: F(L).nll_loss(L.ones(3, 4), L.tensor([0, -100, 2]), ignore_index=2),
    lambda L: F(L).cross_entropy(L.ones(3, 4, dtype=L.float64), L.tensor([0, 1, 2]), weight=L.ones(4)),
    lambda L: F(L).cross_entropy(L.ones(2, 3, 4), L.zeros(2, 5, dtype=L.int64)),
    lambda L: F(L).cross_entropy(L.ones(2, 3, dtype=L.int64), L.zeros(2, dtype=L.int64)),
    lambda L: F(L).cross_entropy(L.tensor(1.0), L.tensor(0)),
    lambda L: F(L).nll_loss(L.tensor(1.0), L.tensor(0)),
    lambda L: F(L).nll_loss(L.ones(2, 3), L.zeros(2, 4, dtype=L.int64)),
    lambda L: F(L).nll_loss(L.ones(3), L.zeros(2, dtype=L.int64)),
    lambda L: F(L).nll_loss(L.ones(2, 3), L.tensor(1)),
    lambda L: F(L).nll_loss(L.ones(2, 3, 4, 5), L.zeros(2, 4, 6, dtype=L.int64)),
    lambda L: F(L).nll_loss(L.ones(2, 3, 4, 5), L.zeros(2, 4, dtype=L.int64)),
    lambda L: F(L).nll_loss(L.ones(2, 3, 4), L.zeros(2, dtype=L.int64)),
    lambda L: F(L).nll_loss(L.ones(2, 3), L.zeros(2, dtype=L.int64), weight=L.ones(3, dtype=L.float64)),
    lambda L: F(L).nll_loss(L.ones(2, 3, dtype=L.int64), L.zeros(2, dtype=L.int64)),
    lambda L: F(L).kl_div(L.ones(2), L.ones(2), reduction="avg"),
])
def test_loss_errors_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = check_same_error(case)
    assert ours == theirs


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    """The closed form the fused op uses, on the course's typical case."""
    x = mt.tensor(X, requires_grad=True)
    F(mt).cross_entropy(x, mt.tensor(CLASSES), reduction="sum").backward()
    expected = np.exp(X) / np.exp(X).sum(1, keepdims=True)
    expected[np.arange(6), CLASSES] -= 1
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-15)
